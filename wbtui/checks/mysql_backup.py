"""The "Newest backup" check: how old is the newest usable backup wbtui knows of, against the guide's daily rule.

It looks where ``wbtui backup`` writes: the local directory (``backup.directory``) and, when BUCKET is set and
the directory has no backup of the last 26 hours, the bucket under ``backup.prefix``. A backup counts when it is
complete (a dump and its manifest, the manifest written last) and no verify failed it; its time is the
manifest's. The look runs in a thread of its own, started with the MySQL checks and reported last, so it costs
``check mysql`` nothing it can measure; the bucket's part is bounded by the timeout (one listing of the prefix,
then the newest manifests only, as signed HTTP requests: no boto3 client to build). Checks may not import
``ops``: the files' names come from ``config.backup``, which ``ops.backup.destinations`` reads too
(tests/test_checks_mysql_backup.py keeps the two views of a backup directory equal).
"""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ..config.backup import DAILY, DUMP_SUFFIXES, MANIFEST_SUFFIX, VERIFY_SUFFIX, directory, split_name
from ..config.model import Config
from .model import CheckFailed, CheckResult, Status

CHECK_ID = "mysql.backup"
TITLE = "Newest backup"
_MANIFEST_BYTES = 1 << 24
_NEWEST_TRIED = 3
"""Bucket manifests read, newest first, before giving up on finding a good one (each is one GET)."""
EMBEDDED = ("MYSQL is empty: the database is embedded in the W&B container's /vol volume, which this check does "
            "not look at (wbtui backup list shows volume backups)")
FIX = ("make one now: wbtui backup (add --to-bucket for another facility); schedule it daily: "
       "wbtui service install --backup daily (Kubernetes: wbtui render kubernetes --backup-schedule daily)")


@dataclass(frozen=True)
class Found:
    """One complete backup: its id, time and where it is."""

    id: str
    created: datetime
    location: str


def _created(raw: bytes) -> datetime | None:
    try:
        data = json.loads(raw)
        moment = datetime.fromisoformat(str(data["created"]))
    except (ValueError, KeyError, TypeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _failed_verify(raw: bytes | None) -> bool:
    if raw is None:
        return False
    try:
        data = json.loads(raw)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("ok") is False


def _groups(names: list[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name in names:
        split = split_name(name.rsplit("/", 1)[-1])
        if split is not None:
            out.setdefault(split[0], set()).add(split[1])
    return out


def newest_local(folder: Path) -> Found | None:
    """The newest complete, not failed backup in ``folder`` (regular files only: a symlink is never read)."""
    try:
        listed = os.listdir(folder)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CheckFailed(f"cannot list {folder}: {exc.strerror}", "check its permissions, or set "
                          "backup.directory") from None
    names = [n for n in listed if _regular(folder / n)]
    best: Found | None = None
    for backup, suffixes in _groups(names).items():
        if MANIFEST_SUFFIX not in suffixes or not suffixes & set(DUMP_SUFFIXES):
            continue
        try:
            created = _created(_read(folder / (backup + MANIFEST_SUFFIX)))
            verify = _read(folder / (backup + VERIFY_SUFFIX)) if VERIFY_SUFFIX in suffixes else None
        except OSError:
            continue  # removed or unreadable meanwhile: not a backup one could restore
        if created is not None and not _failed_verify(verify) and (best is None or created > best.created):
            best = Found(backup, created, str(folder))
    return best


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:  # removed since the listing
        return False


def _read(path: Path) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(_MANIFEST_BYTES)


def newest_in_bucket(config: Config, timeout: float) -> Found | None:
    """The bucket's newest complete, not failed backup under ``backup.prefix``: one listing, then manifests newest
    first (by their upload time, as they go up last). CheckFailed says why the bucket could not be read.

    Plain SigV4-signed requests (botocore signs, http.client sends): a boto3 client costs ~0.3 s of CPU to build
    and an httpx one ~0.2 s, which beside the S3 checks' own would be time `check all` could measure."""
    from .s3_client import S3Target

    target = S3Target.from_config(config, timeout)
    prefix = config.backup.prefix.strip("/") + "/"
    location = f"s3://{target.bucket}/{prefix}"
    objects: dict[str, str] = {}
    token = ""
    while True:
        query = {"list-type": "2", "prefix": prefix, **({"continuation-token": token} if token else {})}
        page = _xml(_signed_get(target, "", query, f"list {location}"))
        for item in page.iter(f"{_NS}Contents"):
            objects[item.findtext(f"{_NS}Key") or ""] = item.findtext(f"{_NS}LastModified") or ""
        token = page.findtext(f"{_NS}NextContinuationToken") or ""
        if page.findtext(f"{_NS}IsTruncated") != "true" or not token:
            break
    groups = _groups(list(objects))
    complete = [b for b, s in groups.items() if MANIFEST_SUFFIX in s and s & set(DUMP_SUFFIXES)]
    complete.sort(key=lambda b: objects[prefix + b + MANIFEST_SUFFIX], reverse=True)  # ISO-8601 sorts
    for backup in complete[:_NEWEST_TRIED]:
        created = _created(_signed_get(target, prefix + backup + MANIFEST_SUFFIX, {}, "GET the manifest"))
        verify = _signed_get(target, prefix + backup + VERIFY_SUFFIX, {}, "GET the verify record") \
            if VERIFY_SUFFIX in groups[backup] else None
        if created is not None and not _failed_verify(verify):
            return Found(backup, created, location)
    return None


_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def _signed_get(target: Any, key: str, query: dict[str, str], what: str) -> bytes:
    """GET one object (or, with no key, the bucket with ``query``), signed with BUCKET's keys, over the standard
    library's HTTP client (no client object to build; TLS with the system's CAs when ``tls=true``)."""
    import http.client
    import ssl
    from urllib.parse import quote, urlencode, urlsplit

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = target.object_url(key) if key else f"{target.url.endpoint_url}/{quote(target.bucket)}"
    if query:
        url += "?" + urlencode(sorted(query.items()), quote_via=quote, safe="")
    request = AWSRequest(method="GET", url=url)
    S3SigV4Auth(Credentials(target.url.access_key, target.url.secret_key), "s3", target.region).add_auth(request)
    parts = urlsplit(url)
    host = target.url.host.strip("[]")
    conn: http.client.HTTPConnection = (
        http.client.HTTPSConnection(host, target.port, timeout=target.timeout, context=ssl.create_default_context())
        if target.url.tls else http.client.HTTPConnection(host, target.port, timeout=target.timeout))
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                     headers=dict(request.headers.items()))
        response = conn.getresponse()
        body = response.read(_MANIFEST_BYTES)
    except TimeoutError:
        raise CheckFailed(f"{what}: {target.hostport} did not answer within {target.timeout:g}s",
                          "wbtui check s3") from None
    except (OSError, http.client.HTTPException) as exc:
        raise CheckFailed(f"{what}: cannot reach {target.hostport} ({type(exc).__name__})", "wbtui check s3") \
            from None
    finally:
        conn.close()
    if response.status != 200:
        fix = ("the keys in BUCKET must be allowed to list and read the backup prefix (wbtui check s3)"
               if response.status in (401, 403) else "wbtui check s3")
        raise CheckFailed(f"{what}: {response.status} {_error_code(body)}".strip(), fix)
    return body


def _xml(raw: bytes) -> Any:
    from xml.etree import ElementTree

    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError:
        raise CheckFailed("the bucket's listing is not S3's XML", "wbtui check s3") from None


def _error_code(raw: bytes) -> str:
    from xml.etree import ElementTree

    try:
        return ElementTree.fromstring(raw).findtext("Code") or ""
    except ElementTree.ParseError:
        return ""


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours < 1:
        return f"{max(int(delta.total_seconds() // 60), 0)} min"
    if hours < 48:
        return f"{hours:.0f} h"
    return f"{hours / 24:.0f} days"


class NewestBackup:
    """Looks for the newest backup in a thread started with the MySQL checks; ``result`` waits for it (bounded)."""

    def __init__(self, config: Config, timeout: float) -> None:
        self.config = config
        self.timeout = timeout
        self.folder = directory(config)
        self.use_bucket = bool(config.server.BUCKET.strip())
        self.found: list[Found] = []
        self.problems: list[str] = []
        self.started = 0.0
        self.took = 0.0
        self._thread = threading.Thread(target=self._look, name="wbtui-check-backup", daemon=True)

    def start(self) -> NewestBackup:
        self.started = time.monotonic()
        self._thread.start()
        return self

    def _look(self) -> None:
        try:
            local = newest_local(self.folder)
            if local is not None:
                self.found.append(local)
        except CheckFailed as exc:
            self.problems.append(f"{exc.summary} ({exc.fix})")
        fresh = any(datetime.now(UTC) - f.created < DAILY for f in self.found)
        if self.use_bucket and not fresh:  # a fresh local backup answers the question: the bucket is not asked
            try:
                remote = newest_in_bucket(self.config, self.timeout)
                if remote is not None:
                    self.found.append(remote)
            except CheckFailed as exc:
                self.problems.append(f"{exc.summary} ({exc.fix})" if exc.fix else exc.summary)
            except Exception as exc:  # BUCKET does not parse, or boto3 is missing: said, never raised
                self.problems.append(f"the bucket could not be read: {exc}")
        self.took = time.monotonic() - self.started

    def _bucket_location(self) -> str:
        from ..config.urls import BucketURL, URLError

        try:
            bucket = BucketURL.parse(self.config.server.BUCKET).bucket
        except URLError:
            bucket = "BUCKET"
        return f"s3://{bucket}/{self.config.backup.prefix.strip('/')}/"

    def result(self, now: datetime | None = None) -> CheckResult:
        """The check's result, waiting for the look at most until ``timeout`` after it started: a silent bucket
        costs the run nothing beyond the timeout its other checks already wait."""
        self._thread.join(max(self.timeout - (time.monotonic() - self.started), 0.0))
        places = [str(self.folder)] + ([self._bucket_location()] if self.use_bucket else [])
        if self._thread.is_alive():
            self.problems.append(f"the bucket did not answer within {self.timeout:g}s (wbtui check s3)")
        found = list(self.found)
        moment = now or datetime.now(UTC)
        notes = "\n".join(self.problems)
        if not found:
            return CheckResult(CHECK_ID, TITLE, Status.WARN, f"no backup found in {' or '.join(places)}",
                               "The guide: back the database up daily to a separate facility and keep at least "
                               "a week of backups." + (f"\n{notes}" if notes else ""), FIX,
                               duration=self.took, data={"age_seconds": None, "places": places})
        newest = max(found, key=lambda f: f.created)
        age = moment - newest.created
        data = {"age_seconds": int(age.total_seconds()), "id": newest.id, "location": newest.location,
                "created": newest.created.isoformat()}
        where = f"{newest.id} in {newest.location}"
        if age < DAILY:
            return CheckResult(CHECK_ID, TITLE, Status.PASS, f"newest backup {_age(age)} old: {where}", notes,
                               duration=self.took, data=data)
        return CheckResult(CHECK_ID, TITLE, Status.WARN,
                           f"newest backup is {_age(age)} old (the guide asks for one a day): {where}",
                           f"Made {newest.created:%Y-%m-%d %H:%M} UTC; no backup since." + (f"\n{notes}" if notes
                                                                                              else ""),
                           FIX, duration=self.took, data=data)
