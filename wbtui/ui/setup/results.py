"""A step's results: one row per check, and the selected row's details and fix below the table."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from ...checks.model import CheckResult, Status
from ..text import STATUS_VARIABLE, fix_line, lines, status_cell, styled

EMPTY = "Not checked yet."


def counts_line(results: list[CheckResult]) -> Content:
    """``3 pass  1 warn  1 fail`` in the statuses' colours."""
    parts: list[str | tuple[str, str]] = []
    for status in Status:
        count = sum(r.status is status for r in results)
        if count:
            parts.append((f"{count} {status.value}  ", STATUS_VARIABLE[status.value]))
    return styled(*parts) if parts else Content("no results")


class ResultsView(Vertical):
    """Rows appear as checks finish; moving the cursor shows that row's details and fix.

    ``redact`` scrubs every string shown (results are redacted at the source too).
    """

    DEFAULT_CSS = """
    ResultsView {
        height: auto;
        margin: 1 0 0 0;
    }

    ResultsView .results-table {
        height: auto;
        max-height: 8;
        min-height: 2;
        overflow-x: hidden;
    }

    ResultsView .results-details {
        height: auto;
        padding: 0 1;
        border-left: outer $primary-darken-1;
        margin: 1 0 0 0;
    }
    """

    def __init__(self, redact: Callable[[str], str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._redact = redact
        self.results: list[CheckResult] = []

    def compose(self) -> ComposeResult:
        table: DataTable[object] = DataTable(cursor_type="row", zebra_stripes=True, classes="results-table")
        table.add_column("", key="icon", width=2)
        table.add_column("Check", key="check", width=18)
        table.add_column("Summary", key="summary")
        yield table
        yield Static(Content(EMPTY), classes="results-details")

    @property
    def table(self) -> DataTable[object]:
        return self.query_one(DataTable)

    def clear(self, note: str = EMPTY) -> None:
        self.results = []
        self.table.clear()
        self.query_one(".results-details", Static).update(Content(note))

    def show(self, results: list[CheckResult]) -> None:
        self.clear()
        for result in results:
            self.add(result)
        if not results:
            self.query_one(".results-details", Static).update(Content(EMPTY))

    def add(self, result: CheckResult) -> None:
        self.results.append(result)
        app, redact = self.app, self._redact
        icon = status_cell(app, result.status.value, result.status.icon)
        self.table.add_row(icon, Text(redact(result.title)), Text(redact(result.summary)),
                           key=str(len(self.results) - 1))
        if len(self.results) == 1:
            self._details(0)

    def select_first_problem(self) -> None:
        """Put the cursor on the first failure (else warning), so its fix shows without a keypress."""
        for wanted in (Status.FAIL, Status.WARN):
            for index, result in enumerate(self.results):
                if result.status is wanted:
                    self.table.move_cursor(row=index)
                    self._details(index)
                    return

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._details(event.cursor_row)

    def _details(self, index: int) -> None:
        if not 0 <= index < len(self.results):
            return
        r, redact = self.results[index], self._redact
        head = styled((f"{r.status.icon} {r.status.value}  ", STATUS_VARIABLE[r.status.value] + " bold"),
                      (redact(r.title), "bold"))
        self.query_one(".results-details", Static).update(lines(
            head,
            Content(redact(r.summary)),
            Content(redact(r.details)) if r.details else "",
            fix_line(r, redact(r.fix)),
        ))
