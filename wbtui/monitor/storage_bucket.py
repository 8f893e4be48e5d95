"""How much W&B keeps in its bucket: objects and bytes from a listing that stops at a limit.

Listing a bucket is the one way every S3 store answers, but it costs a request per 1,000
objects, so it stops after ``limit_objects`` objects or ``limit_seconds``. A listing that
stopped is an estimate: the folders under the W&B prefix that it listed completely give an
average, which stands in for the folders it did not reach. The figures say which it is. With a
radosgw admin key configured (storage_rgw), the store's own statistics replace the listing.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from ..checks.model import CheckEnded
from ..checks.s3_client import S3Target
from ..checks.s3_transport import boto_call, error_of
from ..config.model import Config
from ..config.urls import URLError
from .storage_rgw import ADMIN_ENV, StatsUnavailable, admin_keys, bucket_stats

LIMIT_OBJECTS = 100_000
LIMIT_SECONDS = 10.0
PAGE = 1000  # S3's largest page
FOLDER_DEPTH = 4  # how far a lone folder (``wandb/``) is followed down to find the folders to average over


@dataclass
class BucketUsage:
    """Usage under ``bucket``/``prefix``; ``exact`` when the listing reached the end."""

    store: str  # host:port, no keys
    bucket: str
    prefix: str
    objects: int = 0
    bytes: int = 0
    exact: bool = False
    listed_objects: int = 0
    listed_bytes: int = 0
    pages: int = 0
    seconds: float = 0.0
    stopped: str = ""  # why the listing stopped early: "the limit of 1,000 objects", "the limit of 10 s"
    how: str = ""  # how the figures were obtained, in words
    error: str = ""
    fix: str = ""
    stats_note: str = ""  # why radosgw's statistics were configured but not used


    @property
    def key(self) -> str:
        """What the samples file files this bucket under."""
        return f"{self.store}/{self.bucket}/{self.prefix}"

    @property
    def where(self) -> str:
        return f"{self.bucket}/{self.prefix}" if self.prefix else self.bucket

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Folders:
    """The folders under one base prefix the estimate averages over, and what the listing saw of each."""

    base: str
    names: list[str]
    objects: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, size: int) -> None:
        if not key.startswith(self.base):
            return
        head, slash, _ = key[len(self.base):].partition("/")
        if slash:
            name = f"{head}/"
            self.objects[name] = self.objects.get(name, 0) + 1
            self.bytes[name] = self.bytes.get(name, 0) + size


def split_bucket(name: str) -> tuple[str, str]:
    """BUCKET's path as (bucket, key prefix): ``wandb/team-a`` lists only under ``team-a/``."""
    bucket, _, prefix = name.partition("/")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


def measure_bucket(config: Config, *, limit_objects: int = LIMIT_OBJECTS, limit_seconds: float = LIMIT_SECONDS,
                   page_size: int = PAGE) -> BucketUsage:
    """Usage of the configured bucket. A store that does not answer costs ``app.timeout`` per request and
    ends in ``error``/``fix``; never raises for the store's own failures."""
    try:
        target = S3Target.from_config(config, config.app.timeout)
    except URLError as exc:
        return BucketUsage("", "", "", error=f"BUCKET does not parse: {exc}",
                           fix="correct it with wbtui config set server.BUCKET s3://KEY:SECRET@HOST:PORT/BUCKET")
    bucket, prefix = split_bucket(target.bucket)
    usage = BucketUsage(target.hostport, bucket, prefix)
    started = time.monotonic()
    try:
        if _from_statistics(target, usage):
            return usage
        _list(target, usage, limit_objects, limit_seconds, page_size, started)
        usage.how += usage.stats_note
    except CheckEnded as exc:
        usage.error, usage.fix = exc.summary, exc.fix
    except Exception as exc:
        code, message, status = error_of(exc)
        if not code:
            raise
        usage.error, usage.fix = _client_error(usage, code, message, status)
    finally:
        usage.seconds = round(time.monotonic() - started, 3)
        target.close()
    return usage


def _from_statistics(target: S3Target, usage: BucketUsage) -> bool:
    """Fill ``usage`` from radosgw's statistics when WBTUI_RGW_ADMIN is set; False to list instead."""
    try:
        keys = admin_keys()
        if keys is None:
            return False
        if usage.prefix:
            raise StatsUnavailable(f"they cover the whole bucket, not {usage.prefix}")
        usage.objects, usage.bytes = bucket_stats(target, usage.bucket, keys)
    except StatsUnavailable as exc:
        usage.stats_note = f" (radosgw's statistics not used: {exc})"
        return False
    usage.exact = True
    usage.how = f"radosgw's bucket statistics (admin API, the key in {ADMIN_ENV})"
    return True


def _client_error(usage: BucketUsage, code: str, message: str, status: int) -> tuple[str, str]:
    if code == "NoSuchBucket":
        return f"the bucket {usage.bucket!r} does not exist on {usage.store}", "create it with wbtui bucket create"
    if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        return (f"the store refused to list {usage.where} ({code})",
                "give BUCKET's access key s3:ListBucket on the bucket, or correct the keys in BUCKET")
    return (f"listing {usage.where} failed: {code} {message} (HTTP {status})".strip(),
            "run wbtui check s3 for a diagnosis")


def _list(target: S3Target, usage: BucketUsage, limit_objects: int, limit_seconds: float, page_size: int,
          started: float) -> None:
    s3 = target.client()
    what = f"listing {usage.where}"
    token: str | None = None
    folders: _Folders | None = None
    while True:
        want = max(1, min(page_size, limit_objects - usage.listed_objects))
        kwargs: dict[str, Any] = {"Bucket": usage.bucket, "Prefix": usage.prefix, "MaxKeys": want}
        if token:
            kwargs["ContinuationToken"] = token
        page = boto_call(target, what, s3.list_objects_v2, **kwargs)
        usage.pages += 1
        for item in page.get("Contents", []):
            size = int(item.get("Size", 0))
            usage.listed_objects += 1
            usage.listed_bytes += size
            if folders is not None:
                folders.count(str(item["Key"]), size)
        last_key = str(page["Contents"][-1]["Key"]) if page.get("Contents") else ""
        token = page.get("NextContinuationToken") if page.get("IsTruncated") else None
        if usage.pages == 1 and token:  # more than a page: worth knowing the folders in case it stops
            folders = _find_folders(target, usage)
            if folders is not None:
                for item in page.get("Contents", []):
                    folders.count(str(item["Key"]), int(item.get("Size", 0)))
        if not token:
            usage.exact = True
            break
        if usage.listed_objects >= limit_objects:
            usage.stopped = f"the limit of {limit_objects:,} objects"
            break
        if time.monotonic() - started >= limit_seconds:
            usage.stopped = f"the limit of {limit_seconds:g} s"
            break
    usage.objects, usage.bytes = usage.listed_objects, usage.listed_bytes
    if usage.exact:
        usage.how = f"listed completely ({usage.pages:,} request{'s' if usage.pages != 1 else ''})"
        return
    _estimate(usage, folders, last_key)


def _find_folders(target: S3Target, usage: BucketUsage) -> _Folders | None:
    """The first level under the prefix with more than one folder (one request per level); None when the
    folders do not fit one page or there is no such level."""
    s3, base = target.client(), usage.prefix
    for _ in range(FOLDER_DEPTH):
        page = boto_call(target, f"listing the folders of {usage.bucket}/{base}", s3.list_objects_v2,
                         Bucket=usage.bucket, Prefix=base, Delimiter="/", MaxKeys=PAGE)
        if page.get("IsTruncated"):
            return None
        names = [str(p["Prefix"])[len(base):] for p in page.get("CommonPrefixes", [])]
        if len(names) == 1 and not page.get("Contents"):
            base += names[0]
            continue
        return _Folders(base, sorted(names)) if len(names) > 1 else None
    return None


def _estimate(usage: BucketUsage, folders: _Folders | None, last_key: str) -> None:
    """Listed figures plus, when whole folders were listed, their average for the folders not reached."""
    lower = (f"at least: the first {usage.listed_objects:,} objects listed, then stopped at {usage.stopped}; "
             "raise --limit for more")
    if folders is None or not last_key.startswith(folders.base):
        usage.how = f"estimate, {lower}"
        return
    current = f"{last_key[len(folders.base):].partition('/')[0]}/"
    done = [name for name in folders.names if name < current]
    if not done:
        usage.how = f"estimate, {lower}"
        return
    avg_objects = sum(folders.objects.get(n, 0) for n in done) / len(done)
    avg_bytes = sum(folders.bytes.get(n, 0) for n in done) / len(done)
    not_reached = sum(1 for name in folders.names if name > current)
    partial = current in folders.names
    usage.objects += round(avg_objects * not_reached)
    usage.bytes += round(avg_bytes * not_reached)
    if partial:
        usage.objects += max(0, round(avg_objects) - folders.objects.get(current, 0))
        usage.bytes += max(0, round(avg_bytes) - folders.bytes.get(current, 0))
    where = f"{usage.bucket}/{folders.base}"
    usage.how = (f"estimate: {usage.listed_objects:,} objects listed (stopped at {usage.stopped}), "
                 f"{len(done)} of {len(folders.names)} folders under {where} completely; the "
                 f"{not_reached + partial} not finished counted at their average "
                 f"({avg_objects:,.0f} objects each)")
