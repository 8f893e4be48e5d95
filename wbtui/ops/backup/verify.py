"""`wbtui backup verify ID`: restore a backup into a scratch database on the same server and compare.

First the file against its manifest (size, sha256: a changed or cut-short file fails here, before anything is
restored); then the restore, as the admin account (it needs CREATE on the scratch name ``wbtui_verify_*``),
with the dump fed through wbtui so its last line can be checked (a dump that does not end in the dump tool's
"Dump completed" line was cut short); then every table's row count and ``CHECKSUM TABLE`` against the manifest.
The scratch database is dropped whatever happens. The result is written beside the backup as ``ID.verify.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import subprocess
import time
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from ...config.sql_quoting import sql_identifier
from ...config.urls import MysqlURL
from .destinations import VERIFY_SUFFIX, Bucket, Entry, Local
from .dump import CHUNK, MAX_PACKET, connection_args, private_dir, write_defaults
from .manifest import Table, connect, count_and_checksum_loaded, family_of, migration_version, now
from .tools import CLIENT_NAMES, Choice, child_env, choose, find_compressor

TRAILER = b"-- Dump completed"
SCRATCH_PREFIX = "wbtui_verify_"


class VerifyError(Exception):
    """Verify could not run at all (no admin connection, no client); the message says what to do."""


@dataclass
class VerifyResult:
    id: str
    ok: bool
    when: str
    problems: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    scratch: str = ""
    seconds: float = 0.0
    restored_with: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def file_problems(path: Path, size: int, sha256: str) -> list[str]:
    """The file against the manifest's size and sha256."""
    digest = hashlib.sha256()
    actual = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            actual += len(chunk)
    problems = []
    if actual != size:
        problems.append(f"the file is {actual} bytes, the manifest says {size}: it was cut short or changed")
    if digest.hexdigest() != sha256:
        problems.append(f"the file's sha256 is {digest.hexdigest()[:16]}…, the manifest says {sha256[:16]}…: "
                        "it is not the file the backup wrote")
    return problems


def verify(entry: Entry, destination: Local | Bucket, admin: MysqlURL | None, *, timeout: float,
           trust_hash: bool = False) -> VerifyResult:
    """Verify one complete backup and record the result in its destination. ``trust_hash`` skips nothing but
    lets the restore run even when the sha256 differs (the tests use it to show the restore check on its own)."""
    began = time.monotonic()
    manifest = entry.manifest
    if manifest is None or entry.dump_name is None:
        raise VerifyError(f"{entry.id} in {entry.location} is incomplete (no manifest or no dump): it cannot be "
                          "verified; make a new backup with wbtui backup")
    result = VerifyResult(entry.id, False, now().isoformat())
    with private_dir() as work:
        if isinstance(destination, Local):
            path = destination.path(entry.dump_name)
        else:
            path = work / entry.dump_name
            destination.download(entry.dump_name, path)
        result.problems += file_problems(path, manifest.size, manifest.sha256)
        if manifest.kind == "volume":  # a /vol archive: checked as a file (readable tar), nothing restored
            from .volume import archive_problem

            if not result.problems and (problem := archive_problem(path, manifest.compression)):
                result.problems.append(problem)
        elif admin is None:
            raise VerifyError("a database backup is verified by restoring it into a scratch database: give an admin "
                              "URL (--admin or WBTUI_MYSQL_ADMIN)")
        elif not result.problems or trust_hash:
            _restore_and_compare(result, path, manifest.compression, manifest.tables, manifest.migration, admin,
                                 work, timeout)
    result.ok = not result.problems
    result.seconds = round(time.monotonic() - began, 3)
    destination.write_small(entry.id + VERIFY_SUFFIX, (json.dumps(result.to_dict(), indent=2) + "\n").encode())
    return result


def _admin_connection(admin: MysqlURL, timeout: float) -> Any:
    from ...checks.mysql_connect import explain

    try:
        return connect(admin, timeout, database=None)
    except Exception as exc:  # classified without secrets
        failed = explain(exc, admin, timeout)
        raise VerifyError(f"cannot connect with the admin URL: {failed.summary}; {failed.fix}") from None


def _restore_and_compare(result: VerifyResult, path: Path, compression: str, tables: list[Any],
                         migration: dict[str, Any] | None, admin: MysqlURL, work: Path, timeout: float) -> None:
    import pymysql

    conn = _admin_connection(admin, timeout)
    scratch = SCRATCH_PREFIX + secrets.token_hex(4)
    result.scratch = scratch
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT VERSION()")
            family = family_of(str(cur.fetchone()[0]))
            try:
                cur.execute(f"CREATE DATABASE {sql_identifier(scratch)} CHARACTER SET utf8mb4 "
                            "COLLATE utf8mb4_general_ci")
            except pymysql.Error as exc:
                raise VerifyError(f"the admin account cannot create the scratch database {scratch}: "
                                  f"{exc.args[-1]}; give an account with CREATE (and DROP) on {SCRATCH_PREFIX}* "
                                  "or on *.*, e.g. root") from None
        try:
            choice = choose(CLIENT_NAMES, family, "the restore")
        except Exception as exc:
            raise VerifyError(str(exc)) from None
        result.restored_with = f"{choice.tool.name}: {choice.why}"
        try:
            problem = load_dump(choice, admin, scratch, path, compression, work)
        except DumpUnreadable as exc:
            raise VerifyError(str(exc)) from None
        if problem:
            result.problems.append(problem)
            return
        restored = count_and_checksum_loaded(conn, lambda: _admin_connection(admin, timeout), scratch)
        with conn.cursor() as cur:
            restored_migration = migration_version(cur, scratch)
        result.problems += differences(tables, migration, restored, restored_migration, "restored dump")
        result.tables = len(restored)
        result.rows = sum(t.rows for t in restored)
    finally:
        with contextlib.suppress(Exception), conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {sql_identifier(scratch)}")
        conn.close()


def differences(tables: list[Table], migration: dict[str, Any] | None, restored: list[Table],
                restored_migration: dict[str, Any] | None, what: str) -> list[str]:
    """How a restored database differs from the manifest: tables, row counts, CHECKSUM TABLE, schema version."""
    problems = []
    expected = {t.name: t for t in tables}
    got_by_name = {t.name: t for t in restored}
    for name in sorted(set(expected) - set(got_by_name)):
        problems.append(f"table {name} is in the manifest but not in the {what}")
    for name in sorted(set(got_by_name) - set(expected)):
        problems.append(f"table {name} is in the {what} but not in the manifest")
    for name in sorted(set(expected) & set(got_by_name)):
        want, got = expected[name], got_by_name[name]
        if want.rows != got.rows:
            problems.append(f"table {name}: {got.rows} rows restored, the manifest says {want.rows}")
        elif want.checksum is not None and got.checksum is not None and want.checksum != got.checksum:
            problems.append(f"table {name}: CHECKSUM TABLE {got.checksum}, the manifest says "
                            f"{want.checksum}: the rows differ")
    if migration and restored_migration and migration.get("version") != restored_migration.get("version"):
        problems.append(f"schema version {restored_migration.get('version')} restored, the manifest "
                        f"says {migration.get('version')}")
    return problems


class DumpUnreadable(Exception):
    """The host cannot decompress the dump (no zstd program); the message says what to install."""


@contextlib.contextmanager
def decompressed(path: Path, compression: str) -> Iterator[tuple[Iterator[bytes], list[str]]]:
    """The dump's SQL in chunks, and a list that holds why it stopped early (damaged, cut short) once read."""
    broken: list[str] = []
    zstd = find_compressor()
    if compression == "zstd" and zstd is None:
        raise DumpUnreadable("the backup is zstd-compressed and this host has no zstd: apt-get install zstd")
    decompressor: subprocess.Popen[bytes] | None = None
    source: IO[bytes]
    if compression == "zstd":
        assert zstd is not None
        decompressor = subprocess.Popen([zstd, "-q", "-d", "-c", str(path)], stdin=subprocess.DEVNULL,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
        assert decompressor.stdout is not None
        source = decompressor.stdout
    else:
        source = open(path, "rb")  # noqa: SIM115 - closed below

    ended = False

    def chunks() -> Iterator[bytes]:
        nonlocal ended
        gz = zlib.decompressobj(31) if compression != "zstd" else None
        fd = source.fileno()
        while chunk := os.read(fd, CHUNK):
            if gz is not None:
                try:
                    chunk = gz.decompress(chunk)
                except zlib.error as exc:
                    broken.append(f"the dump does not decompress ({exc}): the file is damaged")
                    return
            yield chunk
        ended = True
        if gz is not None and not gz.eof:
            broken.append("the gzip stream ends early: the file was cut short")

    try:
        yield chunks(), broken
    finally:
        source.close()
        if decompressor is not None:
            if not ended:  # the reader stopped early (the client failed): the rest is not wanted
                decompressor.kill()
            dcode = decompressor.wait()
            said = decompressor.stderr.read().decode("utf-8", "replace").strip() if decompressor.stderr else ""
            if decompressor.stderr:
                decompressor.stderr.close()
            if ended and dcode != 0 and not broken:
                broken.append(f"the dump does not decompress (zstd: {said or dcode}): the file is damaged or "
                              "cut short")


@dataclass
class DumpScan:
    """What a read of the whole dump (no database touched) found: whether it is whole, and what in it needs
    more than the W&B account's rights on a server with the binary log on."""

    problem: str = ""
    triggers: int = 0
    functions: int = 0


_TRIGGER = b"*/ /*!50003 TRIGGER "
_FUNCTION = re.compile(rb"\nCREATE\s[^\n]*?\bFUNCTION\s")


def scan_dump(path: Path, compression: str) -> DumpScan:
    """Decompress the whole dump, count its triggers and stored functions, and check its last line."""
    scan = DumpScan()
    tail = b""
    with decompressed(path, compression) as (chunks, broken):
        for chunk in chunks:
            window = tail + chunk
            scan.triggers += window.count(_TRIGGER) - tail.count(_TRIGGER)
            scan.functions += len(_FUNCTION.findall(window)) - len(_FUNCTION.findall(tail))
            tail = window[-256:]
    if broken:
        scan.problem = broken[0]
    elif TRAILER not in tail:
        scan.problem = "the dump does not end with the dump tool's 'Dump completed' line: it was cut short"
    return scan


def load_dump(choice: Choice, url: MysqlURL, database: str, path: Path, compression: str, work: Path) -> str:
    """Feed the dump to the client, connected as ``url``'s account to ``database``; '' when it loaded, else the
    problem. The password goes only into a 0600 option file in ``work``."""
    defaults = write_defaults(work, url)
    err = work / "restore.err"
    argv = [choice.tool.path, f"--defaults-extra-file={defaults}", *connection_args(url),
            "--default-character-set=utf8mb4", "--binary-mode", MAX_PACKET, database]
    tail = b""
    with open(err, "wb") as err_fh:
        client = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err_fh,
                                  env=child_env(str(work)))
        assert client.stdin is not None
        try:
            with decompressed(path, compression) as (chunks, broken):
                try:
                    for chunk in chunks:
                        tail = (tail + chunk[-256:])[-256:]
                        client.stdin.write(chunk)
                except BrokenPipeError:
                    pass  # the client stopped reading: its exit code and message say why
                finally:
                    with contextlib.suppress(BrokenPipeError):
                        client.stdin.close()
        except BaseException:
            if client.poll() is None:
                client.kill()
            client.wait()
            raise
        code = client.wait()
    if broken:
        return broken[0]
    if code != 0:
        said = err.read_text(errors="replace").strip()[-2000:]
        return f"the restore failed ({choice.tool.name} exited with {code}): {said or 'no message'}"
    if TRAILER not in tail:
        return "the dump does not end with the dump tool's 'Dump completed' line: it was cut short"
    return ""
