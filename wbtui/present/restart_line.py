"""``restarts 0 (automatic) · started 12s ago``: the restart count with when the server last started.

Docker's RestartCount counts only its restart policy's restarts, and a Kubernetes pod's
restartCount starts again with every new pod, so right after a manual restart the count
says 0 as if nothing happened; when it started says it did.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..runtime.base import ServerStatus
from .durations import duration


def started_seconds_ago(status: ServerStatus, now: datetime | None = None) -> float | None:
    """Seconds since the container (the newest pod) started: its uptime while it runs, else from its start time."""
    if status.uptime_seconds is not None:
        return status.uptime_seconds
    if status.started_at is None:
        return None
    return max(0.0, ((now or datetime.now(UTC)) - status.started_at).total_seconds())


def restart_count(status: ServerStatus) -> str:
    """``restarts 0 (automatic)``: what the runtime counts is its own restarts, never a manual one."""
    return f"restarts {status.restart_count} (automatic)"


def started_ago(status: ServerStatus, now: datetime | None = None) -> str:
    """``started 12s ago``; "" when the runtime does not say."""
    seconds = started_seconds_ago(status, now)
    return "" if seconds is None else f"started {duration(seconds)} ago"
