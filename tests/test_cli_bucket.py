"""`wbtui bucket create` and `wbtui bucket cors` against the real radosgw: asks, refuses, merges, no secrets."""

from __future__ import annotations

import argparse
import json
import secrets
from pathlib import Path

import pytest

from wbtui.cli import bucket_cmd
from wbtui.cli.context import CliError, Context
from wbtui.config import store
from wbtui.config.model import Config

HOST = "http://127.0.0.1:8080"


def cli(argv: list[str]) -> int:
    """`wbtui ARGV` with the bucket commands, handled like wbtui.cli.main handles every command."""
    parser = argparse.ArgumentParser(prog="wbtui")
    parser.add_argument("--config")
    parser.add_argument("--read-only", action="store_true")
    bucket_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    ctx = Context.from_args(args)
    try:
        return int(args.func(ctx, args) or 0)
    except CliError as exc:
        ctx.error(str(exc))
        return exc.code


def write_config(tmp_path: Path, radosgw, bucket: str, region: str | None = None) -> str:
    config = Config()
    config.server.BUCKET = radosgw.bucket_url(bucket)
    config.server.AWS_REGION = region or radosgw.region
    config.server.HOST = HOST
    return str(store.save(config, tmp_path / "config.toml"))


@pytest.fixture
def new_bucket(radosgw):
    name = f"wbt-cli-{secrets.token_hex(5)}"
    yield name
    radosgw.delete_bucket(name)


def bucket_names(radosgw) -> list[str]:
    return [b["Name"] for b in radosgw.s3_client().list_buckets()["Buckets"]]


def test_usage_errors_exit_2(tmp_path):
    with pytest.raises(SystemExit) as caught:
        cli(["bucket"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        cli(["bucket", "cors", "--timeout", "never"])
    assert caught.value.code == 2


@pytest.mark.s3
def test_create_asks_and_refuses_without_a_terminal(tmp_path, radosgw, new_bucket, capsys):
    cfg = write_config(tmp_path, radosgw, new_bucket)
    assert cli(["--config", cfg, "bucket", "create"]) == 2
    captured = capsys.readouterr()
    assert "pass --yes to confirm" in captured.err
    assert f"create bucket '{new_bucket}' in region {radosgw.region}" in captured.out
    assert new_bucket not in bucket_names(radosgw)


@pytest.mark.s3
def test_create_read_only_refuses(tmp_path, radosgw, new_bucket, capsys):
    cfg = write_config(tmp_path, radosgw, new_bucket)
    assert cli(["--config", cfg, "--read-only", "bucket", "create", "--yes"]) == 2
    assert "read-only mode: refusing to create a bucket" in capsys.readouterr().err
    assert new_bucket not in bucket_names(radosgw)


@pytest.mark.s3
def test_create_with_yes_then_again_is_idempotent(tmp_path, radosgw, new_bucket, capsys):
    cfg = write_config(tmp_path, radosgw, new_bucket)
    assert cli(["--config", cfg, "bucket", "create", "--yes"]) == 0
    out = capsys.readouterr().out
    assert f"created bucket '{new_bucket}' in region {radosgw.region}" in out
    assert new_bucket in bucket_names(radosgw)

    assert cli(["--config", cfg, "--read-only", "bucket", "create", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changed"] is False and data["region"] == radosgw.region
    assert "already exists" in data["summary"]


@pytest.mark.s3
def test_create_in_an_unserved_region_fails_with_the_fix(tmp_path, radosgw, new_bucket, capsys):
    cfg = write_config(tmp_path, radosgw, new_bucket, region="ap-south-1")
    assert cli(["--config", cfg, "bucket", "create", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "does not serve region 'ap-south-1'" in err and "wbtui config set AWS_REGION" in err
    assert radosgw.secret_key not in err


@pytest.mark.s3
def test_cors_shows_merged_json_without_changing_anything(tmp_path, radosgw, s3_bucket, capsys):
    other = {"AllowedOrigins": ["https://other.example.com"], "AllowedMethods": ["GET"], "AllowedHeaders": ["*"]}
    radosgw.s3_client().put_bucket_cors(Bucket=s3_bucket, CORSConfiguration={"CORSRules": [other]})
    cfg = write_config(tmp_path, radosgw, s3_bucket)
    assert cli(["--config", cfg, "bucket", "cors"]) == 0
    out = capsys.readouterr().out
    assert f"would set CORS on bucket '{s3_bucket}' for {HOST}" in out
    assert "keep rule 1: https://other.example.com" in out
    assert "aws s3api put-bucket-cors" in out and "--bucket " + s3_bucket in out
    shown = json.loads(out[out.index("{"):out.index("\nApply with")])
    assert [r["AllowedOrigins"] for r in shown["CORSRules"]] == [[HOST], ["https://other.example.com"]]
    assert radosgw.s3_client().get_bucket_cors(Bucket=s3_bucket)["CORSRules"] == [other]
    assert radosgw.secret_key not in out


@pytest.mark.s3
def test_cors_apply_read_only_refuses(tmp_path, radosgw, s3_bucket, capsys):
    cfg = write_config(tmp_path, radosgw, s3_bucket)
    assert cli(["--config", cfg, "--read-only", "bucket", "cors", "--apply", "--yes"]) == 2
    assert "read-only mode" in capsys.readouterr().err


@pytest.mark.s3
def test_cors_apply_then_nothing_to_change(tmp_path, radosgw, s3_bucket, capsys):
    cfg = write_config(tmp_path, radosgw, s3_bucket)
    assert cli(["--config", cfg, "bucket", "cors", "--apply", "--yes", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["applied"] is True and data["origin"] == HOST
    rules = radosgw.s3_client().get_bucket_cors(Bucket=s3_bucket)["CORSRules"]
    assert rules[0]["AllowedOrigins"] == [HOST] and rules[0]["ExposeHeaders"] == ["ETag"]

    assert cli(["--config", cfg, "--read-only", "bucket", "cors", "--apply"]) == 0
    assert "nothing to change" in capsys.readouterr().out


@pytest.mark.s3
def test_cors_on_a_missing_bucket_points_to_create(tmp_path, radosgw, new_bucket, capsys):
    cfg = write_config(tmp_path, radosgw, new_bucket)
    assert cli(["--config", cfg, "bucket", "cors"]) == 1
    err = capsys.readouterr().err
    assert f"bucket '{new_bucket}' does not exist" in err and "wbtui bucket create" in err


def test_empty_bucket_setting_is_explained(tmp_path, capsys):
    cfg = str(store.save(Config(), tmp_path / "config.toml"))
    assert cli(["--config", cfg, "bucket", "create", "--yes"]) == 1
    assert "BUCKET is empty" in capsys.readouterr().err
