"""`wbtui db status [--watch] [--json]`: the database's load, replication, CPU and largest tables.

One snapshot by default (two samples an interval apart, for the rates); ``--watch`` redraws in place
until Ctrl-C. Exit 0 when no alert holds, 1 when one does or the server cannot be reached (the message
says what to do), 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import TYPE_CHECKING, Any

from .context import EXIT_FINDINGS, EXIT_OK, CliError, Context, seconds

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..monitor.mysql_status import DbStatus

TONES = {"ok": "green", "warn": "yellow", "error": "bold red", "muted": "dim", "head": "bold", "": ""}
SNAPSHOT_INTERVAL = 1.0
WATCH_INTERVAL = 3.0


def register(dsub: argparse._SubParsersAction) -> None:
    s = dsub.add_parser(
        "status", help="the database's load, replication, CPU and largest tables (--watch: live)",
        description="Connections, threads running, queries/commits/slow queries per second, InnoDB buffer pool "
        "hit ratio, row lock waits, the longest running statements, replication (role, lag, thread states, a "
        "broken replica diagnosed), the largest W&B tables and their growth and, when the database runs on "
        "this host, its CPU against the guide's rule (above 40%% for 5 minutes: resource starved). Exit 0 "
        "when no alert holds, 1 when one does or the server cannot be reached, 2 on usage errors.",
    )
    s.add_argument("--watch", action="store_true", help="refresh in place until Ctrl-C")
    s.add_argument("--json", action="store_true", help="print the figures as JSON (with --watch: one line each)")
    s.add_argument("--interval", type=seconds, metavar="S",
                   help=f"seconds between samples (default {SNAPSHOT_INTERVAL:g} for a snapshot, "
                   f"{WATCH_INTERVAL:g} with --watch)")
    s.add_argument("--timeout", type=seconds, metavar="S", help="connect/read timeout (default: app.timeout)")
    s.set_defaults(func=cmd_db_status)


def cmd_db_status(ctx: Context, args: argparse.Namespace) -> int:
    from ..checks.model import CheckFailed
    from ..monitor.mysql_watch import watch_from_config

    config = ctx.config()
    timeout = args.timeout or config.app.timeout
    redact = ctx.redactor()
    try:
        watch = watch_from_config(config, timeout)
    except CheckFailed as exc:
        raise CliError(_failure(exc, redact)) from None
    try:
        if args.watch:
            return _watch(ctx, watch, args.interval or WATCH_INTERVAL, args.json)
        try:
            status = watch.snapshot(args.interval or SNAPSHOT_INTERVAL)
        except CheckFailed as exc:
            raise CliError(_failure(exc, redact)) from None
        if args.json:
            ctx.print_json(status.to_json())
        else:
            ctx.out.print(render(status, ctx.out.width, redact))
        return EXIT_FINDINGS if status.alerts else EXIT_OK
    finally:
        watch.close()


def _failure(exc: Any, redact: Any) -> str:
    return redact(f"{exc.summary}\nFix: {exc.fix}" if exc.fix else exc.summary)


def render(status: DbStatus, width: int, redact: Any) -> RenderableType:
    """Every section of the view as rich text, alerts first."""
    from rich.console import Group
    from rich.text import Text

    from ..monitor.mysql_lines import sections

    parts: list[Text] = []
    for name, lines in sections(status, width).items():
        if not lines:
            continue
        if parts and name != "footer":
            parts.append(Text(""))
        charts = name in ("figures", "cpu")  # bars cut at the width; sentences (fixes, grants) wrap
        parts.extend(Text(redact(line.text), style=TONES[line.tone], overflow="ellipsis" if charts else "fold",
                          no_wrap=charts) for line in lines)
    return Group(*parts)


def _watch(ctx: Context, watch: Any, interval: float, as_json: bool) -> int:
    from rich.live import Live
    from rich.text import Text

    from ..checks.model import CheckFailed

    redact = ctx.redactor()
    stop = threading.Event()
    alerted = False

    def shown(result: DbStatus | CheckFailed) -> RenderableType:
        nonlocal alerted
        if isinstance(result, CheckFailed):
            alerted = True
            return Text(_failure(result, redact) + f"\n(trying again every {interval:g}s; Ctrl-C stops)",
                        style="bold red")
        alerted = bool(result.alerts)
        return render(result, ctx.out.width, redact)

    try:
        if as_json:
            def emit(result: DbStatus | CheckFailed) -> None:
                nonlocal alerted
                alerted = isinstance(result, CheckFailed) or bool(result.alerts)
                data = ({"error": result.summary, "fix": result.fix} if isinstance(result, CheckFailed)
                        else result.to_json())
                sys.stdout.write(redact(json.dumps(data, default=str)) + "\n")
                sys.stdout.flush()

            watch.run(interval, stop, emit)
        else:
            with Live(Text("connecting…"), console=ctx.out, auto_refresh=False, vertical_overflow="crop") as live:
                watch.run(interval, stop, lambda result: live.update(shown(result), refresh=True))
    except KeyboardInterrupt:
        stop.set()
    return EXIT_FINDINGS if alerted else EXIT_OK
