"""A restart as the on-call engineer watches it at 80x24: each step as it happens, with the time it has taken.

The stand-in ignores SIGTERM (STANDIN_IGNORE_TERM=1), so Docker waits its whole stop timeout (30 s) before
SIGKILL: the screen used to show only "Restart…" all that time.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.services.docker_fixtures import standin_config
from tests.ui_support import make_app, ready, screen_text, wait_text, wait_until
from wbtui.ui.widgets.confirm import ConfirmScreen

pytestmark = [pytest.mark.docker, pytest.mark.timeout(180)]


async def open_running(pilot: Any) -> None:
    """The Runtime pane, once it shows the deployed stand-in running."""
    await ready(pilot)
    await pilot.press("4")
    await wait_text(pilot, "running", timeout=30)


async def restart(pilot: Any) -> None:
    """r, and yes to the confirmation, as the on-call engineer does."""
    await pilot.press("r")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), 5, "the restart confirmation")
    await pilot.press("y")


def elapsed_on_screen(text: str) -> int | None:
    """The seconds the action line shows after its step, if it is on screen."""
    found = re.search(r"SIGKILL after 30 s\s+(\d+) s", " ".join(text.split()))
    return int(found[1]) if found else None


async def test_a_slow_restart_shows_each_step_and_the_seconds_it_has_taken(tmp_path: Path, standin_image: str,
                                                                          docker_runtimes: Callable,
                                                                          docker_client: Any) -> None:
    config = standin_config(standin_image, prefix="rs", secret=secrets.token_hex(6), ready_delay="0", heartbeat="0",
                            STANDIN_IGNORE_TERM="1")
    config.app.timeout = 2.0
    name = config.runtime.container_name
    await asyncio.to_thread(docker_runtimes(config).deploy)
    app = make_app(tmp_path, config, background=True, runtime_factory=docker_runtimes)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_running(pilot)
        await restart(pilot)
        await wait_text(pilot, "Restart…", f"stopping {name}: SIGTERM, SIGKILL after 30 s", timeout=30)
        await wait_until(pilot, lambda: elapsed_on_screen(screen_text(app)) is not None, 10, "the elapsed seconds")
        first = elapsed_on_screen(screen_text(app))
        assert first is not None
        await wait_until(pilot, lambda: (elapsed_on_screen(screen_text(app)) or 0) > first, 10,
                         "the seconds to count on while Docker waits")
        done = await wait_text(pilot, "✔ Restart", timeout=60)
        assert "exit 137 after SIGKILL" in " ".join(done.split())
        assert "Restart…" not in done
    docker_client.containers.get(name).kill()  # the clean-up's stop would wait the 30 s again


def row_with(app: Any, needle: str) -> str:
    return next((row for row in screen_text(app).splitlines() if needle in row), "")


async def test_after_a_restart_the_count_says_automatic_and_when_it_started(tmp_path: Path, standin_image: str,
                                                                           docker_runtimes: Callable) -> None:
    """Docker counts only its policy's restarts: "restarts 0" right after a manual one looked like nothing happened."""
    config = standin_config(standin_image, prefix="rc", secret=secrets.token_hex(6), ready_delay="0", heartbeat="0")
    config.app.timeout = 2.0
    await asyncio.to_thread(docker_runtimes(config).deploy)
    app = make_app(tmp_path, config, background=True, runtime_factory=docker_runtimes)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_running(pilot)
        await restart(pilot)
        await wait_text(pilot, "✔ Restart", timeout=60)
        started = re.compile(r"started  \S+ \S+ UTC \((\d+)s ago\)")
        await wait_until(pilot, lambda: "0 restarts (automatic)" in screen_text(app)
                         and started.search(row_with(app, "started  ")), 20, "the Runtime pane to say when it started")
        found = started.search(row_with(app, "started  "))
        assert found is not None and int(found[1]) < 30
        await pilot.press("1")
        await wait_text(pilot, "restarts 0 (automatic)")
        rows = screen_text(app).splitlines()
        count = next(i for i, row in enumerate(rows) if "restarts 0 (automatic)" in row)
        assert re.search(r"│ started \d+s ago", rows[count + 1]), rows[count + 1]  # the Server box, next line


async def test_an_upgrade_from_the_dashboard_saves_the_new_tag(tmp_path: Path, standin_image: str,
                                                               docker_runtimes: Callable, docker_client: Any,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboard upgraded the container but left runtime.tag as it was: the next deploy went back.

    MYSQL is empty (the embedded database): the confirmation says there is no backup first."""
    from wbtui.config import store
    from wbtui.ui.widgets.confirm import PromptScreen

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the upgrade record of this test only
    config = standin_config(standin_image, prefix="up", secret=secrets.token_hex(6), ready_delay="0", heartbeat="0")
    config.server.MYSQL = ""
    config.app.timeout = 2.0
    repository = standin_image.rpartition(":")[0]
    tag = f"upgrade-{secrets.token_hex(3)}"
    docker_client.images.get(standin_image).tag(f"{repository}:{tag}")
    try:
        await asyncio.to_thread(docker_runtimes(config).deploy)
        app = make_app(tmp_path, config, background=True, runtime_factory=docker_runtimes)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_running(pilot)
            await pilot.press("u")
            await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), 5, "the tag prompt")
            app.screen.query_one("#prompt-value").value = tag
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the upgrade confirmation")
            await wait_text(pilot, "NO database backup")
            await pilot.press("y")
            await wait_text(pilot, "✔ Upgrade", timeout=60)
            await wait_until(pilot, lambda: app.session.saved.runtime.tag == tag, 20, "the reloaded config")
        assert store.load(app.session.config_path).runtime.tag == tag
    finally:
        docker_client.containers.get(config.runtime.container_name).remove(force=True)
        docker_client.images.remove(f"{repository}:{tag}")
