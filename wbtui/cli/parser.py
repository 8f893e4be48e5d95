"""The parser class of every wbtui command line (imported only when a parser is built)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn


class Parser(argparse.ArgumentParser):
    """Exit 2 on usage errors; and no abbreviated options: `--rev` read as `--reveal` showed the secrets,
    `--y` would have meant `--yes`. Nested subcommands get this class too (argparse's default), and with
    it the global options, so they are taken before the command, after it or between its words."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        add_global_options(self)

    def error(self, message: str) -> NoReturn:  # usage errors exit 2 with help hint
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise UsageError(message)


class UsageError(SystemExit):
    """A command line the parser refused: exit 2, as argparse's own; ``message`` for --json's error object."""

    def __init__(self, message: str) -> None:
        from .context import EXIT_USAGE

        super().__init__(EXIT_USAGE)
        self.message = message


def profile_name(text: str) -> str:
    """argparse type for --profile: a name that can be a profile's file (profiles.NAME_RULE)."""
    from ..config.profiles import ProfileError, check_name

    try:
        return check_name(text)
    except ProfileError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """--config, --profile and --read-only, each its own action per parser (a shared one would share its
    default, and the top-level's would then overwrite a value given before the command)."""
    group = parser.add_argument_group("global options (before or after the command)")
    group.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS,
                       help="config file (default: $WBTUI_CONFIG, else $XDG_CONFIG_HOME/wbtui/config.toml)")
    group.add_argument("--profile", metavar="NAME", type=profile_name, default=argparse.SUPPRESS,
                       help="the config file of profile NAME (default: $WBTUI_PROFILE; see wbtui profile list)")
    group.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                       help="refuse every action that changes something")
