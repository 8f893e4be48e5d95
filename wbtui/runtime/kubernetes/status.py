"""What the Kubernetes objects say about the server, as pure functions of their JSON.

The backend fetches the Deployment, its ReplicaSets, Pods, Service, events and
pod metrics as plain dicts; everything here turns them into the runtime types
without I/O, so each failure state is tested on real-shaped API objects.

States of a Kubernetes deployment (``ServerStatus.state``):
``running`` (rolled out and available), ``progressing`` (a rollout is under
way), ``pending`` (a pod cannot be scheduled), ``failed`` (a pod crash-loops,
cannot pull its image, misses its config, or the rollout passed its progress
deadline), ``stopping``/``stopped`` (scaled to zero) and ``missing``.
``reason`` carries the Kubernetes reason (``CrashLoopBackOff``,
``ImagePullBackOff``, ``Unschedulable``, ``ProgressDeadlineExceeded``...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..base import PodStatus, ResourceUsage, RuntimeEvent, ServerStatus

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"

# Pod reasons that stop the server from running until someone acts.
FAILURE_REASONS = frozenset({
    "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName",
    "CreateContainerConfigError", "CreateContainerError", "RunContainerError", "OOMKilled", "Error",
    "Evicted", "ContainerStatusUnknown", "Unschedulable",
})

_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})")
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$")
_SUFFIXES = {
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
    "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
    "P": Decimal("1e15"), "E": Decimal("1e18"),
    "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30), "Ti": Decimal(2**40),
    "Pi": Decimal(2**50), "Ei": Decimal(2**60),
}


def parse_time(text: str | None) -> datetime | None:
    """An API timestamp (RFC 3339, maybe with nanoseconds) as an aware datetime."""
    if not text:
        return None
    m = _TIME.fullmatch(text.strip())
    if m is None:
        return None
    micro = (m[2] or "").ljust(6, "0")[:6]
    zone = "+00:00" if m[3] == "Z" else m[3]
    return datetime.fromisoformat(f"{m[1]}.{micro}{zone}").astimezone(UTC)


def parse_quantity(value: str | int | float) -> Decimal:
    """A Kubernetes resource quantity ("500m", "4G", "3177940Ki") as a number."""
    m = _QUANTITY.match(str(value).strip())
    if m is None or m[2] not in _SUFFIXES:
        raise ValueError(f"not a Kubernetes quantity: {value!r}")
    try:
        return Decimal(m[1]) * _SUFFIXES[m[2]]
    except InvalidOperation:
        raise ValueError(f"not a Kubernetes quantity: {value!r}") from None


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for cond in _get(obj, "status", "conditions") or []:
        if isinstance(cond, dict) and cond.get("type") == kind:
            return cond
    return None


# --- selectors and ownership -------------------------------------------------------------

def selector_string(selector: dict[str, Any]) -> str:
    """A LabelSelector as the ``labelSelector`` query parameter."""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], ",".join(expr.get("values") or [])
        parts.append({"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})",
                      "Exists": key, "DoesNotExist": f"!{key}"}[op])
    return ",".join(parts)


def selector_matches(selector: dict[str, Any], labels: dict[str, str] | None) -> bool:
    """Whether labels satisfy a LabelSelector (matchLabels and matchExpressions)."""
    labels = labels or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], expr.get("values") or []
        ok = {"In": key in labels and labels[key] in values,
              "NotIn": key not in labels or labels[key] not in values,
              "Exists": key in labels, "DoesNotExist": key not in labels}[op]
        if not ok:
            return False
    return True


def _owner_uids(obj: dict[str, Any]) -> set[str]:
    return {ref.get("uid", "") for ref in _get(obj, "metadata", "ownerReferences") or []}


def revision(rs: dict[str, Any]) -> int:
    try:
        return int((_get(rs, "metadata", "annotations") or {}).get(REVISION_ANNOTATION, 0))
    except ValueError:
        return 0


@dataclass
class Owned:
    """The ReplicaSets and Pods that belong to a Deployment; ``current`` is the newest revision."""

    replicasets: list[dict[str, Any]]
    pods: list[dict[str, Any]]
    current: dict[str, Any] | None

    def is_current(self, pod: dict[str, Any]) -> bool:
        return self.current is None or _get(self.current, "metadata", "uid") in _owner_uids(pod)


def owned(deployment: dict[str, Any], replicasets: Iterable[dict[str, Any]],
          pods: Iterable[dict[str, Any]]) -> Owned:
    """Select by owner references (uid) and the Deployment's selector, as the controller does."""
    selector = _get(deployment, "spec", "selector") or {}
    uid = _get(deployment, "metadata", "uid")
    mine = [rs for rs in replicasets
            if selector_matches(selector, _get(rs, "metadata", "labels")) and (not uid or uid in _owner_uids(rs))]
    rs_uids = {_get(rs, "metadata", "uid") for rs in mine}
    my_pods = [p for p in pods
               if selector_matches(selector, _get(p, "metadata", "labels"))
               and (not mine or rs_uids & _owner_uids(p))]
    current = max(mine, key=revision) if mine else None
    return Owned(mine, my_pods, current)


# --- the rollout -------------------------------------------------------------------------

@dataclass
class Rollout:
    """``kubectl rollout status``, as data: finished or not, why, and kubectl's words."""

    done: bool
    message: str
    reason: str = ""


def rollout_status(deployment: dict[str, Any]) -> Rollout:
    """The same decisions and messages as kubectl's DeploymentStatusViewer."""
    name = _get(deployment, "metadata", "name")
    generation = _get(deployment, "metadata", "generation") or 0
    status = deployment.get("status") or {}
    if generation > (status.get("observedGeneration") or 0):
        return Rollout(False, "Waiting for deployment spec update to be observed...", "SpecNotObserved")
    progressing = _condition(deployment, "Progressing")
    if progressing and progressing.get("reason") == "ProgressDeadlineExceeded":
        return Rollout(False, f'deployment "{name}" exceeded its progress deadline', "ProgressDeadlineExceeded")
    desired = _get(deployment, "spec", "replicas")
    desired = 1 if desired is None else desired
    updated = status.get("updatedReplicas") or 0
    replicas = status.get("replicas") or 0
    available = status.get("availableReplicas") or 0
    waiting = f'Waiting for deployment "{name}" rollout to finish: '
    if updated < desired:
        return Rollout(False, f"{waiting}{updated} out of {desired} new replicas have been updated...", "Updating")
    if replicas > updated:
        return Rollout(False, f"{waiting}{replicas - updated} old replicas are pending termination...",
                       "OldReplicasPending")
    if available < updated:
        return Rollout(False, f"{waiting}{available} of {updated} updated replicas are available...",
                       "WaitingForAvailable")
    return Rollout(True, f'deployment "{name}" successfully rolled out')


# --- pods --------------------------------------------------------------------------------

def _termination(term: dict[str, Any]) -> str:
    reason = term.get("reason") or (f"Signal:{term['signal']}" if term.get("signal") else "")
    reason = reason or f"ExitCode:{term.get('exitCode', 0)}"
    return f"{reason} (exit code {term.get('exitCode', 0)})"


def pod_status(pod: dict[str, Any]) -> PodStatus:
    """One pod as ``kubectl get pods`` would summarise it, plus the scheduler's reason and last exit."""
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    phase = status.get("phase") or "Unknown"
    reason = status.get("reason") or phase
    messages = [status["message"]] if status.get("message") else []
    restarts, exit_code, oom = 0, None, False
    started_at = parse_time(status.get("startTime"))

    for index, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += cs.get("restartCount") or 0
        waiting, term = _get(cs, "state", "waiting"), _get(cs, "state", "terminated")
        if term and term.get("exitCode") == 0:
            continue
        if term:
            reason, exit_code = f"Init:{term.get('reason') or 'Error'}", term.get("exitCode")
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = f"Init:{waiting['reason']}"
            messages += [waiting["message"]] if waiting.get("message") else []
        else:
            reason = f"Init:{index}/{len(status['initContainerStatuses'])}"
        break
    else:
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount") or 0
            state = cs.get("state") or {}
            waiting, term, running = state.get("waiting"), state.get("terminated"), state.get("running")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
                messages += [waiting["message"]] if waiting.get("message") else []
            elif term:
                reason = term.get("reason") or _termination(term).split(" ")[0]
                exit_code, oom = term.get("exitCode"), oom or term.get("reason") == "OOMKilled"
                messages += [term["message"]] if term.get("message") else []
            elif running:
                started_at = parse_time(running.get("startedAt")) or started_at
            last = _get(cs, "lastState", "terminated")
            if last:
                exit_code = last.get("exitCode") if exit_code is None else exit_code
                oom = oom or last.get("reason") == "OOMKilled"
                messages.append(f"last exit: {_termination(last)}")

    scheduled = _condition(pod, "PodScheduled")
    if phase == "Pending" and scheduled and scheduled.get("status") == "False":
        reason = scheduled.get("reason") or "Unschedulable"
        messages.insert(0, scheduled.get("message") or "")
    ready_cond = _condition(pod, "Ready")
    ready = bool(ready_cond and ready_cond.get("status") == "True")
    if phase == "Running" and not ready and ready_cond and reason == "Running":
        messages.append(f"not ready: {ready_cond.get('message') or ready_cond.get('reason') or 'probe failing'}")
    if meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    return PodStatus(
        name=meta.get("name", ""), phase=phase, ready=ready, restarts=restarts, reason=reason,
        message="; ".join(m for m in messages if m), node=_get(pod, "spec", "nodeName") or "",
        started_at=started_at, exit_code=exit_code, oom_killed=oom,
    )


def _created(obj: dict[str, Any]) -> datetime:
    return parse_time(_get(obj, "metadata", "creationTimestamp")) or datetime.min.replace(tzinfo=UTC)


def choose_log_pod(pods: Iterable[dict[str, Any]], name: str | None = None) -> dict[str, Any] | None:
    """The pod to read logs from: the named one, else the newest ready, else the newest at all."""
    live = [p for p in pods if not _get(p, "metadata", "deletionTimestamp")]
    if name is not None:
        return next((p for p in pods if _get(p, "metadata", "name") == name), None)
    ready = [p for p in live if pod_status(p).ready]
    candidates = ready or live
    return max(candidates, key=_created) if candidates else None


@dataclass(frozen=True)
class LogTarget:
    """Whose log to read: a pod's container, and which instance of it runs (restarts, when it started)."""

    pod: str
    container: str
    restarts: int = 0
    started_at: datetime | None = None


def log_target_of(pod: dict[str, Any], container: str) -> LogTarget:
    """The pod's ``container`` as a LogTarget: its restartCount and its running instance's start."""
    statuses = _get(pod, "status", "containerStatuses") or []
    cs: dict[str, Any] = next((c for c in statuses if c.get("name") == container), {})
    started = parse_time(_get(cs, "state", "running", "startedAt"))
    return LogTarget(_get(pod, "metadata", "name") or "", container, int(cs.get("restartCount") or 0), started)


def main_container(deployment: dict[str, Any]) -> dict[str, Any]:
    """The W&B container of the pod template: named like the Deployment, else the first."""
    containers = _get(deployment, "spec", "template", "spec", "containers") or [{}]
    name = _get(deployment, "metadata", "name")
    return next((c for c in containers if c.get("name") == name), containers[0])


# --- the whole server --------------------------------------------------------------------

def service_ports(service: dict[str, Any] | None) -> list[str]:
    """Ports as ``kubectl get svc`` shows them (``80:31380/TCP``), with the target port."""
    if not service:
        return []
    out = []
    kind = _get(service, "spec", "type") or "ClusterIP"
    for port in _get(service, "spec", "ports") or []:
        node = f":{port['nodePort']}" if port.get("nodePort") else ""
        out.append(f"{kind} {port.get('port')}{node}/{port.get('protocol', 'TCP')} -> {port.get('targetPort', '')}")
    return out


def server_status(deployment: dict[str, Any], replicasets: Iterable[dict[str, Any]],
                  pods: Iterable[dict[str, Any]], *, service: dict[str, Any] | None = None,
                  now: datetime | None = None) -> ServerStatus:
    """The Deployment, its ReplicaSets and Pods summarised as one ServerStatus."""
    now = now or datetime.now(UTC)
    mine = owned(deployment, replicasets, pods)
    ordered = sorted(mine.pods, key=lambda p: (mine.is_current(p), _created(p)), reverse=True)
    statuses = [(pod_status(p), mine.is_current(p)) for p in ordered]
    current = [s for s, is_cur in statuses if is_cur and s.reason != "Terminating"]
    live = [s for s, _ in statuses if s.reason != "Terminating"]
    desired = _get(deployment, "spec", "replicas")
    desired = 1 if desired is None else desired
    rollout = rollout_status(deployment)
    available = _get(deployment, "status", "availableReplicas") or 0

    result = ServerStatus(
        backend="kubernetes", name=_get(deployment, "metadata", "name") or "", exists=True,
        image=main_container(deployment).get("image", ""), ports=service_ports(service),
        pods=[s for s, _ in statuses], restart_count=sum(s.restarts for s in current),
        ready=desired > 0 and available >= desired,
    )
    ready_pods = [s for s in current if s.ready and s.started_at]
    if ready_pods:
        result.started_at = max(s.started_at for s in ready_pods if s.started_at)
        result.uptime_seconds = max(0.0, (now - result.started_at).total_seconds())
    else:  # none serves yet: when the newest one started (a new pod's restartCount is 0 again)
        result.started_at = max((s.started_at for s in current if s.started_at), default=None)
    exited = next((s for s in current if s.exit_code is not None), None)
    if exited:
        result.exit_code = exited.exit_code
    result.oom_killed = any(s.oom_killed for s in current)

    failing = next((s for s in live if s.reason in FAILURE_REASONS or s.reason.startswith("Init:")), None)
    if desired == 0:
        result.state = "stopping" if live or any(s.reason == "Terminating" for s, _ in statuses) else "stopped"
        result.health, result.message = "none", f'deployment "{result.name}" is scaled to 0'
    elif failing:
        result.state = "pending" if failing.reason == "Unschedulable" else "failed"
        result.health, result.reason = "unhealthy", failing.reason
        result.message = f"pod {failing.name}: {failing.message or failing.reason}"
        result.exit_code = failing.exit_code if failing.exit_code is not None else result.exit_code
    elif rollout.reason == "ProgressDeadlineExceeded":
        cond = _condition(deployment, "Progressing") or {}
        result.state, result.health, result.reason = "failed", "unhealthy", rollout.reason
        result.message = f"{rollout.message}: {cond.get('message', '')}".rstrip(": ")
    elif rollout.done:
        result.state, result.health, result.message = "running", "healthy", rollout.message
    else:
        result.state, result.health, result.reason = "progressing", "starting", rollout.reason
        result.message = rollout.message
    return result


def missing_status(name: str) -> ServerStatus:
    return ServerStatus(backend="kubernetes", name=name, exists=False, state="missing",
                        message=f'no Deployment "{name}" (run `wbtui up`)')


# --- events and usage --------------------------------------------------------------------

def event_time(event: dict[str, Any]) -> datetime | None:
    """When an event last happened: old-style timestamps, then the newer eventTime/series."""
    for text in (event.get("lastTimestamp"), _get(event, "series", "lastObservedTime"), event.get("eventTime"),
                 event.get("firstTimestamp"), _get(event, "metadata", "creationTimestamp")):
        when = parse_time(text)
        if when:
            return when
    return None


def runtime_events(items: Iterable[dict[str, Any]], names: set[str], limit: int = 50) -> list[RuntimeEvent]:
    """Events about the named objects, oldest first, the last ``limit`` of them, each once."""
    seen: set[str] = set()
    out: list[RuntimeEvent] = []
    for ev in items:
        involved = ev.get("involvedObject") or {}
        key = str(_get(ev, "metadata", "uid") or _get(ev, "metadata", "name") or id(ev))
        if involved.get("name") not in names or key in seen:
            continue
        seen.add(key)
        message = ev.get("message") or ""
        count = ev.get("count") or _get(ev, "series", "count") or 1
        out.append(RuntimeEvent(
            time=event_time(ev), type=ev.get("type") or "Normal", reason=ev.get("reason") or "",
            message=f"{message} (x{count})" if count > 1 else message,
            object=f"{involved.get('kind', '')}/{involved.get('name', '')}",
        ))
    out.sort(key=lambda e: e.time or datetime.min.replace(tzinfo=UTC))
    return out[-limit:] if limit else out


def usage_from_metrics(items: Iterable[dict[str, Any]], pod_names: set[str],
                       memory_limit_per_pod: str | None = None) -> ResourceUsage | None:
    """CPU (percent of one core, like ``docker stats``) and memory summed over our pods' metrics."""
    mine = [m for m in items if _get(m, "metadata", "name") in pod_names]
    if not mine:
        return None
    cpu = sum((parse_quantity(c["usage"]["cpu"]) for m in mine for c in m.get("containers") or []), Decimal(0))
    mem = sum((parse_quantity(c["usage"]["memory"]) for m in mine for c in m.get("containers") or []), Decimal(0))
    limit = int(parse_quantity(memory_limit_per_pod)) * len(mine) if memory_limit_per_pod else None
    return ResourceUsage(cpu_percent=round(float(cpu) * 100, 1), memory_bytes=int(mem), memory_limit_bytes=limit)
