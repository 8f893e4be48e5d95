"""Docker API answers (inspect, stats, events) turned into the runtime's types.

Pure functions over the JSON the daemon returns, so every state can be tested
on real-shaped data without a daemon; and the container's resource use read from
its cgroup files (the reads are passed in), so no stats call waits a second for it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
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


def _restarts(attrs: dict[str, Any]) -> bool:
    """The restart policy starts this ended run again (Podman's "stopped" is Docker's "restarting" then)."""
    policy = ((attrs.get("HostConfig") or {}).get("RestartPolicy") or {}).get("Name") or ""
    code = int((attrs.get("State") or {}).get("ExitCode") or 0)
    return policy in ("always", "unless-stopped") or (policy == "on-failure" and code != 0)


def status_from_inspect(attrs: dict[str, Any], name: str, now: datetime | None = None) -> ServerStatus:
    """`wbtui status` for a container, from ``docker inspect``."""
    state = attrs.get("State") or {}
    status = ServerStatus(backend="docker", name=name, exists=True)
    status.state = state.get("Status") or "unknown"
    if status.state == "stopped":  # Podman's ended run before its cleanup, where the restart policy acts
        status.state = "restarting" if _restarts(attrs) else "exited"
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


def state_key(attrs: dict[str, Any] | None) -> tuple[Any, ...]:
    """What changes whenever a container event we show happens (die, start, restart, oom, health, pause).

    Equal keys in two inspects mean no such event came between them, so the last events read still
    stands (a signal the container ignores is the exception: it shows at the next periodic read).
    """
    if attrs is None:
        return ("missing",)
    state = attrs.get("State") or {}
    return (attrs.get("Id"), attrs.get("RestartCount"), state.get("Status"), state.get("StartedAt"),
            state.get("FinishedAt"), state.get("ExitCode"), state.get("OOMKilled"), state.get("Paused"),
            (state.get("Health") or {}).get("Status"))


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


# -- usage from the container's cgroup files (no stats call) -------------------------------------------

CGROUP_ROOT = "/sys/fs/cgroup"
CPU_MEASURING = "measuring"
"""What the CPU reads as until a second reading exists (the dashboard's first refresh)."""


@dataclass
class DockerUsage(ResourceUsage):
    """ResourceUsage plus where it came from: ``source`` is "cgroup v2", "cgroup v1" or "stats API"."""

    source: str = ""
    cpu_window: float | None = None
    """Seconds between the two CPU readings the percentage is from (None: no percentage yet)."""


@dataclass(frozen=True)
class CgroupFiles:
    """Where one container's counters are: cgroup v2 (one directory) or v1 (cpuacct and memory)."""

    version: int
    cpu: str
    memory: str


def cgroup_files(proc_cgroup: str, container_id: str, root: str = CGROUP_ROOT,
                 exists: Callable[[str], bool] = os.path.isdir) -> CgroupFiles | None:
    """The container's cgroup directories from ``/proc/PID/cgroup`` of its init process.

    None unless the path names the container's full ID (a PID from another PID namespace, a remote
    daemon's container, a private cgroup namespace: then the stats API is asked instead).
    """
    v2 = ""
    v1: dict[str, str] = {}
    for line in proc_cgroup.splitlines():
        parts = line.strip().split(":", 2)
        if len(parts) != 3 or container_id not in parts[2]:
            continue
        hierarchy, controllers, path = parts
        if hierarchy == "0" and not controllers:
            v2 = path
        for controller in controllers.split(","):
            v1.setdefault(controller, f"{controllers}\0{path}")
    if "cpuacct" in v1 and "memory" in v1:
        dirs = []
        for controller in ("cpuacct", "memory"):
            mount, path = v1[controller].split("\0")
            found = next((d for d in (f"{root}/{controller}{path}", f"{root}/{mount}{path}") if exists(d)), None)
            if found is None:
                break
            dirs.append(found)
        else:
            return CgroupFiles(1, dirs[0], dirs[1])
    if v2 and exists(f"{root}{v2}") and os.path.exists(f"{root}/cgroup.controllers"):
        return CgroupFiles(2, f"{root}{v2}", f"{root}{v2}")
    return None


def _stat_value(text: str, key: str) -> int | None:
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    return None


def cpu_usage_usec(files: CgroupFiles, read: Callable[[str], str]) -> int:
    """The container's CPU time so far, in microseconds."""
    if files.version == 2:
        value = _stat_value(read(f"{files.cpu}/cpu.stat"), "usage_usec")
        if value is None:
            raise ValueError("no usage_usec in cpu.stat")
        return value
    return int(read(f"{files.cpu}/cpuacct.usage")) // 1000  # nanoseconds


def memory_from_cgroup(files: CgroupFiles, read: Callable[[str], str],
                       host_memory: int | None = None) -> tuple[int, int | None]:
    """(used, limit) like `docker stats`: usage minus the inactive page cache; an unlimited container's limit
    is the host's memory (as the stats API reports it)."""
    if files.version == 2:
        usage = int(read(f"{files.memory}/memory.current"))
        inactive = _stat_value(read(f"{files.memory}/memory.stat"), "inactive_file")
        raw_limit = read(f"{files.memory}/memory.max").strip()
        limit = None if raw_limit == "max" else int(raw_limit)
    else:
        usage = int(read(f"{files.memory}/memory.usage_in_bytes"))
        inactive = _stat_value(read(f"{files.memory}/memory.stat"), "total_inactive_file")
        limit = int(read(f"{files.memory}/memory.limit_in_bytes"))
    if inactive is not None and inactive < usage:
        usage -= inactive
    if host_memory is not None and (limit is None or limit > host_memory):
        limit = host_memory
    return usage, limit


def cpu_percent_between(usec0: int, at0: float, usec1: int, at1: float) -> float | None:
    """CPU use like `docker stats` (100% is one CPU busy) between two readings taken ``at`` (monotonic s)."""
    elapsed = at1 - at0
    if elapsed <= 0 or usec1 < usec0:
        return None
    return round((usec1 - usec0) / (elapsed * 1e6) * 100.0, 2)


def stats_cpu_reading(stats: dict[str, Any]) -> tuple[int, int, int] | None:
    """(container CPU ns, system CPU ns, online CPUs) from one one-shot stats answer, for a kept sample."""
    cpu = stats.get("cpu_stats") or {}
    total = (cpu.get("cpu_usage") or {}).get("total_usage")
    system = cpu.get("system_cpu_usage")
    if total is None or system is None:
        return None
    online = int(cpu.get("online_cpus") or len((cpu.get("cpu_usage") or {}).get("percpu_usage") or []) or 1)
    return int(total), int(system), online
