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
    """The entries older than ``keep``, except the newest good one of each kind (a database dump, a /vol
    archive: one does not stand for the other); oldest first."""
    kinds = {e.manifest.kind if e.manifest else "" for e in entries}
    spared = {s.id for kind in kinds
              if (s := newest_good([e for e in entries if e.manifest and e.manifest.kind == kind])) is not None}
    old = [e for e in entries if now - e.created > keep and e.id not in spared]
    return sorted(old, key=lambda e: (e.created, e.id))
