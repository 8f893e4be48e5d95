"""The MySQL write test never leaves its scratch table behind for good (issue 18, item 6).

A session killed mid-check (``KILL`` from an admin connection, while the account cannot log in
again, as in a network outage) keeps its table; the next write test drops it, and only it.
"""

from __future__ import annotations

from typing import Any

import pymysql
import pytest

from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from tests.test_checks_mysql import FAST, by_id, config_for, guide_setup
from wbtui.checks.model import Status
from wbtui.checks.mysql import MysqlChecks, run_mysql_checks


def _tables(mariadb: MariaDB, database: str) -> list[str]:
    rows = mariadb.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
                           "ORDER BY TABLE_NAME", (database,))
    return [str(row[0]) for row in rows]


def _kill_at_insert(mariadb: MariaDB, s: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the write test inserts, its session is killed and the account refused (no clean-up possible)."""
    original = MysqlChecks._rows

    def rows(self: MysqlChecks, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        if sql.startswith("INSERT INTO `wbtui_check_"):
            mariadb.execute("ALTER USER %s@'%%' IDENTIFIED BY 'locked-out'", (s.user,))
            mariadb.execute(f"KILL CONNECTION {self.conn.thread_id()}")
        return original(self, sql, params)

    monkeypatch.setattr(MysqlChecks, "_rows", rows)


@pytest.mark.mysql
def test_a_killed_write_test_leaves_a_table_the_next_one_drops(mariadb: MariaDB, mysql_scratch: Scratch,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    s = mysql_scratch
    guide_setup(mariadb, s)
    with monkeypatch.context() as patch:
        _kill_at_insert(mariadb, s, patch)
        killed = by_id(run_mysql_checks(config_for(s.url), **FAST))["mysql.write"]
    assert killed.status is Status.FAIL and "could not drop the scratch table" in killed.summary
    [left] = _tables(mariadb, s.database)
    assert left.startswith("wbtui_check_")

    mariadb.execute("ALTER USER %s@'%%' IDENTIFIED BY %s", (s.user, s.password))
    mariadb.execute(f"CREATE TABLE `{s.database}`.`wbtui_check_notes` (id INT)")  # not our pattern: kept
    alive = pymysql.connect(host=mariadb.host, port=mariadb.port, user=mariadb.root_user,
                            password=mariadb.root_password, autocommit=True)
    busy = "wbtui_check_0123456789ab"  # a check still running in another session: kept
    try:
        with alive.cursor() as cur:
            cur.execute("SELECT GET_LOCK(%s, 0)", (busy,))
            cur.execute(f"CREATE TABLE `{s.database}`.`{busy}` (id INT)")
        write = by_id(run_mysql_checks(config_for(s.url), **FAST))["mysql.write"]
    finally:
        alive.close()
    assert write.status is Status.PASS, write.summary
    assert _tables(mariadb, s.database) == [busy, "wbtui_check_notes"]
    assert write.data["leftovers_dropped"] == [left] and left in write.details
