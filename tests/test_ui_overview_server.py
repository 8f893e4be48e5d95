"""The Overview's Server box at 80x24 against the stand-in: its state line tells what the last /ready probe says."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.services.docker_fixtures import standin_config
from tests.ui_support import make_app, ready, screen_text, wait_until

pytestmark = pytest.mark.docker


def server_box(app: object) -> str:
    """The Server box's lines (the left half of the boxes' row)."""
    rows = screen_text(app).splitlines()  # type: ignore[arg-type]
    top = next(i for i, row in enumerate(rows) if "Server" in row and "╭" in row)
    return "\n".join(row[:40] for row in rows[top:top + 8])


async def test_running_while_ready_answers_503_says_not_ready_and_no_unknown_health(
        tmp_path: Path, standin_image: str, docker_runtimes: Callable) -> None:
    """It read "● running  unknown" in green: "unknown" (the image has no healthcheck) was noise, and "running"
    hid that /ready answers 503."""
    config = standin_config(standin_image, prefix="ov", secret=secrets.token_hex(6), ready_delay="0", heartbeat="0",
                            STANDIN_MODE="never-ready")
    config.app.timeout = 2.0
    await asyncio.to_thread(docker_runtimes(config).deploy)
    app = make_app(tmp_path, config, background=True, runtime_factory=docker_runtimes)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: "● running · not ready (/ready 503)" in server_box(app), 30,
                         "the state line to say /ready answers 503")
        assert "unknown" not in server_box(app)
