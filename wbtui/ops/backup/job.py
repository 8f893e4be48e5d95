"""One backup from start to end: the checks before, the dump and its inventory, the destinations, retention.

The inventory's consistent snapshot is opened just before the dump starts (so both see the same data on a
quiet server) and is read while the dump runs, on a second connection.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ... import __version__
from ...config.model import Config
from ...config.urls import MysqlURL, URLError
from . import manifest as mf
from .destinations import MANIFEST_SUFFIX, Bucket, DestinationError, Entry, Local
from .dump import AtomicFile, DumpError, Written, dump, private_dir
from .retention import to_prune
from .tools import DUMP_NAMES, Choice, Family, ToolError, choose, find_compressor

Say = Callable[[str], None]


class NotCovered(Exception):
    """What wbtui backup does not cover for this config (the embedded MySQL); says what to do instead."""


class BackupFailed(Exception):
    """The backup did not complete; nothing incomplete is left under a backup's name."""


def embedded_message(config: Config) -> str:
    volume = config.runtime.volume or "the container's /vol"
    return (f"MYSQL is empty: W&B keeps its database in the MySQL embedded in the container, inside the /vol volume "
            f"({volume}); a dump needs an external MySQL. Archive the volume instead: wbtui backup (it stops the "
            "server, archives /vol, starts it again; ops.backup.volume.run_volume_backup), or move W&B to an "
            "external MySQL (wbtui config set MYSQL mysql://USER:PASSWORD@HOST:3306/DATABASE) and dump that.")


def target(config: Config) -> MysqlURL:
    if not config.server.MYSQL.strip():
        raise NotCovered(embedded_message(config))
    try:
        return MysqlURL.parse(config.server.MYSQL)
    except URLError as exc:
        raise BackupFailed(f"MYSQL: {exc}; fix it with wbtui config set MYSQL ...") from None


@dataclass
class Report:
    id: str
    manifest: mf.Manifest
    stored: list[str] = field(default_factory=list)  # where the backup went
    pruned: list[str] = field(default_factory=list)  # "where: id"
    tool_why: str = ""
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "stored": self.stored, "pruned": self.pruned, "tool": self.tool_why,
                "notes": self.notes, "manifest": self.manifest.to_dict()}


def _connect(url: MysqlURL, timeout: float) -> Any:
    from ...checks.mysql_connect import explain

    try:
        return mf.connect(url, timeout)
    except Exception as exc:  # classified without secrets
        failed = explain(exc, url, timeout)
        raise BackupFailed(f"cannot connect to MYSQL: {failed.summary}; {failed.fix}") from None


class _Counter(threading.Thread):
    """Reads the inventory in the snapshot already opened on ``conn``."""

    def __init__(self, conn: Any, database: str) -> None:
        super().__init__(daemon=True, name="wbtui-backup-inventory")
        self.conn, self.database = conn, database
        self.tables: list[mf.Table] = []
        self.migration: dict[str, Any] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.conn.cursor() as cur:
                self.tables = mf.count_and_checksum(cur, self.database)
                self.migration = mf.migration_version(cur, self.database)
                cur.execute("COMMIT")
        except BaseException as exc:
            self.error = exc


def run_backup(config: Config, destinations: list[Local | Bucket], *, keep: timedelta | None,
               timeout: float, say: Say = lambda _: None, moment: datetime | None = None) -> Report:
    """Dump MYSQL's database to every destination, then prune each by ``keep`` (None: no pruning)."""
    if not destinations:
        raise BackupFailed("no destination: give --to DIR and/or --to-bucket")
    url = target(config)
    for dest in destinations:
        try:
            dest.prepare()
        except DestinationError as exc:
            raise BackupFailed(str(exc)) from None
    conn = _connect(url, timeout)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            version = str(cur.fetchone()[0])
        family = mf.family_of(version)
        try:
            choice = choose(DUMP_NAMES, family, "the dump")
        except ToolError as exc:
            raise BackupFailed(str(exc)) from None
        say(f"dump tool: {choice.why}")
        zstd = find_compressor()
        say("compression: " + ("zstd (the zstd program is installed)" if zstd else
                               "gzip (no zstd program on PATH; apt-get install zstd for faster backups)"))
        created = moment or mf.now()
        backup = mf.backup_id(created, url.database)
        name = backup + (".sql.zst" if zstd else ".sql.gz")
        local = next((d for d in destinations if isinstance(d, Local)), None)
        if local is not None and any(local.path(backup + s).exists() for s in (".sql.zst", ".sql.gz", MANIFEST_SUFFIX)):
            raise BackupFailed(f"a backup {backup} is already in {local.dir} (two backups in the same second?); "
                               "run wbtui backup again in a second")
        with private_dir() as staging:
            out = AtomicFile((local.dir if local else staging) / name)
            try:
                with conn.cursor() as cur:
                    cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
                counter = _Counter(conn, url.database)
                counter.start()
                written = _dump(choice, url, out, zstd, family)
                counter.join()
                if counter.error is not None:
                    raise BackupFailed(f"counting the rows failed: {counter.error}; run wbtui check mysql")
                manifest = _manifest(config, url, version, backup, name, written, choice, counter, created)
                out.commit()
            except BaseException:
                out.abort()
                raise
            report = Report(backup, manifest, tool_why=choice.why, notes=list(manifest.notes))
            for dest in destinations:
                _store(dest, out.path, name, manifest, report, say)
            if local is None:
                out.path.unlink(missing_ok=True)
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    if keep is not None:
        for dest in destinations:
            report.pruned += [f"{dest.where}: {e.id}" for e in prune(dest, keep, say)]
    return report


def _dump(choice: Choice, url: MysqlURL, out: AtomicFile, zstd: str | None, family: Family) -> Written:
    try:
        return dump(choice, url, out, zstd=zstd, server_family=family)
    except DumpError as exc:
        raise BackupFailed(str(exc)) from None


def _manifest(config: Config, url: MysqlURL, version: str, backup: str, name: str, written: Written,
              choice: Choice, counter: _Counter, created: datetime) -> mf.Manifest:
    notes = []
    odd = [t.name for t in counter.tables if t.engine and t.engine.lower() not in ("innodb", "xtradb", "rocksdb")]
    if odd:
        notes.append(f"not transactional ({', '.join(odd)}): --single-transaction cannot make these tables "
                     "consistent with the rest if W&B writes to them during the dump")
    if counter.migration and counter.migration.get("dirty"):
        notes.append(f"schema_migrations is dirty at version {counter.migration.get('version')}: a migration "
                     "failed half-way; this backup holds that state")
    if not config.server.BUCKET.strip():
        notes.append("BUCKET is empty: W&B's files are in the object store embedded in /vol, which this dump does "
                     "not hold; archive them too with wbtui backup --volume (it stops the server while it runs)")
    return mf.Manifest(
        id=backup, created=created.isoformat(), database=url.database, host=f"{url.host}:{url.effective_port}",
        server_version=version, file=name, compression=written.compression, size=written.size,
        sha256=written.sha256, tables=counter.tables, migration=counter.migration, image=config.runtime.image,
        tag=config.runtime.tag, tool={**choice.tool.to_dict(), "why": choice.why},
        seconds=round(written.seconds, 3), wbtui_version=__version__, notes=notes)


def _store(dest: Local | Bucket, path: Path, name: str, manifest: mf.Manifest, report: Report, say: Say) -> None:
    try:
        if isinstance(dest, Bucket):
            say(f"uploading to {dest.location}{name}")
            dest.upload(path, name)
        elif path.parent != dest.dir:
            raise BackupFailed("only one local directory per backup")
        dest.write_small(manifest.id + MANIFEST_SUFFIX, manifest.dumps())
    except DestinationError as exc:
        raise BackupFailed(f"{exc} (the backup is {'kept in ' + str(path.parent) if path.exists() else 'lost'})") \
            from None
    report.stored.append(f"{dest.location.rstrip('/')}/{name}")


def prune(dest: Local | Bucket, keep: timedelta, say: Say = lambda _: None,
          now: datetime | None = None) -> list[Entry]:
    """Remove ``dest``'s backups older than ``keep``, never its newest good one."""
    gone = to_prune(dest.entries(), keep, now or mf.now())
    for entry in gone:
        say(f"removing {entry.where} backup {entry.id} (older than the retention)")
        dest.delete(entry)
    return gone


def list_all(destinations: list[Local | Bucket]) -> tuple[list[Entry], list[str]]:
    """Every destination's backups, newest first, and the errors of the destinations that could not be read."""
    entries: list[Entry] = []
    errors = []
    for dest in destinations:
        try:
            entries += dest.entries()
        except DestinationError as exc:
            errors.append(str(exc))
    return sorted(entries, key=lambda e: (e.created, e.id), reverse=True), errors
