"""Rendered files shown as they will be written: every line whole, scrolled sideways, never wrapped.

A wrapped line breaks wherever the screen ends, inside a quoted argument or a YAML
value, and the reader copies half a token. Here a long line runs on to the right
(``tab`` to the text, then ``←``/``→`` or ``end``), as it does in the file.
"""

from __future__ import annotations

from .text_screen import TextScreen


class PreviewScreen(TextScreen):
    """The Config pane's previews (docker run, unit, manifests, ...): lines unwrapped, horizontal scroll."""

    DEFAULT_CSS = """
    PreviewScreen .text-body {
        overflow-x: auto;
    }

    PreviewScreen #preview-text {
        width: auto;
        text-wrap: nowrap;
    }
    """
