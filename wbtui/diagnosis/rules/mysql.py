"""The database: the embedded MySQL, an external one, its accounts and the schema migrations.

What the log can tell apart, and the public reports each rule was written from:
- the embedded MySQL (MYSQL empty) not starting, and why when mysql.log says: its data directory on /vol
  not writable (wandb/server#7), thread creation refused (errno 1: Docker on WSL2, wandb/server#86),
  or a disk so slow that InnoDB's page cleaner falls seconds behind and the migration's reads time out
  (wandb/server#39) -- a slow volume, not a MySQL that never started;
- an external MySQL unreachable (refused, timeout, no such host), or reached and refusing the account:
  Error 1130 "Host 'x' is not allowed" (no account for the address the container connects from),
  Error 1045 "Access denied for user 'u'@'localhost'" (over loopback an anonymous ''@'localhost'
  shadows 'u'@'%') or for 'u'@'172.17.0.2' (wrong password, or the user exists only for another host);
- the schema: an interrupted migration ("Dirty database version"), a schema the server does not know,
  a database migrated by a newer server than the image now started (the migration panics "file does not
  exist": no migration file for the database's version; downgrading is not supported, wandb/server#99).
"""

from __future__ import annotations

import re

from .facts import LOOPBACK, Facts, Rule, embedded_mysql, external_mysql


def loopback_mysql(facts: Facts) -> str | None:
    host = facts.mysql_host()
    if host is not None and host.lower() in LOOPBACK:
        return f"MYSQL points at {host}"
    return None


_DIAL = re.compile(r"(dial|read) tcp (?:[^\s]+->)?(?P<addr>[^\s]+):(?P<port>\d+): (?:connect: |getsockopt: )?"
                   r"(connection refused|i/o timeout|no route to host|network is unreachable|"
                   r"connection timed out|operation timed out)", re.IGNORECASE)
_LOOKUP = re.compile(r"dial tcp: lookup (?P<name>[^\s:]+)(?: on [^\s]+)?: no such host", re.IGNORECASE)
_ACCESS_DENIED = re.compile(r"Access denied for user|is not allowed to connect to this (MySQL|MariaDB) server",
                            re.IGNORECASE)
_PAGE_CLEANER = re.compile(r"InnoDB: page_cleaner: 1000ms intended loop took (?P<ms>\d+)ms", re.IGNORECASE)
SLOW_LOOP_MS = 2000
"""A page-cleaner loop this slow, seen twice, means the disk under MySQL cannot keep up."""
VERY_SLOW_LOOP_MS = 10_000
"""One loop this slow is enough."""


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


def slow_disk(facts: Facts) -> str | None:
    """InnoDB's page cleaner, meant to run each second, took seconds: the slowest such line."""
    slow = [(int(m["ms"]), line) for line in facts.lines if (m := _PAGE_CLEANER.search(line))]
    slow = [(ms, line) for ms, line in slow if ms >= SLOW_LOOP_MS]
    if len(slow) >= 2 or any(ms >= VERY_SLOW_LOOP_MS for ms, _ in slow):
        return max(slow)[1]
    return None


_NO_MIGRATION_FILE = re.compile(r"^\s*panic: file does not exist\s*$", re.IGNORECASE)
_MIGRATE_CONTEXT = re.compile(r"\*\*\* Migrating database|/cmd/migrate/main\.go|/cmd/migrate\.go|migrateCommander",
                              re.IGNORECASE)


def migration_file_missing(facts: Facts) -> str | None:
    """The migration panicked "file does not exist" (the line just before or a few after says it was the migration)."""
    for i, line in enumerate(facts.lines):
        if _NO_MIGRATION_FILE.search(line):
            near = facts.lines[max(0, i - 2):i] + facts.lines[i + 1:i + 6]
            if any(_MIGRATE_CONTEXT.search(other) for other in near):
                return line
    return None


_SQL_USERS = "`SELECT user, host, plugin FROM mysql.user ORDER BY user, host;`"
_CREATE_FOR_ANY_HOST = ("CREATE USER 'wandb_local'@'%' IDENTIFIED BY '...'; GRANT ALL ON wandb_local.* TO "
                        "'wandb_local'@'%' WITH GRANT OPTION; FLUSH PRIVILEGES;")

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
        explains=("mysql-schema-mismatch", "restart-loop"),
    ),
    Rule(
        "migration-downgrade", "The database is newer than this server version", "critical",
        "The schema migration found no migration file for the version the database is at (`panic: file does "
        "not exist`): the database was migrated by a newer W&B Server than the image now started -- a "
        "downgrade, or an older image (a pinned or cached tag) started on the volume. Downgrading is not "
        "supported.",
        "Start the newest version the database has run, or a later one (`wbtui upgrade TAG`), never an "
        "older one. If the newer version itself failed, fix that failure instead of going "
        "back; the only way to an older version is the backup taken before the upgrade.",
        predicate=migration_file_missing, source="log",
        explains=("mysql-schema-mismatch", "restart-loop"),
    ),
    Rule(
        "mysql-slow-disk", "The disk under MySQL is too slow", "error",
        "MySQL is running, but its writes to disk fall far behind: InnoDB's page cleaner, meant to run "
        "once a second, took seconds (the line). Queries then wait on the disk and the server's reads time out "
        "(`read tcp ...:3306: i/o timeout`), so migrations and sign-up fail although MySQL did start.",
        "Put the data on a fast local disk: not a network share (NFS/SMB) or a slow host bind mount. With "
        "Docker Desktop use a named volume, or mount with `consistency=delegated`; check the disk with "
        "`docker exec wandb-local dd if=/dev/zero of=/vol/ddtest bs=1M count=256 oflag=direct`. For "
        "production, use an external MySQL (MYSQL) on provisioned storage.",
        predicate=slow_disk, source="log",
        explains=("embedded-mysql-down", "mysql-connection-lost", "mysql-unreachable", "migration-connection-lost",
                  "restart-loop"),
    ),
    Rule(
        "migration-connection-lost", "The migration lost its MySQL connection", "error",
        "The schema migration's connection to MySQL broke while it held the migration lock "
        "(`SELECT RELEASE_LOCK` on a bad connection). With the embedded MySQL the usual cause is a disk "
        "too slow for MySQL: migrations that take more than a minute or two mean the Docker storage "
        "driver or the volume is hurting IO (wandb/server#39). With an external MySQL: a proxy, firewall "
        "or failover cut the connection.",
        "Put /vol on a fast local disk (a named volume; on Docker Desktop mount with "
        "`consistency=delegated`), then restart the container so the migration runs again; with an external "
        "MySQL check its error log and anything between the container and port 3306.",
        patterns=(r"bad connection in line \d+: SELECT RELEASE_LOCK",),
        explains=("mysql-connection-lost", "restart-loop"),
    ),
    Rule(
        "embedded-mysql-datadir", "The embedded MySQL cannot write its data directory", "critical",
        "The container's MySQL cannot create files in /vol/mysql: the volume at /vol is not writable by "
        "the container's user, or the storage driver does not support the files MySQL needs.",
        "Make the host directory or volume mounted at /vol writable by the container's user (UID 999 by "
        "default, or the configured one): `sudo chown -R 999:0 <dir>`; use a named volume "
        "(`-v wandb:/vol`) instead of a network or FUSE share.",
        patterns=(r"Can't create test file /vol/mysql", r"mysqld: Can't create directory '/vol/mysql",
                  r"InnoDB: The error means mysqld does not have the access rights to the directory"),
        explains=("embedded-mysql-down", "migration-dirty", "restart-loop"),
    ),
    Rule(
        "embedded-mysql-threads-denied", "The embedded MySQL may not create threads", "critical",
        "mysqld inside the container was refused a thread (errno 1, 'operation not permitted') and "
        "crashed: the container runtime's seccomp profile is older than the image (Docker before "
        "20.10.10), or Docker runs under WSL2, where the embedded MySQL does not start.",
        "Upgrade Docker Engine (20.10.10 or later) on a Linux host; on WSL2 or where Docker cannot be "
        "upgraded, run MySQL outside the container and set MYSQL to it (`wbtui render sql` prints the "
        "guide's statements).",
        patterns=(r"Failed to create timer notify thread \(errno= ?1\)",
                  r"Failed to initialize timer component \(errno 1\)",
                  r"InnoDB: pthread_create returned 1\b"),
        explains=("embedded-mysql-down", "mysql-connection-lost", "restart-loop"),
    ),
    Rule(
        "embedded-mysql-corrupt", "The embedded MySQL's data is damaged", "critical",
        "InnoDB found its files inconsistent and stops: the data under /vol/mysql was "
        "damaged -- the storage failed or filled up, the container was killed mid-write, or the files "
        "were copied while MySQL ran.",
        "Stop the server and copy the whole volume first. Restore /vol from a backup taken while the "
        "server was stopped. Without one, with W&B support, start mysqld on a copy with "
        "innodb_force_recovery=1 (raise step by step) and dump the wandb_local database to import into "
        "a fresh instance or an external MySQL.",
        patterns=(r"InnoDB: Your database may be corrupt",
                  r"InnoDB: .*log sequence number \d+ is in the future",
                  r"InnoDB: Database page corruption on disk"),
        explains=("embedded-mysql-down", "mysql-connection-lost", "restart-loop"),
    ),
    Rule(
        "embedded-mysql-disk-full", "The disk under the embedded MySQL is full", "critical",
        "InnoDB could not write its files: no space is left on the device holding /vol (error 28).",
        "Free space on the volume's disk (`docker system df`, `df -h` on the host path of /vol), or move "
        "/vol to a larger disk; then restart the server. Check the data for damage afterwards.",
        patterns=(r"Error number 28 means 'No space left on device'",),
        explains=("embedded-mysql-down", "mysql-connection-lost", "restart-loop"),
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
        "mysql-host-not-allowed", "MySQL has no account for the container's address", "critical",
        "MySQL answered but has no account for any user from {client} (Error 1130): that is the address "
        "the container connects from -- the Docker bridge or the pod network, not this machine's LAN "
        "address -- and the users exist only for other hosts (e.g. 'localhost').",
        "On the database, list the accounts: " + _SQL_USERS + " Create the user for any host (or for "
        "the container network, e.g. '172.17.%'): " + _CREATE_FOR_ANY_HOST + " A firewall that "
        "admits only this host must also admit the container network.",
        patterns=(r"Host '(?P<client>[^']+)' is not allowed to connect to this (MySQL|MariaDB) server",),
    ),
    Rule(
        "mysql-anonymous-user-shadows", "MySQL matched the user to a localhost account", "critical",
        "MySQL refused '{user}'@'{client}': the container reaches MySQL over loopback (host network, "
        "or MySQL on the same machine), and for connections from localhost MySQL picks the most "
        "specific account -- often the anonymous ''@'localhost' a default install leaves, or a "
        "'{user}'@'localhost' with another password -- so the password of '{user}'@'%' is never tried.",
        "On the database, list the accounts: " + _SQL_USERS + " Drop the anonymous ones "
        "(`DROP USER ''@'localhost'; DROP USER ''@'<hostname>';` -- mysql_secure_installation does "
        "this), or give '{user}'@'localhost' the same password as in MYSQL; then `FLUSH PRIVILEGES;`.",
        patterns=(r"Access denied for user '(?P<user>[^']+)'@'(?P<client>localhost|127\.0\.0\.1|::1)'"
                  r"(?! \(using password: ?NO\))",),
        when=external_mysql,
        explains=("mysql-access-denied", "restart-loop"),
    ),
    Rule(
        "mysql-no-user", "MYSQL names no user", "critical",
        "MySQL refused a connection with an empty user name (''@'{client}'): the connection string has "
        "no user, or the container did not receive MYSQL as set.",
        "Set MYSQL to mysql://USER:PASSWORD@HOST:3306/DATABASE (`wbtui config set server.MYSQL ...`) "
        "and check the container's environment (`docker inspect wandb-local`).",
        patterns=(r"Access denied for user ''@'(?P<client>[^']*)'",),
        explains=("mysql-access-denied", "restart-loop"),
    ),
    Rule(
        "mysql-no-password", "MYSQL has no password", "critical",
        "MySQL refused '{user}'@'{client}' because no password was sent (using password: NO): the "
        "connection string has no password, or its special characters were not percent-encoded and cut it off.",
        "Set MYSQL to mysql://USER:PASSWORD@HOST:3306/DATABASE with the password percent-encoded "
        "(`wbtui config set server.MYSQL ...` encodes it), and recreate the container so it gets the new value.",
        patterns=(r"Access denied for user '(?P<user>[^']+)'@'(?P<client>[^']*)' \(using password: ?NO\)",),
        explains=("mysql-access-denied", "restart-loop"),
    ),
    Rule(
        "mysql-access-denied", "MySQL rejected the user or password", "critical",
        "MySQL answered but refused '{user}'@'{client}' (the user in MYSQL, from the address MySQL saw): "
        "the password is wrong, or '{user}' exists only for another client host (e.g. '{user}'@'localhost' "
        "while the container connects from its own address).",
        "On the database, list the accounts: " + _SQL_USERS + " If the user exists only for "
        "localhost or another host, create it for any host as the guide does: " + _CREATE_FOR_ANY_HOST
        + " Otherwise reset the password (`ALTER USER 'wandb_local'@'%' IDENTIFIED BY '...';`) and make "
        "the password in MYSQL match (`wbtui render sql`).",
        patterns=(r"Access denied for user '(?P<user>[^']+)'@'(?P<client>[^']+)'",),
    ),
    Rule(
        "mysql-unknown-database", "MySQL database does not exist", "critical",
        "The database named in MYSQL has not been created.",
        "CREATE DATABASE wandb_local CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci; (name as in MYSQL; "
        "`wbtui render sql` prints the guide's statements).",
        patterns=(r"Error 1049( \(42000\))?:.*Unknown database", r"Unknown database '[^']+'"),
    ),
    Rule(
        "mysql-schema-mismatch", "The database schema does not match the server", "error",
        "The server queried a column the schema lacks ({column}): the migrations for this version did "
        "not finish, or the database was migrated by another (newer) server version.",
        "Look further up the log for the migration's own error (`*** Migrating database...`) and fix it; "
        "run one server version against the database at a time. Downgrading is not supported: restore "
        "the backup taken before the upgrade, or upgrade again.",
        patterns=(r"Error 1054( \(42S22\))?: Unknown column '(?P<column>[^']+)'",),
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
