"""The database: the embedded MySQL, an external one, its accounts and the schema migrations."""

from __future__ import annotations

import re

from .facts import LOOPBACK, Facts, Rule, embedded_mysql, external_mysql


def loopback_mysql(facts: Facts) -> str | None:
    host = facts.mysql_host()
    if host is not None and host.lower() in LOOPBACK:
        return f"MYSQL points at {host}"
    return None


_DIAL = re.compile(r"(dial|read) tcp (?:[^\s]+->)?(?P<addr>[^\s]+):(?P<port>\d+): (?:connect: )?"
                   r"(connection refused|i/o timeout|no route to host|network is unreachable)", re.IGNORECASE)
_LOOKUP = re.compile(r"dial tcp: lookup (?P<name>[^\s:]+)(?: on [^\s]+)?: no such host", re.IGNORECASE)
_ACCESS_DENIED = re.compile(r"Access denied for user", re.IGNORECASE)


def mysql_dial_failed(facts: Facts) -> str | None:
    """A line where the container fails to connect to the configured database (its port or host)."""
    host = (facts.mysql_host() or "").strip("[]").lower()
    port = facts.mysql_port()
    for line in facts.lines:
        m = _DIAL.search(line)
        if m and (int(m["port"]) == port or (host and m["addr"].strip("[]").lower() == host)):
            return line
        m = _LOOKUP.search(line)
        if m and host and m["name"].lower() == host:
            return line
    return None


def mysql_only_from_host(facts: Facts) -> str | None:
    """The MySQL connection check from this machine passed, yet the container cannot reach the database."""
    connected = [c for c in facts.checks if c.store == "mysql" and c.status.value == "pass" and "connect" in c.id]
    if not connected or not external_mysql(facts):
        return None
    return mysql_dial_failed(facts) or next((line for line in facts.lines if _ACCESS_DENIED.search(line)), None)


RULES: tuple[Rule, ...] = (
    Rule(
        "migration-dirty", "Interrupted database migration", "critical",
        "A schema migration (version {version}) stopped half-way, usually because the container was "
        "killed or restarted during an upgrade; the server refuses to start on a dirty schema.",
        "Stop the server and back up the database. Inspect `SELECT * FROM schema_migrations;` "
        "(version {version}, dirty=1). Restore the backup taken before the upgrade, or, with W&B "
        "support, repair the schema and force the version (`UPDATE schema_migrations SET dirty=0`). "
        "Never start two containers on one database during an upgrade.",
        patterns=(r"Dirty database version (?P<version>\d+)",),
    ),
    Rule(
        "embedded-mysql-down", "Embedded MySQL did not start", "critical",
        "MYSQL is empty, so the container runs its own MySQL on 127.0.0.1:3306, and it is not "
        "accepting connections: usually /vol permissions, a full disk or too little memory.",
        "Check the volume is writable by the container's UID (999, or the configured one), the disk "
        "has space and the container has 8 GB; the MySQL log is /var/log/mysql.log inside the "
        "container. For production set MYSQL to an external database.",
        patterns=(r"dial tcp (127\.0\.0\.1|localhost|\[::1\]):3306: (connect: connection refused|i/o timeout)",
                  r"read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:3306: i/o timeout"),
        when=embedded_mysql,
    ),
    Rule(
        "mysql-unreachable", "MySQL unreachable from the container", "critical",
        "The container cannot open a connection to the database at {mysql_host}.",
        "MYSQL must name an address the container can reach: localhost/127.0.0.1 inside the container "
        "is the container itself, not this host. Use the database server's LAN address or DNS name, "
        "make MySQL listen on it (bind-address) and open its port in the firewall.",
        predicate=mysql_dial_failed, source="log",
        when=external_mysql,
    ),
    Rule(
        "mysql-access-denied", "MySQL rejected the user or password", "critical",
        "MySQL answered but refused the credentials in MYSQL (wrong password, or the user exists only "
        "for another client host, e.g. 'wandb_local'@'localhost').",
        "Create the user for any host as the guide does: CREATE USER 'wandb_local'@'%' IDENTIFIED BY "
        "'...'; GRANT ALL ON wandb_local.* TO 'wandb_local'@'%' WITH GRANT OPTION; then make the "
        "password in MYSQL match (`wbtui render sql`).",
        patterns=(r"Error 1045( \(28000\))?:.*Access denied for user", r"Access denied for user '[^']*'@'[^']*'"),
    ),
    Rule(
        "mysql-unknown-database", "MySQL database does not exist", "critical",
        "The database named in MYSQL has not been created.",
        "CREATE DATABASE wandb_local CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci; (name as in MYSQL; "
        "`wbtui render sql` prints the guide's statements).",
        patterns=(r"Error 1049( \(42000\))?:.*Unknown database", r"Unknown database '[^']+'"),
    ),
    Rule(
        "mysql-connection-lost", "MySQL connections dropped", "warning",
        "Open connections to MySQL are cut mid-query: the database restarted or failed over, a "
        "firewall or proxy drops idle connections, or a packet exceeded max_allowed_packet.",
        "Check the database's uptime and error log; raise max_allowed_packet (64M+) and keep "
        "firewalls from dropping idle connections to port 3306.",
        patterns=(r"lost connection to MySQL server", r"MySQL server has gone away",
                  r"\[mysql\].*(invalid connection|bad connection|unexpected EOF|broken pipe)"),
    ),
    Rule(
        "mysql-reachable-only-from-host", "MySQL answers this machine but not the container", "error",
        "The MySQL check from this machine passes while the container fails to connect: the address in "
        "MYSQL means something else inside the container, a firewall admits only this host, or the "
        "user is limited to this host's address.",
        "Use an address of the database that containers reach (not localhost), allow the Docker/pod "
        "network in the firewall, and create the user for '%' (or the container network).",
        predicate=mysql_only_from_host, source="log",
    ),
    Rule(
        "mysql-loopback", "MYSQL points at localhost", "warning",
        "Inside the container localhost/127.0.0.1 is the container itself, not the machine running it.",
        "Set MYSQL to the database host's LAN address or DNS name (as seen from the container).",
        predicate=loopback_mysql,
    ),
)
