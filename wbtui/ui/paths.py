"""Where the dashboard's stylesheet is: the repo's top-level css/, else package data."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def css_dir() -> Path:
    """``css/`` next to the package in a checkout; ``wbtui/_css`` when installed as a wheel."""
    checkout = _PACKAGE.parent / "css"
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_css"


def app_css() -> Path:
    """The dashboard's frame (top bar, pane bar, pane area); widgets carry their own styles."""
    return css_dir() / "app.tcss"
