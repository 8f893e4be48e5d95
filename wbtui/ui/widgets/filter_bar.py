"""The `/` filter line shown above a list or log: filters as you type, Escape clears it."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from .ordered_input import OrderedInput


class FilterBar(OrderedInput):
    """Hidden until opened; posts Changed-as-you-type via ``FilterBar.Applied``."""

    DEFAULT_CSS = """
    FilterBar {
        margin: 0 1;
    }

    FilterBar.-invalid {
        color: $error;
    }
    """

    BINDINGS = [Binding("escape", "close", "Clear filter", show=False, id="filter.close")]

    class Applied(Message):
        def __init__(self, bar: FilterBar, text: str, done: bool) -> None:
            super().__init__()
            self.bar = bar
            self.text = text
            self.done = done

        @property
        def control(self) -> FilterBar:
            return self.bar

    def __init__(self, placeholder: str = "filter (Enter: keep, Escape: clear)", *, id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, compact=True)
        self.cursor_blink = False
        self.display = False

    def open(self) -> None:
        self.display = True
        self.focus()

    def action_close(self) -> None:
        self.value = ""
        self.display = False
        self.post_message(self.Applied(self, "", True))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Applied(self, event.value, False))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value:
            self.display = False
        self.post_message(self.Applied(self, event.value, True))


def row_matches(needle: str, *cells: object) -> bool:
    """Case-insensitive substring match over a row's cells."""
    if not needle:
        return True
    needle = needle.lower()
    return any(needle in str(cell).lower() for cell in cells)
