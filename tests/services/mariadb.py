"""A private MariaDB server on loopback: its own data dir, port, socket and root password.

Used by the pytest fixtures and by ``scripts/services.py``. It is deliberately *not*
tuned to W&B's recommendations (the datastore checks must find something to warn
about), but the binary log is on, as on any server worth backing up.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from tests.services.base import Process, ServiceError, free_port, require_binaries, wait_for
from wbtui.config.urls import MysqlURL

_NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")


def _ident(name: str) -> str:
    """A backtick-quoted identifier (database names are not bind parameters)."""
    return "`" + name.replace("`", "``") + "`"


def _word(value: str, what: str) -> str:
    if not _NAME_RE.match(value):
        raise ValueError(f"{what} {value!r} must be letters, digits and underscores")
    return value


class MariaDB:
    """Start, query and stop one ``mariadbd``; connection details as attributes."""

    host = "127.0.0.1"
    root_user = "root"

    def __init__(self, workdir: Path, port: int | None = None, root_password: str | None = None,
                 bind_addresses: tuple[str, ...] = ("127.0.0.1",), server_id: int = 1,
                 extra_args: tuple[str, ...] = ()):
        self.workdir = Path(workdir)
        self.server_id = server_id  # replication needs a distinct one per server
        self.extra_args = extra_args
        self.bind_addresses = bind_addresses  # MariaDB >= 10.11 listens on a list
        self.datadir = self.workdir / "data"
        self.socket = str(self.workdir / "mysqld.sock")
        self.port = port or free_port()
        self.root_password = root_password or secrets.token_hex(12)
        self.process: Process | None = None
        self.startup_seconds: float | None = None
        self._conn: Any = None

    @property
    def admin_url(self) -> str:
        return self.url(self.root_user, self.root_password, "mysql")

    def url(self, user: str, password: str, database: str) -> str:
        """``mysql://`` URL for this server, credentials percent-encoded."""
        return MysqlURL(user=user, password=password, host=self.host, database=database,
                        port=self.port).format()

    def start(self, timeout: float = 60) -> None:
        """Initialise the data dir (first time only), start mariadbd, set the root password."""
        require_binaries("mariadb-install-db", "mariadbd")
        began = time.monotonic()
        self.workdir.mkdir(parents=True, exist_ok=True)
        user = ["--user=root"] if os.geteuid() == 0 else []
        fresh = not (self.datadir / "mysql").is_dir()
        if fresh:
            log = self.workdir / "install.log"
            installer = Process(
                ["mariadb-install-db", "--no-defaults", f"--datadir={self.datadir}",
                 "--auth-root-authentication-method=normal", "--skip-test-db", *user],
                log,
            )
            if installer.popen.wait(timeout) != 0:
                raise ServiceError(f"mariadb-install-db failed:\n{installer.tail()}")
            installer.stop()
        self.process = Process(
            ["mariadbd", "--no-defaults", f"--datadir={self.datadir}", f"--port={self.port}",
             f"--socket={self.socket}", f"--bind-address={','.join(self.bind_addresses)}", "--skip-name-resolve",
             f"--log-bin={self.datadir / 'binlog'}", f"--server-id={self.server_id}",
             f"--pid-file={self.workdir / 'mariadbd.pid'}",
             f"--log-error={self.workdir / 'mariadbd.err'}", *self.extra_args, *user],
            self.workdir / "mariadbd.out",
        )
        wait_for(self._socket_answers, timeout, f"mariadbd on {self.socket}")
        if fresh:
            self._secure_root()
        wait_for(lambda: self.execute("SELECT 1"), 10, f"mariadbd on 127.0.0.1:{self.port}")
        self.startup_seconds = time.monotonic() - began

    def _socket_answers(self) -> bool:
        if self.process is not None and not self.process.alive():
            err = self.workdir / "mariadbd.err"
            tail = err.read_text(errors="replace")[-2000:] if err.exists() else self.process.tail()
            raise ServiceError(f"mariadbd exited with {self.process.popen.returncode}:\n{tail}")
        return Path(self.socket).exists()

    def _secure_root(self) -> None:
        """Root gets the known password on the socket and over TCP from 127.0.0.1."""
        import pymysql

        conn = pymysql.connect(unix_socket=self.socket, user="root", password="",
                               connect_timeout=5, autocommit=True)
        try:
            with conn.cursor() as cur:
                for host in ("localhost", "127.0.0.1"):
                    cur.execute("CREATE USER IF NOT EXISTS 'root'@%s", (host,))
                    cur.execute("ALTER USER 'root'@%s IDENTIFIED BY %s", (host, self.root_password))
                    cur.execute("GRANT ALL ON *.* TO 'root'@%s WITH GRANT OPTION", (host,))
                cur.execute("DROP USER IF EXISTS 'root'@'::1'")
        finally:
            conn.close()

    def _connection(self) -> Any:
        import pymysql

        if self._conn is not None:
            try:
                self._conn.ping(reconnect=False)
                return self._conn
            except pymysql.Error:
                with contextlib.suppress(pymysql.Error):
                    self._conn.close()
                self._conn = None
        self._conn = pymysql.connect(
            host=self.host, port=self.port, user=self.root_user, password=self.root_password,
            connect_timeout=5, read_timeout=30, write_timeout=30, autocommit=True,
        )
        return self._conn

    def execute(self, sql: str, params: Any = None) -> list[tuple]:
        """Run one statement as root over TCP; the rows it returned (empty if none)."""
        with self._connection().cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall()) if cur.description else []

    def create_user(self, name: str, password: str, host: str = "%") -> None:
        self.execute("CREATE USER %s@%s IDENTIFIED BY %s", (name, host, password))

    def create_database(self, name: str, charset: str = "utf8mb4",
                        collation: str = "utf8mb4_general_ci") -> None:
        self.execute(f"CREATE DATABASE {_ident(name)} CHARACTER SET "
                     f"{_word(charset, 'charset')} COLLATE {_word(collation, 'collation')}")

    def grant(self, privileges: str, on: str, user: str, host: str = "%",
              grant_option: bool = False) -> None:
        """``GRANT privileges ON on TO user@host``; ``on`` is SQL, e.g. ``wandb_local.*``."""
        suffix = " WITH GRANT OPTION" if grant_option else ""
        self.execute(f"GRANT {privileges} ON {on} TO %s@%s{suffix}", (user, host))

    def drop_user(self, name: str, host: str = "%") -> None:
        self.execute("DROP USER IF EXISTS %s@%s", (name, host))

    def drop_database(self, name: str) -> None:
        self.execute(f"DROP DATABASE IF EXISTS {_ident(name)}")

    def stop(self, remove_data: bool = False) -> None:
        """Clean shutdown (SIGTERM to mariadbd, waited for); optionally delete the data dir."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        if self.process is not None:
            self.process.stop(timeout=60)
            self.process = None
        if remove_data:
            shutil.rmtree(self.workdir, ignore_errors=True)
