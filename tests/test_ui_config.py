"""The Config pane: edit, validate as you type, masked secrets, save with backup, diffs, previews."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.services.docker_fixtures import standin_config
from tests.ui_support import make_app, ready, screen_text, wait_text, wait_until
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.ui.panes.config import SECTIONS, ConfigPane
from wbtui.ui.widgets.confirm import ConfirmScreen
from wbtui.ui.widgets.field_row import FieldRow, widget_id
from wbtui.ui.widgets.text_screen import TextScreen

SECRET = "s3cr3t-Canary-pw"


def row(app, key: str) -> FieldRow:
    return app.query_one(f"#{widget_id(key)}", FieldRow)


def test_every_setting_is_in_exactly_one_section() -> None:
    from wbtui.config.model import FIELDS

    keys = [key for _, _, keys in SECTIONS for key in keys]
    assert sorted(keys) == sorted(spec.key for spec in FIELDS)


async def test_edit_validate_and_save(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    path = app.session.config_path
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("enter")  # into the Server form: focus on HOST
        await pilot.pause()
        host = row(app, "HOST").editor
        assert app.focused is host
        await pilot.press(*"wandb.example.com")
        await wait_text(pilot, "has no scheme", "fix: wbtui config set HOST", "modified", "unsaved")
        assert row(app, "HOST").has_class("-error")
        await pilot.press("home", *"https://")
        await wait_until(pilot, lambda: not row(app, "HOST").has_class("-error"), 5, "the error to clear")
        assert app.session.draft.server.HOST == "https://wandb.example.com"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not app.session.dirty, 10, "the save to finish")
        assert "Config ●" not in screen_text(app)
    saved = store.load(path)
    assert saved.server.HOST == "https://wandb.example.com"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.backup_path(path).exists()  # the previous version was kept


async def test_extra_env_shows_whole_names_and_values(tmp_path: Path) -> None:
    """The env table showed `EVAL` for EVAL_MODE: its cells were Content, which a DataTable in a scroll
    container does not measure, so the columns kept the headers' width."""
    config = Config()
    config.env["EVAL_MODE"] = "enabled"
    config.env["GORILLA_SERVICE_X"] = "value-that-is-long"
    app = make_app(tmp_path, config)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        app.query_one(ConfigPane).show_section("env")
        await wait_text(pilot, "EVAL_MODE", "GORILLA_SERVICE_X", "value-that-is-long")


async def test_a_value_that_cannot_be_stored_blocks_save(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        app.query_one(ConfigPane).show_section("runtime")
        await pilot.pause()
        editor = row(app, "runtime.port").editor
        assert isinstance(editor, Input)
        editor.value = "80eighty"
        await wait_text(pilot, "is not a whole number")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.load(app.session.config_path).runtime.port == 8080
        assert any("Fix the fields marked" in str(n.message) for n in app._notifications)


async def test_save_with_errors_asks_first(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        pane = app.query_one(ConfigPane)
        pane.edit("runtime.cpu_request", "64")  # above the limit: a validation error
        await pilot.press("2")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the confirmation")
        await wait_text(pilot, "CPU request is above the limit")
        await pilot.press("n")
        await pilot.pause()
        assert app.session.dirty


async def test_secrets_are_masked_until_revealed(tmp_path: Path) -> None:
    config = Config()
    config.server.MYSQL = f"mysql://wandb:{SECRET}@db.example.com:3306/wandb_local"
    app = make_app(tmp_path, config)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        app.query_one(ConfigPane).show_section("mysql")
        text = await wait_text(pilot, "shown as: mysql://wandb:****@db.example.com:3306/wandb_local")
        assert SECRET not in text
        await pilot.press("ctrl+r")
        await wait_text(pilot, SECRET)
        await pilot.press("ctrl+r")
        await wait_text(pilot, "shown as: mysql://wandb:****@")
        assert SECRET not in screen_text(app)


async def test_diff_against_saved_masks_secrets(tmp_path: Path) -> None:
    config = Config()
    config.server.MYSQL = "mysql://wandb:old-password@db:3306/wandb"
    app = make_app(tmp_path, config)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        pane = app.query_one(ConfigPane)
        pane.edit("MYSQL", f"mysql://wandb:{SECRET}@db:3306/wandb")
        pane.edit("runtime.tag", "0.59.2")
        await pilot.press("2", "ctrl+o")
        text = await wait_text(pilot, "+runtime.tag = 0.59.2", "(secret changed)")
        assert isinstance(app.screen, TextScreen)
        assert SECRET not in text and "old-password" not in text


async def test_previews_render_every_file_and_save_one(tmp_path: Path, monkeypatch) -> None:
    config = Config()
    config.server.HOST = "https://wandb.example.com"
    config.server.MYSQL = f"mysql://wandb:{SECRET}@db:3306/wandb"
    app = make_app(tmp_path, config)
    monkeypatch.chdir(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2", "ctrl+t")
        await wait_text(pilot, "docker run")
        assert isinstance(app.screen, TextScreen)
        for _ in range(5):  # down to the SQL preview
            await pilot.press("down")
        text = await wait_text(pilot, "CREATE USER")
        assert SECRET not in text
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")  # accept the suggested name
        await wait_until(pilot, lambda: (tmp_path / "wandb-mysql.sql").exists(), 10, "the file to be written")
    written = (tmp_path / "wandb-mysql.sql").read_text()
    assert "CREATE USER" in written and SECRET not in written


async def test_read_only_config_cannot_be_edited_or_saved(tmp_path: Path) -> None:
    app = make_app(tmp_path, read_only=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        assert row(app, "HOST").editor.disabled
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.active_pane == "config"
        app.query_one(ConfigPane).action_save()
        await pilot.pause()
        assert any("Read-only mode" in str(n.message) for n in app._notifications)
        assert store.backup_path(app.session.config_path).exists() is False


@pytest.mark.docker
async def test_diff_against_the_running_server(tmp_path: Path, standin_image: str, docker_runtimes) -> None:
    """ctrl+n refuses clearly while nothing runs, then shows how the draft differs from the live container."""
    config = standin_config(standin_image, prefix="uicfg", secret=SECRET, ready_delay="0", heartbeat="0")
    config.app.timeout = 5.0
    app = make_app(tmp_path, config, runtime_factory=docker_runtimes)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2", "ctrl+n")
        await wait_until(pilot, lambda: any("Nothing is running" in str(n.message) for n in app._notifications),
                         60, "the not-deployed refusal")
        assert app.is_running and app.return_code is None

        await asyncio.to_thread(docker_runtimes(config).deploy)
        app.query_one(ConfigPane).edit("runtime.cpu_limit", "2")
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: isinstance(app.screen, TextScreen), 60, "the running diff")
        text = await wait_text(pilot, "Draft vs running", "-runtime.cpu_limit = 1", "+runtime.cpu_limit = 2")
        assert SECRET not in text


async def test_ctrl_u_clears_the_whole_value_wherever_the_cursor_is(tmp_path: Path) -> None:
    """Textual's Input deleted only what was left of the cursor: half a URL stayed and looked like a value."""
    config = Config()
    long_host = "https://wandb-production-" + "x" * 60 + ".example.com/path"
    config.server.HOST = long_host
    app = make_app(tmp_path, config)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("enter")  # into the Server form: focus on HOST
        host = row(app, "HOST").editor
        await wait_until(pilot, lambda: app.focused is host, 5, "HOST to have focus")
        assert isinstance(host, Input)
        await pilot.press("home", *["right"] * 30)
        assert host.cursor_position == 30
        await pilot.press("ctrl+u")
        await wait_until(pilot, lambda: host.value == "", 5, "the value to be cleared")
        await wait_text(pilot, "modified")
        assert app.session.draft.server.HOST == ""


async def test_previews_never_break_a_line_inside_a_quoted_argument(tmp_path: Path) -> None:
    """At 80x24 a long quoted value wrapped mid-token; now the line stays whole and scrolls sideways."""
    config = Config()
    config.env["GORILLA_BANNER"] = "Scheduled maintenance on Saturday from 02:00 to 04:00 UTC, short outages END"
    app = make_app(tmp_path, config)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("2", "ctrl+t")
        text = await wait_text(pilot, "docker run -d")
        rows = text.splitlines()
        head = next(i for i, line in enumerate(rows) if "-e 'GORILLA_BANNER=" in line)
        assert "-p 8080:8080" in rows[head + 1]  # the next argument follows, no piece of the value between
        assert not any("END'" in line for line in rows)  # the token's tail is off to the right, not wrapped
        await pilot.press("tab")  # from the file list to the text
        await pilot.press(*["right"] * 60)
        await wait_until(pilot, lambda: "END' \\" in screen_text(app).splitlines()[head], 5,
                         "the rest of the line to scroll into view on the same row")


async def test_keys_that_arrive_together_edit_a_setting_in_the_order_typed(tmp_path: Path) -> None:
    """Over a slow SSH link several keys arrive in one read. Textual ran an Input's bound keys (ctrl+u,
    backspace, home) after the typed ones (Textualize/textual#6605): ctrl+u then a new value left the
    field empty, and home then text put the text at the end. Setting editors take them in order."""
    from textual import events

    app = make_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("enter")  # into the Server form: focus on HOST
        host = row(app, "HOST").editor
        await wait_until(pilot, lambda: app.focused is host, 5, "the focus on HOST")
        for key in ("ctrl+u", *"wandb.example.com", "home", *"https://", "end", "backspace", "m"):
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await wait_until(pilot, lambda: app.session.draft.server.HOST == "https://wandb.example.com", 10,
                         "HOST edited in the order typed")
