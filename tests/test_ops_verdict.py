"""The Overview's first line: the most severe finding with its fix, else the plain state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wbtui.checks.acknowledged import acknowledge
from wbtui.checks.model import CheckResult, Status
from wbtui.config.model import Config
from wbtui.ops.verdict import Verdict, verdict
from wbtui.runtime.base import ServerStatus

# What the stand-in prints in its crash mode (tests/standin/entrypoint.sh), after the line W&B Server
# prints on a dirty schema (the migration-dirty rule's own evidence).
CRASH_LINES = ["panic: Dirty database version 1. Fix and force version."]
NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)


def running(**kw: object) -> ServerStatus:
    return ServerStatus(backend="docker", name="wandb-local", exists=True, state="running", **kw)  # type: ignore[arg-type]


def test_a_crash_loop_names_its_cause_and_first_step() -> None:
    status = ServerStatus(backend="docker", name="wandb-local", exists=True, state="restarting", restart_count=8,
                          exit_code=1)
    v = verdict(config=Config(), status=status, lines=CRASH_LINES)
    assert v.tone == "bad" and v.title.startswith("Interrupted database migration")
    assert v.first_step == "Stop the server and back up the database."
    assert v.fix.startswith(v.first_step) and len(v.fix) > len(v.first_step)
    assert "Dirty database version 1" in v.why


def test_without_a_finding_the_state_speaks() -> None:
    config = Config()
    assert verdict(config=config, status=None).tone == "muted"
    gone = verdict(config=config, status=ServerStatus(backend="docker", name="w", exists=False))
    assert (gone.tone, gone.title) == ("warn", "Not deployed") and "d in the Runtime pane" in gone.fix
    down = verdict(config=config, status=None, unreachable=("Docker daemon not reachable", "start Docker"))
    assert (down.tone, down.title, down.fix) == ("bad", "Docker daemon not reachable", "start Docker")
    assert verdict(config=config, status=running(), ready=None).tone == "muted"
    assert verdict(config=config, status=running(), ready=(True, "200", "")).title == "Up and ready"
    stuck = verdict(config=config, status=running(), ready=(False, "503 Service Unavailable", "see the log"))
    assert stuck.tone == "bad" and "/ready 503" in stuck.title and stuck.fix == "see the log"


def test_a_failing_check_does_not_hide_that_the_server_is_up() -> None:
    checks = [CheckResult("mysql.connect", "Connect", Status.PASS, "connected", store="mysql"),
              CheckResult("s3.cors", "CORS rules", Status.FAIL, "the bucket has no CORS rules", fix="o applies them",
                          store="s3")]
    v = verdict(config=Config(), status=running(), ready=(True, "200", ""), checks=checks)
    assert (v.tone, v.title, v.fix) == ("warn", "Up and ready, but CORS rules fails: the bucket has no CORS rules",
                                        "o applies them")
    assert verdict(config=Config(), status=running(), ready=(True, "200", ""), checks=checks[:1]).tone == "good"


def test_a_critical_finding_wins_over_the_probes() -> None:
    v = verdict(config=Config(), status=running(), ready=(True, "200", ""), lines=CRASH_LINES)
    assert v.tone == "bad" and v.title.startswith("Interrupted database migration")


def test_a_fix_of_one_sentence_is_its_own_first_step() -> None:
    v = verdict(config=Config(), status=running(), ready=(False, "503", "wait for the migrations to finish"))
    assert v.first_step == v.fix


def test_a_failing_check_comes_before_a_warning_from_the_log() -> None:
    checks = [CheckResult("s3.bucket", "Bucket", Status.FAIL, "bucket 'wandb' does not exist", fix="press b",
                          store="s3")]
    lines = ["ERROR: lost connection to MySQL server during query"]
    v = verdict(config=Config(), status=running(), ready=(True, "200", ""), checks=checks, lines=lines)
    assert v.title == "Up and ready, but Bucket fails: bucket 'wandb' does not exist" and v.fix == "press b"
    alone = verdict(config=Config(), status=running(), ready=(True, "200", ""), lines=lines)
    assert alone.tone == "warn" and alone.title == "Up and ready, but: MySQL connections dropped"


def up_and_ready(config: Config | None, checks: list[CheckResult], now: datetime = NOW) -> Verdict:
    return verdict(config=config, status=running(), ready=(True, "200", ""), checks=checks, now=now)


def test_an_acknowledged_check_failure_leaves_the_verdict_good_but_never_hides_a_new_one() -> None:
    server = CheckResult("mysql.server", "Server version", Status.FAIL, "MariaDB 10.11.6 is not supported by W&B",
                         fix="use MySQL 8", store="mysql")
    config = Config()
    acknowledge(config, server, "MariaDB by decision", who="ops", now=NOW, lasting=timedelta(days=30))
    v = up_and_ready(config, [server])
    assert (v.tone, v.title) == ("good", "Up and ready (1 acknowledged finding)")
    grants = CheckResult("mysql.privileges", "Privileges", Status.FAIL, "wandb lacks INSERT on wandb",
                         fix="GRANT ALL ...", store="mysql")
    v = up_and_ready(config, [server, grants])
    assert (v.tone, v.title, v.fix) == ("warn", "Up and ready, but Privileges fails: wandb lacks INSERT on wandb",
                                        "GRANT ALL ...")
    changed = CheckResult("mysql.server", "Server version", Status.FAIL, "MariaDB 11.4.2 is not supported by W&B",
                          store="mysql")
    v = up_and_ready(config, [changed])
    assert v.tone == "warn" and "Server version fails: MariaDB 11.4.2" in v.title
    assert v.why.startswith("acknowledged earlier for: MariaDB 10.11.6 is not supported by W&B")
    expired = up_and_ready(config, [server], now=NOW + timedelta(days=31))
    assert expired.tone == "warn" and expired.why.startswith("acknowledgement expired on")
    assert up_and_ready(None, [server]).tone == "warn"
