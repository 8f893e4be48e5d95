"""What wbtui/ui/textual_compat.py patches or reads in Textual still is what it was verified on.

A Textual upgrade fails here, not silently at run time: the version check, the pinned source of every
patched or read thing, and the behaviour each patch exists for. After re-verifying a new Textual, add its
version to VERIFIED_TEXTUAL and update PINNED_SOURCES.

Rendering leaves no reference cycles behind (Textual strips must not cache themselves): cyclic garbage
is freed only by the garbage collector, whose pauses stall frames while logs stream in (bench_ui_logs.py
measures the latency this protects).
"""

from __future__ import annotations

import gc
import hashlib
import importlib.metadata
import inspect
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, Compositor
from textual.app import App, ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from tests.ui_support import make_app, ready
from wbtui.ui import textual_compat

textual_compat.keep_strips_acyclic()

TEXTS = st.lists(st.text(alphabet="ab 界x", min_size=1, max_size=8), min_size=1, max_size=5)

# sha256 (first 16 hex digits) of the source of what textual_compat relies on, as verified on Textual 8.2.8.
PINNED_SOURCES: dict[str, tuple[Callable[..., object], str]] = {
    "Strip.divide": (textual_compat.textual_divide, "f6764f25c39e144b"),
    "Strip.crop_extend": (textual_compat.textual_crop_extend, "5e83b1f823fcb361"),
    "Timer.__init__ (sets _skip)": (Timer.__init__, "8ca147ea690cee4b"),
    "Timer._run (reads _skip)": (Timer._run, "60c942a84c1a8765"),
    "Screen._update_timer": (Screen._update_timer.fget, "6736ab93692ef9ed"),
    "Widget._scroll_update": (Widget._scroll_update, "edb9f6257285830d"),
    "App.exit (sets return_code)": (App.exit, "d8c06b817ac8e36e"),
    "Compositor.reflow (diffs against _full_map)": (textual_compat.textual_reflow, "a08580a81a779473"),
    "Compositor.full_map (rebuilds _full_map)": (Compositor.full_map.fget, "cecfd00ffbfaf055"),
    "Compositor.reflow_visible (sets _visible_map)": (Compositor.reflow_visible, "cac5dbc453489329"),
    "DOMNode.__init__ (sets _bindings)": (textual_compat.textual_dom_init, "92386cf024a399a8"),
    "ChopsUpdate.render_segments (writes from each chop's start)": (textual_compat.textual_render_segments,
                                                                    "4c1cdb567e0b8354"),
}


@pytest.fixture
def unverified(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """textual_compat as it behaves on a Textual it was not verified on."""
    monkeypatch.setattr(textual_compat, "VERIFIED_TEXTUAL", ("0.0.0",))
    textual_compat.verified.cache_clear()
    yield
    textual_compat.verified.cache_clear()


# ---- the guard ------------------------------------------------------------------------------------
def test_the_installed_textual_is_one_the_patches_were_verified_on() -> None:
    assert importlib.metadata.version("textual") in textual_compat.VERIFIED_TEXTUAL
    assert textual_compat.verified()


@pytest.mark.parametrize("name", PINNED_SOURCES)
def test_what_is_patched_or_read_is_unchanged_since_it_was_verified(name: str) -> None:
    function, pinned = PINNED_SOURCES[name]
    digest = hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]
    assert digest == pinned, f"Textual changed {name}: re-verify its use in wbtui/ui/textual_compat.py"


def test_on_an_unverified_textual_the_patches_stand_aside(unverified: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert not textual_compat.verified()
    monkeypatch.setattr(Strip, "divide", textual_compat.textual_divide)
    monkeypatch.setattr(Strip, "crop_extend", textual_compat.textual_crop_extend)
    monkeypatch.setattr(Compositor, "reflow", textual_compat.textual_reflow)
    monkeypatch.setattr(ChopsUpdate, "render_segments", textual_compat.textual_render_segments)
    textual_compat.keep_strips_acyclic()
    textual_compat.repaint_what_a_reflow_removes()
    textual_compat.write_only_what_changed()
    assert Strip.divide is textual_compat.textual_divide
    assert Strip.crop_extend is textual_compat.textual_crop_extend
    assert Compositor.reflow is textual_compat.textual_reflow
    assert ChopsUpdate.render_segments is textual_compat.textual_render_segments


def test_the_guard_finds_the_version_next_to_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """verified() reads no metadata (12 ms of start-up): a dist-info folder of a verified version must be there."""
    package = tmp_path / "textual"
    package.mkdir()
    monkeypatch.setattr(textual_compat.textual, "__file__", str(package / "__init__.py"))
    textual_compat.verified.cache_clear()
    try:
        assert not textual_compat.verified()
        (tmp_path / f"textual-{textual_compat.VERIFIED_TEXTUAL[0]}.dist-info").mkdir()
        textual_compat.verified.cache_clear()
        assert textual_compat.verified()
    finally:
        textual_compat.verified.cache_clear()


# ---- strips that cache themselves -----------------------------------------------------------------
def make(texts: list[str]) -> Strip:
    return Strip([Segment(text, Style(bold=i % 2 == 0)) for i, text in enumerate(texts)])


def refers_to_itself(strip: Strip) -> bool:
    """True when one of the strip's caches holds the strip (a cycle only the collector frees)."""
    for cache in gc.get_referents(strip):
        for value in getattr(cache, "_cache", {}).values():
            if value is strip or (isinstance(value, list) and any(item is strip for item in value)):
                return True
    return False


def test_textual_alone_leaves_the_cycles_the_patch_removes() -> None:
    strip = make(["hello ", "world"])
    assert textual_compat.textual_divide(strip, [strip.cell_length]) == [strip]
    assert refers_to_itself(strip)


def test_dividing_at_the_end_returns_the_strip_without_caching_it() -> None:
    strip = make(["hello ", "world"])
    assert strip.divide([strip.cell_length]) == [strip]
    assert not refers_to_itself(strip)


def test_crop_extend_of_the_whole_strip_returns_it_without_caching_it() -> None:
    strip = make(["hello ", "world"])
    assert strip.crop_extend(0, strip.cell_length, None) is strip
    assert not refers_to_itself(strip)


@given(TEXTS, st.lists(st.integers(0, 45), max_size=4))
def test_divide_gives_what_textual_gives(texts: list[str], cuts: list[int]) -> None:
    strip, reference = make(texts), make(texts)
    cuts = [*sorted(set(cuts)), strip.cell_length]
    ours = strip.divide(cuts)
    theirs = textual_compat.textual_divide(reference, cuts)
    assert [(s.text, s.cell_length) for s in ours] == [(s.text, s.cell_length) for s in theirs]
    assert not refers_to_itself(strip)


@given(TEXTS, st.integers(-3, 40), st.integers(0, 45))
def test_crop_extend_gives_what_textual_gives(texts: list[str], start: int, end: int) -> None:
    strip, reference = make(texts), make(texts)
    pad = Style(italic=True)
    ours = strip.crop_extend(start, end, pad)
    theirs = textual_compat.textual_crop_extend(reference, start, end, pad)
    assert list(ours) == list(theirs)
    assert ours.cell_length == theirs.cell_length
    assert not refers_to_itself(strip)


# ---- the frame timer ------------------------------------------------------------------------------
async def test_a_change_is_drawn_without_waiting_for_a_frame_slot(tmp_path: Path) -> None:
    """Textual's frame timer skips one slot too many after each pause; the dashboard turns skipping off."""
    assert "self._skip" in inspect.getsource(Timer._run)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.screen._update_timer._skip is False


async def test_an_unverified_textual_keeps_its_frame_timer(unverified: None) -> None:
    class Bare(App[None]):
        def on_mount(self) -> None:
            textual_compat.draw_without_skipping(self.screen)

    app = Bare()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen._update_timer._skip is True


# ---- partial updates: only the dirty cells ----------------------------------------------------------
CHOP_TEXTS = st.lists(st.text(alphabet="ab 界x", min_size=1, max_size=6), min_size=1, max_size=4)
MOVE = re.compile(r"\x1b\[(\d+);(\d+)H")
STYLE = re.compile(r"\x1b\[[0-9;]*m")


def paint(canvas: list[list[str]], written: str) -> set[tuple[int, int]]:
    """Apply what a terminal received (cursor moves, styles, text) to ``canvas``; the cells it wrote."""
    touched: set[tuple[int, int]] = set()
    x = y = 0
    for piece in re.split(r"(\x1b\[\d+;\d+H)", STYLE.sub("", written)):
        move = MOVE.fullmatch(piece)
        if move:
            y, x = int(move.group(1)) - 1, int(move.group(2)) - 1
            continue
        for character in piece.replace("\n", ""):
            width = cell_len(character)
            canvas[y][x] = character
            touched.add((x, y))
            if width == 2:
                canvas[y][x + 1] = ""
                touched.add((x + 1, y))
            x += width
    return touched


def chops_update(texts: list[str], spans: list[tuple[int, int]]) -> tuple[ChopsUpdate, int]:
    """One screen row cut into chops, one per text (styled differently), and dirty spans on it."""
    strips = [make([text]) for text in texts]
    starts = [0]
    for strip in strips:
        starts.append(starts[-1] + strip.cell_length)
    chops = [dict(zip(starts[:-1], strips, strict=True))]
    return ChopsUpdate(chops, [(0, x1, x2) for x1, x2 in spans], [starts[1:]]), starts[-1]


@given(CHOP_TEXTS, st.integers(0, 30), st.integers(1, 30))
@settings(deadline=None)  # a loaded machine is slow, not wrong
def test_a_partial_update_writes_the_dirty_cells_and_little_else(texts: list[str], x1: int, length: int) -> None:
    update, width = chops_update(texts, [(x1, x1 + length)])
    console = Console(width=width + 2, force_terminal=True, color_system="truecolor", legacy_windows=False)
    truth = [["."] * (width + 2)]
    paint(truth, "\x1b[1;1H" + "".join(texts))
    ours = textual_compat._render_dirty_cells(update, console)
    on_top = [row[:] for row in truth]
    touched = paint(on_top, ours)
    assert on_top == truth  # every cell written holds what the screen shows there
    x2 = min(x1 + length, width)
    assert {(x, 0) for x in range(x1, x2)} <= touched  # the whole dirty span is written
    first = x1 - 1 if 0 < x1 < width and truth[0][x1] == "" else x1  # out to whole wide characters
    last = x2 + 1 if x2 < width and truth[0][x2] == "" else x2
    assert touched <= {(x, 0) for x in range(first, last)}
    assert len(ours) <= len(textual_compat.textual_render_segments(update, console)) + len("界")


def test_a_change_in_the_middle_of_a_chop_is_written_from_that_cell() -> None:
    update, width = chops_update(["│ /ready   ✔ 200 OK  12 ms    │"], [(21, 23)])
    console = Console(width=width, force_terminal=True, color_system="truecolor", legacy_windows=False)
    written = STYLE.sub("", textual_compat._render_dirty_cells(update, console))
    assert written == "\x1b[1;22H12"
    assert STYLE.sub("", textual_compat.textual_render_segments(update, console)) == "\x1b[1;1H│ /ready   ✔ 200 OK  12"


def test_a_wide_character_across_either_end_of_the_span_is_written_whole() -> None:
    update, width = chops_update(["ab界界cd"], [(3, 5)])  # cell 3 is the right half of a 界, cell 4 the left
    console = Console(width=width, force_terminal=True, color_system="truecolor", legacy_windows=False)
    assert STYLE.sub("", textual_compat._render_dirty_cells(update, console)) == "\x1b[1;3H界界"
    assert STYLE.sub("", textual_compat.textual_render_segments(update, console)) == "\x1b[1;1Hab界 "  # cut in two


# ---- scrolling without a layout -------------------------------------------------------------------
class Scrolled(ScrollView):
    def __init__(self) -> None:
        super().__init__()
        self.virtual_size = Size(10, 100)


class ScrollApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Scrolled()


@pytest.mark.parametrize("guard", ["verified", "unverified"])
async def test_resize_without_layout_sizes_the_scrollbar(guard: str, request: pytest.FixtureRequest) -> None:
    if guard == "unverified":
        request.getfixturevalue("unverified")
    app = ScrollApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        view = app.query_one(Scrolled)
        assert view.vertical_scrollbar.window_virtual_size == 100
        textual_compat.resize_without_layout(view, Size(10, 500))
        assert view.virtual_size == Size(10, 500)
        await pilot.pause()
        assert view.vertical_scrollbar.window_virtual_size == 500
        view.scroll_to(y=450, animate=False, immediate=True)
        assert view.scroll_y == 450  # the new height is scrollable at once


# ---- exiting --------------------------------------------------------------------------------------
async def test_exit_requested_is_true_as_soon_as_exit_is_called() -> None:
    seen: list[bool] = []

    class Quitting(App[None]):
        def on_mount(self) -> None:
            seen.append(textual_compat.exit_requested(self))
            self.exit()
            seen.append(textual_compat.exit_requested(self))

    async with Quitting().run_test() as pilot:
        await pilot.pause()
    assert seen == [False, True]
