"""Hand the terminal to another program (a pager, a shell in the server) and take it back afterwards.

``App.suspend`` restores the terminal as it was before the dashboard started, runs the program in the
foreground, then puts the dashboard back and redraws it. Where there is no terminal to hand over (tests'
headless apps, `wbtui serve` in a browser) the caller says so instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from collections.abc import Mapping
from typing import Any

from textual.app import App, SuspendNotSupported

NO_TERMINAL = "there is no terminal to hand over here (a browser or headless session)"


def run_suspended(app: App[Any], argv: list[str]) -> int | None:
    """Run ``argv`` on the terminal with the dashboard suspended: its exit code, or None when the app cannot
    be suspended. OSError (no such program) is the caller's to explain."""
    if app.is_headless:
        return None
    try:
        with app.suspend():
            return subprocess.run(argv, check=False).returncode
    except SuspendNotSupported:
        return None


def pager(environ: Mapping[str, str] = os.environ) -> list[str] | None:
    """``$PAGER`` split as a shell would (``less -R``), else ``less``, else ``more``; None when there is none."""
    chosen = environ.get("PAGER", "").strip()
    if chosen:
        return shlex.split(chosen)
    for name in ("less", "more"):
        found = shutil.which(name)
        if found is not None:
            return [found]
    return None
