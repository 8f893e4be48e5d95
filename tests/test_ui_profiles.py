"""The profile picker (W, or "Switch profile" in the palette): two profiles in a private XDG_CONFIG_HOME, the
current one marked; choosing the other puts every pane on its file (the Config pane shows its HOST, the top bar
its name), and unsaved edits are asked about first."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.ui_support import ready, screen_text, wait_text, wait_until
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.config.profiles import profile_path
from wbtui.ui.app import WbtuiApp
from wbtui.ui.panes.config import ConfigPane
from wbtui.ui.session import Session
from wbtui.ui.widgets.confirm import ConfirmScreen
from wbtui.ui.widgets.field_row import FieldRow, widget_id
from wbtui.ui.widgets.profile_picker import ProfilePicker

DEFAULT_HOST, STAGING_HOST = "https://wandb.example.com", "https://staging.example.com"


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """``default`` (docker) and ``staging`` (kubernetes), each with its own HOST; and a broken ``old``."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    paths = {}
    for name, host, backend in (("default", DEFAULT_HOST, "docker"), ("staging", STAGING_HOST, "kubernetes")):
        config = Config()
        config.server.HOST, config.runtime.backend = host, backend
        paths[name] = store.save(config, profile_path(name))
    paths["old"] = profile_path("old")
    paths["old"].write_text("HOST = [unclosed\n")
    paths["old"].chmod(0o600)
    return paths


def app_on(path: Path) -> WbtuiApp:
    return WbtuiApp(Session.open(path), background=False)


def host_shown(app: WbtuiApp) -> str:
    return app.query_one(f"#{widget_id('HOST')}", FieldRow).editor.value


async def open_picker(pilot: object, app: WbtuiApp) -> ProfilePicker:
    await pilot.press("W")  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: isinstance(app.screen, ProfilePicker) and app.screen.rows, 10, "the profiles")
    assert isinstance(app.screen, ProfilePicker)
    return app.screen


async def choose(pilot: object, app: WbtuiApp, name: str) -> None:
    options = app.screen.query_one(OptionList)
    while options.get_option_at_index(options.highlighted or 0).id != name:
        await pilot.press("down")  # type: ignore[attr-defined]
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_switching_puts_the_dashboard_on_the_other_profile(profiles: dict[str, Path]) -> None:
    app = app_on(profiles["default"])
    async with app.run_test(size=(200, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await wait_until(pilot, lambda: host_shown(app) == DEFAULT_HOST, 5, "the Config pane")
        assert "staging" not in screen_text(app).splitlines()[0]  # the default profile is not named
        await open_picker(pilot, app)
        text = await wait_text(pilot, "staging", STAGING_HOST, "kubernetes", "unreadable")
        assert f"● default  {DEFAULT_HOST}  ·  docker  (current)" in text, text
        assert "old      unreadable:" in text and "not valid TOML" in text, text
        await choose(pilot, app, "staging")
        await wait_until(pilot, lambda: app.session.config_path == profiles["staging"], 10, "the switch")
        await wait_until(pilot, lambda: host_shown(app) == STAGING_HOST, 5, "the Config pane to follow")
        top = screen_text(app).splitlines()[0]
        assert f"wbtui staging  ·  {profiles['staging']}  ·  kubernetes:" in top, top
        assert app.core.target_config().server.HOST == STAGING_HOST

        picker = await open_picker(pilot, app)  # back, by the palette's command this time
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is not picker, 5, "the picker to close")
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Switch profile")
        command.callback()
        await wait_until(pilot, lambda: isinstance(app.screen, ProfilePicker) and app.screen.rows, 10, "the picker")
        await wait_text(pilot, f"● staging  {STAGING_HOST}")
        await choose(pilot, app, "default")
        await wait_until(pilot, lambda: host_shown(app) == DEFAULT_HOST, 10, "the default profile again")
        assert "staging" not in screen_text(app).splitlines()[0]


async def test_unsaved_edits_are_asked_about_before_switching(profiles: dict[str, Path]) -> None:
    app = app_on(profiles["default"])
    async with app.run_test(size=(200, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        app.query_one(ConfigPane).edit("runtime.tag", "0.60.0")
        assert app.session.dirty
        await open_picker(pilot, app)
        await choose(pilot, app, "staging")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the question")
        await wait_text(pilot, "lose unsaved changes?", "+runtime.tag = 0.60.0")
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), 5, "the answer")
        assert app.session.config_path == profiles["default"] and app.session.draft.runtime.tag == "0.60.0"

        await open_picker(pilot, app)
        await choose(pilot, app, "staging")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the question again")
        await pilot.press("y")
        await wait_until(pilot, lambda: host_shown(app) == STAGING_HOST, 10, "the switch")
        assert not app.session.dirty and app.session.draft.runtime.tag == "latest"
    assert store.load(profiles["default"]).runtime.tag == "latest"  # the edit was dropped, never written


async def test_choosing_the_current_profile_changes_nothing(profiles: dict[str, Path]) -> None:
    app = app_on(profiles["default"])
    async with app.run_test(size=(200, 40)) as pilot:
        await ready(pilot)
        session = app.session
        await open_picker(pilot, app)
        await choose(pilot, app, "default")
        await wait_until(pilot, lambda: not isinstance(app.screen, ProfilePicker), 5, "the picker to close")
        await pilot.pause()
        assert app.session is session
