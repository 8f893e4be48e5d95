"""MySQL check rules that need no server: versions, settings, error causes, this host's CPU."""

from __future__ import annotations

import errno
import os
import socket
import ssl
import subprocess
import sys

import pytest
from pymysql.err import OperationalError

from wbtui.checks.model import Status
from wbtui.checks.mysql_connect import explain
from wbtui.checks.mysql_host import is_local_host, sample_cpu
from wbtui.checks.mysql_server import ServerInfo, judge
from wbtui.checks.mysql_settings import RECOMMENDED, binlog_retention, deviations, my_cnf
from wbtui.config.urls import MysqlURL


@pytest.mark.parametrize(("version", "comment", "aurora", "status", "product"), [
    ("8.0.36", "MySQL Community Server - GPL", "", Status.PASS, "MySQL"),
    ("8.4.0", "MySQL Community Server - GPL", "", Status.PASS, "MySQL"),
    ("8.0.27-log", "MySQL Community Server - GPL", "", Status.WARN, "MySQL"),
    ("5.7.44", "MySQL Community Server (GPL)", "", Status.WARN, "MySQL"),
    ("5.6.51", "MySQL Community Server (GPL)", "", Status.FAIL, "MySQL"),
    ("9.1.0", "MySQL Community Server - GPL", "", Status.WARN, "MySQL"),
    ("8.0.35-27", "Percona Server (GPL), Release 27, Revision 2f8eeab2", "", Status.PASS, "Percona Server"),
    ("8.0.32", "Source distribution", "3.05.2", Status.PASS, "Amazon Aurora MySQL"),
    ("5.7.12-log", "MySQL Community Server (GPL)", "2.11.2", Status.WARN, "Amazon Aurora MySQL"),
    ("10.11.19-MariaDB-0+deb12u1-log", "Debian 12", "", Status.FAIL, "MariaDB"),
    ("11.4.2-MariaDB", "mariadb.org binary distribution", "", Status.FAIL, "MariaDB"),
    ("8.0.11-TiDB-v7.5.0", "TiDB Server (Apache License 2.0) Community Edition", "", Status.FAIL, "TiDB"),
    ("nonsense", "", "", Status.WARN, "MySQL"),
])
def test_server_verdicts(version: str, comment: str, aurora: str, status: Status, product: str) -> None:
    info = ServerInfo(version, comment, aurora)
    verdict = judge(info)
    assert verdict.status is status
    assert info.product == product
    if status is not Status.PASS:
        assert verdict.fix


def test_mariadb_verdict_says_why_and_what_to_use() -> None:
    verdict = judge(ServerInfo("10.11.19-MariaDB-0+deb12u1-log", "Debian 12"))
    assert "not supported by W&B" in verdict.summary and "MariaDB 10.11.19" in verdict.summary
    assert "MySQL 8.0.28" in verdict.fix
    assert "10.11.19-MariaDB-0+deb12u1-log" in verdict.details


def test_aurora_label_shows_both_versions() -> None:
    assert ServerInfo("8.0.32", "Source distribution", "3.05.2").label == "Amazon Aurora MySQL 8.0.32 (Aurora 3.05.2)"


def test_recommended_settings_met_and_missed() -> None:
    good = {s.name: s.value for s in RECOMMENDED}
    assert deviations(good) == []
    bigger = {**good, "sort_buffer_size": str(2 * 67108864), "binlog_format": "row"}
    assert deviations(bigger) == []
    bad = {**good, "sync_binlog": "0", "max_prepared_stmt_count": "16382"}
    bad.pop("binlog_row_image")
    found = {d.setting.name: d.actual for d in deviations(bad)}
    assert found == {"sync_binlog": "0", "max_prepared_stmt_count": "16382", "binlog_row_image": None}
    assert "not available" in next(d for d in deviations(bad) if d.actual is None).describe()


def test_my_cnf_block() -> None:
    assert my_cnf([("sync_binlog", "1"), ("binlog_format", "ROW")]) == \
        "[mysqld]\nsync_binlog = 1\nbinlog_format = ROW"


@pytest.mark.parametrize(("variables", "expected"), [
    ({"binlog_expire_logs_seconds": "2592000"}, "30 days"),
    ({"binlog_expire_logs_seconds": "0", "expire_logs_days": "7.000000"}, "7 days"),
    ({"binlog_expire_logs_seconds": "7200"}, "2 hours"),
    ({"binlog_expire_logs_seconds": "0", "expire_logs_days": "0"}, "forever"),
])
def test_binlog_retention(variables: dict[str, str], expected: str) -> None:
    assert binlog_retention(variables).startswith(expected)


URL = MysqlURL("wandb_local", "s3cr3t", "db.example.com", "wandb_local", 3306)


def _oserror(exc: OSError) -> OperationalError:
    """What pymysql raises for a socket error: 2003 with the original attached."""
    err = OperationalError(2003, f"Can't connect to MySQL server on 'db.example.com' ({exc})")
    err.original_exception = exc
    return err


@pytest.mark.parametrize(("exc", "cause", "words"), [
    (_oserror(socket.gaierror(-2, "Name or service not known")), "dns", "resolve"),
    (OperationalError(2005, "Unknown MySQL server host 'db.example.com' (-2)"), "dns", "resolve"),
    (_oserror(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")), "refused", "refused"),
    (_oserror(TimeoutError("timed out")), "timeout", "no answer"),
    (_oserror(OSError(errno.EHOSTUNREACH, "No route to host")), "unreachable", "no route"),
    (_oserror(ssl.SSLError(1, "wrong version number")), "tls", "TLS"),
    (OperationalError(2013, "Lost connection to MySQL server during query (timed out)"), "timeout", "greeting"),
    (OperationalError(2013, "Lost connection to MySQL server during query"), "lost", "closed"),
    (OperationalError(1045, "Access denied for user 'wandb_local'@'10.0.0.5' (using password: YES)"),
     "access_denied", "password"),
    (OperationalError(1049, "Unknown database 'wandb_local'"), "unknown_database", "does not exist"),
    (OperationalError(1044, "Access denied for user 'wandb_local'@'%' to database 'wandb_local'"),
     "no_database_access", "may not use"),
    (OperationalError(1130, "Host '10.0.0.5' is not allowed to connect to this MySQL server"),
     "host_not_allowed", "no account"),
    (OperationalError(1129, "Host '10.0.0.5' is blocked because of many connection errors"), "host_blocked",
     "blocked"),
    (OperationalError(1040, "Too many connections"), "too_many_connections", "too many"),
    (OperationalError(3159, "Connections using insecure transport are prohibited"), "tls", "TLS"),
    (OperationalError(1862, "Your password has expired"), "password_expired", "expired"),
    (OperationalError(9999, "Something new"), "other", "Something new"),
])
def test_connection_failures_are_classified(exc: Exception, cause: str, words: str) -> None:
    failed = explain(exc, URL, 5.0)
    assert failed.data["cause"] == cause
    assert words.lower() in failed.summary.lower()
    assert failed.fix
    assert "s3cr3t" not in failed.summary + failed.details + failed.fix


@pytest.mark.parametrize("code", [1049, 1044, 1045, 1130])
def test_missing_database_or_account_points_at_db_init(code: int) -> None:
    assert "wbtui db init --admin mysql://root:" in explain(OperationalError(code, "x"), URL, 5.0).fix


@pytest.mark.parametrize(("host", "local"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.1.1", True),
    ("192.0.2.10", False), ("203.0.113.7", False),
])
def test_is_local_host(host: str, local: bool) -> None:
    assert is_local_host(host) is local


def test_own_interface_address_is_local() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("127.0.0.1", 9))  # UDP connect sends nothing; it only picks an address
        own = s.getsockname()[0]
    assert is_local_host(own)


def test_cpu_sample_sees_a_busy_process() -> None:
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    idle = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        one_cpu = 100.0 / (os.cpu_count() or 1)
        hot = sample_cpu([busy.pid], 0.5)
        cold = sample_cpu([idle.pid], 0.5)
    finally:
        busy.kill()
        idle.kill()
        busy.wait(5)
        idle.wait(5)
    assert hot.window >= 0.5 and hot.pids == (busy.pid,)
    assert hot.percent > 0.1 * one_cpu > cold.percent  # loose: a busy test machine shares its CPUs
