"""Acknowledging a finding in the config file: the one path the CLI and the dashboard share.

The file is read fresh, changed and written back atomically (0600, the previous file kept), so an
acknowledgement never reverts what another shell wrote in between reading and saving.
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
    config = store.load(path)
    before = find(config, result.id)
    ack = acknowledge(config, result, why, who=who or operator(), now=now or datetime.now(UTC), lasting=lasting)
    return Acknowledged(ack, before, store.save(config, path))


def unacknowledge_in_file(path: Path, check_id: str) -> Acknowledgement | None:
    """Remove the check's acknowledgement from the file; the removed one, or None (the file unchanged)."""
    config = store.load(path)
    removed = unacknowledge(config, check_id)
    if removed is not None:
        store.save(config, path)
    return removed
