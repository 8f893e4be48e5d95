"""The headless command line: `wbtui COMMAND ...`.

Each command group lives in its own module with a ``register(subparsers)``
function; modules import their client libraries inside the command, so
``wbtui --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from .. import __version__
from .context import EXIT_USAGE, CliError, Context

COMMAND_MODULES = (
    "setup_cmd", "ui_cmd", "config_cmd", "render_cmd", "check_cmd", "ack_cmd", "bucket_cmd", "runtime_cmd",
    "health_cmd",
)


class _Parser(argparse.ArgumentParser):
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


def main(argv: list[str] | None = None) -> int:
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
