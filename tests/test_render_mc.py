"""The MinIO client commands from BUCKET: the guide's alias and bucket creation, shell-quoted."""

from __future__ import annotations

import shlex

from tests.config_samples import BUCKET_SECRET, assert_no_canary, canary_config
from wbtui.config.model import Config, set_value
from wbtui.render.mc import render_mc


def commands(text: str) -> list[list[str]]:
    return [shlex.split(line) for line in text.splitlines() if not line.startswith("#")]


def test_alias_and_bucket() -> None:
    config = canary_config()
    set_value(config, "AWS_REGION", "us-east1")
    alias, make = commands(render_mc(config, reveal=True))
    assert alias == ["mc", "alias", "set", "local", "https://minio.example.com:9000", "CANARYACCESSKEY",
                     BUCKET_SECRET, "--api", "s3v4"]
    assert make == ["mc", "mb", "--region=us-east1", "local/wandb-files"]


def test_legacy_form_and_alias_name() -> None:
    (register, make) = commands(render_mc(canary_config(), reveal=True, alias="wandb", legacy=True))
    assert register[:5] == ["mc", "config", "host", "add", "wandb"] and register[-2:] == ["--api", "s3v4"]
    assert make[-1] == "wandb/wandb-files"


def test_secret_masked_unless_revealed() -> None:
    text = render_mc(canary_config())
    assert_no_canary(text)
    assert commands(text)[0][6] == "****" and "type the keys" in text


def test_embedded_or_broken_bucket() -> None:
    assert render_mc(Config()).startswith("# BUCKET is empty")
    config = Config()
    set_value(config, "BUCKET", "s3://k:s@minio")
    assert render_mc(config).startswith("# BUCKET is not usable (bucket)")
