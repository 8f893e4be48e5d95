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


def ago(seconds: float | None) -> str:
    """How old a result is, coarse enough not to change on every frame: ``just now``, ``40s ago``,
    ``3m ago``, ``2h ago``, ``4d ago``."""
    if seconds is None:
        return UNKNOWN
    rest = max(0, int(seconds))
    if rest < 10:
        return "just now"
    if rest < 60:
        return f"{rest // 10 * 10}s ago"
    if rest < 3600:
        return f"{rest // 60}m ago"
    if rest < 86400:
        return f"{rest // 3600}h ago"
    return f"{rest // 86400}d ago"


def stale(age_seconds: float, every_minutes: float) -> bool:
    """A result re-checked every ``every_minutes`` (0: never) is stale after two missed runs, or after
    15 minutes without a schedule: the screen says so rather than show an old pass as current."""
    return age_seconds > (every_minutes * 120 + 60 if every_minutes else 15 * 60)
