"""Where backups are for a config with no options given: what `wbtui backup list` reads and where `wbtui backup`
writes, for the dashboard's Backups view (which has no command line to pass --to or --to-bucket).

Listed: the local directory (``backup.directory``) and, when BUCKET is set, the bucket under ``backup.prefix``.
Written: the local directory, plus the bucket when ``backup.to_bucket`` is true.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import timedelta

from ...config.backup import directory, parse_keep
from ...config.model import Config
from .destinations import Bucket, DestinationError, Local

UPLOAD_TIMEOUT = 60.0
"""The object store's read timeout while parts go up (as `wbtui backup`; app.timeout is for quick checks)."""


def local(config: Config) -> Local:
    return Local(directory(config))


def bucket(config: Config, timeout: float) -> Bucket:
    """The bucket in BUCKET under ``backup.prefix``; DestinationError when BUCKET is empty or does not parse."""
    return Bucket(config, config.backup.prefix, timeout=timeout)


def listed(config: Config, timeout: float | None = None) -> tuple[list[Local | Bucket], list[str]]:
    """The places the backups are listed from, and why one could not be (BUCKET does not parse); ``timeout``
    bounds the bucket's calls (default app.timeout; a download or upload wants ``UPLOAD_TIMEOUT``)."""
    places: list[Local | Bucket] = [local(config)]
    errors = []
    if config.server.BUCKET.strip():
        try:
            places.append(bucket(config, config.app.timeout if timeout is None else timeout))
        except DestinationError as exc:
            errors.append(str(exc))
    return places, errors


def targets(config: Config) -> list[Local | Bucket]:
    """Where a backup made now goes; DestinationError when ``backup.to_bucket`` is set but the bucket is not."""
    places: list[Local | Bucket] = [local(config)]
    if config.backup.to_bucket:
        places.append(bucket(config, UPLOAD_TIMEOUT))
    return places


def keep(config: Config) -> timedelta:
    """``backup.keep`` (ValueError when it is not a retention: validation says so before a save)."""
    return parse_keep(config.backup.keep)


def close(places: Iterable[Local | Bucket]) -> None:
    """Close the bucket clients (a local directory holds nothing open)."""
    for place in places:
        if isinstance(place, Bucket):
            with contextlib.suppress(Exception):
                place.close()
