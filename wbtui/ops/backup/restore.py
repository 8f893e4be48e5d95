"""`wbtui restore ID`: put a backup back, for the CLI and the dashboard alike.

``restore_database`` replaces the contents of MYSQL's database with a dump: it finds the backup (a bucket's is
downloaded into a private directory), checks its size and sha256 against the manifest and reads the whole dump
once (it decompresses, it ends with the dump tool's last line, it holds nothing the loading account may not
create) before anything is touched; then it empties the database (tables, views, routines, events: a W&B
account has ALL on its database but usually no CREATE DATABASE), pipes the dump in through the client program
(the password only in a 0600 option file) and compares tables, row counts, CHECKSUM TABLE and the schema
version with the manifest.

``restore_steps`` is the "what will happen" list both faces show before asking; ``run_restore`` does it all:
the checks, stopping the server, a safety backup of what is there now, the restore, starting the server again
(the caller watches start-up). A /vol volume backup (embedded stores) goes back through ``volume``.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...config.model import Config
from ...config.sql_quoting import sql_identifier
from ...config.urls import MysqlURL, URLError
from .destinations import DUMP_SUFFIXES, MANIFEST_SUFFIX, Bucket, DestinationError, Entry, Local, default_dir
from .dump import private_dir
from .manifest import Manifest, backup_id, connect, count_and_checksum_loaded, family_of, migration_version, now
from .tools import CLIENT_NAMES, ToolError, choose
from .verify import DumpUnreadable, differences, file_problems, load_dump, scan_dump

if TYPE_CHECKING:
    from ...runtime.base import Runtime

Say = Callable[[str], None]


class RestoreFailed(Exception):
    """The restore did not complete; the message says what state things are in and what to do next.

    ``touched``: the database (or volume) was already emptied or partly loaded when it failed."""

    def __init__(self, message: str, *, touched: bool = False) -> None:
        super().__init__(message)
        self.touched = touched


@dataclass
class RestoreReport:
    id: str
    manifest: Manifest
    duration: float
    where: str = ""  # the destination the backup came from
    tables: int = 0
    rows: int = 0
    loaded_as: str = ""  # the account that loaded the dump (user@host, never a password)
    safety_backup: str | None = None  # the ID of the backup taken of what was there before
    done: list[str] = field(default_factory=list)  # the steps as they were done

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "where": self.where, "duration": round(self.duration, 3), "tables": self.tables,
                "rows": self.rows, "loaded_as": self.loaded_as, "safety_backup": self.safety_backup,
                "done": self.done, "manifest": self.manifest.to_dict()}


def find_backup(backup_id: str, destinations: list[Local | Bucket]) -> tuple[Entry, Local | Bucket]:
    """The complete backup ``backup_id`` in the first destination that has it."""
    errors = []
    for dest in destinations:
        try:
            found = next((e for e in dest.entries() if e.id == backup_id), None)
        except DestinationError as exc:
            errors.append(str(exc))
            continue
        if found is None:
            continue
        if not found.complete or found.manifest is None or found.dump_name is None:
            raise RestoreFailed(f"{backup_id} in {found.location} is incomplete (no manifest or no dump): it cannot "
                                "be restored; nothing was changed; choose another backup (wbtui backup list)")
        return found, dest
    where = ", ".join(d.location for d in destinations) or "no destination"
    extra = f" ({'; '.join(errors)})" if errors else ""
    raise RestoreFailed(f"no backup {backup_id!r} in {where}{extra}; nothing was changed; see wbtui backup list")


@contextlib.contextmanager
def fetched(entry: Entry, dest: Local | Bucket, say: Say) -> Iterator[tuple[Path, Path]]:
    """The backup's file on this host (a bucket's downloaded) and a private work directory, both checked
    against the manifest's size and sha256: RestoreFailed before anything is touched when they differ."""
    assert entry.manifest is not None and entry.dump_name is not None
    with private_dir() as work:
        if isinstance(dest, Local):
            path = dest.path(entry.dump_name)
        else:
            path = work / entry.dump_name
            say(f"downloading {dest.location}{entry.dump_name}")
            try:
                dest.download(entry.dump_name, path)
            except DestinationError as exc:
                raise RestoreFailed(f"{exc}; nothing was changed") from None
        try:
            problems = file_problems(path, entry.manifest.size, entry.manifest.sha256)
        except OSError as exc:
            raise RestoreFailed(f"cannot read {path}: {exc.strerror}; nothing was changed") from None
        if problems:
            raise RestoreFailed(f"{entry.id} is not the backup its manifest describes: {'; '.join(problems)}. "
                                "Nothing was changed; restore another backup (wbtui backup list)")
        say(f"checked {entry.dump_name}: size and sha256 match the manifest")
        yield path, work


def target(config: Config) -> MysqlURL:
    """MYSQL's URL; RestoreFailed when it is empty (embedded) or does not parse."""
    if not config.server.MYSQL.strip():
        raise RestoreFailed("MYSQL is empty: W&B uses the MySQL embedded in /vol, so there is no external database "
                            "to restore into; restore a /vol volume backup instead (wbtui backup list shows its kind)")
    try:
        return MysqlURL.parse(config.server.MYSQL)
    except URLError as exc:
        raise RestoreFailed(f"MYSQL: {exc}; fix it with wbtui config set MYSQL ...") from None


def _connect(url: MysqlURL, timeout: float, what: str) -> Any:
    from ...checks.mysql_connect import explain

    try:
        return connect(url, timeout, database=None)
    except Exception as exc:  # classified without secrets
        failed = explain(exc, url, timeout)
        raise RestoreFailed(f"cannot connect to {what}: {failed.summary}; {failed.fix}; nothing was changed") \
            from None


def _has_super(cur: Any) -> bool:
    cur.execute("SELECT CURRENT_USER()")
    user, _, host = str(cur.fetchone()[0]).rpartition("@")
    cur.execute("SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'SUPER' "
                "AND GRANTEE = %s", (f"'{user}'@'{host}'",))
    return int(cur.fetchone()[0]) > 0


def _binlog_refusal(cur: Any, triggers: int, functions: int, account: str) -> str:
    """Why the account cannot create the dump's triggers/functions on this server, or ''."""
    if not (triggers or functions):
        return ""
    cur.execute("SELECT @@log_bin, @@log_bin_trust_function_creators")
    log_bin, trusted = cur.fetchone()
    if not int(log_bin) or int(trusted) or _has_super(cur):
        return ""
    what = " and ".join(p for p in (f"{triggers} trigger(s)" if triggers else "",
                                    f"{functions} stored function(s)" if functions else "") if p)
    return (f"the dump holds {what}, the server's binary log is on and log_bin_trust_function_creators is off, "
            f"and {account} has no SUPER: the server would refuse them half-way. Nothing was changed. Restore as "
            "an admin account (--admin URL or WBTUI_MYSQL_ADMIN), or SET GLOBAL log_bin_trust_function_creators = 1 "
            "on the server")


def empty_database(cur: Any, database: str) -> list[str]:
    """Drop every view, table (with its triggers), routine and event of ``database``; what was dropped."""
    db = sql_identifier(database)
    dropped = []
    cur.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
    cur.execute("SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
                "ORDER BY TABLE_TYPE = 'VIEW' DESC, TABLE_NAME", (database,))
    for name, kind in cur.fetchall():
        what = "VIEW" if kind == "VIEW" else "SEQUENCE" if kind == "SEQUENCE" else "TABLE"
        cur.execute(f"DROP {what} IF EXISTS {db}.{sql_identifier(str(name))}")
        dropped.append(f"{what.lower()} {name}")
    cur.execute("SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = %s",
                (database,))
    for name, kind in cur.fetchall():
        if kind in ("PROCEDURE", "FUNCTION"):
            cur.execute(f"DROP {kind} IF EXISTS {db}.{sql_identifier(str(name))}")
            dropped.append(f"{str(kind).lower()} {name}")
    cur.execute("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = %s", (database,))
    for (name,) in cur.fetchall():
        cur.execute(f"DROP EVENT IF EXISTS {db}.{sql_identifier(str(name))}")
        dropped.append(f"event {name}")
    cur.execute("SET SESSION FOREIGN_KEY_CHECKS = 1")
    return dropped


def restore_database(config: Config, backup_id: str, destinations: list[Local | Bucket], *, timeout: float,
                     say: Say = lambda _: None, admin: MysqlURL | None = None,
                     before: Callable[[], None] | None = None) -> RestoreReport:
    """Replace the contents of MYSQL's database with the backup ``backup_id``.

    Loads as MYSQL's account (``admin``: as that account instead, into the same database). ``before`` runs
    after every check passed and just before the database is emptied (run_restore stops the server and takes
    the safety backup there). RestoreFailed says what differs or failed; its ``touched`` says whether the
    database had been changed by then.
    """
    began = time.monotonic()
    url = target(config)
    entry, dest = find_backup(backup_id, destinations)
    manifest = entry.manifest
    assert manifest is not None
    if manifest.kind != "database":
        raise RestoreFailed(f"{backup_id} is a backup of the /vol volume, not of a database: restore it with "
                            "wbtui restore (the server's container is needed); nothing was changed")
    if manifest.database != url.database:
        say(f"note: the backup is of database {manifest.database}; it is restored into {url.database} (MYSQL)")
    loader = admin or url
    account = f"{loader.user}@{loader.host}"
    report = RestoreReport(backup_id, manifest, 0.0, where=entry.location, loaded_as=account)
    with fetched(entry, dest, say) as (path, work):
        try:
            scan = scan_dump(path, manifest.compression)
        except DumpUnreadable as exc:
            raise RestoreFailed(f"{exc}; nothing was changed") from None
        if scan.problem:
            raise RestoreFailed(f"{scan.problem}; nothing was changed; restore another backup (wbtui backup list)")
        say(f"read the whole dump: it is complete ({scan.triggers} trigger(s), {scan.functions} function(s))")
        conn = _connect(loader, timeout, "the database to restore into")
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT VERSION()")
                family = family_of(str(cur.fetchone()[0]))
                refusal = _binlog_refusal(cur, scan.triggers, scan.functions, account)
            if refusal:
                raise RestoreFailed(refusal)
            try:
                choice = choose(CLIENT_NAMES, family, "the restore")
            except ToolError as exc:
                raise RestoreFailed(f"{exc}; nothing was changed") from None
            say(f"client: {choice.why}")
            if before is not None:
                before()
            say(f"emptying database {url.database}")
            with conn.cursor() as cur:
                dropped = empty_database(cur, url.database)
            report.done.append(f"emptied database {url.database} ({len(dropped)} objects dropped)")
            say(f"loading {entry.dump_name} into {url.database} as {account}")
            problem = load_dump(choice, loader, url.database, path, manifest.compression, work)
            if problem:
                raise RestoreFailed(f"{problem}. The database {url.database} is partly restored", touched=True)
            restored = count_and_checksum_loaded(conn, lambda: connect(loader, timeout, database=None), url.database)
            with conn.cursor() as cur:
                restored_migration = migration_version(cur, url.database)
        finally:
            with contextlib.suppress(Exception):
                conn.close()
    problems = differences(manifest.tables, manifest.migration, restored, restored_migration, "restored database")
    if problems:
        raise RestoreFailed(f"the restored database {url.database} differs from the manifest: {'; '.join(problems)}",
                            touched=True)
    report.tables = len(restored)
    report.rows = sum(t.rows for t in restored)
    report.done.append(f"loaded {backup_id}: {report.tables} tables, {report.rows:,} rows; tables, row counts and "
                       "CHECKSUM TABLE match the manifest")
    report.duration = time.monotonic() - began
    return report


def deployed(runtime: Runtime) -> bool:
    """Whether the server exists (a container or Deployment, running or not); RuntimeProblem when the daemon or
    cluster cannot be asked."""
    return runtime.status().exists


def _when(manifest: Manifest) -> str:
    return manifest.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")


def restore_steps(config: Config, entry: Entry, *, safety_backup: bool = True, is_deployed: bool = True) -> list[str]:
    """Exactly what run_restore will do, for the confirmation (the CLI's prompt and the dashboard's dialog)."""
    from ..lifecycle import action_steps

    manifest = entry.manifest
    assert manifest is not None
    steps = [action_steps(config, "stop")[0]] if is_deployed else [
        "the server is not deployed: there is nothing to stop or start; only the "
        + ("volume" if manifest.kind == "volume" else "database") + " is restored"]
    if manifest.kind == "volume":
        volume = manifest.volume or config.runtime.volume
        if safety_backup:
            steps.append(f"back up the current /vol (volume {volume}) first: a safety backup beside the others")
        steps.append(f"replace everything in /vol (volume {volume}) with backup {entry.id} of {_when(manifest)} "
                     f"({entry.where}, {manifest.size:,} bytes): what is in /vol now is deleted")
    else:
        try:
            url = MysqlURL.parse(config.server.MYSQL)
            database, host = url.database, f"{url.host}:{url.effective_port}"
        except URLError:
            database, host = "(MYSQL does not parse)", "?"
        if safety_backup:
            steps.append(f"back up the current database {database} first: a safety backup beside the others")
        rows = sum(t.rows for t in manifest.tables)
        version = (manifest.migration or {}).get("version")
        schema = f", schema version {version}" if version is not None else ", no schema version recorded"
        steps.append(f"replace database {database} on {host} with backup {entry.id} of {_when(manifest)} "
                     f"({entry.where}): {len(manifest.tables)} tables, {rows:,} rows{schema}; everything in "
                     f"{database} now is dropped")
    if is_deployed:
        steps.append(f"start {config.runtime.container_name if config.runtime.backend == 'docker' else 'the server'}"
                     " again and watch start-up until /ready answers")
    return steps


def safety_destination(destinations: list[Local | Bucket]) -> Local:
    """Where the safety backup goes: the first local directory restore looks in (else the default)."""
    return next((d for d in destinations if isinstance(d, Local)), None) or Local(default_dir())


def free_moment(local: Local, name: str) -> datetime:
    """Now, or the next second whose backup ID is free in ``local`` (a backup right after another one)."""
    moment = now()
    suffixes = (MANIFEST_SUFFIX, *DUMP_SUFFIXES)
    while any(local.path(backup_id(moment, name) + s).exists() for s in suffixes):
        moment += timedelta(seconds=1)
    return moment


def safety_backup_of_database(config: Config, local: Local, *, timeout: float, say: Say) -> str:
    """A backup of MYSQL's database as it is now, into ``local`` (never pruning); its ID."""
    from .job import BackupFailed, run_backup

    say("safety backup of the current database")
    url = target(config)
    try:
        report = run_backup(config, [local], keep=None, timeout=timeout, say=say,
                            moment=free_moment(local, url.database))
    except BackupFailed as exc:
        raise RestoreFailed(f"the safety backup failed: {exc}; nothing was restored (--no-safety-backup restores "
                            "without one)") from None
    say(f"safety backup {report.id} in {local.location}")
    return report.id


def run_restore(config: Config, runtime: Runtime | None, backup: str, destinations: list[Local | Bucket], *,
                safety_backup: bool, say: Say = lambda _: None, timeout: float = 10.0,
                admin: MysqlURL | None = None) -> RestoreReport:
    """The whole restore: check the backup, stop the server, take a safety backup of what is there now, restore,
    start the server again (the caller watches start-up). ``runtime`` None: not deployed, the data only.

    On a failure before anything was changed the server is started again; after, it is left stopped (starting
    W&B on a half-restored database would run its migrations on it) and the message names the safety backup.
    """
    from ...runtime.base import RuntimeProblem
    from ..lifecycle import run_action

    began = time.monotonic()
    entry, _ = find_backup(backup, destinations)
    assert entry.manifest is not None
    local = safety_destination(destinations)
    stopped = False
    safety: list[str] = []

    def progress(step: Any) -> None:
        say(step.message)

    def stop_and_save() -> None:
        nonlocal stopped
        if runtime is not None:
            say(run_action(runtime, "stop", progress=progress))
            stopped = True
        if safety_backup:
            if entry.manifest is not None and entry.manifest.kind == "volume":
                from .volume import backup_volume

                safety.append(backup_volume(config, _docker(runtime), local, say=say).id)
            else:
                safety.append(safety_backup_of_database(config, local, timeout=timeout, say=say))

    try:
        if entry.manifest.kind == "volume":
            from .volume import restore_volume

            report = restore_volume(config, _docker(runtime), backup, destinations, say=say, before=stop_and_save)
        else:
            report = restore_database(config, backup, destinations, timeout=timeout, say=say, admin=admin,
                                      before=stop_and_save)
    except RestoreFailed as exc:
        raise RestoreFailed(_after_failure(str(exc), exc.touched, runtime if stopped else None, safety, say),
                            touched=exc.touched) from None
    except RuntimeProblem as exc:  # stopping, or Docker while archiving: nothing restored yet
        raise RestoreFailed(_after_failure(f"{exc}; nothing was restored", False, runtime if stopped else None,
                                           safety, say)) from None
    report.safety_backup = safety[0] if safety else None
    if stopped:
        report.done.insert(0, "stopped the server")
    if safety:
        report.done.insert(1 if stopped else 0, f"safety backup {safety[0]} in {local.location}")
    if runtime is not None:
        say(run_action(runtime, "start", progress=progress))
        report.done.append("started the server")
    report.duration = time.monotonic() - began
    return report


def _docker(runtime: Runtime | None) -> Any:
    from ...runtime.docker.backend import DockerRuntime

    if not isinstance(runtime, DockerRuntime):
        raise RestoreFailed("a /vol volume backup is restored into the Docker container's volume: deploy the "
                            "server with the Docker backend first (wbtui up), then restore; nothing was changed")
    return runtime


def _after_failure(message: str, touched: bool, stopped: Runtime | None, safety: list[str], say: Say) -> str:
    from ...runtime.base import RuntimeProblem
    from ..lifecycle import run_action

    sentences = [message.rstrip(". ")]
    if touched:
        sentences.append(f"Restore the safety backup to go back: wbtui restore {safety[0]} --no-safety-backup"
                         if safety else "There is no safety backup (--no-safety-backup): restore another backup")
        if stopped is not None:
            sentences.append("The server is left stopped (wbtui start once the data is right)")
    elif stopped is not None:
        try:
            say(run_action(stopped, "start"))
            sentences.append("The server was started again")
        except RuntimeProblem as exc:
            sentences.append(f"Starting the server again failed too: {exc}")
    return ". ".join(sentences) + "."
