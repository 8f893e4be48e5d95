"""The `?` screen: every key binding of the app and each pane, grouped."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Label

from .dialog import Dialog


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen .help-box {
        width: 96%;
        max-width: 110;
        height: 90%;
        border: thick $primary;
        background: $surface;
    }

    HelpScreen DataTable {
        height: 1fr;
        min-height: 3;
    }
    """

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__()
        self._sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="help-box"):
            yield Label(Content("Keys (Escape closes; ctrl+p opens the command palette)"), classes="dialog-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("WHERE", "KEY", "ACTION")
        for section, rows in self._sections:
            for key, description in rows:
                table.add_row(Content(section), Content(key), Content(description))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
