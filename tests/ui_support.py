"""Helpers for the dashboard tests: build an app on a temporary config, read the screen as text."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from wbtui.config import store
from wbtui.config.model import Config
from wbtui.ui.app import WbtuiApp
from wbtui.ui.session import Session


def make_app(tmp_path: Path, config: Config | None = None, *, save: bool = True, read_only: bool = False,
             background: bool = False, **kwargs: Any) -> WbtuiApp:
    """An app on ``tmp_path/config.toml`` (written first unless ``save`` is False)."""
    path = tmp_path / "config.toml"
    if save:
        store.save(config or Config(), path)
    session = Session.open(path, read_only)
    if not save and config is not None:
        session.saved = config.copy()
        session.revert()
    return WbtuiApp(session, background=background, **kwargs)


def config_set(path: Path, key: str, value: str) -> None:
    """`wbtui config set KEY VALUE` from another shell (a change the running app did not make)."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "wbtui", "--config", str(path), "config", "set", key, value],
                   check=True, capture_output=True, timeout=60)


def noticed(app: Any, needle: str) -> bool:
    """Whether a notification containing ``needle`` was shown."""
    return any(needle in str(n.message) for n in app._notifications)


def screen_text(app: WbtuiApp) -> str:
    """What the terminal shows, as plain text."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True,
                      color_system="truecolor", legacy_windows=False, safe_box=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text(styles=False)


class Terminal:
    """What a real terminal shows: every update the app sends, applied to a grid of cells.

    ``screen_text`` renders the whole screen afresh; a cell the app never repaints (a stale toast) stays
    here as it stays on a terminal. Attach before the app runs: ``Terminal(app)``.
    """

    def __init__(self, app: WbtuiApp) -> None:
        self.app = app
        self.cells: list[list[str]] = []
        send = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None and not app._batch_count:
                self.apply(renderable)
            send(screen, renderable)

        app._display = display  # type: ignore[method-assign]

    def apply(self, update: Any) -> None:
        from rich.cells import cell_len
        from rich.segment import ControlType

        width, height = self.app.size
        if len(self.cells) != height or any(len(row) != width for row in self.cells):
            self.cells = [[" "] * width for _ in range(height)]
        console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, legacy_windows=False)
        x = y = 0
        for segment in console.render(update):
            if segment.control:
                for code in segment.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = int(code[1]), int(code[2])
                continue
            for char in segment.text:
                if char == "\n":
                    continue
                if 0 <= y < height and 0 <= x < width:
                    self.cells[y][x] = char
                x += max(cell_len(char), 1)

    def text(self) -> str:
        return "\n".join("".join(row) for row in self.cells)


async def ready(pilot: Any, timeout: float = 30.0) -> None:
    """Wait until every pane is mounted (they mount right after the first frame)."""
    await asyncio.wait_for(pilot.app.panes_mounted.wait(), timeout)
    await pilot.pause()


async def wait_until(pilot: Any, predicate: Callable[[], object], timeout: float, what: str,
                     interval: float = 0.05) -> None:
    """Let the app run until ``predicate()`` holds; AssertionError (with the screen) after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; screen:\n{screen_text(pilot.app)}")


async def wait_for_workers(app: WbtuiApp, group: str, timeout: float) -> None:
    """Wait until no worker of ``group`` is running."""
    deadline = time.monotonic() + timeout
    while any(w.group == group and w.is_running for w in app.workers):
        if time.monotonic() > deadline:
            raise AssertionError(f"workers of group {group!r} still running after {timeout}s")
        await asyncio.sleep(0.05)


async def wait_text(pilot: Any, *needles: str, timeout: float = 10.0) -> str:
    """Wait until every needle is on screen; returns the screen text."""
    await wait_until(pilot, lambda: all(n in screen_text(pilot.app) for n in needles), timeout,
                     f"{needles!r} on screen")
    return screen_text(pilot.app)


def read_pty_until(master: int, marker: bytes, proc: Any, timeout: float = 30) -> bytes:
    """What a program in a pty printed, until ``marker`` shows, the program ends or ``timeout`` passes."""
    import os
    import select

    received = b""
    deadline = time.monotonic() + timeout
    while marker not in received and time.monotonic() < deadline and proc.poll() is None:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                received += os.read(master, 65536)
            except OSError:  # EIO: the program closed the terminal (it ended); what it printed is all there is
                break
    return received
