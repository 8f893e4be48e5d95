"""How the setup shows paths: under the home directory as ``~/...`` (shorter, and the same on every machine)."""

from __future__ import annotations

import os


def tilde(text: str) -> str:
    """``text`` with the home directory of every path in it written as ``~``."""
    home = os.path.expanduser("~").rstrip(os.sep)
    return text.replace(home + os.sep, "~" + os.sep) if home else text
