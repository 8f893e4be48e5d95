"""`wbtui backup`, `wbtui backup list` and `wbtui backup verify ID`: dumps of W&B's external MySQL, and
archives of the /vol volume when the stores are embedded (MYSQL empty, or --volume; Docker, server stopped).

Exit codes: 0 done (verify: the backup restored and matched); 1 the backup, upload or verify failed, or a
verify found differences; 2 a usage error (a bad --keep, no admin URL, read-only mode for verify or for a /vol
backup, which stops the server); 3 not covered: embedded stores on Kubernetes (a PersistentVolumeClaim); 4 the
Docker daemon did not answer (a /vol backup).
"""

from __future__ import annotations

import argparse
import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context, seconds
from .flags import add_kube

if TYPE_CHECKING:
    from ..ops.backup.destinations import Bucket, Entry, Local

EXIT_NOT_COVERED = 3
BACKUP_TIMEOUT = 60.0
"""The object store's read timeout while parts go up (app.timeout is for quick checks)."""


def register(sub: argparse._SubParsersAction) -> None:
    from ..checks.mysql_connect import ADMIN_ENV

    parser = sub.add_parser(
        "backup", help="dump W&B's MySQL database (consistent, compressed, with a manifest)",
        description="Dump the database in MYSQL with mysqldump/mariadb-dump (--single-transaction, routines, "
        "triggers, events, utf8mb4), compressed with zstd (or gzip), written atomically with a manifest "
        "(tables, row counts, checksums, schema version, sha256), to a local directory (default "
        "$XDG_DATA_HOME/wbtui/backups) and/or the bucket in BUCKET, then remove backups older than --keep "
        "(never the newest good one). With MYSQL empty (W&B's embedded stores in /vol) or --volume: stop the "
        "server (asks first), archive its /vol with the Docker API, start it again. Exit codes: 0 done, 1 failed, "
        "2 usage, 3 not covered (embedded stores on Kubernetes). Restore with wbtui restore ID.")
    parser.add_argument("--to", metavar="DIR", help="local backup directory (default: backup.directory, else "
                        "$XDG_DATA_HOME/wbtui/backups; "
                        "without --to-bucket the default is used)")
    parser.add_argument("--to-bucket", action="store_true",
                        help="also (or, without --to, only) upload to BUCKET under --prefix, with W&B's keys "
                        "(backup.to_bucket = true adds the bucket always)")
    parser.add_argument("--prefix", default=None, metavar="P",
                        help="key prefix in the bucket (default: backup.prefix, wbtui-backups/)")
    parser.add_argument("--keep", default=None, metavar="AGE",
                        help="remove backups older than this from each destination, never the newest good one "
                        "(36h, 7d, 2w; default: backup.keep, 7d)")
    parser.add_argument("--no-prune", action="store_true", help="remove nothing")
    parser.add_argument("--volume", action="store_true", help="archive the container's /vol instead of dumping "
                        "MYSQL (the default when MYSQL is empty): the server is stopped meanwhile")
    parser.add_argument("--yes", "-y", action="store_true", help="stop the server for a /vol backup without asking")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--timeout", type=seconds, metavar="S", help="connect timeout (default: app.timeout)")
    add_kube(parser)
    parser.set_defaults(func=cmd_backup)
    bsub = parser.add_subparsers(dest="backup_command", metavar="COMMAND")

    p = bsub.add_parser("list", help="the backups, newest first (local and bucket)",
                        description="Every backup in the local directory and, when BUCKET is set, in the bucket: "
                        "newest first, with age, size and whether a verify passed.")
    _where(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = bsub.add_parser(
        "verify", help="restore a backup into a scratch database and compare it with its manifest",
        description="Check the file's size and sha256, restore it into a scratch database wbtui_verify_* on "
        "MYSQL's server (as an admin account: it needs CREATE and DROP there), compare tables, row counts and "
        "CHECKSUM TABLE with the manifest, drop the scratch database and record the result (ID.verify.json).")
    p.add_argument("id", metavar="ID", help="the backup's ID (wbtui backup list)")
    p.add_argument("--admin", metavar="URL", help=f"an account allowed to create a database, e.g. "
                   f"mysql://root:PASSWORD@HOST:3306/mysql (default: ${ADMIN_ENV}, which keeps the password out of "
                   "shell history)")
    _where(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--timeout", type=seconds, metavar="S", help="connect timeout (default: app.timeout)")
    p.set_defaults(func=cmd_verify)


def _where(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", metavar="DIR", help="local backup directory (default: backup.directory)")
    p.add_argument("--prefix", default=None, metavar="P", help="key prefix in the bucket (default: backup.prefix)")
    p.add_argument("--local-only", action="store_true", help="do not look in the bucket")


def _local(ctx: Context, args: argparse.Namespace) -> Local:
    from ..config.backup import directory
    from ..ops.backup.destinations import Local

    return Local(Path(args.to).expanduser() if args.to else directory(ctx.config()))


def _bucket(ctx: Context, args: argparse.Namespace) -> Bucket:
    from ..ops.backup.destinations import Bucket, DestinationError

    try:
        return Bucket(ctx.config(), args.prefix or ctx.config().backup.prefix, timeout=BACKUP_TIMEOUT)
    except DestinationError as exc:
        raise CliError(str(exc)) from None


def _keep(ctx: Context, args: argparse.Namespace) -> timedelta | None:
    """--keep, else backup.keep from the config (7d unless set)."""
    from ..config.backup import parse_keep

    if args.no_prune:
        return None
    try:
        return parse_keep(args.keep or ctx.config().backup.keep)
    except ValueError as exc:
        where = "--keep" if args.keep else "backup.keep"
        raise CliError(f"{where}: {exc}", EXIT_USAGE) from None


def cmd_backup(ctx: Context, args: argparse.Namespace) -> int:
    from ..ops.backup.job import BackupFailed, NotCovered, run_backup

    keep = _keep(ctx, args)
    config = ctx.config()
    if args.volume or not config.server.MYSQL.strip():
        return _volume_backup(ctx, args, keep)
    if keep is not None and ctx.read_only:
        keep = None
        ctx.err.print("read-only mode: backing up, but removing no old backup (retention skipped)")
    destinations: list[Local | Bucket] = []
    if args.to or not args.to_bucket:
        destinations.append(_local(ctx, args))
    if args.to_bucket or config.backup.to_bucket:  # the config's backup.to_bucket adds the bucket
        destinations.append(_bucket(ctx, args))
    redact = ctx.redactor()
    console = ctx.err if args.json else ctx.out

    def say(line: str) -> None:
        console.print(Text(redact(line), style="dim"))

    try:
        report = run_backup(config, destinations, keep=keep, timeout=args.timeout or config.app.timeout, say=say)
    except NotCovered as exc:
        return ctx.fail(CliError(str(exc), EXIT_NOT_COVERED, kind="not-covered"))
    except BackupFailed as exc:
        raise CliError(str(exc)) from None
    finally:
        for dest in destinations:
            close = getattr(dest, "close", None)
            if close is not None:
                close()
    if args.json:
        ctx.print_json(report.to_dict())
        return EXIT_OK
    m = report.manifest
    rows = sum(t.rows for t in m.tables)
    ctx.out.print(Text(f"backup {m.id}: {len(m.tables)} tables, {rows:,} rows, {_size(m.size)} ({m.compression}) "
                       f"in {max(m.seconds, 0.1):.1f}s", style="green"))
    for where in report.stored:
        ctx.out.print(Text(f"  stored: {where}"))
    ctx.out.print(Text(f"  sha256: {m.sha256}"))
    if m.migration:
        ctx.out.print(Text(f"  schema: {m.migration['table']} version {m.migration['version']}"
                           + (" (dirty)" if m.migration.get("dirty") else "")))
    for note in report.notes:
        ctx.out.print(Text(f"  note: {redact(note)}", style="yellow"))
    for gone in report.pruned:
        ctx.out.print(Text(f"  removed (older than the retention): {gone}", style="dim"))
    ctx.out.print(f"next: wbtui backup verify {m.id} --admin mysql://root:PASSWORD@{m.host}/mysql "
                  "(or set WBTUI_MYSQL_ADMIN)")
    return EXIT_OK


def kubernetes_not_covered(config: Any) -> str:
    k = config.kubernetes
    claim = f"the PersistentVolumeClaim {k.volume_claim}" if k.volume_claim else "the pod's /vol volume"
    return (f"W&B's embedded stores (MYSQL{' and BUCKET' if not config.server.BUCKET.strip() else ''} empty) live in "
            f"{claim} of {k.name} in namespace {k.namespace}. wbtui archives /vol for the Docker backend only; "
            "on Kubernetes that is not covered: scale the server to 0 (wbtui stop), copy the claim's files out "
            "with a pod that mounts it (kubectl cp) or take a VolumeSnapshot of it, then wbtui start; or move W&B to "
            "an external MySQL (wbtui config set MYSQL ...) and back that up with wbtui backup")


def _volume_backup(ctx: Context, args: argparse.Namespace, keep: timedelta | None) -> int:
    """The /vol archive: Docker only; stops the server (asks first), archives, starts it again."""
    from ..ops.backup.restore import RestoreFailed
    from ..ops.backup.volume import VolumeBackupFailed, embedded_stores, run_volume_backup
    from ..ops.lifecycle import action_steps
    from ..runtime.base import RuntimeProblem, runtime_for
    from ..runtime.docker.backend import DockerRuntime

    config = ctx.config()
    if config.runtime.backend == "kubernetes":
        return ctx.fail(CliError(kubernetes_not_covered(config), EXIT_NOT_COVERED, kind="not-covered"))
    ctx.refuse_if_read_only("stop the server to archive /vol")
    redact = ctx.redactor()
    console = ctx.err if args.json else ctx.out

    def say(line: str) -> None:
        console.print(Text(redact(line), style="dim"))

    stores = embedded_stores(config)
    say(f"/vol holds W&B's embedded {' and '.join(stores)}: archiving it" if stores else
        "--volume: archiving /vol")
    if args.to_bucket or config.backup.to_bucket:
        say("a /vol archive is kept in the local directory only (not uploaded to a bucket)")
    runtime = runtime_for(config)
    assert isinstance(runtime, DockerRuntime)
    try:
        attrs = runtime.inspect()
        if attrs is None:
            raise CliError(f"no container {runtime.name}: there is no /vol to back up; deploy it with wbtui up")
        if (attrs.get("State") or {}).get("Running"):
            if not args.yes:
                console.print(Text("This will:", style="bold"))
                for step in (*action_steps(config, "stop"), f"archive /vol (volume {config.runtime.volume}) into "
                             f"{_local(ctx, args).location}", f"start {runtime.name} again"):
                    console.print(Text(f"  - {step}"))
            if not ctx.confirm(f"Stop {runtime.name} to archive /vol? The server is down until the archive is "
                               "written.", args.yes):
                console.print("cancelled: nothing changed")
                return EXIT_FINDINGS
        manifest, pruned = run_volume_backup(config, runtime, _local(ctx, args), keep=keep, say=say)
    except (VolumeBackupFailed, RestoreFailed) as exc:
        raise CliError(redact(str(exc))) from None
    except RuntimeProblem as exc:
        raise CliError.from_problem(exc, "; see wbtui status (the server is started again if it was running)",
                                    redact) from None
    finally:
        runtime.close()
    if args.json:
        ctx.print_json({"id": manifest.id, "kind": "volume", "pruned": pruned, "manifest": manifest.to_dict()})
        return EXIT_OK
    ctx.out.print(Text(f"backup {manifest.id}: /vol of {runtime.name}, {_size(manifest.size)} "
                       f"({manifest.compression}) in {max(manifest.seconds, 0.1):.1f}s", style="green"))
    ctx.out.print(Text(f"  stored: {_local(ctx, args).path(manifest.file)}"))
    ctx.out.print(Text(f"  sha256: {manifest.sha256}"))
    for gone in pruned:
        ctx.out.print(Text(f"  removed (older than the retention): {gone}", style="dim"))
    ctx.out.print(f"next: wbtui backup verify {manifest.id}; put it back with wbtui restore {manifest.id}")
    return EXIT_OK


def _size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


def _age(delta: timedelta) -> str:
    s = int(delta.total_seconds())
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m"
    if s < 172800:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def _destinations(ctx: Context, args: argparse.Namespace) -> list[Local | Bucket]:
    out: list[Local | Bucket] = [_local(ctx, args)]
    if not args.local_only and ctx.config().server.BUCKET.strip():
        out.append(_bucket(ctx, args))
    return out


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    from ..ops.backup.job import list_all
    from ..ops.backup.manifest import now

    destinations = _destinations(ctx, args)
    entries, errors = list_all(destinations)
    moment = now()
    if args.json:
        ctx.print_json({"backups": [e.to_dict(moment) for e in entries], "errors": errors,
                        "locations": [d.location for d in destinations]})
    else:
        ctx.out.print(Text(f"{'ID':<44} {'KIND':<8} {'WHERE':<7} {'AGE':>5} {'SIZE':>10}  VERIFIED",
                           style="bold"))
        for e in entries:
            state = {True: "yes", False: "FAILED", None: "no"}[e.verified]
            if not e.complete:
                state = "incomplete"
            kind = e.manifest.kind if e.manifest else "?"
            ctx.out.print(Text(f"{e.id:<44} {kind:<8} {e.where:<7} {_age(moment - e.created):>5} "
                               f"{_size(e.size):>10}  {state}",
                               style="red" if state in ("FAILED", "incomplete") else ""))
        if not entries:
            ctx.out.print(f"no backups in {', '.join(d.location for d in destinations)}: make one with wbtui backup")
        for error in errors:
            ctx.error(error)
    return EXIT_FINDINGS if errors else EXIT_OK


def _find(ctx: Context, args: argparse.Namespace, backup: str) -> tuple[Entry, Local | Bucket]:
    destinations = _destinations(ctx, args)
    errors = []
    from ..ops.backup.destinations import DestinationError

    for dest in destinations:
        try:
            found = next((e for e in dest.entries() if e.id == backup), None)
        except DestinationError as exc:
            errors.append(str(exc))
            continue
        if found is not None:
            return found, dest
    where = ", ".join(d.location for d in destinations)
    extra = f" ({'; '.join(errors)})" if errors else ""
    raise CliError(f"no backup {backup!r} in {where}{extra}: see wbtui backup list")


def cmd_verify(ctx: Context, args: argparse.Namespace) -> int:
    from ..checks.mysql_connect import ADMIN_ENV
    from ..config.masking import screen
    from ..config.urls import MysqlURL, URLError
    from ..ops.backup.verify import VerifyError, verify

    entry, dest = _find(ctx, args, args.id)
    admin: MysqlURL | None = None
    if entry.manifest is None or entry.manifest.kind != "volume":  # a /vol archive is checked as a file
        admin_url = args.admin or os.environ.get(ADMIN_ENV, "")
        if not admin_url:
            raise CliError(f"--admin URL is required (or set {ADMIN_ENV}): an account that may create the scratch "
                           "database, e.g. mysql://root:PASSWORD@db.example.com:3306/mysql", EXIT_USAGE)
        ctx.refuse_if_read_only("create a scratch database to verify a backup")
        try:
            admin = MysqlURL.parse(admin_url)
        except URLError as exc:
            raise CliError(f"admin URL: {exc} (e.g. mysql://root:PASSWORD@db.example.com:3306/mysql)",
                           EXIT_USAGE) from None
    config = ctx.config()
    redact = screen(config, extra={admin.password} if admin else ())
    try:
        result = verify(entry, dest, admin, timeout=args.timeout or config.app.timeout)
    except VerifyError as exc:
        raise CliError(redact(str(exc))) from None
    if args.json:
        ctx.print_json(_redacted(result.to_dict(), redact))
    elif result.ok and admin is None:
        ctx.out.print(Text(f"verified {entry.id} ({entry.where}): a /vol archive whose size and sha256 match the "
                           f"manifest and whose tar reads to the end, in {result.seconds:.1f}s", style="green"))
    elif result.ok:
        ctx.out.print(Text(f"verified {entry.id} ({entry.where}): {result.tables} tables, {result.rows:,} rows "
                           f"restored into {result.scratch} and matched the manifest (dropped again) in "
                           f"{result.seconds:.1f}s", style="green"))
    else:
        ctx.out.print(Text(f"verify FAILED for {entry.id} ({entry.where}):", style="bold red"))
        for problem in result.problems:
            ctx.out.print(Text(f"  {redact(problem)}"))
        ctx.out.print("next: do not rely on this backup; make a new one with wbtui backup and verify that")
    return EXIT_OK if result.ok else EXIT_FINDINGS


def _redacted(data: dict[str, Any], redact: Any) -> dict[str, Any]:
    return {k: ([redact(p) for p in v] if k == "problems" else v) for k, v in data.items()}


