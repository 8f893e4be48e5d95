"""One setting in the Config pane: its editor, what it means, and what is wrong with it."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static, Switch

from ...config.masking import mask_value
from ...config.model import FieldSpec
from ...config.validate import Finding
from ..text import STATUS_VARIABLE, styled
from .ordered_input import OrderedInput

_ICON = {"error": "✘", "warning": "!", "info": "i"}


def widget_id(key: str) -> str:
    """A DOM id for a setting key (``runtime.port`` -> ``field-runtime-port``)."""
    return "field-" + key.replace(".", "-").replace("_", "-").lower()


class FieldInput(OrderedInput):
    """A setting's text editor: ctrl+u clears the whole value wherever the cursor is.

    Textual's Input deletes only what is left of the cursor, which leaves half a value
    (a password's tail, a URL's path) that looks like the whole of it.
    """

    BINDINGS = [Binding("ctrl+u", "clear_value", "Clear the value", show=False, id="field.clear_value")]

    def action_clear_value(self) -> None:
        self.clear()


class FieldRow(Vertical):
    """Label, editor, doc line, masked echo (secrets) and inline findings of one setting."""

    DEFAULT_CSS = """
    FieldRow {
        height: auto;
        margin: 0 0 1 0;
    }

    FieldRow .field-label {
        text-style: bold;
    }

    FieldRow.-changed .field-label {
        color: $warning;
    }

    FieldRow .field-doc {
        color: $text-muted;
    }

    FieldRow .field-masked {
        color: $text-muted;
    }

    FieldRow .field-finding {
        height: auto;
    }

    FieldRow Input {
        background: $boost;
        width: 1fr;
    }

    FieldRow Select {
        background: $boost;
        width: 1fr;
    }

    FieldRow Switch {
        width: auto;
    }

    /* !important: a compact Input's own "border: none" is important too */
    FieldRow.-error Input {
        border-left: outer $error !important;
    }

    FieldRow.-error Select {
        border-left: outer $error;
    }
    """

    def __init__(self, spec: FieldSpec, value: Any, *, disabled: bool, note: str = "") -> None:
        """``note``: said after the setting's meaning (where its value comes from, when not the file)."""
        super().__init__(id=widget_id(spec.key))
        self.spec = spec
        self._note = note
        self._value = value
        self._disabled = disabled
        self.editor = self._make_editor()

    def compose(self) -> ComposeResult:
        spec = self.spec
        yield Label(Content(spec.key), classes="field-label")
        yield self.editor
        yield Static(Content(f"{spec.doc} {self._note}" if self._note else spec.doc), classes="field-doc")
        if spec.secret:
            yield Static(Content(""), classes="field-masked")
        yield Static(Content(""), classes="field-finding")

    def _make_editor(self) -> Widget:
        spec, value = self.spec, self._value
        if spec.choices:
            options = [(choice, choice) for choice in spec.choices]
            if value not in spec.choices:
                options.append((str(value), str(value)))
            return Select(options, value=value, allow_blank=False, name=spec.key, disabled=self._disabled,
                          compact=True)
        if spec.kind is bool:
            return Switch(bool(value), name=spec.key, disabled=self._disabled)
        text = "" if value is None else str(value)
        editor = FieldInput(text, name=spec.key, password=spec.secret, disabled=self._disabled, compact=True,
                       placeholder="(image default)" if spec.optional else "")
        editor.cursor_blink = False
        return editor

    def raw_value(self) -> Any:
        editor = self.editor
        if isinstance(editor, Switch):
            return editor.value
        if isinstance(editor, Select):
            return editor.value
        assert isinstance(editor, Input)
        return editor.value

    def set_revealed(self, revealed: bool) -> None:
        if self.spec.secret:
            editor = self.editor
            assert isinstance(editor, Input)
            editor.password = not revealed
            self.query_one(".field-masked", Static).display = not revealed

    def set_changed(self, changed: bool) -> None:
        label = self.spec.key + ("  ● modified" if changed else "")
        self.query_one(".field-label", Label).update(Content(label))
        self.set_class(changed, "-changed")

    def show(self, findings: list[Finding], error: str | None) -> None:
        """Inline state: a value that cannot be stored, else the validation findings with their fix."""
        if self.spec.secret:
            raw = self.raw_value()
            masked = mask_value(self.spec.key, raw) if raw else ""
            self.query_one(".field-masked", Static).update(Content(f"shown as: {masked}" if masked else ""))
        finding = self.query_one(".field-finding", Static)
        rows: list[Content] = []
        worst = ""
        if error:
            rows.append(styled(("✘ ", "$error bold"), error))
            worst = "error"
        for f in findings:
            line = styled((f"{_ICON.get(f.severity, '-')} ", f"{STATUS_VARIABLE[f.severity]} bold"), f.message)
            if f.fix:
                line = line + styled(("  fix: ", "$text-muted"), f.fix)
            rows.append(line)
            if worst != "error":
                worst = f.severity if f.severity != "info" or not worst else worst
        finding.update(Content("\n").join(rows))
        finding.display = bool(rows)
        for severity in ("error", "warning", "info"):
            self.set_class(worst == severity, f"-{severity}")
