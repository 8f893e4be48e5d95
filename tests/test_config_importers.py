"""Adopting an existing install from an env file; image references."""

from __future__ import annotations

import json

from tests.config_samples import assert_no_canary, canary_config
from wbtui.config.importers import import_env_text, parse_env_text, split_image
from wbtui.config.model import Config, container_env
from wbtui.runtime.docker import render as render_docker

ENV_FILE = r"""
# W&B settings
export HOST=https://wandb.example.com
LICENSE='eyJ.a#b.c'
BUCKET="s3://AK:se\"cr\\et@minio:9000/wandb"   # trailing comment
BUCKET_QUEUE=internal://
AWS_REGION = us-east-1
MYSQL=mysql://u:p@db/wandb # comment
OIDC_ISSUER=https://sso.example.com/#/x
EMPTY=
this line is junk
BROKEN="unterminated
1BAD=x
"""


def test_parse_env_text() -> None:
    env, notes = parse_env_text(ENV_FILE)
    assert env == {
        "HOST": "https://wandb.example.com",
        "LICENSE": "eyJ.a#b.c",
        "BUCKET": 's3://AK:se"cr\\et@minio:9000/wandb',
        "BUCKET_QUEUE": "internal://",
        "AWS_REGION": "us-east-1",
        "MYSQL": "mysql://u:p@db/wandb",
        "OIDC_ISSUER": "https://sso.example.com/#/x",
        "EMPTY": "",
    }
    assert [(n.field, n.severity) for n in notes] == [
        ("line 11", "warning"), ("line 12", "warning"), ("line 13", "warning")]
    assert "unterminated" in notes[1].message


def test_env_import_maps_guide_variables_and_extras() -> None:
    result = import_env_text(ENV_FILE)
    assert result.config.server.HOST == "https://wandb.example.com"
    assert result.config.server.MYSQL == "mysql://u:p@db/wandb"
    assert result.config.env == {"OIDC_ISSUER": "https://sso.example.com/#/x", "EMPTY": ""}
    assert {n.field for n in result.notes if n.severity == "info"} >= {"HOST", "MYSQL", "env.OIDC_ISSUER"}


def test_rendered_env_file_imports_back() -> None:
    config = canary_config()
    result = import_env_text(render_docker.render_env_file(config, reveal=True))
    assert container_env(result.config) == container_env(config)
    assert_no_canary(json.dumps([n.to_dict() for n in result.notes]))


def test_import_merges_into_base() -> None:
    base = Config()
    base.runtime.port = 9000
    result = import_env_text("HOST=https://w.example.com\n", base)
    assert result.config.runtime.port == 9000 and base.server.HOST == ""


def test_split_image() -> None:
    assert split_image("wandb/local") == ("wandb/local", "latest")
    assert split_image("localhost:5000/wandb/local") == ("localhost:5000/wandb/local", "latest")
    assert split_image("wandb/local:0.60.0") == ("wandb/local", "0.60.0")
    digest = "wandb/local@sha256:" + "a" * 64
    assert split_image(digest) == (digest, "")
