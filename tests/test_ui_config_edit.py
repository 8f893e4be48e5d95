"""The Config pane and the file as the user wrote it: ctrl+s changes only the edited line, and `E` hands the file
to $EDITOR (here, without a terminal to hand over, it says so; tests/test_terminal_tmux.py presses it for real)."""

from __future__ import annotations

import difflib
from pathlib import Path

from tests.test_terminal_tmux import WBTUI, needs_tmux, terminal
from tests.ui_support import make_app, noticed, ready, wait_until
from wbtui.config import store
from wbtui.ui.widgets.field_row import FieldRow, widget_id

COMMENTED = """\
# Staging W&B: ask #platform before changing the database.

[server]
HOST = "https://wandb.example.com"  # the front door, as browsers see it
AWS_REGION = "eu-central-1"

[runtime]
# pinned: 0.61 needs the new MySQL grants
tag = "0.60.0"
port = 8080  # nginx proxies to this
"""


async def test_saving_from_the_pane_changes_only_the_edited_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    app = make_app(tmp_path, save=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("enter")  # into the Server form: focus on HOST
        await pilot.pause()
        host = app.query_one(f"#{widget_id('HOST')}", FieldRow).editor
        assert app.focused is host
        await pilot.press("ctrl+u", *"https://staging.example.com")
        await wait_until(pilot, lambda: app.session.draft.server.HOST == "https://staging.example.com", 5, "the edit")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not app.session.dirty, 10, "the save")
    text = path.read_text()
    changed = [line for line in difflib.unified_diff(COMMENTED.splitlines(), text.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ['-HOST = "https://wandb.example.com"  # the front door, as browsers see it',
                       '+HOST = "https://staging.example.com"  # the front door, as browsers see it']
    assert store.backup_path(path).read_text() == COMMENTED


async def test_edit_key_without_a_terminal_says_where_to_run_it(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    app = make_app(tmp_path, save=False)
    async with app.run_test(size=(80, 24)) as pilot:  # Pilot's headless driver cannot hand the terminal over
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("E")
        await wait_until(pilot, lambda: noticed(app, "The editor needs a terminal"), 5, "the notice")
        assert noticed(app, "wbtui config edit")
    assert path.read_text() == COMMENTED


async def test_edit_key_is_refused_in_read_only_mode(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    app = make_app(tmp_path, save=False, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("E")
        await wait_until(pilot, lambda: noticed(app, "Read-only mode"), 5, "the refusal")
        assert not noticed(app, "The editor needs a terminal")
    assert path.read_text() == COMMENTED


EDITOR_SCRIPT = """#!/bin/sh
printf 'EDITOR OPEN ON %s\\n' "$(basename "$1")"
read -r name
sed -i "s#https://wandb.example.com#https://$name.example.com#" "$1"
"""


@needs_tmux
def test_edit_key_hands_the_terminal_to_the_editor_and_shows_its_change(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    editor = tmp_path / "editor.sh"
    editor.write_text(EDITOR_SCRIPT)
    editor.chmod(0o700)
    nowhere = "DOCKER_HOST=unix:///nonexistent.sock"  # no daemon needed: the config file is the point
    with terminal(["env", nowhere, f"EDITOR={editor}", "VISUAL=", str(WBTUI), "--config", str(path)],
                  tmp_path) as term:
        term.wait_for("1 Overview", "Docker daemon not reachable")
        term.keys("2")
        term.wait_for("Save", "https://wandb.example.com")
        term.keys("E")
        shown = term.wait_for("EDITOR OPEN ON config.toml")  # the dashboard stepped aside: the editor has the tty
        assert "Save" not in shown
        term.keys("edited", "Enter")
        term.wait_for("https://edited.example.com", "Saved")  # back, with the file read again
        term.keys("q")
        term.wait_for("EXITED=0")
    assert path.read_text() == COMMENTED.replace("wandb.example.com", "edited.example.com")
