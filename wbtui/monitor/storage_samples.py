"""Bucket usage over time, kept between runs, so growth per day can be said.

``$XDG_STATE_HOME/wbtui/storage-samples.json`` (default ``~/.local/state/wbtui``): per bucket a list of
(time, objects, bytes, exact). It stays small: a new sample within SPACING of the one before the last
replaces the last (the newest is always current, the older ones stay at least SPACING apart), at most
KEEP per bucket and BUCKETS buckets. Written atomically, 0600, never through a symlink (the config
store's private-file helper) under a lock beside it. It holds no secret: store host:port, bucket, prefix.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..config import store

FILE_NAME = "storage-samples.json"
SPACING = 3600.0  # seconds between kept samples
KEEP = 24 * 30  # samples per bucket: a month at SPACING
BUCKETS = 8  # buckets kept (the ones sampled most recently)
WINDOW = 30 * 86400.0  # growth is measured over at most this much of the past
MIN_SPAN = 600.0  # and over at least this much: seconds apart say nothing about a day
DAY = 86400.0


class SamplesError(Exception):
    """The samples file cannot be read or written; the message says what to do."""


@dataclass
class Sample:
    time: float  # Unix time
    objects: int
    bytes: int
    exact: bool


@dataclass
class Growth:
    """Change per day between the oldest usable sample of the window and the newest."""

    objects_per_day: float
    bytes_per_day: float
    span_seconds: float
    samples: int
    exact: bool  # both ends were complete listings

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def default_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "wbtui" / FILE_NAME


def _read(path: Path) -> dict[str, list[Sample]]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SamplesError(f"the storage samples file {path} is a symlink, which wbtui never follows; "
                               f"remove it (rm {path})") from None
        raise SamplesError(f"cannot read the storage samples {path}: {exc.strerror} (fix its permissions, or "
                           "remove it to start again)") from None
    try:
        with os.fdopen(fd, "rb") as fh:
            data = json.loads(fh.read())
        return {str(k): [Sample(float(s["time"]), int(s["objects"]), int(s["bytes"]), bool(s["exact"]))
                         for s in v] for k, v in data["buckets"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SamplesError(f"the storage samples file {path} is damaged ({exc}); remove it (rm {path}) to "
                           "start again") from None


def record(key: str, sample: Sample, path: Path | None = None) -> list[Sample]:
    """Add ``sample`` for ``key``; the samples kept for it, oldest first."""
    path = path or default_path()
    with _locked(path):
        buckets = _read(path)
        mine = [s for s in buckets.get(key, []) if s.time < sample.time]
        if len(mine) >= 2 and mine[-1].time - mine[-2].time < SPACING:
            mine[-1] = sample
        else:
            mine.append(sample)
        buckets[key] = mine[-KEEP:]
        newest = sorted(buckets, key=lambda k: buckets[k][-1].time if buckets[k] else 0.0)[-BUCKETS:]
        body = {"buckets": {k: [asdict(s) for s in buckets[k]] for k in newest}}
        try:
            store.write_private(path, (json.dumps(body, separators=(",", ":")) + "\n").encode())
        except OSError as exc:
            raise SamplesError(f"cannot write the storage samples {path}: {exc.strerror} (free space or fix "
                               "the directory's permissions)") from None
    return buckets[key]


def growth(samples: list[Sample]) -> Growth | None:
    """Per day from the oldest sample within WINDOW of the newest, of the newest's kind (a complete listing,
    or estimates), when it is at least MIN_SPAN older; else None."""
    if not samples:
        return None
    newest = samples[-1]
    usable = [s for s in samples if newest.time - s.time <= WINDOW and s.exact == newest.exact]
    if len(usable) < 2 or newest.time - usable[0].time < MIN_SPAN:
        return None
    oldest = usable[0]
    span = newest.time - oldest.time
    return Growth((newest.objects - oldest.objects) * DAY / span, (newest.bytes - oldest.bytes) * DAY / span,
                  span, len(usable), newest.exact)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time: an exclusive flock on ``.storage-samples.json.lock`` (0600, never a symlink)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
    except OSError as exc:
        raise SamplesError(f"cannot lock the storage samples {path}: {exc.strerror} (fix the permissions of "
                           f"{path.parent})") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
