"""The server's status in lines, as `wbtui status` prints it and the Runtime pane shows it.

Each line has a tone (good, warn, bad, muted or plain) instead of a style: the CLI
maps tones to rich styles, the dashboard to theme variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from . import UNKNOWN
from .durations import duration
from .restart_line import started_seconds_ago
from .sizes import size

if TYPE_CHECKING:
    from ..runtime.base import ResourceUsage, ServerStatus

Tone = Literal["plain", "good", "warn", "bad", "muted"]

# States on their way somewhere: not an error yet.
_PASSING_STATES = frozenset({"restarting", "created", "paused", "starting", "pending"})


@dataclass(frozen=True)
class Line:
    text: str
    tone: Tone = "plain"
    strong: bool = False


def state_tone(state: str) -> Tone:
    """Running is good, a state on its way is a warning, anything else (exited, dead, unknown) is bad."""
    if state == "running":
        return "good"
    return "warn" if state in _PASSING_STATES else "bad"


def restarts(count: int) -> str:
    return f"{count} restart{'' if count == 1 else 's'}"


def usage_text(usage: ResourceUsage) -> str:
    """``37.5%   memory 2.0 GiB / 8.0 GiB``: CPU, then memory and its limit when there is one."""
    cpu = f"{usage.cpu_percent:.1f}%" if usage.cpu_percent is not None else (usage.cpu_note or UNKNOWN)
    limit = f" / {size(usage.memory_limit_bytes)}" if usage.memory_limit_bytes else ""
    return f"{cpu}   memory {size(usage.memory_bytes)}{limit}"


def status_lines(status: ServerStatus, usage: ResourceUsage | None = None, *, pods: bool = True) -> list[Line]:
    """A headline (name, state, uptime, restarts), then one labelled line per known fact.

    ``pods=False`` leaves out the pod lines, for a face that lists pods in a table.
    """
    if not status.exists:
        head = Line(f"{status.name} ({status.backend}): not deployed", "warn", strong=True)
        return [head, Line(f"  {status.message}")] if status.message else [head]
    text = f"{status.name} ({status.backend}): {status.state}"
    if status.uptime_seconds is not None:
        text += f", up {duration(status.uptime_seconds)}"
    tone = state_tone(status.state)
    rows = [Line(f"{text}, {restarts(status.restart_count)} (automatic)", tone, strong=tone != "good"),
            Line(f"  image    {status.image or UNKNOWN}"),
            Line(f"  ports    {', '.join(status.ports) or UNKNOWN}")]
    if status.engine:
        rows.append(Line(f"  engine   {status.engine}"))
    health = [status.health] if status.health != "unknown" else []
    if status.ready is not None:
        health.append("ready" if status.ready else "not ready")
    if health:
        rows.append(Line(f"  health   {', '.join(health)}"))
    if status.started_at is not None:  # the count alone says 0 right after a manual restart: this says more
        ago = started_seconds_ago(status)
        rows.append(Line(f"  started  {status.started_at:%Y-%m-%d %H:%M:%S} UTC"
                         + (f" ({duration(ago)} ago)" if ago is not None else "")))
    if status.exit_code is not None or status.reason:
        code = f"exit code {status.exit_code}" if status.exit_code is not None else ""
        rows.append(Line(f"  reason   {', '.join(x for x in (status.reason, code) if x)}", "warn"))
    if status.message:
        rows.append(Line(f"  message  {status.message}", "warn"))
    if status.oom_killed:
        rows.append(Line("  OOM      killed for running out of memory: raise runtime.memory_limit", "bad",
                         strong=True))
    for pod in status.pods if pods else []:
        rows.append(Line(f"  pod {pod.name}: {pod.phase}{' ready' if pod.ready else ''}, {restarts(pod.restarts)}"
                         f"{' ' + pod.reason if pod.reason else ''}"))
    if usage is not None:
        rows.append(Line(f"  cpu      {usage_text(usage)}"))
    return rows
