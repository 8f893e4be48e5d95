"""Which stores a server used, read from its log alone: for a log pasted into a ticket, with no config.

wandb/local runs its own MySQL and MinIO inside the container when MYSQL or
BUCKET is empty. The log shows which: gorilla prints its config line
(``HistoryStore:mysql://...@127.0.0.1:3306``, ``FileStore:s3://...``), the
init scripts announce the embedded services, and dial errors name the address.
A config built from what was seen lets every rule's ``when`` guard work as it
does with the operator's own config.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ..config.model import Config

Mode = Literal["embedded", "external"]
_LOOPBACK = r"(?:127\.0\.0\.1|localhost|\[::1\])"

# (pattern, mode) in order of trust: the first that matches a line decides.
_MYSQL_SIGNS: tuple[tuple[re.Pattern[str], Mode], ...] = (
    (re.compile(rf"HistoryStore:mysql://[^@\s,]*@{_LOOPBACK}:3306", re.I), "embedded"),
    (re.compile(r"HistoryStore:mysql://[^@\s,]*@(?P<host>[^:/\s,]+)", re.I), "external"),
    (re.compile(r"\*\*\* Setting up mysql database", re.I), "embedded"),
    (re.compile(r"/var/lib/mysql|mysqld_safe|/var/log/mysql|/vol/mysql\b", re.I), "embedded"),  # server#7
    (re.compile(rf"(?:dial|read) tcp (?:\S+->)?{_LOOPBACK}:3306", re.I), "embedded"),
)
_BUCKET_SIGNS: tuple[tuple[re.Pattern[str], Mode], ...] = (
    (re.compile(rf"FileStore:s3://[^@\s,]*@{_LOOPBACK}:9000", re.I), "embedded"),
    (re.compile(r"FileStore:(?:s3|gs|az)://[^\s,]+", re.I), "external"),
    # [public] helm-charts#90, helm-charts PR #176: the init script names the external bucket
    (re.compile(r"external bucket specified in env var BUCKET|"
                r"AWS_REGION environment variable is required when specifying BUCKET", re.I), "external"),
    (re.compile(r"\*\*\* Configuring minio|/vol/minio|minio/admin|arn:minio:", re.I), "embedded"),
    # [public] wandb/server#94, #98: the embedded MinIO starting, and its own deprecation warning
    (re.compile(r"\*\*\* Minio still starting up|MINIO_ACCESS_KEY and MINIO_SECRET_KEY are deprecated", re.I),
     "embedded"),
    # [public] server#139 (`local/local-files`), server#108 and wandb#1208 (signed URLs of the embedded
    # store's region), wandb#1543 (its S3 error body)
    (re.compile(r"local/local-files|%2Fwandb-local%2Fs3|<Region>wandb-local<", re.I), "embedded"),
    (re.compile(rf"(?:dial|read) tcp (?:\S+->)?{_LOOPBACK}:9000", re.I), "embedded"),
)


@dataclass(frozen=True)
class StoresSeen:
    """What the log showed of each store, with the line that showed it; None when it did not say."""

    mysql: Mode | None = None
    mysql_line: str = ""
    bucket: Mode | None = None
    bucket_line: str = ""

    def describe(self) -> str:
        def one(name: str, mode: Mode | None) -> str:
            return f"{name} {mode}" if mode else f"{name} not shown in the log"
        return f"{one('MySQL', self.mysql)}, {one('object store', self.bucket)}"


def _first(signs: tuple[tuple[re.Pattern[str], Mode], ...], lines: list[str]) -> tuple[Mode | None, str]:
    for rx, mode in signs:
        for line in lines:
            if rx.search(line):
                return mode, line.strip()
    return None, ""


def stores_from_log(lines: Iterable[str]) -> StoresSeen:
    """Embedded or external for MySQL and the object store, from the strongest sign in the log."""
    lines = list(lines)
    mysql, mysql_line = _first(_MYSQL_SIGNS, lines)
    bucket, bucket_line = _first(_BUCKET_SIGNS, lines)
    return StoresSeen(mysql, mysql_line, bucket, bucket_line)


def config_for(seen: StoresSeen) -> Config:
    """A stand-in config that says what the log showed: MYSQL/BUCKET empty for embedded stores.

    An external store the log named gets a placeholder URL with its host; one the log did not show is
    taken as external, the guide's production setup. The placeholder password is random, so redacting
    it can never mask a word of the log.
    """
    config = Config()
    password = secrets.token_hex(12)
    m = _MYSQL_SIGNS[1][0].search(seen.mysql_line)
    mysql_host = m["host"] if m else "mysql.invalid"
    config.server.MYSQL = "" if seen.mysql == "embedded" else (
        f"mysql://diagnose:{password}@{mysql_host}:3306/wandb_local")
    config.server.BUCKET = "" if seen.bucket == "embedded" else f"s3://diagnose:{password}@bucket.invalid/wandb"
    return config
