"""Rollout and pod status from real-shaped API objects (tests/k8s_fixtures), no cluster needed."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from wbtui.runtime.kubernetes.status import (
    choose_log_pod,
    event_time,
    missing_status,
    owned,
    parse_quantity,
    parse_time,
    pod_status,
    rollout_status,
    runtime_events,
    selector_matches,
    selector_string,
    server_status,
    service_ports,
    usage_from_metrics,
)

FIXTURES = Path(__file__).parent / "k8s_fixtures"
NOW = datetime(2024, 5, 14, 9, 40, 4, tzinfo=UTC)
POD = "wandb-7d4f8b6c9d-x2kqp"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def replicasets() -> list[dict[str, Any]]:
    return load("replicasets")["items"]


# --- pods -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "phase", "ready", "reason", "restarts", "exit_code", "oom", "message"), [
    ("pod_running_ready", "Running", True, "Running", 0, None, False, ""),
    ("pod_running_not_ready", "Running", False, "Running", 0, None, False,
     "not ready: containers with unready status: [wandb]"),
    ("pod_crashloop", "Running", False, "CrashLoopBackOff", 5, 1, False,
     "back-off 2m40s restarting failed container=wandb"),
    ("pod_crashloop_oomkilled", "Running", False, "CrashLoopBackOff", 3, 137, True,
     "last exit: OOMKilled (exit code 137)"),
    ("pod_oomkilled", "Running", False, "OOMKilled", 2, 137, True, "last exit: OOMKilled (exit code 137)"),
    ("pod_imagepullbackoff", "Pending", False, "ImagePullBackOff", 0, None, False,
     'Back-off pulling image "wandb/local:0.99.0"'),
    ("pod_errimagepull", "Pending", False, "ErrImagePull", 0, None, False, "docker.io/wandb/local:0.99.0: not found"),
    ("pod_pending_unschedulable", "Pending", False, "Unschedulable", 0, None, False,
     "0/3 nodes are available: 3 Insufficient memory."),
    ("pod_createcontainerconfigerror", "Pending", False, "CreateContainerConfigError", 0, None, False,
     'secret "wandb-secrets" not found'),
    ("pod_container_creating", "Pending", False, "ContainerCreating", 0, None, False, ""),
    ("pod_terminating", "Running", True, "Terminating", 0, None, False, ""),
])
def test_pod_status_from_real_shaped_pods(name: str, phase: str, ready: bool, reason: str, restarts: int,
                                          exit_code: int | None, oom: bool, message: str) -> None:
    status = pod_status(load(name))
    assert (status.phase, status.ready, status.reason, status.restarts, status.exit_code, status.oom_killed) == (
        phase, ready, reason, restarts, exit_code, oom)
    assert message in status.message if message else status.message == ""


def test_running_pod_reports_node_and_container_start() -> None:
    status = pod_status(load("pod_running_ready"))
    assert (status.name, status.node) == (POD, "node-2")
    assert status.started_at == datetime(2024, 5, 14, 9, 13, 4, tzinfo=UTC)


def test_unschedulable_pod_has_no_node_and_the_scheduler_message_first() -> None:
    status = pod_status(load("pod_pending_unschedulable"))
    assert (status.node, status.started_at) == ("", None)
    assert status.message.startswith("0/3 nodes are available")


@pytest.mark.parametrize(("init", "reason"), [
    ({"state": {"waiting": {"reason": "PodInitializing"}}}, "Init:0/1"),
    ({"state": {"waiting": {"reason": "ImagePullBackOff", "message": "Back-off pulling image \"busybox:nope\""}}},
     "Init:ImagePullBackOff"),
    ({"state": {"terminated": {"exitCode": 2, "reason": "Error"}}}, "Init:Error"),
])
def test_init_containers_come_first_as_kubectl_shows_them(init: dict[str, Any], reason: str) -> None:
    pod = load("pod_container_creating")
    pod["spec"]["initContainers"] = [{"name": "wait-for-db", "image": "busybox:1.36"}]
    pod["status"]["initContainerStatuses"] = [{"name": "wait-for-db", "ready": False, "restartCount": 0,
                                               "image": "busybox:1.36", "imageID": "", **init}]
    assert pod_status(pod).reason == reason


def test_terminated_without_reason_shows_the_signal() -> None:
    pod = load("pod_oomkilled")
    pod["status"]["containerStatuses"][0]["state"] = {"terminated": {"exitCode": 143, "signal": 15}}
    pod["status"]["containerStatuses"][0]["lastState"] = {}
    status = pod_status(pod)
    assert (status.reason, status.exit_code, status.oom_killed) == ("Signal:15", 143, False)


# --- the rollout ----------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "done", "reason", "message"), [
    ("deployment_available", True, "", 'deployment "wandb" successfully rolled out'),
    ("deployment_rolling", False, "OldReplicasPending",
     'Waiting for deployment "wandb" rollout to finish: 1 old replicas are pending termination...'),
    ("deployment_unavailable", False, "WaitingForAvailable",
     'Waiting for deployment "wandb" rollout to finish: 0 of 1 updated replicas are available...'),
    ("deployment_deadline", False, "ProgressDeadlineExceeded", 'deployment "wandb" exceeded its progress deadline'),
    ("deployment_spec_not_observed", False, "SpecNotObserved", "Waiting for deployment spec update to be observed..."),
    ("deployment_scaled_zero", True, "", 'deployment "wandb" successfully rolled out'),
])
def test_rollout_status_matches_kubectl(name: str, done: bool, reason: str, message: str) -> None:
    assert rollout_status(load(name)).__dict__ == {"done": done, "reason": reason, "message": message}


def test_rollout_waits_for_new_replicas_to_be_updated() -> None:
    dep = load("deployment_unavailable")
    dep["spec"]["replicas"] = 3
    assert rollout_status(dep).message == \
        'Waiting for deployment "wandb" rollout to finish: 1 out of 3 new replicas have been updated...'


# --- ownership and selectors ----------------------------------------------------------------

def test_owned_follows_owner_uids_and_the_selector() -> None:
    dep = load("deployment_rolling")
    mine, old = load("pod_running_ready"), load("pod_terminating")
    orphan = copy.deepcopy(mine)
    orphan["metadata"].update(name="wandb-manual", ownerReferences=[])
    stranger = copy.deepcopy(mine)
    stranger["metadata"].update(name="grafana-6b9f7c5d4-kq8zt", labels={"app": "grafana"})
    result = owned(dep, replicasets(), [mine, old, orphan, stranger])
    assert [p["metadata"]["name"] for p in result.pods] == [POD, "wandb-5b8c7d9f4f-9hv2c"]
    assert result.current is not None and result.current["metadata"]["name"] == "wandb-7d4f8b6c9d"
    assert result.is_current(mine) and not result.is_current(old)


def test_selector_query_and_matching_agree() -> None:
    selector = {"matchLabels": {"app": "wandb"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]},
                                     {"key": "canary", "operator": "DoesNotExist"},
                                     {"key": "zone", "operator": "NotIn", "values": ["b"]},
                                     {"key": "team", "operator": "Exists"}]}
    assert selector_string(selector) == "app=wandb,tier in (web,api),!canary,zone notin (b),team"
    assert selector_matches(selector, {"app": "wandb", "tier": "api", "team": "ml"})
    assert not selector_matches(selector, {"app": "wandb", "tier": "db", "team": "ml"})
    assert not selector_matches(selector, {"app": "wandb", "tier": "api", "team": "ml", "canary": "1"})
    assert not selector_matches(selector, {"app": "wandb", "tier": "api", "team": "ml", "zone": "b"})
    assert not selector_matches(selector, {"app": "wandb", "tier": "api"})


# --- the whole server -----------------------------------------------------------------------

def test_available_deployment_is_running_with_uptime() -> None:
    status = server_status(load("deployment_available"), replicasets(), [load("pod_running_ready")], now=NOW)
    assert (status.state, status.health, status.ready, status.reason) == ("running", "healthy", True, "")
    assert status.uptime_seconds == (NOW - datetime(2024, 5, 14, 9, 13, 4, tzinfo=UTC)).total_seconds()
    assert (status.image, status.restart_count, status.exists) == ("wandb/local:0.59.2", 0, True)
    assert status.to_dict()["pods"][0]["name"] == POD


@pytest.mark.parametrize(("pod", "state", "reason", "exit_code", "oom"), [
    ("pod_crashloop", "failed", "CrashLoopBackOff", 1, False),
    ("pod_crashloop_oomkilled", "failed", "CrashLoopBackOff", 137, True),
    ("pod_oomkilled", "failed", "OOMKilled", 137, True),
    ("pod_imagepullbackoff", "failed", "ImagePullBackOff", None, False),
    ("pod_errimagepull", "failed", "ErrImagePull", None, False),
    ("pod_createcontainerconfigerror", "failed", "CreateContainerConfigError", None, False),
    ("pod_pending_unschedulable", "pending", "Unschedulable", None, False),
    ("pod_container_creating", "progressing", "WaitingForAvailable", None, False),
    ("pod_running_not_ready", "progressing", "WaitingForAvailable", None, False),
])
def test_a_failing_pod_explains_the_server_state(pod: str, state: str, reason: str, exit_code: int | None,
                                                 oom: bool) -> None:
    status = server_status(load("deployment_unavailable"), replicasets(), [load(pod)], now=NOW)
    assert (status.state, status.reason, status.exit_code, status.oom_killed, status.ready) == (
        state, reason, exit_code, oom, False)
    assert status.health == ("starting" if state == "progressing" else "unhealthy")
    if state != "progressing":
        assert status.message.startswith(f"pod {POD}: ")


def test_unschedulable_message_is_the_schedulers() -> None:
    status = server_status(load("deployment_unavailable"), replicasets(), [load("pod_pending_unschedulable")])
    assert status.message == (f"pod {POD}: 0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes "
                              "are available: 3 No preemption victims found for incoming pod.")


def test_rolling_update_waits_for_the_old_pod_to_terminate() -> None:
    status = server_status(load("deployment_rolling"), replicasets(),
                           [load("pod_terminating"), load("pod_running_ready")], now=NOW)
    assert (status.state, status.health, status.ready) == ("progressing", "starting", True)
    assert status.message.endswith("1 old replicas are pending termination...")
    assert [(p.name, p.reason) for p in status.pods] == [(POD, "Running"), ("wandb-5b8c7d9f4f-9hv2c", "Terminating")]


def test_progress_deadline_exceeded_is_a_failure_with_the_controllers_message() -> None:
    status = server_status(load("deployment_deadline"), replicasets(), [load("pod_running_not_ready")])
    assert (status.state, status.reason) == ("failed", "ProgressDeadlineExceeded")
    assert status.message == ('deployment "wandb" exceeded its progress deadline: '
                              'ReplicaSet "wandb-7d4f8b6c9d" has timed out progressing.')


def test_scaled_to_zero_is_stopping_then_stopped() -> None:
    dep = load("deployment_scaled_zero")
    assert server_status(dep, replicasets(), [load("pod_terminating")]).state == "stopping"
    stopped = server_status(dep, replicasets(), [])
    assert (stopped.state, stopped.health, stopped.ready) == ("stopped", "none", False)


def test_restarts_count_only_pods_of_the_current_revision() -> None:
    old = load("pod_terminating")
    old["status"]["containerStatuses"][0]["restartCount"] = 9
    status = server_status(load("deployment_rolling"), replicasets(), [old, load("pod_crashloop")])
    assert status.restart_count == 5


def test_missing_deployment() -> None:
    status = missing_status("wandb")
    assert (status.exists, status.state, status.backend) == (False, "missing", "kubernetes")


def test_service_ports_as_kubectl_shows_them() -> None:
    service = {"spec": {"type": "NodePort", "ports": [
        {"name": "http", "nodePort": 31380, "port": 80, "protocol": "TCP", "targetPort": 8080}]}}
    assert service_ports(service) == ["NodePort 80:31380/TCP -> 8080"]
    assert service_ports(None) == []


# --- logs, events, usage ----------------------------------------------------------------------

def test_log_pod_is_the_named_one_else_the_newest_ready_else_the_newest() -> None:
    ready, crashing, old = load("pod_running_ready"), load("pod_crashloop"), load("pod_terminating")
    crashing["metadata"].update(name="wandb-7d4f8b6c9d-z9z9z", creationTimestamp="2024-05-14T09:30:00Z")
    pick = lambda pods, name=None: (choose_log_pod(pods, name) or {}).get("metadata", {}).get("name")  # noqa: E731
    assert pick([old, crashing, ready]) == POD
    assert pick([old, crashing]) == "wandb-7d4f8b6c9d-z9z9z"
    assert pick([old, crashing, ready], "wandb-5b8c7d9f4f-9hv2c") == "wandb-5b8c7d9f4f-9hv2c"
    assert pick([old]) is None
    assert pick([ready], "gone") is None


def test_events_are_filtered_deduplicated_and_sorted() -> None:
    items = load("events")["items"]
    names = {"wandb", "wandb-7d4f8b6c9d", POD}
    events = runtime_events(items + items, names)
    assert len(events) == 6
    assert all(a.time <= b.time for a, b in itertools.pairwise(events))  # type: ignore[operator]
    assert "grafana" not in " ".join(e.object for e in events)
    scheduled = next(e for e in events if e.reason == "Scheduled")
    assert scheduled.time == datetime(2024, 5, 14, 9, 13, 1, 402811, tzinfo=UTC)  # eventTime, no lastTimestamp
    assert runtime_events(items, names, limit=1)[0].reason == "BackOff"


def test_event_time_prefers_the_latest_occurrence() -> None:
    event = {"firstTimestamp": "2024-05-14T09:00:00Z", "lastTimestamp": "2024-05-14T09:05:00Z",
             "series": {"count": 3, "lastObservedTime": "2024-05-14T09:04:00.000001Z"},
             "eventTime": "2024-05-14T09:00:00.000001Z", "metadata": {"creationTimestamp": "2024-05-14T08:59:59Z"}}
    assert event_time(event) == datetime(2024, 5, 14, 9, 5, tzinfo=UTC)
    del event["lastTimestamp"]
    assert event_time(event) == datetime(2024, 5, 14, 9, 4, 0, 1, tzinfo=UTC)


def test_usage_sums_our_pods_only() -> None:
    usage = usage_from_metrics(load("podmetrics")["items"], {POD}, "8Gi")
    assert usage is not None
    assert (usage.cpu_percent, usage.memory_bytes, usage.memory_limit_bytes) == (125.4, 3254210560, 8 * 2**30)
    assert usage_from_metrics(load("podmetrics")["items"], {"not-ours"}) is None


@pytest.mark.parametrize(("text", "value"), [
    ("500m", Decimal("0.5")), ("2", Decimal(2)), ("4G", Decimal(4 * 10**9)), ("8Gi", Decimal(8 * 2**30)),
    ("3177940Ki", Decimal(3177940 * 1024)), ("1253837441n", Decimal("1.253837441")), ("1e3", Decimal(1000)),
])
def test_quantities(text: str, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "4 GB", "lots", "1Qi"])
def test_bad_quantities_raise(text: str) -> None:
    with pytest.raises(ValueError, match="not a Kubernetes quantity"):
        parse_quantity(text)


def test_api_times_with_nanoseconds_and_offsets() -> None:
    assert parse_time("2024-05-14T09:13:01.402811123Z") == datetime(2024, 5, 14, 9, 13, 1, 402811, tzinfo=UTC)
    assert parse_time("2024-05-14T11:13:01+02:00") == datetime(2024, 5, 14, 9, 13, 1, tzinfo=UTC)
    assert parse_time(None) is None and parse_time("yesterday") is None
