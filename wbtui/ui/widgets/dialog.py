"""What every modal dialog shares: centred on a dimmed screen, a bold title, a bordered box.

Dialogs carry their styles (``DEFAULT_CSS``), so any app that pushes one shows it styled.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    """A modal screen over the dimmed app; its box is ``.dialog-box`` unless a subclass sizes its own."""

    DEFAULT_CSS = """
    Dialog {
        align: center middle;
        background: $background 60%;
    }

    Dialog .dialog-box {
        width: 90%;
        max-width: 100;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }

    Dialog .dialog-title {
        text-style: bold;
        width: 100%;
        padding: 0 0 1 0;
    }
    """
