"""Durations short enough for a status line: 45s, 3m12s, 1h02m, 2d03h."""

from __future__ import annotations

from . import UNKNOWN


def duration(seconds: float | None) -> str:
    """Whole seconds, rounded, in the two largest units; ``-`` when unknown."""
    if seconds is None:
        return UNKNOWN
    rest = max(0, round(seconds))
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
