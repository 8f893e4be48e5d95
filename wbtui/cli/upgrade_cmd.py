"""`wbtui upgrade TAG` and `wbtui rollback`: upgrades with a backup first, and the way back.

The steps shown, the backup, the record and the rollback are wbtui.ops.upgrade's, as in the dashboard.
Exit codes: 0 done and ready (or not watched); 1 the new (or the previous) version is not ready, the backup,
deploy or restore failed, or the answer was no; 2 usage (same tag, read-only mode, no terminal to ask on);
3 the Docker daemon or Kubernetes API server did not answer. --json: the steps as JSON lines (json_steps).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context, seconds
from .json_steps import Steps
from .runtime_cmd import (
    _cancelled,
    _lifecycle,
    _problems,
    _progress_printer,
    _refuse_invalid,
    _report_watch,
    _runtime,
    _say,
    _yes,
)

if TYPE_CHECKING:
    from ..config.model import Config
    from ..config.urls import MysqlURL
    from ..health.watch import WatchProgress, WatchResult
    from ..ops.upgrade import UpgradeFailed, Watcher
    from ..runtime.base import Runtime


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "upgrade", help="move to another image tag: back up, deploy, watch (undo with wbtui rollback)",
        description="Back up the database (as wbtui backup does, to the default directory), record the previous "
        "tag and the backup id, pull (if needed) and run image:TAG with the same config and data volume, save TAG "
        "as runtime.tag, then watch start-up. When the new version does not become ready, or its migration was "
        "interrupted, it says so and gives the wbtui rollback command (exit 1).",
        epilog="examples: wbtui upgrade 0.62.2\n          wbtui upgrade 0.62.2 --yes --no-backup   (recorded: "
        "a rollback then cannot restore the data)", formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tag", metavar="TAG", help="the new image tag")
    p.add_argument("--no-backup", action="store_true",
                   help="do not back up the database first (recorded; a rollback can then restore the tag only)")
    p.add_argument("--force", action="store_true", help="upgrade even when the config has errors")
    p.add_argument("--no-watch", action="store_true", help="do not wait for /ready")
    p.add_argument("--timeout", type=seconds, default=600.0, metavar="S",
                   help="how long to wait for /ready (default 600)")
    _yes(p)
    _lifecycle(p)
    p.set_defaults(func=cmd_upgrade)

    p = sub.add_parser(
        "rollback", help="undo the last upgrade: the previous tag and the database backed up before it",
        description="From the last upgrade wbtui recorded for this config: stop the server, restore the backup "
        "taken before the upgrade into the database, deploy the previous tag, save it as runtime.tag, and watch "
        "start-up. An upgrade made with --no-backup can be rolled back to its tag only.",
        epilog="example: wbtui rollback --yes")
    p.add_argument("--admin", metavar="URL", help="restore as this account, e.g. mysql://root:PASSWORD@HOST:3306/mysql "
                   "(default: $WBTUI_MYSQL_ADMIN; needed when the dump has triggers and the server's binary log is on)")
    p.add_argument("--no-watch", action="store_true", help="do not wait for /ready")
    p.add_argument("--timeout", type=seconds, default=600.0, metavar="S",
                   help="how long to wait for /ready (default 600)")
    _yes(p)
    _lifecycle(p)
    p.set_defaults(func=cmd_rollback)


def _watcher(ctx: Context, timeout: float, steps: Steps | None, step: str) -> Watcher:
    """The startup watch with its progress on stderr: a live line on a terminal, else each new phase. Under
    --json: ``step`` (the deploy before it) is done, then the watch's own step lines."""

    def watch(runtime: Runtime, config: Config) -> WatchResult:
        from rich.text import Text

        from ..health.watch import run_startup_watch

        if steps is not None:
            steps.emit(step, "done", "the new image is deployed")
            steps.emit("watch", "started", f"waiting for /ready (up to {timeout:g}s)")
            result = run_startup_watch(runtime, config, timeout=timeout, on_progress=steps.watch_progress())
            steps.watched(result)
            return result
        status = ctx.err.status("waiting for /ready ...") if ctx.err.is_terminal else None
        seen: list[str] = []

        def progress(event: WatchProgress) -> None:
            summary = ctx.redactor()(event.summary())
            if status is not None:
                status.update(Text(summary))
            elif not seen or event.phase != seen[-1]:
                ctx.err.print(Text(summary))
            seen.append(event.phase)

        if status is None:
            return run_startup_watch(runtime, config, timeout=timeout, on_progress=progress)
        with status:
            return run_startup_watch(runtime, config, timeout=timeout, on_progress=progress)

    return watch


def _steps(ctx: Context, steps: list[str]) -> None:
    _say(ctx, "This will:", "bold")
    for step in steps:
        _say(ctx, f"  - {step}")


def _failed(exc: UpgradeFailed) -> CliError:
    return CliError(f"{exc.message} (fix: {exc.fix})" if exc.fix else exc.message)


def _skip_reason(ctx: Context, args: argparse.Namespace, config: Config) -> str | None:
    """None: back up first. Otherwise why not: --no-backup, or the embedded database, after asking."""
    from ..ops.backup.job import embedded_message
    from ..ops.upgrade import EMBEDDED, NO_BACKUP, backup_covered

    if args.no_backup:
        return NO_BACKUP
    if backup_covered(config):
        return None
    _say(ctx, f"not covered: {embedded_message(config)}", "yellow")
    if args.yes:
        raise CliError("no backup can be taken of the embedded database before this upgrade; to upgrade without "
                       "one, say so: wbtui upgrade TAG --yes --no-backup", EXIT_USAGE)
    if not ctx.confirm("Go on with the upgrade WITHOUT a database backup? (a rollback can then restore the tag, "
                       "not the data)", False):
        raise CliError("cancelled: nothing changed", EXIT_FINDINGS)
    return EMBEDDED


def rollback_command(ctx: Context) -> str:
    """The exact command that undoes this upgrade (with --config when it is not the default file)."""
    import shlex

    from ..config import store

    other = ctx.config_path != store.default_path()
    return "wbtui " + (f"--config {shlex.quote(str(ctx.config_path))} " if other else "") + "rollback"


@_problems
def cmd_upgrade(ctx: Context, args: argparse.Namespace) -> int:
    from ..ops.upgrade import UpgradeFailed, run_upgrade, upgrade_steps

    ctx.refuse_if_read_only("upgrade the server")
    config = ctx.config()
    current = config.runtime.image_ref
    if args.tag == config.runtime.tag:
        raise CliError(f"already on {current}; to redeploy it use wbtui up", EXIT_USAGE)
    _refuse_invalid(ctx, args.force)
    skip = _skip_reason(ctx, args, config)
    watch_timeout = None if args.no_watch else args.timeout
    if not args.yes:
        _steps(ctx, upgrade_steps(config, args.tag, skip_reason=skip, watch_timeout=watch_timeout))
    if not ctx.confirm(f"Upgrade {current} to {config.runtime.image}:{args.tag}? The server restarts and runs its "
                       "migrations.", args.yes):
        return _cancelled(ctx)
    steps = Steps(ctx) if ctx.json else None
    runtime = _runtime(ctx)
    try:
        if steps is not None:
            steps.emit("upgrade", "started", f"upgrading {current} to {config.runtime.image}:{args.tag}")
        result = run_upgrade(config, ctx.config_path, runtime, args.tag, skip_reason=skip,
                             watch=None if args.no_watch else _watcher(ctx, args.timeout, steps, "upgrade"),
                             timeout=config.app.timeout,
                             say=steps.say("upgrade") if steps else lambda line: _say(ctx, line, "dim"),
                             progress=steps.progress("upgrade") if steps else _progress_printer(ctx))
    except BaseException as exc:
        if steps is not None:
            steps.fail_open(exc)
        if isinstance(exc, UpgradeFailed):
            raise _failed(exc) from None
        raise
    finally:
        runtime.close()
    if steps is not None:
        if result.watch is None:
            steps.emit("upgrade", "done", f"now running {result.image}")
            return steps.result(EXIT_OK, "not watched: see wbtui status and wbtui probe", image=result.image,
                                outcome=result.record.outcome, rollback=rollback_command(ctx))
        return _report_watch(ctx, result.watch, image=result.image, outcome=result.record.outcome,
                             failure=result.failure(), rollback=rollback_command(ctx))
    if result.watch is None:
        _say(ctx, f"not watched: see wbtui status and wbtui probe; to undo the upgrade: {rollback_command(ctx)}")
        return EXIT_OK
    code = _report_watch(ctx, result.watch)
    if result.failed:
        _say(ctx, result.failure(), "bold red")
        _say(ctx, f"run: {rollback_command(ctx)}", "bold")
    return code


def _admin(args: argparse.Namespace) -> MysqlURL | None:
    import os

    from ..checks.mysql_connect import ADMIN_ENV
    from ..config.urls import MysqlURL, URLError

    text = args.admin or os.environ.get(ADMIN_ENV, "")
    if not text:
        return None
    try:
        return MysqlURL.parse(text)
    except URLError as exc:
        raise CliError(f"admin URL: {exc} (e.g. mysql://root:PASSWORD@db.example.com:3306/mysql)", EXIT_USAGE) \
            from None


@_problems
def cmd_rollback(ctx: Context, args: argparse.Namespace) -> int:
    from ..config.masking import screen
    from ..ops.upgrade import UpgradeFailed, rollback_plan, run_rollback

    ctx.refuse_if_read_only("roll back the last upgrade")
    config = ctx.config()
    watch_timeout = None if args.no_watch else args.timeout
    try:
        plan = rollback_plan(config, ctx.config_path, watch_timeout=watch_timeout)
    except UpgradeFailed as exc:
        raise _failed(exc) from None
    record = plan.record
    _say(ctx, f"last upgrade: {record.image}:{record.from_tag} -> {record.to_tag} at {record.when} "
              f"({record.outcome})")
    if not args.yes:
        _steps(ctx, plan.steps)
    if not ctx.confirm(plan.question, args.yes):
        return _cancelled(ctx)
    admin = _admin(args) if plan.data else None
    redact = screen(config, extra=[admin.password] if admin is not None and admin.password else [])
    steps = Steps(ctx) if ctx.json else None
    runtime = _runtime(ctx)
    try:
        if steps is not None:
            steps.emit("rollback", "started", f"rolling back to {record.image}:{record.from_tag}")
        result = run_rollback(config, ctx.config_path, runtime, plan, admin=admin,
                              watch=None if args.no_watch else _watcher(ctx, args.timeout, steps, "rollback"),
                              timeout=config.app.timeout,
                              say=(lambda line: steps.emit("rollback", "progress", redact(line))) if steps else
                              (lambda line: _say(ctx, redact(line), "dim")),
                              progress=steps.progress("rollback") if steps else _progress_printer(ctx))
    except BaseException as exc:
        if steps is not None:
            steps.fail_open(exc, redact)
        if isinstance(exc, UpgradeFailed):
            raise CliError(redact(str(_failed(exc)))) from None
        raise
    finally:
        runtime.close()
    restored = "" if plan.data else " (the tag only: the data was not restored)"
    if steps is not None:
        if result.watch is None:
            steps.emit("rollback", "done", f"now running {result.image}")
            return steps.result(EXIT_OK, f"rolled back to {result.image}{restored}", image=result.image,
                                data_restored=plan.data)
        return _report_watch(ctx, result.watch, image=result.image, data_restored=plan.data)
    _say(ctx, f"rolled back to {result.image}{restored}", "green")
    return EXIT_OK if result.watch is None else _report_watch(ctx, result.watch)
