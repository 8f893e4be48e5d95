"""The Database pane: the same figures as `wbtui db status`, refreshed every few seconds while shown.

Alerts (the CPU rule, a broken or lagging replica, connections near the limit) are the first rows, so at
80x24 they are never below the fold; the rest scrolls. Hidden, the pane runs no timer and no query. Each
part of the view is its own widget, repainted only when its text changed.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ...monitor.mysql_lines import Line, sections
from ..db_watch import DatabaseUpdate, step_watch
from ..text import lines, styled
from .base import Pane

if TYPE_CHECKING:
    from textual.timer import Timer

    from ...monitor.mysql_watch import MysqlWatch

PARTS = ("alerts", "figures", "replication", "cpu", "statements", "tables", "footer")
TONE_STYLE = {"": "", "ok": "$success", "warn": "$warning", "error": "$error bold", "muted": "$text-muted",
              "head": "bold"}


def _content(part: list[Line]) -> Content:
    return lines(*(styled((line.text, TONE_STYLE[line.tone])) if line.tone else Content(line.text)
                   for line in part))


class DatabasePane(Pane):
    DEFAULT_CSS = """
    DatabasePane #db-body {
        height: 1fr;
        padding: 0 1;
    }

    DatabasePane #db-body > Static {
        margin: 0 0 1 0;
    }

    DatabasePane #db-alerts {
        margin: 0;
    }
    """

    REFRESH_SECONDS = 3.0  # while shown; hidden, nothing runs
    PANE_ID = "database"
    TITLE = "Database"

    BINDINGS = [
        Binding("g", "refresh", "Refresh", id="database.refresh"),
        Binding("t", "tables", "Table sizes now", id="database.tables"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.db_watch: MysqlWatch | None = None
        self._source = ""
        self._drawn: dict[str, tuple[Line, ...]] = {}
        self._refresh_timer: Timer | None = None
        self.updates = 0
        """Steps shown so far (the tests wait on it)."""
        self.refreshing = False
        """The refresh timer runs (only while the pane is shown)."""

    def compose(self) -> ComposeResult:
        yield Static(Content("Database: not sampled yet."), id="db-status", classes="pane-status")
        with VerticalScroll(id="db-body"):
            for part in PARTS:
                yield Static(Content(""), id=f"db-{part}")

    def on_mount(self) -> None:
        self._refresh_timer = self.set_interval(self.REFRESH_SECONDS, self.sample, pause=True)

    def on_show(self) -> None:
        self.sample()
        if self.wbtui.background and self._refresh_timer is not None:  # tests without refreshers feed data
            self._refresh_timer.resume()
            self.refreshing = True

    def on_hide(self) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.pause()
        self.refreshing = False

    def focus_default(self) -> None:
        self.query_one("#db-body", VerticalScroll).focus()

    # ---- sampling (a thread worker) -------------------------------------------------------------------
    def sample(self, tables: bool = False) -> bool:
        """Start one step unless one is running (a slow server never piles up queries); False then."""
        if any(w.group == "database" and w.is_running for w in self.workers):
            return False
        self.run_worker(partial(step_watch, self.db_watch, self._source, self.wbtui.session.saved.copy(), tables,
                                self.post_message), thread=True, group="database", exit_on_error=False,
                        name="Database view")
        return True

    def action_refresh(self) -> None:
        started = self.sample()
        self.notify("Sampling the database now…" if started else "A sample is already running.",
                    markup=False, timeout=2)

    def action_tables(self) -> None:
        started = self.sample(tables=True)
        self.notify("Reading the table sizes now…" if started else "A sample is already running.",
                    markup=False, timeout=2)

    def on_database_update(self, message: DatabaseUpdate) -> None:
        message.stop()
        self.db_watch, self._source = message.watch, message.source
        self.updates += 1
        redact = self.wbtui.session.redactor()
        if message.problem is not None:
            problem = message.problem
            self._draw("alerts", [Line("✘ " + redact(problem.message), "error"),
                                  *([Line("  fix: " + redact(problem.fix), "muted")] if problem.fix else [])])
            self.query_one("#db-status", Static).update(
                styled(("Database: ", "$text-muted"), ("not reachable", "$error"), (
                    f" · trying again every {self.REFRESH_SECONDS:g}s while shown", "$text-muted")))
            return
        status = message.status
        assert status is not None
        width = max(self.query_one("#db-body").size.width - 2, 40)
        for part, shown in sections(status, width).items():
            self._draw(part, [Line(redact(line.text), line.tone) for line in shown])
        self.query_one("#db-status", Static).update(styled(
            ("Database ", "$text-muted"), (status.where, "bold"),
            (f" · every {self.REFRESH_SECONDS:g}s while shown", "$text-muted")))

    def _draw(self, part: str, shown: list[Line]) -> None:
        """Repaint one part, only when its text or tones changed."""
        key = tuple(shown)
        if self._drawn.get(part) == key:
            return
        self._drawn[part] = key
        widget = self.query_one(f"#db-{part}", Static)
        widget.display = bool(shown)
        widget.update(_content(shown))
