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


FIRST_FRAME_CSS = "app.tcss"


def first_frame_css() -> list[Path]:
    """The stylesheet the first frame needs (frame, Overview); parsing less makes it appear sooner."""
    return [css_dir() / FIRST_FRAME_CSS]


def later_css() -> list[Path]:
    """Every other stylesheet (panes, dialogs), loaded once the first frame is on screen."""
    return [path for path in css_files() if path.name != FIRST_FRAME_CSS]
