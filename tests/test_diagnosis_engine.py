"""The engine: one diagnosis per rule, worst first, evidence redacted, rules extensible."""

from __future__ import annotations

from urllib.parse import quote

from wbtui.config.model import Config
from wbtui.diagnosis import Facts, Rule, diagnose, facts_from
from wbtui.diagnosis.engine import EVIDENCE_LIMIT
from wbtui.runtime.base import LogLine, ServerStatus, Unreachable

PASSWORD = "pa:ss/w@rd+Canary"


def config() -> Config:
    c = Config()
    c.server.HOST = "https://wandb.example.com"
    c.server.MYSQL = f"mysql://wandb_local:{quote(PASSWORD, safe='')}@db.internal:3306/wandb_local"
    return c


def test_evidence_is_redacted_in_every_form_the_secret_takes() -> None:
    lines = [f"panic: Error 1045: Access denied for user 'wandb_local'@'10.0.0.7' password={PASSWORD}",
             f"dial tcp 10.0.0.9:3306: i/o timeout url=mysql://wandb_local:{quote(PASSWORD, safe='')}@db/x"]
    found = diagnose(Facts(lines=lines, config=config()))
    text = repr([d.to_dict() for d in found])
    assert {d.rule for d in found} >= {"mysql-access-denied", "mysql-unreachable"}
    assert PASSWORD not in text and quote(PASSWORD, safe="") not in text
    assert "****" in text


def test_one_diagnosis_per_rule_with_a_count_and_the_first_line() -> None:
    lines = ["panic: Dirty database version 7. Fix and force version."] * 3 + \
            ["panic: Dirty database version 8. Fix and force version."]
    [d] = diagnose(Facts(lines=lines, config=config()))
    assert d.rule == "migration-dirty" and d.count == 4 and "version 7" in d.evidence and "version 7" in d.cause


def test_most_severe_first() -> None:
    lines = ["request origin not allowed: http://10.0.0.1:8080",  # error
             "Request to license server failed: dial tcp: lookup api.wandb.ai on 10.0.0.2:53: no such host",  # warn
             "NoSuchBucket: The specified bucket does not exist"]  # critical
    assert [d.severity for d in diagnose(Facts(lines=lines, config=config()))] == ["critical", "error", "warning"]


def test_long_evidence_is_cut() -> None:
    [d] = diagnose(Facts(lines=["x" * 1000 + " NoSuchBucket " + "y" * 1000], config=config()))
    assert len(d.evidence) == EVIDENCE_LIMIT and d.evidence.endswith("…")


def test_rules_are_data_a_new_rule_needs_no_engine_change() -> None:
    custom = Rule("disk-full", "Disk full", "critical", "The volume at {path} is full.", "Free space on {path}.",
                  patterns=(r"write (?P<path>/vol/\S+): no space left on device",))
    [d] = diagnose(Facts(lines=["write /vol/mysql/ibdata1: no space left on device"]), rules=[custom])
    assert d.cause == "The volume at /vol/mysql/ibdata1 is full." and d.fix == "Free space on /vol/mysql/ibdata1."


def test_predicates_and_when_guards() -> None:
    guarded = Rule("only-embedded", "t", "info", "c", "f", patterns=("boom",),
                   when=lambda facts: facts.config is not None and not facts.config.server.MYSQL)
    assert diagnose(Facts(lines=["boom"], config=config()), rules=[guarded]) == []
    assert [d.rule for d in diagnose(Facts(lines=["boom"], config=Config()), rules=[guarded])] == ["only-embedded"]
    by_state = Rule("exited", "t", "error", "c", "f",
                    predicate=lambda facts: "stopped" if facts.status and facts.status.state == "exited" else None)
    [d] = diagnose(Facts(status=ServerStatus("docker", "w", True, state="exited")), rules=[by_state])
    assert (d.source, d.evidence) == ("state", "stopped")


def test_missing_template_values_read_unknown_not_a_crash() -> None:
    rule = Rule("r", "t", "info", "cause {nothing}", "fix {host}", patterns=("x",))
    [d] = diagnose(Facts(lines=["x"]), rules=[rule])
    assert (d.cause, d.fix) == ("cause unknown", "fix unknown")


def test_facts_from_log_lines_and_problems() -> None:
    facts = facts_from(lines=[LogLine("panic: Dirty database version 3. Fix and force version."),
                              LogLine("--- log stream interrupted (daemon restarted) ---", gap=True), "plain"],
                       problems=[Unreachable("Docker daemon not reachable")], config=config())
    assert facts.lines == ["panic: Dirty database version 3. Fix and force version.", "plain"]
    assert facts.problems == [("unreachable", "Docker daemon not reachable")]
    assert [d.rule for d in diagnose(facts)] == ["migration-dirty", "docker-daemon-down"]


def test_nothing_to_say_about_a_healthy_start() -> None:
    lines = ["*** Starting W&B server (wandb/local stand-in, mode=normal)", "*** Loading settings from /vol/env",
             "*** Connecting to MySQL ... ok", "Running migrations...", "migration 0042 applied",
             "migrations complete (version 42)",
             '{"level":"info","logger":"gorilla","msg":"W&B server ready on :8080"}']
    assert diagnose(Facts(lines=lines, config=config(), status=ServerStatus("docker", "w", True, "running"))) == []


def test_a_root_cause_ranks_before_the_knock_ons_it_explains_whatever_their_severity() -> None:
    root = Rule("volume", "Volume not writable", "error", "c", "f", patterns=("Permission denied",),
                explains=("default-user",))
    knock_on = Rule("default-user", "No default user", "critical", "c", "f", patterns=("create default user",))
    lines = ["panic: Can't create default user", "mkdir: cannot create directory '/vol/env': Permission denied"]
    first, second = diagnose(Facts(lines=lines), rules=[knock_on, root])
    assert (first.rule, first.explained_by) == ("volume", "")
    assert (second.rule, second.explained_by) == ("default-user", "volume")
    [alone] = diagnose(Facts(lines=lines[:1]), rules=[knock_on, root])
    assert (alone.rule, alone.explained_by) == ("default-user", "")
