"""W&B's recommended MySQL server settings, compared with what the server runs.

Deviations are warnings, each with the my.cnf line that fixes it: the server
works without them, but they are what W&B asks production databases to run with.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Setting:
    name: str
    value: str
    rule: Literal["equals", "at_least"]
    why: str

    def satisfied_by(self, actual: str) -> bool:
        if self.rule == "at_least":
            try:
                return int(float(actual)) >= int(self.value)
            except ValueError:
                return False
        return actual.strip().upper() == self.value.upper()


RECOMMENDED: tuple[Setting, ...] = (
    Setting("binlog_format", "ROW", "equals", "row-based binary log: safe replicas and point-in-time recovery"),
    Setting("binlog_row_image", "MINIMAL", "equals", "log only the changed columns: smaller binary logs"),
    Setting("innodb_flush_log_at_trx_commit", "1", "equals",
            "flush the redo log at every commit: no committed write lost in a crash"),
    Setting("innodb_online_alter_log_max_size", "268435456", "at_least",
            "room for concurrent writes while an online ALTER TABLE (a schema migration) runs"),
    Setting("max_prepared_stmt_count", "1048576", "at_least", "prepared statements allowed across all connections"),
    Setting("sort_buffer_size", "67108864", "at_least", "memory per sort before it spills to disk"),
    Setting("sync_binlog", "1", "equals", "sync the binary log to disk at every commit"),
)
SETTING_NAMES: tuple[str, ...] = (*(s.name for s in RECOMMENDED), "log_bin", "binlog_expire_logs_seconds",
                                  "expire_logs_days")


@dataclass(frozen=True)
class Deviation:
    setting: Setting
    actual: str | None  # None: the server has no such variable

    def describe(self) -> str:
        want = ("at least " if self.setting.rule == "at_least" else "") + self.setting.value
        if self.actual is None:
            return f"{self.setting.name}: not available on this server (recommended {want})"
        return f"{self.setting.name} = {self.actual}, recommended {want} ({self.setting.why})"


def deviations(variables: dict[str, str]) -> list[Deviation]:
    """The recommended settings this server does not meet."""
    out = []
    for setting in RECOMMENDED:
        actual = variables.get(setting.name)
        if actual is None or not setting.satisfied_by(actual):
            out.append(Deviation(setting, actual))
    return out


def my_cnf(lines: list[tuple[str, str]]) -> str:
    """A ``[mysqld]`` block to add to my.cnf (then restart mysqld)."""
    return "[mysqld]\n" + "\n".join(f"{name} = {value}" for name, value in lines)


def binlog_retention(variables: dict[str, str]) -> str:
    """How long binary logs are kept, in words ('forever' when nothing purges them)."""
    seconds = _number(variables.get("binlog_expire_logs_seconds"))
    days = _number(variables.get("expire_logs_days"))
    if seconds:
        return _duration(seconds)
    if days:
        return _duration(days * 86400)
    return "forever (until purged by hand: watch the disk)"


def _number(text: str | None) -> float:
    try:
        return float(text) if text else 0.0
    except ValueError:
        return 0.0


def _duration(seconds: float) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:g} days"
    if seconds >= 3600:
        return f"{seconds / 3600:g} hours"
    return f"{seconds:g} seconds"
