"""Runtime, Logs and Health panes against the real Docker engine and the W&B stand-in image."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.services.docker_fixtures import standin_config
from tests.ui_support import make_app, ready, screen_text, wait_text, wait_until
from wbtui.config.model import Config
from wbtui.ui.panes.health import HealthPane
from wbtui.ui.panes.logs import LogsPane
from wbtui.ui.panes.runtime import RuntimePane
from wbtui.ui.widgets.confirm import ConfirmScreen

pytestmark = pytest.mark.docker

SECRET = "Canary-" + secrets.token_hex(6)


def ui_standin_config(image: str, **env: str) -> Config:
    config = standin_config(image, prefix="ui", secret=SECRET, ready_delay="2", heartbeat="0.5", **env)
    config.app.timeout = 2.0
    return config


async def test_deploy_watch_ready_follow_logs_filter_and_restart(tmp_path: Path, standin_image: str,
                                                                 docker_runtimes: Callable) -> None:
    config = ui_standin_config(standin_image)
    app = make_app(tmp_path, config, background=True, runtime_factory=docker_runtimes)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        runtime_pane = app.query_one(RuntimePane)
        await pilot.press("4")
        await wait_text(pilot, "not deployed", timeout=30)

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the deploy confirmation")
        await wait_text(pilot, f"create container {config.runtime.container_name}")
        await pilot.press("y")
        await wait_text(pilot, "✔ Deploy", timeout=120)

        # The startup watch starts by itself and sees /ready turn 200.
        await pilot.press("6")
        health = app.query_one(HealthPane)
        await wait_text(pilot, "ready after", timeout=120)
        await wait_until(pilot, lambda: health.samples and health.samples[-1].ready.ok, 60, "a passing probe")
        await wait_until(pilot, lambda: runtime_pane.status is not None and runtime_pane.status.state == "running",
                         30, "the status to say running")

        await pilot.press("5")
        logs = app.query_one(LogsPane)
        await wait_text(pilot, "migrations complete", timeout=60)
        await pilot.press("slash", *"migration")
        await wait_until(pilot, lambda: logs.view.stats().filtered and logs.view.stats().shown >= 2, 10,
                         "the filtered lines")
        shown = logs.view.texts()
        assert shown and all("migration" in line.lower() for line in shown)
        assert SECRET not in screen_text(app)
        await pilot.press("escape")

        await pilot.press("4", "r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the restart confirmation")
        await wait_text(pilot, f"restart container {config.runtime.container_name}")
        await pilot.press("n")  # declined: nothing happens
        await pilot.pause()
        assert not any("Restart" in str(n.title) for n in app._notifications)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the restart confirmation")
        await pilot.press("y")
        await wait_text(pilot, "✔ Restart", timeout=120)
        for pane_key in "123456":
            await pilot.press(pane_key)
            await pilot.pause()
            assert SECRET not in screen_text(app)


async def test_read_only_refuses_to_deploy(tmp_path: Path, standin_image: str, docker_runtimes: Callable,
                                           docker_client: Any) -> None:
    config = ui_standin_config(standin_image)
    app = make_app(tmp_path, config, read_only=True, runtime_factory=docker_runtimes)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("4", "d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        app.query_one(RuntimePane).action_act("deploy")
        await pilot.pause()
        assert any("Read-only mode" in str(n.message) for n in app._notifications)
    assert not docker_client.containers.list(all=True, filters={"name": config.runtime.container_name})
