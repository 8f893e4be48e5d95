"""One cheap look at a MySQL server: a handful of queries whose answers the watcher turns into figures.

Every refresh costs the server four or five small queries (status and variable subsets, the process
list, replication status); table sizes from information_schema are read less often, as they cost more.
What the account may not see is recorded with the grant that would show it, never treated as an error.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from ..checks.model import CheckFailed
from ..checks.mysql_connect import error_code, error_message, explain, open_connection
from ..config.urls import MysqlURL

STATUS_NAMES = (
    "Uptime", "Threads_connected", "Threads_running", "Max_used_connections", "Questions", "Com_commit",
    "Com_rollback", "Handler_commit", "Slow_queries", "Innodb_buffer_pool_read_requests",
    "Innodb_buffer_pool_reads", "Innodb_row_lock_waits", "Innodb_row_lock_current_waits",
)
VARIABLE_NAMES = ("max_connections", "read_only", "version", "version_comment")
STATEMENT_LIMIT = 5
STATEMENT_TEXT = 200  # characters of a statement's text: enough to recognise it, cheap to carry
TABLE_LIMIT = 8
REPLICATION_COMMANDS = frozenset({"Binlog Dump", "Binlog Dump GTID"})
REPLICA_THREADS = frozenset({"Slave_IO", "Slave_SQL", "Slave_worker", "Connect"})
_LOST = frozenset({2006, 2013, 2055, 0})


@dataclass(frozen=True)
class Statement:
    """A statement running now: who, how long, what."""

    id: int
    user: str
    host: str
    db: str
    seconds: float
    state: str
    text: str


@dataclass(frozen=True)
class TableSize:
    name: str
    rows: int
    data_bytes: int
    index_bytes: int

    @property
    def total_bytes(self) -> int:
        return self.data_bytes + self.index_bytes


@dataclass
class Sample:
    """What the server said at ``at`` (monotonic seconds)."""

    at: float
    status: dict[str, int]
    variables: dict[str, str]
    statements: list[Statement] | None
    """Statements of every account, or None when the account lacks PROCESS (it sees only its own)."""
    dump_threads: list[Statement] = field(default_factory=list)
    """The primary's side of replication: one Binlog Dump thread per connected replica."""
    replica: dict[str, Any] | None = None
    """SHOW REPLICA STATUS's row when this server is a replica."""
    replica_denied: str = ""
    replica_hosts: list[dict[str, Any]] | None = None
    tables: list[TableSize] | None = None
    """Largest tables of the W&B database, when read in this sample."""
    queries: int = 0
    seconds: float = 0.0
    """How long the sample's queries took, round trips included."""


class MysqlSampler:
    """Takes samples over one connection, opened on first use and again after it was lost."""

    def __init__(self, url: MysqlURL, timeout: float) -> None:
        self.url = url
        self.timeout = timeout
        self.conn: Any = None
        self.account = ""
        """CURRENT_USER() as user@host, once connected."""
        self._replica_sql: tuple[str, ...] = ("SHOW REPLICA STATUS", "SHOW SLAVE STATUS")
        self._hosts_sql: tuple[str, ...] = ("SHOW REPLICAS", "SHOW SLAVE HOSTS")
        self._process: bool | None = None
        self._replica_denied_why = ""
        self._queries = 0

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):  # closing a broken connection is not news
                self.conn.close()
            self.conn = None

    def connect(self) -> None:
        """Open the connection; a failure raises CheckFailed with its cause and fix."""
        if self.conn is not None:
            return
        try:
            self.conn = open_connection(self.url, self.timeout)
        except Exception as exc:  # every failure is classified for the operator
            raise explain(exc, self.url, self.timeout) from None
        self._process = None
        self._replica_denied_why = ""
        self._replica_sql = ("SHOW REPLICA STATUS", "SHOW SLAVE STATUS")
        self._hosts_sql = ("SHOW REPLICAS", "SHOW SLAVE HOSTS")

    def sample(self, *, tables: bool = False) -> Sample:
        """One look; ``tables`` also reads the W&B database's largest tables. A lost connection raises
        CheckFailed (the next sample connects again)."""
        import pymysql

        self.connect()
        began = time.monotonic()
        self._queries = 0
        try:
            sample = self._look(tables)
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:
            self.close()
            message = error_message(exc) or "the server closed the connection"
            where = f"{self.url.host}:{self.url.effective_port}"
            raise CheckFailed(f"lost the connection to {where}: {message}",
                              "Check that the server is up and answering (its error log, its load); the next "
                              "refresh connects again.", cause="lost") from None
        sample.queries = self._queries
        sample.seconds = time.monotonic() - began
        return sample

    def _look(self, tables: bool) -> Sample:
        at = time.monotonic()
        names = ", ".join(f"'{n}'" for n in STATUS_NAMES)
        status = {str(k): _int(v) for k, v in self._rows(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})")}
        values = self._rows("SELECT " + ", ".join(f"@@GLOBAL.{n}" for n in VARIABLE_NAMES))[0]  # a third of SHOW's cost
        variables = {name: _text(value) for name, value in zip(VARIABLE_NAMES, values, strict=True)}
        if self._process is None:  # once per connection: who we are, and whether we see every session
            account, process = self._rows(
                "SELECT CURRENT_USER(), EXISTS(SELECT 1 FROM information_schema.USER_PRIVILEGES "
                "WHERE PRIVILEGE_TYPE = 'PROCESS')")[0]
            self.account, self._process = str(account or ""), bool(process)
        running, dumps = self._processlist()
        sample = Sample(at, status, variables, running if self._process else None, dumps)
        sample.replica, sample.replica_denied = self._replication()
        sample.replica_hosts = self._replica_hosts()
        if tables:
            sample.tables = self._tables()
        return sample

    def _rows(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        self._queries += 1
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall()) if cur.description else []

    def _dicts(self, *queries: str) -> tuple[list[dict[str, Any]] | None, str, tuple[str, ...]]:
        """The first of ``queries`` the server understands, as dicts; (None, why) when denied. Also the
        queries to try next time (the one that worked first, or none once denied)."""
        import pymysql

        why = ""
        for n, sql in enumerate(queries):
            self._queries += 1
            try:
                with self.conn.cursor(pymysql.cursors.DictCursor) as cur:
                    cur.execute(sql)
                    return list(cur.fetchall()), "", queries[n:]
            except pymysql.err.MySQLError as exc:
                code = error_code(exc)
                if code in _LOST or not self.conn.open:
                    raise
                why = error_message(exc)
                if code == 1064:  # syntax: an older server, try the next spelling
                    continue
                return None, why, ()
        return None, why, ()

    def _processlist(self) -> tuple[list[Statement], list[Statement]]:
        rows = self._rows(
            "SELECT ID, USER, HOST, DB, COMMAND, TIME, STATE, LEFT(INFO, %s) FROM information_schema.PROCESSLIST "
            "WHERE COMMAND <> 'Sleep' AND ID <> CONNECTION_ID() ORDER BY TIME DESC LIMIT 50", (STATEMENT_TEXT,))
        running: list[Statement] = []
        dumps: list[Statement] = []
        for pid, user, host, db, command, seconds, state, info in rows:
            statement = Statement(int(pid), str(user or ""), str(host or ""), str(db or ""), float(seconds or 0),
                                  str(state or ""), " ".join(str(info or "").split()))
            if command in REPLICATION_COMMANDS:
                dumps.append(statement)
            elif command not in REPLICA_THREADS and command != "Daemon" and info and user != "system user":
                running.append(statement)
        return running[:STATEMENT_LIMIT], dumps

    def _replication(self) -> tuple[dict[str, Any] | None, str]:
        if not self._replica_sql:
            return None, self._replica_denied_why
        rows, why, self._replica_sql = self._dicts(*self._replica_sql)
        if rows is None:
            self._replica_denied_why = why
            return None, why
        return (rows[0] if rows else None), ""

    def _replica_hosts(self) -> list[dict[str, Any]] | None:
        if not self._hosts_sql:
            return None
        rows, _, self._hosts_sql = self._dicts(*self._hosts_sql)
        return rows

    def _tables(self) -> list[TableSize]:
        rows = self._rows(
            "SELECT TABLE_NAME, COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0), COALESCE(INDEX_LENGTH, 0) "
            "FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE' "
            "ORDER BY COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) DESC, TABLE_NAME LIMIT %s",
            (self.url.database, TABLE_LIMIT))
        return [TableSize(str(name), int(n), int(data), int(index)) for name, n, data, index in rows]


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
