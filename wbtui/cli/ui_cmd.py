"""`wbtui dashboard` opens the full-screen dashboard; `wbtui serve` serves it to a browser.

Textual is imported only when one of these runs, so the headless commands stay fast.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from .context import EXIT_USAGE, CliError, Context

if TYPE_CHECKING:
    import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboard", help="open the full-screen dashboard (the default without a command)",
                       description="The full-screen operator dashboard: overview, config, datastores, runtime, "
                       "logs and health. Press ? inside for every key.")
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser("serve", help="serve the dashboard to a web browser (needs textual-serve)",
                       description="Serve the same dashboard over HTTP with textual-serve (pip install "
                       "'wbtui[serve]'). Every browser tab runs its own dashboard process as this user. "
                       "Bound to 127.0.0.1 by default: reach it through an SSH tunnel "
                       "(ssh -L 8000:127.0.0.1:8000 HOST), not by exposing it.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default %(default)s)")
    p.set_defaults(func=cmd_serve)


def dashboard_argv(ctx: Context) -> list[str]:
    """The command line a served browser session runs: this Python, this config, same read-only flag."""
    argv = [sys.executable, "-m", "wbtui", "--config", str(ctx.config_path)]
    if ctx.read_only_flag:
        argv.append("--read-only")
    return [*argv, "dashboard"]


def cmd_dashboard(ctx: Context, args: argparse.Namespace) -> int:
    served = bool(os.environ.get("TEXTUAL_DRIVER"))  # textual-serve drives it through pipes
    if not served and not (sys.stdout.isatty() and sys.stdin.isatty()):
        raise CliError("the dashboard needs a terminal; use the headless commands (wbtui --help) in scripts",
                       EXIT_USAGE)
    from ..ui.app import run_dashboard

    return run_dashboard(ctx.config_path, ctx.read_only_flag)


def cmd_serve(ctx: Context, args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise CliError(f"--port {args.port} is not a port (1-65535)", EXIT_USAGE)
    import shlex

    from ..ui.serve import ServeUnavailable, serve

    if args.host not in ("127.0.0.1", "::1", "localhost"):
        ctx.err.print(f"warning: serving on {args.host}: anyone who reaches this port gets the dashboard "
                      "(with this user's rights); prefer 127.0.0.1 and an SSH tunnel", markup=False)
    try:
        serve(shlex.join(dashboard_argv(ctx)), args.host, args.port)
    except ServeUnavailable as exc:
        raise CliError(str(exc)) from None
    return 0
