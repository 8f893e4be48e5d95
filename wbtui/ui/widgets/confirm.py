"""Modal dialogs: confirm an action showing exactly what it will do, or ask for one value."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from .dialog import Dialog
from .ordered_input import OrderedInput


class ConfirmScreen(Dialog[bool]):
    """Yes/no with the exact steps listed; ``danger`` styles the confirm button as destructive."""

    DEFAULT_CSS = """
    ConfirmScreen .dialog-steps {
        height: auto;
        max-height: 14;
    }

    ConfirmScreen .dialog-step {
        padding: 0 0 0 2;
    }

    ConfirmScreen .dialog-buttons {
        height: auto;
        align: right middle;
        padding: 1 0 0 0;
    }

    ConfirmScreen .dialog-buttons Button {
        margin: 0 0 0 2;
    }
    """

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, steps: list[str], *, confirm_label: str = "Do it", danger: bool = False,
                 cancel_label: str = "Cancel") -> None:
        super().__init__()
        self._title = title
        self._steps = steps
        self._confirm_label = confirm_label
        self._cancel_label = cancel_label
        self._danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(Text(self._title), classes="dialog-title")
            with VerticalScroll(classes="dialog-steps"):
                for step in self._steps:
                    yield Static(Text(step), classes="dialog-step")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self._confirm_label} (y)", id="yes", variant="error" if self._danger else "primary")
                yield Button(f"{self._cancel_label} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PromptScreen(Dialog[str | None]):
    """Ask for one value (a tag, a file path, an admin URL); Escape cancels."""

    DEFAULT_CSS = """
    PromptScreen .dialog-help {
        color: $text-muted;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "", help: str = "",
                 password: bool = False) -> None:
        super().__init__()
        self._title = title
        self._value = value
        self._placeholder = placeholder
        self._help = help
        self._password = password

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(Text(self._title), classes="dialog-title")
            if self._help:
                yield Static(Text(self._help), classes="dialog-help")
            prompt = OrderedInput(self._value, placeholder=self._placeholder, password=self._password,
                                  id="prompt-value")
            prompt.cursor_blink = False
            yield prompt
            yield Static(Text("Enter to accept, Escape to cancel"), classes="dialog-help")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(Dialog[str | None]):
    """Pick one of a list (a kubeconfig context, a pod); Escape cancels."""

    DEFAULT_CSS = """
    ChoiceScreen #choices {
        height: auto;
        max-height: 16;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: list[str], current: str = "") -> None:
        super().__init__()
        self._title = title
        self._choices = choices
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(Text(self._title), classes="dialog-title")
            yield OptionList(*[Option(Text(choice + ("  (current)" if choice == self._current else "")), id=str(i))
                               for i, choice in enumerate(self._choices)], id="choices")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self._choices.index(self._current) if self._current in self._choices else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._choices[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
