"""`wbtui up/down/restart/start/stop/status/logs/service`: run the server from the config (upgrade: upgrade_cmd).

Every command goes through the configured backend (Docker or Kubernetes). What
changes or stops the server refuses under --read-only; what stops or removes it
asks first unless --yes, and so does `up` when it would replace a running server.
Runtime problems (permission denied, image missing, name conflict, port in use)
end the command with exit 1 and one line saying what is wrong and how to fix it;
a Docker daemon or Kubernetes API server that does not answer, with exit 3.
With --json the lifecycle commands print JSON lines of their steps (json_steps).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..present.sizes import size
from ..present.status import status_lines
from ..present.windows import MAX_LINES_DIGITS, parse_since
from . import status_all
from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context, seconds
from .flags import JSON_STEPS_HELP, add_json, add_kube
from .json_steps import Steps, watch_data

if TYPE_CHECKING:
    from ..health.watch import WatchProgress, WatchResult
    from ..runtime.base import LogLine, Progress, ResourceUsage, Runtime

_EXAMPLES = argparse.RawDescriptionHelpFormatter
# How the CLI shows a status line's tone (the dashboard uses theme variables).
_TONE_STYLE = {"plain": "", "good": "green", "warn": "yellow", "bad": "red", "muted": "dim"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "up", help="deploy the server and wait until it is ready",
        description="Create the container (Docker) or apply the objects (Kubernetes) from the config, "
        "or recreate them when the config changed (the /vol data volume is kept); pull the image when "
        "it is not on the host and a registry is reachable. Then watch start-up for up to 10 minutes "
        "(the guide's migration window) until /ready answers, stopping early if the server exits. "
        "Replacing a running server asks first (--yes for scripts). Exit 0 when ready.",
        epilog="examples: wbtui up\n          wbtui up --yes --no-watch\n          wbtui up --timeout 900",
        formatter_class=_EXAMPLES)
    p.add_argument("--no-watch", action="store_true", help="deploy only, do not wait for /ready")
    p.add_argument("--timeout", type=seconds, default=600.0, metavar="S",
                   help="how long to wait for /ready (default 600)")
    p.add_argument("--no-pull", action="store_true", help="never pull: fail when the image is not local")
    p.add_argument("--force", action="store_true", help="deploy even when the config has errors")
    _yes(p, "do not ask before replacing a running server (the one question up asks)")
    _lifecycle(p)
    p.set_defaults(func=cmd_up)

    p = sub.add_parser("down", help="stop and remove the server (data volume kept unless --purge)",
                       description="Stop and remove the container. Its /vol data volume is kept, so "
                       "`wbtui up` brings the same data back; --purge deletes the volume too.")
    p.add_argument("--purge", action="store_true", help="also delete the data volume (irreversible)")
    _yes(p)
    _lifecycle(p)
    p.set_defaults(func=cmd_down)

    p = sub.add_parser("restart", help="restart the server")
    _yes(p)
    _lifecycle(p)
    p.set_defaults(func=cmd_restart)

    p = sub.add_parser("start", help="start the stopped server")
    _lifecycle(p)
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("stop", help="stop the server (it stays deployed)")
    p.add_argument("--timeout", type=seconds, default=30.0, metavar="S",
                   help="seconds to wait for a clean shutdown before killing (default 30)")
    _yes(p)
    _lifecycle(p)
    p.set_defaults(func=cmd_stop)

    p = sub.add_parser("status", help="state, restarts, uptime, image, ports, resources",
                       description="The server's state, health, restart count, uptime, image, ports, "
                       "exit code and reason, and CPU/memory use. Exit 0 when it is running.")
    add_json(p)
    add_kube(p)
    status_all.add_arguments(p)
    p.set_defaults(func=cmd_status)

    p = sub.add_parser(
        "logs", help="the server's log (secrets masked)",
        description="Print the server's log with secrets masked. With -f, keep following: across "
        "restarts of the container (nothing repeated or lost) and outages of the Docker daemon "
        "(reconnects with backoff and prints a '--- log stream interrupted ...' line).",
        epilog="examples: wbtui logs --tail 50\n          wbtui logs -f --since 10m\n"
        "          wbtui logs --previous   (the instance before the last restart)",
        formatter_class=_EXAMPLES)
    p.add_argument("-f", "--follow", action="store_true", help="keep printing new lines (Ctrl-C stops)")
    p.add_argument("--tail", type=_tail, default=200, metavar="N", help="last N lines, or 'all' (default 200)")
    p.add_argument("--since", type=_since, metavar="D",
                   help="only lines since D: a duration (30s, 10m, 2h, 1d) or a time (2026-05-01T12:00)")
    p.add_argument("-t", "--timestamps", action="store_true", help="prefix each line with its time")
    p.add_argument("-p", "--previous", action="store_true",
                   help="the log of the previous instance (before the last restart / the run that ended)")
    add_json(p, 'one JSON object per line: {"line", "time", "source"?, "gap"?, "restart"?} (masked; the time '
             'is always a field, never in the line)')
    add_kube(p)
    p.set_defaults(func=cmd_logs)

    p = sub.add_parser("service", help="the systemd unit that keeps the container running (and the backup timer)")
    ssub = p.add_subparsers(dest="service_command", metavar="SUBCOMMAND", required=True)
    s = ssub.add_parser(
        "install", help="install and enable the systemd unit (and the backup timer)",
        description="Write /etc/systemd/system/NAME.service (no secrets) and /etc/wbtui/NAME.env "
        "(the container environment, mode 0600), then enable and start the unit when systemd runs. "
        "The unit runs the container itself (docker run --rm), so systemd, not Docker, restarts it. "
        "With --backup SCHEDULE (or backup.schedule in the config) also NAME-backup.service (a one-shot "
        "`wbtui backup` with this config file) and NAME-backup.timer, enabled and started.",
        epilog="examples: wbtui service install\n          wbtui service install --backup daily\n"
        "          wbtui service install --root /mnt/image",
        formatter_class=_EXAMPLES)
    s.add_argument("--root", metavar="DIR", default="/", help="install into this root directory (default /)")
    s.add_argument("--backup", metavar="SCHEDULE", default=None,
                   help="also install the backup timer: daily, weekly, '*-*-* 03:00:00' ... (default: "
                   "backup.schedule; '' for none)")
    s.add_argument("--metrics", metavar="HOST:PORT", nargs="?", const="127.0.0.1:9187", default=None,
                   help="also install NAME-metrics.service: `wbtui metrics --listen HOST:PORT` "
                   "(default 127.0.0.1:9187)")
    _yes(s)
    add_json(s, "print the files written and whether the unit started as one JSON object")
    s.set_defaults(func=cmd_service_install)


def _yes(parser: argparse.ArgumentParser, help: str = "do not ask for confirmation") -> None:
    parser.add_argument("-y", "--yes", action="store_true", help=help)


def _lifecycle(parser: argparse.ArgumentParser) -> None:
    """--json (steps as JSON lines) and the Kubernetes flags: what every lifecycle command takes."""
    add_json(parser, JSON_STEPS_HELP)
    add_kube(parser)


def _tail(text: str) -> int | None:
    if text == "all":
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_LINES_DIGITS):  # "²" is a digit int() refuses
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of lines (at most {MAX_LINES_DIGITS} "
                                         "digits) or 'all'")
    return int(text)


def _since(text: str) -> datetime:
    try:
        return parse_since(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _problems(func: Callable[[Context, argparse.Namespace], int]) -> Callable[[Context, argparse.Namespace], int]:
    """Runtime problems end the command with one line (what, and the fix), never a traceback."""

    @functools.wraps(func)
    def wrapper(ctx: Context, args: argparse.Namespace) -> int:
        from ..runtime.base import RuntimeProblem

        try:
            return func(ctx, args)
        except RuntimeProblem as exc:
            raise CliError.from_problem(exc) from None

    return wrapper


def _refuse_invalid(ctx: Context, force: bool) -> None:
    """A config with errors would deploy a broken server: say which, unless --force."""
    from ..config.validate import validate

    errors = [f for f in validate(ctx.config()) if f.severity == "error"]
    if errors and not force:
        listed = "; ".join(f"{f.field}: {f.message}" for f in errors)
        raise CliError(f"the config has errors: {listed} (see wbtui config show; --force deploys anyway)")


def _runtime(ctx: Context, *, pull: bool = True) -> Runtime:
    from ..runtime.base import runtime_for

    return runtime_for(ctx.config(), pull=pull)


def _say(ctx: Context, message: str, style: str = "") -> None:
    """A line for the human: stdout, or stderr under --json (stdout carries only JSON then)."""
    from rich.text import Text  # here: `status --json` prints no rich text, and rich costs ~30 ms to import

    (ctx.err if ctx.json else ctx.out).print(Text(ctx.redactor()(message), style=style))


def _cancelled(ctx: Context) -> int:
    if ctx.json:
        return Steps(ctx).result(EXIT_FINDINGS, "cancelled: nothing changed")
    _say(ctx, "cancelled: nothing changed")
    return EXIT_FINDINGS


def _progress_printer(ctx: Context) -> Callable[[Progress], None]:
    """Long steps (image pulls): a live line on a terminal; elsewhere the steps without byte counts."""

    from rich.text import Text

    def show(progress: Progress) -> None:
        text = progress.message
        if progress.total:
            done = progress.current or 0
            text += f" {size(done)}/{size(progress.total)} ({100 * done / progress.total:.0f}%)"
            if not ctx.err.is_terminal:
                return
        ctx.err.print(Text(text), end="\r" if ctx.err.is_terminal and progress.total else "\n")

    return show


def _watch(ctx: Context, runtime: Runtime, timeout: float) -> int:
    from rich.text import Text

    from ..health.watch import run_startup_watch

    config = ctx.config()
    if ctx.json:
        steps = Steps(ctx)
        steps.emit("watch", "started", f"waiting for /ready (up to {timeout:g}s)")
        watched = run_startup_watch(runtime, config, timeout=timeout, on_progress=steps.watch_progress())
        steps.watched(watched)
        return _report_watch(ctx, watched)
    status = ctx.err.status("waiting for /ready ...") if ctx.err.is_terminal else None
    seen: list[str] = []

    def progress(event: WatchProgress) -> None:
        summary = ctx.redactor()(event.summary())
        if status is not None:
            status.update(Text(summary))
        elif not seen or event.phase != seen[-1]:
            ctx.err.print(Text(summary))
        seen.append(event.phase)

    if status is not None:
        with status:
            result = run_startup_watch(runtime, config, timeout=timeout, on_progress=progress)
    else:
        result = run_startup_watch(runtime, config, timeout=timeout, on_progress=progress)
    return _report_watch(ctx, result)


def _report_watch(ctx: Context, result: WatchResult, **data: Any) -> int:
    """The watch's verdict: its lines for the human, or under --json the result line (``data`` added)."""
    if ctx.json:
        return Steps(ctx).result(EXIT_OK if result.ready else EXIT_FINDINGS,
                                 result.message if result.ready else f"not ready: {result.message}",
                                 watch=watch_data(result), **data)
    if result.ready:
        _say(ctx, result.message, "green")
        return EXIT_OK
    _say(ctx, f"not ready: {result.message}", "bold red")
    for diagnosis in result.diagnosis:
        _say(ctx, f"  cause: {diagnosis.cause}")
        _say(ctx, f"  fix:   {diagnosis.fix}")
    if result.last_lines:
        _say(ctx, "last log lines:", "dim")
        for line in result.last_lines[-15:]:
            _say(ctx, f"  {line}", "dim")
    return EXIT_FINDINGS


@_problems
def cmd_up(ctx: Context, args: argparse.Namespace) -> int:
    ctx.refuse_if_read_only("deploy the server")
    _refuse_invalid(ctx, args.force)
    runtime = _runtime(ctx, pull=not args.no_pull)
    try:
        running = runtime.replaced_by_deploy()
        if running and not _confirmed(ctx, args, "deploy", f"Replace the running {running}? (the data volume is "
                                      "kept; the server is down until the new one is ready)"):
            return _cancelled(ctx)
        if ctx.json:
            steps = Steps(ctx)
            done = steps.run("deploy", f"deploying {ctx.config().runtime.image_ref}", runtime.deploy, runtime)
            return steps.result(EXIT_OK, done) if args.no_watch else _watch(ctx, runtime, args.timeout)
        runtime.progress = _progress_printer(ctx)
        _say(ctx, runtime.deploy())
        return EXIT_OK if args.no_watch else _watch(ctx, runtime, args.timeout)
    finally:
        runtime.close()


@_problems
def cmd_down(ctx: Context, args: argparse.Namespace) -> int:
    ctx.refuse_if_read_only("remove the server")
    config = ctx.config()
    name = config.runtime.container_name if config.runtime.backend == "docker" else config.kubernetes.name
    question = (f"Remove {name} AND DELETE its data volume {config.runtime.volume!r}? This cannot be undone."
                if args.purge else f"Stop and remove {name}? (the data volume is kept)")
    if not _confirmed(ctx, args, "remove", question, purge=args.purge):
        return _cancelled(ctx)
    return _act(ctx, "remove", purge=args.purge)


def _confirmed(ctx: Context, args: argparse.Namespace, action: str, question: str, *, purge: bool = False) -> bool:
    """Show what the action will do (the dashboard's confirmation shows the same steps), then ask."""
    from ..ops.lifecycle import action_steps

    if not args.yes:
        _say(ctx, "This will:", "bold")
        for step in action_steps(ctx.config(), action, purge=purge):
            _say(ctx, f"  - {step}")
    return ctx.confirm(question, args.yes)


def _act(ctx: Context, action: str, *, purge: bool = False, stop_timeout: float = 30) -> int:
    from ..ops.lifecycle import ACTION_TITLES, run_action

    runtime = _runtime(ctx)
    try:
        if ctx.json:
            steps = Steps(ctx)
            done = steps.run(action, f"{ACTION_TITLES[action].lower()} {runtime.name}",
                             lambda: run_action(runtime, action, purge=purge, stop_timeout=stop_timeout), runtime)
            return steps.result(EXIT_OK, done)
        _say(ctx, run_action(runtime, action, purge=purge, stop_timeout=stop_timeout,
                             progress=_progress_printer(ctx)))
    finally:
        runtime.close()
    return EXIT_OK


def _simple(ctx: Context, args: argparse.Namespace, action: str, what: str, question: str | None) -> int:
    ctx.refuse_if_read_only(what)
    if question is not None and not _confirmed(ctx, args, action, question):
        return _cancelled(ctx)
    return _act(ctx, action, stop_timeout=getattr(args, "timeout", 30))


@_problems
def cmd_restart(ctx: Context, args: argparse.Namespace) -> int:
    return _simple(ctx, args, "restart", "restart the server",
                   "Restart the W&B server? (users are disconnected briefly)")


@_problems
def cmd_start(ctx: Context, args: argparse.Namespace) -> int:
    return _simple(ctx, args, "start", "start the server", None)


@_problems
def cmd_stop(ctx: Context, args: argparse.Namespace) -> int:
    return _simple(ctx, args, "stop", "stop the server", "Stop the W&B server? (it stays down until wbtui start)")


STATUS_CPU_WINDOW = 0.15
"""Seconds between the two CPU readings of `wbtui status` (Docker): the one wait in its path. A one-shot
stats call took ~1 s (the daemon's own two samples); the cgroup counters need only this."""


def _usage_now(runtime: Runtime) -> ResourceUsage | None:
    from ..runtime.docker.backend import DockerRuntime

    if isinstance(runtime, DockerRuntime):
        return runtime.usage(settle=STATUS_CPU_WINDOW)
    return runtime.usage()


@_problems
def cmd_status(ctx: Context, args: argparse.Namespace) -> int:
    if status_all.wanted(args):
        return status_all.cmd_status_all(ctx, args)
    from ..runtime.base import RuntimeProblem
    from ..runtime.docker.status import DockerUsage

    runtime = _runtime(ctx)
    try:
        target = runtime.describe()
        status = runtime.status()
        usage = None
        if status.state == "running":
            try:
                usage = _usage_now(runtime)
            except RuntimeProblem:  # the status is what matters; usage is a bonus
                usage = None
    finally:
        runtime.close()
    if args.json:
        data: dict[str, Any] = status.to_dict()
        data["usage"] = None if usage is None else {"cpu_percent": usage.cpu_percent,
                                                    "memory_bytes": usage.memory_bytes,
                                                    "memory_limit_bytes": usage.memory_limit_bytes}
        if isinstance(usage, DockerUsage):  # where the figures came from, over which window
            data["usage"].update(source=usage.source, cpu_window_seconds=usage.cpu_window)
        data["target"] = target
        ctx.print_json(data)
    else:
        for line in status_lines(status, usage):
            style = _TONE_STYLE[line.tone]
            _say(ctx, line.text, f"bold {style}" if line.strong else style)
        if isinstance(usage, DockerUsage) and usage.source:
            window = f", cpu over {usage.cpu_window:.2f}s" if usage.cpu_window else ""
            _say(ctx, f"  usage    from {usage.source}{window}", "dim")
        _say(ctx, "  asked    " + " · ".join(f"{k} {v}" for k, v in target.items()), "dim")
    return EXIT_OK if status.state == "running" else EXIT_FINDINGS


@_problems
def cmd_logs(ctx: Context, args: argparse.Namespace) -> int:
    import asyncio  # here: the other commands (status) need no event loop, and it costs ~30 ms to import

    if args.previous and args.follow:
        raise CliError("--previous cannot be combined with --follow (that instance has ended)", EXIT_USAGE)
    runtime = _runtime(ctx)

    async def copy() -> None:
        from ..runtime.logstream import batched

        out = sys.stdout
        shown = _json_log_line if args.json else _text_log_line
        stream = runtime.logs(follow=args.follow, tail=args.tail, since=args.since,  # --json: the time is a field
                              timestamps=args.timestamps and not args.json, previous=args.previous)
        async with contextlib.aclosing(stream):
            async for batch in batched(stream):  # a write a batch, not a line: 1M lines of --since in seconds
                out.write("".join([shown(line) for line in batch]))
                if args.follow:
                    out.flush()

    try:
        asyncio.run(copy())
    except KeyboardInterrupt:
        return 130 if not args.follow else EXIT_OK
    except BrokenPipeError:  # `wbtui logs | head`
        sys.stderr.close()
        return EXIT_OK
    finally:
        runtime.close()
    sys.stdout.flush()
    return EXIT_OK


def _text_log_line(line: LogLine) -> str:
    return f"{line.text}\n"


def _json_log_line(line: LogLine) -> str:
    """One log line as a JSON object; the backend masked its text already (as for the plain lines)."""
    import json

    data: dict[str, Any] = {"line": line.text}
    if line.timestamp is not None:
        data["time"] = line.timestamp.isoformat()
    if line.source:
        data["source"] = line.source
    if line.gap:
        data["gap"] = True
    if line.restart:
        data["restart"] = True
    return json.dumps(data, ensure_ascii=False) + "\n"


@_problems
def cmd_service_install(ctx: Context, args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from ..config.backup import SCHEDULE_EXAMPLE, ScheduleError
    from ..runtime.docker.systemd_install import install_service
    from ..runtime.docker.systemd_unit import backup_schedule

    config = ctx.config()
    if config.runtime.backend != "docker":
        raise CliError("the systemd unit runs the Docker container; runtime.backend is kubernetes", EXIT_USAGE)
    ctx.refuse_if_read_only("install the systemd unit")
    try:
        schedule = backup_schedule(config, args.backup)
    except ScheduleError as exc:
        where = "--backup" if args.backup is not None else "backup.schedule"
        raise CliError(f"{where}: {exc}; examples: {SCHEDULE_EXAMPLE}", EXIT_USAGE) from None
    timer = f" and a backup timer ({schedule.on_calendar})" if schedule else ""
    if not ctx.confirm(f"Install and enable the systemd unit for {config.runtime.container_name}{timer} under "
                       f"{args.root}? It replaces a container of that name when it starts.", args.yes):
        return _cancelled(ctx)
    result = install_service(config, args.root, config_path=Path(os.path.abspath(ctx.config_path)),
                             schedule=schedule, metrics=args.metrics)
    if ctx.json:
        return Steps(ctx).result(EXIT_OK, result.message, unit=str(result.unit_path), env_file=str(result.env_path),
                                 backup=[str(path) for path in result.backup_paths], started=result.started)
    _say(ctx, f"unit:     {result.unit_path}")
    _say(ctx, f"env file: {result.env_path} (mode 0600, holds the secrets)")
    for path in result.backup_paths:
        _say(ctx, f"backup:   {path}")
    _say(ctx, result.message, "green" if result.started else "yellow")
    return EXIT_OK
