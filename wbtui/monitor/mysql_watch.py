"""The database view's engine: samples at a pace, rates from their deltas, history, the CPU rule, alerts.

One ``MysqlWatch`` per view: the CLI's snapshot (two samples an interval apart), ``--watch``, and the
dashboard's worker all step the same object, so they show the same figures.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..checks.model import CheckFailed
from ..checks.mysql_connect import sql_account
from ..config.urls import MysqlURL
from .mysql_cpu import CpuReader, CpuRule
from .mysql_replication import replication
from .mysql_sample import MysqlSampler, Sample
from .mysql_status import RATES, Alert, CpuState, DbStatus, TableGrowth

if TYPE_CHECKING:
    from ..config.model import Config

HISTORY = 120  # readings kept for the sparklines
TABLES_EVERY = 60.0  # seconds between readings of the table sizes (information_schema.TABLES costs more)
CONNECTIONS_WARN = 0.8  # of max_connections: new connections are refused at the limit
_COUNTERS = {"queries": ("Questions",), "commits": ("Handler_commit",),
             "transactions": ("Com_commit", "Com_rollback"), "slow": ("Slow_queries",),
             "row_lock_waits": ("Innodb_row_lock_waits",)}


class MysqlWatch:
    def __init__(self, url: MysqlURL, timeout: float, *, cpu_rule: CpuRule | None = None,
                 tables_every: float = TABLES_EVERY) -> None:
        self.url = url
        self.sampler = MysqlSampler(url, timeout)
        self.cpu = CpuReader(url.host, url.effective_port)
        self.rule = cpu_rule or CpuRule()
        self.tables_every = tables_every
        self.history: dict[str, deque[float]] = {name: deque(maxlen=HISTORY) for name in (*RATES, "cpu")}
        self._previous: Sample | None = None
        self._tables_first: dict[str, int] = {}
        self._table_sizes: dict[str, int] = {}
        self._table_rows: list[TableGrowth] = []
        self._tables_read_at: float | None = None
        self._tables_wanted = True

    def close(self) -> None:
        self.sampler.close()

    def read_tables_next(self) -> None:
        """Read the table sizes at the next step, whatever their schedule."""
        self._tables_wanted = True

    def step(self) -> DbStatus:
        """Sample now and compute the figures; raises CheckFailed (cause and fix) when the server cannot be
        reached (the next step tries again)."""
        now = time.monotonic()
        due = (self._tables_wanted or self._tables_read_at is None
               or now - self._tables_read_at >= self.tables_every)
        sample = self.sampler.sample(tables=due)
        if sample.tables is not None:
            self._tables_wanted = False
        reading = self.cpu.read(sample.at)
        status = self._figures(sample, reading)
        self._previous = sample
        return status

    def snapshot(self, interval: float, stop: threading.Event | None = None) -> DbStatus:
        """Two samples ``interval`` apart: the rates need both."""
        self.step()
        (stop or threading.Event()).wait(interval)
        return self.step()

    def run(self, every: float, stop: threading.Event, emit: Callable[[DbStatus | CheckFailed], Any]) -> None:
        """Step every ``every`` seconds until ``stop`` is set, handing each status (or failure) to ``emit``."""
        while not stop.is_set():
            try:
                emit(self.step())
            except CheckFailed as exc:
                emit(exc)
            stop.wait(every)

    # -- figures ----------------------------------------------------------------------------------

    def _rates(self, sample: Sample) -> dict[str, float | None]:
        before = self._previous
        if before is None or sample.at <= before.at or sample.status.get("Uptime", 0) < before.status.get("Uptime", 0):
            return dict.fromkeys(RATES)  # the first sample, or the server restarted: counters began again
        seconds = sample.at - before.at
        rates: dict[str, float | None] = {}
        for name, counters in _COUNTERS.items():
            delta = sum(sample.status.get(c, 0) - before.status.get(c, 0) for c in counters)
            if name == "queries":
                delta -= before.queries  # our own statements of the previous sample are not the server's load
            rates[name] = round(max(delta, 0) / seconds, 2)
            self.history[name].append(rates[name] or 0.0)
        return rates

    def _hit_ratio(self, sample: Sample) -> float | None:
        requests, reads = "Innodb_buffer_pool_read_requests", "Innodb_buffer_pool_reads"
        before = self._previous
        if before is not None and sample.status.get(requests, 0) > before.status.get(requests, 0):
            asked = sample.status[requests] - before.status.get(requests, 0)
            missed = sample.status.get(reads, 0) - before.status.get(reads, 0)
        else:
            asked, missed = sample.status.get(requests, 0), sample.status.get(reads, 0)
        return round(100.0 * (1 - max(missed, 0) / asked), 2) if asked > 0 else None

    def _tables(self, sample: Sample) -> tuple[list[TableGrowth] | None, float | None]:
        """The largest tables with their growth since the previous reading and since the first."""
        if sample.tables is not None:
            previous = self._table_sizes
            for t in sample.tables:
                self._tables_first.setdefault(t.name, t.total_bytes)
            later = self._tables_read_at is not None
            self._table_rows = [
                TableGrowth(t.name, t.rows, t.total_bytes,
                            t.total_bytes - previous[t.name] if t.name in previous else None,
                            t.total_bytes - self._tables_first[t.name] if later else None)
                for t in sample.tables]
            self._table_sizes = {t.name: t.total_bytes for t in sample.tables}
            self._tables_read_at = sample.at
        if self._tables_read_at is None:
            return None, None
        return self._table_rows, round(sample.at - self._tables_read_at, 1)

    def _cpu(self, reading: Any) -> tuple[CpuState | None, str]:
        rule = self.rule
        if not self.cpu.local:
            return None, (f"the database runs on another host: watch its CPU there (the guide: above "
                          f"{rule.threshold:g}% of the system for more than {rule.window / 60:g} min is starved)")
        if reading is None:
            rule.reset()
            if not self.cpu.how:
                return None, ("no mysqld/mariadbd process is visible on this host: run wbtui as a user that may "
                              "read /proc of the database process")
            last = list(self.history["cpu"])
            return CpuState(None, last, rule.threshold, rule.window, 0.0, False, self.cpu.how), ""
        verdict = rule.add(reading)
        self.history["cpu"].append(reading.percent)
        return CpuState(verdict.percent, list(self.history["cpu"]), rule.threshold, rule.window, verdict.above_for,
                        verdict.alert, self.cpu.how), ""

    def _figures(self, sample: Sample, reading: Any) -> DbStatus:
        status, variables = sample.status, sample.variables
        version = variables.get("version", "")
        mariadb = "mariadb" in (version + variables.get("version_comment", "")).lower()
        user, _, host = (self.sampler.account or f"{self.url.user}@%").rpartition("@")
        account = sql_account(user, host)
        rates = self._rates(sample)
        tables, tables_age = self._tables(sample)
        cpu, cpu_note = self._cpu(reading)
        repl = replication(sample, mariadb, account)
        maxc = int(variables.get("max_connections", "0") or 0)
        used = status.get("Threads_connected", 0)
        alerts: list[Alert] = []
        if cpu is not None and cpu.alert:
            alerts.append(Alert("error", f"CPU above {cpu.threshold:g}% for {cpu.above_for / 60:.1f} min (now "
                                f"{cpu.percent:g}%): the guide calls the database resource starved",
                                "Give the database more CPU (or a host of its own), or find the expensive queries: "
                                "the longest statements below, the slow query log."))
        if repl.replica is not None and repl.replica.problem is not None:
            severity = "warning" if repl.replica.sql_running == "Yes" and repl.replica.io_running == "Yes" else "error"
            alerts.append(Alert(severity, "replica: " + repl.replica.problem.summary, repl.replica.problem.fix))
        if maxc and used >= CONNECTIONS_WARN * maxc:
            alerts.append(Alert("warning", f"{used} of max_connections {maxc} connections in use: new ones are "
                                "refused at the limit",
                                f"Raise max_connections ([mysqld] max_connections = {max(maxc * 2, 300)}) or find "
                                "the clients that hold connections open."))
        return DbStatus(
            where=f"{self.url.host}:{self.url.effective_port}", account=account, version=version,
            uptime=status.get("Uptime", 0), read_only=variables.get("read_only", "OFF").upper() in ("ON", "1"),
            connections=used, max_connections=maxc, peak_connections=status.get("Max_used_connections", 0),
            threads_running=max(status.get("Threads_running", 0) - 1, 0),  # our own query is running too
            row_lock_current_waits=status.get("Innodb_row_lock_current_waits", 0), rates=rates,
            buffer_pool_hit=self._hit_ratio(sample), statements=sample.statements, replication=repl,
            tables=tables, tables_age=tables_age, cpu=cpu, cpu_note=cpu_note, alerts=alerts,
            history={k: list(v) for k, v in self.history.items()}, queries=sample.queries,
            refresh_seconds=sample.seconds, sampled_at=time.time(),
        )


def watch_from_config(config: Config, timeout: float, **options: Any) -> MysqlWatch:
    """The watch of the database in MYSQL; CheckFailed saying what to set when there is none to watch."""
    from ..config.urls import MYSQL_EXAMPLE, URLError

    text = config.server.MYSQL.strip()
    if not text:
        raise CheckFailed("MYSQL is empty: W&B uses the database embedded in its container, which wbtui cannot "
                          "watch from outside", f"wbtui config set MYSQL {MYSQL_EXAMPLE}")
    try:
        url = MysqlURL.parse(text)
    except URLError as exc:
        raise CheckFailed(f"MYSQL does not parse: {exc}", f"wbtui config set MYSQL {exc.example}") from None
    return MysqlWatch(url, timeout, **options)
