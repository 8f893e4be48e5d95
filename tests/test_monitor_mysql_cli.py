"""`wbtui db status [--watch] [--json]` on the real MariaDB (and its replica): output, JSON, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.services.base import free_port
from tests.services.mariadb import MariaDB
from tests.services.mariadb_replica import Replicated
from tests.services.mysql_fixtures import Scratch
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.config.urls import MysqlURL

REPO = Path(__file__).resolve().parent.parent


def write_config(tmp_path: Path, mysql: str) -> str:
    config = Config()
    config.server.MYSQL = mysql
    return str(store.save(config, tmp_path / "config.toml"))


def secret_free(text: str, password: str) -> bool:
    return password not in text and quote(password, safe="") not in text


def guide_setup(mariadb: MariaDB, s: Scratch) -> None:
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user)
    mariadb.execute(f"CREATE TABLE `{s.database}`.runs (id INT PRIMARY KEY)")


@pytest.mark.mysql
def test_a_snapshot_prints_every_section_and_exits_0(tmp_path: Path, mariadb: MariaDB, mysql_scratch: Scratch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    guide_setup(mariadb, mysql_scratch)
    cfg = write_config(tmp_path, mysql_scratch.url)
    assert main(["--config", cfg, "db", "status", "--interval", "0.2"]) == 0
    out = capsys.readouterr().out
    assert f"at 127.0.0.1:{mariadb.port}" in out and "connections " in out and "queries/s" in out
    assert "GRANT PROCESS ON *.* TO" in " ".join(out.split()), "a hint wraps, never cut at 80 columns"
    assert "largest tables" in out and "runs" in out
    assert "CPU (this host)" in out and "queries in" in out
    assert secret_free(out, mysql_scratch.password)


@pytest.mark.mysql
def test_json_has_the_figures(tmp_path: Path, mariadb: MariaDB, mysql_scratch: Scratch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    guide_setup(mariadb, mysql_scratch)
    cfg = write_config(tmp_path, mysql_scratch.url)
    assert main(["--config", cfg, "db", "status", "--json", "--interval", "0.2"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert set(data["rates"]) == {"queries", "commits", "transactions", "slow", "row_lock_waits"}
    assert all(isinstance(v, float) for v in data["rates"].values())
    assert data["max_connections"] > 0 and data["connections"] >= 1 and data["alerts"] == []
    assert data["replication"]["role"] == "unknown" and data["statements"] is None
    assert data["tables"][0]["name"] == "runs" and data["cpu"]["threshold"] == 40.0
    assert secret_free(out, mysql_scratch.password)


@pytest.mark.mysql
def test_an_alert_exits_1(tmp_path: Path, replicated: Replicated, capsys: pytest.CaptureFixture[str]) -> None:
    replica = replicated.replica
    replica.execute("STOP SLAVE SQL_THREAD")
    url = MysqlURL(replica.root_user, replica.root_password, replica.host, replicated.database, replica.port)
    cfg = write_config(tmp_path, url.format())
    assert main(["--config", cfg, "db", "status", "--interval", "0.2"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("✘ replica: the SQL thread is stopped")
    assert "fix: START REPLICA SQL_THREAD;" in out
    assert secret_free(out, replica.root_password)


def test_connection_failures_and_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    password = "db-Status'pw"
    cfg = write_config(tmp_path, MysqlURL("wandb_local", password, "127.0.0.1", "wandb_local", free_port()).format())
    assert main(["--config", cfg, "db", "status", "--timeout", "2"]) == 1
    err = capsys.readouterr().err
    assert "connection refused" in err and "Fix: Start MySQL" in err and secret_free(err, password)
    empty = write_config(tmp_path, "")
    assert main(["--config", empty, "db", "status"]) == 1
    assert "wbtui config set MYSQL" in capsys.readouterr().err
    for argv in (["--interval", "0"], ["--timeout", "soon"], ["--watch", "extra"]):
        with pytest.raises(SystemExit) as info:
            main(["--config", cfg, "db", "status", *argv])
        assert info.value.code == 2


def _default_sigint() -> None:
    """Ctrl-C as in a terminal: a test run in the background (``cmd &``) ignores SIGINT, and its children
    would inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.mysql
def test_watch_json_streams_until_ctrl_c(tmp_path: Path, mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    guide_setup(mariadb, mysql_scratch)
    cfg = write_config(tmp_path, mysql_scratch.url)
    proc = subprocess.Popen([sys.executable, "-m", "wbtui", "--config", cfg, "db", "status", "--watch", "--json",
                             "--interval", "0.2"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, preexec_fn=_default_sigint)
    try:
        assert proc.stdout is not None
        first, second = json.loads(proc.stdout.readline()), json.loads(proc.stdout.readline())
        assert first["rates"]["queries"] is None and second["rates"]["queries"] is not None
        assert len(second["history"]["queries"]) == 1
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait(30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and secret_free(out + err, mysql_scratch.password)
