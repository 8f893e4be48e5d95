"""`wbtui db init`: the guide's CREATE USER / CREATE DATABASE / GRANT, made idempotent.

``plan_db_init`` looks first (does the user exist, with this password? the
database, with utf8mb4? the grant?) and plans only what is missing, so the
plan can be shown and confirmed; ``apply_db_init`` runs it. A second run finds
everything present and changes nothing. The SQL is the guide's, spelled as
wbtui's SQL renderer spells it; the password never appears in a plan.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Literal

from ..config import masking
from ..config.masking import MASK, Redactor
from ..config.model import Config
from ..config.sql_quoting import grant_database, sql_identifier, sql_string
from ..config.urls import MysqlURL, URLError
from .mysql_connect import error_code, error_message, explain, open_connection
from .mysql_grants import coverage, parse_grants

USER_HOST = "%"
CHARSET, COLLATION = "utf8mb4", "utf8mb4_general_ci"

Action = Literal["create", "alter", "none", "blocked"]


class DbInitError(Exception):
    """db init cannot go on; the message is free of secrets."""


@dataclass
class Step:
    """One thing db init makes sure of, what it found and what it will do."""

    id: str  # "user", "database", "grant"
    title: str
    action: Action
    sql: str = ""  # as shown: password masked
    note: str = ""
    statement: str = field(default="", repr=False)  # as run: holds the password

    @property
    def pending(self) -> bool:
        return self.action in ("create", "alter")

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "action": self.action, "sql": self.sql, "note": self.note}


@dataclass
class StepResult:
    step: Step
    outcome: Literal["created", "changed", "already present", "not changed", "failed"]
    message: str = ""

    def to_dict(self) -> dict[str, str]:
        return {**self.step.to_dict(), "outcome": self.outcome, "message": self.message}


def parse_admin_url(admin_url: str) -> MysqlURL:
    try:
        return MysqlURL.parse(admin_url)
    except URLError as exc:
        raise DbInitError(f"admin URL: {exc} (e.g. mysql://root:PASSWORD@db.example.com:3306/mysql)") from None


def target(config: Config) -> MysqlURL:
    """The user, password and database db init creates: the ones in MYSQL."""
    if not config.server.MYSQL.strip():
        raise DbInitError("MYSQL is empty: set it first (wbtui config set MYSQL "
                          "mysql://wandb_local:PASSWORD@db.example.com:3306/wandb_local)")
    try:
        return MysqlURL.parse(config.server.MYSQL)
    except URLError as exc:
        raise DbInitError(f"MYSQL: {exc}") from None


def redactor(config: Config, admin: MysqlURL) -> Redactor:
    return masking.screen(config, extra={admin.password})  # its SQL-quoted form is one of the forms masked


def _connect_admin(admin: MysqlURL, timeout: float) -> Any:
    try:
        return open_connection(admin, timeout, database=False)
    except Exception as exc:  # classified below, without secrets
        failed = explain(exc, admin, timeout)
        raise DbInitError(f"cannot connect with the admin URL: {failed.summary}") from None


def _rows(conn: Any, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


def _password_works(admin: MysqlURL, user: MysqlURL, timeout: float) -> bool | None:
    """Log in as the W&B user on the admin URL's server: True, False (denied) or None (other error)."""
    probe = MysqlURL(user.user, user.password, admin.host, "mysql", admin.port)
    try:
        conn = open_connection(probe, timeout, database=False)
    except Exception as exc:  # only "access denied" means the password differs
        return False if error_code(exc) == 1045 else None
    conn.close()
    return True


def plan_db_init(config: Config, admin_url: str, *, timeout: float = 5.0,
                 reset_password: bool = False) -> list[Step]:
    """Inspect the server as admin and plan the user, database and grant steps (nothing is changed)."""
    user = target(config)
    admin = parse_admin_url(admin_url)
    conn = _connect_admin(admin, timeout)
    try:
        return _plan(conn, user, admin, timeout, reset_password)
    except DbInitError:
        raise
    except Exception as exc:  # a server error while inspecting, reported without secrets
        raise DbInitError(redactor(config, admin)(f"inspecting the server failed: {error_message(exc)}")) from None
    finally:
        with contextlib.suppress(Exception):
            conn.close()


def _plan(conn: Any, user: MysqlURL, admin: MysqlURL, timeout: float, reset_password: bool) -> list[Step]:
    nbe = "NO_BACKSLASH_ESCAPES" in str(_rows(conn, "SELECT @@SESSION.sql_mode")[0][0]).upper()
    account = f"{sql_string(user.user, nbe)}@{sql_string(USER_HOST, nbe)}"
    db = user.database
    steps: list[Step] = []

    hosts = [str(r[0]) for r in _rows(conn, "SELECT Host FROM mysql.user WHERE User = %s", (user.user,))]
    create_user = f"CREATE USER {account} IDENTIFIED BY "
    title = f"user {account}"
    if USER_HOST not in hosts:
        note = f"other accounts of this user exist: {', '.join(hosts)}" if hosts else ""
        steps.append(Step("user", title, "create", create_user + f"'{MASK}';", note,
                          create_user + sql_string(user.password, nbe) + ";"))
    else:
        works = _password_works(admin, user, timeout)
        alter = f"ALTER USER {account} IDENTIFIED BY "
        if works:
            steps.append(Step("user", title, "none", note="exists, and the password in MYSQL works"))
        elif reset_password:
            steps.append(Step("user", title, "alter", alter + f"'{MASK}';",
                              "exists with a different password: resetting it to the one in MYSQL",
                              alter + sql_string(user.password, nbe) + ";"))
        else:
            why = ("exists, but the password in MYSQL does not log in (checked by logging in from this host)"
                   if works is False else "exists; logging in to check its password failed")
            steps.append(Step("user", title, "blocked", alter + f"'{MASK}';",
                              f"{why}: pass --reset-password to ALTER USER to the password in MYSQL, "
                              "or put the user's password into MYSQL"))

    rows = _rows(conn, "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
                       "WHERE SCHEMA_NAME = %s", (db,))
    spec = f"CHARACTER SET {CHARSET} COLLATE {COLLATION}"
    dtitle = f"database {sql_identifier(db)} ({CHARSET}, {COLLATION})"
    if not rows:
        sql = f"CREATE DATABASE {sql_identifier(db)} {spec};"
        steps.append(Step("database", dtitle, "create", sql, statement=sql))
    elif tuple(str(x) for x in rows[0]) == (CHARSET, COLLATION):
        steps.append(Step("database", dtitle, "none", note="exists with the right character set"))
    else:
        sql = f"ALTER DATABASE {sql_identifier(db)} {spec};"
        steps.append(Step("database", dtitle, "alter", sql,
                          f"exists with {rows[0][0]} / {rows[0][1]}: changing its default (existing tables keep "
                          "theirs; wbtui check mysql lists them)", sql))

    gsql = f"GRANT ALL ON {grant_database(db)}.* TO {account} WITH GRANT OPTION;"
    gtitle = f"ALL on {sql_identifier(db)} for {account}"
    if USER_HOST in hosts:
        lines = [str(r[0]) for r in _rows(conn, f"SHOW GRANTS FOR {account}")]
        cov = coverage(parse_grants(lines), db, [f"{user.user}@{USER_HOST}"])
        if not cov.missing() and cov.grant_option:
            steps.append(Step("grant", gtitle, "none", note="granted"))
            return steps
        note = f"missing: {', '.join(cov.missing()) or 'GRANT OPTION'}"
    else:
        note = ""
    steps.append(Step("grant", gtitle, "create", gsql, note, gsql))
    return steps


def apply_db_init(config: Config, admin_url: str, steps: list[Step], *, timeout: float = 5.0) -> list[StepResult]:
    """Run the pending steps of a plan in order; stop at the first failure (reported, secrets masked)."""
    admin = parse_admin_url(admin_url)
    redact = redactor(config, admin)
    results: list[StepResult] = []
    pending = [s for s in steps if s.pending]
    conn = _connect_admin(admin, timeout) if pending else None
    try:
        failed = False
        for step in steps:
            if step.action == "none":
                results.append(StepResult(step, "already present", step.note))
            elif step.action == "blocked" or failed:
                results.append(StepResult(step, "not changed", step.note if not failed else "an earlier step failed"))
            else:
                try:
                    _rows(conn, step.statement)
                except Exception as exc:  # reported per step, secrets masked
                    failed = True
                    results.append(StepResult(step, "failed", redact(error_message(exc))))
                    continue
                results.append(StepResult(step, "created" if step.action == "create" else "changed", step.note))
    finally:
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
    return results
