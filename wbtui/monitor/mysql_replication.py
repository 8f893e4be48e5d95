"""Replication as the operator needs it: which role this server has, and what is wrong with a replica.

A replica's status row says a lot in MySQL's words (Slave_SQL_Running: No, Last_SQL_Errno: 1062); this
turns it into the cause and the statements that fix it. The primary's side comes from the Binlog Dump
threads (one per connected replica) and SHOW REPLICAS.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .mysql_sample import Sample

LAG_WARN_SECONDS = 60
"""A replica further behind than this is no hot standby: a failover would lose or wait for that much."""


@dataclass(frozen=True)
class ReplicaProblem:
    summary: str
    fix: str


@dataclass(frozen=True)
class ReplicaState:
    """This server's replica side."""

    source: str
    io_running: str
    sql_running: str
    lag: int | None
    io_state: str
    last_io_error: str
    last_sql_error: str
    problem: ReplicaProblem | None


@dataclass(frozen=True)
class Downstream:
    """A replica streaming from this server, as the primary sees it."""

    host: str
    seconds: float
    state: str


@dataclass(frozen=True)
class Replication:
    role: str
    """"primary" (replicas stream from it), "replica", "relay" (both), "standalone", or "unknown"."""
    replica: ReplicaState | None = None
    downstream: list[Downstream] = field(default_factory=list)
    hidden: str = ""
    """What the account may not see, with the grant that would show it."""


def _get(row: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in row:
            return row[name]
    return None


def replication(sample: Sample, mariadb: bool, account: str) -> Replication:
    """The role and state of replication from one sample."""
    replica = replica_state(sample.replica) if sample.replica else None
    downstream = [Downstream(d.host.rsplit(":", 1)[0], d.seconds, d.state) for d in sample.dump_threads]
    if not downstream and sample.replica_hosts:
        downstream = [Downstream(str(_get(h, "Host") or "?"), 0.0, "registered (SHOW REPLICAS)")
                      for h in sample.replica_hosts]
    role = ("relay" if replica and downstream else "replica" if replica else "primary" if downstream
            else "standalone")
    hidden = ""
    needs = []
    if sample.replica_denied:
        needs.append("SLAVE MONITOR" if mariadb else "REPLICATION CLIENT")
    if sample.statements is None:
        needs.insert(0, "PROCESS")
    if needs and not downstream and not replica:
        role = "unknown"
    if needs:
        hidden = (f"{account} may not see "
                  + ("replication" if sample.replica_denied else "other sessions (replicas, statements)")
                  + f": GRANT {', '.join(needs)} ON *.* TO {account};")
    return Replication(role, replica, downstream, hidden)


def replica_state(row: dict[str, Any]) -> ReplicaState:
    source = f"{_get(row, 'Source_Host', 'Master_Host') or '?'}:{_get(row, 'Source_Port', 'Master_Port') or '?'}"
    io = str(_get(row, "Replica_IO_Running", "Slave_IO_Running") or "")
    sql = str(_get(row, "Replica_SQL_Running", "Slave_SQL_Running") or "")
    lag_value = _get(row, "Seconds_Behind_Source", "Seconds_Behind_Master")
    lag = int(lag_value) if lag_value is not None and str(lag_value).strip() != "" else None
    io_errno = int(_get(row, "Last_IO_Errno") or 0)
    sql_errno = int(_get(row, "Last_SQL_Errno") or 0)
    io_error = str(_get(row, "Last_IO_Error") or "")
    sql_error = str(_get(row, "Last_SQL_Error") or "")
    state = ReplicaState(source, io, sql, lag, str(_get(row, "Replica_IO_State", "Slave_IO_State") or ""),
                         io_error, sql_error, None)
    return ReplicaState(**{**state.__dict__, "problem": diagnose(state, io_errno, sql_errno)})


_START_SQL = "START REPLICA SQL_THREAD;  (MySQL < 8.0.22 and MariaDB < 10.5: START SLAVE SQL_THREAD;)"
_START_IO = "START REPLICA IO_THREAD;  (MySQL < 8.0.22 and MariaDB < 10.5: START SLAVE IO_THREAD;)"
_REBUILD = ("rebuild the replica from a fresh backup of the primary (mysqldump --single-transaction "
            "--source-data / mariadb-dump --master-data, or a physical copy), then CHANGE REPLICATION SOURCE "
            "TO the position it records and START REPLICA")


def diagnose(state: ReplicaState, io_errno: int, sql_errno: int) -> ReplicaProblem | None:
    """What is wrong with a replica, and the fix; None when it streams and applies."""
    if state.sql_running != "Yes":
        if sql_errno == 1062:
            return ReplicaProblem(
                f"the SQL thread stopped on a duplicate key: {state.last_sql_error}",
                "A row the primary inserts already exists on the replica: something wrote to the replica "
                "directly. Compare the row on both servers; delete the replica's copy and START REPLICA "
                "SQL_THREAD (or skip this one event: SET GLOBAL sql_slave_skip_counter = 1 on MariaDB / an "
                "empty transaction for its GTID on MySQL), then make the replica read-only (read_only = ON, "
                "super_read_only on MySQL) so it cannot happen again. If many rows differ, " + _REBUILD + ".")
        if sql_errno == 1032:
            return ReplicaProblem(
                f"the SQL thread stopped: a row to change is missing on the replica: {state.last_sql_error}",
                "The replica's data has drifted from the primary's (a write or delete on the replica). "
                + _REBUILD[0].upper() + _REBUILD[1:] + "; make the replica read-only (read_only = ON).")
        if sql_errno:
            return ReplicaProblem(f"the SQL thread stopped on error {sql_errno}: {state.last_sql_error}",
                                  "Fix the cause the error names on the replica, then " + _START_SQL)
        return ReplicaProblem(
            "the SQL thread is stopped (no error: someone ran STOP REPLICA SQL_THREAD); changes arrive but are "
            "not applied, so the lag grows",
            _START_SQL)
    if state.io_running != "Yes":
        if io_errno == 1236:
            return ReplicaProblem(
                f"the primary no longer has the binary log this replica needs: {state.last_io_error}",
                "The primary purged it (binlog_expire_logs_seconds / expire_logs_days, or PURGE BINARY "
                "LOGS) before the replica read it: " + _REBUILD + "; keep binary logs longer than a "
                "replica may be down.")
        if io_errno in (1045, 1130, 2003, 2005) or state.io_running == "Connecting":
            return ReplicaProblem(
                "the replica cannot connect to its source " + state.source
                + (f": {state.last_io_error}" if state.last_io_error else ""),
                "Check that the source is up and reachable from the replica (host, port, firewall), and the "
                "replication account's password and REPLICATION SLAVE grant; the IO thread retries by "
                "itself (SHOW REPLICA STATUS shows the next error).")
        if io_errno:
            return ReplicaProblem(f"the IO thread stopped on error {io_errno}: {state.last_io_error}",
                                  "Fix the cause the error names, then " + _START_IO)
        return ReplicaProblem("the IO thread is stopped (no error: someone ran STOP REPLICA IO_THREAD); "
                              "nothing new arrives from the primary", _START_IO)
    if state.lag is not None and state.lag > LAG_WARN_SECONDS:
        return ReplicaProblem(
            f"the replica is {state.lag} s behind its source",
            "Find what holds the SQL thread (the longest statements here, a lock held on the replica, a big "
            "transaction on the primary) and give the replica the primary's CPU and disk; "
            "replica_parallel_workers (slave_parallel_threads on MariaDB) applies in parallel.")
    return None
