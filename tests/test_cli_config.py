"""`wbtui config ...`: validation on set, masking, exit codes, import, permissions."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from tests.config_samples import (
    LICENSE,
    MYSQL_PASSWORD,
    assert_no_canary,
    canary_config,
    license_expiring_in,
    make_jws,
)
from tests.test_k8s_importer import GUIDE_DEPLOYMENT
from tests.test_runtime_docker_importer import inspect_output
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import FIELDS, Config
from wbtui.config.urls import MysqlURL


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    return tmp_path / "wbtui" / "config.toml"


class Wbtui:
    def __init__(self, path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.path, self.capsys, self.monkeypatch = path, capsys, monkeypatch

    def __call__(self, *argv: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            self.monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = main(["--config", str(self.path), *argv])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, out, err

    def json(self, *argv: str, expect: int = 0) -> dict:
        code, out, err = self(*argv, "--json")
        assert code == expect, (out, err)
        return json.loads(out)


@pytest.fixture
def wbtui(cfg: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Wbtui:
    return Wbtui(cfg, capsys, monkeypatch)


@pytest.fixture
def saved(cfg: Path) -> Config:
    config = canary_config()
    store.save(config, cfg)
    return config


def test_mysql_example_from_the_issue(wbtui: Wbtui, cfg: Path) -> None:
    code, out, err = wbtui("config", "set", "MYSQL", "mysql://u:p@")
    assert code == 1 and out == ""
    assert "MYSQL not saved" in err and "host is wrong: the host is empty" in err
    assert "example: wbtui config set MYSQL 'mysql://wandb_local:PASSWORD@db.example.com:3306/wandb_local'" in err
    assert not cfg.exists()


@pytest.mark.parametrize(("key", "value", "code", "words"), [
    ("HOST", "wandb.example.com", 1, "has no scheme"),
    ("HOST", "https://wandb.example.com/app", 1, "must not have a path"),
    ("HOST", "http://wandb.example.com", 0, "warning: HOST: HOST uses http://"),
    ("HOST", "https://wandb.example.com", 0, "HOST = https://wandb.example.com"),
    ("LICENSE", "not.a-license", 1, "three parts"),
    ("LICENSE", make_jws({"exp": 1_600_000_000}), 1, "expired on 2020-09-13"),
    ("LICENSE", license_expiring_in(5), 0, "warning: LICENSE: license expires"),
    ("BUCKET", "s3://AK:SK@minio:9000", 1, "bucket is wrong"),
    ("BUCKET", "s3://AK:SK@minio:9000/wandb?tls=true", 0, "BUCKET = s3://AK:****@minio:9000/wandb?tls=true"),
    ("BUCKET", "", 0, "embedded store"),
    ("BUCKET_QUEUE", "sqs://wandb-queue", 1, "requires internal://"),
    ("AWS_REGION", "Europe West", 1, "not a region name"),
    ("MYSQL", "mysql://u:p@db", 1, "database is wrong"),
    ("MYSQL", "mysql://u:@db/wandb", 0, "password is empty"),
    ("runtime.port", "eighty", 1, "example: wbtui config set runtime.port 8080"),
    ("runtime.port", "70000", 1, "not a port"),
    ("runtime.restart_policy", "sometimes", 1, "not one of no, on-failure, always, unless-stopped"),
    ("runtime.tag", "latest", 0, "warning: runtime.tag"),
    ("runtime.memory_limit", "8000m", 1, "not a memory quantity"),
    ("app.read_only", "maybe", 1, "not true/false"),
    ("env.OIDC_ISSUER", "https://sso.example.com", 0, "env.OIDC_ISSUER = https://sso.example.com"),
    ("env.HOST", "x", 1, "main setting"),
    ("env.9LIVES", "x", 1, "not a valid environment variable name"),
])
def test_set_validates_each_variable(wbtui: Wbtui, cfg: Path, key: str, value: str, code: int, words: str) -> None:
    got, out, err = wbtui("config", "set", key, value)
    assert got == code and words in out + err, (out, err)
    assert cfg.exists() == (code == 0)


def test_set_knock_on_errors_are_reported_but_saved(wbtui: Wbtui, cfg: Path) -> None:
    code, out, _ = wbtui("config", "set", "runtime.uid", "100000")
    assert code == 0 and "Other settings now disagree" in out and "runtime.gid" in out
    assert wbtui.json("config", "set", "runtime.gid", "0")["findings"] == []
    assert store.load(cfg).runtime.uid == 100000


def test_set_from_stdin_keeps_secret_out_of_output(wbtui: Wbtui, cfg: Path) -> None:
    url = MysqlURL("wandb", MYSQL_PASSWORD, "db", "wandb_local").format()
    code, out, err = wbtui("config", "set", "MYSQL", "-", stdin=url + "\n")
    assert code == 0, err
    assert url == store.load(cfg).server.MYSQL
    assert "mysql://wandb:****@db/wandb_local" in out
    assert_no_canary(out + err)


def test_unknown_key_and_usage_errors_exit_2(wbtui: Wbtui) -> None:
    assert wbtui("config", "set", "nope", "1")[0] == 2
    assert wbtui("config", "unset", "nope")[0] == 2
    assert wbtui("config")[0] == 2
    assert wbtui("config", "set", "HOST")[0] == 2
    assert wbtui("config", "bogus")[0] == 2


def test_unset(wbtui: Wbtui, cfg: Path, saved: Config) -> None:
    code, out, _ = wbtui("config", "unset", "runtime.tag")
    assert code == 0 and "reset to its default: latest" in out
    assert wbtui.json("config", "unset", "env.OIDC_ISSUER")["message"] == "env.OIDC_ISSUER removed"
    assert wbtui.json("config", "unset", "env.OIDC_ISSUER")["message"] == "env.OIDC_ISSUER was not set"
    config = store.load(cfg)
    assert config.runtime.tag == "latest" and "OIDC_ISSUER" not in config.env


def test_show_every_field_masked(wbtui: Wbtui, saved: Config) -> None:
    data = wbtui.json("config", "show")
    rows = {row["key"]: row for row in data["fields"]}
    assert [spec.key for spec in FIELDS] == [r["key"] for r in data["fields"] if not r["key"].startswith("env.")]
    assert rows["MYSQL"]["value"] == "mysql://wandb_local:****@db.example.com:3306/wandb_local"
    assert rows["runtime.port"] == {**rows["runtime.port"], "value": 8080, "default": True}
    assert rows["runtime.tag"]["default"] is False and rows["LICENSE"]["secret"] is True
    assert rows["env.OIDC_CLIENT_SECRET"]["value"] == "****" and rows["env.OIDC_CLIENT_SECRET"]["secret"]
    assert data["license_claims_unverified"]["sub"] == "acme"
    code, out, err = wbtui("config", "show")
    assert code == 0 and "runtime.memory_limit" in out and "default" in out
    assert "License claims (unverified): sub=acme" in out
    for text in (out + err, json.dumps(data)):
        assert_no_canary(text)


def test_show_reveal(wbtui: Wbtui, saved: Config) -> None:
    rows = {row["key"]: row["value"] for row in wbtui.json("config", "show", "--reveal")["fields"]}
    assert rows["LICENSE"] == LICENSE and rows["MYSQL"] == saved.server.MYSQL
    code, out, _ = wbtui("config", "show", "--reveal")
    assert code == 0 and LICENSE[:40] in out and saved.server.BUCKET[:30] in out


def test_show_without_a_file(wbtui: Wbtui) -> None:
    code, out, _ = wbtui("config", "show")
    assert code == 0 and "not saved yet: defaults" in out


def test_validate_exit_codes(wbtui: Wbtui, cfg: Path) -> None:
    data = wbtui.json("config", "validate", expect=1)
    assert data["ok"] is False and any(f["field"] == "HOST" for f in data["findings"])
    store.save(canary_config(), cfg)
    code, out, err = wbtui("config", "validate")
    assert code == 0 and "0 error(s), 0 warning(s)" in out
    assert_no_canary(out + err)


def test_group_readable_file_is_reported_and_fixed(wbtui: Wbtui, cfg: Path, saved: Config) -> None:
    os.chmod(cfg, 0o644)
    data = wbtui.json("config", "validate", expect=1)
    (finding,) = [f for f in data["findings"] if f["field"] == "config file"]
    assert finding["severity"] == "error" and "mode 0644" in finding["message"]
    assert finding["fix"] == f"wbtui config fix-permissions (or chmod 600 {cfg})"
    assert any(f["field"] == "config file" for f in wbtui.json("config", "show")["findings"])
    assert wbtui.json("config", "fix-permissions")["changed"] == [{"path": str(cfg), "was": "0644", "now": "0600"}]
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    assert wbtui.json("config", "validate")["ok"] is True
    assert "nothing to fix" in wbtui("config", "fix-permissions")[1]


def test_readable_file_without_secrets_is_a_warning(wbtui: Wbtui, cfg: Path) -> None:
    store.save(Config(), cfg)
    os.chmod(cfg, 0o604)
    findings = wbtui.json("config", "show")["findings"]
    assert [f["severity"] for f in findings if f["field"] == "config file"] == ["warning"]


def test_path(wbtui: Wbtui, cfg: Path, saved: Config) -> None:
    assert wbtui("config", "path")[1] == f"{cfg}\n"
    assert wbtui.json("config", "path") == {"path": str(cfg), "exists": True, "mode": "0600",
                                            "backup": f"{cfg}.bak"}


def test_read_only_refuses_changes(wbtui: Wbtui, cfg: Path) -> None:
    code = main(["--read-only", "--config", str(cfg), "config", "set", "HOST", "https://w.example.com"])
    assert code == 2 and not cfg.exists()
    assert "read-only" in wbtui.capsys.readouterr().err
    store.save(Config(), cfg)
    os.chmod(cfg, 0o644)
    assert main(["--read-only", "--config", str(cfg), "config", "fix-permissions"]) == 2
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o644


def test_broken_config_file(wbtui: Wbtui, cfg: Path) -> None:
    cfg.parent.mkdir(parents=True)
    cfg.write_text("server = [")
    code, _, err = wbtui("config", "show")
    assert code == 1 and "not valid TOML" in err and "config.toml.bak" in err


def test_import_env_file(wbtui: Wbtui, cfg: Path, tmp_path: Path) -> None:
    env = tmp_path / "wandb.env"
    env.write_text(f"HOST=https://wandb.example.com\nLICENSE={LICENSE}\nMYSQL=mysql://u:{MYSQL_PASSWORD[:6]}x@db/w\n"
                   "OIDC_ISSUER=https://sso\njunk\n")
    data = wbtui.json("config", "import", str(env), "--dry-run")
    assert data["format"] == "env" and data["saved"] is False and not cfg.exists()
    assert {"HOST", "LICENSE", "env.OIDC_ISSUER", "line 5"} <= {n["field"] for n in data["notes"]}
    code, out, err = wbtui("config", "import", str(env))
    assert code == 0 and "saved to" in out and "Imported from" in out
    assert store.load(cfg).server.LICENSE == LICENSE
    assert_no_canary(out + err)


def test_import_docker_json_from_stdin(wbtui: Wbtui, cfg: Path) -> None:
    code, out, _ = wbtui("config", "import", "-", "--json", stdin=json.dumps(inspect_output()))
    assert code == 0, out
    data = json.loads(out)
    assert data["format"] == "docker" and data["saved"]
    assert store.load(cfg).runtime.container_name == "wandb-local"
    assert_no_canary(out)


def test_import_manifest_with_errors_exits_1(wbtui: Wbtui, cfg: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(GUIDE_DEPLOYMENT)
    code, out, _ = wbtui("config", "import", str(manifest), "--from", "kubernetes")
    assert code == 1 and "not a W&B license" in out and "wandb-db" in out
    assert store.load(cfg).runtime.backend == "kubernetes"


def test_import_usage_and_failures(wbtui: Wbtui, tmp_path: Path) -> None:
    assert wbtui("config", "import")[0] == 2
    assert wbtui("config", "import", "x.env", "--container", "c")[0] == 2
    code, _, err = wbtui("config", "import", str(tmp_path / "missing.env"))
    assert code == 1 and "cannot read" in err
    bad = tmp_path / "svc.yaml"
    bad.write_text("kind: Service\n")
    code, _, err = wbtui("config", "import", str(bad))
    assert code == 1 and "no Deployment" in err


def test_help_for_every_command(wbtui: Wbtui) -> None:
    for argv in (["config"], ["config", "show"], ["config", "set"], ["config", "unset"], ["config", "validate"],
                 ["config", "import"], ["config", "path"], ["config", "fix-permissions"]):
        code, out, _ = wbtui(*argv, "--help")
        assert code == 0 and out.startswith("usage: wbtui") and len(out.splitlines()) > 4
