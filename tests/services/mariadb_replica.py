"""A second MariaDB replicating from the session's server: real replication for the Database view's tests.

Only databases named ``wbt_repl_*`` replicate (``replicate-wild-do-table``), so whatever other tests do on
the primary (users, other databases, restores) never breaks the replica. Each test gets the replica
pointed afresh at the primary's current position (GTID), so a test that breaks replication on purpose
leaves nothing behind.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import unavailable, wait_for
from tests.services.mariadb import MariaDB

REPLICATED = "wbt_repl_"
REPLICATION_USER = "wbt_replication"


class Replica(MariaDB):
    """A mariadbd with server id 2 that streams ``wbt_repl_*`` from ``primary``."""

    def __init__(self, workdir: Path, primary: MariaDB) -> None:
        super().__init__(workdir, server_id=2,
                         extra_args=(f"--replicate-wild-do-table={REPLICATED.replace('_', chr(92) + '_')}%.%",
                                     "--skip-slave-start"))
        self.primary = primary
        self.replication_password = secrets.token_hex(12)

    def start(self, timeout: float = 60) -> None:
        super().start(timeout)
        self.primary.execute("CREATE USER IF NOT EXISTS %s@'127.0.0.1' IDENTIFIED BY %s",
                             (REPLICATION_USER, self.replication_password))
        self.primary.execute("ALTER USER %s@'127.0.0.1' IDENTIFIED BY %s",
                             (REPLICATION_USER, self.replication_password))
        self.primary.execute("GRANT REPLICATION SLAVE ON *.* TO %s@'127.0.0.1'", (REPLICATION_USER,))

    def status(self) -> dict[str, Any]:
        import pymysql

        with self._connection().cursor(pymysql.cursors.DictCursor) as cur:
            cur.execute("SHOW SLAVE STATUS")
            return dict(cur.fetchone() or {})

    def follow_primary(self) -> None:
        """Stream from the primary's current position, whatever state replication was left in."""
        self.execute("STOP SLAVE")
        self.execute("RESET SLAVE ALL")
        position = self.primary.execute("SELECT @@gtid_binlog_pos")[0][0]
        self.execute("SET GLOBAL gtid_slave_pos = %s", (position,))
        self.execute("CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = %s, MASTER_USER = %s, "
                     "MASTER_PASSWORD = %s, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1",
                     (self.primary.port, REPLICATION_USER, self.replication_password))
        self.execute("START SLAVE")
        wait_for(lambda: self.status().get("Slave_IO_Running") == "Yes", 30, "the replica's IO thread")

    def caught_up(self) -> bool:
        """The replica has applied everything the primary has written so far."""
        primary = str(self.primary.execute("SELECT @@gtid_binlog_pos")[0][0])
        return all(gtid in str(self.execute("SELECT @@gtid_slave_pos")[0][0]).split(",")
                   for gtid in primary.split(",") if gtid)


@pytest.fixture(scope="session")
def mariadb_replica(mariadb: MariaDB, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replica]:
    server = Replica(tmp_path_factory.mktemp("mariadb-replica"), mariadb)
    try:
        server.start()
    except Exception as exc:  # whatever stopped it, the replication tests cannot run
        server.stop(remove_data=True)
        unavailable("MariaDB replica", exc)
    yield server
    server.stop(remove_data=True)


@dataclass(frozen=True)
class Replicated:
    """One test's replicated database, on both servers."""

    database: str
    primary: MariaDB
    replica: Replica


@pytest.fixture
def replicated(mariadb: MariaDB, mariadb_replica: Replica) -> Iterator[Replicated]:
    """A fresh ``wbt_repl_*`` database created on the primary and already on the replica."""
    mariadb_replica.follow_primary()
    database = REPLICATED + secrets.token_hex(4)
    mariadb.execute(f"CREATE DATABASE `{database}`")
    wait_for(lambda: mariadb_replica.execute("SHOW DATABASES LIKE %s", (database,)), 30,
             f"{database} on the replica")
    yield Replicated(database, mariadb, mariadb_replica)
    mariadb.execute(f"DROP DATABASE IF EXISTS `{database}`")
    mariadb_replica.execute("STOP SLAVE")
    mariadb_replica.execute(f"DROP DATABASE IF EXISTS `{database}`")
