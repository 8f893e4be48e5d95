"""`e` in the Runtime pane, in a real terminal (tmux at 80x24): a shell in the stand-in, then the dashboard again."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli_runtime import make_config
from tests.test_terminal_tmux import WBTUI, needs_tmux, terminal, wbtui
from wbtui.config import store
from wbtui.runtime.docker.backend import DockerRuntime


@needs_tmux
@pytest.mark.docker
def test_e_opens_a_shell_in_the_container_and_exit_comes_back_to_the_dashboard(
        tmp_path: Path, docker_client: Any, standin_image: str) -> None:
    path = tmp_path / "config.toml"
    config = make_config(standin_image)
    config.env["STANDIN_HEARTBEAT"] = "0"
    store.save(config, path)
    try:
        assert wbtui(path, "up", "--no-watch").returncode == 0
        with terminal([str(WBTUI), "--config", str(path)], tmp_path) as term:
            term.wait_for("1 Overview")
            term.press("4")
            term.wait_for("container wbtui-test-cli-", "running")
            term.keys("e")
            term.wait_for("built-in shell (ash)")  # busybox's sh: the stand-in has no bash
            assert "1 Overview" not in term.screen()  # the shell has the terminal
            term.keys("echo SHELL-$((6 * 7)) in $(hostname)", "Enter")
            shell = term.wait_for("SHELL-42 in ")
            container = docker_client.containers.get(config.runtime.container_name)
            assert f"SHELL-42 in {container.id[:12]}" in shell  # the container's own hostname
            term.keys("exit", "Enter")
            back = term.wait_for("Shell ended (exit 0)", "4 Runtime")
            assert "SHELL-42" not in back  # the dashboard's screen, redrawn whole
            term.keys("q")
            term.wait_for("EXITED=0")
    finally:
        runtime = DockerRuntime(store.load(path))
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()
