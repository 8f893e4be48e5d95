"""The Logs pane following the stand-in on the real Docker engine, at 80x24: timestamps and restarts."""

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
from wbtui.ui.panes.logs import LogsPane

pytestmark = pytest.mark.docker

ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")
STARTING = "*** Starting W&B server"


async def deployed_app(tmp_path: Path, standin_image: str, docker_runtimes: Callable) -> tuple[Any, Any]:
    """The stand-in running (no heartbeat: its few lines all fit on screen), an app that follows it, its runtime."""
    config = standin_config(standin_image, prefix="lg", secret=secrets.token_hex(6), ready_delay="0", heartbeat="0")
    config.app.timeout = 2.0
    runtime = docker_runtimes(config)
    await asyncio.to_thread(runtime.deploy)
    return make_app(tmp_path, config, background=True, runtime_factory=docker_runtimes), runtime


def row_with(app: Any, needle: str) -> str:
    return next((row for row in screen_text(app).splitlines() if needle in row), "")


async def test_t_shows_the_time_once_and_off_not_at_all(tmp_path: Path, standin_image: str,
                                                        docker_runtimes: Callable) -> None:
    app, _ = await deployed_app(tmp_path, standin_image, docker_runtimes)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        await wait_text(pilot, STARTING, timeout=60)
        assert ISO_TIME.findall(row_with(app, STARTING)) == []  # Docker's own stamp once led every line
        await pilot.press("t")
        await wait_until(pilot, lambda: ISO_TIME.search(row_with(app, STARTING)), 10, "the time column")
        assert len(ISO_TIME.findall(row_with(app, STARTING))) == 1
        await pilot.press("t")
        await wait_until(pilot, lambda: not ISO_TIME.search(row_with(app, STARTING)), 10, "no time column")


async def test_a_restart_shows_a_marker_between_the_old_and_the_new_lines(tmp_path: Path, standin_image: str,
                                                                         docker_runtimes: Callable) -> None:
    app, runtime = await deployed_app(tmp_path, standin_image, docker_runtimes)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        pane = app.query_one(LogsPane)
        await wait_text(pilot, STARTING, timeout=60)
        await asyncio.to_thread(runtime.restart)  # `docker restart` from another shell
        await wait_until(pilot, lambda: sum(STARTING in t for t in pane.view.texts()) == 2, 60, "the new instance")
        await wait_text(pilot, "── container restarted")
        texts = pane.view.texts()
        starts = [i for i, t in enumerate(texts) if STARTING in t]
        markers = [i for i, t in enumerate(texts) if t.startswith("── container restarted")]
        stopped = texts.index("*** Received SIGTERM, shutting down W&B server")
        assert len(markers) == 1 and starts[0] < stopped < markers[0] < starts[1], texts
        assert re.fullmatch(r"── container restarted \d\d:\d\d:\d\d UTC( \(restart \d+\))? ──", texts[markers[0]])
