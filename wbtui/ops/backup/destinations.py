"""Where backups go: a local directory and the configured bucket under a prefix.

A backup is three files sharing its ID: the dump (``ID.sql.zst`` or ``ID.sql.gz``), ``ID.manifest.json``
(written last: a dump without one is an incomplete backup) and, once verified, ``ID.verify.json``. Local files
are 0600 in a 0700 directory (a dump holds every W&B secret the database does). The bucket is the one in
BUCKET, reached with W&B's own credentials through the checks' S3 client; dumps go up as multipart uploads,
which the store shows only when complete; the manifest goes up after the dump.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ...config import store
from ...config.backup import DUMP_SUFFIXES as DUMP_SUFFIXES
from ...config.backup import MANIFEST_SUFFIX as MANIFEST_SUFFIX
from ...config.backup import VERIFY_SUFFIX as VERIFY_SUFFIX
from ...config.backup import VOLUME_SUFFIXES as VOLUME_SUFFIXES
from ...config.backup import default_directory, split_name
from ...config.model import Config
from ...config.urls import URLError
from .manifest import Manifest

Where = Literal["local", "bucket"]
DEFAULT_PREFIX = "wbtui-backups/"
PART_SIZE = 64 << 20
"""Multipart part size: a 100 GB dump is ~1600 parts, well under S3's 10,000."""


class DestinationError(Exception):
    """A destination cannot be read or written; the message says what to do."""


def default_dir() -> Path:
    return default_directory()


@dataclass
class Entry:
    """One backup as a destination holds it."""

    id: str
    where: Where
    location: str  # the directory or s3://bucket/prefix
    manifest: Manifest | None
    dump_name: str | None
    size: int
    modified: datetime
    verify: dict[str, Any] | None = None
    keys: list[str] = field(default_factory=list)  # every file/object of this backup

    @property
    def complete(self) -> bool:
        return self.manifest is not None and self.dump_name is not None

    @property
    def created(self) -> datetime:
        return self.manifest.created_at if self.manifest is not None else self.modified

    @property
    def verified(self) -> bool | None:
        """True/False: the last verify passed/failed; None: never verified."""
        return None if self.verify is None else bool(self.verify.get("ok"))

    @property
    def good(self) -> bool:
        return self.complete and self.verified is not False

    def to_dict(self, now: datetime) -> dict[str, Any]:
        return {"id": self.id, "where": self.where, "location": self.location, "created": self.created.isoformat(),
                "age_seconds": int((now - self.created).total_seconds()), "size": self.size,
                "complete": self.complete, "verified": self.verified,
                "verified_at": (self.verify or {}).get("when"), "file": self.dump_name,
                "kind": self.manifest.kind if self.manifest else None,
                "database": self.manifest.database if self.manifest else None,
                "sha256": self.manifest.sha256 if self.manifest else None}


def _group(names: Iterable[tuple[str, int, datetime]]) -> dict[str, dict[str, tuple[str, int, datetime]]]:
    groups: dict[str, dict[str, tuple[str, int, datetime]]] = {}
    for name, size, modified in names:
        split = split_name(name.rsplit("/", 1)[-1])
        if split is not None:
            groups.setdefault(split[0], {})[split[1]] = (name, size, modified)
    return groups


def _manifest(raw: bytes) -> Manifest | None:
    try:
        return Manifest.loads(raw)
    except (ValueError, KeyError, TypeError):
        return None


def _verify(raw: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


class Local:
    """A directory of backups (created 0700 on first write)."""

    where: Where = "local"

    def __init__(self, directory: Path) -> None:
        self.dir = directory

    @property
    def location(self) -> str:
        return str(self.dir)

    def prepare(self) -> None:
        try:
            self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise DestinationError(f"cannot create the backup directory {self.dir}: {exc.strerror}; choose "
                                   "another with --to DIR") from None
        if not os.access(self.dir, os.W_OK):
            raise DestinationError(f"cannot write to {self.dir}: fix its permissions or choose another with --to DIR")

    def path(self, name: str) -> Path:
        return self.dir / name

    def entries(self) -> list[Entry]:
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise DestinationError(f"cannot list {self.dir}: {exc.strerror}") from None
        stats = []
        for name in names:
            try:
                st = os.lstat(self.dir / name)
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(st.st_mode):
                continue  # only regular files: a symlink is never read or removed
            stats.append((name, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC)))
        out = []
        for backup, files in _group(stats).items():
            out.append(self._entry(backup, files))
        return out

    def _entry(self, backup: str, files: dict[str, tuple[str, int, datetime]]) -> Entry:
        manifest = verify = None
        if MANIFEST_SUFFIX in files:
            manifest = _manifest(self._read(files[MANIFEST_SUFFIX][0]))
        if VERIFY_SUFFIX in files:
            verify = _verify(self._read(files[VERIFY_SUFFIX][0]))
        dump = next((files[s] for s in DUMP_SUFFIXES if s in files), None)
        return Entry(backup, "local", self.location, manifest, dump[0] if dump else None, dump[1] if dump else 0,
                     max(f[2] for f in files.values()), verify, [f[0] for f in files.values()])

    def _read(self, name: str) -> bytes:
        with open(self.dir / name, "rb") as fh:
            return fh.read(1 << 24)

    def write_small(self, name: str, data: bytes) -> None:
        store.write_private(self.dir / name, data)

    def delete(self, entry: Entry) -> None:
        for name in entry.keys:
            (self.dir / name).unlink(missing_ok=True)


class Bucket:
    """The bucket in BUCKET, under ``prefix``."""

    where: Where = "bucket"

    def __init__(self, config: Config, prefix: str = DEFAULT_PREFIX, timeout: float = 60.0,
                 part_size: int = PART_SIZE) -> None:
        from ...checks.s3_client import S3Target

        if not config.server.BUCKET.strip():
            raise DestinationError("BUCKET is empty: W&B uses its embedded store, there is no bucket to back up "
                                   "to; back up to a local directory (--to DIR) or set BUCKET")
        try:
            self.target = S3Target.from_config(config, timeout)
        except URLError as exc:
            raise DestinationError(f"BUCKET: {exc}; fix it with wbtui config set BUCKET ...") from None
        self.prefix = prefix.strip("/") + "/"
        self.part_size = part_size

    @property
    def location(self) -> str:
        return f"s3://{self.target.bucket}/{self.prefix}"

    def _call(self, what: str, method: str, **kwargs: Any) -> Any:
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import ClientError

        from ...checks.model import CheckFailed
        from ...checks.s3_transport import boto_call, error_of

        try:
            return boto_call(self.target, what, getattr(self.target.client(), method), **kwargs)
        except CheckFailed as exc:
            raise DestinationError(f"{what}: {exc.summary}; {exc.fix}") from None
        except ClientError as exc:
            code, message, status = error_of(exc)
            raise DestinationError(f"{what}: {code or status} {message}; " + _s3_fix(code)) from None
        except Boto3Error as exc:  # upload_file's S3UploadFailedError wraps the store's answer in its text
            raise DestinationError(f"{what}: {exc}; {_s3_fix(_code_in(str(exc)))}") from None

    def prepare(self) -> None:
        self._call(f"HEAD bucket {self.target.bucket}", "head_bucket", Bucket=self.target.bucket)

    def entries(self) -> list[Entry]:
        objects: list[tuple[str, int, datetime]] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"Bucket": self.target.bucket, "Prefix": self.prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call(f"list {self.location}", "list_objects_v2", **kwargs)
            for obj in page.get("Contents", []):
                objects.append((str(obj["Key"]), int(obj["Size"]), obj["LastModified"].astimezone(UTC)))
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                break
        out = []
        for backup, files in _group(objects).items():
            manifest = verify = None
            if MANIFEST_SUFFIX in files:
                manifest = _manifest(self._get(files[MANIFEST_SUFFIX][0]))
            if VERIFY_SUFFIX in files:
                verify = _verify(self._get(files[VERIFY_SUFFIX][0]))
            dump = next((files[s] for s in DUMP_SUFFIXES if s in files), None)
            out.append(Entry(backup, "bucket", self.location, manifest,
                             dump[0].rsplit("/", 1)[-1] if dump else None, dump[1] if dump else 0,
                             max(f[2] for f in files.values()), verify, [f[0] for f in files.values()]))
        return out

    def key(self, name: str) -> str:
        return self.prefix + name

    def _get(self, key: str) -> bytes:
        body = self._call(f"GET {key}", "get_object", Bucket=self.target.bucket, Key=key)["Body"]
        try:
            return bytes(body.read(1 << 24))
        finally:
            body.close()

    def upload(self, path: Path, name: str) -> None:
        """A multipart upload of ``path`` (parts of ``part_size``; one PUT when smaller)."""
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(multipart_threshold=self.part_size, multipart_chunksize=self.part_size,
                                max_concurrency=4, use_threads=True)
        self._call(f"upload {self.location}{name}", "upload_file", Filename=str(path), Bucket=self.target.bucket,
                   Key=self.key(name), Config=config)

    def download(self, name: str, path: Path) -> None:
        self._call(f"download {self.location}{name}", "download_file", Bucket=self.target.bucket,
                   Key=self.key(name), Filename=str(path))

    def write_small(self, name: str, data: bytes) -> None:
        self._call(f"PUT {self.location}{name}", "put_object", Bucket=self.target.bucket, Key=self.key(name),
                   Body=data, ContentType="application/json")

    def delete(self, entry: Entry) -> None:
        for key in entry.keys:
            self._call(f"DELETE {key}", "delete_object", Bucket=self.target.bucket, Key=key)

    def close(self) -> None:
        self.target.close()


def _code_in(text: str) -> str:
    """The S3 error code inside a boto3 transfer error's text: "... (AccessDenied) when calling ..."."""
    match = re.search(r"\((\w+)\) when calling", text)
    return match[1] if match else ""


def _s3_fix(code: str) -> str:
    if code in ("AccessDenied", "403", "SignatureDoesNotMatch", "InvalidAccessKeyId"):
        return ("the keys in BUCKET must be allowed to list, read, write and delete under the backup prefix "
                "(wbtui check s3)")
    if code in ("NoSuchBucket", "404"):
        return "create the bucket first (wbtui bucket create) or correct BUCKET"
    return "run wbtui check s3"
