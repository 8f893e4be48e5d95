"""The installed `wbtui` in a real terminal (tmux at 80x24), read back with capture-pane, as an operator sees it."""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.docker_fixtures import standin_config
from wbtui.config import store
from wbtui.runtime.docker.backend import DockerRuntime

WBTUI = Path(sys.executable).with_name("wbtui")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is installed by scripts/test.sh")


class TmuxWindow:
    """One tmux server of its own (its own socket), one window of the given size running ``argv``."""

    def __init__(self, argv: list[str], home: Path, width: int = 80, height: int = 24) -> None:
        self.socket = f"wbtui-test-{secrets.token_hex(4)}"
        command = " ".join(shlex.quote(a) for a in argv) + "; echo EXITED=$?; sleep 600"
        env = {**os.environ, "HOME": str(home), "TERM": "xterm-256color"}
        self._tmux("new-session", "-d", "-x", str(width), "-y", str(height), command, env=env)

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True,
                              env=env, timeout=30).stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p")

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def wait_for(self, *needles: str, timeout: float = 60) -> str:
        """The screen once every needle shows on it (capture-pane read until then); AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if all(n in shown for n in needles):
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{needles!r} not on the terminal after {timeout}s:\n{shown}")

    def close(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._tmux("kill-server")


@contextlib.contextmanager
def terminal(argv: list[str], home: Path) -> Iterator[TmuxWindow]:
    term = TmuxWindow(argv, home)
    try:
        yield term
    finally:
        term.close()


def wbtui(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WBTUI), "--config", str(config), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.docker
def test_a_crash_looping_server_shows_its_cause_and_fix_on_the_first_screen(tmp_path: Path, standin_image: str,
                                                                            docker_client: object) -> None:
    password = secrets.token_hex(8)
    config = standin_config(standin_image, prefix="tmux", secret=password, ready_delay="0", heartbeat="0",
                            STANDIN_MODE="crash")
    config.runtime.cpu_request, config.runtime.memory_request = "0.5", "128Mi"  # within the stand-in's limits
    path = tmp_path / "config.toml"
    store.save(config, path)
    try:
        assert wbtui(path, "up", "--no-watch").returncode == 0
        with terminal([str(WBTUI), "--config", str(path)], tmp_path) as term:
            shown = term.wait_for("Interrupted database migration", "fix: Stop the server and back up")
            print(shown)  # what the operator sees (pytest -rP shows it)
            top = shown.splitlines()[:5]
            assert any("✘ Interrupted database migration" in row for row in top), shown
            assert password not in shown
            term.keys("q")
            term.wait_for("EXITED=0")
    finally:
        runtime = DockerRuntime(store.load(path))
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()


def test_a_change_from_another_shell_is_noticed_by_the_open_dashboard(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert wbtui(path, "config", "set", "HOST", "https://wandb.example.com").returncode == 0
    nowhere = "DOCKER_HOST=unix:///nonexistent.sock"  # no daemon needed: the config file is the point
    with terminal(["env", nowhere, str(WBTUI), "--config", str(path)], tmp_path) as term:
        term.wait_for("1 Overview", "Docker daemon not reachable")
        term.keys("2")
        term.wait_for("Save")
        assert wbtui(path, "config", "set", "AWS_REGION", "eu-west-1").returncode == 0
        term.wait_for("Config reloaded", "+AWS_REGION = eu-west-1")
        term.keys("q")
        term.wait_for("EXITED=0")


@pytest.mark.docker
def test_first_launch_offers_the_setup_which_detects_docker_and_goes_on(tmp_path: Path, docker_host: str) -> None:
    path = tmp_path / "config.toml"
    with terminal(["env", f"DOCKER_HOST={docker_host}", str(WBTUI), "--config", str(path)], tmp_path) as term:
        term.wait_for("Welcome: no configuration", "Start the guided setup")
        term.keys("Enter")
        term.wait_for("wbtui setup", "step 1 of 8: Where it runs")
        term.keys("C-n")  # Next: detects Docker on this host, saves, goes on
        term.wait_for("step 2 of 8: MySQL")
        term.keys("Escape")
        term.wait_for("1 Overview")
        term.keys("q")
        term.wait_for("EXITED=0")
    assert store.load(path).runtime.backend == "docker"
