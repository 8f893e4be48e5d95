"""Embedded or external stores, read from a log alone (real lines, sources next to them)."""

from __future__ import annotations

import pytest

from wbtui.config import masking
from wbtui.diagnosis.stores import config_for, stores_from_log

GORILLA = ('{"level":"INFO","time":"2022-03-15T16:03:23Z","info":{"program":"gorilla","source":"gorilla/main.go:268"},'
           '"data":{"config":"{Port:8081,HistoryStore:mysql://wandb_local:wandb_local@127.0.0.1:3306/wandb_local,'
           'FrontendHost:http://10.20.84.191:8960,CORSOrigins:,Dev:false"}}')  # [public] wandb/server#46


@pytest.mark.parametrize(("line", "mysql"), [
    (GORILLA, "embedded"),
    ("*** Setting up mysql database...", "embedded"),  # [public] wandb/server#139
    ("panic: dial tcp 127.0.0.1:3306: connect: connection refused", "embedded"),  # [public] wandb/server#104
    ("HistoryStore:mysql://wandb:pw@db.corp.example:3306/wandb", "external"),  # [shape] gorilla's config line
    ("mysqld: Can't create directory '/vol/mysql/' (Errcode: 17 - File exists)", "embedded"),  # wandb/server#7
    ("*** Loading settings...", None),  # [public] wandb/server#33: says nothing of the stores
])
def test_mysql_mode(line: str, mysql: str | None) -> None:
    assert stores_from_log([line]).mysql == mysql


@pytest.mark.parametrize(("line", "bucket"), [
    ("Bucket created successfully `local/local-files`.", "embedded"),  # [public] wandb/server#139
    ("Successfully added arn:minio:sqs:wandb-local:_:redis", "embedded"),  # [public] wandb/server#139
    ("*** Minio still starting up...", "embedded"),  # [public] wandb/server#94
    ("!!! Error while downloading settings from external bucket specified in env var BUCKET",
     "external"),  # [public] wandb/helm-charts#90
    ("*** Loading settings...", None),
])
def test_bucket_mode(line: str, bucket: str | None) -> None:
    assert stores_from_log([line]).bucket == bucket


def test_the_config_built_from_the_log_says_what_it_saw_and_redacts_nothing_of_the_log() -> None:
    embedded = config_for(stores_from_log([GORILLA, "Bucket created successfully `local/local-files`."]))
    assert embedded.server.MYSQL == "" and embedded.server.BUCKET == ""
    external = config_for(stores_from_log(["HistoryStore:mysql://wandb:pw@db.corp.example:3306/wandb"]))
    assert "@db.corp.example:3306/" in external.server.MYSQL and external.server.BUCKET
    line = "unknown diagnose wandb_local invalid"
    assert masking.logs(external)(line) == line
    assert stores_from_log([]).describe() == "MySQL not shown in the log, object store not shown in the log"
