"""Every use of Textual's private attributes, in one place, each guarded by the Textual it was read against.

Textual is pinned (pyproject). What is patched or read here was verified on ``VERIFIED_TEXTUAL``; on any
other Textual each patch stands aside and Textual's own behaviour runs (correct, only slower or less
tidy), while tests/test_ui_textual_compat.py fails: it checks the installed version and pins the source
of everything patched or read here, so a Textual upgrade is re-verified rather than trusted.

- ``keep_strips_acyclic``: ``Strip.divide`` / ``Strip.crop_extend`` without self-caching reference cycles.
- ``draw_without_skipping``: a screen's frame timer (``Screen._update_timer``) no longer skips a slot.
- ``repaint_what_a_reflow_removes``: ``Compositor.reflow`` also diffs against the previous reflow's map, so
  a widget removed in between (an expired toast) is repainted away.
- ``write_only_what_changed``: ``ChopsUpdate.render_segments`` writes a partial update from the first dirty
  cell, not from the left edge of the widget that holds it.
- ``render_only_what_changed``: ``Compositor._get_renders`` renders, for a partial update, the widgets under
  the dirty area and only its rows, not every widget whose parent's area it touches.
- ``resize_without_layout``: ``Widget._scroll_update``, a new virtual size and its scrollbars, no layout.
- ``exit_requested``: no private read (``App.return_code``), but a timing Textual does not document.
- ``own_bindings``: a widget's own bindings for a key (``DOMNode._bindings``), for ``OrderedInput``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from weakref import WeakKeyDictionary

import textual
from rich.cells import get_character_cell_size
from rich.console import Console
from rich.control import Control
from rich.style import Style
from textual._compositor import ChopsUpdate, Compositor, CompositorMap, ReflowResult
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.geometry import Region, Size
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

VERIFIED_TEXTUAL = ("8.2.8",)


@cache
def verified() -> bool:
    """True when the installed Textual is one the code below was verified on.

    A stat per version next to the package: ``importlib.metadata`` would add 12 ms to the first frame.
    """
    site = Path(textual.__file__).resolve().parent.parent
    return any((site / f"textual-{version}.dist-info").is_dir() for version in VERIFIED_TEXTUAL)


# ---- strips that cache themselves -------------------------------------------------------------
# Textual stores a strip inside its own cache on two paths that every frame takes: ``Strip.divide``
# when the only cut is the strip's end (the result is ``[self]``) and ``Strip.crop_extend`` when the
# strip already spans the asked range (the result is ``self``). Each such strip becomes a reference
# cycle, with its seven caches and their dicts, that only the cyclic garbage collector can free. While
# logs stream in that is tens of thousands of objects a second, and a collection pause of 300 ms or more
# every few seconds: keys feel stuck. Both results cost nothing to recompute, so the replacements return
# them without caching; every other case goes to Textual's own method unchanged.

textual_divide = Strip.divide
textual_crop_extend = Strip.crop_extend


def _divide_without_self_cycle(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cell_length = self.cell_length
    cuts = [cut for cut in cuts if cut <= cell_length]
    if cuts == [cell_length]:
        return [self]
    return textual_divide(self, cuts)


def _crop_extend_without_self_cycle(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    if start <= 0 and end == self.cell_length:
        return self
    return textual_crop_extend(self, start, end, style)


def keep_strips_acyclic() -> None:
    """Replace the two ``Strip`` methods once per process (idempotent)."""
    if verified():
        Strip.divide = _divide_without_self_cycle  # type: ignore[method-assign]
        Strip.crop_extend = _crop_extend_without_self_cycle  # type: ignore[method-assign]


# ---- the frame timer ------------------------------------------------------------------------------
def draw_without_skipping(screen: Screen) -> None:
    """A change on ``screen`` is drawn as soon as the app is idle, not one frame slot later.

    Textual's frame timer, when it resumes after a pause (after every idle moment), skips one grid slot
    too many (``Timer._skip``): a key pressed just after a frame waited 17-33 ms for its own frame.
    Frames still happen only when something changed (the timer pauses after each one).
    """
    if verified():
        screen._update_timer._skip = False


# ---- the compositor's map ------------------------------------------------------------------------
# ``Compositor.reflow`` marks dirty what changed between its new map and ``_full_map``. But ``_full_map``
# is also rebuilt lazily (the ``full_map`` property, read by ``widget.region`` and mouse hit tests) and a
# scroll (``reflow_visible``) updates only ``_visible_map``. A widget removed between two reflows (an
# expired toast) is missing from the rebuilt map, so the reflow sees no change where it was and the
# terminal keeps it painted over panes and dialog buttons. The replacement diffs against the map of the
# previous reflow as well (newer maps win), so what left the screen is repainted.

textual_reflow = Compositor.reflow
_last_reflow: WeakKeyDictionary[Compositor, CompositorMap] = WeakKeyDictionary()


def _reflow_against_what_was_painted(self: Compositor, parent: Widget, size: Size) -> ReflowResult:
    self._full_map = {**_last_reflow.get(self, {}), **self._full_map, **(self._visible_map or {})}
    result = textual_reflow(self, parent, size)
    _last_reflow[self] = self._full_map
    return result


def repaint_what_a_reflow_removes() -> None:
    """Replace ``Compositor.reflow`` once per process (idempotent)."""
    if verified():
        Compositor.reflow = _reflow_against_what_was_painted  # type: ignore[method-assign]


# ---- partial updates ----------------------------------------------------------------------------
# A partial frame is a list of dirty spans per screen row. Textual crops each widget's piece of a row ("chop")
# at the span's end but writes it from the chop's own start (a "TODO: crop to x extents" in its source), so a
# changed cell in the middle of a box resends the box's border and every cell before it, with their styles.
# The replacement writes each piece from the span's first cell to its end (both moved out to whole characters
# where a wide one straddles them). The screen ends up the same; the terminal receives only the dirty cells.

textual_render_segments = ChopsUpdate.render_segments


def _whole_characters(strip: Strip, start: int, stop: int) -> tuple[int, int]:
    """``start`` moved back and ``stop`` on to where characters of ``strip`` begin (never inside a wide one)."""
    position = 0
    first = None
    for segment in strip:
        for character in segment.text:
            width = get_character_cell_size(character)
            if first is None and position + width > start:
                first = position
            if position >= stop and width:
                return first if first is not None else position, position
            position += width
    return first if first is not None else position, position


def _render_dirty_cells(self: ChopsUpdate, console: Console) -> str:
    sequences: list[str] = []
    append = sequences.append
    move_to = Control.move_to
    last_y = self.spans[-1][0]
    for y, x1, x2 in self.spans:
        for end, (x, strip) in zip(self.chop_ends[y], self.chops[y].items(), strict=False):
            if strip is None or x >= x2 or end <= x1:
                continue
            start = 0
            if x < x1 or end > x2:  # a piece of the chop: from and to whole characters
                start, stop = _whole_characters(strip, max(0, x1 - x), min(end, x2) - x)
                strip = strip.crop(start, stop)
            append(move_to(x + start, y).segment.text)
            append(strip.render(console))
        if y != last_y:
            append("\n")
    return "".join(sequences)


def write_only_what_changed() -> None:
    """Replace ``ChopsUpdate.render_segments`` once per process (idempotent)."""
    if verified():
        ChopsUpdate.render_segments = _render_dirty_cells  # type: ignore[method-assign]


# A partial frame renders what ``Compositor._get_renders(crop)`` yields, ``crop`` being the box around the dirty
# regions. Textual picks the widgets whose *clip* (their container's visible area) overlaps it, so the footer,
# the top bar and every widget whose parent is the screen are rendered on every frame, wherever the change is,
# each costing its style lookups; and each widget renders all its lines although only the crop's are used.
# The replacement yields the widgets whose visible area overlaps the crop, each for the crop's rows only (the
# region it yields is that band, so ``_render_chops`` lines its strips up as before). A full update (the crop
# is the screen) takes Textual's own path.

textual_get_renders = Compositor._get_renders


def _renders_under(self: Compositor, crop: Region | None = None) -> Iterable[tuple[Region, Region, list[Strip]]]:
    if crop is None or crop.contains_region(self.size.region):
        yield from textual_get_renders(self, crop)
        return
    for widget, (region, clip) in list(self.visible_widgets.items()):
        visible = region.intersection(clip)
        if not crop.overlaps(visible):
            continue
        band = visible.intersection(Region(visible.x, crop.y, visible.width, crop.height))
        yield band, band, widget.render_lines(Region(band.x - region.x, band.y - region.y, band.width,
                                                     band.height))


def render_only_what_changed() -> None:
    """Replace ``Compositor._get_renders`` once per process (idempotent)."""
    if verified():
        Compositor._get_renders = _renders_under  # type: ignore[method-assign]


# ---- scrolling ------------------------------------------------------------------------------------
def resize_without_layout(widget: Widget, virtual_size: Size) -> None:
    """Give ``widget`` a new virtual size and size its scrollbars for it, without laying out the screen.

    ``virtual_size`` is a layout reactive: assigning it re-lays out (and repaints) the whole screen.
    Call this only when no scrollbar appears or goes (that needs the layout).
    """
    if verified():
        widget.set_reactive(Widget.virtual_size, virtual_size)
        widget._scroll_update(virtual_size)
    else:
        widget.virtual_size = virtual_size  # the same result, at the cost of a layout


# ---- exiting --------------------------------------------------------------------------------------
def exit_requested(app: App) -> bool:
    """``app.exit()`` was called (or an error ends the app): work queued for later must not start.

    ``App.return_code`` is documented as None until the app has exited; Textual sets it when ``exit()``
    is called, which is the moment wanted here (it replaces a read of the private ``App._exit``).
    """
    return app.return_code is not None


# ---- a widget's own bindings ----------------------------------------------------------------------
textual_dom_init = DOMNode.__init__  # sets the instance's ``_bindings`` from the class's merged bindings


def own_bindings(node: DOMNode, key: str) -> tuple[Binding, ...]:
    """The bindings ``node`` itself declares (with its classes' inherited ones) for ``key``.

    Read from ``DOMNode._bindings``, the map Textual consults for the focused widget first. On a Textual
    this was not verified on: none, so every key takes Textual's own way (bound keys after typed ones).
    """
    if not verified():
        return ()
    return tuple(node._bindings.key_to_bindings.get(key, ()))
