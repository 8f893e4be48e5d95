"""The pane bar: number keys and titles, the active pane marked, clickable (mouse optional)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget


class PaneBar(Widget):
    """Drawn for its own width, every pane's number always on it: where the padded tabs do not fit they close
    up; where that does not fit either (nine panes at 80 columns), the titles of the other panes are
    shortened with "…" (the active one stays whole); only below that do the first tabs give way."""

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
        if not padded:
            tabs = _shortened(tabs, self.active, self.size.width)
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


def _shortened(tabs: list[tuple[str, str]], active: str, width: int) -> list[tuple[str, str]]:
    """The closed-up tabs with the other panes' titles cut to the longest length (3 characters at least) at
    which the bar fits in ``width``; unchanged when it fits whole, the shortest form when nothing fits."""

    def cut(label: str, keep: int) -> str:
        body, mark = (label[:-2], " ●") if label.endswith(" ●") else (label, "")  # the unsaved mark stays
        number, _, title = body.partition(" ")
        return label if len(title) <= keep else f"{number} {title[:keep - 1]}…{mark}"

    longest = max(len(label) for _, label in tabs)
    for keep in range(longest, 2, -1):
        shorter = [(p, label if p == active else cut(label, keep)) for p, label in tabs]
        if len(" ".join(label for _, label in shorter)) <= width:
            return shorter
    return [(p, label if p == active else cut(label, 3)) for p, label in tabs]
