"""A log viewer that renders only what is on screen, over a bounded ring.

Built on the Line API (``render_line``) so ingesting 100k lines a second costs
a deque append and a refresh, not a widget per line. Lines are plain text
segments, never markup: a log line containing ``[b]`` shows ``[b]``.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from math import ceil

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Offset, Region, Size
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.selection import Selection
from textual.strip import Strip

from ..logring import DEFAULT_CAPACITY, LogRing, compile_pattern, level_of, printable

STRIP_CACHE_SIZE = 256  # rendered lines kept: a few screens' worth


def _thumb_cells(size: int, virtual: float, window: float, position: float) -> tuple[float, ...]:
    """What the vertical scrollbar draws, in eighths of a cell, as ScrollBarRender.render_bar works it out."""
    window = window if window < virtual else 0
    virtual, window = ceil(virtual), ceil(window)
    if not (window and size and virtual and size != virtual) or virtual == window:
        return (size, virtual, window)
    eighths = len(ScrollBarRender.VERTICAL_BARS)
    thumb = max(1, window / (virtual / size))
    start = int((size - thumb) * (position / (virtual - window)) * eighths)
    return (size, start, start + ceil(thumb * eighths))


@dataclass(frozen=True)
class LogStats:
    """What the status line shows: nothing is dropped or hidden silently."""

    shown: int
    held: int
    dropped: int
    new_while_paused: int
    follow: bool
    paused: bool
    filtered: bool


class LogView(ScrollView, can_focus=True):
    """Scrollable, filterable view of a LogRing with error colouring and search highlight."""

    DEFAULT_CSS = """
    LogView {
        background: $surface;
        color: $foreground;
        scrollbar-gutter: stable;
    }

    LogView > .log-view--error {
        color: $error;
    }

    LogView > .log-view--warning {
        color: $warning;
    }

    LogView > .log-view--match {
        background: $accent 40%;
        text-style: bold;
    }

    LogView > .log-view--timestamp {
        color: $text-muted;
    }

    LogView > .log-view--cursor {
        background: $primary 30%;
    }
    """

    COMPONENT_CLASSES = {
        "log-view--error",
        "log-view--warning",
        "log-view--match",
        "log-view--timestamp",
        "log-view--cursor",
    }

    HELP_BINDINGS = [
        Binding("up,down,pageup,pagedown", "", "Scroll (up turns follow off)"),
        Binding("home", "", "First line (follow off)"),
        Binding("end", "", "Last line (follow on)"),
    ]

    follow: var[bool] = var(True)
    show_timestamps: var[bool] = var(False)
    wrap: var[bool] = var(False)

    def __init__(self, capacity: int = DEFAULT_CAPACITY, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ring = LogRing(capacity)
        self._limit: int | None = None
        self._search: re.Pattern[str] | None = None
        self._cursor: int | None = None  # sequence number of the line the last jump landed on
        # Not Textual's LRUCache: clearing its linked ring (every redraw of all lines) leaves reference
        # cycles of strips for the garbage collector, and its pauses stall frames while logs stream in.
        self._strips: OrderedDict[int, Strip] = OrderedDict()
        self._styles: dict[str, Style] | None = None
        self._rows: tuple[tuple, list[Strip]] | None = None
        self._frame: tuple[Style, int, int, int, int, int] = (Style(), 0, 0, 0, 0, 0)

    # ---- feeding -------------------------------------------------------------
    def append(self, lines: list[tuple[datetime | str | None, str]], skipped: int = 0) -> None:
        """Add ``(timestamp, text)`` lines (see ``append_columns``)."""
        self.append_columns([stamp for stamp, _ in lines], [text for _, text in lines], skipped)

    def append_columns(self, stamps: list[datetime | str | None], texts: list[str], skipped: int = 0) -> None:
        """Add lines as their timestamps and texts; older lines fall off the ring and are counted.

        ``skipped``: lines before these that were never held (more than the ring keeps), counted as dropped.
        Only what changed on screen is repainted: paused, or reading above the end with follow off, the
        shown lines stay as they are and only the scrollbar moves.
        """
        ring = self.ring
        before = ring.count(self._limit)
        top = int(self.scroll_y)
        anchor = None
        if not self.follow and before:
            anchor = ring.seq_at(min(top, before - 1))
        first = ring.first_seq
        ring.extend_columns(stamps, texts, skipped)
        after = ring.count(self._limit)
        moved = ring.first_seq != first
        self._sync(repaint=after != before and (self.follow or moved or before < top + self.size.height))
        if anchor is not None:
            # Keep the lines being read in place while older ones fall off the ring.
            self._scroll_y_to(ring.index_of(anchor))

    def clear(self) -> None:
        self.ring.clear()
        self._cursor = None
        self._strips.clear()
        self._sync()

    @property
    def paused(self) -> bool:
        return self._limit is not None

    def set_paused(self, paused: bool) -> None:
        """Freeze what is shown; lines keep arriving in the ring and show on resume."""
        self._limit = self.ring.next_seq if paused else None
        self._sync()

    def texts(self) -> list[str]:
        """The shown lines (filtered, as of a pause) as text, timestamps included when shown."""
        return list(self.ring.texts(self._limit, timestamps=self.show_timestamps))

    def stats(self) -> LogStats:
        ring = self.ring
        return LogStats(
            shown=ring.count(self._limit),
            held=ring.total,
            dropped=ring.dropped,
            new_while_paused=ring.next_seq - self._limit if self._limit is not None else 0,
            follow=self.follow,
            paused=self.paused,
            filtered=ring.filtered,
        )

    # ---- filter, search, jumps ---------------------------------------------
    def set_filter(self, pattern: str, regex: bool = False) -> None:
        """Show only matching lines; ValueError for a bad regex (nothing changes then)."""
        self.ring.set_filter(pattern, regex)
        self._cursor = None
        self._invalidate()
        self._sync(force_end=self.follow)

    def set_search(self, pattern: str, regex: bool = False) -> None:
        """Highlight matches of ``pattern`` (ValueError for a bad regex)."""
        self._search = compile_pattern(pattern, regex) if pattern else None
        self._invalidate()

    def next_match(self, forward: bool = True) -> bool:
        if self._search is None:
            return False
        return self._jump(self._search.search, forward)

    def next_error(self, forward: bool = True) -> bool:
        return self._jump(lambda text: level_of(text) == "error", forward)

    def _jump(self, predicate: Callable[[str], object], forward: bool) -> bool:
        ring = self.ring
        if self._cursor is not None and self._cursor >= ring.first_seq:
            start = ring.index_of(self._cursor)
        else:
            start = int(self.scroll_y) - 1 if forward else int(self.scroll_y) + self.size.height
        index = ring.find(start, forward, predicate, self._limit)
        if index is None:
            return False
        self.follow = False
        self._cursor = ring.seq_at(index)
        self._invalidate()
        target = index if self.wrap else max(0, index - self.size.height // 2)
        self._scroll_y_to(target)
        return True

    def cursor_text(self) -> str | None:
        """The line the last jump landed on, while it is still held."""
        if self._cursor is None or self._cursor < self.ring.first_seq:
            return None
        return self.ring.entry(self.ring.index_of(self._cursor)).text

    # ---- what `y` copies: the selection, the line at the cursor, else the lines on screen ----------------
    def shown_line(self, index: int) -> str:
        """The shown line ``index`` as it reads on screen: printable, with its timestamp column when shown."""
        entry = self.ring.entry(index)
        text = printable(entry.text)
        return f"{entry.timestamp or '-':<20} {text}" if self.show_timestamps else text

    def cursor_line(self) -> str | None:
        """The line at the cursor (a jump's or a click's) as shown, while it is shown."""
        ring = self.ring
        if self._cursor is None or self._cursor < ring.first_seq:
            return None
        index = ring.index_of(self._cursor)
        return self.shown_line(index) if 0 <= index < ring.count(self._limit) else None

    def screen_lines(self) -> list[str]:
        """The lines on screen now (each whole, as shown), top to bottom."""
        width, height = self.scrollable_content_region.size
        if self.wrap:  # the lines the wrapped rows come from
            rows = {offset[1] for offset in map(_offset_of, self._wrapped_rows(width, height)) if offset is not None}
            return [self.shown_line(i) for i in sorted(rows)]
        top = int(self.scroll_y)
        return [self.shown_line(i) for i in range(top, min(self.ring.count(self._limit), top + height))]

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected text (mouse drag): only the selected lines are read from the ring, as shown."""
        count = self.ring.count(self._limit)
        start, end = selection
        first = 0 if start is None else start.y
        last = count - 1 if end is None else min(end.y, count - 1)
        if first > last:
            return None
        rows = [self.shown_line(i) for i in range(first, last + 1)]
        within = Selection(None if start is None else Offset(start.x, 0),
                           None if end is None or end.y > last else Offset(end.x, last - first))
        return within.extract("\n".join(rows)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self._rows = None
        self._refresh_lines()

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on that line (``y`` copies it, ``e`` / ``n`` go on from it)."""
        offset = event.style.meta.get("offset") if event.style else None
        if offset is None or not 0 <= offset[1] < self.ring.count(self._limit):
            return
        self.follow = False
        self._cursor = self.ring.seq_at(offset[1])
        self._invalidate()

    # ---- reactive toggles --------------------------------------------------
    def watch_follow(self, follow: bool) -> None:
        if follow:
            self._cursor = None
            self._invalidate()
            self._sync(force_end=True)

    def watch_show_timestamps(self) -> None:
        self._invalidate()
        self._sync()

    def watch_wrap(self) -> None:
        self._invalidate()
        self._sync(force_end=self.follow)

    # ---- user scrolling turns follow off, End turns it back on ----------------
    def action_scroll_up(self) -> None:
        self.follow = False
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self.follow = False
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self.follow = False
        super().action_scroll_home()

    def action_scroll_end(self) -> None:
        self.follow = True

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self.follow = False  # then ScrollView's own handler scrolls (Textual calls both)

    # ---- rendering -----------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._invalidate()

    def on_resize(self) -> None:
        self._rows = None
        self._sync()

    def _invalidate(self) -> None:
        self._strips.clear()
        self._rows = None
        self.refresh()

    def _sync(self, force_end: bool = False, repaint: bool = True) -> None:
        count = self.ring.count(self._limit)
        if self.wrap:
            width = self.scrollable_content_region.width
        else:
            width = self.ring.max_width + (21 if self.show_timestamps else 0)
        end = None
        if repaint and (self.follow or force_end) and not self.paused:
            end = max(0, count - self.scrollable_content_region.height)
        self._set_virtual_size(Size(width, count), end)
        if not repaint:
            return
        self._rows = None
        if end is not None:
            self._scroll_y_to(end)
        self._refresh_lines()

    def _set_virtual_size(self, size: Size, end: int | None = None) -> None:
        """Grow the scrollable area without a screen layout, unless a scrollbar appears or goes.

        ``virtual_size`` is a layout reactive: assigning it on every batch would re-lay out (and
        repaint) the whole screen 20 times a second while lines stream in. Nor is a scrollbar repainted
        that did not change: the horizontal one, drawn cell by cell, cost more bytes than the log lines.
        """
        old = self.virtual_size
        if size == old:
            return
        view = self.container_size
        if (old.height > view.height) != (size.height > view.height) or \
                (old.width > view.width) != (size.width > view.width):
            self.virtual_size = size
            return
        # What textual_compat.resize_without_layout does, with public API only: a scrollbar repaints only
        # when what it shows changed (its window's width; the vertical thumb's cells).
        self.set_reactive(ScrollView.virtual_size, size)
        self._place_thumb(virtual=size.height, position=end)  # where the view is about to scroll to, if it does
        if self.show_horizontal_scrollbar:
            self.horizontal_scrollbar.window_virtual_size = size.width
        if self.scroll_x > self.max_scroll_x or self.scroll_y > self.max_scroll_y:
            self.scroll_x, self.scroll_y = min(self.scroll_x, self.max_scroll_x), min(self.scroll_y, self.max_scroll_y)
            self.scroll_target_x, self.scroll_target_y = self.scroll_x, self.scroll_y

    def _refresh_lines(self) -> None:
        """Repaint the lines, not the scrollbars (those are drawn cell by cell, and only when they change)."""
        self.refresh(Region(0, 0, *self.scrollable_content_region.size))

    def _place_thumb(self, *, position: float | None = None, virtual: int | None = None) -> None:
        """Give the vertical scrollbar a new position or virtual height, repainting it only if its thumb moves."""
        if not self.show_vertical_scrollbar:
            return
        bar = self.vertical_scrollbar
        position = bar.position if position is None else position
        virtual = bar.window_virtual_size if virtual is None else virtual
        drawn = _thumb_cells(bar.size.height, bar.window_virtual_size, bar.window_size, bar.position)
        if _thumb_cells(bar.size.height, virtual, bar.window_size, position) == drawn:
            bar.set_reactive(ScrollBar.position, position)
            bar.set_reactive(ScrollBar.window_virtual_size, virtual)
            return
        bar.window_virtual_size = virtual
        bar.position = position

    def _scroll_y_to(self, y: int) -> None:
        """Scroll now, even before the first layout has enabled the scrollbar (scroll_to would refuse).

        What ScrollView's scroll_y watcher does, but the scrollbar is repainted only when its thumb moves
        (following the end, it rarely does) and only the lines are refreshed.
        """
        y = min(max(0, y), max(0, self.max_scroll_y))
        old = self.scroll_y
        self.set_reactive(ScrollView.scroll_target_y, float(y))
        self.set_reactive(ScrollView.scroll_y, float(y))
        self._place_thumb(position=y)
        if round(old) != y:
            self._refresh_lines()

    def _style_map(self) -> dict[str, Style]:
        if self._styles is None:
            base = self.rich_style
            self._styles = {"": base}
            for name in ("error", "warning", "match", "timestamp", "cursor"):
                self._styles[name] = base + self.get_component_rich_style(f"log-view--{name}", partial=True)
        return self._styles

    def _line_strip(self, index: int) -> Strip:
        """One whole log line as a strip (uncropped), cached by sequence number."""
        seq = self.ring.seq_at(index)
        cached = self._strips.get(seq)
        if cached is not None:
            self._strips.move_to_end(seq)
            return cached
        entry = self.ring.entry(index)
        styles = self._style_map()
        text = printable(entry.text)
        style = styles[level_of(entry.text)]
        if seq == self._cursor:
            style = style + styles["cursor"]
        segments: list[Segment] = []
        if self.show_timestamps:
            segments.append(Segment(f"{entry.timestamp or '-':<20} ", styles["timestamp"]))
        if self._search is not None:
            position = 0
            for match in self._search.finditer(text):
                start, end = match.span()
                if end == start:
                    continue
                if start > position:
                    segments.append(Segment(text[position:start], style))
                segments.append(Segment(text[start:end], style + styles["match"]))
                position = end
            if position < len(text):
                segments.append(Segment(text[position:], style))
        else:
            segments.append(Segment(text, style))
        strip = Strip(segments)
        self._strips[seq] = strip
        if len(self._strips) > STRIP_CACHE_SIZE:
            self._strips.popitem(last=False)
        return strip

    def render_lines(self, crop: Region) -> list[Strip]:
        """Work out once per frame what every line needs (style, size, scroll, count)."""
        region = self.scrollable_content_region
        self._frame = (self._style_map()[""], region.width, region.height, self.ring.count(self._limit),
                       int(self.scroll_x), int(self.scroll_y))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        base, width, height, count, scroll_x, scroll_y = self._frame
        if self.wrap:
            rows = self._wrapped_rows(width, height)
            row = rows[y] if y < len(rows) else Strip.blank(width, base)
            return row.extend_cell_length(width, base)
        index = scroll_y + y
        if index >= count:
            return Strip.blank(width, base)
        return self._shown_strip(index).crop_extend(scroll_x, scroll_x + width, base).apply_offsets(scroll_x, index)

    def _wrapped_rows(self, width: int, height: int) -> list[Strip]:
        """The screen's rows with long lines wrapped: from the top line, or up from the end when following."""
        count = self.ring.count(self._limit)
        top = int(self.scroll_y)
        at_end = top >= count - height
        key = (top, width, height, count if at_end else -1)
        if self._rows is not None and self._rows[0] == key:
            return self._rows[1]
        rows: list[Strip] = []
        width = max(1, width)
        if at_end:
            index = count - 1
            while index >= 0 and len(rows) < height:
                rows[0:0] = self._divide(self._shown_strip(index), width, index)
                index -= 1
            rows = rows[-height:]
        else:
            index = top
            while index < count and len(rows) < height:
                rows.extend(self._divide(self._shown_strip(index), width, index))
                index += 1
            rows = rows[:height]
        self._rows = (key, rows)
        return rows

    def _shown_strip(self, index: int) -> Strip:
        """The line's strip with the part the mouse selected highlighted (never cached: selections move)."""
        strip = self._line_strip(index)
        selection = self.text_selection
        span = selection.get_span(index) if selection is not None else None
        if span is None:
            return strip
        length = strip.cell_length
        start, end = min(span[0], length), length if span[1] == -1 else min(span[1], length)
        if end <= start:
            return strip
        before, chosen, after = strip.divide([start, end, length]) if end < length else (
            *strip.divide([start, length]), Strip([]))
        selected = self.screen.get_component_rich_style("screen--selection")
        return Strip.join([before, chosen.apply_style(selected), after])

    @staticmethod
    def _divide(strip: Strip, width: int, index: int) -> Sequence[Strip]:
        """A line cut into rows of ``width``, each marked with where it starts (for mouse selection)."""
        length = strip.cell_length
        if length <= width:
            return [strip.apply_offsets(0, index)]
        parts = strip.divide([*range(width, length, width), length])  # cut positions, the end included
        return [part.apply_offsets(row * width, index) for row, part in enumerate(parts)]


def _offset_of(strip: Strip) -> tuple[int, int] | None:
    """Where a row of the view starts in its line: (column, line index), as ``apply_offsets`` marked it."""
    for segment in strip:
        if segment.style is not None and segment.style.meta.get("offset") is not None:
            return tuple(segment.style.meta["offset"])
    return None
