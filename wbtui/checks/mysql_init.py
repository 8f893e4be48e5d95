"""`wbtui db init`: the guide's CREATE USER / CREATE DATABASE / GRANT, made idempotent.

``plan_db_init`` looks first (does the user exist, with this password? the
database, with utf8mb4? the grant?) and plans only what is missing, so the
plan can be shown and confirmed; ``apply_db_init`` runs it. A second run finds
everything present and changes nothing. The SQL is the guide's, spelled as
wbtui's SQL renderer spells it; the password never appears in a plan.

Accounts as they really match: an anonymous account that catches the user's logins
from this host (a default install's ''@'localhost') gets a DROP USER step, and when
logins from this host land on another account than user@'%' (CURRENT_USER() after a
login that works, the host the server names in its refusal otherwise) that account
gets the grant (and, with --reset-password, the password) too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..config import masking
from ..config.masking import MASK, Redactor
from ..config.model import Config
from ..config.sql_quoting import grant_database, sql_identifier, sql_string
from ..config.urls import MysqlURL, URLError
from .mysql_accounts import Account, client_host, load_accounts, matched_account, shadowing, split_account
from .mysql_connect import denied_host, error_code, error_message, explain, open_connection
from .mysql_grants import coverage, parse_grants

USER_HOST = "%"
CHARSET, COLLATION = "utf8mb4", "utf8mb4_general_ci"

Action = Literal["create", "alter", "none", "blocked"]


class DbInitError(Exception):
    """db init cannot go on; the message is free of secrets."""


@dataclass
class Step:
    """One thing db init makes sure of, what it found and what it will do."""

    id: str  # "anonymous", "user", "user_here", "database", "grant", "grant_here"
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


@dataclass
class Probe:
    """Logging in as the W&B user from this host: did it work, which account did it land on, or who was refused."""

    works: bool | None  # None: another error than "access denied"
    account: str = ""  # CURRENT_USER() after a login that worked, e.g. "wandb_local@localhost"
    denied_host: str = ""  # the client host the server named when it refused the login


def _log_in(admin: MysqlURL, user: MysqlURL, timeout: float) -> Probe:
    """Log in as the W&B user on the admin URL's server, and ask which account the server matched."""
    probe = MysqlURL(user.user, user.password, admin.host, "mysql", admin.port)
    try:
        conn = open_connection(probe, timeout, database=False)
    except Exception as exc:  # only "access denied" means the password differs
        if error_code(exc) == 1045:
            return Probe(False, denied_host=denied_host(error_message(exc)) or "")
        return Probe(None)
    try:
        return Probe(True, account=str(_rows(conn, "SELECT CURRENT_USER()")[0][0]))
    except Exception:  # the login worked; which account it is stays unknown
        return Probe(True)
    finally:
        with contextlib.suppress(Exception):
            conn.close()


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

    def acct(name: str, host: str) -> str:
        return f"{sql_string(name, nbe)}@{sql_string(host, nbe)}"

    account = acct(user.user, USER_HOST)
    db = user.database
    steps: list[Step] = []

    accounts = load_accounts(conn, user.user)
    hosts = [a.host for a in accounts if a.user == user.user]
    here = client_host(conn)  # this host as the server names it: what it matches accounts against
    planned = accounts + ([Account(user.user, USER_HOST)] if USER_HOST not in hosts else [])
    shadows = shadowing(planned, user.user, here) if here else []
    own = matched_account([a for a in planned if a.user == user.user], user.user, here) if here else None
    for anon in shadows:
        sql = f"DROP USER {acct('', anon.host)};"
        steps.append(Step(
            "anonymous", f"anonymous account {acct('', anon.host)}", "alter", sql,
            f"it catches logins as {user.user!r} from {here} (this host, as the server sees it) before "
            f"{acct(own.user, own.host) if own else account}, so a right password is refused: dropping it, as "
            f"mysql_secure_installation does (to keep it, create {acct(user.user, anon.host)} instead)", sql))

    create_user = f"CREATE USER {account} IDENTIFIED BY "
    title = f"user {account}"
    probe = Probe(None)
    if USER_HOST not in hosts:
        note = f"other accounts of this user exist: {', '.join(hosts)}" if hosts else ""
        steps.append(Step("user", title, "create", create_user + f"'{MASK}';", note,
                          create_user + sql_string(user.password, nbe) + ";"))
    else:
        alter = f"ALTER USER {account} IDENTIFIED BY "
        probe = Probe(None) if shadows else _log_in(admin, user, timeout)
        if probe.works:
            steps.append(Step("user", title, "none", note="exists, and the password in MYSQL works"))
        elif reset_password:
            steps.append(Step("user", title, "alter", alter + f"'{MASK}';",
                              "exists with a different password: resetting it to the one in MYSQL",
                              alter + sql_string(user.password, nbe) + ";"))
        elif shadows:
            steps.append(Step("user", title, "none",
                              note="exists; its password cannot be tried from here while the anonymous account "
                                   "catches the login: run wbtui db init again after this plan to check it"))
        else:
            why = ("exists, but the password in MYSQL does not log in (checked by logging in from this host)"
                   if probe.works is False else "exists; logging in to check its password failed")
            steps.append(Step("user", title, "blocked", alter + f"'{MASK}';",
                              f"{why}: pass --reset-password to ALTER USER to the password in MYSQL, "
                              "or put the user's password into MYSQL"))

    # The account logins from this host really land on: when it is not user@'%', it needs the grant (and a
    # reset password) too.
    if probe.account:
        landed, how = split_account(probe.account), "SELECT CURRENT_USER() after logging in as the user"
    else:
        landed = own or Account(user.user, USER_HOST)
        how = (f"the server refused the login as coming from {probe.denied_host}" if probe.denied_host
               else f"the server sees this host as {here}") + ", and that host matches this account"
    elsewhere = landed.user == user.user and landed.host != USER_HOST
    if elsewhere and probe.works is False:
        here_alter = f"ALTER USER {acct(landed.user, landed.host)} IDENTIFIED BY "
        here_title = f"user {acct(landed.user, landed.host)}"
        here_note = f"logins from this host land on this account ({how})"
        if reset_password:
            steps.append(Step("user_here", here_title, "alter", here_alter + f"'{MASK}';",
                              f"{here_note}: resetting its password to the one in MYSQL too",
                              here_alter + sql_string(user.password, nbe) + ";"))
        else:
            steps.append(Step("user_here", here_title, "blocked", here_alter + f"'{MASK}';",
                              f"{here_note}, and the password in MYSQL does not log in to it: pass "
                              "--reset-password, or DROP USER it if logins should use " + account))

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

    steps.append(_grant_step(conn, "grant", user.user, USER_HOST, db, USER_HOST in hosts, acct, ""))
    if elsewhere:
        note = (f"logins from this host land on {acct(landed.user, landed.host)}, not {account} ({how}): "
                "granting to the account the server matches; W&B connecting from elsewhere uses "
                f"{account}")
        steps.append(_grant_step(conn, "grant_here", landed.user, landed.host, db, True, acct, note))
    return steps


def _grant_step(conn: Any, step_id: str, name: str, host: str, db: str, exists: bool,
                acct: Callable[[str, str], str], note: str) -> Step:
    account = acct(name, host)
    gsql = f"GRANT ALL ON {grant_database(db)}.* TO {account} WITH GRANT OPTION;"
    gtitle = f"ALL on {sql_identifier(db)} for {account}"
    if exists:
        lines = [str(r[0]) for r in _rows(conn, f"SHOW GRANTS FOR {account}")]
        cov = coverage(parse_grants(lines), db, [f"{name}@{host}"])
        if not cov.missing() and cov.grant_option:
            return Step(step_id, gtitle, "none", note=f"{note}; granted" if note else "granted")
        missing = f"missing: {', '.join(cov.missing()) or 'GRANT OPTION'}"
        note = f"{note}; {missing}" if note else missing
    return Step(step_id, gtitle, "create", gsql, note, gsql)


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
