"""The setup at 80x24 as a new admin drives it: step 1's names, step hotkeys, the focus, the palette, the footer,
and every key the setup binds.

No services: the steps are opened where their keys need none (an empty form fails fast and says why),
and Docker is pointed at a socket that does not exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.color import Color
from textual.command import CommandList, CommandPalette
from textual.widgets import Button, Input, Select
from textual.widgets._footer import FooterKey

from tests.test_setup_screen import settle, status
from tests.ui_support import make_app, noticed, screen_text, wait_until
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.setup.state import STEP_IDS, STEP_TITLES, SetupState, state_path
from wbtui.ui.guided import GuidedSetupScreen
from wbtui.ui.setup.app import SetupApp
from wbtui.ui.setup.screen import STEP_OF_BUTTON, SetupScreen
from wbtui.ui.setup.steps import PANELS

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def no_services(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Docker daemon to find and no `wandb` on PATH: every key's effect comes from the setup itself."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setenv("HOME", str(tmp_path))


def config_at(tmp_path: Path, step: str) -> Path:
    """A config file whose setup is at ``step``, the steps before it done."""
    path = tmp_path / "config.toml"
    if not path.exists():
        store.save(Config(), path)
    SetupState(current=step, done=list(STEP_IDS[:STEP_IDS.index(step)])).save(state_path(path))
    return path


def footer_line(app: Any) -> str:
    return screen_text(app).splitlines()[-1]


def away_from_fields(screen: SetupScreen) -> Button:
    """Where the user's focus is once they tabbed past the form: the step's first button, else Next."""
    buttons = [b for b in screen.panel().query(Button) if b.focusable]
    target = buttons[0] if buttons else screen.query_one("#btn-next", Button)
    target.focus()
    return target


# -- 1. the container name and data volume ---------------------------------------------------------
async def test_docker_asks_for_the_container_and_volume_prefilled_validated_and_saved(tmp_path):
    path = config_at(tmp_path, "where")
    app = SetupApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.setup_screen
        text = screen_text(app)
        assert "Container" in text and "wandb-local" in text and "Data volume" in text and "wandb-data" in text
        assert not screen.query_one("#where-context", Input).parent.display  # Kubernetes' fields hidden
        # A volume Docker cannot mount: Detect says so with its fix, like every other setting.
        screen.query_one("#where-container", Input).value = "wandb-prod"
        screen.query_one("#where-volume", Input).value = "data:vol"
        await pilot.press("ctrl+r")
        await settle(pilot)
        volume = next(r for r in screen.flow.reports["where"].results if r.id == "config.runtime.volume")
        assert volume.status.value == "fail" and "wbtui config set runtime.volume" in volume.fix
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.shown == "where" and "failures" in status(screen)
        # Fixed: saved to the config file, shown on the deploy step's plan later.
        screen.query_one("#where-volume", Input).value = "/srv/wandb"
        await pilot.press("ctrl+r")
        await settle(pilot)
        saved = store.load(path).runtime
        assert (saved.container_name, saved.volume) == ("wandb-prod", "/srv/wandb")
        # Kubernetes keeps its own names: context and namespace instead.
        screen.query_one("#where-backend", Select).value = "kubernetes"
        await pilot.pause()
        assert screen.query_one("#where-namespace", Input).parent.display
        assert not screen.query_one("#where-volume", Input).parent.display


# -- 2. step hotkeys and the focus ring -----------------------------------------------------------
async def test_object_store_keys_b_and_o_act_from_anywhere_but_a_field_and_are_shown(tmp_path):
    app = SetupApp(config_at(tmp_path, "s3"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.setup_screen
        assert str(screen.query_one("#s3-create", Button).label) == "b Create bucket…"
        assert str(screen.query_one("#s3-cors", Button).label) == "o Apply CORS…"
        # Typing in a field: b and o are letters of the bucket's name, not keys (nor in the footer).
        screen.query_one("#s3-bucket", Input).focus()
        await pilot.press("b", "o")
        await settle(pilot)
        assert screen.query_one("#s3-bucket", Input).value == "bo"
        assert not screen.busy and "Looking at the bucket" not in status(screen)
        assert "Create bucket" not in footer_line(app)
        # Tab from the last field lands on the button; the footer offers both keys; o looks at the bucket.
        screen.query_one("#s3-host", Input).focus()
        await pilot.press("tab")
        assert screen.focused is screen.query_one("#s3-create", Button)
        assert "b Create bucket" in footer_line(app) and "o Apply CORS" in footer_line(app)
        await pilot.press("o")
        await settle(pilot)
        assert "Looking at the bucket (Apply CORS) failed" in status(screen) and "Fix:" in status(screen)


async def test_the_focused_button_is_drawn_in_the_accent_colour(tmp_path):
    app = SetupApp(config_at(tmp_path, "s3"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.setup_screen
        accent = Color.parse(app.theme_variables["accent"])
        for focused_id, other_id in (("#s3-create", "#s3-cors"), ("#btn-next", "#btn-back")):
            focused, other = screen.query_one(focused_id, Button), screen.query_one(other_id, Button)
            focused.focus()
            await pilot.pause()
            assert focused.styles.background == accent, focused_id
            assert other.styles.background != accent
            assert "reverse" not in str(focused.styles.text_style)  # solid, not Textual's inverted tint


# -- 3. the command palette ----------------------------------------------------------------------
async def palette_names(pilot: Any) -> list[str]:
    await pilot.press("ctrl+p")
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette)
                     and app.screen.query_one(CommandList).option_count > 0, 10, "the palette's commands")
    commands = app.screen.query_one(CommandList)
    return [str(commands.get_option_at_index(i).prompt).splitlines()[0] for i in range(commands.option_count)]


async def test_the_palette_lists_the_setups_commands_and_runs_them(tmp_path):
    app = SetupApp(config_at(tmp_path, "s3"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        names = await palette_names(pilot)
        for wanted in ("Object store: Create bucket", "Object store: Apply CORS", "Setup: Check/Retry", "Setup: Next",
                       "Setup: Back", "Setup: Continue anyway", "Go to step 1: Where it runs",
                       "Go to step 2: MySQL", "Leave the setup", "Quit", "Theme"):
            assert wanted in names, names
        assert not [n for n in names if n.startswith(("Show ", "Guided setup")) or "Deploy" in n], names
        assert "Go to step 4: Server" not in names  # not reached yet
        await pilot.press(*"Setup: Back", "enter")
        await settle(pilot)
        assert app.setup_screen.shown == "mysql"


# -- 4. the footer at 80x24 ----------------------------------------------------------------------
async def guided_at(pilot: Any) -> SetupScreen:
    app = pilot.app
    app.action_setup()
    await wait_until(pilot, lambda: isinstance(app.screen, GuidedSetupScreen) and app.screen.query("#setup-status"),
                     10, "the guided setup shown")
    await pilot.pause()
    return app.screen


@pytest.mark.parametrize("where", ["wbtui setup", "dashboard"])
@pytest.mark.parametrize("step", STEP_IDS)
async def test_every_footer_key_is_whole_at_80x24(tmp_path, step, where):
    """The dashboard's footer read `esc Back to d▏`; each key and its description is shown in full."""
    path = config_at(tmp_path, step)
    app = SetupApp(path) if where == "wbtui setup" else make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.setup_screen if where == "wbtui setup" else await guided_at(pilot)
        away_from_fields(screen)  # letter keys are shown: the most the footer ever holds on this step
        await pilot.pause()
        line = footer_line(app)
        keys = list(screen.query(FooterKey))
        assert keys and "palette" in line
        for key in keys:
            assert f"{key.key_display} {key.description}" in line, f"cut at 80 columns: {line!r}"


async def test_the_dashboard_leaves_the_setups_own_saves_to_the_setup(tmp_path):
    """Each step's save was toasted by the dashboard's config-file watch as 'changed on disk'."""
    path = config_at(tmp_path, "server")
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await guided_at(pilot)
        screen.query_one("#server-host", Input).value = "https://wandb.example.com"
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: screen.settled and "server" in screen.flow.reports, 10, "the server check")
        assert "https://wandb.example.com" in path.read_text()
        app._check_config_file()  # the dashboard's watch ticks while the setup is open
        await pilot.pause()
        assert not noticed(app, "changed on disk")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, SetupScreen), 10, "the dashboard again")
        assert app.session.saved.server.HOST == "https://wandb.example.com"  # read when the setup closed


# -- 5. every binding, pressed ----------------------------------------------------------------------
def presses() -> list[tuple[str, str, str]]:
    """(where, step, key) for every key the setup binds, from the classes' own BINDINGS."""
    out = []
    for where, bindings in (("wbtui setup", SetupScreen.BINDINGS),
                            ("dashboard", [b for b in GuidedSetupScreen.BINDINGS if b not in SetupScreen.BINDINGS])):
        for binding in bindings:
            assert isinstance(binding, Binding)
            name = binding.action.split("(")[0]
            step = STEP_OF_BUTTON[binding.action[len(name) + 2:-2]] if name == "step_button" else "server"
            out += [(where, step, key.strip()) for key in binding.key.split(",")]
    return out


def test_the_pressed_keys_cover_every_panels_buttons():
    assert {STEP_OF_BUTTON[b] for panel in PANELS for b in panel.ACTION_KEYS} <= set(STEP_IDS)
    assert {key for _, _, key in presses()} >= {"ctrl+r", "ctrl+n", "ctrl+b", "ctrl+o", "escape", "b", "o", "i",
                                                  "p", "s", "w"}


@pytest.mark.parametrize(("where", "step", "key"), presses())
async def test_every_setup_key_has_a_visible_effect_or_says_why_not(tmp_path, where, step, key):
    path = config_at(tmp_path, step)
    app = SetupApp(path) if where == "wbtui setup" else make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.setup_screen if where == "wbtui setup" else await guided_at(pilot)
        if where == "wbtui setup":
            await settle(pilot)
        screen.query_one("#btn-next", Button).focus()  # outside the step's panel and its fields
        await pilot.pause()
        before, notices, top, focused = screen_text(app), len(app._notifications), app.screen, app.focused
        await pilot.press(key)
        if where == "wbtui setup":
            await settle(pilot)
        else:
            await pilot.pause()
        changed = (app.screen is not top or len(app._notifications) > notices or screen_text(app) != before
                   or app.focused is not focused)  # tab/shift+tab: the focus moves (drawn, not in the text)
        assert changed, f"{key} on {STEP_TITLES[step]} did nothing visible:\n{screen_text(app)}"
        assert not noticed(app, "Traceback")


async def test_the_dashboards_palette_in_the_setup_lists_the_setups_commands(tmp_path):
    app = make_app(tmp_path)
    config_at(tmp_path, "s3")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await guided_at(pilot)
        names = await palette_names(pilot)
        assert "Object store: Create bucket" in names and "Leave the setup" in names
        assert not [n for n in names if n.startswith("Show ")], names


async def test_help_in_the_dashboard_lists_the_setups_keys(tmp_path):
    from wbtui.ui.widgets.help import HelpScreen

    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sections = dict(app.binding_sections())
        described = dict((desc, key) for key, desc in sections["Guided setup (S)"])
        assert described["Dashboard"] == "esc" and "Create bucket" in " ".join(described)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), 10, "the help")
