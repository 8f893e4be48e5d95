"""The pane bar: number keys and titles, the active pane marked, clickable (mouse optional)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget


class PaneBar(Widget):
    """Drawn for its own width: where the padded tabs do not fit (60 columns), they close up so the last
    one still shows whole."""

    active: reactive[str] = reactive("")
    dirty: reactive[bool] = reactive(False)
    """The Config pane has unsaved edits (marked ●)."""

    def __init__(self, panes: Sequence[tuple[str, str]], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.panes = list(panes)

    def render(self) -> Content:
        tabs = [(pane_id, f"{number} {title}" + (" ●" if pane_id == "config" and self.dirty else ""))
                for number, (pane_id, title) in enumerate(self.panes, 1)]
        padded = sum(len(label) + 2 for _, label in tabs) <= self.size.width
        first = 0  # too narrow for every tab: the first ones give way so that the active one shows
        while not padded and any(p == self.active for p, _ in tabs[first + 1:]) and \
                _active_end(tabs[first:], self.active, first > 0) > self.size.width:
            first += 1
        tabs, parts = tabs[first:], ["…"] if first else []
        for pane_id, label in tabs:
            style = "reverse bold" if pane_id == self.active else ""
            parts.append(f"[{style} @click=app.show_pane('{pane_id}')]{f' {label} ' if padded else label}[/]")
        return Content.from_markup(("" if padded else " ").join(parts))  # constants only: no outside text


def _active_end(tabs: list[tuple[str, str]], active: str, cut: bool) -> int:
    """The column after the active tab in the closed-up bar that starts with ``tabs`` (after "…" when ``cut``)."""
    upto = next(i for i, (pane_id, _) in enumerate(tabs) if pane_id == active)
    return 1 + (2 if cut else 0) + len(" ".join(label for _, label in tabs[:upto + 1]))
