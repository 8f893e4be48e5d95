"""Compact form rows: a label and a one-line editor, so a step's form fits 80x24."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select


class FormInput(Input):
    """An Input whose editing keys (backspace, ctrl+u, arrows ...) act in the order they were typed.

    Textual (8.2.8) inserts a typed character in the Input's own key handler but runs a bound key only
    once its event has bubbled up to the app: keys that arrive together (fast typing over a slow SSH link,
    typing ahead while the UI is busy) are then applied out of order, so ``abc`` + backspace + ``d``
    gives ``bd``, and ``ctrl+u`` then ``secret`` leaves an empty password field (Textualize/textual#6605).
    Here the Input's own non-priority bindings run in its key handler, in turn with the typed keys; the
    bindings that run are the same ones the app would have found first (the focused widget's).
    """

    async def on_key(self, event: events.Key) -> None:
        """Called before Input's own key handler; a key run here does not reach it (nor bubble on)."""
        if event.is_printable:
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return


def text_input(field_id: str, value: str = "", *, placeholder: str = "", password: bool = False) -> Input:
    """A one-line Input without a blinking cursor (steady screens over SSH and in snapshots)."""
    editor = FormInput(value, placeholder=placeholder, password=password, id=field_id, compact=True)
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
