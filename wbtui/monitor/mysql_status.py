"""The figures one refresh of the database view shows, as data (the CLI, the pane and --json use these)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .mysql_replication import Replication
from .mysql_sample import Statement

RATES = ("queries", "commits", "transactions", "slow", "row_lock_waits")
"""Per-second rates from counter deltas: Questions, Handler_commit (every engine commit, autocommit
statements included), Com_commit + Com_rollback (explicit transactions), Slow_queries, Innodb_row_lock_waits."""


@dataclass(frozen=True)
class Alert:
    severity: str  # "error" or "warning"
    summary: str
    fix: str


@dataclass(frozen=True)
class TableGrowth:
    name: str
    rows: int
    bytes: int
    grown: int | None
    """Bytes since the previous reading of the table sizes (None at the first)."""
    since_start: int | None
    """Bytes since the watch's first reading."""


@dataclass(frozen=True)
class CpuState:
    percent: float | None
    series: list[float]
    threshold: float
    window: float
    above_for: float
    alert: bool
    how: str


@dataclass
class DbStatus:
    where: str
    account: str
    version: str
    uptime: int
    read_only: bool
    connections: int
    max_connections: int
    peak_connections: int
    threads_running: int
    row_lock_current_waits: int
    rates: dict[str, float | None]
    buffer_pool_hit: float | None
    """Percent of InnoDB page reads served from the buffer pool (over the last interval when it read)."""
    statements: list[Statement] | None
    replication: Replication
    tables: list[TableGrowth] | None
    tables_age: float | None
    """Seconds since the table sizes were read (None: not read yet)."""
    cpu: CpuState | None
    cpu_note: str
    alerts: list[Alert]
    history: dict[str, list[float]] = field(default_factory=dict)
    queries: int = 0
    refresh_seconds: float = 0.0
    sampled_at: float = 0.0
    """Unix time of the sample."""

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["history"] = {k: [round(v, 2) for v in series] for k, series in self.history.items()}
        out["refresh_seconds"] = round(self.refresh_seconds, 4)
        return out
