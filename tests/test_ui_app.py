"""The dashboard frame: pane keys, help, command palette, quit, read-only, first launch, SIGHUP."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.ui_support import make_app, read_pty_until, ready, screen_text, wait_text, wait_until
from wbtui.config.model import Config
from wbtui.ui.app import WbtuiApp, pane_classes
from wbtui.ui.guided import GuidedSetupScreen
from wbtui.ui.panes.config import ConfigPane
from wbtui.ui.panes.logs import LogsPane
from wbtui.ui.panes.runtime import RuntimePane
from wbtui.ui.widgets.confirm import ChoiceScreen, ConfirmScreen
from wbtui.ui.widgets.help import HelpScreen

REPO = Path(__file__).resolve().parent.parent


async def test_number_keys_switch_panes_and_focus_them(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        for number, pane in enumerate(pane_classes(), 1):
            await pilot.press(str(number))
            await pilot.pause()
            assert app.active_pane == pane.PANE_ID
            focused = app.focused
            assert focused is not None and app.pane(pane.PANE_ID) in (focused, *focused.ancestors)


async def test_nothing_takes_focus_before_the_panes_are_mounted(tmp_path: Path) -> None:
    """A focused pane makes the footer compose its keys before the first frame (start-up time)."""
    focused_at_first_frame = []

    class Watched(WbtuiApp):
        def on_mount(self) -> None:  # runs before WbtuiApp.on_mount (handlers run along the MRO)
            self.call_after_refresh(lambda: focused_at_first_frame.append(self.focused))

    app = make_app(tmp_path)
    app = Watched(app.session, background=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert focused_at_first_frame == [None]
        assert app.focused is not None


async def test_help_lists_every_binding_of_every_pane(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.query_one(DataTable)
        rows = {(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[2])) for i in range(table.row_count)}
        for pane in pane_classes():
            for binding in pane.BINDINGS:
                assert (pane.TITLE, binding.description) in rows, (pane.TITLE, binding.description)
        assert ("Global", "Quit") in rows
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_command_palette_offers_every_pane_action_and_runs_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for pane in pane_classes():
            assert f"Show {pane.TITLE}" in titles
            for binding in pane.BINDINGS:
                assert f"{pane.TITLE}: {binding.description}" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Logs: Wrap")
        await wait_until(pilot, lambda: "Logs: Wrap" in screen_text(app), 5, "the palette to list the command")
        await pilot.press("enter")
        view = app.query_one(LogsPane).view
        await wait_until(pilot, lambda: view.wrap, 5, "wrap to be switched on")
        assert app.active_pane == "logs"


async def test_q_quits_at_once_without_unsaved_changes(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        await ready(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_q_asks_before_losing_unsaved_changes(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.query_one(ConfigPane).edit("HOST", "https://wandb.example.com")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "HOST = https://wandb.example.com" in screen_text(app)
        await pilot.press("n")
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_code == 0


async def test_read_only_disables_and_marks_every_mutating_action(tmp_path: Path) -> None:
    app = make_app(tmp_path, read_only=True)
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        assert "READ-ONLY" in screen_text(app)
        for pane_cls in pane_classes():
            pane = app.pane(pane_cls.PANE_ID)
            for binding in pane_cls.BINDINGS:
                name = binding.action.split("(")[0]
                if name in pane_cls.MUTATING:
                    assert pane.check_action(name, ()) is None, (pane_cls.TITLE, binding.action)
        helps = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert "disabled: read-only" in helps["Runtime: Restart"]
        assert "disabled: read-only" in helps["Config: Save"]
        await pilot.press("4")
        await pilot.press("r")  # restart: refused, no confirmation dialog
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        app.query_one(RuntimePane).action_act("restart")  # as the palette would
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert any("Read-only mode" in str(n.message) for n in app._notifications)


async def test_first_launch_offers_the_config_pane(tmp_path: Path) -> None:
    app = make_app(tmp_path, save=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), 10, "the welcome dialog")
        await wait_text(pilot, "no configuration at", "Open the Config pane")
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: app.active_pane == "config", 5, "the Config pane")


async def test_first_launch_offers_the_guided_setup_and_escape_comes_back(tmp_path: Path) -> None:
    app = make_app(tmp_path, save=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), 10, "the welcome dialog")
        await pilot.press("enter")  # the first choice: the guided setup
        await wait_until(pilot, lambda: isinstance(app.screen, GuidedSetupScreen), 10, "the setup screen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, GuidedSetupScreen), 10, "the dashboard")
        assert app.is_running


async def test_runtime_error_is_shown_with_its_fix_not_a_traceback(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such-docker.sock")
    app = make_app(tmp_path, Config())
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("g")
        pane = app.query_one(RuntimePane)
        await wait_until(pilot, lambda: "fix: start Docker" in screen_text(app), 20, "the status error and its fix")
        text = screen_text(app)
        assert "Docker daemon not reachable" in text
        assert "Traceback" not in text
        assert pane.status is None


async def test_a_failed_runtime_action_says_why_and_the_next_one_can_run(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-such-docker.sock")
    app = make_app(tmp_path, Config())
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("4", "d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the deploy confirmation")
        await pilot.press("y")
        await wait_text(pilot, "✘ Deploy failed", "fix:", timeout=30)
        assert app.runtime_action is not None and app.runtime_action.done
        await pilot.press("d")  # not refused as "still running"
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "a second confirmation")


def test_importing_the_app_loads_no_client_library() -> None:
    code = ("import sys, wbtui.ui.app; "
            "print(sorted(m for m in ('boto3', 'botocore', 'docker', 'kubernetes', 'httpx', 'pymysql') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_sighup_exits_cleanly(tmp_path: Path) -> None:
    """An SSH drop: the terminal goes away and SIGHUP arrives; the app leaves at once with status 0.

    Textual draws on stderr, so the pty carries everything; an exception would end with status 1.
    """
    from wbtui.config import store

    config_path = tmp_path / "config.toml"
    store.save(Config(), config_path)
    master, slave = pty.openpty()
    code = (f"import sys; from pathlib import Path; from wbtui.ui.app import run_dashboard; "
            f"sys.exit(run_dashboard(Path({str(config_path)!r}), False))")
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24",
           "DOCKER_HOST": f"unix://{tmp_path}/none.sock"}
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdin=slave, stdout=slave, stderr=slave,
                            env=env, start_new_session=True)
    os.close(slave)
    try:
        received = read_pty_until(master, b"Overview", proc)
        assert b"Overview" in received, f"no first frame: {received[-2000:]!r}"
        os.close(master)  # the SSH session is gone
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_the_pane_bar_shows_every_pane_number(tmp_path: Path, size: tuple[int, int]) -> None:
    """At 80x24 the nine tabs closed up are 89 columns, and `9 Storage` was off the bar; the other titles are
    shortened so that every number shows, with the active pane's title whole."""
    app = make_app(tmp_path, background=False)
    titles = ("Overview", "Config", "Datastores", "Runtime", "Logs", "Health", "Backups", "Database", "Storage")
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        for key in ("1", "3", "9"):
            await pilot.press(key)
            await pilot.pause()
            bar = screen_text(app).splitlines()[1]
            assert len(bar.rstrip()) <= size[0]
            assert f"{key} {titles[int(key) - 1]}" in bar, bar
            for n, title in enumerate(titles, 1):
                assert f"{n} {title[:2]}" in bar, bar
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert " 1 Overview  2 Config " in screen_text(app).splitlines()[1]  # room again: padded


async def test_a_key_no_setting_reads_is_named_at_start_and_a_clean_file_says_nothing(tmp_path: Path) -> None:
    """The toast that names a typo (HSOT for HOST) comes with the first screen; a file without one gets none
    (and the dashboard skips the validators' import on that path: it is before the first frame)."""
    clean, typo = tmp_path / "clean", tmp_path / "typo"
    clean.mkdir()
    typo.mkdir()
    app = make_app(clean)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert not [n for n in app._notifications if n.title == "Unknown settings"]
    (typo / "config.toml").write_text('[server]\nHSOT = "https://wandb.example.com"\n')
    app = make_app(typo, save=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        shown = [str(n.message) for n in app._notifications if n.title == "Unknown settings"]
        assert len(shown) == 1 and "HSOT in config.toml is not a setting wbtui knows" in shown[0]
        assert "rename it to HOST" in shown[0]
