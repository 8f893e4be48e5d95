"""The dashboard holds one loaded config and notices when another shell changes the file.

Changes are made the way a user makes them (``wbtui config set`` in a subprocess) while
the app runs; every wait is on the app's state, never on time.
"""

from __future__ import annotations

from pathlib import Path

from tests.services.base import free_port
from tests.ui_support import config_set, make_app, noticed, ready, screen_text, wait_text, wait_until
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.ui.panes.config import ConfigPane
from wbtui.ui.widgets.confirm import ConfirmScreen
from wbtui.ui.widgets.field_row import FieldRow, widget_id
from wbtui.ui.widgets.text_screen import TextScreen

OLD_HOST, NEW_HOST = "https://old.example.com", "https://new.example.com"


def start_config() -> Config:
    config = Config()
    config.server.HOST = OLD_HOST
    return config


async def test_a_change_from_another_shell_is_reloaded_and_unsaved_edits_are_kept(tmp_path: Path) -> None:
    app = make_app(tmp_path, start_config())
    path = app.session.config_path
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        pane = app.query_one(ConfigPane)
        await pilot.press("2")
        await pilot.pause()
        pane.edit("runtime.tag", "0.59.2")  # an unsaved edit ...
        config_set(path, "HOST", NEW_HOST)  # ... while another shell changes HOST and the tag
        config_set(path, "runtime.tag", "0.60.0")
        await wait_until(pilot, lambda: app.session.saved.runtime.tag == "0.60.0", 20, "the reload")
        await wait_until(pilot, lambda: noticed(app, "changed on disk"), 5, "the notice")
        notice = next(str(n.message) for n in app._notifications if "changed on disk" in str(n.message))
        assert f"+HOST = {NEW_HOST}" in notice and "Kept your unsaved edits: runtime.tag" in notice
        assert app.session.draft.server.HOST == NEW_HOST  # not edited here: follows the file
        assert app.session.draft.runtime.tag == "0.59.2"  # edited here: kept ...
        await wait_text(pilot, "kept over the newer file: runtime.tag")  # ... and marked
        assert app.query_one(f"#{widget_id('HOST')}", FieldRow).editor.value == NEW_HOST

        await pilot.press("ctrl+s")  # saving now writes both: nothing from the other shell is reverted
        await wait_until(pilot, lambda: not app.session.dirty, 10, "the save")
    saved = store.load(path)
    assert (saved.server.HOST, saved.runtime.tag) == (NEW_HOST, "0.59.2")


async def test_save_over_a_newer_file_shows_the_difference_then_reloads_or_saves_anyway(tmp_path: Path) -> None:
    app = make_app(tmp_path, start_config())
    path = app.session.config_path
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.config_file_timer.pause()  # the file changes between two of its ticks
        pane = app.query_one(ConfigPane)
        await pilot.press("2")
        pane.edit("runtime.tag", "0.59.2")
        config_set(path, "HOST", NEW_HOST)

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the refusal")
        text = await wait_text(pilot, "changed on disk since it was loaded", f"-HOST = {NEW_HOST}",
                               f"+HOST = {OLD_HOST}", "Save anyway (y)", "Reload (n)")
        assert "+runtime.tag = 0.59.2" in text
        assert store.load(path).runtime.tag != "0.59.2"  # nothing written yet
        await pilot.press("n")  # Reload: take the file, keep the edit
        await wait_until(pilot, lambda: app.session.saved.server.HOST == NEW_HOST, 10, "the reload")
        assert app.session.draft.server.HOST == NEW_HOST and app.session.draft.runtime.tag == "0.59.2"

        config_set(path, "runtime.cpu_limit", "3")  # newer again; this time save over it
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the second refusal")
        await wait_text(pilot, "-runtime.cpu_limit = 3")
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.session.dirty, 10, "the save")
    saved = store.load(path)
    assert (saved.server.HOST, saved.runtime.tag, saved.runtime.cpu_limit) == (NEW_HOST, "0.59.2",
                                                                               Config().runtime.cpu_limit)
    assert store.load(store.backup_path(path)).runtime.cpu_limit == "3"  # what was overwritten is kept


async def test_diff_saved_compares_the_draft_with_the_file_as_it_is_now(tmp_path: Path) -> None:
    app = make_app(tmp_path, start_config())
    path = app.session.config_path
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.config_file_timer.pause()
        await pilot.press("2")
        config_set(path, "HOST", NEW_HOST)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, TextScreen), 10, "the diff")
        await wait_text(pilot, "Draft vs the file on disk", f"-HOST = {NEW_HOST}", f"+HOST = {OLD_HOST}")
        # Reading the file took it in as well: the draft now follows it.
        await wait_until(pilot, lambda: app.session.draft.server.HOST == NEW_HOST, 10, "the reload")
        assert noticed(app, "changed on disk")


async def test_datastores_check_the_config_as_changed_on_disk(tmp_path: Path) -> None:
    old_port, new_port = free_port(), free_port()
    config = start_config()
    config.server.MYSQL = f"mysql://wandb:pw@127.0.0.1:{old_port}/wandb"
    config.app.timeout = 2.0
    app = make_app(tmp_path, config)
    path = app.session.config_path
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        config_set(path, "MYSQL", f"mysql://wandb:pw@127.0.0.1:{new_port}/wandb")
        await wait_until(pilot, lambda: noticed(app, "changed on disk"), 20, "the reload")
        await pilot.press("3", "m")
        await wait_until(pilot, lambda: app.checks is not None and not app.checks.running and app.checks.results,
                         60, "the MySQL checks")
        connect = next(r for r in app.checks.results if r.id == "mysql.connect")
        assert f"127.0.0.1:{new_port}" in connect.summary, connect.summary
        assert str(old_port) not in screen_text(app)


async def test_a_key_no_setting_reads_is_named_with_the_closest_setting(tmp_path: Path) -> None:
    """A typo in the file (HSOT) was ignored without a word: the dashboard says so at start and on a reload."""
    path = tmp_path / "config.toml"
    path.write_text('[server]\nHOST = "https://wandb.example.com"\nHSOT = "https://typo.example.com"\n')
    path.chmod(0o600)
    app = make_app(tmp_path, save=False)
    app.session.unknown = store.read(path)[1]
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: noticed(app, "HSOT in config.toml is not a setting"), 10, "the warning")
        assert noticed(app, "rename it to HOST")
        app.clear_notifications()
        with path.open("a") as out:
            out.write('[runtime]\ntga = "0.60.0"\n')
        await wait_until(pilot, lambda: noticed(app, "runtime.tga in config.toml"), 20, "the warning on reload")
        assert noticed(app, "rename it to runtime.tag")
