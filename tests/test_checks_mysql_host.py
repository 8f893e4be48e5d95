"""MySQL's CPU sample begun with the run (``mysql_host.early_sample``): its window overlaps the other checks."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from wbtui.checks import mysql_host
from wbtui.checks.model import Status
from wbtui.checks.runner import run_checks
from wbtui.config.model import Config

BUSY = "import time\nwhile True:\n    time.time()\n"


@pytest.fixture
def busy() -> Iterator[subprocess.Popen[bytes]]:
    """A process that stays (its CPU is not what these tests measure: the windows are what they check)."""
    proc = subprocess.Popen([sys.executable, "-c", BUSY])
    yield proc
    proc.kill()
    proc.wait(timeout=10)


def test_within_an_early_sample_only_what_is_left_of_the_window_is_waited(
        busy: subprocess.Popen[bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mysql_host, "_find_mysqld", lambda port: ([busy.pid], f"pid {busy.pid}"))
    with mysql_host.early_sample("mysql://u:p@127.0.0.1:3306/db") as early:
        assert early is not None and early.ready.wait(10) and early.pids == (busy.pid,)
        assert mysql_host.find_mysqld(3306) == ([busy.pid], f"pid {busy.pid}")
        early.started -= 1.0  # as if the other checks had run for a second since the run began
        began = time.monotonic()
        sample = mysql_host.sample_cpu([busy.pid], 0.5)
        waited = time.monotonic() - began
    assert waited < 0.5 and sample.window >= 1.0 and sample.exited == ()
    assert mysql_host._early() is None  # the block ended: the next sample is on its own again


def test_an_early_sample_sees_a_process_that_exited_since(monkeypatch: pytest.MonkeyPatch) -> None:
    proc = subprocess.Popen([sys.executable, "-c", BUSY])
    monkeypatch.setattr(mysql_host, "_find_mysqld", lambda port: ([proc.pid], "it"))
    with mysql_host.early_sample("mysql://u:p@localhost/db") as early:
        assert early is not None and early.ready.wait(10)
        proc.kill()
        proc.wait(timeout=10)
        sample = mysql_host.sample_cpu([proc.pid], 5.0)
    assert sample.exited == (proc.pid,) and sample.window < 5.0  # ended at once: crash-looping, not idle


@pytest.mark.parametrize("url", ["", "not a url", "mysql://u:p@db.example.invalid/db"])
def test_nothing_is_sampled_early_for_no_or_another_host(url: str) -> None:
    with mysql_host.early_sample(url) as early:
        if early is not None:
            assert early.ready.wait(30) and early.pids == ()
        assert mysql_host.find_mysqld(1) == mysql_host._find_mysqld(1)


@pytest.mark.mysql
def test_check_all_samples_the_cpu_from_the_start_of_the_run(mariadb: MariaDB, mysql_scratch: Scratch,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU check's window began before the first check: the run is not its window plus the rest."""
    mariadb.create_database(mysql_scratch.database)
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    mariadb.grant("ALL", f"`{mysql_scratch.database}`.*", mysql_scratch.user, grant_option=True)
    config = Config()
    config.server.MYSQL = mysql_scratch.url
    starts: list[float] = []
    real = mysql_host.EarlySample

    class Seen(real):  # type: ignore[misc, valid-type]
        def _begin(self, host: str) -> None:
            super()._begin(host)
            starts.append(self.started)

    monkeypatch.setattr(mysql_host, "EarlySample", Seen)
    began = time.monotonic()
    results = {r.id: r for r in run_checks(config, ("mysql",), timeout=5.0, cpu_window=0.3)}
    took = time.monotonic() - began
    cpu = results["mysql.cpu"]
    assert cpu.status in (Status.PASS, Status.WARN), (cpu.summary, cpu.details)
    assert starts and starts[0] > 0  # the sample began (MariaDB runs here)
    assert cpu.data["window"] >= 0.3
    assert cpu.checked_at - cpu.data["window"] <= results["mysql.connect"].checked_at + 0.05
    assert took < 5.0
