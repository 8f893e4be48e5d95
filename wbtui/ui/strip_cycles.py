"""Keep Textual's strips from caching themselves, so every frame's strips die by reference counting.

Textual (8.x) stores a strip inside its own cache on two paths that every frame takes:
``Strip.divide`` when the only cut is the strip's end (the result is ``[self]``) and
``Strip.crop_extend`` when the strip already spans the asked range (the result is ``self``).
Each such strip becomes a reference cycle, with its seven caches and their dicts, that only the
cyclic garbage collector can free. While logs stream in that is tens of thousands of objects a
second, and a collection pause of 300 ms or more every few seconds: keys feel stuck.

Both results cost nothing to recompute, so the wrappers return them without caching; every other
case goes to Textual's own method unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.style import Style
from textual.strip import Strip

_divide = Strip.divide
_crop_extend = Strip.crop_extend


def _divide_without_self_cycle(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cell_length = self.cell_length
    cuts = [cut for cut in cuts if cut <= cell_length]
    if cuts == [cell_length]:
        return [self]
    return _divide(self, cuts)


def _crop_extend_without_self_cycle(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    if start <= 0 and end == self.cell_length:
        return self
    return _crop_extend(self, start, end, style)


def install() -> None:
    """Patch ``Strip`` once per process (idempotent)."""
    Strip.divide = _divide_without_self_cycle  # type: ignore[method-assign]
    Strip.crop_extend = _crop_extend_without_self_cycle  # type: ignore[method-assign]
