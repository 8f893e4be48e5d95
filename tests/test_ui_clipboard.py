"""`y` copies what is shown, masked, to the terminal's clipboard (OSC 52): log lines, fixes, findings, files.

Pilot reads the app's own copy (``app.clipboard``); the installed dashboard in a pty shows the OSC 52
sequence the terminal receives.
"""

from __future__ import annotations

import base64
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

from textual.geometry import Offset
from textual.selection import Selection
from textual.widgets import DataTable

from tests.ui_support import make_app, noticed, read_pty_until, ready, wait_text, wait_until
from wbtui.checks.model import CheckResult, Status
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.runtime.base import ServerStatus
from wbtui.ui.core import Core
from wbtui.ui.messages import ChecksUpdate, Diagnosed, ErrorLines, StatusUpdate
from wbtui.ui.panes.datastores import DatastoresPane
from wbtui.ui.panes.logs import LogsPane
from wbtui.ui.widgets.log_view import LogView
from wbtui.ui.widgets.preview_screen import PreviewScreen

SECRET = "Clip-canary-pw-7f3a"
REPO = Path(__file__).resolve().parent.parent
VIA = "(terminal clipboard, OSC 52: the terminal must allow it)"


def secret_config() -> Config:
    config = Config()
    config.server.MYSQL = f"mysql://wandb:{SECRET}@db.internal:3306/wandb"
    return config


def log_lines(count: int) -> list[tuple[None, str]]:
    lines = [(None, f"line {i:03d} GET /api 200") for i in range(count)]
    lines[30] = (None, f"line 030 ERROR: cannot connect to mysql://wandb:{SECRET}@db.internal:3306/wandb")
    return lines


async def open_logs(pilot) -> LogsPane:
    await ready(pilot)
    await pilot.press("5")
    await pilot.pause()
    pane = pilot.app.query_one(LogsPane)
    pane.ingest(log_lines(100))
    await wait_text(pilot, "100 shown / 100 held")
    return pane


async def test_y_copies_the_lines_on_screen_then_the_line_at_the_cursor_masked(tmp_path: Path) -> None:
    app = make_app(tmp_path, secret_config())
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_logs(pilot)
        view = pane.query_one(LogView)
        await pilot.press("y")  # following the end, no cursor: the lines on screen
        copied = app.clipboard.splitlines()
        assert copied[-1] == "line 099 GET /api 200"
        assert len(copied) == view.scrollable_content_region.height
        assert noticed(app, f"Copied the {len(copied)} lines on screen")
        assert noticed(app, VIA)
        await pilot.press("w", "y")  # wrapped: the lines the screen's rows come from (the long error line is one)
        assert app.clipboard.splitlines()[-1] == "line 099 GET /api 200"
        assert len(app.clipboard.splitlines()) == len(copied)
        await pilot.press("w", "home", "e")  # the first error line: the cursor
        await pilot.press("y")
        assert app.clipboard.startswith("line 030 ERROR: cannot connect to mysql://wandb:")
        assert SECRET not in app.clipboard and "****" in app.clipboard
        assert noticed(app, f"Copied the line at the cursor {VIA}")
        await pilot.press("t", "y")  # timestamps shown: copied as shown, with their column
        assert re.match(r"- {19} line 030 ERROR", app.clipboard), app.clipboard


async def test_a_click_picks_the_line_and_a_drag_selects_lines(tmp_path: Path) -> None:
    app = make_app(tmp_path, secret_config())
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_logs(pilot)
        view = pane.query_one(LogView)
        await pilot.press("home")
        await pilot.click(LogView, offset=(3, 2))
        await pilot.press("y")
        assert app.clipboard == "line 002 GET /api 200"
        # a drag: from "002" on the third row to "GET" on the sixth (what the screen's mouse selection records)
        assert await pilot.mouse_down(LogView, offset=(5, 2))
        assert await pilot.hover(LogView, offset=(11, 5))
        assert await pilot.mouse_up(LogView, offset=(11, 5))
        await wait_until(pilot, lambda: view.text_selection is not None, 5, "a selection")
        await pilot.press("y")
        assert app.clipboard == "002 GET /api 200\nline 003 GET /api 200\nline 004 GET /api 200\nline 005 GET"
        assert noticed(app, "Copied the selection, 4 lines")


async def test_a_selection_reaching_a_masked_line_copies_it_masked(tmp_path: Path) -> None:
    app = make_app(tmp_path, secret_config())
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_logs(pilot)
        view = pane.query_one(LogView)
        app.screen.selections = {view: Selection(Offset(0, 29), Offset(200, 31))}
        await pilot.press("y")
        assert app.clipboard.splitlines()[0] == "line 029 GET /api 200"
        assert "line 030 ERROR" in app.clipboard and "line 031" in app.clipboard
        assert SECRET not in app.clipboard


async def test_y_and_shift_y_copy_the_selected_checks_fix_and_finding(tmp_path: Path) -> None:
    results = [CheckResult("mysql.connect", "Connect", Status.FAIL, "access denied for wandb",
                           fix=f"wbtui db init --admin mysql://root:{SECRET}@db:3306", store="mysql"),
               CheckResult("s3.cors", "CORS rules", Status.FAIL, "no CORS rules",
                           fix="wbtui bucket cors --apply", store="s3")]
    app = make_app(tmp_path, secret_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("3")
        app.checks = ChecksUpdate(results, running=False, stores=("mysql", "s3"), took=0.1)
        pane = app.query_one(DatastoresPane)
        table = pane.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 2, 10, "both rows")
        table.focus()
        table.move_cursor(row=next(i for i, r in enumerate(pane.results) if r.id == "s3.cors"))
        await wait_text(pilot, "no CORS rules")
        await pilot.press("y")
        assert app.clipboard == "wbtui bucket cors --apply"  # the command, not the key that leads it on screen
        assert noticed(app, f"Copied the fix {VIA}")
        await pilot.press("Y")
        assert app.clipboard == "✘ CORS rules (s3)\nno CORS rules\nFix: wbtui bucket cors --apply"
        table.move_cursor(row=next(i for i, r in enumerate(pane.results) if r.id == "mysql.connect"))
        await pilot.pause()
        await pilot.press("y")
        assert app.clipboard.startswith("wbtui db init --admin mysql://root:") and SECRET not in app.clipboard


async def test_the_overview_copies_the_verdicts_whole_fix(tmp_path: Path) -> None:
    app = make_app(tmp_path, Config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("y")
        assert app.clipboard == "" and noticed(app, "Nothing to copy")
        app.on_status_update(StatusUpdate(ServerStatus("docker", "wandb-local", True, "restarting", restart_count=8,
                                                       exit_code=1), None, None))
        app.on_error_lines(ErrorLines([Diagnosed("panic: Dirty database version 1. Fix and force version.")]))
        await wait_text(pilot, "Interrupted database migration")
        verdict = app.verdict
        assert verdict is not None and verdict.first_step != verdict.fix  # the screen shows the first step only
        await pilot.press("y")
        assert app.clipboard == verdict.fix
        await pilot.press("Y")
        assert app.clipboard.splitlines()[0] == verdict.title and app.clipboard.endswith(f"Fix: {verdict.fix}")
        assert noticed(app, f"Copied the finding ({verdict.title})")


async def test_the_health_pane_copies_a_failing_probes_fix(tmp_path: Path) -> None:
    from tests.test_ui_overview_health import Server, config_for

    server = Server()
    try:
        app = make_app(tmp_path, config_for(server.url))
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await pilot.press("6")
            await pilot.press("y")
            assert noticed(app, "Nothing to copy: no finding with a fix on the Health pane now.")
            await pilot.press("p")
            await wait_until(pilot, lambda: app.probes is not None and app.probes.sample is not None, 20, "a probe")
            ready_probe = app.probes.sample.ready
            assert not ready_probe.ok and ready_probe.fix
            await pilot.press("y")
            assert app.clipboard == ready_probe.fix
            await pilot.press("Y")
            assert app.clipboard.startswith(f"/ready failing\n{ready_probe.message}\nFix: ")
    finally:
        server.close()


async def test_a_rendered_file_is_copied_as_previewed_with_its_secrets_masked(tmp_path: Path) -> None:
    config = secret_config()
    app = make_app(tmp_path, config)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("2", "ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen), 10, "the previews")
        await pilot.press("ctrl+r")  # nothing to reveal in a preview: masked is how it is rendered
        await pilot.press("y")
        shown = Core.previews(config)[0].render()
        assert app.clipboard == shown and "MYSQL" in shown
        assert SECRET not in app.clipboard
        assert noticed(app, f"Copied docker run command, {len(shown.splitlines())} lines")


def test_the_terminal_receives_the_osc_52_sequence(tmp_path: Path) -> None:
    """The installed dashboard in a pty: `2`, `ctrl+t`, `y` writes ESC ] 52 ; c ; BASE64 BEL, the masked file."""
    config = secret_config()
    path = tmp_path / "config.toml"
    store.save(config, path)
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24",
           "DOCKER_HOST": f"unix://{tmp_path}/none.sock"}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("wbtui")), "--config", str(path)], cwd=REPO,
                            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    os.close(slave)
    try:
        assert b"Overview" in read_pty_until(master, b"Overview", proc)
        os.write(master, b"2")
        assert b"Extra env" in read_pty_until(master, b"Extra env", proc)
        os.write(master, b"\x14")  # ctrl+t: the previews
        assert b"Rendered files" in read_pty_until(master, b"Rendered files", proc)
        os.write(master, b"y")
        received = read_pty_until(master, b"Copied docker run", proc)
        found = re.search(rb"\x1b\]52;c;([A-Za-z0-9+/=]+)\x07", received)
        assert found, received[-2000:]
        copied = base64.b64decode(found.group(1)).decode()
        assert copied == Core.previews(config)[0].render()
        assert SECRET not in copied and SECRET.encode() not in received
        os.write(master, b"\x11")  # ctrl+q quits from the text view too
        assert proc.wait(timeout=30) == 0
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
