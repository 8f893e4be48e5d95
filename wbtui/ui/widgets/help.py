"""The `?` screen: every key binding of the app and each pane, grouped."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Label

from .dialog import Dialog

Sections = list[tuple[str, list[tuple[str, str]]]]


class KeyTable(DataTable[Text]):
    """WHERE and KEY as wide as their longest entry; ACTION takes the rest and wraps (re-laid on resize)."""

    def __init__(self, sections: Sections, **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.sections = sections
        self.laid_out_width = -1

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self.laid_out_width:
            self.lay_out_keys(event.size.width)

    def lay_out_keys(self, width: int) -> None:
        """Fill the table for ``width`` cells: the ACTION column gets what WHERE and KEY leave."""
        self.laid_out_width = width
        rows = [(where, key, action) for where, entries in self.sections for key, action in entries]
        where_width = max(len("WHERE"), *(len(where) for where, _, _ in rows))
        key_width = max(len("KEY"), *(len(key) for _, key, _ in rows))
        padding = 2 * self.cell_padding
        spare = width - self.styles.scrollbar_size_vertical - where_width - key_width - 3 * padding
        action_width = max(12, spare)
        cursor = self.cursor_row
        self.clear(columns=True)
        self.add_column("WHERE", width=where_width)
        self.add_column("KEY", width=key_width)
        self.add_column("ACTION", width=action_width)
        for where, key, action in rows:
            self.add_row(Text(where), Text(key), Text(action), height=None)
        self.move_cursor(row=cursor)


class HelpScreen(Dialog[None]):
    DEFAULT_CSS = """
    HelpScreen .help-box {
        width: 96%;
        max-width: 110;
        height: 90%;
        border: thick $primary;
        background: $surface;
    }

    HelpScreen KeyTable {
        height: 1fr;
        min-height: 3;
    }
    """

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, sections: Sections) -> None:
        super().__init__()
        self._sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(classes="help-box"):
            yield Label(Content("Keys (Escape closes; ctrl+p opens the command palette)"), classes="dialog-title")
            yield KeyTable(self._sections, id="help-table")

    def on_mount(self) -> None:
        self.query_one(KeyTable).focus()

    def action_close(self) -> None:
        self.dismiss(None)
