"""The dump child, streamed through the compressor into a file written atomically.

The password reaches the client program only through a 0600 option file (``--defaults-extra-file``) in a
private directory, written by the config store's private-file helper (a temporary name created with
O_EXCL|O_NOFOLLOW, renamed into place) and removed when the child has exited: never in its argv, never in its
environment (which holds PATH, the locale and a HOME pointing at that directory, so ~/.my.cnf cannot override
the credentials). The dump's bytes never sit in wbtui's memory: they go from the child through zstd (a second
child, when the host has it; gzip in-process otherwise) and are hashed and written in 1 MiB chunks.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ...config import store
from ...config.urls import MysqlURL
from .tools import Choice, Family, child_env

CHUNK = 1 << 20
ZSTD_ARGS = ("-1", "-T0")
"""Level 1 on every core: on SQL text it packs nearly as tight as the default level 3 (5.6x vs 5.6x on the
benchmark's rows) at a third less CPU, which on a small host is what keeps the compressor behind the dump."""
GZIP_LEVEL = 6
PIPE_BYTES = 1 << 20
COMPRESSOR_NICE = 10
STDERR_TAIL = 4000
MAX_PACKET = "--max-allowed-packet=1G"
"""The client's limit on one row or statement (16-24 MiB by default): a row W&B could store must dump and load."""


class DumpError(Exception):
    """The dump (or its compressor, or the file) failed; the message has no secret and says what to do."""


@contextmanager
def private_dir() -> Iterator[Path]:
    """A 0700 directory of our own under $TMPDIR, removed with everything in it afterwards."""
    path = Path(tempfile.mkdtemp(prefix="wbtui-mysql-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _option_value(text: str) -> str:
    """A value for a MySQL option file: double-quoted, with the escapes the client's parser undoes."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


def write_defaults(directory: Path, url: MysqlURL) -> Path:
    """``[client]`` user and password in ``directory/client.cnf``, mode 0600, via ``store.write_private``."""
    path = directory / "client.cnf"
    body = f"[client]\nuser={_option_value(url.user)}\npassword={_option_value(url.password)}\n"
    store.write_private(path, body.encode("utf-8"))
    return path


def connection_args(url: MysqlURL) -> list[str]:
    """Where to connect (no credential): TCP always, as W&B connects, even for localhost."""
    return [f"--host={url.host.strip('[]')}", f"--port={url.effective_port}", "--protocol=TCP"]


def dump_command(choice: Choice, url: MysqlURL, defaults: Path, server_family: Family | None) -> list[str]:
    """The dump's argv: one consistent snapshot of the database (``--single-transaction``), streamed row by row
    (``--quick``), with routines, triggers and events, utf8mb4, blobs as hex, and no CREATE DATABASE (a verify
    restores it under another name)."""
    tool = choice.tool
    args = [tool.path, f"--defaults-extra-file={defaults}", *connection_args(url),
            "--single-transaction", "--quick", "--routines", "--triggers", "--events",
            "--default-character-set=utf8mb4", "--hex-blob", "--no-tablespaces", MAX_PACKET]
    if tool.family == "mysql":
        args += ["--set-gtid-purged=OFF"]
        if server_family == "mariadb":
            args += ["--column-statistics=0"]  # MySQL 8's client asks a MariaDB server for a table it lacks
    return [*args, url.database]


@dataclass(frozen=True)
class Written:
    """What the dump wrote: the file's size and sha256, the compression and how long it took."""

    size: int
    sha256: str
    compression: str  # "zstd" or "gzip"
    seconds: float


class AtomicFile:
    """A file that appears under its name only when complete: a temporary ``.NAME.PID.RANDOM.tmp`` beside it
    (the config store's pattern, so its stale-file sweep removes a killed writer's leftover), created 0600 with
    O_EXCL|O_NOFOLLOW, fsynced, renamed, the directory fsynced. ``abort`` removes it."""

    def __init__(self, path: Path) -> None:
        import secrets

        self.path = path
        store.remove_stale_temps(path)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        while True:
            self.tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            try:
                self.fd = os.open(self.tmp, flags, 0o600)
                break
            except FileExistsError:
                continue

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def commit(self) -> None:
        os.fsync(self.fd)
        os.close(self.fd)
        self.fd = -1
        os.replace(self.tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def abort(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        self.tmp.unlink(missing_ok=True)


def _widen(pipe: IO[bytes]) -> None:
    """The dump-to-compressor pipe at 1 MiB (64 KiB by default), so a compressor that falls behind for a
    moment does not stall the dump."""
    with suppress(OSError):  # above /proc/sys/fs/pipe-max-size for this user: keep the default
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _lower_priority(pid: int) -> None:
    """The compressor at nice +10: on a small host the dump tool is the one process that cannot wait (it
    holds the snapshot open and paces the server), while the compressor catches up from the pipe's buffer;
    it also leaves the W&B server ahead of both. Measured on 2 cores, a 225 MB dump | zstd with the
    inventory's scan alongside, 8 rounds each: best 2.59 s, median 2.83 s at the same priority; best 2.23 s,
    median 2.55 s with this and the wider pipe."""
    with suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + COMPRESSOR_NICE))


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, os.fstat(fh.fileno()).st_size - STDERR_TAIL))
            return fh.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def dump(choice: Choice, url: MysqlURL, out: AtomicFile, *, zstd: str | None,
         server_family: Family | None = None) -> Written:
    """Run the dump into ``out`` (not committed: the caller commits it once the manifest is ready)."""
    began = time.monotonic()
    digest = hashlib.sha256()
    size = 0
    with private_dir() as home:
        defaults = write_defaults(home, url)
        err_dump, err_zstd = home / "dump.err", home / "zstd.err"
        with open(err_dump, "wb") as dump_err, open(err_zstd, "wb") as zstd_err:
            child = subprocess.Popen(dump_command(choice, url, defaults, server_family), stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=dump_err, env=child_env(str(home)))
            assert child.stdout is not None
            compressor: subprocess.Popen[bytes] | None = None
            source: IO[bytes] = child.stdout
            gz = None
            try:
                if zstd:
                    _widen(child.stdout)
                    compressor = subprocess.Popen([zstd, "-q", "-c", *ZSTD_ARGS], stdin=child.stdout,
                                                  stdout=subprocess.PIPE, stderr=zstd_err, env=child_env())
                    _lower_priority(compressor.pid)
                    child.stdout.close()  # the compressor holds the pipe now: the dump sees SIGPIPE if it dies
                    assert compressor.stdout is not None
                    source = compressor.stdout
                else:
                    gz = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # wbits 31: the gzip format
                fd = source.fileno()
                while chunk := os.read(fd, CHUNK):
                    if gz is not None:
                        chunk = gz.compress(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                if gz is not None:
                    chunk = gz.flush()
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            except OSError as exc:
                _kill(child, compressor)
                raise DumpError(f"writing {out.path} failed: {exc.strerror or exc}; free space in (or choose "
                                "another) backup directory with --to DIR") from None
            except BaseException:
                _kill(child, compressor)
                raise
            finally:
                source.close()
            code = child.wait()
            zcode = compressor.wait() if compressor is not None else 0
        if code != 0:
            said = _tail(err_dump)
            raise DumpError(f"{choice.tool.name} exited with {code}: {said or 'no message'}; " + _fix_for(said))
        if zcode != 0:
            raise DumpError(f"zstd exited with {zcode}: {_tail(err_zstd) or 'no message'}; check free space in "
                            "$TMPDIR and the backup directory")
    return Written(size, digest.hexdigest(), "zstd" if zstd else "gzip", time.monotonic() - began)


def _kill(*children: subprocess.Popen[bytes] | None) -> None:
    for child in children:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()


def _fix_for(said: str) -> str:
    lower = said.lower()
    if "access denied" in lower and ("lock" in lower or "process" in lower or "show_routine" in lower
                                     or "proc" in lower or "event" in lower):
        return ("the W&B account lacks a privilege the dump needs: grant it ALL on its database "
                "(wbtui db init --admin URL), or SELECT on mysql.proc for routines")
    if "access denied" in lower:
        return "check the user and password in MYSQL (wbtui check mysql)"
    if "unknown database" in lower:
        return "check the database name in MYSQL (wbtui check mysql)"
    if "can't connect" in lower or "lost connection" in lower:
        return "check the server is up and MYSQL's host and port (wbtui check mysql)"
    return "run wbtui check mysql, then retry"
