"""Docker API answers (inspect, stats, events) turned into the runtime's types.

Pure functions over the JSON the daemon returns, so every state can be tested
on real-shaped data without a daemon.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..base import ResourceUsage, RuntimeEvent, ServerStatus

_ZERO_TIME = "0001-01-01T00:00:00Z"
_IGNORED_ACTION_PREFIXES = ("exec_",)


def parse_time(value: str | None) -> datetime | None:
    """Docker's RFC 3339 times (nanoseconds, 'Z'); None for its zero time."""
    if not value or value.startswith(_ZERO_TIME[:4]):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _ports(attrs: dict[str, Any]) -> list[str]:
    published = (attrs.get("NetworkSettings") or {}).get("Ports") or {}
    if not any(published.values()):
        published = (attrs.get("HostConfig") or {}).get("PortBindings") or {}
    out = []
    for container_port, bindings in sorted(published.items()):
        for b in bindings or []:
            host_ip = b.get("HostIp") or "0.0.0.0"
            host = f"[{host_ip}]" if ":" in host_ip else host_ip
            out.append(f"{host}:{b.get('HostPort', '')}->{container_port}")
    return out


def status_from_inspect(attrs: dict[str, Any], name: str, now: datetime | None = None) -> ServerStatus:
    """`wbtui status` for a container, from ``docker inspect``."""
    state = attrs.get("State") or {}
    status = ServerStatus(backend="docker", name=name, exists=True)
    status.state = state.get("Status") or "unknown"
    health = (state.get("Health") or {}).get("Status")
    status.health = health or "unknown"
    if health:
        status.ready = health == "healthy"
    status.restart_count = int(attrs.get("RestartCount") or 0)
    status.image = (attrs.get("Config") or {}).get("Image") or attrs.get("Image", "")
    status.ports = _ports(attrs)
    status.oom_killed = bool(state.get("OOMKilled"))
    started = parse_time(state.get("StartedAt"))
    status.started_at = started
    if state.get("Running") and started is not None:
        status.uptime_seconds = max(0.0, ((now or datetime.now(UTC)) - started).total_seconds())
    error = " ".join(str(state.get("Error") or "").split())
    if status.state in ("exited", "dead") or (status.state == "restarting" and not state.get("Running")):
        status.exit_code = int(state.get("ExitCode") or 0)
        finished = parse_time(state.get("FinishedAt"))
        when = f" at {finished:%Y-%m-%d %H:%M:%S}Z" if finished else ""
        if status.oom_killed:
            status.reason = "OOMKilled"
            status.message = f"killed for running out of memory{when}"
        elif status.exit_code == 0:
            status.reason = "Completed"
            status.message = f"exited with code 0{when}"
        else:
            status.reason = "Error"
            status.message = f"exited with code {status.exit_code}{when}"
        if status.state == "restarting":
            status.reason = "Restarting"
    elif status.state == "created":
        status.reason = "Created"
        status.message = "created but never started"
    if error:
        status.message = f"{status.message}: {error}" if status.message else error
    return status


def cpu_percent(stats: dict[str, Any]) -> float | None:
    """CPU use like `docker stats`: the container's share of all CPUs between two samples, x CPUs."""
    cpu, pre = stats.get("cpu_stats") or {}, stats.get("precpu_stats") or {}
    total = (cpu.get("cpu_usage") or {}).get("total_usage")
    pre_total = (pre.get("cpu_usage") or {}).get("total_usage")
    system, pre_system = cpu.get("system_cpu_usage"), pre.get("system_cpu_usage")
    if total is None or pre_total is None or system is None or pre_system is None:
        return None
    cpu_delta, system_delta = float(total - pre_total), float(system - pre_system)
    if system_delta <= 0 or cpu_delta < 0:
        return None
    online = int(cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or []) or 1)
    return round(cpu_delta / system_delta * online * 100.0, 2)


def memory_used(stats: dict[str, Any]) -> tuple[int | None, int | None]:
    """(used, limit) like `docker stats`: usage minus the inactive page cache."""
    mem = stats.get("memory_stats") or {}
    usage = mem.get("usage")
    if usage is None:
        return None, mem.get("limit")
    detail = mem.get("stats") or {}
    inactive = detail.get("total_inactive_file", detail.get("inactive_file"))  # cgroup v1, v2
    if inactive is not None and inactive < usage:
        usage -= inactive
    return int(usage), mem.get("limit")


def usage_from_stats(stats: dict[str, Any]) -> ResourceUsage:
    used, limit = memory_used(stats)
    return ResourceUsage(cpu_percent=cpu_percent(stats), memory_bytes=used, memory_limit_bytes=limit)


def event_from_docker(event: dict[str, Any]) -> RuntimeEvent | None:
    """One daemon event as a RuntimeEvent; None for noise (health-check execs)."""
    action = str(event.get("Action") or event.get("status") or "")
    if not action or action.startswith(_IGNORED_ACTION_PREFIXES):
        return None
    attributes = (event.get("Actor") or {}).get("Attributes") or {}
    nanos = event.get("timeNano")
    when = (datetime.fromtimestamp(nanos / 1e9, UTC) if nanos
            else datetime.fromtimestamp(event["time"], UTC) if event.get("time") else None)
    message = ""
    kind = "Normal"
    if action == "die":
        code = attributes.get("exitCode", "")
        message = f"exited with code {code}" if code else "exited"
        kind = "Warning" if code not in ("", "0") else "Normal"
    elif action == "oom":
        message = "out of memory"
        kind = "Warning"
    elif action == "kill":
        message = f"signal {attributes.get('signal', '')}".strip()
        kind = "Warning" if attributes.get("signal") not in ("15", "SIGTERM") else "Normal"
    elif action.startswith("health_status"):
        action, _, health = action.partition(":")
        message = health.strip()
        kind = "Warning" if "unhealthy" in health else "Normal"
    elif action in ("create", "start", "destroy", "pull", "tag"):
        message = str(attributes.get("image") or event.get("from") or "")
    return RuntimeEvent(time=when, type=kind, reason=action, message=message,
                        object=str(attributes.get("name") or (event.get("Actor") or {}).get("ID", "")[:12]))
