"""The setup screen takes a config file changed from another shell; Next never reverts such a change."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.widgets import Input

from tests.ui_support import config_set, noticed, screen_text, wait_until
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.setup.state import SetupState, state_path
from wbtui.ui.setup.app import SetupApp

SIZE = (80, 24)
OLD_HOST, NEW_HOST = "https://old.example.com", "https://new.example.com"


def at_server_step(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    config = Config()
    config.server.HOST = OLD_HOST
    store.save(config, path)
    SetupState(current="server", done=["where", "mysql", "s3"]).save(state_path(path))
    return path


def field(app: SetupApp, field_id: str) -> Input:
    return app.setup_screen.query_one(f"#{field_id}", Input)


async def settled(pilot: Any, timeout: float = 30.0) -> None:
    app = pilot.app
    deadline = time.monotonic() + timeout
    while not (app.setup_screen.settled and not any(w.is_running for w in app.workers)):
        if time.monotonic() > deadline:
            raise AssertionError(f"still busy after {timeout}s; screen:\n{screen_text(app)}")
        await pilot.pause(0.05)


async def test_the_form_follows_the_file_except_what_was_typed_and_next_keeps_the_change(tmp_path: Path) -> None:
    path = at_server_step(tmp_path)
    app = SetupApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert app.setup_screen.shown == "server" and field(app, "server-host").value == OLD_HOST
        field(app, "server-tag").value = "0.59.2"  # typed here, not saved yet
        config_set(path, "HOST", NEW_HOST)
        config_set(path, "runtime.tag", "0.60.0")
        await wait_until(pilot, lambda: field(app, "server-host").value == NEW_HOST, 20, "the form to follow")
        await wait_until(pilot, lambda: app.setup_screen.flow.config.runtime.tag == "0.60.0", 20, "both changes")
        assert noticed(app, "changed on disk") and noticed(app, "Kept what you typed in: server-tag")
        assert field(app, "server-tag").value == "0.59.2"

        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: app.setup_screen.shown == "review", 30, "the next step")
    saved = store.load(path)
    assert (saved.server.HOST, saved.runtime.tag) == (NEW_HOST, "0.59.2")


async def test_next_refuses_to_save_over_a_newer_file_and_takes_it_first(tmp_path: Path) -> None:
    path = at_server_step(tmp_path)
    app = SetupApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        app.setup_screen.config_file_timer.pause()  # the file changes between two of its ticks
        config_set(path, "HOST", NEW_HOST)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: noticed(app, "changed on disk"), 10, "the refusal")
        assert "nothing saved" in screen_text(app)
        assert app.setup_screen.shown == "server" and field(app, "server-host").value == NEW_HOST
        assert store.load(path).server.HOST == NEW_HOST
        notice = next(str(n.message) for n in app._notifications if "changed on disk" in str(n.message))
        assert f"-HOST = {OLD_HOST}" in notice and f"+HOST = {NEW_HOST}" in notice

        await pilot.press("ctrl+n")  # with the change taken in, Next goes on and keeps it
        await wait_until(pilot, lambda: app.setup_screen.shown == "review", 30, "the next step")
    assert store.load(path).server.HOST == NEW_HOST
