"""`wbtui restore ID`: put a backup back (the database, or the /vol volume of embedded stores).

Shows what will happen and asks (--yes for scripts); refuses in read-only mode. Then, through
``ops.backup.restore.run_restore`` (the dashboard's path too): checks the backup, stops the server, takes a
safety backup of what is there now, restores, starts the server and watches start-up as `wbtui up` does.
Exit codes: 0 restored (and ready); 1 the restore failed (the message says in what state, and what to do), or
the server did not become ready; 2 usage or read-only mode; 3 not covered (a /vol backup with Kubernetes); 4 the
Docker daemon or Kubernetes API server did not answer.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from rich.text import Text

from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context, seconds
from .flags import add_kube

if TYPE_CHECKING:
    from ..config.urls import MysqlURL
    from ..runtime.base import Runtime

EXIT_NOT_COVERED = 3


def register(sub: argparse._SubParsersAction) -> None:
    from ..checks.mysql_connect import ADMIN_ENV

    p = sub.add_parser(
        "restore", help="restore a backup: stop, safety backup, replace the data, start, watch",
        description="Restore the backup ID (wbtui backup list): check its size and sha256 and read the whole dump "
        "before anything changes, stop the server, back up the current database (or /vol) first unless "
        "--no-safety-backup, replace the database in MYSQL with the backup (or /vol with a volume backup), start "
        "the server and watch start-up until /ready. Asks first (--yes for scripts). Exit codes: 0 restored and "
        "ready, 1 failed or not ready, 2 usage or read-only, 3 not covered.")
    p.add_argument("id", metavar="ID", help="the backup's ID (wbtui backup list)")
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.add_argument("--no-safety-backup", action="store_true",
                   help="do not back up the current data first (there is then no way back)")
    p.add_argument("--no-watch", action="store_true", help="do not wait for /ready after the start")
    p.add_argument("--timeout", type=seconds, default=600.0, metavar="S",
                   help="how long to wait for /ready (default 600)")
    p.add_argument("--admin", metavar="URL", help="load the dump as this account instead of MYSQL's (needed "
                   "when the dump has triggers or functions and the server's binary log is on; default: "
                   f"${ADMIN_ENV} when set)")
    p.add_argument("--to", metavar="DIR", help="local backup directory to look in (and to keep the safety backup)")
    p.add_argument("--prefix", default=None, metavar="P", help="key prefix in the bucket")
    p.add_argument("--local-only", action="store_true", help="do not look in the bucket")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_kube(p)
    p.set_defaults(func=cmd_restore)


def _admin(args: argparse.Namespace) -> MysqlURL | None:
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


def _runtime(ctx: Context) -> tuple[Runtime, bool]:
    from ..ops.backup.restore import deployed
    from ..runtime.base import RuntimeProblem, runtime_for

    runtime = runtime_for(ctx.config())
    try:
        return runtime, deployed(runtime)
    except RuntimeProblem as exc:
        runtime.close()
        raise CliError.from_problem(exc, "; nothing was changed (cannot tell whether the server runs)") from None


def cmd_restore(ctx: Context, args: argparse.Namespace) -> int:
    from ..config.masking import screen
    from ..ops.backup.restore import RestoreFailed, find_backup, restore_steps, run_restore
    from ..runtime.base import RuntimeProblem
    from .backup_cmd import _destinations

    ctx.refuse_if_read_only("restore a backup")
    admin = _admin(args)
    config = ctx.config()
    redact = screen(config, extra={admin.password} if admin else ())
    destinations = _destinations(ctx, args)
    console = ctx.err if args.json else ctx.out

    def say(line: str) -> None:
        console.print(Text(redact(line), style="dim"))

    try:
        entry, _ = find_backup(args.id, destinations)
    except RestoreFailed as exc:
        raise CliError(redact(str(exc))) from None
    assert entry.manifest is not None
    if entry.manifest.kind == "volume" and config.runtime.backend == "kubernetes":
        return ctx.fail(CliError(
            f"{entry.id} is a backup of a Docker container's /vol; this config runs W&B on Kubernetes, whose volume "
            "is a PersistentVolumeClaim wbtui does not restore: copy the files back into the claim yourself "
            "(kubectl cp into a pod that mounts it, with the server scaled to 0)", EXIT_NOT_COVERED,
            kind="not-covered"))
    runtime, is_deployed = _runtime(ctx)
    try:
        if not is_deployed:
            console.print(Text(f"the server is not deployed ({runtime.name}): only the "
                               f"{'volume' if entry.manifest.kind == 'volume' else 'database'} is restored"))
        steps = restore_steps(config, entry, safety_backup=not args.no_safety_backup, is_deployed=is_deployed)
        if not args.yes:
            console.print(Text("This will:", style="bold"))
            for step in steps:
                console.print(Text(redact(f"  - {step}")))
        if not ctx.confirm(f"Restore {entry.id}? The current data is replaced.", args.yes):
            console.print("cancelled: nothing changed")
            return EXIT_FINDINGS
        try:
            report = run_restore(config, runtime if is_deployed else None, entry.id, destinations,
                                 safety_backup=not args.no_safety_backup, say=say, timeout=config.app.timeout,
                                 admin=admin)
        except RestoreFailed as exc:
            raise CliError(redact(str(exc))) from None
        except RuntimeProblem as exc:
            raise CliError.from_problem(exc, "; the restore stopped there: see wbtui status and wbtui backup list",
                                        redact) from None
        return _finish(ctx, args, report, runtime if is_deployed else None, redact)
    finally:
        runtime.close()
        for dest in destinations:
            close = getattr(dest, "close", None)
            if close is not None:
                close()


def _finish(ctx: Context, args: argparse.Namespace, report: Any, runtime: Runtime | None, redact: Any) -> int:
    from .runtime_cmd import _watch

    if args.json:
        data = report.to_dict()
        code = EXIT_OK
        if runtime is not None and not args.no_watch:
            from ..health.watch import run_startup_watch

            result = run_startup_watch(runtime, ctx.config(), timeout=args.timeout)
            data["watch"] = {"ready": result.ready, "message": redact(result.message)}
            code = EXIT_OK if result.ready else EXIT_FINDINGS
        ctx.print_json(data)
        return code
    what = (f"{report.tables} tables, {report.rows:,} rows" if report.manifest.kind == "database"
            else f"/vol from {report.manifest.size:,} bytes")
    ctx.out.print(Text(f"restored {report.id} ({what}) in {report.duration:.1f}s", style="green"))
    for step in report.done:
        ctx.out.print(Text(redact(f"  done: {step}")))
    if report.safety_backup:
        ctx.out.print(Text(f"  the data as it was before: backup {report.safety_backup} (wbtui restore "
                           f"{report.safety_backup} goes back)"))
    if runtime is None or args.no_watch:
        return EXIT_OK
    return _watch(ctx, runtime, args.timeout)
