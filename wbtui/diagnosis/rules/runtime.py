"""How the container or pod ended or failed to run, from the runtime's state and events."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .facts import Facts, Rule

if TYPE_CHECKING:
    from ...runtime.base import RuntimeEvent, ServerStatus

def _reasons(status: ServerStatus) -> list[str]:
    return [status.reason, *(p.reason for p in status.pods)]


_SIGKILL = 137  # 128 + 9: the process got SIGKILL, from the OOM killer, `docker stop`'s timeout or a kill
_TERM_SIGNALS = ("15", "SIGTERM", "TERM")
_KILL_SIGNALS = ("9", "SIGKILL", "KILL")
_SIGNAL = re.compile(r"^signal (?P<signal>\S+)$")
_EXIT = re.compile(r"^exited with code (?P<code>-?\d+)$")


def _killed_by_sigkill(status: ServerStatus) -> bool:
    return status.exit_code == _SIGKILL or any(pod.exit_code == _SIGKILL for pod in status.pods)


def _last_run_events(events: list[RuntimeEvent]) -> list[RuntimeEvent]:
    """The events of the container's last run: from its last ``start`` up to its last ``die``."""
    dies = [i for i, e in enumerate(events) if e.reason == "die"]
    if not dies:
        return []
    end = dies[-1]
    starts = [i for i, e in enumerate(events[:end]) if e.reason == "start"]
    return events[(starts[-1] + 1 if starts else 0): end + 1]


def _signals(events: list[RuntimeEvent]) -> list[str]:
    """The signals of the ``kill`` events (``docker stop``/``docker kill``), in order."""
    return [m["signal"].upper() for e in events if e.reason == "kill" and (m := _SIGNAL.match(e.message))]


def _died_with_sigkill(events: list[RuntimeEvent]) -> bool:
    return any(e.reason == "die" and (m := _EXIT.match(e.message)) and int(m["code"]) == _SIGKILL
               for e in events)


def _stop_timed_out(signals: list[str]) -> bool:
    """SIGTERM, then SIGKILL: `docker stop` waited its timeout and killed the server."""
    terms = [i for i, s in enumerate(signals) if s in _TERM_SIGNALS]
    return bool(terms) and any(s in _KILL_SIGNALS for s in signals[terms[0] + 1:])


def _limit(facts: Facts) -> str:
    limit = facts.config.runtime.memory_limit if facts.config is not None else ""
    return f", memory limit {limit}" if limit else ""


def oom_killed(facts: Facts) -> str | None:
    """The kernel's OOM killer ended the server: Docker's OOMKilled flag, an ``oom`` event or a pod's reason.

    Exit code 137 alone is SIGKILL from anyone (`docker stop` after its timeout, `docker kill`), not OOM.
    """
    status = facts.status
    if status is None:
        return None
    if status.oom_killed or "OOMKilled" in _reasons(status):
        return (f"{status.name}: killed by the kernel's OOM killer (state {status.state}, exit code "
                f"{status.exit_code}{_limit(facts)})")
    for pod in status.pods:
        if pod.oom_killed:
            return f"pod {pod.name}: last instance OOMKilled (exit code {pod.exit_code}{_limit(facts)})"
    run = _last_run_events(facts.events)
    if any(e.reason == "oom" for e in run):
        return f"{status.name}: the runtime reported it out of memory (event oom{_limit(facts)})"
    return None


def stop_timed_out(facts: Facts) -> str | None:
    """`docker stop` (or `wbtui down`) sent SIGTERM, the server did not exit, SIGKILL followed: exit 137."""
    status = facts.status
    if status is None or status.oom_killed or status.exit_code != _SIGKILL:
        return None
    run = _last_run_events(facts.events)
    if _died_with_sigkill(run) and _stop_timed_out(_signals(run)) and not any(e.reason == "oom" for e in run):
        return (f"{status.name}: exit code 137 after events kill (signal 15), kill (signal 9); "
                "OOMKilled is false")
    return None


def killed(facts: Facts) -> str | None:
    """SIGKILL from a user or another process (`docker kill`, `kill -9`), not the OOM killer nor a stop."""
    status = facts.status
    if status is None or status.oom_killed or "OOMKilled" in _reasons(status) or not _killed_by_sigkill(status):
        return None
    if any(pod.oom_killed for pod in status.pods):
        return None
    run = _last_run_events(facts.events)
    if any(e.reason == "oom" for e in run) or (status.exit_code == _SIGKILL and _stop_timed_out(_signals(run))):
        return None
    signals = _signals(run)
    how = f"events kill (signal {', '.join(signals)})" if signals else "no stop or kill by the runtime recorded"
    who = status.name if status.exit_code == _SIGKILL else next(
        f"pod {pod.name}" for pod in status.pods if pod.exit_code == _SIGKILL)
    return f"{who}: exit code 137 (SIGKILL), {how}; not OOMKilled"


def restart_loop(facts: Facts) -> str | None:
    status = facts.status
    if status is None:
        return None
    if "CrashLoopBackOff" in _reasons(status):
        return f"{status.name}: CrashLoopBackOff, {status.restart_count} restarts"
    short = status.uptime_seconds is None or status.uptime_seconds < 600 or status.state == "restarting"
    if status.restart_count >= 3 and short:
        up = "" if status.uptime_seconds is None else f", up {status.uptime_seconds:.0f}s"
        return f"{status.name}: {status.restart_count} restarts (state {status.state}{up})"
    return None


def not_ready_in_window(facts: Facts) -> str | None:
    if not facts.watch_timed_out:
        return None
    window = f"{facts.window:.0f}s" if facts.window is not None else "the startup window"
    last = f" (last /ready: {facts.ready_message})" if facts.ready_message else ""
    return f"/ready did not answer 200 within {window}{last}"


def port_in_use(facts: Facts) -> str | None:
    for kind, message in facts.problems:
        if kind == "port-in-use":
            return message or "the runtime reported the port in use"
    return None


_PULL_REASONS = ("ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName")


def image_missing(facts: Facts) -> str | None:
    for kind, message in facts.problems:
        if kind == "image-missing":
            return message or "the image is neither local nor pullable"
    status = facts.status
    if status is not None:
        for reason in _reasons(status):
            if reason in _PULL_REASONS:
                return f"{status.name}: {reason} {status.message}".strip()
    return None


def unschedulable(facts: Facts) -> str | None:
    status = facts.status
    if status is None:
        return None
    for pod in status.pods:
        if pod.reason == "Unschedulable":
            return f"pod {pod.name}: {pod.message or 'Unschedulable'}"
    if status.reason == "Unschedulable":
        return f"{status.name}: {status.message or 'Unschedulable'}"
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "oom-killed", "Container killed for lack of memory", "critical",
        "The container used more memory than its limit (or the machine had) and was killed.",
        "Give it at least the guide's 8 GB: `wbtui config set runtime.memory_limit 8G` (and free memory "
        "on the host), then `wbtui up`.",
        predicate=oom_killed,
    ),
    Rule(
        "stop-timed-out", "Stopped by docker stop / wbtui down; the server did not exit on SIGTERM in time",
        "warning",
        "The container was stopped on purpose (`docker stop`, `wbtui down` or `wbtui restart`): Docker sent "
        "SIGTERM, the server did not exit within the stop timeout, and Docker then sent SIGKILL (exit code "
        "137). Not a failure of the server's health and not lack of memory (OOMKilled is false).",
        "Start it again with `wbtui up` (or `docker start`) if it should run. A server that ignores SIGTERM "
        "may be mid-migration: give it longer to stop (`docker stop -t 120 CONTAINER`) rather than killing it.",
        predicate=stop_timed_out,
    ),
    Rule(
        "killed", "Container killed by a user or process", "warning",
        "The server got SIGKILL (exit code 137) without a memory kill (OOMKilled is false) or a stop: "
        "`docker kill`, `kill -9` of its process, or the host's own tooling.",
        "Find who killed it (`docker events --since 1h --filter container=NAME`, the host's audit or "
        "orchestration logs), then start it again with `wbtui up`.",
        predicate=killed,
    ),
    Rule(
        "restart-existing-container", "A restarted container fails in its start-up scripts", "critical",
        "The image's start-up scripts set the container up once, moving files out of /home/wandb and "
        "linking nginx's site ({line}). Started again (`docker restart`, `docker start`, the restart "
        "policy after a reboot or a restart of the Docker service), the same container runs them again, "
        "they fail and it exits, over and over. A new container from the same image and volume starts.",
        "Recreate the container, keeping the volume: `wbtui down`, then `wbtui up` (or `docker rm -f` the "
        "container and run it again). `wbtui restart` and `wbtui start` reuse the existing container and "
        "fail the same way, and `wbtui up` alone only recreates it when the config changed.",
        patterns=(r"(?P<line>ln: failed to create symbolic link '/etc/nginx/sites-enabled/wandb\.conf': File exists)",
                  r"(?P<line>mv: cannot stat '/home/wandb/service/\*': No such file or directory)"),
        explains=("restart-loop",),
    ),
    Rule(
        "restart-loop", "Restart loop", "critical",
        "The container keeps crashing and being restarted; the cause is in its last log lines.",
        "Read the other findings and `wbtui logs --tail 200` (previous instance: "
        "`wbtui logs --previous` on Kubernetes); fix the cause, then recreate the container with "
        "`wbtui down` and `wbtui up` (`wbtui restart` restarts the same container).",
        predicate=restart_loop,
    ),
    Rule(
        "image-missing", "Image not available", "critical",
        "The server image is not on this host and cannot be pulled (wrong image or tag, no registry "
        "access, or registry credentials missing).",
        "Check runtime.image and runtime.tag; on hosts without registry access load it by hand "
        "(`docker save wandb/local:TAG | ssh HOST docker load`), then `wbtui up`.",
        predicate=image_missing,
    ),
    Rule(
        "unschedulable", "Pod cannot be scheduled", "critical",
        "No node can take the pod: usually not enough free CPU or memory for its requests (the guide "
        "requests 2 CPUs and 4G), a taint, or an unbound PersistentVolumeClaim.",
        "Free resources or add a node; lower runtime.cpu_request / runtime.memory_request only if the "
        "node really cannot offer them; `kubectl describe pod` shows the scheduler's message.",
        predicate=unschedulable,
    ),
    Rule(
        "not-ready-in-window", "Not ready after the startup window", "error",
        "The server did not become ready within the startup window (the guide allows 10 minutes for "
        "migrations).",
        "Follow `wbtui logs -f`: migrations on a large database may need longer (wait, or raise the "
        "window); a stalled migration waits on a table lock held by another client; see the other "
        "findings for errors.",
        predicate=not_ready_in_window,
    ),
    Rule(
        "port-in-use", "Port already in use", "critical",
        "Another process or container already listens on the host port {port}.",
        "Find it (`ss -ltnp 'sport = :{port}'`, `docker ps`), stop it, or publish another port: "
        "`wbtui config set runtime.port 8081` (and point the load balancer at it).",
        patterns=(r"bind: address already in use", r"port is already allocated"),
        predicate=port_in_use,
    ),
)
