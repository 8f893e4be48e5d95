"""The headless command line: `wbtui COMMAND ...`.

Each command group lives in its own module with a ``register(subparsers)``
function; modules import their client libraries inside the command, so
``wbtui --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import sys
from typing import Any, NoReturn

from .. import __version__
from .context import EXIT_USAGE, CliError, Context

COMMAND_MODULES = (
    "setup_cmd", "ui_cmd", "config_cmd", "render_cmd", "check_cmd", "ack_cmd", "bucket_cmd", "runtime_cmd",
    "health_cmd", "diagnose_cmd",
)


class _Parser(argparse.ArgumentParser):
    """Exit 2 on usage errors; and no abbreviated options: `--rev` read as `--reveal` showed the secrets,
    `--y` would have meant `--yes`. Nested subcommands get this class too (argparse's default)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:  # usage errors exit 2 with help hint
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="wbtui",
        description="Operator console for self-hosted W&B Server. "
        "Without a command, opens the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"wbtui {__version__}")
    parser.add_argument("--config", metavar="FILE", help="config file (default: "
                        "$XDG_CONFIG_HOME/wbtui/config.toml)")
    parser.add_argument("--read-only", action="store_true",
                        help="refuse every action that changes something")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


EXIT_PIPE_CLOSED = 141
"""128 + SIGPIPE: what a shell reports for cat or ls when the reader of their output went away."""


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code. A closed output pipe (``wbtui config show | head -1``) ends the
    command quietly with EXIT_PIPE_CLOSED, as coreutils end: `set -o pipefail` scripts see what they see
    with cat, and the output was cut short, so it is no success."""
    _keep_undecodable_bytes()
    try:
        try:
            return _dispatch(argv)
        finally:
            sys.stdout.flush()  # output still in the buffer meets the closed pipe here, not at exit
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_PIPE_CLOSED


def _keep_undecodable_bytes() -> None:
    """Print a path or name holding bytes that are not UTF-8 (a surrogate-escaped argument) as those
    bytes, as Python does in the C locale, instead of failing on it."""
    if isinstance(sys.stdout, io.TextIOWrapper) and sys.stdout.errors == "strict":
        sys.stdout.reconfigure(errors="surrogateescape")


def _stdout_to_devnull() -> None:
    """Python flushes stdout again at exit; into /dev/null that cannot fail and print a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _dispatch(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    ctx = Context.from_args(args)
    func = getattr(args, "func", None)
    if func is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            parser.print_help()
            return 0
        from .ui_cmd import cmd_dashboard

        func = cmd_dashboard
    try:
        return int(func(ctx, args) or 0)
    except CliError as exc:
        ctx.error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        ctx.error("interrupted")
        return 130


def run() -> None:
    sys.exit(main())
