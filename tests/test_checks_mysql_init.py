"""`db init` and the rendered bootstrap SQL, run for real against MariaDB."""

from __future__ import annotations

import secrets

import pymysql
import pytest

from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from wbtui.checks.model import Status
from wbtui.checks.mysql import run_mysql_checks
from wbtui.checks.mysql_init import DbInitError, apply_db_init, plan_db_init
from wbtui.config.model import Config
from wbtui.config.urls import MysqlURL
from wbtui.render.sql import render_sql

NASTY = "it's a \\ back'slash\" @:/%?#"  # quotes, backslashes, and URL delimiters


def config_for(url: str) -> Config:
    config = Config()
    config.server.MYSQL = url
    return config


def can_log_in(url: str) -> bool:
    u = MysqlURL.parse(url)
    try:
        pymysql.connect(host=u.host, port=u.port, user=u.user, password=u.password, database=u.database,
                        connect_timeout=5).close()
    except pymysql.err.OperationalError:
        return False
    return True


def actions(steps: list) -> dict[str, str]:
    return {s.id: s.action for s in steps}


@pytest.mark.mysql
def test_db_init_from_scratch_then_nothing_to_do(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    url = mariadb.url(mysql_scratch.user, NASTY, mysql_scratch.database)
    config = config_for(url)
    steps = plan_db_init(config, mariadb.admin_url)
    assert actions(steps) == {"user": "create", "database": "create", "grant": "create"}
    shown = " ".join(s.sql + s.note for s in steps)
    assert NASTY not in shown and "IDENTIFIED BY '****'" in shown
    results = apply_db_init(config, mariadb.admin_url, steps)
    assert [r.outcome for r in results] == ["created", "created", "created"]
    assert can_log_in(url)
    (charset,), = mariadb.execute("SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA "
                                  "WHERE SCHEMA_NAME = %s", (mysql_scratch.database,))
    assert charset == "utf8mb4"

    again = plan_db_init(config, mariadb.admin_url)
    assert actions(again) == {"user": "none", "database": "none", "grant": "none"}
    assert [r.outcome for r in apply_db_init(config, mariadb.admin_url, again)] == ["already present"] * 3

    r = {x.id: x for x in run_mysql_checks(config, cpu_window=0.1)}
    for check in ("mysql.connect", "mysql.charset", "mysql.privileges", "mysql.write"):
        assert r[check].status is Status.PASS, (check, r[check].summary)


@pytest.mark.mysql
def test_db_init_completes_what_is_missing(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database, charset="latin1", collation="latin1_swedish_ci")
    mariadb.create_user(s.user, s.password)
    mariadb.grant("SELECT", f"`{s.database}`.*", s.user)
    config = config_for(s.url)
    steps = plan_db_init(config, mariadb.admin_url)
    assert actions(steps) == {"user": "none", "database": "alter", "grant": "create"}
    assert "latin1" in steps[1].note and "missing: INSERT" in steps[2].note
    assert [r.outcome for r in apply_db_init(config, mariadb.admin_url, steps)] == \
        ["already present", "changed", "created"]
    assert actions(plan_db_init(config, mariadb.admin_url)) == {"user": "none", "database": "none", "grant": "none"}


@pytest.mark.mysql
def test_existing_user_with_another_password_needs_reset_password(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    mariadb.create_user(s.user, "the-old-password")
    config = config_for(s.url)
    steps = plan_db_init(config, mariadb.admin_url)
    assert steps[0].action == "blocked" and "--reset-password" in steps[0].note
    results = apply_db_init(config, mariadb.admin_url, steps)
    assert [r.outcome for r in results] == ["not changed", "created", "created"]
    assert not can_log_in(s.url)

    steps = plan_db_init(config, mariadb.admin_url, reset_password=True)
    assert steps[0].action == "alter" and "'****'" in steps[0].sql
    assert apply_db_init(config, mariadb.admin_url, steps)[0].outcome == "changed"
    assert can_log_in(s.url)


@pytest.mark.mysql
def test_bad_admin_password_is_reported_without_it(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    wrong = secrets.token_hex(8)
    admin = mariadb.url(mariadb.root_user, wrong, "mysql")
    with pytest.raises(DbInitError) as info:
        plan_db_init(config_for(mysql_scratch.url), admin)
    assert "admin URL" in str(info.value) and "access denied" in str(info.value)
    assert wrong not in str(info.value)


def test_db_init_needs_mysql_and_a_valid_admin_url() -> None:
    with pytest.raises(DbInitError, match="MYSQL is empty"):
        plan_db_init(Config(), "mysql://root:pw@127.0.0.1:3306/mysql")
    with pytest.raises(DbInitError, match="admin URL"):
        plan_db_init(config_for("mysql://u:p@127.0.0.1/db"), "root:pw@127.0.0.1")


@pytest.mark.mysql
def test_rendered_bootstrap_sql_runs_for_real_with_a_nasty_password(mariadb: MariaDB,
                                                                     mysql_scratch: Scratch) -> None:
    url = mariadb.url(mysql_scratch.user, NASTY, mysql_scratch.database)
    script = render_sql(config_for(url), reveal=True)
    statements = [line for line in script.splitlines() if line and not line.startswith("--")]
    assert len(statements) == 3
    for statement in statements:
        mariadb.execute(statement)
    assert can_log_in(url)
    r = {x.id: x for x in run_mysql_checks(config_for(url), cpu_window=0.1)}
    assert r["mysql.privileges"].status is Status.PASS and r["mysql.write"].status is Status.PASS
    assert actions(plan_db_init(config_for(url), mariadb.admin_url)) == \
        {"user": "none", "database": "none", "grant": "none"}
