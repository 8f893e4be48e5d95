"""MySQL accounts as they really fail (issue 13): anonymous accounts, host parts, the account a login lands on.

Run against the real MariaDB test server. It runs with --skip-name-resolve, so the server
names a TCP login from loopback '127.0.0.1' (not 'localhost' as a default install does):
the anonymous account that shadows our logins here is ''@'127.0.0.1', the same mechanism
as a default install's ''@'localhost'.
"""

from __future__ import annotations

from collections.abc import Iterator

import pymysql
import pytest

from tests.mysql_results import assert_no_secret, by_id
from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from wbtui.checks.model import Status
from wbtui.checks.mysql import run_mysql_checks
from wbtui.checks.mysql_accounts import Account, host_matches, matched_account, shadowing
from wbtui.checks.mysql_connect import explain
from wbtui.checks.mysql_init import apply_db_init, plan_db_init
from wbtui.config.model import Config
from wbtui.config.sql_quoting import grant_database
from wbtui.config.urls import MysqlURL

FAST = {"timeout": 5.0, "cpu_window": 0.1}
LOOPBACK = "127.0.0.1"  # the host the test server names our logins with


def config_for(url: str) -> Config:
    config = Config()
    config.server.MYSQL = url
    return config




def can_log_in(url: str) -> str | None:
    """CURRENT_USER() of a login with ``url``, or None when refused."""
    u = MysqlURL.parse(url)
    try:
        conn = pymysql.connect(host=u.host, port=u.port, user=u.user, password=u.password, database=u.database,
                               connect_timeout=5)
    except pymysql.err.OperationalError:
        return None
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT CURRENT_USER()")
            return str(cur.fetchone()[0])
    finally:
        conn.close()


def guide_setup(mariadb: MariaDB, s: Scratch) -> None:
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user, grant_option=True)


@pytest.fixture
def anonymous(mariadb: MariaDB) -> Iterator[Account]:
    """The anonymous account a default install leaves, for the host our logins come from."""
    mariadb.drop_user("", LOOPBACK)
    mariadb.create_user("", "", LOOPBACK)
    yield Account("", LOOPBACK)
    mariadb.drop_user("", LOOPBACK)


# -- the matching rules, on their own ---------------------------------------------------------------


def test_host_matching_and_the_order_mysql_tries_accounts_in() -> None:
    assert host_matches("%", "172.17.0.2") and host_matches("172.17.%", "172.17.0.2")
    assert host_matches("10.0.0.0/255.0.0.0", "10.1.2.3") and not host_matches("10.0.0.0/255.0.0.0", "11.0.0.1")
    assert not host_matches("localhost", "127.0.0.1") and host_matches("LOCALHOST", "localhost")
    assert host_matches("db_1", "dbx1") and not host_matches("db_1", "db11x")
    accounts = [Account("wandb_local", "%"), Account("", "localhost"), Account("wandb_local", "10.%")]
    assert matched_account(accounts, "wandb_local", "localhost") == Account("", "localhost")
    assert shadowing(accounts, "wandb_local", "localhost") == [Account("", "localhost")]
    assert matched_account(accounts, "wandb_local", "10.0.0.5") == Account("wandb_local", "10.%")
    assert shadowing(accounts, "wandb_local", "10.0.0.5") == []
    # For the same host a named user sorts before the anonymous one: ''@'%' shadows nobody.
    assert shadowing([Account("u", "%"), Account("", "%")], "u", "localhost") == []


def test_the_denied_localhost_login_without_an_admin_url_names_the_anonymous_account() -> None:
    # The message of issue 13, as the server sends it (error 1045).
    exc = pymysql.err.OperationalError(1045, "Access denied for user 'wandb_local'@'localhost' (using password: YES)")
    url = MysqlURL("wandb_local", "s3cret-pw", "localhost", "wandb_local", 3306)
    failed = explain(exc, url, 5.0)
    assert failed.data["cause"] == "access_denied" and failed.data["client_host"] == "localhost"
    assert "the anonymous account ''@'localhost' caught the login" in failed.summary
    assert "DROP USER ''@'localhost';" in failed.details and "WBTUI_MYSQL_ADMIN" in failed.details
    assert "wbtui db init --admin" in failed.fix
    assert "s3cret-pw" not in failed.summary + failed.details + failed.fix


# -- 1. the anonymous account ---------------------------------------------------------------------------


@pytest.mark.mysql
def test_the_anonymous_account_shadows_the_user_and_the_connect_check_names_it(
        mariadb: MariaDB, mysql_scratch: Scratch, anonymous: Account) -> None:
    s = mysql_scratch
    guide_setup(mariadb, s)
    assert can_log_in(s.url) is None  # the right password, refused

    alone = by_id(run_mysql_checks(config_for(s.url), admin_url="", **FAST))["mysql.connect"]
    assert alone.status is Status.FAIL and alone.data["cause"] == "access_denied"
    assert f"DROP USER ''@'{LOOPBACK}';" in alone.details  # inferred from the denied host

    results = run_mysql_checks(config_for(s.url), admin_url=mariadb.admin_url, **FAST)
    connect = by_id(results)["mysql.connect"]
    assert connect.status is Status.FAIL and connect.data["cause"] == "anonymous_account"
    assert f"the anonymous account ''@'{LOOPBACK}' catches logins as '{s.user}'" in connect.summary
    assert f"before '{s.user}'@'%'" in connect.summary
    assert connect.data["shadowing"] == [f"@{LOOPBACK}"] and connect.data["accounts"] == [f"{s.user}@%"]
    assert_no_secret(results, s.password, mariadb.root_password)

    mariadb.execute(connect.fix.splitlines()[0])  # the fix is real SQL: DROP USER ''@'127.0.0.1';
    assert by_id(run_mysql_checks(config_for(s.url), **FAST))["mysql.connect"].status is Status.PASS


@pytest.mark.mysql
def test_with_an_admin_url_a_wrong_password_and_a_missing_host_are_told_apart(
        mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, "another-password")
    r = by_id(run_mysql_checks(config_for(s.url), admin_url=mariadb.admin_url, **FAST))["mysql.connect"]
    assert r.data["cause"] == "access_denied" and r.data["matched"] == f"{s.user}@%"
    assert f"not the password of '{s.user}'@'%'" in r.summary and "--reset-password" in r.fix

    mariadb.drop_user(s.user)
    mariadb.create_user(s.user, s.password, "10.9.8.7")
    r = by_id(run_mysql_checks(config_for(s.url), admin_url=mariadb.admin_url, **FAST))["mysql.connect"]
    assert r.data["cause"] == "no_account_for_host"
    assert f"matches the host {LOOPBACK}" in r.summary and f"{s.user}@10.9.8.7" in r.summary
    assert "wbtui db init" in r.fix

    wrong_admin = mariadb.url(mariadb.root_user, "not-the-root-password", "mysql")
    results = run_mysql_checks(config_for(s.url), admin_url=wrong_admin, **FAST)
    r = by_id(results)["mysql.connect"]
    assert r.data["cause"] == "access_denied" and "did not connect either" in r.details
    assert_no_secret(results, s.password, "not-the-root-password")


@pytest.mark.mysql
def test_db_init_plans_dropping_the_anonymous_account(mariadb: MariaDB, mysql_scratch: Scratch,
                                                      anonymous: Account) -> None:
    s = mysql_scratch
    guide_setup(mariadb, s)
    config = config_for(s.url)
    steps = plan_db_init(config, mariadb.admin_url)
    step = {x.id: x for x in steps}
    assert steps[0].id == "anonymous"
    assert step["anonymous"].action == "alter" and step["anonymous"].sql == f"DROP USER ''@'{LOOPBACK}';"
    assert f"catches logins as '{s.user}' from {LOOPBACK}" in step["anonymous"].note
    assert step["user"].action == "none" and "anonymous account" in step["user"].note
    assert mariadb.root_password not in " ".join(x.sql + x.note for x in steps)

    results = apply_db_init(config, mariadb.admin_url, steps)
    assert {r.step.id: r.outcome for r in results}["anonymous"] == "changed"
    assert can_log_in(s.url) == f"{s.user}@%"
    again = plan_db_init(config, mariadb.admin_url)
    assert {x.id: x.action for x in again} == {"user": "none", "database": "none", "grant": "none"}


# -- 2. the account the login lands on --------------------------------------------------------------


@pytest.mark.mysql
def test_db_init_grants_to_the_account_current_user_names(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    guide_setup(mariadb, s)
    mariadb.create_user(s.user, s.password, LOOPBACK)  # more specific than '%': logins from here land on it
    assert can_log_in(s.url) == f"{s.user}@{LOOPBACK}"
    config = config_for(s.url)
    # Database-level grants match by user name and client host: those of user@'%' apply to this login, but
    # SHOW GRANTS FOR CURRENT_USER() does not show them, and this account may not read user@'%''s.
    before = by_id(run_mysql_checks(config, **FAST))["mysql.privileges"]
    assert before.status is Status.FAIL and f"{s.user}@{LOOPBACK} lacks ALL" in before.summary
    assert "would apply to this login too" in before.details
    mariadb.grant("SELECT", "mysql.*", s.user, LOOPBACK)  # now it may read them: a warning, the write test runs
    r = by_id(run_mysql_checks(config, **FAST))
    assert r["mysql.privileges"].status is Status.WARN, r["mysql.privileges"].summary
    assert f"only through the grants of '{s.user}'@'%'" in r["mysql.privileges"].summary
    assert r["mysql.write"].status is Status.PASS
    mariadb.execute("REVOKE SELECT ON mysql.* FROM %s@%s", (s.user, LOOPBACK))
    steps = {x.id: x for x in plan_db_init(config, mariadb.admin_url)}
    assert steps["grant"].action == "none"
    here = steps["grant_here"]
    assert here.action == "create"
    assert here.sql == f"GRANT ALL ON {grant_database(s.database)}.* TO '{s.user}'@'{LOOPBACK}' WITH GRANT OPTION;"
    assert f"land on '{s.user}'@'{LOOPBACK}', not '{s.user}'@'%'" in here.note
    assert "SELECT CURRENT_USER()" in here.note

    apply_db_init(config, mariadb.admin_url, list(steps.values()))
    assert can_log_in(s.url) == f"{s.user}@{LOOPBACK}"
    r = by_id(run_mysql_checks(config, **FAST))
    assert r["mysql.privileges"].status is Status.PASS and r["mysql.write"].status is Status.PASS
    assert {x.action for x in plan_db_init(config, mariadb.admin_url)} == {"none"}


@pytest.mark.mysql
def test_db_init_names_the_refused_account_from_the_denied_host(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    guide_setup(mariadb, s)
    mariadb.create_user(s.user, "an-older-password", LOOPBACK)  # catches our logins, with another password
    config = config_for(s.url)
    steps = {x.id: x for x in plan_db_init(config, mariadb.admin_url)}
    assert steps["user_here"].action == "blocked"
    assert f"the server refused the login as coming from {LOOPBACK}" in steps["user_here"].note
    assert steps["grant_here"].sql.endswith(f"'{s.user}'@'{LOOPBACK}' WITH GRANT OPTION;")

    steps = {x.id: x for x in plan_db_init(config, mariadb.admin_url, reset_password=True)}
    assert steps["user_here"].action == "alter" and "'****'" in steps["user_here"].sql
    assert "an-older-password" not in steps["user_here"].sql and s.password not in steps["user_here"].sql
    apply_db_init(config, mariadb.admin_url, list(steps.values()), timeout=5.0)
    assert can_log_in(s.url) == f"{s.user}@{LOOPBACK}"
    assert by_id(run_mysql_checks(config, **FAST))["mysql.privileges"].status is Status.PASS
