"""`wbtui ack` / `wbtui unack` against the real MariaDB, which fails mysql.server: the accepted-failure case."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from tests.test_cli_check import secret_free, write_config
from wbtui.checks.acknowledged import operator
from wbtui.cli import main
from wbtui.config import store

WHY = "MariaDB by decision, ticket OPS-12"
QUICK = ["--cpu-window", "0.1"]


def check_mysql(cfg: str, *extra: str) -> int:
    return main(["--config", cfg, "check", "mysql", *QUICK, *extra])


@pytest.fixture
def mariadb_config(tmp_path: Path, mariadb: MariaDB, mysql_scratch: Scratch) -> str:
    """A config whose MYSQL is a complete W&B database on MariaDB: only mysql.server (and warnings) remain."""
    mariadb.create_database(mysql_scratch.database)
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    mariadb.grant("ALL", f"`{mysql_scratch.database}`.*", mysql_scratch.user, grant_option=True)
    return write_config(tmp_path, mysql_scratch.url)


def results(out: str) -> dict[str, dict]:
    return {d["id"]: d for d in json.loads(out)}


@pytest.mark.mysql
def test_acknowledged_mariadb_passes_a_second_failure_still_fails_unack_restores(
        mariadb_config: str, mariadb: MariaDB, mysql_scratch: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = mariadb_config
    assert check_mysql(cfg) == 1
    capsys.readouterr()

    assert main(["--config", cfg, "ack", "mysql.server", "--why", WHY, *QUICK]) == 0
    out = capsys.readouterr().out
    assert "acknowledged mysql.server (fail: MariaDB" in out and "wbtui unack mysql.server" in out
    (ack,) = store.load(Path(cfg)).acknowledged
    assert (ack.check, ack.status, ack.who, ack.why, ack.until) == ("mysql.server", "fail", operator(), WHY, None)
    assert ack.summary.startswith("MariaDB") and "not supported" in ack.summary
    assert abs(datetime.now(UTC) - ack.when) < timedelta(minutes=5)
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o600

    assert check_mysql(cfg) == 0
    out = capsys.readouterr().out
    assert "(acknowledged)" in out and f"Acknowledged by {operator()} on {ack.when:%Y-%m-%d}" in out and WHY in out
    assert ", 0 failed, 1 acknowledged," in out
    assert secret_free(out, mysql_scratch.password)
    assert check_mysql(cfg, "--json") == 0
    data = results(capsys.readouterr().out)
    assert data["mysql.server"]["status"] == "fail"
    assert data["mysql.server"]["acknowledged"] == {"who": ack.who, "when": ack.when.isoformat(), "why": WHY,
                                                    "until": None}
    assert all(d["acknowledged"] is None for i, d in data.items() if i != "mysql.server")

    mariadb.execute(f"REVOKE INSERT ON `{mysql_scratch.database}`.* FROM %s@'%%'", (mysql_scratch.user,))
    assert check_mysql(cfg, "--json") == 1  # a new failure is never hidden by the old acknowledgement
    data = results(capsys.readouterr().out)
    assert data["mysql.privileges"]["status"] == "fail" and data["mysql.privileges"]["acknowledged"] is None
    assert data["mysql.server"]["acknowledged"]["why"] == WHY
    mariadb.grant("ALL", f"`{mysql_scratch.database}`.*", mysql_scratch.user, grant_option=True)

    assert main(["--config", cfg, "unack", "mysql.server"]) == 0
    assert "its finding counts again" in capsys.readouterr().out
    assert store.load(Path(cfg)).acknowledged == []
    assert check_mysql(cfg) == 1
    assert main(["--config", cfg, "unack", "mysql.server"]) == 1
    assert "mysql.server is not acknowledged" in capsys.readouterr().err


@pytest.mark.mysql
def test_an_expired_acknowledgement_counts_again(mariadb_config: str, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = mariadb_config
    assert main(["--config", cfg, "ack", "mysql.server", "--why", WHY, "--for", "30d", *QUICK]) == 0
    config = store.load(Path(cfg))
    (ack,) = config.acknowledged
    assert ack.until == ack.when + timedelta(days=30)
    assert check_mysql(cfg) == 0
    now = datetime.now(UTC).replace(microsecond=0)
    config.acknowledged = [dataclasses.replace(ack, when=now - timedelta(days=31), until=now - timedelta(days=1))]
    store.save(config, Path(cfg))  # as the file reads 31 days later
    capsys.readouterr()
    assert check_mysql(cfg) == 1
    out = capsys.readouterr().out
    assert f"Acknowledgement expired on {now - timedelta(days=1):%Y-%m-%d}" in out and ", 1 failed," in out
    assert main(["--config", cfg, "ack", "--list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["expired"] is True


@pytest.mark.mysql
def test_a_passing_check_has_nothing_to_acknowledge(mariadb_config: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", mariadb_config, "ack", "mysql.connect", "--why", "x", *QUICK]) == 1
    assert "mysql.connect is pass now" in capsys.readouterr().err
    assert store.load(Path(mariadb_config)).acknowledged == []


def test_ack_list_of_nothing_and_of_something(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path)  # MYSQL empty: mysql.config warns, and that can be accepted
    assert main(["--config", cfg, "ack", "--list"]) == 0
    assert "no acknowledged findings" in capsys.readouterr().out
    assert main(["--config", cfg, "ack", "mysql.config", "--why", "trial [box]", "--for", "2w", "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["check"] == "mysql.config" and saved["status"] == "warn" and saved["why"] == "trial [box]"
    assert main(["--config", cfg, "ack", "--list"]) == 0
    out = capsys.readouterr().out
    assert "mysql.config" in out and "trial [box]" in out and operator() in out
    assert main(["--config", cfg, "check", "mysql", "--strict"]) == 0  # the accepted warning no longer fails


@pytest.mark.parametrize("argv", [
    ["--read-only", "ack", "mysql.config", "--why", "x"],
    ["--read-only", "unack", "mysql.config"],
])
def test_read_only_refuses_both_changes(tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path)
    assert main(["--config", cfg, "ack", "mysql.config", "--why", "trial"]) == 0
    before = Path(cfg).read_bytes()
    capsys.readouterr()
    assert main(["--config", cfg, *argv]) == 2
    assert "read-only mode: refusing to" in capsys.readouterr().err
    assert Path(cfg).read_bytes() == before
    assert main(["--config", cfg, "--read-only", "ack", "--list"]) == 0  # looking is fine


def test_app_read_only_refuses_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = write_config(tmp_path)
    assert main(["--config", cfg, "config", "set", "app.read_only", "true"]) == 0
    capsys.readouterr()
    assert main(["--config", cfg, "ack", "mysql.config", "--why", "trial"]) == 2
    assert "read-only mode" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "words"), [
    (["ack", "mysql.nope", "--why", "x"], "'mysql.nope' is not a check id; the ids are: mysql.config, "),
    (["ack", "mysql.server"], "--why TEXT is required"),
    (["ack", "mysql.server", "--why", "  "], "--why TEXT is required"),
    (["ack"], "give the CHECK_ID"),
    (["ack", "--list", "mysql.server"], "--list takes no CHECK_ID"),
])
def test_usage_errors_say_what_to_do_and_exit_2(tmp_path: Path, argv: list[str], words: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", write_config(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert words in err
    if "not a check id" in words:
        assert "s3.cors_preflight" in err


@pytest.mark.parametrize("period", ["30", "0d", "1y", "forever", "5000w", "99999999999d"])
def test_a_bad_period_is_a_usage_error(tmp_path: Path, period: str) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--config", write_config(tmp_path), "ack", "mysql.config", "--why", "x", "--for", period])
    assert info.value.code == 2
