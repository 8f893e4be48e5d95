"""Read-only mode: a mutating key says why it does nothing and how to leave read-only mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui_support import make_app, noticed, ready, screen_text, wait_text, wait_until
from wbtui.ui.widgets.confirm import ConfirmScreen, PromptScreen


@pytest.mark.parametrize(("pane_key", "keys", "what"), [
    ("4", ("d",), "deploy"),
    ("4", ("X",), "remove"),
    ("4", ("u",), "upgrade"),
    ("4", ("b",), "roll back"),
    ("2", ("ctrl+s",), "save"),
    ("3", ("b",), "create bucket"),
], ids=["runtime-deploy", "runtime-remove", "runtime-upgrade", "runtime-rollback", "config-save", "datastores-bucket"])
async def test_a_mutating_key_names_read_only_mode_and_the_way_out(tmp_path: Path, pane_key: str,
                                                                   keys: tuple[str, ...], what: str) -> None:
    app = make_app(tmp_path, read_only=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press(pane_key)
        await pilot.pause()
        await pilot.press(*keys)
        await wait_until(pilot, lambda: noticed(app, f"Read-only mode: {what} is disabled"), 5,
                         f"the read-only notice for {what}")
        await wait_text(pilot, "Read-only mode", "--read-only")
        assert not isinstance(app.screen, (ConfirmScreen, PromptScreen))


async def test_keys_are_not_refused_when_writable(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("4", "u")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), 5, "the upgrade prompt")
        assert not noticed(app, "Read-only mode")


async def test_a_mutating_palette_command_names_read_only_mode(tmp_path: Path) -> None:
    app = make_app(tmp_path, read_only=True)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Runtime: Deploy")
        await wait_until(pilot, lambda: "Runtime: Deploy" in screen_text(app), 5, "the palette to list it")
        await pilot.press("enter")
        await wait_until(pilot, lambda: noticed(app, "Read-only mode: deploy is disabled"), 5, "the notice")
        assert not isinstance(app.screen, (ConfirmScreen, PromptScreen))
