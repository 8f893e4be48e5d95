#!/usr/bin/env python3
"""Write man/wbtui.1, the manual page, from wbtui's parser (argparse-manpage) so it never says other than --help.

Usage: .venv/bin/python scripts/gen_manpage.py   (tests/test_manpage.py fails while the committed page differs)

The page keeps the date in its header while nothing else changed, so regenerating an unchanged page changes
nothing; a changed page gets today's date.
"""

from __future__ import annotations

import datetime
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "man" / "wbtui.1"
sys.path.insert(0, str(ROOT))



def exit_status() -> str:
    """The exit codes every command shares, numbered from wbtui's own constants."""
    from wbtui.cli import EXIT_PIPE_CLOSED
    from wbtui.cli.context import EXIT_FINDINGS, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE

    meanings = (
        (EXIT_OK, "success: the checks passed, the action was done."),
        (EXIT_FINDINGS, "a check failed, findings with errors, or an action failed."),
        (EXIT_USAGE, "usage error, or refused (read-only mode, no confirmation)."),
        (EXIT_UNREACHABLE, "the Docker daemon or the Kubernetes API server did not answer: the server's state is "
         "unknown."),
        (130, "interrupted (Ctrl-C)."),
        (EXIT_PIPE_CLOSED, r"the reader of the output went away (\fBwbtui config show | head -1\fR), as coreutils "
         "report it."),
    )
    rows = [f".TP\n.B {code}\n{text}" for code, text in meanings]
    return "\n".join(rows) + "\n.PP\nSome commands add their own (backup and restore: 3, not covered); see the README."


FILES = r"""
.TP
.I $XDG_CONFIG_HOME/wbtui/config.toml
the configuration (default \fI~/.config/wbtui/config.toml\fR), mode 0600, written atomically.
.TP
.I $XDG_CONFIG_HOME/wbtui/profiles/NAME.toml
the configuration of profile NAME.
"""

SEE_ALSO = r"""
\fBdocker\fR(1), \fBkubectl\fR(1), \fBsystemctl\fR(1); the README for what every command checks and why.
Shell completion: \fBwbtui completion bash|zsh|fish\fR.
"""


def manpage(date: str) -> str:
    """The page as the parser describes wbtui now, dated ``date`` (YYYY-MM-DD)."""
    os.environ["COLUMNS"] = "80"  # argparse wraps help text to the terminal: the page must not depend on it
    from argparse_manpage.manpage import Manpage

    from wbtui import __version__
    from wbtui.cli import build_parser

    page = Manpage(build_parser(), _data={
        "date": date, "project_name": "wbtui", "version": __version__, "manual_title": "User Commands",
        "description": "operator console for self-hosted W&B Server",
    })
    page.add_section("EXIT STATUS", "=", exit_status())
    page.add_section("FILES", "=", FILES.strip())
    page.add_section("SEE ALSO", "=", SEE_ALSO.strip())
    return str(page)


def page_date(text: str) -> str | None:
    """The date in a page's .TH header, or None."""
    match = re.search(r'^\.TH \S+ "\d+" "([^"]+)"', text, re.MULTILINE)
    return match.group(1).replace("\\-", "-") if match else None  # the header escapes '-' as roff does


def main() -> int:
    old = PAGE.read_text() if PAGE.exists() else ""
    date = page_date(old)
    if date is not None and manpage(date) == old:
        print(f"{PAGE.relative_to(ROOT)} is current")
        return 0
    PAGE.parent.mkdir(exist_ok=True)
    PAGE.write_text(manpage(datetime.date.today().isoformat()))
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
