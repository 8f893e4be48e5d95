"""Widgets carry their own styles (DEFAULT_CSS): a dialog pushed by any app looks as in the dashboard,
and the dashboard's first frame parses only the styles of what it shows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.app import App
from textual.screen import Screen

from tests.ui_support import make_app, ready, wait_until
from wbtui.ui.app import WbtuiApp
from wbtui.ui.core import Rendered
from wbtui.ui.paths import css_dir
from wbtui.ui.widgets.confirm import ChoiceScreen, ConfirmScreen, PromptScreen
from wbtui.ui.widgets.help import HelpScreen
from wbtui.ui.widgets.text_screen import TextScreen

STYLES = ("width", "height", "max_width", "max_height", "min_height", "border_top", "border_left", "padding",
          "margin", "background", "color", "text_style", "align_horizontal", "align_vertical")

DIALOGS: dict[str, Callable[[], Screen]] = {
    "confirm": lambda: ConfirmScreen("Restart the server?", ["stop wandb-local", "start wandb-local"], danger=True),
    "prompt": lambda: PromptScreen("Upgrade to which tag?", value="0.60.0", help="A tag of wandb/local."),
    "choice": lambda: ChoiceScreen("Which context?", ["kind-a", "kind-b"], current="kind-b"),
    "help": lambda: HelpScreen([("Global", [("q", "Quit")])]),
    "text": lambda: TextScreen("Rendered files", [Rendered("one", "one.txt", lambda: "1"),
                                                  Rendered("two", "two.txt", lambda: "2")]),
}


class Bare(App[None]):
    """An app with no stylesheet of ours."""


async def dialog_styles(app: App, name: str) -> dict[str, tuple[object, ...]]:
    """Every node of the dialog ``name`` pushed on ``app``: its computed styles."""
    async with app.run_test(size=(100, 30)) as pilot:
        if isinstance(app, WbtuiApp):
            await ready(pilot)
        dialog = DIALOGS[name]()
        app.push_screen(dialog)
        await wait_until(pilot, lambda: app.screen is dialog and dialog.is_mounted, 10, f"the {name} dialog")
        await pilot.pause()
        nodes = {}
        for index, node in enumerate(dialog.walk_children(with_self=True)):
            key = f"{index} {type(node).__name__}#{node.id or ''}.{'.'.join(sorted(node.classes))}"
            nodes[key] = tuple(getattr(node.styles, style) for style in STYLES)
        return nodes


@pytest.mark.parametrize("name", DIALOGS)
async def test_a_dialog_pushed_by_a_bare_app_looks_as_in_the_dashboard(name: str, tmp_path: Path) -> None:
    bare = await dialog_styles(Bare(), name)
    dashboard = await dialog_styles(make_app(tmp_path), name)
    assert bare == dashboard


async def test_a_bare_app_shows_the_confirmation_styled() -> None:
    """Not merely equal: centred on the dimmed screen, in its bordered box, the title bold."""
    app = Bare()
    async with app.run_test(size=(100, 30)) as pilot:
        dialog = DIALOGS["confirm"]()
        app.push_screen(dialog)
        await wait_until(pilot, lambda: dialog.is_mounted, 10, "the dialog")
        await pilot.pause()
        assert (dialog.styles.align_horizontal, dialog.styles.align_vertical) == ("center", "middle")
        box = dialog.query_one(".dialog-box")
        assert box.styles.border_top[0] == "thick"
        assert box.region.width == 90 and box.region.x == 5  # 90% of the width, centred
        assert dialog.query_one(".dialog-title").styles.text_style.bold


async def test_the_dashboard_keeps_the_styles_of_textual_apps(tmp_path: Path) -> None:
    """App.DEFAULT_CSS (the text colour and background every widget inherits) applies to the dashboard too:
    a DOMNode mixin listed before App once dropped it, and every box's text was drawn in the background colour."""

    async def colours(app: App) -> tuple[object, object]:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            return app.styles.color, app.styles.background

    assert await colours(make_app(tmp_path)) == await colours(Bare())


async def test_the_first_frame_parses_only_the_styles_of_what_it_shows(tmp_path: Path) -> None:
    """Each pane's and dialog's styles are parsed when it is first used: later panes after the first frame."""
    at_first_frame: list[set[str]] = []

    def sources(app: App) -> set[str]:
        return {name or Path(path).name for path, name in app.stylesheet.source}

    class Watched(WbtuiApp):
        def on_mount(self) -> None:  # runs before WbtuiApp.on_mount (handlers run along the MRO)
            self.call_after_refresh(lambda: at_first_frame.append(sources(self)))

    app = Watched(make_app(tmp_path).session, background=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        first = at_first_frame[0]
        assert {"app.tcss", "Pane.DEFAULT_CSS", "OverviewPane.DEFAULT_CSS"} <= first
        later = {"ConfigPane.DEFAULT_CSS", "LogsPane.DEFAULT_CSS", "LogView.DEFAULT_CSS", "FilterBar.DEFAULT_CSS"}
        assert not later & first
        assert later <= sources(app)
        assert not {"Dialog.DEFAULT_CSS", "ConfirmScreen.DEFAULT_CSS", "SetupScreen.DEFAULT_CSS"} & sources(app)
    assert [p.name for p in css_dir().glob("*.tcss")] == ["app.tcss"]
