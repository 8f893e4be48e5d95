"""The Logs pane following the stand-in on the real Docker engine, at 80x24: timestamps and restarts."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import wait_for
from tests.services.docker_fixtures import standin_config
from tests.ui_support import make_app, ready, screen_text, wait_text, wait_until
from wbtui.config.masking import MASK
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



async def test_t_all_on_a_big_log_holds_its_newest_lines_masked_and_counts_the_rest(
        tmp_path: Path, standin_image: str, docker_runtimes: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    """T, all: the ring gets the log's newest lines, read from the log file, the older ones counted as
    dropped (never read into the app), the secret masked: the lines the daemon's API gives."""
    secret = secrets.token_hex(6)
    config = standin_config(standin_image, prefix="lg", secret=secret, ready_delay="0", heartbeat="0",
                            STANDIN_BURST_LINES="30000", STANDIN_ERROR_AT="0",
                            STANDIN_ERROR_LINE=f"ERROR: mysql://wandb:{secret}@db.internal:3306/wandb refused")
    runtime = docker_runtimes(config)
    await asyncio.to_thread(runtime.deploy)
    container = runtime.client().containers.get(runtime.name)
    await asyncio.to_thread(wait_for, lambda: all(needle in container.logs(tail=20) for needle in (
        b"ERROR: mysql", b"server ready")), 60, "the stand-in's last lines", 0.05)
    everything = await through_the_api(runtime)
    from wbtui.runtime.docker import logfile

    windows: list[dict[str, Any]] = []  # the windows read from the log file, as asked
    real = logfile.read_window
    monkeypatch.setattr(logfile, "read_window", lambda *args, **kwargs: (windows.append(kwargs), real(
        *args, **kwargs))[1])
    app = make_app(tmp_path, config, background=True, runtime_factory=docker_runtimes, log_capacity=1000)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        pane = app.query_one(LogsPane)
        await wait_until(pilot, lambda: pane.view.stats().held == 500, 60, "the default window (tail 500)")
        await pilot.press("T")
        await wait_text(pilot, "Show which lines")
        await pilot.press(*["backspace"] * 3, "a", "l", "l", "enter")
        await wait_text(pilot, f"{len(everything) - 1000:,} dropped (ring of 1,000)", timeout=60)
        shown = pane.view.texts()
        assert [(w["tail"], w["keep"]) for w in windows] == [(None, 1000)]
        assert shown == everything[-1000:]
        assert not any(secret in text for text in shown)
        assert any(f"mysql://wandb:{MASK}@db.internal" in text for text in shown)


async def through_the_api(runtime: Any) -> list[str]:
    """The container's whole log as the daemon's API gives it (the reader told the daemon is remote)."""
    from wbtui.runtime.docker import logfile

    real = logfile.is_local_daemon
    logfile.is_local_daemon = lambda host=None: False  # type: ignore[assignment]
    try:
        return [line.text async for line in runtime.logs(follow=False, tail=None)]
    finally:
        logfile.is_local_daemon = real  # type: ignore[assignment]
