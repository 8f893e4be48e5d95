"""The Logs pane with fixed lines: text never markup, filter, search, errors, drops, pause, wrap, save."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Input

from tests.timezones import host_timezone
from tests.ui_support import make_app, ready, screen_text, wait_text, wait_until
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.ui.panes.logs import LogsPane
from wbtui.ui.widgets.confirm import PromptScreen

TS = "2024-05-01T10:00:00.000"


def sample_lines(count: int, start: int = 0) -> list[tuple[str, str]]:
    out = []
    for i in range(start, start + count):
        text = f"line {i:05d} GET /api 200"
        if i % 25 == 0:
            text = f"line {i:05d} ERROR: lost connection to MySQL server during query"
        elif i % 10 == 0:
            text = f"line {i:05d} WARN slow request"
        out.append((TS, text))
    return out


async def open_logs(pilot) -> LogsPane:
    await ready(pilot)
    await pilot.press("5")
    await pilot.pause()
    return pilot.app.query_one(LogsPane)


async def test_lines_are_text_never_markup(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest([(TS, "[bold red]not styled[/] [link=http://x]no link[/link] \x1b[31mno escape")])
        text = await wait_text(pilot, "[bold red]not styled[/] [link=http://x]no link[/link] no escape")
        assert "\x1b" not in text


async def test_filter_search_and_error_jumps(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(200))
        await wait_text(pilot, "200 shown / 200 held")
        await pilot.press("slash", *"mysql")
        await wait_text(pilot, "8 shown / 200 held", "filter: mysql")
        assert "GET /api" not in screen_text(app)
        await pilot.press("escape")  # clears the filter
        await wait_text(pilot, "200 shown / 200 held")

        await pilot.press("x", "slash", *r"^line 0012[45] ")  # regex filter
        await wait_text(pilot, "filter (regex)", "2 shown")
        await pilot.press("escape", "x")

        await pilot.press("home")  # follow off, top of the log
        await pilot.press("e")
        await wait_until(pilot, lambda: pane.view.cursor_text() == sample_lines(1, 0)[0][1], 5, "the first error")
        await pilot.press("e")
        await wait_until(pilot, lambda: pane.view.cursor_text() == sample_lines(1, 25)[0][1], 5, "the next error")
        await pilot.press("E")
        await wait_until(pilot, lambda: pane.view.cursor_text() == sample_lines(1, 0)[0][1], 5, "back")

        await pilot.press("ctrl+f", *"line 00150", "enter")
        await wait_until(pilot, lambda: (pane.view.cursor_text() or "").startswith("line 00150"), 5, "the match")
        assert "search: line 00150" in screen_text(app)


async def test_a_bad_regex_is_explained_not_fatal(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(10))
        await pilot.press("x", "slash", *"(unclosed")
        await wait_until(pilot, lambda: any("not a valid regular expression" in str(n.message)
                                            for n in app._notifications), 5, "the explanation")
        assert app.is_running
        assert pane.view.stats().shown == 10


async def test_dropped_lines_are_counted_on_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path, log_capacity=100)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(250))
        await wait_text(pilot, "100 shown / 100 held", "150 dropped (ring of 100)", "line 00249")


async def test_pause_holds_the_view_and_resume_catches_up(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(50))
        await pilot.press("space")
        pane.ingest(sample_lines(30, 50))
        await wait_text(pilot, "paused (+30 new)", "50 shown")
        assert "line 00079" not in screen_text(app)
        await pilot.press("space")
        await wait_text(pilot, "following", "80 shown", "line 00079")


async def test_follow_off_keeps_the_view_and_follow_on_jumps_to_the_end(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(100))
        await pilot.press("f")
        await wait_text(pilot, "follow off")
        await pilot.press("home")
        pane.ingest(sample_lines(100, 100))
        await wait_text(pilot, "line 00000")
        assert "line 00199" not in screen_text(app)
        await pilot.press("f")
        await wait_text(pilot, "line 00199", "following")


async def test_the_wheel_turns_follow_off_and_scrolls_like_any_textual_view(tmp_path: Path) -> None:
    """One turn up and one down come back to the same line (the view once scrolled up twice as far)."""
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(100))
        await wait_text(pilot, "line 00099")
        view = pane.view
        bottom = view.scroll_y
        view.post_message(events.MouseScrollUp(view, 5, 5, 0, 0, 0, False, False, False))
        await wait_until(pilot, lambda: view.scroll_y < bottom, 10, "the wheel scrolling up")
        assert not view.follow
        view.post_message(events.MouseScrollDown(view, 5, 5, 0, 0, 0, False, False, False))
        await wait_until(pilot, lambda: view.scroll_y == bottom, 10, "the wheel scrolling back down")


async def test_timestamps_and_wrap(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(60, 20)) as pilot:
        pane = await open_logs(pilot)
        long = "start " + "x" * 100 + " THE-END"
        pane.ingest([(TS, long)])
        await wait_text(pilot, "start xxx")
        assert "THE-END" not in screen_text(app)
        await pilot.press("w")
        await wait_text(pilot, "THE-END")
        await pilot.press("t")
        await wait_text(pilot, TS)


async def test_save_writes_the_shown_lines(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(100))
        await pilot.press("slash", *"ERROR", "enter")
        await wait_text(pilot, "4 shown")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+u", *str(tmp_path / "errors.log"), "enter")
        await wait_until(pilot, lambda: (tmp_path / "errors.log").exists(), 10, "the saved file")
    saved = (tmp_path / "errors.log").read_text().splitlines()
    assert saved == [text for _, text in sample_lines(100) if "ERROR" in text]


async def test_streaming_leaves_no_garbage_for_the_cycle_collector(tmp_path: Path) -> None:
    """Frames and redraws free their strips by reference counting: collector pauses stall keys."""
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(500))
        await pilot.pause()
        gc.collect()
        for batch in range(40):
            pane.ingest(sample_lines(200, 500 + batch * 200))
            if batch % 4 == 0:
                pane.view.show_timestamps = not pane.view.show_timestamps  # redraws every line
            await pilot.pause()
        found = gc.collect()
    assert found < 500, f"{found} objects in reference cycles after 8,000 lines (2,500+ when strips cache themselves)"


class SinceRecorder:
    """A runtime that records the window each log stream asks for (and streams nothing)."""

    backend = "docker"

    def __init__(self) -> None:
        self.asked: list[tuple[int | None, datetime | None]] = []
        self.progress = None

    async def logs(self, *, follow: bool, tail: int | None, since: datetime | None, **_: Any) -> AsyncIterator[Any]:
        self.asked.append((tail, since))
        if follow:
            await asyncio.Event().wait()
        return
        yield

    def close(self) -> None:
        pass


async def test_the_pane_and_the_cli_read_a_time_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`wbtui logs --since T` and the pane's T with the same text ask the runtime for the same moment:
    the host's local time (New York here, so a UTC reading would be four hours off)."""
    cli, pane_runtime = SinceRecorder(), SinceRecorder()
    monkeypatch.setattr("wbtui.runtime.base.runtime_for", lambda config, **_: cli)
    store.save(Config(), tmp_path / "config.toml")
    with host_timezone("America/New_York"):
        assert await asyncio.to_thread(main, ["--config", str(tmp_path / "config.toml"), "logs", "--since",
                                              "2024-05-01T10:00"]) == 0
        app = make_app(tmp_path, save=False, runtime_factory=lambda config, **_: pane_runtime)
        async with app.run_test(size=(100, 20)) as pilot:
            await open_logs(pilot)
            await pilot.press("T")
            await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), 10, "the window prompt")
            app.screen.query_one("#prompt-value", Input).value = "2024-05-01T10:00"
            await pilot.press("enter")
            await wait_until(pilot, lambda: pane_runtime.asked, 10, "the pane's stream to start")
    expected = datetime(2024, 5, 1, 14, 0, tzinfo=UTC)
    assert cli.asked == [(200, expected)]
    assert pane_runtime.asked == [(None, expected)]


def status_text(app: Any) -> str:
    return str(app.query_one("#lg-status").render())


async def test_the_status_never_says_following_while_follow_is_off(tmp_path: Path) -> None:
    """Follow (does the view stick to the end) and the stream (connected or not) read as two things."""
    runtime = SinceRecorder()
    app = make_app(tmp_path, runtime_factory=lambda config, **_: runtime)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(50))
        await pilot.press("T")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), 10, "the window prompt")
        await pilot.press("enter")  # the last 500 lines: the stream starts
        await wait_until(pilot, lambda: runtime.asked, 10, "the stream to start")
        await pilot.press("f")
        await wait_text(pilot, "○ follow off")
        await wait_until(pilot, lambda: "connecting" not in status_text(app), 10, "the stream to connect")
        assert "following" not in status_text(app)  # it once said "○ follow off … following"
        assert "stream connected" in status_text(app)
        await pilot.press("end")
        await wait_text(pilot, "● following the end")


async def test_escape_clears_the_filter_from_the_bar_and_from_the_log_view(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest(sample_lines(200))
        await wait_text(pilot, "200 shown / 200 held")
        await pilot.press("slash", *"mysql", "enter")  # kept: the log view has the focus again
        await wait_text(pilot, "8 shown / 200 held", "filter: mysql")
        assert app.focused is pane.view
        await pilot.press("escape")
        await wait_text(pilot, "200 shown / 200 held", "filter cleared", "line 00199")
        assert "filter: mysql" not in screen_text(app)
        assert not app.query_one("#lg-filter").display

        await pilot.press("slash", *"WARN")  # typing filters at once; Escape in the bar clears it
        await wait_text(pilot, "filter: WARN")
        await pilot.press("escape")
        await wait_text(pilot, "200 shown / 200 held", "filter cleared")
        assert app.focused is pane.view

        await pilot.press("escape")  # nothing left to clear: it says so
        await wait_until(pilot, lambda: any("No filter to clear" in str(n.message) for n in app._notifications),
                         5, "the refusal")
