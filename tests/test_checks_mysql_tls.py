"""Every wbtui connection to MySQL uses TLS when the server offers it, and stays plain when it does not.

A MariaDB of its own with a certificate the test makes with openssl; the connection path is the one every
check, monitor and backup uses (``open_connection``), which skips pymysql's load of the system CA store.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.services.base import unavailable
from tests.services.mariadb import MariaDB
from wbtui.checks.mysql_connect import open_connection
from wbtui.config.urls import MysqlURL
from wbtui.ops.backup import manifest as mf


@pytest.fixture(scope="module")
def tls_mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDB]:
    if not shutil.which("openssl"):
        pytest.fail("openssl is not installed; run scripts/test.sh")
    work = tmp_path_factory.mktemp("mariadb-tls")
    cert, key = work / "server.crt", work / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    server = MariaDB(work, extra_args=(f"--ssl-cert={cert}", f"--ssl-key={key}"))
    try:
        server.start()
    except Exception as exc:
        server.stop(remove_data=True)
        unavailable("MariaDB with TLS", exc)
    server.execute("CREATE USER 'tls_user'@'%' IDENTIFIED BY 'tls-Pa55'")
    yield server
    server.stop(remove_data=True)


def _cipher(conn: Any) -> str:
    with conn.cursor() as cur:
        cur.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        return str(cur.fetchone()[1])


def _no_ca_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading the system CA store (60 ms of CPU) is what the preferred mode must not do."""
    def refuse(self: ssl.SSLContext, *args: object) -> None:
        raise AssertionError("the system CA store was loaded for a connection that verifies nothing")

    monkeypatch.setattr(ssl.SSLContext, "set_default_verify_paths", refuse)


def test_tls_is_used_when_the_server_offers_it(tls_mariadb: MariaDB, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_ca_store(monkeypatch)
    url = MysqlURL("tls_user", "tls-Pa55", tls_mariadb.host, "", tls_mariadb.port)
    conn = open_connection(url, 10, database=False)
    try:
        assert _cipher(conn), "the server offers TLS; the connection should use it"
    finally:
        conn.close()


def test_backup_connection_is_the_same_path(tls_mariadb: MariaDB, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_ca_store(monkeypatch)
    url = MysqlURL("tls_user", "tls-Pa55", tls_mariadb.host, "", tls_mariadb.port)
    conn = mf.connect(url, 10, database=None)
    try:
        assert _cipher(conn)
        assert conn._read_timeout == 3600.0  # a COUNT(*) of a big table may take long
    finally:
        conn.close()


def test_plain_server_still_connects(mariadb: MariaDB, mysql_scratch: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_ca_store(monkeypatch)
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    url = MysqlURL.parse(mysql_scratch.url)
    conn = open_connection(url, 10, database=False)
    try:
        assert _cipher(conn) == ""
    finally:
        conn.close()

