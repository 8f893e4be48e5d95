"""The CPU sample of a database process that exits while it is sampled is a failure, not "0% CPU".

Before: sample_cpu skipped a process it could no longer read, so a server that crashed
during the sample passed with 0%. The processes here are real ones this test starts and
ends; the test ends them from inside the sample (at its first wait), so the exit falls
within the window every time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from tests.services.base import free_port
from wbtui.checks.model import CheckFailed
from wbtui.checks.mysql import MysqlChecks
from wbtui.checks.mysql_host import sample_cpu
from wbtui.config.urls import MysqlURL

WINDOW = 60.0  # long: the sample must end when the process does, not when the window does


def ending_at_first_wait(process: subprocess.Popen[bytes]) -> Callable[..., None]:
    """A profile hook that ends ``process`` (and reaps it) when the sampler first sleeps."""
    def hook(frame: FrameType, event: str, arg: Any) -> None:
        if event == "c_call" and arg is time.sleep and process.poll() is None:
            process.kill()
            process.wait()
    return hook


def sampled_while_ending(process: subprocess.Popen[bytes], sample: Callable[[], Any]) -> Any:
    sys.setprofile(ending_at_first_wait(process))
    try:
        return sample()
    finally:
        sys.setprofile(None)


@pytest.fixture
def short_lived() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(["sleep", "600"])
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture
def fake_mariadbd(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A real process whose name is mariadbd, as find_mysqld looks for it."""
    binary = tmp_path / "mariadbd"
    shutil.copy(shutil.which("sleep") or "/bin/sleep", binary)
    process = subprocess.Popen([str(binary), "600"])
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_process_that_exits_during_the_sample_ends_it_as_exited(short_lived) -> None:
    started = time.monotonic()
    sample = sampled_while_ending(short_lived, lambda: sample_cpu([short_lived.pid], WINDOW))
    assert sample.exited == (short_lived.pid,)
    assert time.monotonic() - started < WINDOW / 4  # noticed at once, not at the window's end


def test_a_process_gone_before_the_sample_is_exited_too(short_lived) -> None:
    short_lived.kill()
    short_lived.wait()
    assert sample_cpu([short_lived.pid], WINDOW).exited == (short_lived.pid,)


def test_a_living_process_is_sampled_over_the_window(short_lived) -> None:
    sample = sample_cpu([short_lived.pid], 0.3)
    assert sample.exited == () and sample.window >= 0.3 and sample.percent >= 0


def test_the_cpu_check_fails_for_a_server_that_died_during_the_sample(fake_mariadbd) -> None:
    """Before: 'pass: 0% of this host's CPU over 60s'."""
    checks = MysqlChecks(MysqlURL("wandb", "pw", "127.0.0.1", "wandb", free_port()), 2.0, cpu_window=WINDOW)
    with pytest.raises(CheckFailed) as failed:
        sampled_while_ending(fake_mariadbd, checks.cpu)
    summary = failed.value.summary
    assert f"the MySQL server process {fake_mariadbd.pid} exited while it was sampled" in summary
    assert "crash-looping" in summary and "check its log" in summary
    assert "error log" in failed.value.fix
    assert fake_mariadbd.pid in failed.value.data["pids"]
