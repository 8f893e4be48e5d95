"""What ``--keep`` removes: backups older than the window, never the newest good one.

"Good" is complete (dump and manifest) and not failed by a verify. Each destination is pruned on its own: the
newest good backup of the bucket stays even when a newer one is on the local disk, and the other way round.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ...config.backup import DEFAULT_KEEP_DAYS, parse_keep
from .destinations import Entry

__all__ = ["DEFAULT_KEEP_DAYS", "newest_good", "parse_keep", "to_prune"]


def newest_good(entries: list[Entry]) -> Entry | None:
    good = [e for e in entries if e.good]
    return max(good, key=lambda e: (e.created, e.id)) if good else None


def to_prune(entries: list[Entry], keep: timedelta, now: datetime) -> list[Entry]:
    """The entries older than ``keep``, except the newest good one; oldest first."""
    spared = newest_good(entries)
    old = [e for e in entries if now - e.created > keep and (spared is None or e.id != spared.id)]
    return sorted(old, key=lambda e: (e.created, e.id))
