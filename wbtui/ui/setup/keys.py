"""The setup's keys: each button says its key, the way the footer does (``^n Next``, ``b Create bucket…``).

The footer has room at 80 columns only for the shown step's own keys; the keys of
Check, Continue anyway, Back and Next are on their buttons instead.
"""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding
from textual.content import Content

from ..text import styled

NAV_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("ctrl+r", "check", "Check/Retry", "Run the shown step's check again (Detect, Review, Deploy…)"),
    ("ctrl+n", "next", "Next", "Check the step when it needs it, then go on to the next one"),
    ("ctrl+b", "back", "Back", "Open the step before this one"),
    ("ctrl+o", "continue_anyway", "Continue anyway", "Go on past failures (asks first; the review lists it)"),
)
"""key, action, description, what it does (for the command palette)."""


def key_label(app: App[object], key: str, label: str) -> Content:
    """``label`` after its key, drawn as the footer draws keys (``ctrl+r`` is ``^r``)."""
    return styled((app.get_key_display(Binding(key, "")), "bold"), " ", label)
