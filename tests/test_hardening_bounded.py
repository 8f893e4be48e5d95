"""Bounded time: a store that stops answering costs one timeout, and Ctrl-C ends `wbtui check` at once.

The hang is real: radosgw or MariaDB behind a loopback proxy that, once told to, keeps
every connection open and forwards nothing (as a stalled store or a dead link does), or
tests/services' silent_endpoint. The bounds are on our own behaviour, timed around the run.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.base import silent_endpoint
from wbtui.checks.model import CheckResult, Status
from wbtui.checks.runner import run_checks
from wbtui.checks.s3 import run_s3_checks
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.config.urls import BucketURL, MysqlURL

TIMEOUT = 3.0
BOUND = TIMEOUT * 1.2
HOST = "http://127.0.0.1:8080"


class StallingProxy:
    """Forwards TCP to ``upstream`` until ``stall()``; from then on it forwards nothing, both ways."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.stalled = threading.Event()
        self.stalled_at = 0.0
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.getsockname()[1])

    def stall(self) -> None:
        self.stalled_at = time.monotonic()
        self.stalled.set()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client = self._server.accept()[0]
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self.stalled.is_set():
                    sink.sendall(data)
        except OSError:
            return

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()
        for sock in self._sockets:
            sock.close()


@pytest.fixture
def rgw_proxy(radosgw) -> Iterator[StallingProxy]:
    proxy = StallingProxy((radosgw.host, radosgw.host_port))
    yield proxy
    proxy.close()


def s3_config(port: int, radosgw=None, bucket: str = "wandb") -> Config:
    config = Config()
    if radosgw is not None:
        config.server.BUCKET = BucketURL(radosgw.access_key, radosgw.secret_key, "127.0.0.1", bucket, port).format()
        config.server.AWS_REGION = radosgw.region
    else:
        config.server.BUCKET = BucketURL("AKIATEST", "s3cr3t-key", "127.0.0.1", bucket, port).format()
    config.server.BUCKET_QUEUE = "internal://"
    config.server.HOST = HOST
    return config


def stall_after(proxy: StallingProxy, check_id: str):
    def on_result(result: CheckResult) -> None:
        if result.id == check_id:
            proxy.stall()
    return on_result


@pytest.mark.s3
@pytest.mark.parametrize("last_answered", ["s3.credentials", "s3.bucket", "s3.location"])
def test_a_store_that_stops_answering_costs_one_timeout(radosgw, s3_bucket, rgw_proxy, last_answered) -> None:
    """Before: every later check waited out its own timeout (16 s for a 3 s timeout after the bucket check)."""
    config = s3_config(rgw_proxy.port, radosgw, s3_bucket)
    warm = {r.id: r.status for r in run_s3_checks(config, timeout=TIMEOUT, quick=True)}
    assert warm["s3.objects"] is Status.PASS, warm  # the proxy passes a healthy store through
    results = run_s3_checks(config, timeout=TIMEOUT, on_result=stall_after(rgw_proxy, last_answered))
    elapsed = time.monotonic() - rgw_proxy.stalled_at  # from the moment the store stopped answering
    ids = [r.id for r in results]
    hung = results[ids.index(last_answered) + 1]
    assert hung.status is Status.FAIL and "within 3s" in hung.summary, hung
    after = results[ids.index(hung.id) + 1:]
    assert after and all(r.status is Status.SKIPPED for r in after), [(r.id, r.status) for r in after]
    assert all(f"{hung.title} timed out" in r.summary for r in after), after[0].summary
    assert elapsed <= BOUND, f"{elapsed:.1f}s for a {TIMEOUT:g}s timeout"


@pytest.mark.s3
def test_objects_left_by_a_stalled_round_trip_are_named_not_waited_for(radosgw, s3_bucket, rgw_proxy) -> None:
    config = s3_config(rgw_proxy.port, radosgw, s3_bucket)
    results = {r.id: r for r in run_s3_checks(config, timeout=TIMEOUT, quick=True,
                                              on_result=stall_after(rgw_proxy, "s3.location"))}
    objects = results["s3.objects"]
    assert objects.status is Status.FAIL and objects.data["cause"] == "read-timeout"
    assert "wbtui-check/" in objects.details and "mc rm" in objects.details
    assert objects.duration <= BOUND


@pytest.mark.mysql
def test_a_database_that_stops_answering_costs_one_timeout(mariadb, mysql_scratch) -> None:
    """Before: the first query waited the timeout, the rest failed, then the CPU sample took its 2 s too."""
    s = mysql_scratch
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user)
    url = MysqlURL.parse(s.url)
    proxy = StallingProxy((url.host, url.effective_port))
    try:
        config = Config()
        config.server.MYSQL = MysqlURL(url.user, url.password, "127.0.0.1", url.database, proxy.port).format()
        run_checks(config, ("mysql",), timeout=TIMEOUT, cpu_window=0.1)  # warm up the driver's imports
        results = run_checks(config, ("mysql",), timeout=TIMEOUT, on_result=stall_after(proxy, "mysql.connect"))
        elapsed = time.monotonic() - proxy.stalled_at
    finally:
        proxy.close()
    by_id = {r.id: r for r in results}
    assert by_id["mysql.connect"].status is Status.PASS
    assert by_id["mysql.server"].status is Status.FAIL and "within 3s" in by_id["mysql.server"].summary
    rest = [r for r in results[2:] if r.id != "mysql.backup"]  # Newest backup reads files: it is still reported
    assert all(r.status is Status.SKIPPED and "Server version timed out" in r.summary for r in rest), \
        [(r.id, r.status, r.summary) for r in rest]
    assert elapsed <= BOUND, f"{elapsed:.1f}s for a {TIMEOUT:g}s timeout"


def test_check_all_against_silent_endpoints_stays_within_the_bound() -> None:
    with silent_endpoint() as port:
        config = s3_config(port)
        config.server.MYSQL = MysqlURL("wandb", "db-secret", "127.0.0.1", "wandb", port).format()
        run_checks(config, timeout=0.1)  # warm up the client libraries' imports
        started = time.monotonic()
        results = run_checks(config, timeout=TIMEOUT)
        elapsed = time.monotonic() - started
    failed = {r.id for r in results if r.status is Status.FAIL}
    assert failed == {"mysql.connect", "s3.endpoint"}, failed
    assert elapsed <= BOUND, f"{elapsed:.1f}s for a {TIMEOUT:g}s timeout"


def _read_until(fd: int, needle: bytes, limit: float) -> bytes:
    """Read the pty until ``needle`` shows (the child's own output is the event), bounded by ``limit``."""
    seen = b""
    deadline = time.monotonic() + limit
    while needle not in seen:
        ready, _, _ = select.select([fd], [], [], max(deadline - time.monotonic(), 0))
        if not ready:
            raise AssertionError(f"no {needle!r} within {limit:g}s: {seen[-500:]!r}")
        seen += os.read(fd, 65536)
    return seen


def _drain(fd: int) -> bytes:
    out = b""
    while select.select([fd], [], [], 0)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out


def test_ctrl_c_ends_check_all_within_a_second(tmp_path: Path) -> None:
    """Before: Ctrl-C waited for the timeout (19 s with --timeout 20), then printed the interruption."""
    with silent_endpoint() as port:
        config = s3_config(port)
        config.server.MYSQL = MysqlURL("wandb", "db-secret", "127.0.0.1", "wandb", port).format()
        path = store.save(config, tmp_path / "config.toml")
        master, slave = pty.openpty()
        child = subprocess.Popen(
            [sys.executable, "-m", "wbtui", "--config", str(path), "check", "all", "--timeout", "20"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"})
        os.close(slave)
        try:
            seen = _read_until(master, b"checking", 30)
            child.send_signal(signal.SIGINT)
            signalled = time.monotonic()
            stdout, _ = child.communicate(timeout=10)
            took = time.monotonic() - signalled
            seen += _drain(master)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            os.close(master)
    text = seen.decode(errors="replace") + stdout.decode(errors="replace")
    assert took < 1.0, f"exit {took:.1f}s after SIGINT"
    assert child.returncode == 130
    assert "Traceback" not in text and "interrupted" in text, text[-1500:]
    lines = [line for line in text.splitlines() if "interrupted" in line]
    assert len(lines) == 1, lines
