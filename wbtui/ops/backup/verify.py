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
import secrets
import subprocess
import time
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from ...config.sql_quoting import sql_identifier
from ...config.urls import MysqlURL
from .destinations import VERIFY_SUFFIX, Bucket, Entry, Local
from .dump import CHUNK, MAX_PACKET, connection_args, private_dir, write_defaults
from .manifest import connect, count_and_checksum, family_of, migration_version, now
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


def verify(entry: Entry, destination: Local | Bucket, admin: MysqlURL, *, timeout: float,
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
        if not result.problems or trust_hash:
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
        problem = _restore(choice, admin, scratch, path, compression, work)
        if problem:
            result.problems.append(problem)
            return
        with conn.cursor() as cur:
            restored = {t.name: t for t in count_and_checksum(cur, scratch)}
            restored_migration = migration_version(cur, scratch)
        expected = {t.name: t for t in tables}
        for name in sorted(set(expected) - set(restored)):
            result.problems.append(f"table {name} is in the manifest but not in the restored dump")
        for name in sorted(set(restored) - set(expected)):
            result.problems.append(f"table {name} is in the restored dump but not in the manifest")
        for name in sorted(set(expected) & set(restored)):
            want, got = expected[name], restored[name]
            if want.rows != got.rows:
                result.problems.append(f"table {name}: {got.rows} rows restored, the manifest says {want.rows}")
            elif want.checksum is not None and got.checksum is not None and want.checksum != got.checksum:
                result.problems.append(f"table {name}: CHECKSUM TABLE {got.checksum}, the manifest says "
                                       f"{want.checksum}: the rows differ")
        if migration and restored_migration and migration.get("version") != restored_migration.get("version"):
            result.problems.append(f"schema version {restored_migration.get('version')} restored, the manifest "
                                   f"says {migration.get('version')}")
        result.tables = len(restored)
        result.rows = sum(t.rows for t in restored.values())
    finally:
        with contextlib.suppress(Exception), conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {sql_identifier(scratch)}")
        conn.close()


def _restore(choice: Choice, admin: MysqlURL, scratch: str, path: Path, compression: str, work: Path) -> str:
    """Feed the dump to the client; '' when it restored, else the problem."""
    defaults = write_defaults(work, admin)
    err = work / "restore.err"
    argv = [choice.tool.path, f"--defaults-extra-file={defaults}", *connection_args(admin),
            "--default-character-set=utf8mb4", "--binary-mode", MAX_PACKET, scratch]
    decompressor: subprocess.Popen[bytes] | None = None
    gz = None
    with open(err, "wb") as err_fh:
        client = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err_fh,
                                  env=child_env(str(work)))
        assert client.stdin is not None
        zstd = find_compressor()
        source: IO[bytes]
        if compression == "zstd":
            if zstd is None:
                client.kill()
                client.wait()
                raise VerifyError("the backup is zstd-compressed and this host has no zstd: apt-get install zstd")
            decompressor = subprocess.Popen([zstd, "-q", "-d", "-c", str(path)], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
            assert decompressor.stdout is not None
            source = decompressor.stdout
        else:
            source = open(path, "rb")  # noqa: SIM115 - closed below
            gz = zlib.decompressobj(31)
        tail = b""
        broken = ""
        try:
            fd = source.fileno()
            while chunk := os.read(fd, CHUNK):
                if gz is not None:
                    try:
                        chunk = gz.decompress(chunk)
                    except zlib.error as exc:
                        broken = f"the dump does not decompress ({exc}): the file is damaged"
                        break
                tail = (tail + chunk[-256:])[-256:]
                client.stdin.write(chunk)
            if gz is not None and not broken and not gz.eof:
                broken = "the gzip stream ends early: the file was cut short"
        except BrokenPipeError:
            pass  # the client stopped reading: its exit code and message say why
        finally:
            source.close()
            with contextlib.suppress(BrokenPipeError):
                client.stdin.close()
        code = client.wait()
        dcode = 0
        if decompressor is not None:
            dcode = decompressor.wait()
            said = decompressor.stderr.read().decode("utf-8", "replace").strip() if decompressor.stderr else ""
            if decompressor.stderr:
                decompressor.stderr.close()
            if dcode != 0 and not broken:
                broken = f"the dump does not decompress (zstd: {said or dcode}): the file is damaged or cut short"
    if broken:
        return broken
    if code != 0:
        said = err.read_text(errors="replace").strip()[-2000:]
        return f"the restore failed ({choice.tool.name} exited with {code}): {said or 'no message'}"
    if TRAILER not in tail:
        return "the dump does not end with the dump tool's 'Dump completed' line: it was cut short"
    return ""
