"""A Static for Content that repaints only the cells that changed on screen, and nothing when none did.

A box updated every 5 s (status, probes) mostly changes a number or a sparkline's last bar: over SSH, the
rest of the box (borders, labels, the unchanged part of a row) is what a whole repaint would send again
each time. The rows compared are the rendered ones (wrapped and cut to the box's width); in each changed
row the span from its first to its last changed cell is repainted. When the number of rows changes the
widget is refreshed whole and laid out.
"""

from __future__ import annotations

from typing import Any

from rich.cells import get_character_cell_size
from rich.segment import Segment
from textual.content import Content
from textual.geometry import Region
from textual.visual import Visual, visualize
from textual.widget import Widget

Cell = tuple[str, Any]
"""One screen cell of a rendered row: its text and style; the second cell of a wide character is ("", style)."""


def cells(segments: tuple[Segment, ...]) -> list[Cell]:
    """A rendered row as one entry per screen cell (zero-width characters join the cell before them)."""
    out: list[Cell] = []
    for segment in segments:
        style = segment.style
        for character in segment.text:
            width = get_character_cell_size(character)
            if width == 0 and out:
                text, before = out[-1]
                out[-1] = (text + character, before)
            elif width:
                out.append((character, style))
                if width == 2:
                    out.append(("", style))
    return out


def content_rows(content: Content, width: int) -> list[list[Cell]] | None:
    """The rows ``content`` shows at ``width`` as cells (styles as written), without rendering it, when every
    line fits as it is (nothing to wrap, cut or expand); None otherwise: then the rendered rows are compared."""
    if "\t" in content.plain:
        return None
    rows = []
    for line in content.split("\n", allow_blank=True):
        text = line.plain
        if line.cell_length > width:
            return None
        styles: list[tuple[Any, ...]] = [()] * len(text)
        for span in line.spans:
            for index in range(span.start, min(span.end, len(text))):
                styles[index] += (span.style,)
        row: list[Cell] = []
        for character, style in zip(text, styles, strict=True):
            size = get_character_cell_size(character)
            if size == 0 and row:
                row[-1] = (row[-1][0] + character, row[-1][1])
            elif size:
                row.append((character, style))
                if size == 2:
                    row.append(("", style))
        rows.append(row)
    return rows


def changed_span(before: list[Cell], after: list[Cell]) -> tuple[int, int] | None:
    """(first cell, end) of what differs between two renderings of a row, whole characters only; None: same."""
    if before == after:
        return None
    missing: Cell = (" ", None)
    length = max(len(before), len(after))
    old = before + [missing] * (length - len(before))
    new = after + [missing] * (length - len(after))
    first = next(x for x in range(length) if old[x] != new[x])
    end = next(x for x in range(length, 0, -1) if old[x - 1] != new[x - 1])
    while first > 0 and (old[first][0] == "" or new[first][0] == ""):  # the right half of a wide character
        first -= 1
    while end < length and (old[end][0] == "" or new[end][0] == ""):
        end += 1
    return first, end


class Rows(Widget):
    DEFAULT_CSS = """
    Rows {
        height: auto;
    }
    """

    def __init__(self, content: Content, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._content = content
        self._drawn: tuple[int, list[list[Cell]]] | None = None  # (width, rendered rows) of the last update

    @property
    def content(self) -> Content:
        return self._content

    def render(self) -> Content:
        return self._content

    def update(self, content: Content | str) -> None:
        content = Content(content) if isinstance(content, str) else content
        old_content, self._content = self._content, content
        if content.plain == old_content.plain and content.spans == old_content.spans and self._drawn is not None:
            return  # the same text in the same styles (what most 5 s updates of a box bring): nothing to render
        width = self.size.width
        if not self.is_mounted or not width:
            self._drawn = None
            self.refresh(layout=True)
            return
        before = self._drawn[1] if self._drawn is not None and self._drawn[0] == width else \
            self._rows(old_content, width)
        after = self._rows(content, width)
        self._drawn = (width, after)
        if after == before:
            return
        if len(after) != len(before):
            self.refresh(layout=True)
            return
        dirty = []
        for y, (old, new) in enumerate(zip(before, after, strict=True)):
            span = changed_span(old, new)
            if span is not None:
                dirty.append(Region(span[0], y, span[1] - span[0], 1))
        self.refresh(*dirty)

    def _rows(self, content: Content, width: int) -> list[list[Cell]]:
        """The rows to compare: read from the content where it fits (the usual case, a fraction of a rendering), else
        rendered as the screen will show them (the two kinds of rows never compare equal)."""
        rows = content_rows(content, width)
        if rows is not None:
            return rows
        strips = Visual.to_strips(self, visualize(self, content), width, None, self.visual_style)
        return [cells(tuple(strip)) for strip in strips]
