"""What ``--keep`` removes: backups older than the window, never the newest good one.

"Good" is complete (dump and manifest) and not failed by a verify. Each destination is pruned on its own: the
newest good backup of the bucket stays even when a newer one is on the local disk, and the other way round.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from .destinations import Entry

DEFAULT_KEEP_DAYS = 7
_KEEP = re.compile(r"(\d+)\s*([hdw]?)")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1), "": timedelta(days=1)}


def parse_keep(text: str) -> timedelta:
    """``7d``, ``36h``, ``2w`` or a number of days; ValueError says the form."""
    match = _KEEP.fullmatch(text.strip().lower())
    if match is None or int(match[1]) == 0:
        raise ValueError(f"{text!r} is not a retention: give hours, days or weeks, e.g. 36h, 7d, 2w")
    return int(match[1]) * _UNIT[match[2]]


def newest_good(entries: list[Entry]) -> Entry | None:
    good = [e for e in entries if e.good]
    return max(good, key=lambda e: (e.created, e.id)) if good else None


def to_prune(entries: list[Entry], keep: timedelta, now: datetime) -> list[Entry]:
    """The entries older than ``keep``, except the newest good one; oldest first."""
    spared = newest_good(entries)
    old = [e for e in entries if now - e.created > keep and (spared is None or e.id != spared.id)]
    return sorted(old, key=lambda e: (e.created, e.id))
