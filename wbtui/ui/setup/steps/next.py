"""Step 8: what to do after the first install (the guide's operating advice) and where the files are."""

from __future__ import annotations

from collections.abc import Iterable

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from ..display import tilde
from .base import StepPanel


class NextPanel(StepPanel):
    DEFAULT_CSS = """
    NextPanel #next-list {
        height: auto;
    }
    """

    STEP = "next"
    CAN_CHECK = False
    INTRO = "W&B Server is set up. What keeps it healthy from here:"

    def extra(self) -> Iterable[Widget]:
        yield Static(Content(""), id="next-list")

    def load(self) -> None:
        items = [f"• {tilde(self.redact(line))}" for line in self.flow.next_steps()]
        self.query_one("#next-list", Static).update(Content("\n".join(items)))

    def hint(self) -> str:
        return "Finish (ctrl+n) closes the setup; the dashboard (wbtui) takes it from here."
