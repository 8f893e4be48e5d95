"""Remapped keys (the config's [keys] table, Textual's keymap): the new key works, the old one no longer does,
the help screen and the footer show the new one, a remap that would take another binding's key is left out with
an error naming both, and a change of the table from another shell is applied on the reload."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable, Footer

from tests.ui_support import config_set, make_app, noticed, ready, screen_text, wait_until
from wbtui.config import store
from wbtui.config.keynames import key_problem, normalize
from wbtui.config.model import Config, FieldError, from_dict, set_value
from wbtui.config.validate import validate
from wbtui.ui.keymap import check, every_binding
from wbtui.ui.panes.logs import LogsPane
from wbtui.ui.widgets.help import HelpScreen

NEW_KEY = "z"  # no binding of the Logs pane or the app has it


def remapped(keys: dict[str, str]) -> Config:
    config = Config()
    config.keys = dict(keys)
    return config


def help_rows(app: object) -> list[tuple[str, str, str]]:
    table = app.screen.query_one(DataTable)  # type: ignore[attr-defined]
    return [tuple(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]  # type: ignore[misc]


async def test_a_remapped_key_pauses_the_old_one_does_not_and_help_and_footer_show_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, remapped({"logs.pause": NEW_KEY}))
    async with app.run_test(size=(220, 40)) as pilot:  # Textual's footer puts a remapped key last: room for all
        await ready(pilot)
        await pilot.press("5")
        logs = app.query_one(LogsPane)
        await wait_until(pilot, lambda: app.active_pane == "logs" and logs.has_focus_within, 5, "the Logs pane")
        assert not logs.view.paused
        await pilot.press("space")  # the default key: no longer pause
        await pilot.pause()
        assert not logs.view.paused
        await pilot.press(NEW_KEY)
        await wait_until(pilot, lambda: logs.view.paused, 5, "the pause")
        footer = app.screen.query_one(Footer)
        await wait_until(pilot, lambda: re.search(rf"\b{NEW_KEY} Pause/resume", screen_text(app)), 5,
                         f"the footer to say {NEW_KEY}")
        assert "space Pause" not in screen_text(app) and footer.display
        await pilot.press(NEW_KEY)
        await wait_until(pilot, lambda: not logs.view.paused, 5, "the resume")

        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "the help screen")
        await wait_until(pilot, lambda: bool(help_rows(app)), 5, "the key table")
        rows = help_rows(app)
        assert ("Logs", NEW_KEY, "Pause/resume") in rows, rows
        assert not any(where == "Logs" and key == "space" for where, key, _ in rows)
        assert not app.key_remap.findings


async def test_a_remap_onto_another_bindings_key_is_left_out_and_names_both(tmp_path: Path) -> None:
    app = make_app(tmp_path, remapped({"logs.pause": "f", "logs.paws": NEW_KEY}))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: noticed(app, "logs.follow"), 5, "the error")
        notice = next(str(n.message) for n in app._notifications if "logs.follow" in str(n.message))
        assert "keys.logs.pause: 'f' for logs.pause is also logs.follow in Logs" in notice, notice
        assert "did you mean logs.pause" in notice, notice  # the unknown id's warning names the close one
        assert app.key_remap.keymap == {}
        await pilot.press("5")
        logs = app.query_one(LogsPane)
        await wait_until(pilot, lambda: logs.has_focus_within, 5, "the Logs pane")
        follow = logs.view.follow
        await pilot.press("f")  # still Follow
        await wait_until(pilot, lambda: logs.view.follow != follow, 5, "follow to toggle")
        await pilot.press("space")  # still Pause
        await wait_until(pilot, lambda: logs.view.paused, 5, "the pause")


async def test_a_remap_set_from_another_shell_applies_on_the_reload(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        logs = app.query_one(LogsPane)
        await wait_until(pilot, lambda: logs.has_focus_within, 5, "the Logs pane")
        config_set(app.session.config_path, "keys.logs.pause", NEW_KEY)
        await wait_until(pilot, lambda: app.key_remap.keymap == {"logs.pause": NEW_KEY}, 20, "the reload")
        await pilot.press(NEW_KEY)
        await wait_until(pilot, lambda: logs.view.paused, 5, "the pause by the new key")


# ---- the table itself, without the dashboard ----------------------------------------------------------------------
def test_key_names_are_checked_and_spelled_as_textual_spells_them() -> None:
    assert normalize("?, ctrl+r , /") == "question_mark,ctrl+r,slash"
    for good in ("space", "ctrl+r", "f12", "P", "question_mark", "?", "ctrl+shift+up", "a,b"):
        assert key_problem(good) is None, good
    for bad in ("", "spacebar", "ctrl+", "hyper+hyper+x", "cmd+x", "a,,b", "f25"):
        assert key_problem(bad), bad


def test_the_keys_table_is_read_written_and_validated() -> None:
    config = from_dict({"keys": {"logs.pause": "z", "app.help": "spacebar", "Logs-Pause": "x"}})
    assert config.keys == {"logs.pause": "z", "app.help": "spacebar", "Logs-Pause": "x"}
    assert config.to_dict()["keys"] == config.keys and "keys" not in Config().to_dict()
    errors = {f.field: f.message for f in validate(config) if f.field.startswith("keys.")}
    assert set(errors) == {"keys.app.help", "keys.Logs-Pause"}
    assert "'spacebar' is not a key name" in errors["keys.app.help"]
    with pytest.raises(FieldError, match="not a key name"):
        set_value(config, "keys.logs.pause", "spacebar")
    with pytest.raises(FieldError, match="not a binding id"):
        set_value(config, "keys.logs", "z")
    with pytest.raises(FieldError, match="must be text"):
        from_dict({"keys": {"logs.pause": 3}})
    set_value(config, "keys.logs.pause", "?")
    assert config.keys["logs.pause"] == "question_mark"


def test_a_swap_of_two_keys_is_no_collision_and_every_id_is_listed_once() -> None:
    remap = check({"logs.pause": "f", "logs.follow": "space"})
    assert remap.keymap == {"logs.pause": "f", "logs.follow": "space"} and remap.findings == []
    ids = every_binding()
    assert ids["logs.pause"][0] == "Logs" and ids["logs.pause"][1].key == "space"
    assert ids["app.help"][0] == "Global" and ids["confirm.yes"][0] == "Confirm dialog"
    collision = check({"app.help": "f"})  # the app's key would be lost in the Logs pane
    assert collision.keymap == {} and "also logs.follow in Logs" in collision.findings[0].message
    palette = check({"logs.pause": "ctrl+p", "confirm.yes": "tab"})  # Textual's own keys count too
    assert palette.keymap == {} and [f.message.split(" in ")[0] for f in palette.findings] == [
        "'ctrl+p' for logs.pause is also Textual's command_palette", "'tab' for confirm.yes is also Textual's "
        "app.focus_next"]


def wbtui(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wbtui", "--config", str(path), *args], capture_output=True,
                          text=True, timeout=120)


def test_config_set_keys_and_config_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    store.save(Config(), path)
    done = wbtui(path, "config", "set", "keys.logs.pause", NEW_KEY)
    assert done.returncode == 0, done.stderr
    assert store.load(path).keys == {"logs.pause": NEW_KEY}
    refused = wbtui(path, "config", "set", "keys.logs.follow", NEW_KEY)  # the key logs.pause has now
    assert refused.returncode == 1 and "is also logs.pause in Logs" in refused.stderr, refused.stderr
    refused = wbtui(path, "config", "set", "keys.logs.follow", "spacebar")
    assert refused.returncode == 1 and "'spacebar' is not a key name" in refused.stderr, refused.stderr
    warned = wbtui(path, "config", "set", "keys.logs.paws", "ctrl+k")  # saved, with the close id named
    assert warned.returncode == 0 and "did you mean logs.pause" in warned.stdout, warned.stdout
    listing = wbtui(path, "config", "keys", "--json")
    assert listing.returncode == 0, listing.stderr
    data = json.loads(listing.stdout)
    rows = {row["id"]: row for row in data["keys"]}
    assert rows["logs.pause"] == {"id": "logs.pause", "key": NEW_KEY, "default": "space", "where": "Logs",
                                  "description": "Pause/resume"}
    assert rows["app.switch_profile"]["key"] == "W"
    assert [f["field"] for f in data["findings"]] == ["keys.logs.paws"]
    shown = wbtui(path, "config", "show")
    assert "keys.logs.pause" in shown.stdout and "did you mean logs.pause" in shown.stdout, shown.stdout
    assert "not a setting wbtui knows" not in shown.stdout, shown.stdout  # [keys] is a table wbtui reads
    removed = wbtui(path, "config", "unset", "keys.logs.pause")
    assert removed.returncode == 0 and "has its default key again" in removed.stdout
    assert store.load(path).keys == {"logs.paws": "ctrl+k"}
