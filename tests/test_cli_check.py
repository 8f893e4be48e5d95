"""`wbtui check` and `wbtui db init` from the command line: output, JSON, exit codes, secrets."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.services.base import free_port
from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.config.urls import MysqlURL


def write_config(tmp_path: Path, mysql: str = "", bucket: str = "") -> str:
    config = Config()
    config.server.MYSQL = mysql
    config.server.BUCKET = bucket
    return str(store.save(config, tmp_path / "config.toml"))


def secret_free(text: str, password: str) -> bool:
    """Neither the password nor its percent-encoded form (as in a URL) is in ``text``."""
    return password not in text and quote(password, safe="") not in text


def test_empty_config_warns_only_and_strict_makes_warnings_fail(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path)
    assert main(["--config", cfg, "check", "mysql"]) == 0
    out = capsys.readouterr().out
    assert "MySQL configured" in out and "embedded" in out and "Fix:" in out
    assert "wbtui config set MYSQL" in out
    assert main(["--config", cfg, "check", "mysql", "--strict"]) == 1


def test_check_all_json_covers_both_stores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", write_config(tmp_path), "check", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {d["store"] for d in data} == {"mysql", "s3"}
    assert set(data[0]) >= {"id", "title", "status", "summary", "details", "fix", "duration", "store"}


@pytest.mark.parametrize("argv", [
    ["check", "redis"], ["check", "--timeout", "0"], ["check", "--timeout", "soon"],
    ["check", "mysql", "--cpu-window", "-1"], ["db"], ["db", "init", "--admin"],
])
def test_usage_errors_exit_2(tmp_path: Path, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--config", write_config(tmp_path), *argv])
    assert info.value.code == 2


def test_refused_port_fails_with_exit_1_and_no_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    password = "cli-Secret'pw"
    cfg = write_config(tmp_path, MysqlURL("wandb_local", password, "127.0.0.1", "wandb_local", free_port()).format())
    assert main(["--config", cfg, "check", "mysql", "--timeout", "2"]) == 1
    out = capsys.readouterr().out
    assert "connection refused" in out and "skipped" in out
    assert secret_free(out, password)


def test_db_init_needs_an_admin_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("WBTUI_MYSQL_ADMIN", raising=False)
    cfg = write_config(tmp_path, "mysql://u:p@127.0.0.1/db")
    assert main(["--config", cfg, "db", "init"]) == 2
    assert "--admin URL is required" in capsys.readouterr().err
    assert main(["--config", cfg, "db", "init", "--admin", "root:pw@host"]) == 2


@pytest.mark.mysql
def test_db_init_cli_respects_read_only_but_dry_run_may_look(tmp_path: Path, mariadb: MariaDB,
                                                             mysql_scratch: Scratch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, mysql_scratch.url)
    assert main(["--config", cfg, "--read-only", "db", "init", "--admin", mariadb.admin_url, "--yes"]) == 2
    assert "read-only" in capsys.readouterr().err
    assert main(["--config", cfg, "--read-only", "db", "init", "--admin", mariadb.admin_url, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "CREATE USER" in out and "dry run: nothing changed" in out
    assert mariadb.execute("SELECT 1 FROM mysql.user WHERE User = %s", (mysql_scratch.user,)) == []


@pytest.mark.mysql
def test_db_init_cli_asks_first_then_creates_then_has_nothing_to_do(tmp_path: Path, mariadb: MariaDB,
                                                                    mysql_scratch: Scratch,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, mysql_scratch.url)
    monkeypatch.setenv("WBTUI_MYSQL_ADMIN", mariadb.admin_url)
    assert main(["--config", cfg, "db", "init"]) == 2  # no terminal to ask on, and no --yes
    assert "pass --yes" in capsys.readouterr().err
    assert main(["--config", cfg, "db", "init", "--yes"]) == 0
    out = capsys.readouterr().out
    assert out.count("created") == 3 and "next: wbtui check mysql" in out
    assert main(["--config", cfg, "db", "init", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "nothing to do: everything is already present" in out and "created" not in out
    assert secret_free(out, mysql_scratch.password) and secret_free(out, mariadb.root_password)


@pytest.mark.mysql
def test_check_mysql_after_db_init_table_and_json(tmp_path: Path, mariadb: MariaDB, mysql_scratch: Scratch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path, mysql_scratch.url)
    assert main(["--config", cfg, "db", "init", "--admin", mariadb.admin_url, "--yes"]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "check", "mysql", "--cpu-window", "0.1"]) == 1  # MariaDB is not supported
    out = capsys.readouterr().out
    for title in ("Connect", "Server version", "Database charset", "Privileges", "Write test",
                  "Recommended settings", "Hot standby", "CPU (this host)"):
        assert title in out
    assert "✘ mysql · Server version" in out and "[mysqld]" in out
    assert secret_free(out, mysql_scratch.password)
    assert main(["--config", cfg, "check", "mysql", "--json", "--cpu-window", "0.1"]) == 1
    data = {d["id"]: d for d in json.loads(capsys.readouterr().out)}
    assert data["mysql.privileges"]["status"] == "pass" and data["mysql.server"]["status"] == "fail"
