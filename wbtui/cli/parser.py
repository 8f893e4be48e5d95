"""The parser class of every wbtui command line (imported only when a parser is built)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn


class Parser(argparse.ArgumentParser):
    """Exit 2 on usage errors; and no abbreviated options: `--rev` read as `--reveal` showed the secrets,
    `--y` would have meant `--yes`. Nested subcommands get this class too (argparse's default)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # usage errors exit 2 with help hint
        from .context import EXIT_USAGE

        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")
