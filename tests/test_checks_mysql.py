"""The MySQL checks against the real MariaDB test server (and sockets that misbehave)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from tests.services.base import free_port, silent_endpoint
from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from wbtui.checks.model import CheckFailed, CheckResult, Status
from wbtui.checks.mysql import MysqlChecks, run_mysql_checks
from wbtui.config.model import Config
from wbtui.config.urls import MysqlURL

FAST = {"timeout": 5.0, "cpu_window": 0.2}


def config_for(url: str) -> Config:
    config = Config()
    config.server.MYSQL = url
    return config


def by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


def assert_no_secret(results: list[CheckResult], password: str) -> None:
    for r in results:
        text = " ".join([r.summary, r.details, r.fix, repr(r.data)])
        assert password not in text and quote(password, safe="") not in text, r.id


def guide_setup(mariadb: MariaDB, s: Scratch) -> None:
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user, grant_option=True)


@pytest.mark.mysql
def test_good_user_passes_everything_but_the_mariadb_verdict(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    guide_setup(mariadb, mysql_scratch)
    seen: list[str] = []
    results = run_mysql_checks(config_for(mysql_scratch.url), on_result=lambda r: seen.append(r.id), **FAST)
    r = by_id(results)
    assert seen == [x.id for x in results]
    assert [x.store for x in results] == ["mysql"] * len(results)
    for check in ("mysql.connect", "mysql.charset", "mysql.privileges", "mysql.write", "mysql.binlog",
                  "mysql.load", "mysql.cpu"):
        assert r[check].status is Status.PASS, (check, r[check].summary, r[check].details)
    assert f"{mysql_scratch.user}@%" in r["mysql.connect"].summary
    # The test server is deliberately not tuned: the recommended settings warn, with my.cnf lines.
    assert r["mysql.settings"].status is Status.WARN
    assert r["mysql.settings"].fix.startswith("[mysqld]\n") and "sync_binlog = 1" in r["mysql.settings"].fix
    assert r["mysql.replication"].status is Status.WARN  # no standby, and the W&B user may not look
    assert "GRANT PROCESS" in r["mysql.replication"].fix
    assert r["mysql.cpu"].data["pids"] and "listening on port" in r["mysql.cpu"].data["process"]
    assert_no_secret(results, mysql_scratch.password)
    tables = mariadb.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
                             (mysql_scratch.database,))
    assert tables == []  # the write test's scratch table is gone


@pytest.mark.mysql
def test_mariadb_is_reported_as_unsupported(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    guide_setup(mariadb, mysql_scratch)
    server = by_id(run_mysql_checks(config_for(mysql_scratch.url), **FAST))["mysql.server"]
    assert server.status is Status.FAIL
    assert "MariaDB" in server.summary and "not supported by W&B" in server.summary
    assert "MySQL 8.0.28" in server.fix
    assert server.data["product"] == "MariaDB"


@pytest.mark.mysql
def test_wrong_password_is_access_denied_and_the_rest_skipped(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    guide_setup(mariadb, mysql_scratch)
    url = MysqlURL.parse(mysql_scratch.url)
    wrong = MysqlURL(url.user, "not-" + url.password, url.host, url.database, url.port).format()
    results = run_mysql_checks(config_for(wrong), **FAST)
    connect = results[0]
    assert connect.status is Status.FAIL and connect.data["cause"] == "access_denied"
    assert "wrong user name or password" in connect.summary
    assert "--reset-password" in connect.fix
    assert all(r.status is Status.SKIPPED for r in results[1:] if r.id != "mysql.backup")  # that one reads files
    assert_no_secret(results, "not-" + url.password)


@pytest.mark.mysql
def test_missing_database_points_at_db_init(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    mariadb.grant("ALL", f"`{mysql_scratch.database}`.*", mysql_scratch.user, grant_option=True)
    connect = run_mysql_checks(config_for(mysql_scratch.url), **FAST)[0]
    assert connect.status is Status.FAIL and connect.data["cause"] == "unknown_database"
    assert connect.fix.startswith(f"wbtui db init --admin mysql://root:****@127.0.0.1:{mariadb.port}/mysql")


@pytest.mark.mysql
def test_database_without_grants_is_reported_as_no_access(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    mariadb.create_database(mysql_scratch.database)
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    connect = run_mysql_checks(config_for(mysql_scratch.url), **FAST)[0]
    assert connect.data["cause"] == "no_database_access"
    assert "wbtui db init" in connect.fix


@pytest.mark.mysql
def test_latin1_database_fails_with_the_alter_fix(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database, charset="latin1", collation="latin1_swedish_ci")
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user, grant_option=True)
    mariadb.execute(f"CREATE TABLE `{s.database}`.`runs` (id INT PRIMARY KEY, name VARCHAR(10))")
    r = by_id(run_mysql_checks(config_for(s.url), **FAST))
    charset = r["mysql.charset"]
    assert charset.status is Status.FAIL
    assert "latin1" in charset.summary and "utf8mb4" in charset.summary
    assert f"ALTER DATABASE `{s.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;" in charset.fix
    assert f"ALTER TABLE `{s.database}`.`runs` CONVERT TO CHARACTER SET utf8mb4" in charset.fix
    assert r["mysql.write"].status is Status.SKIPPED
    for statement in charset.fix.splitlines():  # the fix is real SQL that makes the check pass
        mariadb.execute(statement)
    assert by_id(run_mysql_checks(config_for(s.url), **FAST))["mysql.charset"].status is Status.PASS


@pytest.mark.mysql
def test_other_utf8mb4_collation_warns(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database, collation="utf8mb4_unicode_ci")
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user)
    charset = by_id(run_mysql_checks(config_for(s.url), **FAST))["mysql.charset"]
    assert charset.status is Status.WARN and "utf8mb4_unicode_ci" in charset.summary


@pytest.mark.mysql
def test_partial_grants_list_what_is_missing_and_the_grant_fixes_it(mariadb: MariaDB,
                                                                     mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("SELECT, INSERT, UPDATE, DELETE", f"`{s.database}`.*", s.user)
    r = by_id(run_mysql_checks(config_for(s.url), **FAST))
    privileges = r["mysql.privileges"]
    assert privileges.status is Status.FAIL
    assert "CREATE" in privileges.data["missing"] and "ALTER" in privileges.data["missing"]
    assert "SELECT" not in privileges.data["missing"]
    assert r["mysql.write"].status is Status.SKIPPED
    mariadb.execute(privileges.fix)
    r = by_id(run_mysql_checks(config_for(s.url), **FAST))
    assert r["mysql.privileges"].status is Status.PASS and r["mysql.write"].status is Status.PASS


@pytest.mark.mysql
def test_grants_through_a_default_role_count_and_a_non_default_role_does_not(mariadb: MariaDB,
                                                                              mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    role = f"{s.user}_role"
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.execute(f"CREATE ROLE `{role}`")
    try:
        mariadb.execute(f"GRANT ALL ON `{s.database}`.* TO `{role}`")
        mariadb.execute(f"GRANT `{role}` TO %s@'%%'", (s.user,))
        mariadb.grant("SELECT", f"`{s.database}`.*", s.user)  # enough to connect without the role
        privileges = by_id(run_mysql_checks(config_for(s.url), **FAST))["mysql.privileges"]
        assert privileges.status is Status.FAIL
        assert privileges.data["inactive_roles"] == [role]
        assert f"SET DEFAULT ROLE `{role}` FOR" in privileges.details
        mariadb.execute(f"SET DEFAULT ROLE `{role}` FOR %s@'%%'", (s.user,))
        r = by_id(run_mysql_checks(config_for(s.url), **FAST))
        assert r["mysql.privileges"].status is Status.PASS, r["mysql.privileges"].summary
        assert r["mysql.privileges"].data["active_roles"] == [role]
        assert r["mysql.write"].status is Status.PASS
    finally:
        mariadb.execute(f"DROP ROLE IF EXISTS `{role}`")


@pytest.mark.mysql
def test_wildcard_grant_is_understood(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database[:-3]}%%`.*", s.user)  # the helper formats with %
    r = by_id(run_mysql_checks(config_for(s.url), **FAST))
    assert r["mysql.privileges"].status is Status.PASS
    assert "%" in r["mysql.privileges"].details


@pytest.mark.mysql
def test_root_sees_that_there_is_no_standby(mariadb: MariaDB) -> None:
    replication = by_id(run_mysql_checks(config_for(mariadb.admin_url), **FAST))["mysql.replication"]
    assert replication.status is Status.WARN
    assert replication.summary.startswith("no hot standby")
    assert replication.data["replicas"] == 0


def test_connection_refused_on_a_closed_port() -> None:
    port = free_port()
    url = MysqlURL("wandb_local", "pw-secret", "127.0.0.1", "wandb_local", port).format()
    results = run_mysql_checks(config_for(url), timeout=2.0)
    assert results[0].data["cause"] == "refused"
    assert f"127.0.0.1:{port}" in results[0].summary
    assert {r.status for r in results[1:] if r.id != "mysql.backup"} == {Status.SKIPPED}  # that one reads files


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never answers."""
    with silent_endpoint() as port:
        yield port
def test_silent_endpoint_fails_within_the_configured_timeout(silent_port: int) -> None:
    url = MysqlURL("wandb_local", "pw-secret", "127.0.0.1", "wandb_local", silent_port).format()
    timeout = 2.0
    run_mysql_checks(config_for(url), timeout=0.1)  # warm up: pymysql's first import is not the timeout
    started = time.monotonic()
    results = run_mysql_checks(config_for(url), timeout=timeout)
    elapsed = time.monotonic() - started
    assert results[0].data["cause"] == "timeout"
    assert "sent no MySQL greeting within 2s" in results[0].summary
    assert timeout * 0.95 <= elapsed <= timeout * 1.5  # loose: shared test machines are busy


def test_empty_and_broken_mysql_settings() -> None:
    empty = run_mysql_checks(Config())
    assert [(r.id, r.status) for r in empty] == [("mysql.config", Status.WARN), ("mysql.backup", Status.SKIPPED)]
    assert "embedded" in empty[0].summary
    broken = run_mysql_checks(config_for("mysql://nopassword@db/wandb"))
    assert broken[0].status is Status.FAIL and "does not parse" in broken[0].summary


@pytest.mark.mysql
def test_write_test_cleans_up_when_a_step_fails(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("SELECT, CREATE, DROP", f"`{s.database}`.*", s.user)  # no INSERT: fails after CREATE
    checks = MysqlChecks(MysqlURL.parse(s.url), timeout=5.0)
    try:
        checks.connect()
        with pytest.raises(CheckFailed) as info:
            checks.write()
    finally:
        checks.close()
    assert "not allowed to write" in info.value.summary and "GRANT ALL ON" in info.value.fix
    assert mariadb.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s",
                           (s.database,)) == []
