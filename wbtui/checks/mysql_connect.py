"""Opening a MySQL connection, and saying in plain words why it failed.

pymysql reports most failures as error 2003 or 2013 with the socket error
inside; the operator needs to know which of DNS, a closed port, a firewall, TLS,
credentials, a missing database or the account's host part is the cause.
"""

from __future__ import annotations

import errno
import functools
import re
import socket
import ssl
from typing import Any

from ..config.sql_quoting import sql_string
from ..config.urls import MysqlURL
from .model import CheckFailed

ADMIN_ENV = "WBTUI_MYSQL_ADMIN"  # an admin URL the checks may use to look at mysql.user (never shown)
_DENIED = re.compile(r"Access denied for user '(?:[^']|'')*'@'(?P<host>(?:[^']|'')*)'")
_NOT_ALLOWED = re.compile(r"Host '(?P<host>(?:[^']|'')*)' is not allowed to connect")


def open_connection(url: MysqlURL, timeout: float, *, database: bool | str | None = True,
                    read_timeout: float | None = None) -> Any:
    """A pymysql connection with utf8mb4 and every timeout set; raises what pymysql raises.

    ``database``: True for the URL's, False or None for none, or a name. ``read_timeout``: how long one
    statement may take (the connect timeout when None; a backup's COUNT(*) of a big table needs more).
    """
    read = timeout if read_timeout is None else read_timeout
    return _connection_class()(
        host=url.host.strip("[]"), port=url.effective_port, user=url.user, password=url.password,
        database=url.database if database is True else (database or None), charset="utf8mb4",
        connect_timeout=timeout, read_timeout=read, write_timeout=read, autocommit=True,
    )


@functools.cache
def _connection_class() -> type:
    """pymysql's connection in its preferred TLS mode (TLS when the server offers it, the certificate not
    verified), without the load of the system CA store that pymysql does for that mode: 60 ms of CPU on
    every connection, for certificates this mode never checks."""
    import pymysql

    class Connection(pymysql.connections.Connection):
        def _create_ssl_ctx(self, sslp: Any) -> ssl.SSLContext:
            if sslp != {}:  # explicit TLS options: pymysql's own handling
                ctx: ssl.SSLContext = super()._create_ssl_ctx(sslp)
                return ctx
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx

    return Connection


def sql_account(user: str, host: str = "%") -> str:
    """``'user'@'host'`` as GRANT and CREATE USER spell an account."""
    return f"{sql_string(user)}@{sql_string(host)}"


def admin_url_hint(url: MysqlURL) -> str:
    """The admin URL an operator would pass to ``wbtui db init`` for this server."""
    return MysqlURL("root", "ADMIN_PASSWORD", url.host, "mysql", url.effective_port).format()


def db_init_fix(url: MysqlURL, extra: str = "") -> str:
    return f"wbtui db init --admin {admin_url_hint(url)}{extra}"


def error_code(exc: BaseException) -> int | None:
    args: tuple[Any, ...] = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def error_message(exc: BaseException) -> str:
    args: tuple[Any, ...] = getattr(exc, "args", ())
    if len(args) >= 2 and isinstance(args[0], int):
        return str(args[1])
    return str(exc)


def denied_host(message: str) -> str | None:
    """The client host a server names in "Access denied for user 'u'@'HOST'" / "Host 'HOST' is not allowed"."""
    m = _DENIED.search(message) or _NOT_ALLOWED.search(message)
    return m.group("host").replace("''", "'") if m else None


def explain(exc: BaseException, url: MysqlURL, timeout: float) -> CheckFailed:
    """The connection failure as a CheckFailed with its cause and fix."""
    where = f"{url.host}:{url.effective_port}"
    me = sql_account(url.user)
    code = error_code(exc)
    message = error_message(exc)
    original = getattr(exc, "original_exception", None)
    data: dict[str, Any] = {"error_code": code, "cause": ""}

    def failed(cause: str, summary: str, fix: str, details: str = "") -> CheckFailed:
        data["cause"] = cause
        text = f"{details}\nServer said: {message}" if details else f"Server said: {message}"
        return CheckFailed(summary, fix, text.strip(), **data)

    if isinstance(original, socket.gaierror) or code == 2005:
        return failed("dns", f"cannot resolve the host name {url.host!r}",
                      "Correct the host in MYSQL (wbtui config set MYSQL mysql://USER:PASSWORD@HOST:3306/DATABASE) "
                      "or make the name resolvable (DNS, /etc/hosts) here and where W&B runs.")
    if isinstance(original, ConnectionRefusedError):
        return failed("refused", f"connection refused by {where}: nothing listens on that port",
                      "Start MySQL, check the port in MYSQL, and if the server is remote make it listen on the "
                      "network (my.cnf: bind-address = 0.0.0.0) and open the port in its firewall.")
    if isinstance(original, ssl.SSLError):
        return failed("tls", f"TLS error talking to {where}",
                      "W&B's MYSQL URL connects without TLS: allow plain connections for the W&B account "
                      "(require_secure_transport = OFF, no REQUIRE SSL) or put the server on a trusted network.")
    if isinstance(original, TimeoutError):
        return failed("timeout", f"no answer from {where} within {timeout:g}s",
                      "Check the host and port in MYSQL, that the server is up, and that no firewall drops "
                      "packets between this machine (and W&B) and the database.",
                      "The TCP connection was never established: the packets are dropped or the host is down.")
    if isinstance(original, OSError) and original.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return failed("unreachable", f"no route to {where}",
                      "Check the host in MYSQL and the network route/firewall to the database server.")
    if code == 2013 and "timed out" in message:
        return failed("timeout", f"{where} accepted the connection but sent no MySQL greeting within {timeout:g}s",
                      "Make sure MYSQL points at a MySQL server (not a proxy or another service) and that the "
                      "server is not overloaded or hung.",
                      "The TCP port is open, but nothing answered the MySQL handshake.")
    if code in (2013, 2006):
        return failed("lost", f"{where} closed the connection during the handshake",
                      "Make sure MYSQL points at a MySQL server; check the server's error log "
                      "(max_connect_errors, TLS-only proxies, crashed server).")
    if code == 1045:
        host = denied_host(message) or "this host"
        anon = sql_account("", host)
        summary = f"access denied for {sql_account(url.user, host)}: wrong user name or password"
        if host == "localhost":
            summary += f", or the anonymous account {anon} caught the login"
        data["client_host"] = host
        return failed("access_denied", summary,
                      "Put the right password into MYSQL, or let db init find and fix the account (it also plans "
                      "dropping an anonymous account that catches the login): " + db_init_fix(url, " --reset-password"),
                      f"The server saw this login come from {host!r}. Either no account of {url.user!r} matches "
                      f"that host, or the password differs, or another account caught the login first: MySQL "
                      f"tries the most specific host first and a named user before the anonymous one, so an "
                      f"anonymous account {anon} (a default install leaves ''@'localhost') wins over {me} and "
                      f"the password is never compared with {url.user!r}'s. An admin sees it with: "
                      f"SELECT User, Host FROM mysql.user WHERE User IN ({sql_string(url.user)}, ''); "
                      f"the fix is DROP USER {anon}; (set {ADMIN_ENV} to an admin URL and the check looks itself).")
    if code == 1049:
        return failed("unknown_database", f"database {url.database!r} does not exist on {where}",
                      db_init_fix(url))
    if code == 1044:
        return failed("no_database_access", f"user {url.user!r} may not use database {url.database!r} "
                      "(or it does not exist)", db_init_fix(url),
                      "The server hides whether the database exists from accounts without privileges on it.")
    if code == 1130:
        host = denied_host(message) or "this host"
        data["client_host"] = host
        return failed("host_not_allowed", f"{where} has no account for {url.user!r} from {host}",
                      f"Create the account for any host ({me}), as the guide does: " + db_init_fix(url),
                      f"No account's host part matches {host!r}, the address the server sees this connection "
                      "come from (a container connects from its bridge or pod address, not from loopback).")
    if code == 1129:
        return failed("host_blocked", "this host is blocked after too many failed connections",
                      "Run FLUSH HOSTS (or mysqladmin flush-hosts) on the server and raise max_connect_errors.")
    if code in (1040, 1203):
        return failed("too_many_connections", f"{where} refuses new connections: too many connections",
                      "Raise max_connections in my.cnf or find the clients that hold connections open.")
    if code in (3159, 2026):
        return failed("tls", f"{where} requires TLS (secure transport)",
                      "W&B's MYSQL URL connects without TLS: set require_secure_transport = OFF or allow plain "
                      "connections for the W&B account.")
    if code in (1820, 1862):
        return failed("password_expired", f"the password of {url.user!r} has expired",
                      f"ALTER USER {me} IDENTIFIED BY '<the password in MYSQL>';  (or "
                      + db_init_fix(url, " --reset-password") + ")")
    if code in (3118, 4151):
        return failed("account_locked", f"the account {url.user!r} is locked",
                      f"ALTER USER {me} ACCOUNT UNLOCK;")
    if code in (1251, 2059):
        return failed("auth_plugin", "the account's authentication plugin is not supported by the client",
                      f"ALTER USER {me} IDENTIFIED WITH caching_sha2_password BY '<password>';  "
                      "(or mysql_native_password on MySQL 5.7)")
    if isinstance(exc, RuntimeError) and "cryptography" in message:
        return failed("client", "the client needs the 'cryptography' package for this account's password plugin",
                      "pip install cryptography")
    return failed("other", f"cannot connect to {where}: {message}",
                  "Check MYSQL (wbtui config show) and the server's error log.")
