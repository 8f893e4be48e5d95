"""Smoke tests: each test service is the real thing, reachable, and cleaned up."""

from __future__ import annotations

import pymysql
import pytest

from tests.services.mariadb import MariaDB
from wbtui.config.urls import MysqlURL


@pytest.mark.mysql
def test_mariadb_answers_sql_and_says_it_is_mariadb(mariadb: MariaDB) -> None:
    (version,), = mariadb.execute("SELECT VERSION()")
    assert "MariaDB" in version
    assert mariadb.execute("SELECT 6 * 7") == [(42,)]
    assert mariadb.execute("SELECT @@log_bin") == [(1,)]


@pytest.mark.mysql
def test_mariadb_admin_url_logs_in_as_root_over_tcp(mariadb: MariaDB) -> None:
    url = MysqlURL.parse(mariadb.admin_url)
    assert (url.user, url.host, url.port, url.database) == ("root", "127.0.0.1", mariadb.port,
                                                           "mysql")
    conn = pymysql.connect(host=url.host, port=url.port, user=url.user, password=url.password,
                           database=url.database, connect_timeout=5)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT CURRENT_USER()")
        assert cur.fetchone() == ("root@127.0.0.1",)


@pytest.mark.mysql
def test_mariadb_helpers_create_user_database_and_grant(mariadb: MariaDB, mysql_scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database, charset="latin1", collation="latin1_swedish_ci")
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user, grant_option=True)
    url = MysqlURL.parse(s.url)
    assert url.password == s.password
    conn = pymysql.connect(host=url.host, port=url.port, user=url.user, password=url.password,
                           database=url.database, connect_timeout=5)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT @@character_set_database, @@collation_database")
        assert cur.fetchone() == ("latin1", "latin1_swedish_ci")
        cur.execute("SHOW GRANTS")
        grants = " ".join(row[0] for row in cur.fetchall())
    assert f"ON `{s.database}`.*" in grants and "WITH GRANT OPTION" in grants


@pytest.mark.mysql
def test_mariadb_drop_helpers_remove_user_and_database(mariadb: MariaDB, mysql_scratch) -> None:
    mariadb.create_database(mysql_scratch.database)
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    mariadb.drop_database(mysql_scratch.database)
    mariadb.drop_user(mysql_scratch.user)
    assert mariadb.execute("SHOW DATABASES LIKE %s", (mysql_scratch.database,)) == []
    assert mariadb.execute("SELECT 1 FROM mysql.user WHERE user = %s", (mysql_scratch.user,)) == []
