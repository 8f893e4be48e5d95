"""Which database server this is, and whether W&B supports it.

The guide supports MySQL 5.7 and 8 (W&B's current docs ask for 8.0.28 or later).
MariaDB and other MySQL-protocol servers speak the same wire protocol but differ
in SQL and behaviour, so they are reported as unsupported rather than accepted.
Percona Server and Amazon Aurora MySQL are MySQL builds and judged by their
MySQL version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Status

MIN_RECOMMENDED = (8, 0, 28)
SUPPORTED_FIX = ("Use MySQL 8.0.28 or later (or 5.7, which the guide names): Oracle MySQL, Percona Server "
                 "for MySQL, or a managed MySQL such as Amazon RDS / Aurora MySQL, Cloud SQL for MySQL or "
                 "Azure Database for MySQL.")

# Substrings of VERSION() / @@version_comment that give a fork away.
_FORKS = (
    ("mariadb", "MariaDB"),
    ("tidb", "TiDB"),
    ("singlestore", "SingleStore"),
    ("memsql", "SingleStore (MemSQL)"),
    ("oceanbase", "OceanBase"),
    ("dolt", "Dolt"),
    ("vitess", "Vitess"),
)
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True)
class ServerInfo:
    version: str
    comment: str = ""
    aurora_version: str = ""

    @property
    def numbers(self) -> tuple[int, int, int] | None:
        m = _VERSION.match(self.version)
        return (int(m[1]), int(m[2]), int(m[3])) if m else None

    @property
    def fork(self) -> str:
        """The fork's name ('' for MySQL and MySQL builds such as Percona and Aurora)."""
        text = f"{self.version} {self.comment}".lower()
        return next((name for needle, name in _FORKS if needle in text), "")

    @property
    def product(self) -> str:
        if self.fork:
            return self.fork
        if self.aurora_version:
            return "Amazon Aurora MySQL"
        if "percona" in self.comment.lower():
            return "Percona Server"
        return "MySQL"

    @property
    def label(self) -> str:
        base = f"{self.product} {_short(self.version)}"
        if self.aurora_version:
            base += f" (Aurora {self.aurora_version})"
        return base


@dataclass(frozen=True)
class Verdict:
    status: Status
    summary: str
    details: str = ""
    fix: str = ""


def _short(version: str) -> str:
    """``10.11.19-MariaDB-0+deb12u1-log`` → ``10.11.19``; the full string goes into details."""
    return version.split("-", 1)[0]


def judge(info: ServerInfo) -> Verdict:
    """Pass, warn or fail the server by product and version, with the reason."""
    if info.fork:
        return Verdict(
            Status.FAIL,
            f"{info.label} is not supported by W&B (it needs MySQL 5.7 or 8)",
            f"{info.fork} speaks the MySQL protocol but is a different database: its SQL, data types, "
            "optimizer and replication differ from MySQL's. The guide supports "
            "MySQL 5.7 and 8 only and W&B's schema migrations target MySQL, so problems on this server are "
            f"outside W&B's support. Server reports: version {info.version!r}, comment {info.comment!r}.",
            SUPPORTED_FIX,
        )
    numbers = info.numbers
    if numbers is None:
        return Verdict(Status.WARN, f"cannot read the server version {info.version!r}",
                       "W&B needs MySQL 5.7 or 8 (8.0.28 or later recommended).", SUPPORTED_FIX)
    if numbers[:2] < (5, 7):
        return Verdict(Status.FAIL, f"{info.label} is too old: W&B needs MySQL 5.7 or 8",
                       "", SUPPORTED_FIX)
    if numbers < MIN_RECOMMENDED:
        why = ("MySQL 5.7 is what the guide names, but it reached end of life in October 2023 and W&B's "
               "current documentation asks for MySQL 8.0.28 or later." if numbers[:2] == (5, 7)
               else "W&B's current documentation asks for MySQL 8.0.28 or later.")
        return Verdict(Status.WARN, f"{info.label}: below the recommended 8.0.28", why,
                       "Upgrade the server to MySQL 8.0.28 or later.")
    if numbers[0] >= 9:
        return Verdict(Status.WARN, f"{info.label}: newer than the MySQL 5.7/8 the guide names",
                       "Check W&B Server's release notes for support of this MySQL series before relying on it.",
                       "Use a MySQL 8.x release (8.0.28 or later, or 8.4 LTS) if W&B does not list this one.")
    return Verdict(Status.PASS, f"{info.label} (supported)")
