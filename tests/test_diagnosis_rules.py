"""Every diagnosis rule with lines (or state) that must and must not trigger it (tests/rule_cases/)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.rule_cases import CASES
from tests.rule_cases.base import DOCKER_KILL, OOM_EVENTS, STOP_TIMED_OUT, Case, config, exited_137, status
from wbtui.diagnosis import RULES, Facts, diagnose
from wbtui.runtime.base import PortInUse, RuntimeEvent, ServerStatus


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(case: Case) -> None:
    found = {d.rule: d for d in diagnose(case.facts())}
    assert (case.rule in found) is case.fires, [d.rule for d in found.values()]
    if case.fires:
        d = found[case.rule]
        assert d.cause and d.fix and d.title and d.evidence
        assert "unknown" not in d.fix, d.fix


def test_every_rule_has_positive_and_negative_cases() -> None:
    for rule in RULES:
        kinds = {case.fires for case in CASES if case.rule == rule.id}
        assert kinds == {True, False}, f"rule {rule.id} needs a positive and a negative case"


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))


def test_fix_templates_are_filled_from_the_line_and_config() -> None:
    found = {d.rule: d for d in diagnose(Facts(
        lines=["panic: Dirty database version 5. Fix and force version.",
               "request origin not allowed: http://127.0.0.1:8080",
               "listen tcp 0.0.0.0:8443: bind: address already in use"],
        config=config()))}
    assert "version 5" in found["migration-dirty"].cause and "schema_migrations" in found["migration-dirty"].fix
    assert "W&B support" in found["migration-dirty"].fix
    cause = found["origin-not-allowed"].cause
    assert "http://127.0.0.1:8080" in cause and "https://wandb.example.com" in cause
    assert ":8080" in found["port-in-use"].fix  # the configured port, not a guess


def test_mysql_unreachable_fix_explains_localhost_inside_the_container() -> None:
    [d] = [d for d in diagnose(Facts(lines=["dial tcp 127.0.0.1:3306: connect: connection refused"],
                                     config=config(mysql="mysql://u:p@localhost:3306/db")))
           if d.rule == "mysql-unreachable"]
    assert "inside the container is the container itself" in d.fix and "localhost" in d.cause


def test_restart_loop_and_oom_are_state_evidence() -> None:
    found = {d.rule: d for d in diagnose(Facts(status=status(state="restarting", restart_count=4, exit_code=137,
                                                             oom_killed=True), config=config()))}
    assert found["oom-killed"].source == "state" and "OOM" in found["oom-killed"].evidence
    assert "4 restarts" in found["restart-loop"].evidence


def test_exit_137_gets_one_finding_each_with_its_own_fix() -> None:
    def rules(status: ServerStatus, events: list[RuntimeEvent]) -> dict[str, Any]:
        return {d.rule: d for d in diagnose(Facts(status=status, events=events, config=config()))}

    stop = rules(exited_137(), STOP_TIMED_OUT)
    assert list(stop) == ["stop-timed-out"]
    assert stop["stop-timed-out"].severity == "warning" and "memory" not in stop["stop-timed-out"].fix
    assert "did not exit on SIGTERM" in stop["stop-timed-out"].title
    kill = rules(exited_137(), DOCKER_KILL)
    assert list(kill) == ["killed"] and "signal 9" in kill["killed"].evidence
    oom = rules(exited_137(oom=True), OOM_EVENTS)
    assert list(oom) == ["oom-killed"] and "memory_limit" in oom["oom-killed"].fix


def test_port_in_use_from_the_runtime_problem() -> None:
    problem = PortInUse("port 8080 on 0.0.0.0 is in use by another process", "wbtui config set runtime.port 8081")
    found = diagnose(Facts(config=config(), problems=[(problem.kind, problem.message)]))
    assert [d.rule for d in found] == ["port-in-use"] and "in use by another process" in found[0].evidence
