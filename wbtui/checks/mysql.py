"""The MySQL checks: can W&B use the database in MYSQL, and is it run the way the guide asks?

Every check after "Connect" shares one connection with connect/read/write
timeouts; a check that fails says why and gives the exact SQL, my.cnf lines or
wbtui command that fixes it. Nothing the checks report carries a secret.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Callable
from typing import Any

from ..config import masking
from ..config.model import Config
from ..config.sql_quoting import grant_database, sql_identifier, sql_string
from ..config.urls import MYSQL_EXAMPLE, MysqlURL, URLError
from . import mysql_from_container
from .model import CheckFailed, CheckResult, CheckRun, CheckWarning, Outcome, Status
from .mysql_accounts import examine_denied
from .mysql_backup import EMBEDDED, NewestBackup
from .mysql_connect import (
    ADMIN_ENV,
    db_init_fix,
    error_code,
    error_message,
    explain,
    open_connection,
    sql_account,
)
from .mysql_grants import ALL, DB_PRIVILEGES, Grants, coverage, normalize_account, parse_account_list, parse_grants
from .mysql_host import DEFAULT_CPU_WINDOW, GUIDE_WINDOW, STARVED_PERCENT, find_mysqld, is_local_host, sample_cpu
from .mysql_server import ServerInfo, judge
from .mysql_settings import RECOMMENDED, SETTING_NAMES, binlog_retention, deviations, my_cnf

UNICORN = "wbtui \U0001F984 check"  # a 4-byte UTF-8 character: needs utf8mb4 end to end
_LOST = (2006, 2013, 0)
_ROLE_DEPTH = 4
_SCRATCH = re.compile(r"wbtui_check_[0-9a-f]{12}")  # the write test's tables, and nothing else


def run_mysql_checks(config: Config, *, timeout: float = 5.0,
                     on_result: Callable[[CheckResult], None] | None = None,
                     cpu_window: float = DEFAULT_CPU_WINDOW,
                     closers: list[Callable[[], None]] | None = None,
                     admin_url: str | None = None) -> list[CheckResult]:
    """Run every MySQL check in order; ``on_result`` sees each result as it completes.

    Once the server stops answering, the later checks are skipped. ``closers`` gets the function that
    closes the run's connection, for an interrupted run. ``admin_url`` (default: $WBTUI_MYSQL_ADMIN) lets a
    refused login be looked up in mysql.user (which account caught it); it is never shown.
    """
    admin = os.environ.get(ADMIN_ENV, "") if admin_url is None else admin_url
    run = CheckRun("mysql", masking.screen(config, extra=_admin_secrets(admin)), on_result, _timed_out)
    text = config.server.MYSQL.strip()
    if not text:
        run.record(CheckResult(
            "mysql.config", "MySQL configured", Status.WARN,
            "MYSQL is empty: W&B uses the database embedded in its container",
            "Fine for a trial; the guide asks production deployments to provide MySQL 5.7 or 8.",
            f"wbtui config set MYSQL {MYSQL_EXAMPLE}"))
        run.skip("mysql.backup", "Newest backup", EMBEDDED)
        return run.results
    backups = NewestBackup(config, timeout).start()  # files and the bucket, while the database is checked
    try:
        url = MysqlURL.parse(text)
    except URLError as exc:
        run.record(CheckResult("mysql.config", "MySQL configured", Status.FAIL, f"MYSQL does not parse: {exc}",
                               fix=f"wbtui config set MYSQL {exc.example}"))
        run.record(backups.result())
        return run.results
    checks = MysqlChecks(url, timeout, cpu_window, admin)
    if closers is not None:
        closers.append(checks.close)
    after_connect = ("mysql.connect",)
    try:
        run.run("mysql.connect", "Connect", checks.connect)
        run.run("mysql.server", "Server version", checks.server, requires=after_connect)
        run.run("mysql.charset", "Database charset", checks.charset, requires=after_connect)
        run.run("mysql.privileges", "Privileges", checks.privileges, requires=after_connect)
        run.run("mysql.write", "Write test", checks.write,
                requires=("mysql.connect", "mysql.charset", "mysql.privileges"))
        run.run("mysql.settings", "Recommended settings", checks.settings, requires=after_connect)
        run.run("mysql.binlog", "Binary log and backups", checks.binlog, requires=after_connect)
        run.run("mysql.load", "Load", checks.load, requires=after_connect)
        run.run("mysql.replication", "Hot standby", checks.replication, requires=after_connect)
        if run.passed("mysql.connect") and not is_local_host(url.host):  # resolve only a host that answered
            run.skip("mysql.cpu", "CPU (this host)",
                     f"the database runs on another host: watch its CPU there (> {STARVED_PERCENT:g}% of the "
                     "system for > 5 minutes means it is resource starved)")
        else:
            run.run("mysql.cpu", "CPU (this host)", checks.cpu, requires=after_connect)
        _from_container(run, config, url, timeout, admin)  # it adds to Connect, and may take a while
        # last, so its look (files, the bucket) has had all the checks above to finish; about files, not the
        # server: reported even when the server stopped answering
        run.record(backups.result())
    finally:
        checks.close()
    return run.results


def _admin_secrets(admin_url: str) -> set[str]:
    """The admin URL's password (and the URL itself), to be masked wherever results are shown."""
    if not admin_url:
        return set()
    try:
        return {admin_url, MysqlURL.parse(admin_url).password}
    except URLError:
        return {admin_url}


def _from_container(run: CheckRun, config: Config, url: MysqlURL, timeout: float, admin_url: str) -> None:
    """The connect check again, from the W&B container's network namespace; or why it could not be."""
    if any(_timed_out(r) for r in run.results):
        run.run("mysql.from_container", "Connect from the container", lambda: "")  # skipped: the run halted
        return
    where = mysql_from_container.locate(config, timeout)
    if isinstance(where, str):
        run.skip("mysql.from_container", "Connect from the container", f"{mysql_from_container.HOST_ONLY}: {where}")
        return
    host_passed = run.passed("mysql.connect")
    run.run("mysql.from_container", "Connect from the container",
            lambda: mysql_from_container.check(where, url, timeout, admin_url=admin_url, host_passed=host_passed))


def _timed_out(result: CheckResult) -> bool:
    """The server stopped answering (connect or a query timed out): later checks would wait the same."""
    return result.data.get("cause") == "timeout"


class MysqlChecks:
    """The check bodies, sharing one connection and what earlier checks learned."""

    def __init__(self, url: MysqlURL, timeout: float, cpu_window: float = DEFAULT_CPU_WINDOW,
                 admin_url: str = "") -> None:
        self.url = url
        self.admin_url = admin_url
        self.timeout = timeout
        self.cpu_window = cpu_window
        self.conn: Any = None
        self.account = ""
        self.info: ServerInfo | None = None
        self.global_privileges: set[str] = set()
        self._variables: dict[str, str] | None = None
        self._lost = ""

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(Exception):  # closing a broken connection is not news
                self.conn.close()
            self.conn = None

    # -- queries ----------------------------------------------------------------------------

    def _rows(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        """Run one query; a lost connection fails this and every later check quickly."""
        import pymysql

        if self._lost:
            raise CheckFailed(f"connection lost earlier: {self._lost}",
                              "Check the server's load and error log, then run the checks again.")
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql, params)
                return list(cur.fetchall()) if cur.description else []
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError) as exc:
            if error_code(exc) in _LOST or not self.conn.open:
                self._lost = error_message(exc) or "the server closed the connection"
                if "timed out" in self._lost:
                    raise CheckFailed(f"the server stopped answering: no answer to a query within {self.timeout:g}s",
                                      "Check the server's load, locks (SHOW PROCESSLIST) and error log, and the "
                                      "network to it; then run the checks again.", f"Server said: {self._lost}",
                                      cause="timeout") from None
                raise CheckFailed(f"connection lost: {self._lost}",
                                  f"The server did not answer within {self.timeout:g}s or closed the connection; "
                                  "check its load and error log.") from None
            raise

    def _value(self, sql: str, params: Any = None) -> Any:
        rows = self._rows(sql, params)
        return rows[0][0] if rows and rows[0] else None

    def _try_rows(self, *queries: str) -> tuple[list[dict[str, Any]] | None, str]:
        """The first of ``queries`` the server understands, as dicts; (None, why) when denied."""
        import pymysql

        why = ""
        for sql in queries:
            try:
                with self.conn.cursor(pymysql.cursors.DictCursor) as cur:
                    cur.execute(sql)
                    return list(cur.fetchall()), ""
            except pymysql.err.MySQLError as exc:
                code = error_code(exc)
                if code in _LOST or not self.conn.open:
                    raise
                why = error_message(exc)
                if code == 1064:  # syntax: an older server, try the next spelling
                    continue
                return None, why
        return None, why

    def variables(self) -> dict[str, str]:
        if self._variables is None:
            names = ", ".join(f"'{n}'" for n in SETTING_NAMES)
            rows = self._rows(f"SHOW GLOBAL VARIABLES WHERE Variable_name IN ({names})")
            self._variables = {str(k): str(v) for k, v in rows}
        return self._variables

    def _status(self, *names: str) -> dict[str, str]:
        wanted = ", ".join(f"'{n}'" for n in names)
        return {str(k): str(v) for k, v in self._rows(f"SHOW GLOBAL STATUS WHERE Variable_name IN ({wanted})")}

    def _grant_account(self) -> str:
        user, _, host = (self.account or f"{self.url.user}@%").rpartition("@")
        return sql_account(user, host)

    # -- checks -----------------------------------------------------------------------------

    def connect(self) -> Outcome:
        try:
            self.conn = open_connection(self.url, self.timeout)
        except Exception as exc:  # every failure is classified for the operator
            failed = explain(exc, self.url, self.timeout)
            if error_code(exc) in (1045, 1130):  # which account caught it, when an admin URL lets us look
                failed = examine_denied(failed, self.url, self.admin_url, self.timeout)
            raise failed from None
        self.account = normalize_account(str(self._value("SELECT CURRENT_USER()") or ""))
        where = f"{self.url.host}:{self.url.effective_port}"
        if self.account.startswith("@"):
            anon = sql_account("", self.account[1:])
            raise CheckFailed(f"logged in as the anonymous account {anon}, not as {self.url.user!r}",
                              f"DROP USER {anon};  (then: {db_init_fix(self.url)})",
                              f"MySQL matched the login to {anon}, which sorts before {sql_string(self.url.user)}'s "
                              "accounts for this host; W&B would get its (lack of) privileges.",
                              cause="anonymous_account", account=self.account)
        return Outcome(f"connected to {where} as {self.account}, database {self.url.database}",
                       data={"account": self.account, "host": self.url.host, "port": self.url.effective_port})

    def server(self) -> Outcome:
        import pymysql

        version, comment = self._rows("SELECT VERSION(), @@version_comment")[0]
        aurora = ""
        for sql in ("SELECT AURORA_VERSION()", "SELECT @@aurora_version"):
            try:
                aurora = str(self._value(sql) or "")
                break
            except pymysql.err.MySQLError:
                continue
        self.info = ServerInfo(str(version), str(comment or ""), aurora)
        verdict = judge(self.info)
        data = {"version": self.info.version, "comment": self.info.comment, "product": self.info.product,
                "aurora_version": aurora}
        if verdict.status is Status.FAIL:
            raise CheckFailed(verdict.summary, verdict.fix, verdict.details, **data)
        if verdict.status is Status.WARN:
            raise CheckWarning(verdict.summary, verdict.fix, verdict.details, **data)
        return Outcome(verdict.summary, f"VERSION() = {version!r}, @@version_comment = {comment!r}", data)

    def charset(self) -> Outcome:
        db = self.url.database
        rows = self._rows("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
                          "WHERE SCHEMA_NAME = %s", (db,))
        if not rows:
            raise CheckFailed(f"database {db!r} is not visible", db_init_fix(self.url))
        charset, collation = (str(x) for x in rows[0])
        tables = [str(r[0]) for r in self._rows(
            "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE' "
            "AND TABLE_COLLATION NOT LIKE 'utf8mb4%%' ORDER BY TABLE_NAME", (db,))]
        data = {"charset": charset, "collation": collation, "non_utf8mb4_tables": tables}
        fix_db = f"ALTER DATABASE {sql_identifier(db)} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;"
        fix_tables = "\n".join(f"ALTER TABLE {sql_identifier(db)}.{sql_identifier(t)} CONVERT TO CHARACTER SET utf8mb4 "
                               "COLLATE utf8mb4_general_ci;" for t in tables)
        listed = ", ".join(tables[:10]) + (f" and {len(tables) - 10} more" if len(tables) > 10 else "")
        table_note = (f"{len(tables)} existing table(s) are not utf8mb4 ({listed}); ALTER DATABASE only changes "
                      "the default for new tables, so convert them too." if tables else "")
        if charset != "utf8mb4":
            raise CheckFailed(
                f"database {db} uses {charset} ({collation}); W&B needs utf8mb4",
                "\n".join(x for x in (fix_db, fix_tables) if x),
                f"{charset} cannot store every character W&B stores (4-byte UTF-8 such as emoji in run names "
                f"and configs). The guide creates the database with utf8mb4 / utf8mb4_general_ci. {table_note}",
                **data)
        if tables:
            raise CheckWarning(f"{len(tables)} table(s) in {db} are not utf8mb4", fix_tables, table_note, **data)
        if collation != "utf8mb4_general_ci":
            raise CheckWarning(f"database {db} uses utf8mb4 with collation {collation}",
                               fix_db, "The guide creates the database with utf8mb4_general_ci; another collation "
                               "changes how W&B's text compares and sorts.", **data)
        return Outcome(f"{db}: utf8mb4 / {collation}", data=data)

    def _role_lines(self, roles: list[str]) -> list[str]:
        """Grant lines of the session's active roles (they count: W&B gets the same default roles)."""
        if self.info is not None and self.info.fork == "MariaDB":
            lines: list[str] = []
            seen: set[str] = set()
            todo = list(roles)
            for _ in range(_ROLE_DEPTH):
                nested: list[str] = []
                for role in todo:
                    if role in seen:
                        continue
                    seen.add(role)
                    more = [str(r[0]) for r in self._rows(f"SHOW GRANTS FOR {sql_identifier(role)}")]
                    lines += more
                    nested += parse_grants(more).granted_roles
                todo = nested
            return lines
        using = ", ".join(sql_account(*r.rsplit("@", 1)) if "@" in r else sql_identifier(r) for r in roles)
        return [str(r[0]) for r in self._rows(f"SHOW GRANTS FOR CURRENT_USER() USING {using}")]

    def _default_role_sql(self, roles: list[str]) -> str:
        if self.info is not None and self.info.fork == "MariaDB":  # one default role, named
            return f"SET DEFAULT ROLE {sql_identifier(roles[0])} FOR {self._grant_account()};"
        return f"SET DEFAULT ROLE ALL TO {self._grant_account()};"

    def privileges(self) -> Outcome:
        import pymysql

        db = self.url.database
        lines = [str(r[0]) for r in self._rows("SHOW GRANTS FOR CURRENT_USER()")]
        grants = parse_grants(lines)
        try:
            active = parse_account_list(str(self._value("SELECT CURRENT_ROLE()") or ""))
        except pymysql.err.MySQLError:  # MySQL 5.7 has no roles
            active = []
        inactive = [r for r in grants.granted_roles if r not in active]
        grantees = [self.account, *active]
        if active:
            extra = parse_grants(self._role_lines(active))
            grantees += extra.granted_roles  # roles granted to active roles are active too
            grants = Grants(grants.grants + extra.grants, grants.revokes + extra.revokes,
                            grants.roles + extra.roles, grants.default_roles, grants.unparsed + extra.unparsed)
        cov = coverage(grants, db, grantees)
        self.global_privileges = {p for g in grants.grants if g.level == "global" and g.grantee in grantees
                                  for p in g.privileges}
        missing = cov.missing()
        notes = []
        if cov.sources:
            notes.append("Granted by: " + "; ".join(cov.sources) + ".")
        if active:
            notes.append("Active roles: " + ", ".join(active) + ".")
        if inactive and missing:
            notes.append(f"Roles granted but not active at login (their privileges do not count): "
                         f"{', '.join(inactive)}; activate them with {self._default_role_sql(inactive)}")
        if grants.unparsed:
            notes.append("Lines not understood: " + " | ".join(grants.unparsed))
        data = {"missing": missing, "grant_option": cov.grant_option, "active_roles": active,
                "inactive_roles": inactive}
        fix = f"GRANT ALL ON {grant_database(db)}.* TO {self._grant_account()} WITH GRANT OPTION;"
        if missing:
            shown = "ALL" if len(missing) == len(DB_PRIVILEGES) else ", ".join(missing)
            through = self._any_host_grants(db, missing)
            if through is True:
                data["through_any_host_account"] = True
                raise CheckWarning(
                    f"{self.account} has ALL on {db} only through the grants of {sql_account(self.url.user)}", fix,
                    f"The login lands on {self.account}, whose own grants lack {shown}; MySQL matches "
                    f"database-level grants by user name and client host, so those of {sql_account(self.url.user)} "
                    "apply too. Grant to the account the login lands on so SHOW GRANTS agrees (and a later "
                    f"DROP USER {sql_account(self.url.user)} does not take W&B's privileges).", **data)
            if through is None:
                notes.append(f"Database-level grants of {sql_account(self.url.user)} would apply to this login too "
                             "(they match by user name and client host); this account may not read them.")
            raise CheckFailed(f"{self.account} lacks {shown} on {db}", fix, " ".join(notes), **data)
        if not cov.grant_option:
            notes.append("The guide also grants WITH GRANT OPTION; W&B runs without it.")
        return Outcome(f"{self.account} has ALL on {db}", " ".join(notes), data)

    def _any_host_grants(self, db: str, missing: list[str]) -> bool | None:
        """Do the database grants of user@'%' cover ``missing``? (They apply to user@host logins too.)

        None when that cannot be read (SHOW GRANTS for another account needs SELECT on mysql); False when the
        login already is user@'%'.
        """
        import pymysql

        user, _, host = self.account.rpartition("@")
        if host == "%" or not user:
            return False
        try:
            lines = [str(r[0]) for r in self._rows(f"SHOW GRANTS FOR {sql_account(user)}")]
        except pymysql.err.MySQLError as exc:
            return False if error_code(exc) == 1141 else None  # 1141: there is no such account
        parsed = parse_grants(lines)
        database_level = Grants([g for g in parsed.grants if g.level != "global"], parsed.revokes, [], [], [])
        still = set(coverage(database_level, db, [f"{user}@%"]).missing())
        return not (set(missing) & still)

    def write(self) -> Outcome:
        """Create, fill, read back and drop a real InnoDB table in the W&B database.

        Not a TEMPORARY table: that needs another privilege (CREATE TEMPORARY TABLES), is allowed
        on a read-only server and is not listed in information_schema, so it would not test what
        W&B's migrations do. Instead the session holds the named lock ``GET_LOCK(table)`` while
        its table exists; the server releases it when the session ends, however it ends. Each
        write test first drops tables of our exact pattern (``wbtui_check_`` + 12 hex digits)
        whose lock is free: leftovers of a session that was killed or dropped mid-check.
        """
        import pymysql

        table = f"wbtui_check_{secrets.token_hex(6)}"
        q = sql_identifier(table)
        try:
            self._rows("SELECT GET_LOCK(%s, 0)", (table,))
            cleaned = self._drop_leftovers()
            self._rows(f"CREATE TABLE {q} (id INT NOT NULL PRIMARY KEY, note VARCHAR(64) NOT NULL) ENGINE=InnoDB")
            try:
                self._rows(f"INSERT INTO {q} (id, note) VALUES (1, %s)", (UNICORN,))
                back = self._value(f"SELECT note FROM {q} WHERE id = 1")
                engine = self._value("SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                                     "AND TABLE_NAME = %s", (table,))
            finally:
                self._drop(table)
                with contextlib.suppress(Exception):  # ending the session releases it too
                    self._rows("SELECT RELEASE_LOCK(%s)", (table,))
        except pymysql.err.MySQLError as exc:
            raise self._write_error(exc) from None
        if back != UNICORN:
            raise CheckFailed(f"a 4-byte character did not survive the round trip (got {back!r})",
                              f"ALTER DATABASE {sql_identifier(self.url.database)} CHARACTER SET utf8mb4 "
                              "COLLATE utf8mb4_general_ci;",
                              "Sent and read back with connection charset utf8mb4.")
        if str(engine).lower() != "innodb":
            raise CheckFailed(f"the scratch table was created with {engine}, not InnoDB",
                              "Enable InnoDB (it is the default engine; check default_storage_engine and "
                              "disabled_storage_engines in my.cnf).",
                              "The server substituted another engine because InnoDB is not available.")
        leftovers = f" Dropped {len(cleaned)} scratch table(s) a broken earlier check left: {', '.join(cleaned)}." \
            if cleaned else ""
        return Outcome("created, wrote, read back and dropped an InnoDB table; utf8mb4 round trip OK",
                       f"Scratch table {table} with {UNICORN!r}.{leftovers}", {"leftovers_dropped": cleaned})

    def _drop_leftovers(self) -> list[str]:
        """Drop scratch tables of our exact pattern whose session is gone (their named lock is free)."""
        rows = self._rows("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                          "AND TABLE_NAME LIKE %s", ("wbtui\\_check\\_%",))
        dropped = []
        for (name,) in rows:
            if _SCRATCH.fullmatch(str(name)) and self._value("SELECT IS_FREE_LOCK(%s)", (name,)) == 1:
                self._rows(f"DROP TABLE IF EXISTS {sql_identifier(str(name))}")
                dropped.append(str(name))
        return dropped

    def _drop(self, table: str) -> None:
        """Drop the scratch table, on a fresh connection if this one broke; say so if it stays."""
        try:
            self._rows(f"DROP TABLE IF EXISTS {sql_identifier(table)}")
            return
        except Exception:  # retried below on a new connection
            pass
        try:
            conn = open_connection(self.url, self.timeout)
            try:
                with conn.cursor() as cur:
                    cur.execute(f"DROP TABLE IF EXISTS {sql_identifier(table)}")
            finally:
                conn.close()
        except Exception as exc:  # reported with the manual clean-up
            raise CheckFailed(f"could not drop the scratch table {table}: {error_message(exc)}",
                              f"DROP TABLE {sql_identifier(self.url.database)}.{sql_identifier(table)};") from None

    def _write_error(self, exc: BaseException) -> CheckFailed:
        code, message = error_code(exc), error_message(exc)
        if code in (1142, 1044, 1227):
            return CheckFailed(f"not allowed to write: {message}",
                               f"GRANT ALL ON {grant_database(self.url.database)}.* TO {self._grant_account()} "
                               "WITH GRANT OPTION;")
        if code == 1366:
            return CheckFailed("the database cannot store 4-byte UTF-8 characters",
                               f"ALTER DATABASE {sql_identifier(self.url.database)} CHARACTER SET utf8mb4 "
                               "COLLATE utf8mb4_general_ci;", message)
        if code in (1286, 1289):
            return CheckFailed("InnoDB is not available on this server",
                               "Enable InnoDB (check disabled_storage_engines and skip-innodb in my.cnf).", message)
        if code in (1290, 1836):
            return CheckFailed("the server is read-only (a replica, or read_only = ON)",
                               "Point MYSQL at the primary, or SET GLOBAL read_only = OFF on it.", message)
        return CheckFailed(f"write test failed: {message}", "Check the server's error log.")

    def settings(self) -> Outcome:
        devs = deviations(self.variables())
        if not devs:
            return Outcome(f"all {len(RECOMMENDED)} recommended settings in place")
        lines = [(d.setting.name, d.setting.value) for d in devs if d.actual is not None]
        details = "\n".join(d.describe() for d in devs)
        details += ("\nAdd the lines under [mysqld] in my.cnf and restart mysqld; on MySQL 8 SET PERSIST applies "
                    "them without a restart; on a managed MySQL (RDS, Aurora, Cloud SQL) set them in the "
                    "parameter group / database flags.")
        raise CheckWarning(f"{len(devs)} of {len(RECOMMENDED)} recommended settings differ: "
                           + ", ".join(d.setting.name for d in devs),
                           my_cnf(lines) if lines else "", details,
                           deviations={d.setting.name: d.actual for d in devs})

    def binlog(self) -> Outcome:
        variables = self.variables()
        advice = ("The guide: back the database up daily to a separate facility and keep at least a week of "
                  "backups; with the binary log on you can also restore to any moment since the last backup.")
        if self.info is not None and self.info.aurora_version:
            return Outcome("Aurora: backups and point-in-time recovery are part of the service",
                           "Set the backup retention period of the cluster to at least 7 days. " + advice)
        if variables.get("log_bin", "").upper() in ("ON", "1"):
            kept = binlog_retention(variables)
            return Outcome(f"binary log on (point-in-time recovery possible), kept {kept}", advice,
                           {"log_bin": True, "retention": kept})
        expiry = (("expire_logs_days", "7") if self.info is not None and self.info.numbers
                  and self.info.numbers[:2] == (5, 7) and not self.info.fork
                  else ("binlog_expire_logs_seconds", "604800"))
        raise CheckWarning("binary log off: no point-in-time recovery between backups",
                           my_cnf([("log_bin", "mysql-bin"), ("server_id", "1"), expiry]),
                           advice, log_bin=False)

    def load(self) -> Outcome:
        status = self._status("Threads_connected", "Threads_running", "Slow_queries", "Uptime",
                              "Max_used_connections")
        maxc = int(self._value("SELECT @@max_connections") or 0)
        used = int(status.get("Threads_connected", 0))
        peak = int(status.get("Max_used_connections", 0))
        running = int(status.get("Threads_running", 0))
        slow = int(status.get("Slow_queries", 0))
        uptime = int(status.get("Uptime", 0))
        data = {"connections": used, "max_connections": maxc, "max_used_connections": peak,
                "threads_running": running, "slow_queries": slow, "uptime": uptime}
        summary = (f"{used}/{maxc} connections (peak {peak}), {running} running, {slow} slow queries, "
                   f"up {_uptime(uptime)}")
        fix = f"[mysqld]\nmax_connections = {max(maxc * 2, 300)}"
        if maxc and used >= 0.8 * maxc:
            raise CheckWarning(f"close to max_connections: {summary}", fix,
                               "New connections (W&B's included) are refused at the limit.", **data)
        if maxc and peak >= maxc:
            raise CheckWarning(f"max_connections was reached since start-up: {summary}", fix,
                               "Connections were refused at the peak.", **data)
        details = "Slow queries are counted since start-up (slow_query_log shows them)." if slow else ""
        return Outcome(summary, details, data)

    def replication(self) -> Outcome:
        import pymysql

        advice = ("The guide: depending on your availability needs, run a hot standby on a separate machine that "
                  "streams every update from the primary in real time, to fail over to if the primary crashes "
                  "or is corrupted.")
        standby_fix = ("Set up a replica on another machine (MySQL replication, or InnoDB Cluster / a managed "
                       "Multi-AZ database) streaming from this server.")
        try:
            replica_rows, replica_why = self._try_rows("SHOW REPLICA STATUS", "SHOW SLAVE STATUS")
            hosts, hosts_why = self._try_rows("SHOW REPLICAS", "SHOW SLAVE HOSTS")
            dumps = self._value("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
                                "WHERE COMMAND LIKE 'Binlog Dump%%'")
        except pymysql.err.MySQLError as exc:
            raise CheckFailed(f"connection lost: {error_message(exc)}") from None
        semi = self._status("Rpl_semi_sync_master_clients", "Rpl_semi_sync_source_clients")
        replicas = max(len(hosts or []), int(dumps or 0), *(int(v) for v in semi.values()), 0)
        if replica_rows:
            row = replica_rows[0]
            source = row.get("Source_Host") or row.get("Master_Host") or "?"
            lag = row.get("Seconds_Behind_Source", row.get("Seconds_Behind_Master"))
            io = row.get("Replica_IO_Running") or row.get("Slave_IO_Running")
            sql = row.get("Replica_SQL_Running") or row.get("Slave_SQL_Running")
            state = f"replica of {source}, lag {lag if lag is not None else 'unknown'} s, IO {io}, SQL {sql}"
            raise CheckWarning(f"MYSQL points at a replica ({state})",
                               "Point MYSQL at the primary; W&B writes to its database.",
                               "Replication lag and stopped threads show here; W&B must write to the primary.",
                               replica_of=source, lag=lag)
        if replicas:
            return Outcome(f"{replicas} replica(s) stream from this server (hot standby)", advice,
                           {"replicas": replicas})
        if replica_rows is not None and (hosts is not None or {"PROCESS", ALL} & self.global_privileges):
            raise CheckWarning("no hot standby: no replica streams from this server", standby_fix, advice,
                               replicas=0)
        mariadb = self.info is not None and self.info.fork == "MariaDB"
        needs = "PROCESS, SLAVE MONITOR" if mariadb else "PROCESS, REPLICATION CLIENT"
        why = "; ".join(x for x in (replica_why, hosts_why) if x)
        raise CheckWarning(
            f"cannot tell whether a hot standby exists: {self.account} may not see replication",
            f"Check on the server as an admin (SHOW REPLICAS), or let wbtui see it: "
            f"GRANT {needs} ON *.* TO {self._grant_account()};",
            f"{advice} Server said: {why}", replicas=None)

    def cpu(self) -> Outcome:
        pids, how = find_mysqld(self.url.effective_port)
        if not pids:
            raise CheckWarning("the database runs on this host but no mysqld/mariadbd process is visible",
                               "Run wbtui as a user that may read /proc of the database process, or watch "
                               "its CPU with top.")
        sample = sample_cpu(pids, self.cpu_window)
        if sample.exited:
            listed = ", ".join(str(pid) for pid in sample.exited)
            raise CheckFailed(f"the MySQL server process {listed} exited while it was sampled: it may be "
                              "crash-looping; check its log",
                              "Read the server's error log (journalctl -u mariadb or -u mysql, docker logs "
                              "CONTAINER, or the .err file in its datadir), fix what it reports, then run "
                              "wbtui check mysql again.",
                              f"{how}. A process that ends during the sample used no CPU we could measure, "
                              "so no percentage is given.", pids=list(sample.exited), process=how)
        rule = (f"The guide: CPU sustained above {STARVED_PERCENT:g}% of the system for more than 5 minutes "
                "means the server is resource starved.")
        window = (f"This sample covers {sample.window:g}s"
                  + ("." if sample.window >= GUIDE_WINDOW else
                     f"; sample the guide's 5 minutes with --cpu-window {GUIDE_WINDOW:g}."))
        data = {"percent": sample.percent, "window": sample.window, "pids": list(sample.pids), "process": how}
        summary = f"{sample.percent:g}% of this host's CPU over {sample.window:g}s (threshold {STARVED_PERCENT:g}%)"
        if sample.percent > STARVED_PERCENT:
            raise CheckWarning(f"busy: {summary}",
                               "Give the database more CPU (or a host of its own), or find the expensive "
                               "queries (slow query log).", f"{how}. {rule} {window}", **data)
        return Outcome(summary, f"{how}. {rule} {window}", data)


def _uptime(seconds: int) -> str:
    if seconds >= 86400:
        return f"{seconds // 86400} d"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"
