"""Which part of a log to show: ``wbtui logs --since`` and the Logs pane's ``T`` read the same answers.

A time without a zone is the host's local time, as ``docker logs --since`` and
``journalctl --since`` read it, so the same words give the same window in the CLI
and the dashboard.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The moment ``text`` names: a duration back from now or an ISO 8601 time.

    Durations: ``90s``, ``10m``, ``1.5h``, ``1h30m``, ``2d`` (any case). Times:
    ``2024-05-01T10:00``, ``2024-05-01 10:00:30``, ``2024-05-01T10:00Z``,
    ``2024-05-01T10:00+02:00``; without a zone, local time. ValueError says what
    is accepted.
    """
    text = text.strip()
    lowered = text.lower()
    if lowered and _DURATION.sub("", lowered) == "":
        seconds = sum(float(n) * _UNITS[u] for n, u in _DURATION.findall(lowered))
        return (now or datetime.now(UTC)) - timedelta(seconds=seconds)
    try:
        when = datetime.fromisoformat(text.upper())
    except ValueError:
        raise ValueError(f"{text!r} is neither a duration (10m, 2h) nor a time (2024-05-01T10:00)") from None
    return when if when.tzinfo else when.astimezone()


def parse_window(text: str, now: datetime | None = None) -> tuple[int | None, datetime | None]:
    """``(tail, since)``: ``500`` is the last 500 lines, ``all`` everything, else since parse_since's moment."""
    text = text.strip().lower()
    if text == "all":
        return None, None
    if text.isdigit():
        return int(text), None
    try:
        return None, parse_since(text, now)
    except ValueError:
        raise ValueError("give a line count (500), a window (10m, 2h, 1d), a time (2024-05-01T10:00) or all") \
            from None
