"""Replication in the Database view, on two real MariaDB servers: lag, a stopped and a broken replica.

The replica streams from the session's MariaDB (tests/services/mariadb_replica.py); each test breaks it
the way an operator would meet it, waits for the view to say so, then applies the fix the view gives and
waits for replication to recover.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from tests.services.mariadb_replica import Replicated
from wbtui.config.urls import MysqlURL
from wbtui.monitor.mysql_lines import sections
from wbtui.monitor.mysql_replication import ReplicaState, diagnose
from wbtui.monitor.mysql_status import DbStatus
from wbtui.monitor.mysql_watch import MysqlWatch

WAIT = 60.0


def watch_of(server: Replicated, which: str) -> MysqlWatch:
    target = server.replica if which == "replica" else server.primary
    url = MysqlURL(target.root_user, target.root_password, target.host, server.database, target.port)
    return MysqlWatch(url, 5.0)


def until(watch: MysqlWatch, predicate: Callable[[DbStatus], bool], every: float = 0.3) -> DbStatus:
    """Step the watch until its status satisfies ``predicate`` (at the watch's own pace)."""
    pause = threading.Event()
    deadline = time.monotonic() + WAIT
    while True:
        status = watch.step()
        if predicate(status):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"no status within {WAIT:g}s matched; the last: {status.to_json()}")
        pause.wait(every)


def text(status: DbStatus) -> str:
    return "\n".join(line.text for part in sections(status, 80).values() for line in part)


@pytest.mark.mysql
def test_the_primary_sees_its_replica_and_the_replica_its_lag(replicated: Replicated) -> None:
    db, primary, replica = replicated.database, replicated.primary, replicated.replica
    primary.execute(f"CREATE TABLE `{db}`.runs (id INT PRIMARY KEY, name TEXT)")
    from tests.services.base import wait_for

    wait_for(replica.caught_up, 30, "the replica")
    on_primary, on_replica = watch_of(replicated, "primary"), watch_of(replicated, "replica")
    holder = replica._connection()
    try:
        seen = until(on_primary, lambda s: bool(s.replication.downstream))
        assert seen.replication.role == "primary" and seen.replication.downstream[0].host == "127.0.0.1"
        assert "1 replica(s) stream from this server" in text(seen)
        calm = until(on_replica, lambda s: s.replication.replica is not None and s.replication.replica.lag == 0)
        assert calm.replication.role == "replica" and calm.replication.replica is not None
        assert calm.replication.replica.source == f"127.0.0.1:{primary.port}" and not calm.alerts
        with holder.cursor() as cur:  # the replica's SQL thread waits for this lock: the lag grows
            cur.execute(f"LOCK TABLES `{db}`.runs WRITE")
        primary.execute(f"INSERT INTO `{db}`.runs VALUES (1, 'late')")
        behind = until(on_replica, lambda s: s.replication.replica is not None
                       and (s.replication.replica.lag or 0) >= 2)
        assert "lag " in text(behind) and "SQL thread Yes" in text(behind)
        with holder.cursor() as cur:
            cur.execute("UNLOCK TABLES")
        until(on_replica, lambda s: s.replication.replica is not None and s.replication.replica.lag == 0)
        assert replica.execute(f"SELECT name FROM `{db}`.runs WHERE id = 1") == [("late",)]
    finally:
        on_primary.close()
        on_replica.close()


@pytest.mark.mysql
def test_a_stopped_sql_thread_is_diagnosed_and_its_fix_works(replicated: Replicated) -> None:
    db, primary, replica = replicated.database, replicated.primary, replicated.replica
    watch = watch_of(replicated, "replica")
    try:
        replica.execute("STOP SLAVE SQL_THREAD")
        primary.execute(f"CREATE TABLE `{db}`.runs (id INT PRIMARY KEY)")
        stopped = until(watch, lambda s: s.replication.replica is not None
                        and s.replication.replica.sql_running == "No")
        problem = stopped.replication.replica.problem if stopped.replication.replica else None
        assert problem is not None and "SQL thread is stopped" in problem.summary
        alert = stopped.alerts[0]
        assert alert.severity == "error" and alert.summary.startswith("replica: the SQL thread is stopped")
        assert text(stopped).splitlines()[0].startswith("✘ replica: the SQL thread is stopped")
        replica.execute(alert.fix.split(";")[0])  # START REPLICA SQL_THREAD, as the view says
        recovered = until(watch, lambda s: s.replication.replica is not None
                          and s.replication.replica.problem is None)
        assert not recovered.alerts
        until(watch, lambda s: bool(replica.execute(f"SHOW TABLES FROM `{db}` LIKE 'runs'")))
    finally:
        watch.close()


@pytest.mark.mysql
def test_a_conflicting_row_is_diagnosed_as_a_duplicate_key_with_its_fix(replicated: Replicated) -> None:
    db, primary, replica = replicated.database, replicated.primary, replicated.replica
    from tests.services.base import wait_for

    primary.execute(f"CREATE TABLE `{db}`.runs (id INT PRIMARY KEY, name TEXT)")
    wait_for(replica.caught_up, 30, "the replica")
    replica.execute(f"INSERT INTO `{db}`.runs VALUES (7, 'written on the replica')")  # what must not happen
    primary.execute(f"INSERT INTO `{db}`.runs VALUES (7, 'from the primary')")
    watch = watch_of(replicated, "replica")
    try:
        broken = until(watch, lambda s: s.replication.replica is not None
                       and s.replication.replica.problem is not None
                       and "duplicate key" in s.replication.replica.problem.summary)
        state = broken.replication.replica
        assert state is not None and state.sql_running == "No" and "Duplicate entry '7'" in state.last_sql_error
        assert state.problem is not None and "read_only" in state.problem.fix
        assert "START REPLICA SQL_THREAD" in state.problem.fix and "sql_slave_skip_counter" in state.problem.fix
        lines = text(broken).splitlines()
        assert lines[0].startswith("✘ replica: the SQL thread stopped on a duplicate key")
        assert any(line.startswith("  fix: A row the primary inserts already exists") for line in lines[:3])
        replica.execute(f"DELETE FROM `{db}`.runs WHERE id = 7")  # the fix: remove the replica's copy, restart
        replica.execute("START REPLICA SQL_THREAD")
        until(watch, lambda s: s.replication.replica is not None and s.replication.replica.problem is None)
        wait_for(replica.caught_up, 30, "the replica")
        assert replica.execute(f"SELECT name FROM `{db}`.runs") == [("from the primary",)]
    finally:
        watch.close()


def test_a_purged_binlog_and_an_unreachable_source_are_told_apart() -> None:
    base = ReplicaState("db1:3306", "No", "Yes", None, "", "", "", None)
    purged = diagnose(ReplicaState(**{**base.__dict__, "last_io_error": "Got fatal error 1236 from master when "
                                      "reading data from binary log: 'Could not find GTID state'"}), 1236, 0)
    assert purged is not None and "no longer has the binary log" in purged.summary and "rebuild" in purged.fix
    connecting = diagnose(ReplicaState(**{**base.__dict__, "io_running": "Connecting"}), 2003, 0)
    assert connecting is not None and "cannot connect to its source db1:3306" in connecting.summary
    assert diagnose(ReplicaState(**{**base.__dict__, "io_running": "Yes", "lag": 3}), 0, 0) is None
    late = diagnose(ReplicaState(**{**base.__dict__, "io_running": "Yes", "lag": 600}), 0, 0)
    assert late is not None and "600 s behind" in late.summary
