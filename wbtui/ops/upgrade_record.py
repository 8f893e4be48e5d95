"""The record of upgrades, so `wbtui rollback` knows the previous tag and the backup taken before.

One JSON file, ``$XDG_STATE_HOME/wbtui/upgrades.json`` (default ``~/.local/state/wbtui``), mode 0600, written
atomically by the config store's private-file helper (O_EXCL|O_NOFOLLOW) under a lock beside it, and
never read through a symlink. It holds no secret (a backup's
id and directory, tags, times), but it says where a dump of the whole database lies, so only its owner reads it.
Each upgrade is one entry; the newest for a config file is the one a rollback undoes.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config import store

FILE_NAME = "upgrades.json"
KEEP = 50
"""Entries kept in the file (the oldest go first): a rollback needs only the newest."""


class Outcome:
    """What became of an upgrade, as the record says it."""

    DEPLOYING = "deploying"  # written before the deploy: a wbtui killed mid-upgrade leaves this
    DEPLOY_FAILED = "deploy failed"
    NOT_WATCHED = "not watched"
    READY = "ready"
    NOT_READY = "not ready"
    INTERRUPTED_MIGRATION = "interrupted migration"
    ROLLED_BACK = "rolled back"


class RecordError(Exception):
    """The record file cannot be read or written; the message says what to do."""


def default_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "wbtui" / FILE_NAME


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class UpgradeRecord:
    time: str  # UTC ISO-8601, also the entry's key
    config: str  # the config file's real path: each config has its own last upgrade
    image: str
    from_tag: str
    to_tag: str
    backup_id: str | None = None
    backup_dir: str | None = None  # the local directory the backup went to
    backup_skipped: bool = False
    skip_reason: str = ""  # "--no-backup", or why the database was not covered
    outcome: str = Outcome.DEPLOYING
    detail: str = ""  # the watch's message, or why the deploy failed
    rolled_back: str | None = None  # when `wbtui rollback` ran
    rollback_detail: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UpgradeRecord:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def when(self) -> str:
        """The time as the steps show it: ``2026-12-02 07:12:03 UTC``."""
        return datetime.fromisoformat(self.time).strftime("%Y-%m-%d %H:%M:%S UTC")


def config_key(path: Path) -> str:
    """The config file as the record names it: its real path (a symlinked config is the file it points to)."""
    return str(store.real_path(path))


def _read(path: Path) -> list[UpgradeRecord]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return []
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RecordError(f"the upgrade record {path} is a symlink, which wbtui never follows; remove it "
                              f"(rm {path}) and upgrade again") from None
        raise RecordError(f"cannot read the upgrade record {path}: {exc.strerror} (fix its permissions, or move "
                          "it away to start a new record)") from None
    try:
        with os.fdopen(fd, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise RecordError(f"cannot read the upgrade record {path}: {exc.strerror} (fix its permissions, or move "
                          "it away to start a new record)") from None
    try:
        data = json.loads(raw)
        return [UpgradeRecord.from_dict(entry) for entry in data["upgrades"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordError(f"the upgrade record {path} is damaged ({exc}); move it away (mv {path} {path}.bad) "
                          "to start a new one") from None


def records(config_path: Path, path: Path | None = None) -> list[UpgradeRecord]:
    """This config's upgrades, oldest first."""
    key = config_key(config_path)
    return [r for r in _read(path or default_path()) if r.config == key]


def last(config_path: Path, path: Path | None = None) -> UpgradeRecord | None:
    mine = records(config_path, path)
    return mine[-1] if mine else None


def save(record: UpgradeRecord, path: Path | None = None) -> Path:
    """Add the record, or replace the one with its time and config; keeps the newest KEEP entries."""
    path = path or default_path()
    with _locked(path):
        entries = [r for r in _read(path) if (r.time, r.config) != (record.time, record.config)]
        entries.append(record)
        entries.sort(key=lambda r: r.time)
        body = json.dumps({"upgrades": [asdict(r) for r in entries[-KEEP:]]}, indent=2) + "\n"
        try:
            store.write_private(path, body.encode("utf-8"))
        except OSError as exc:
            raise RecordError(f"cannot write the upgrade record {path}: {exc.strerror} (free space or fix the "
                              "directory's permissions)") from None
    return path


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time: an exclusive flock on ``.upgrades.json.lock`` beside it (0600, never a symlink)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
    except OSError as exc:
        raise RecordError(f"cannot lock the upgrade record {path}: {exc.strerror} (fix the permissions of "
                          f"{path.parent})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
