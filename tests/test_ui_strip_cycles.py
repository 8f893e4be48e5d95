"""Rendering leaves no reference cycles behind: Textual strips must not cache themselves.

Cyclic garbage is freed only by the garbage collector, whose pauses stall frames while
logs stream in (bench_ui_logs.py measures the latency this protects).
"""

from __future__ import annotations

import gc

from hypothesis import given
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from wbtui.ui import strip_cycles

strip_cycles.install()

TEXTS = st.lists(st.text(alphabet="ab 界x", min_size=1, max_size=8), min_size=1, max_size=5)


def make(texts: list[str]) -> Strip:
    return Strip([Segment(text, Style(bold=i % 2 == 0)) for i, text in enumerate(texts)])


def refers_to_itself(strip: Strip) -> bool:
    """True when one of the strip's caches holds the strip (a cycle only the collector frees)."""
    for cache in gc.get_referents(strip):
        for value in getattr(cache, "_cache", {}).values():
            if value is strip or (isinstance(value, list) and any(item is strip for item in value)):
                return True
    return False


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
    theirs = strip_cycles._divide(reference, cuts)
    assert [(s.text, s.cell_length) for s in ours] == [(s.text, s.cell_length) for s in theirs]
    assert not refers_to_itself(strip)


@given(TEXTS, st.integers(-3, 40), st.integers(0, 45))
def test_crop_extend_gives_what_textual_gives(texts: list[str], start: int, end: int) -> None:
    strip, reference = make(texts), make(texts)
    pad = Style(italic=True)
    ours = strip.crop_extend(start, end, pad)
    theirs = strip_cycles._crop_extend(reference, start, end, pad)
    assert list(ours) == list(theirs)
    assert ours.cell_length == theirs.cell_length
    assert not refers_to_itself(strip)
