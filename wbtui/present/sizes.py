"""Byte counts as people read them: 512 B, 1.5 KiB, 2.0 GiB."""

from __future__ import annotations

from . import UNKNOWN


def size(num: float | None) -> str:
    """Binary units with one decimal (whole bytes below 1 KiB); ``-`` when unknown."""
    if num is None:
        return UNKNOWN
    value = float(num)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"
