"""man/wbtui.1 is what argparse-manpage makes of the parser now, and man renders it without a warning."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "man" / "wbtui.1"


def test_the_committed_page_is_what_the_parser_describes() -> None:
    """A new command, option or help text reaches the page: `.venv/bin/python scripts/gen_manpage.py`."""
    gen = runpy.run_path(str(ROOT / "scripts" / "gen_manpage.py"), run_name="gen_manpage")
    committed = PAGE.read_text()
    date = gen["page_date"](committed)
    assert date is not None
    assert gen["manpage"](date) == committed, "run: .venv/bin/python scripts/gen_manpage.py"


@pytest.mark.tools
@pytest.mark.skipif(shutil.which("man") is None, reason="man-db is not installed (scripts/test.sh installs it)")
def test_man_renders_every_command_and_the_exit_codes() -> None:
    env = {**os.environ, "MANWIDTH": "80", "MAN_KEEP_FORMATTING": "", "LANG": "C.UTF-8"}
    out = subprocess.run(["man", "--warnings", "-l", str(PAGE)], capture_output=True, text=True, timeout=60,
                         check=True, env=env)
    assert out.stderr == ""
    text = out.stdout
    for command in ("wbtui setup", "wbtui config", "wbtui upgrade", "wbtui completion", "wbtui metrics"):
        assert command in text
    assert "EXIT STATUS" in text and "usage error" in text
    assert max(len(line) for line in text.splitlines()) <= 80
