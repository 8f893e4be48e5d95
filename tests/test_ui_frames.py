"""What the dashboard redraws: only what changed, no timers in hidden panes, log frames paced by a budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.segment import ControlType
from textual.content import Content

from tests.ui_support import make_app, ready, screen_text, wait_text, wait_until
from wbtui.ui.panes.health import HealthPane
from wbtui.ui.panes.logs import HIDDEN_FLUSH_SECONDS, FrameBudget, LogsPane
from wbtui.ui.panes.overview import OverviewPane, Rows

TS = "2024-05-01T10:00:00.000"


class RowsWritten:
    """The screen rows each update the app sends writes to (as a terminal receives them)."""

    def __init__(self, app: Any) -> None:
        self.rows: list[set[int]] = []
        send = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                written = set()
                for segment in Console(force_terminal=True, width=app.size[0]).render(renderable):
                    for code in segment.control or ():
                        if code[0] == ControlType.CURSOR_MOVE_TO:
                            written.add(int(code[2]))
                self.rows.append(written)
            send(screen, renderable)

        app._display = display

    def since(self, mark: int) -> set[int]:
        return set().union(*self.rows[mark:])

    async def settle(self, pilot: Any) -> int:
        """Wait until everything changed so far has been sent: a change of the top bar (row 0) goes out in
        the frame after them. Returns the mark to compare with."""
        from textual.widgets import Static

        mark = len(self.rows)
        pilot.app.query_one("#topbar", Static).update(f"sentinel {mark}")
        await wait_until(pilot, lambda: 0 in self.since(mark), 10, "the sentinel frame")
        return len(self.rows)


def test_the_budget_follows_the_line_rate_and_input() -> None:
    budget = FrameBudget()
    budget.input(95.0)  # someone pressed a key 5 s ago: attended
    assert budget.wait(80, 20, 100.0) == 0  # quiet until now: the first line is drawn at once
    budget.drew(100.0)
    for step in range(1, 21):  # 2,000 bytes every 0.1 s: 20 KB/s
        budget.arrived(2_000)
        budget.drew(100.0 + step * 0.1)
    now = 102.0
    small, big = budget.interval(80, 20, now), budget.interval(200, 46, now)
    assert small == FrameBudget.MIN_INTERVAL  # a frame costs ~2.7 KB; 1.5 x 20 KB/s allows more: CPU bounds it
    cost = 46 * (200 + FrameBudget.ROW_BYTES)
    assert abs(big - cost / (FrameBudget.RATIO * budget.rate)) < 1e-6  # bytes ~ 1.5 x the lines' own
    for step in range(1, 21):  # 1 MB/s: the budget is capped, not the line rate
        budget.arrived(100_000)
        budget.drew(now + step * 0.1)
    capped = min(FrameBudget.MAX_INTERVAL, max(FrameBudget.MIN_INTERVAL, cost / FrameBudget.CAP))
    assert budget.interval(200, 46, now + 2) == capped
    budget.input(now + 2)
    assert budget.interval(200, 46, now + 2.5) == FrameBudget.INPUT_INTERVAL  # someone is typing
    assert budget.interval(200, 46, now + 2 + FrameBudget.INPUT_SECONDS + 0.1) > FrameBudget.INPUT_INTERVAL
    unattended = now + 2 + FrameBudget.ATTENDED_SECONDS + 1  # nobody touched it for a while: cheapest
    assert budget.interval(80, 20, unattended) == FrameBudget.UNATTENDED_INTERVAL


async def test_a_hidden_logs_pane_takes_lines_without_a_timer_and_shows_them_when_shown(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        await ready(pilot)
        pane = app.query_one(LogsPane)
        assert not pane.shown and pane._flush_timer is None  # nothing arrived: no timer at all
        pane.receive([(TS, f"hidden line {i}") for i in range(30)])
        assert pane._flush_timer is not None and pane.view.ring.total == 0  # once a second while hidden
        await wait_until(pilot, lambda: pane.view.ring.total == 30, HIDDEN_FLUSH_SECONDS * 10,
                         "the lines to reach the ring")
        assert pane._flush_timer is None  # one-shot: gone once the lines are in
        await pilot.press("5")
        await wait_until(pilot, lambda: pane.shown, 10, "the pane to be shown")
        await wait_text(pilot, "30 shown / 30 held", "hidden line 29")
        await pilot.press("1")
        await wait_until(pilot, lambda: not pane.shown, 10, "the pane to be hidden")


async def test_the_logs_pane_draws_each_batch_once_and_a_key_draws_at_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 20)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        pane = app.query_one(LogsPane)
        await wait_until(pilot, lambda: pane.shown, 10, "the pane to be shown")
        pane.receive([(TS, f"streamed line {i}") for i in range(40)])
        await wait_text(pilot, "40 shown / 40 held", "streamed line 39")
        pane.receive([(TS, "waiting line")])
        await pilot.press("t")  # a key takes what is waiting into its own frame
        assert pane.view.ring.total == 41 and pane._flush_timer is None
        assert pane.budget.interval(100, 16, pane.budget.last_input) == FrameBudget.INPUT_INTERVAL


async def test_the_status_line_redraws_only_when_it_changed(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    written = RowsWritten(app)
    async with app.run_test(size=(100, 20)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        pane = app.query_one(LogsPane)
        pane.ingest([(TS, f"line {i}") for i in range(5)])
        await wait_text(pilot, "5 shown / 5 held")
        mark = await written.settle(pilot)
        pane.update_status()
        pane.update_status()
        await written.settle(pilot)
        assert written.since(mark) == {0}  # the sentinel's row only


async def test_a_box_repaints_only_its_changed_rows(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    written = RowsWritten(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        box = app.query_one("#ov-probes", Rows)
        box.update(Content("/healthz  200 OK  3 ms\nspark\n/ready    200 OK  4 ms\nspark"))
        await wait_text(pilot, "/ready    200 OK  4 ms")
        top = box.content_region.y
        mark = await written.settle(pilot)
        box.update(Content("/healthz  200 OK  3 ms\nspark\n/ready    200 OK  4 ms\nspark"))  # the same
        await written.settle(pilot)
        assert written.since(mark) == {0}
        box.update(Content("/healthz  200 OK  3 ms\nspark\n/ready    200 OK  9 ms\nspark"))
        await written.settle(pilot)
        assert written.since(mark) == {0, top + 2}
        assert "/healthz  200 OK  3 ms" in screen_text(app)


async def test_hidden_panes_keep_no_timer_and_catch_up_when_shown(tmp_path: Path) -> None:
    from tests.test_ui_snapshots import samples

    app = make_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        overview, health = app.query_one(OverviewPane), app.query_one(HealthPane)
        assert overview.ages_running
        await pilot.press("5")
        await wait_until(pilot, lambda: not overview.ages_running, 10, "the Overview's age timer to pause")
        made, history = samples()
        from wbtui.ui.messages import ProbeUpdate

        update = ProbeUpdate(made[-1], {e: history.latencies(e) for e in ("healthz", "ready")}, None,
                             list(history.transitions), made)
        app.on_probe_update(update)
        await wait_until(pilot, lambda: health._stale is update, 10, "the hidden Health pane to keep the update")
        assert "probing" not in str(health.query_one("#hp-target").render())
        await pilot.press("6")
        await wait_until(pilot, lambda: health._stale is None, 10, "the Health pane to draw it when shown")
        await wait_text(pilot, "probing ")
        await pilot.press("1")
        await wait_until(pilot, lambda: overview.ages_running, 10, "the Overview's age timer to resume")
