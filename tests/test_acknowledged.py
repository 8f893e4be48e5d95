"""Acknowledged findings, the core: what an acknowledgement covers, and that it never hides another finding."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import wbtui.checks
from wbtui.checks.acknowledged import acknowledge, covering, exit_code, mark, operator, unacknowledge
from wbtui.checks.catalog import CHECKS
from wbtui.checks.model import CheckResult, Status
from wbtui.config.model import Acknowledgement, Config, FieldError, from_dict

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
MARIADB = "MariaDB 10.11.6 is not supported by W&B (it needs MySQL 5.7 or 8)"


def server(summary: str = MARIADB, status: Status = Status.FAIL) -> CheckResult:
    return CheckResult("mysql.server", "Server version", status, summary, fix="use MySQL 8", store="mysql")


def privileges() -> CheckResult:
    return CheckResult("mysql.privileges", "Privileges", Status.FAIL, "wandb lacks INSERT on wandb", store="mysql")


def accepted(lasting: timedelta | None = None) -> Config:
    config = Config()
    acknowledge(config, server(), "MariaDB by decision (OPS-12)", who="ops", now=NOW, lasting=lasting)
    return config


def test_an_acknowledged_failure_no_longer_fails_the_exit_code() -> None:
    config = Config()
    assert exit_code([server()], config) == 1
    ack = acknowledge(config, server(), "  MariaDB by decision (OPS-12) ", who="ops", now=NOW + timedelta(
        microseconds=123))
    assert ack == Acknowledgement("mysql.server", "fail", MARIADB, "MariaDB by decision (OPS-12)", "ops", NOW)
    assert config.acknowledged == [ack]
    assert exit_code([server()], config, now=NOW) == 0
    assert exit_code([server()], config, strict=True, now=NOW) == 0


def test_it_never_hides_another_failure() -> None:
    config = accepted()
    assert exit_code([server(), privileges()], config, now=NOW) == 1
    marked = {m.result.id: m for m in mark([server(), privileges()], config.acknowledged, NOW)}
    assert marked["mysql.server"].covered and not marked["mysql.privileges"].covered
    assert marked["mysql.privileges"].note == ""


def test_a_different_summary_or_status_is_a_new_finding() -> None:
    config = accepted()
    upgraded = server("MariaDB 11.4.2 is not supported by W&B (it needs MySQL 5.7 or 8)")
    assert covering(upgraded, config.acknowledged, NOW) is None
    assert exit_code([upgraded], config, now=NOW) == 1
    (m,) = mark([upgraded], config.acknowledged, NOW)
    assert m.earlier == config.acknowledged[0]
    assert m.note.startswith(f"acknowledged earlier for: {MARIADB}")
    assert m.to_dict()["acknowledged"] is None and m.to_dict()["acknowledged_earlier"]["summary"] == MARIADB
    as_warning = server(status=Status.WARN)
    assert covering(as_warning, config.acknowledged, NOW) is None
    assert exit_code([as_warning], config, strict=True, now=NOW) == 1


def test_an_acknowledgement_with_an_expiry_stops_covering_then() -> None:
    config = accepted(lasting=timedelta(days=30))
    until = NOW + timedelta(days=30)
    assert config.acknowledged[0].until == until
    assert exit_code([server()], config, now=until - timedelta(seconds=1)) == 0
    assert exit_code([server()], config, now=until) == 1
    (m,) = mark([server()], config.acknowledged, until + timedelta(days=1))
    assert not m.covered and m.note.startswith("acknowledgement expired on 2026-07-01 09:30 UTC "
                                               "(was: MariaDB by decision (OPS-12))")


def test_the_json_of_a_covered_result_says_who_when_why_until() -> None:
    (m,) = mark([server()], accepted(timedelta(hours=12)).acknowledged, NOW)
    data = m.to_dict()
    assert data["id"] == "mysql.server" and data["status"] == "fail"
    assert data["acknowledged"] == {"who": "ops", "when": "2026-06-01T09:30:00+00:00",
                                    "why": "MariaDB by decision (OPS-12)", "until": "2026-06-01T21:30:00+00:00"}
    assert data["acknowledged_earlier"] is None
    assert m.note == ("acknowledged by ops on 2026-06-01 09:30 UTC, until 2026-06-01 21:30 UTC: "
                      "MariaDB by decision (OPS-12)")


def test_acknowledging_again_replaces_and_unack_restores() -> None:
    config = accepted()
    acknowledge(config, server(), "still MariaDB", who="oncall", now=NOW + timedelta(days=1))
    assert [(a.check, a.why, a.who) for a in config.acknowledged] == [("mysql.server", "still MariaDB", "oncall")]
    removed = unacknowledge(config, "mysql.server")
    assert removed is not None and removed.why == "still MariaDB"
    assert config.acknowledged == [] and unacknowledge(config, "mysql.server") is None
    assert exit_code([server()], config, now=NOW) == 1


@pytest.mark.parametrize(("result", "why", "lasting", "words"), [
    (server(), " ", None, "say why"),
    (CheckResult("mysql.connect", "Connect", Status.PASS, "connected"), "x", None, "is pass now"),
    (CheckResult("mysql.write", "Write test", Status.SKIPPED, "skipped: Connect did not pass"), "x", None,
     "the check that failed before it"),
    (server(), "x", timedelta(0), "must last some time"),
])
def test_nothing_to_accept_or_no_reason_is_refused(result: CheckResult, why: str, lasting: timedelta | None,
                                                   words: str) -> None:
    config = Config()
    with pytest.raises(ValueError, match=words):
        acknowledge(config, result, why, who="ops", now=NOW, lasting=lasting)
    assert config.acknowledged == []


def test_the_operator_is_the_os_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOGNAME", "alice")
    assert operator() == "alice"


def test_the_config_keeps_acknowledgements_as_plain_toml_data() -> None:
    config = accepted(timedelta(days=1))
    data = config.to_dict()
    assert data["acknowledged"] == [{"check": "mysql.server", "status": "fail", "summary": MARIADB,
                                     "why": "MariaDB by decision (OPS-12)", "who": "ops",
                                     "when": "2026-06-01T09:30:00+00:00", "until": "2026-06-02T09:30:00+00:00"}]
    assert from_dict(data) == config
    assert "acknowledged" not in Config().to_dict()
    copy = config.copy()
    unacknowledge(copy, "mysql.server")
    assert len(config.acknowledged) == 1  # a copy's list is its own


def test_hand_written_times_are_read_as_utc() -> None:
    entry = {"check": "s3.cors", "status": "warn", "summary": "s", "why": "w", "who": "o",
             "when": datetime(2026, 1, 2, 3, 4, 5), "until": "2026-02-01T10:00:00+01:00"}
    (ack,) = from_dict({"acknowledged": [entry]}).acknowledged
    assert ack.when == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert ack.until == datetime(2026, 2, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "key"), [
    ({"check": "x"}, "acknowledged"),
    ([{"status": "fail", "summary": "s", "why": "w", "who": "o", "when": "2026-01-01T00:00:00+00:00"}],
     "acknowledged[0].check"),
    ([{"check": "x", "status": "pass", "summary": "s", "why": "w", "who": "o", "when": "2026-01-01"}],
     "acknowledged[0].status"),
    ([{"check": "x", "status": "fail", "summary": "s", "why": "", "who": "o", "when": "2026-01-01"}],
     "acknowledged[0].why"),
    ([{"check": "x", "status": "fail", "summary": "s", "why": "w", "who": "o", "when": "yesterday"}],
     "acknowledged[0].when"),
])
def test_a_malformed_acknowledgement_names_its_key(raw: object, key: str) -> None:
    with pytest.raises(FieldError) as info:
        from_dict({"acknowledged": raw})
    assert info.value.key == key


def _ids_in(path: Path) -> set[str]:
    """Check ids the module names as the first argument of run.run / run.skip / CheckResult(...)."""
    ids = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            value = node.args[0].value
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("run", "skip", "CheckResult") and isinstance(value, str) and "." in value:
                ids.add(value)
    return ids


def test_the_catalog_names_every_check_the_stores_run() -> None:
    package = Path(wbtui.checks.__file__).parent
    assert _ids_in(package / "mysql.py") | _ids_in(package / "s3.py") == set(CHECKS)
