"""Toasts leave the terminal when they expire: over a pane and over a dialog's buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from tests.ui_support import Terminal, make_app, ready, screen_text, wait_until
from wbtui.ui.widgets.confirm import ConfirmScreen

TOAST = "Toast-3b7e: saved the configuration"


@pytest.mark.parametrize("dialog", [False, True], ids=["pane", "dialog"])
async def test_an_expired_toast_is_wiped_from_the_terminal(tmp_path: Path, dialog: bool) -> None:
    app = make_app(tmp_path)
    terminal = Terminal(app)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        if dialog:
            app.push_screen(ConfirmScreen("Restart the server?", ["stop wandb-local", "start wandb-local"],
                                          danger=True))
            await wait_until(pilot, lambda: "Restart the server?" in terminal.text(), 10, "the dialog")
        app.notify(TOAST, title="Saved", timeout=0.5, markup=False)
        await wait_until(pilot, lambda: TOAST in terminal.text(), 10, "the toast on the terminal")
        await wait_until(pilot, lambda: not app.screen.query(Toast), 10, "the toast to leave the DOM")
        await wait_until(pilot, lambda: TOAST not in terminal.text(), 5,
                         f"the toast wiped from the terminal:\n{terminal.text()}")
        assert TOAST not in screen_text(app)
        assert terminal.text() == screen_text(app).rstrip("\n")
        if dialog:
            assert "Restart the server?" in terminal.text()
