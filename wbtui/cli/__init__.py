"""The headless command line: `wbtui COMMAND ...`.

Each command group lives in its own module with a ``register(subparsers)``
function; modules import their client libraries inside the command, so
``wbtui --help`` stays fast. The dashboard (no command, or just `dashboard`, with
only the global options --config/--profile/--read-only around it) skips the parser altogether: building it
imports every command module (rich tables, asyncio, the checks), ~60 ms the
dashboard would pay before its first frame for nothing.
"""

from __future__ import annotations

import gc
import importlib
import io
import os
import sys
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

from .. import __version__

if TYPE_CHECKING:
    import argparse

# Not imported here: .context (rich's console, the config store), argparse and every command module. `wbtui` (the
# console script) imports this module before run() can lower the garbage collector's work for a dashboard
# start, so what it imports at module level is paid at the default GC thresholds.

COMMAND_MODULES = (
    "setup_cmd", "ui_cmd", "config_cmd", "render_cmd", "check_cmd", "ack_cmd", "bucket_cmd", "runtime_cmd",
    "health_cmd", "diagnose_cmd", "backup_cmd", "upgrade_cmd", "restore_cmd", "storage_cmd", "metrics_cmd",
    "completion_cmd",
    "shell_cmd",
    "profile_cmd",
)
COMMANDS: dict[str, str] = {
    "setup": "setup_cmd", "dashboard": "ui_cmd", "serve": "ui_cmd", "config": "config_cmd",
    "render": "render_cmd", "check": "check_cmd", "db": "check_cmd", "ack": "ack_cmd", "unack": "ack_cmd",
    "bucket": "bucket_cmd", "up": "runtime_cmd", "down": "runtime_cmd", "restart": "runtime_cmd",
    "start": "runtime_cmd", "stop": "runtime_cmd", "status": "runtime_cmd",
    "logs": "runtime_cmd", "service": "runtime_cmd", "probe": "health_cmd", "doctor": "health_cmd",
    "diagnose": "diagnose_cmd", "backup": "backup_cmd", "upgrade": "upgrade_cmd", "rollback": "upgrade_cmd",
    "restore": "restore_cmd", "storage": "storage_cmd", "metrics": "metrics_cmd",
    "completion": "completion_cmd",
    "shell": "shell_cmd",
    "profile": "profile_cmd",
}
"""Which module registers each command (tests/test_cli_startup.py keeps it complete): a command line naming
one gets a parser with only that module's commands, so `wbtui status` does not import the other nine."""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser for every command, or (``only``: a module of COMMAND_MODULES) for that module's commands."""
    from .parser import Parser

    parser = Parser(
        prog="wbtui",
        description="Operator console for self-hosted W&B Server. "
        "Without a command, opens the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"wbtui {__version__}")
    parser.set_defaults(config=None, profile=None, read_only=False)  # the global options (parser.Parser adds them)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMAND_MODULES if only is None else (only,):
        importlib.import_module(f"{__name__}.{name}").register(sub)
    return parser


def command_module(argv: list[str]) -> str | None:
    """The module of the command ``argv`` names after the top-level options; None when that is unclear (help,
    version, an unknown word, a bad option): the whole parser explains it."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in VALUED_GLOBALS:
            i += 2
            continue
        if arg == "--read-only" or arg.startswith(tuple(f"{option}=" for option in VALUED_GLOBALS)):
            i += 1
            continue
        return None if arg.startswith("-") else COMMANDS.get(arg)
    return None


VALUED_GLOBALS = ("--config", "--profile")
"""The global options that take a value (parser.add_global_options); --read-only takes none."""


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


def dashboard_args(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of a dashboard start, read without the parser; None for anything else (the parser's).

    Accepts exactly what the parser would take the same way: the global options ``--config FILE``,
    ``--config=FILE``, ``--profile NAME``, ``--profile=NAME`` and ``--read-only`` (any order, repeated: the last
    value wins), and ``dashboard`` once, anywhere among them. Anything more (``--help``, another command, a
    value that looks like an option, a bad profile name, --config with --profile) goes through the parser,
    which explains it or refuses it as before."""
    values: dict[str, str | None] = {"--config": None, "--profile": None}
    read_only = False
    command: str | None = None
    i = 0
    while i < len(argv):
        arg = argv[i]
        option, equals, value = arg.partition("=")
        if arg == "--read-only":
            read_only = True
        elif arg in VALUED_GLOBALS and i + 1 < len(argv) and not argv[i + 1].startswith("-"):
            values[arg] = argv[i + 1]
            i += 1
        elif equals and option in VALUED_GLOBALS:
            values[option] = value
        elif arg == "dashboard" and command is None:
            command = arg
        else:
            return None
        i += 1
    config, profile = values["--config"], values["--profile"]
    if profile is not None and (config is not None or not _plain_profile_name(profile)):
        return None
    # not argparse's Namespace: argparse (and gettext) stay unimported on the dashboard's way to its first frame
    return cast("argparse.Namespace", SimpleNamespace(config=config, profile=profile, read_only=read_only,
                                                      command=command))


def _plain_profile_name(name: str) -> bool:
    from ..config.profiles import NAME_RULE

    return NAME_RULE.fullmatch(name) is not None


def _dispatch(argv: list[str] | None) -> int:
    from .context import CliError, Context

    args = dashboard_args(sys.argv[1:] if argv is None else argv)
    func = None
    if args is not None and (args.command or (sys.stdin.isatty() and sys.stdout.isatty())):
        from .ui_cmd import cmd_dashboard

        func = cmd_dashboard  # what `dashboard` (or no command on a terminal) runs, without building the parser
    else:
        import json

        from .parser import UsageError

        argv = sys.argv[1:] if argv is None else argv
        parser = build_parser(command_module(argv))
        try:
            args = parser.parse_args(argv)
            if args.config is not None and args.profile is not None:
                parser.error("give either --config or --profile, not both")
        except UsageError as exc:  # said on stderr; with --json also as the error object on stdout
            if "--json" in argv:
                sys.stdout.write(json.dumps({"error": {"message": exc.message, "code": exc.code, "kind": "usage"}})
                                 + "\n")
            raise
        func = getattr(args, "func", None)
        if func is None:
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                parser.print_help()
                return 0
            from .ui_cmd import cmd_dashboard

            func = cmd_dashboard
    try:
        ctx = Context.from_args(args)
    except CliError as exc:  # $WBTUI_PROFILE not a profile name, or it and $WBTUI_CONFIG both set
        sys.stderr.write(f"wbtui: error: {exc}\n")
        return exc.code
    ctx.json = bool(getattr(args, "json", False))
    ctx.kube_context, ctx.kube_namespace = getattr(args, "kube_context", None), getattr(args, "kube_namespace", None)
    try:
        return int(func(ctx, args) or 0)
    except CliError as exc:
        return ctx.fail(exc)
    except KeyboardInterrupt:
        return ctx.fail(CliError("interrupted", 130, kind="interrupted"))


START_UP_GC_THRESHOLD = 100_000
"""The young generation's threshold while the dashboard starts: its imports and first frame build ~70k
long-lived objects, which at Python's default (700) meant ~100 collections, 25 ms before the first frame,
that found almost nothing to free. The app sets its own thresholds (and freezes what start-up built) once
its panes are mounted (``wbtui.ui.app.tune_gc``)."""


def run() -> None:
    """The `wbtui` console script and `python -m wbtui`."""
    if dashboard_args(sys.argv[1:]) is not None:
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(START_UP_GC_THRESHOLD, older, oldest)
    sys.exit(main())
