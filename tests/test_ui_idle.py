"""An idle dashboard sends the terminal only the cells that changed (benchmarks/bench_terminal.py --only idle).

Every 5 s the Overview gets a status (uptime, CPU, memory) and a probe (latencies, a sparkline bar). What a
real terminal receives is read here from the bytes the app writes (``render_segments``, as the driver does),
applied to a grid of cells; the grid must equal the screen as Textual renders it afresh.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style

from tests.test_ui_snapshots import samples, server_status
from tests.ui_support import make_app, ready, wait_until
from wbtui.runtime.base import ResourceUsage
from wbtui.ui.messages import ProbeUpdate, StatusUpdate
from wbtui.ui.panes.overview import SPARK_WIDTH
from wbtui.ui.spark_window import SparkWindow
from wbtui.ui.widgets.rows import Rows, cells, changed_span

MOVE = re.compile(r"\x1b\[(\d+);(\d+)H")
STYLE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Wire:
    """What the app writes to its terminal, frame by frame, and the screen those bytes build."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames: list[str] = []
        self.grid: list[list[str]] = []
        send = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None and hasattr(renderable, "render_segments") and not app._batch_count:
                written = renderable.render_segments(app.console)
                self.frames.append(written)
                self.paint(written)
            send(screen, renderable)

        app._display = display

    def paint(self, written: str) -> None:
        width, height = self.app.size
        if len(self.grid) != height:
            self.grid = [[" "] * width for _ in range(height)]
        x = y = 0
        for piece in re.split(r"(\x1b\[\d+;\d+H)", written):
            move = MOVE.fullmatch(piece)
            if move:
                y, x = int(move.group(1)) - 1, int(move.group(2)) - 1
                continue
            for character in STYLE.sub("", piece).replace("\n", ""):
                width_of = cell_len(character)
                if width_of == 0 or not (0 <= y < height and 0 <= x < width):
                    continue
                self.grid[y][x] = character
                if width_of == 2 and x + 1 < width:
                    self.grid[y][x + 1] = ""
                x += width_of

    def text(self) -> str:
        return "\n".join("".join(row).rstrip() for row in self.grid)

    def since(self, mark: int) -> str:
        return "".join(self.frames[mark:])

    def rows_since(self, mark: int) -> set[int]:
        return {int(move.group(1)) - 1 for move in MOVE.finditer(self.since(mark))}

    async def settle(self, pilot: Any) -> int:
        """Wait until everything changed so far has reached the terminal (a change of the top bar, row 0, goes
        out in the frame after them) and the terminal shows the screen; the mark to compare with."""
        from textual.widgets import Static

        mark = len(self.frames)
        pilot.app.query_one("#topbar", Static).update(f"sentinel {mark}")
        await wait_until(pilot, lambda: 0 in self.rows_since(mark) and self.text() == shown(pilot.app), 10,
                         "the sentinel frame")
        return len(self.frames)

    async def shows(self, pilot: Any, *needles: str) -> None:
        """Wait until the terminal shows the screen, with ``needles`` on it."""
        await wait_until(pilot, lambda: all(n in self.text() for n in needles) and self.text() == shown(pilot.app),
                         10, f"the terminal to show {needles!r}")


def shown(app: Any) -> str:
    """The screen as Textual renders it afresh (``screen_text`` would also take the pending frame's dirty
    regions: the terminal would never get it)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip).rstrip() for strip in strips)


def ready_sample(healthz_ms: float, ready_ms: float) -> Any:
    """The snapshot tests' last sample, with these latencies."""
    made, _ = samples()
    last = made[-1]
    return replace(last, healthz=replace(last.healthz, latency=healthz_ms / 1000),
                   ready=replace(last.ready, latency=ready_ms / 1000), transitions=[])


async def test_a_status_tick_writes_only_the_changed_cells_and_the_terminal_shows_the_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    wire = Wire(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        status, usage, events = server_status()
        app.on_status_update(StatusUpdate(status, usage, None, events))
        await wire.shows(pilot, "started 3h04m ago", "cpu 38% · mem 2.0 GiB / 8.0 GiB")
        mark = await wire.settle(pilot)
        app.on_status_update(StatusUpdate(status, usage, None, events))  # the same again: nothing is written
        await wire.settle(pilot)
        assert wire.rows_since(mark) == {0}  # the sentinel's row only
        mark = await wire.settle(pilot)
        later = replace(status, uptime_seconds=status.uptime_seconds + 65)
        app.on_status_update(StatusUpdate(later, ResourceUsage(37.9, 2_300_000_000, usage.memory_limit_bytes), None,
                                          events))
        await wire.shows(pilot, "started 3h05m ago", "mem 2.1 GiB / 8.0 GiB")
        written = wire.since(mark)
        assert "Server" not in written and "│" not in written and "restarts" not in written  # no border, no label
        assert STYLE.sub("", MOVE.sub("", written)).replace("\n", "") == "51"  # 3h04m -> 3h05m, 2.0 -> 2.1 GiB


async def test_memory_at_four_digits_stays_on_one_line_of_the_box(tmp_path: Path) -> None:
    """``1000.0 KiB / 256.0 MiB`` wrapped to a second row at 80x24, and the box's height flipped the whole
    screen's layout (10 KB sent) every time the memory crossed 1000 KiB."""
    app = make_app(tmp_path)
    wire = Wire(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        status, _, events = server_status()
        box = app.query_one("#ov-status", Rows)
        app.on_status_update(StatusUpdate(status, ResourceUsage(0.0, 900 * 1024, 256 * 1024 ** 2), None, events))
        await wire.shows(pilot, "mem 900.0 KiB / 256.0 MiB")
        height = box.size.height
        mark = await wire.settle(pilot)
        app.on_status_update(StatusUpdate(status, ResourceUsage(0.0, 1000 * 1024, 256 * 1024 ** 2), None, events))
        await wire.shows(pilot, "cpu 0% · mem 1000.0 KiB / 256.0 MiB")
        assert box.size.height == height
        assert len(wire.since(mark)) < 200  # the changed cells, not a relaid screen


async def test_a_probe_tick_adds_one_sparkline_bar(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    wire = Wire(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        made, history = samples()
        latencies = {e: history.latencies(e) for e in ("healthz", "ready")}
        app.on_probe_update(ProbeUpdate(made[-1], latencies, None))
        await wait_until(pilot, lambda: len(app.overview._sparks["ready"].shown) == len(made), 10, "the sparkline")
        mark = await wire.settle(pilot)  # the sparkline drawn (and the top bar's sentinel)
        box = app.query_one("#ov-probes", Rows)
        before = [row[:] for row in wire.grid]
        grown = {e: [*values, values[-1]] for e, values in latencies.items()}  # one more sample, same latency
        app.on_probe_update(ProbeUpdate(ready_sample(grown["healthz"][-1] * 1000, grown["ready"][-1] * 1000),
                                        grown, None))
        await wait_until(pilot, lambda: len(app.overview._sparks["ready"].shown) == len(made) + 1, 10,
                         "one more bar")
        await wire.shows(pilot)
        changed = {(x, y) for y, row in enumerate(wire.grid) for x, c in enumerate(row) if before[y][x] != c}
        top = box.content_region.y
        assert {y for _, y in changed} <= {top, top + 1, top + 2, top + 3}
        for y in (top + 1, top + 3):  # each sparkline row: one new cell
            assert len([x for x, row in changed if row == y]) == 1
        assert len(wire.since(mark)) < 400


# ---- the sparkline's window ------------------------------------------------------------------------------
def test_the_window_fills_then_drops_its_older_half_at_once() -> None:
    window = SparkWindow(6)
    series: list[float] = []
    lengths = []
    for value in range(12):
        series.append(float(value))
        lengths.append(len(window.update(series)))
    assert lengths == [1, 2, 3, 4, 5, 6, 4, 5, 6, 4, 5, 6]
    assert window.shown == series[-6:]


def test_a_capped_history_keeps_the_window_moving_by_pages() -> None:
    """The prober keeps 100 samples: once full, each new one drops the oldest; the window still pages."""
    window = SparkWindow(SPARK_WIDTH)
    series: list[float] = []
    for value in range(300):
        series = [*series, float(value)][-100:]
        drawn = window.update(series)
        assert drawn == series[-len(drawn):]
        assert SPARK_WIDTH - SPARK_WIDTH // 2 < len(drawn) <= SPARK_WIDTH or value < SPARK_WIDTH


def test_another_series_starts_the_window_again() -> None:
    window = SparkWindow(4)
    window.update([1.0, 2.0, 3.0])
    assert window.update([7.0, 8.0]) == [7.0, 8.0]  # a new target: its own history
    assert window.update([]) == []


@given(st.lists(st.tuples(st.integers(0, 3), st.booleans()), max_size=60))
@settings(deadline=None)  # a loaded machine is slow, not wrong
def test_the_window_always_shows_the_newest_values_in_order(steps: list[tuple[int, bool]]) -> None:
    window = SparkWindow(8)
    series: list[float] = []
    counter = 0
    for added, reset in steps:
        if reset:
            series = []
        before = list(window.shown)
        for _ in range(added):
            counter += 1
            series = [*series, counter / 7][-20:]
        drawn = window.update(series)
        assert drawn == series[len(series) - len(drawn):] and len(drawn) <= 8
        if not reset and added == 1 and len(before) < 8 and before:
            assert drawn == [*before, series[-1]]  # one bar more, nothing moved


# ---- which cells changed -------------------------------------------------------------------------------
def row(*texts: str) -> list[Any]:
    return cells(tuple(Segment(text, Style(bold=i % 2 == 1)) for i, text in enumerate(texts)))


def test_the_changed_span_is_the_cells_from_the_first_to_the_last_change() -> None:
    assert changed_span(row("started ", "12s ago"), row("started ", "12s ago")) is None
    assert changed_span(row("started ", "12s ago"), row("started ", "17s ago")) == (9, 10)
    assert changed_span(row("cpu 1%"), row("cpu 12%")) == (5, 7)  # longer: up to its new end
    assert changed_span(row("ok", " 3 ms"), row("ok ", "3 ms")) == (2, 3)  # same text, another style


def test_a_wide_character_is_repainted_whole() -> None:
    assert changed_span(row("a界b"), row("a界c")) == (3, 4)
    assert changed_span(row("a界b"), row("a世b")) == (1, 3)
    assert changed_span(row("ab c"), row("a界c")) == (1, 3)
