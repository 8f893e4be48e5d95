"""Which part of a log to show: ``wbtui logs --since`` and the Logs pane's ``T`` read the same answers.

A time without a zone is the host's local time, as ``docker logs --since`` and
``journalctl --since`` read it, so the same words give the same window in the CLI
and the dashboard.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_DAYS = 3650
"""The longest window back (ten years): more is a typo, and would overflow the date arithmetic."""
MAX_LINES_DIGITS = 9


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The moment ``text`` names: a duration back from now or an ISO 8601 time.

    Durations: ``90s``, ``10m``, ``1.5h``, ``1h30m``, ``2d`` (any case). Times:
    ``2024-05-01T10:00``, ``2024-05-01 10:00:30``, ``2024-05-01T10:00Z``,
    ``2024-05-01T10:00+02:00``; without a zone, local time. At most MAX_DAYS back.
    ValueError says what is accepted.
    """
    text = text.strip()
    lowered = text.lower()
    if lowered and _DURATION.sub("", lowered) == "":
        seconds = sum(float(n) * _UNITS[u] for n, u in _DURATION.findall(lowered))
        if seconds > MAX_DAYS * 86400:
            raise ValueError(f"{_shown(text)} is more than {MAX_DAYS} days back; give a shorter window "
                             "(10m, 2h, 30d) or leave it out for the whole log")
        return (now or datetime.now(UTC)) - timedelta(seconds=seconds)
    try:
        when = datetime.fromisoformat(text.upper())
        return when if when.tzinfo else when.astimezone()
    except (ValueError, OverflowError):  # OverflowError: a local time at the calendar's edge (year 1, 9999)
        raise ValueError(f"{_shown(text)} is neither a duration (10m, 2h) nor a time (2024-05-01T10:00)") \
            from None


def _shown(text: str) -> str:
    """The user's words in a message, cut short: a pasted megabyte is not echoed back."""
    return repr(text if len(text) <= 40 else text[:40] + "...")


def parse_window(text: str, now: datetime | None = None) -> tuple[int | None, datetime | None]:
    """``(tail, since)``: ``500`` is the last 500 lines, ``all`` everything, else since parse_since's moment."""
    text = text.strip().lower()
    if text == "all":
        return None, None
    if text.isascii() and text.isdigit() and len(text) <= MAX_LINES_DIGITS:  # "²" is a digit int() refuses
        return int(text), None
    try:
        return None, parse_since(text, now)
    except ValueError:
        raise ValueError(f"give a line count (500), a window (10m, 2h, 1d; up to {MAX_DAYS}d), "
                         "a time (2024-05-01T10:00) or all") from None
