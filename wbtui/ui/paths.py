"""Where the dashboard's stylesheets are: the repo's top-level css/, else package data."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def css_dir() -> Path:
    """``css/`` next to the package in a checkout; ``wbtui/_css`` when installed as a wheel."""
    checkout = _PACKAGE.parent / "css"
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_css"


def css_files() -> list[Path]:
    """All stylesheets in a stable order (base rules first, then one file per pane)."""
    return sorted(css_dir().glob("*.tcss"))
