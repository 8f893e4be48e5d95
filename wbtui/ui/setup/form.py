"""Compact form rows: a label and a one-line editor, so a step's form fits 80x24."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select

from ..widgets.ordered_input import OrderedInput


def text_input(field_id: str, value: str = "", *, placeholder: str = "", password: bool = False) -> Input:
    """A one-line Input without a blinking cursor (steady screens over SSH and in snapshots)."""
    editor = OrderedInput(value, placeholder=placeholder, password=password, id=field_id, compact=True)
    editor.cursor_blink = False
    return editor


class FormRow(Horizontal):
    """``label  [editor] [editor]``: the label column is fixed so the editors line up."""

    DEFAULT_CSS = """
    FormRow {
        height: 1;
        margin: 0 0 0 0;
    }

    FormRow .form-label {
        width: 12;
        color: $text-muted;
    }

    FormRow Input {
        width: 1fr;
        margin: 0 1 0 0;
    }

    FormRow Select {
        width: 1fr;
    }

    FormRow Checkbox {
        width: auto;
    }
    """

    def __init__(self, label: str, *editors: Widget) -> None:
        super().__init__()
        self._label = label
        self.editors = editors

    def compose(self) -> ComposeResult:
        yield Label(Content(self._label), classes="form-label")
        yield from self.editors


def value_of(widget: Widget) -> str | bool:
    """The editor's value: text for inputs and selects, True/False for checkboxes."""
    if isinstance(widget, Checkbox):
        return widget.value
    if isinstance(widget, Select):
        return "" if widget.is_blank() else str(widget.value)
    assert isinstance(widget, Input)
    return widget.value
