"""The "Newest backup" check (mysql.backup) on real backups: made by run_backup against the test MariaDB, in a
local directory and in the real radosgw bucket, aged through the manifest's time (run_backup's moment) and the
files' mtime; its view of a directory is the backup commands' view."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.mysql_results import assert_no_secret, by_id
from tests.services.base import silent_endpoint
from tests.test_backup_fixtures import WandbLike, build
from wbtui.checks import mysql_backup
from wbtui.checks.catalog import CHECKS
from wbtui.checks.model import Status
from wbtui.checks.mysql import run_mysql_checks
from wbtui.config.model import Config
from wbtui.config.urls import BucketURL
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup.job import run_backup
from wbtui.ops.backup.manifest import now
from wbtui.ops.backup.retention import newest_good


def look(config: Config, timeout: float = 5.0) -> Any:
    return mysql_backup.NewestBackup(config, timeout).start().result()


def local_config(db: WandbLike, folder: Path) -> Config:
    config = db.config()
    config.backup.directory = str(folder)
    return config


def test_the_id_and_title_are_the_catalogs() -> None:
    assert CHECKS[mysql_backup.CHECK_ID] == mysql_backup.TITLE == "Newest backup"


def test_no_backup_at_all_warns_with_where_it_looked_and_what_to_run(tmp_path: Path) -> None:
    config = Config()
    config.server.MYSQL = "mysql://u:p@db.example.com:3306/wandb"
    config.backup.directory = str(tmp_path / "none yet")
    result = look(config)
    assert result.status is Status.WARN
    assert result.summary == f"no backup found in {tmp_path / 'none yet'}"
    assert "wbtui backup" in result.fix and "wbtui service install --backup daily" in result.fix


def test_embedded_mysql_is_skipped_with_the_reason() -> None:
    results = run_mysql_checks(Config(), timeout=1.0)
    r = by_id(results)
    assert r["mysql.backup"].status is Status.SKIPPED and "MYSQL is empty" in r["mysql.backup"].summary
    assert [x.id for x in results] == ["mysql.config", "mysql.backup"]


@pytest.mark.mysql
def test_fresh_old_failed_and_incomplete_backups(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    folder = tmp_path / "backups"
    config = local_config(db, folder)
    local = dst.Local(folder)
    t0 = now()
    old = run_backup(config, [local], keep=None, timeout=10, moment=t0 - timedelta(hours=30)).manifest
    result = look(config)
    assert result.status is Status.WARN
    assert result.summary == f"newest backup is 30 h old (the guide asks for one a day): {old.id} in {folder}"
    assert "wbtui backup" in result.fix and "wbtui service install --backup daily" in result.fix
    assert result.data["id"] == old.id and 30 * 3600 <= result.data["age_seconds"] < 31 * 3600

    fresh = run_backup(config, [local], keep=None, timeout=10).manifest
    result = look(config)
    assert result.status is Status.PASS and result.summary.startswith("newest backup ") and fresh.id in result.summary

    # a verify that failed the newest one: the older good one is what one could restore
    (folder / f"{fresh.id}.verify.json").write_text(json.dumps({"ok": False, "when": t0.isoformat()}))
    assert look(config).data["id"] == old.id
    # a dump without its manifest (cut off before the manifest was written) is no backup either
    (folder / f"{fresh.id}.verify.json").unlink()
    (folder / f"{fresh.id}.manifest.json").unlink()
    assert look(config).data["id"] == old.id
    assert_no_secret([result], db.password)


@pytest.mark.mysql
def test_the_check_sees_what_the_backup_commands_see(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    folder = tmp_path / "backups"
    config = local_config(db, folder)
    local = dst.Local(folder)
    t0 = now()
    for hours in (50, 27, 2):
        run_backup(config, [local], keep=None, timeout=10, moment=t0 - timedelta(hours=hours))
    (folder / "wbtui-x-20200101T000000Z.sql.gz").write_bytes(b"incomplete")  # listed by the commands, not good
    (folder / "notes.txt").write_text("not a backup")
    os.symlink(folder / "notes.txt", folder / "wbtui-y-20991231T000000Z.manifest.json")  # never read
    expected = newest_good(local.entries())
    found = mysql_backup.newest_local(folder)
    assert expected is not None and found is not None
    assert (found.id, found.created) == (expected.id, expected.created)
    # the files' mtime is not the backup's time: touching an old dump does not make it new
    for path in folder.glob("*.sql.*"):
        os.utime(path, (time.time(), time.time()))
    assert mysql_backup.newest_local(folder) == found


@pytest.mark.mysql
def test_the_check_runs_with_the_mysql_checks(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    config = local_config(db, tmp_path / "backups")
    made = run_backup(config, [dst.Local(tmp_path / "backups")], keep=None, timeout=10).manifest
    seen: list[str] = []
    results = run_mysql_checks(config, timeout=5.0, cpu_window=0.2, on_result=lambda r: seen.append(r.id))
    r = by_id(results)
    assert r["mysql.backup"].status is Status.PASS and made.id in r["mysql.backup"].summary
    assert r["mysql.backup"].store == "mysql" and seen[-1] == "mysql.backup"
    assert_no_secret(results, db.password)


@pytest.mark.mysql
def test_a_server_that_stopped_answering_still_gets_the_backup_result(tmp_path: Path) -> None:
    with silent_endpoint() as port:
        config = Config()
        config.server.MYSQL = f"mysql://u:pw-secret@127.0.0.1:{port}/wandb"
        config.backup.directory = str(tmp_path)
        r = by_id(run_mysql_checks(config, timeout=0.5, cpu_window=0.2))
    assert r["mysql.connect"].status is Status.FAIL
    assert r["mysql.backup"].status is Status.WARN and "no backup found" in r["mysql.backup"].summary


@pytest.mark.mysql
@pytest.mark.s3
def test_the_bucket_counts_too(mariadb: Any, mysql_scratch: Any, radosgw: Any, s3_bucket: str,
                               tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    config = local_config(db, tmp_path / "empty")
    config.server.BUCKET, config.server.AWS_REGION = radosgw.bucket_url(s3_bucket), radosgw.region
    config.backup.prefix = "nightly/db/"
    bucket = dst.Bucket(config, config.backup.prefix)
    t0 = now()
    old = run_backup(config, [bucket], keep=None, timeout=10, moment=t0 - timedelta(days=3)).manifest
    result = look(config)
    assert result.status is Status.WARN
    assert result.summary.endswith(f"is 3 days old (the guide asks for one a day): {old.id} in "
                                   f"s3://{s3_bucket}/nightly/db/")
    fresh = run_backup(config, [bucket], keep=None, timeout=10).manifest
    result = look(config)
    assert result.status is Status.PASS and fresh.id in result.summary and f"s3://{s3_bucket}/" in result.summary
    bucket.close()
    # keys that may not list: what it found locally (nothing) and why the bucket could not tell
    url = BucketURL.parse(config.server.BUCKET)
    config.server.BUCKET = BucketURL("WRONGKEY", "wrong-secret-Canary", url.host, url.bucket, url.port,
                                     url.tls).format()
    result = look(config)
    assert result.status is Status.WARN and "no backup found" in result.summary
    assert "403 InvalidAccessKeyId" in result.details and "allowed to list" in result.details
    assert "wrong-secret-Canary" not in result.summary + result.details + result.fix


@pytest.mark.s3
def test_a_silent_bucket_costs_one_timeout(tmp_path: Path) -> None:
    with silent_endpoint() as port:
        config = Config()
        config.server.MYSQL = "mysql://u:p@db.example.com:3306/wandb"
        config.server.BUCKET = f"s3://KEY:SECRET@127.0.0.1:{port}/wandb"
        config.backup.directory = str(tmp_path)
        started = time.monotonic()
        result = look(config, timeout=0.5)
        took = time.monotonic() - started
    assert result.status is Status.WARN and "no backup found" in result.summary
    assert "did not answer within 0.5s" in result.details
    assert took < 0.5 + 1.0  # the timeout, and slack for a loaded host
