"""The Overview's first line: the most severe finding with its fix, else the plain state."""

from __future__ import annotations

from wbtui.checks.model import CheckResult, Status
from wbtui.config.model import Config
from wbtui.ops.verdict import verdict
from wbtui.runtime.base import ServerStatus

# What the stand-in prints in its crash mode (tests/standin/entrypoint.sh), after the line W&B Server
# prints on a dirty schema (the migration-dirty rule's own evidence).
CRASH_LINES = ["FATAL: Dirty database version 42. Fix and force version."]


def running(**kw: object) -> ServerStatus:
    return ServerStatus(backend="docker", name="wandb-local", exists=True, state="running", **kw)  # type: ignore[arg-type]


def test_a_crash_loop_names_its_cause_and_first_step() -> None:
    status = ServerStatus(backend="docker", name="wandb-local", exists=True, state="restarting", restart_count=8,
                          exit_code=1)
    v = verdict(config=Config(), status=status, lines=CRASH_LINES)
    assert v.tone == "bad" and v.title.startswith("Interrupted database migration")
    assert v.first_step == "Stop the server and back up the database."
    assert v.fix.startswith(v.first_step) and len(v.fix) > len(v.first_step)
    assert "Dirty database version 42" in v.why


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
