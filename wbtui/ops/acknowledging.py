"""Acknowledging a finding in the config file: the one path the CLI and the dashboard share.

The file is read, changed and written back under its lock (``store.editing``: atomic, 0600, the
previous file kept), so an acknowledgement never reverts what another shell writes at the same time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..checks.acknowledged import acknowledge, find, operator, unacknowledge
from ..checks.model import CheckResult
from ..config import store
from ..config.model import Acknowledgement


@dataclass(frozen=True)
class Acknowledged:
    ack: Acknowledgement
    replaced: Acknowledgement | None
    """The check's earlier acknowledgement, now replaced."""
    path: Path


def acknowledge_in_file(path: Path, result: CheckResult, why: str, *, lasting: timedelta | None = None,
                        who: str | None = None, now: datetime | None = None) -> Acknowledged:
    """Store ``result`` as accepted (ValueError, saying what to do, when it cannot be)."""
    with store.editing(path) as edit:
        config = edit.loaded.copy()
        before = find(config, result.id)
        ack = acknowledge(config, result, why, who=who or operator(), now=now or datetime.now(UTC),
                          lasting=lasting)
        edit.config = config
    return Acknowledged(ack, before, path)


def unacknowledge_in_file(path: Path, check_id: str) -> Acknowledgement | None:
    """Remove the check's acknowledgement from the file; the removed one, or None (the file unchanged)."""
    with store.editing(path) as edit:
        config = edit.loaded.copy()
        removed = unacknowledge(config, check_id)
        if removed is not None:
            edit.config = config
    return removed
