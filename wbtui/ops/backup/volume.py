"""Backups of the /vol volume, for a Docker server with embedded stores (MYSQL and/or BUCKET empty).

W&B then keeps its MySQL data files and/or its objects in /vol, which are consistent only while the server is
stopped: ``run_volume_backup`` stops it, archives /vol through the Docker API (``get_archive`` works on a stopped
container), streamed through zstd (or gzip) into an atomic 0600 file with a manifest of kind "volume" (size,
sha256), and starts the server again. ``restore_volume`` puts a volume backup back with the server stopped:
the file is checked (size, sha256, the whole tar readable) first, then /vol is emptied by a short-lived helper
container of the server's own image sharing its volumes (Docker's API can add files to a stopped container but
not delete them), and the archive is extracted into it (``put_archive``).
"""

from __future__ import annotations

import contextlib
import hashlib
import tarfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import IO, TYPE_CHECKING, Any

from ... import __version__
from ...config.model import Config
from .destinations import MANIFEST_SUFFIX, VOLUME_SUFFIXES, Bucket, Local
from .dump import CHUNK, GZIP_LEVEL, ZSTD_ARGS, AtomicFile
from .manifest import Manifest, backup_id, now
from .restore import RestoreFailed, RestoreReport, fetched, find_backup, free_moment
from .retention import to_prune
from .tools import child_env, find_compressor
from .verify import decompressed

if TYPE_CHECKING:
    from ...runtime.docker.backend import DockerRuntime

Say = Callable[[str], None]
EMPTY_VOL = "rm -rf /vol/* /vol/.[!.]* /vol/..?*"
"""What the helper container runs: everything under /vol, dot files too, but not /vol itself (a mount point)."""


class VolumeBackupFailed(Exception):
    """The volume backup did not complete; the message says what to do."""


def embedded_stores(config: Config) -> list[str]:
    """Which of W&B's stores live in /vol: "MySQL" when MYSQL is empty, "object store" when BUCKET is."""
    out = []
    if not config.server.MYSQL.strip():
        out.append("MySQL")
    if not config.server.BUCKET.strip():
        out.append("object store")
    return out


def id_name(config: Config) -> str:
    """The middle of a volume backup's ID: ``wbtui-vol-CONTAINER-TIME``."""
    return f"vol-{config.runtime.container_name}"


def _stopped(runtime: DockerRuntime, what: str) -> dict[str, Any]:
    attrs = runtime.inspect()
    if attrs is None:
        raise VolumeBackupFailed(f"no container {runtime.name}: there is no /vol to {what}; deploy it with wbtui up")
    if (attrs.get("State") or {}).get("Running"):
        raise VolumeBackupFailed(f"{runtime.name} is running: /vol is {what} only with the server stopped "
                                 "(wbtui stop)")
    return attrs


def _archive(client: Any, container_id: str, out: AtomicFile, zstd: str | None) -> tuple[int, str]:
    """Stream the tar of /vol into ``out`` through the compressor; its size and sha256."""
    import subprocess

    stream, _ = client.api.get_archive(container_id, "/vol", chunk_size=CHUNK)
    digest = hashlib.sha256()
    size = 0

    def put(data: bytes) -> None:
        nonlocal size
        digest.update(data)
        size += len(data)
        out.write(data)

    if zstd is None:
        gz = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        for chunk in stream:
            put(gz.compress(chunk))
        put(gz.flush())
        return size, digest.hexdigest()
    compressor = subprocess.Popen([zstd, "-q", "-c", *ZSTD_ARGS], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, env=child_env())
    assert compressor.stdin is not None and compressor.stdout is not None
    failed: list[BaseException] = []

    def feed(sink: IO[bytes]) -> None:
        try:
            for chunk in stream:
                sink.write(chunk)
        except BaseException as exc:  # the reader below sees the compressor's end; this says why
            failed.append(exc)
        finally:
            with contextlib.suppress(OSError):
                sink.close()

    feeder = threading.Thread(target=feed, args=(compressor.stdin,), daemon=True, name="wbtui-volume-archive")
    feeder.start()
    try:
        while chunk := compressor.stdout.read(CHUNK):
            put(chunk)
    finally:
        compressor.stdout.close()
        feeder.join()
        code = compressor.wait()
    if failed:
        raise VolumeBackupFailed(f"reading /vol from Docker failed: {failed[0]}; check the daemon (wbtui status) "
                                 "and retry")
    if code != 0:
        raise VolumeBackupFailed(f"zstd exited with {code}; check free space in the backup directory")
    return size, digest.hexdigest()


def backup_volume(config: Config, runtime: DockerRuntime, local: Local, *, say: Say = lambda _: None,
                  moment: datetime | None = None) -> Manifest:
    """Archive the stopped container's /vol into ``local``; the backup's manifest (kind "volume")."""
    from ...runtime.docker.errors import translated

    attrs = _stopped(runtime, "backed up")
    local.prepare()
    zstd = find_compressor()
    name = id_name(config)
    created = moment or free_moment(local, name)
    ident = backup_id(created, name)
    file = ident + (VOLUME_SUFFIXES[0] if zstd else VOLUME_SUFFIXES[1])
    began = time.monotonic()
    volume = config.runtime.volume or "/vol"
    say(f"archiving /vol (volume {volume}) of {runtime.name} into {local.path(file)}")
    out = AtomicFile(local.path(file))
    try:
        with translated("read /vol from the container", name=runtime.name):
            size, sha256 = _archive(runtime.client(), attrs["Id"], out, zstd)
        stores = embedded_stores(config)
        manifest = Manifest(
            id=ident, created=created.isoformat(), database="", host="", server_version="", file=file,
            compression="zstd" if zstd else "gzip", size=size, sha256=sha256, tables=[], migration=None,
            image=config.runtime.image, tag=config.runtime.tag, tool={}, seconds=round(time.monotonic() - began, 3),
            wbtui_version=__version__, kind="volume", volume=volume,
            notes=[f"/vol holds the embedded {' and '.join(stores) or 'stores'}; archived with the server stopped"])
        out.commit()
    except BaseException:
        out.abort()
        raise
    local.write_small(ident + MANIFEST_SUFFIX, manifest.dumps())
    say(f"volume backup {ident}: {size:,} bytes")
    return manifest


def run_volume_backup(config: Config, runtime: DockerRuntime, local: Local, *, keep: timedelta | None,
                      say: Say = lambda _: None, stop_timeout: float = 30) -> tuple[Manifest, list[str]]:
    """Stop the server if it runs, archive /vol, start it again (also when the archive failed); then prune
    ``local`` by ``keep``. The manifest and the IDs pruned."""
    from ..lifecycle import run_action

    attrs = runtime.inspect()
    if attrs is None:
        raise VolumeBackupFailed(f"no container {runtime.name}: there is no /vol to back up; deploy it with wbtui up")
    running = bool((attrs.get("State") or {}).get("Running"))

    def progress(step: Any) -> None:
        say(step.message)

    if running:
        say(run_action(runtime, "stop", stop_timeout=stop_timeout, progress=progress))
    try:
        manifest = backup_volume(config, runtime, local, say=say)
    finally:
        if running:
            say(run_action(runtime, "start", progress=progress))
    pruned = []
    if keep is not None:
        for entry in to_prune(local.entries(), keep, now()):
            say(f"removing local backup {entry.id} (older than the retention)")
            local.delete(entry)
            pruned.append(entry.id)
    return manifest, pruned


class _Reader:
    """A file-like read() over decompressed chunks, for tarfile's stream mode."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks, self.buffer = chunks, b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self.buffer) < n:
            chunk = next(self.chunks, b"")
            if not chunk:
                break
            self.buffer += chunk
        data, self.buffer = (self.buffer, b"") if n < 0 else (self.buffer[:n], self.buffer[n:])
        return data


def archive_problem(path: Any, compression: str) -> str:
    """'' when the file decompresses and is a whole tar of /vol; else what is wrong."""
    try:
        with decompressed(path, compression) as (chunks, broken):
            members = 0
            with tarfile.open(fileobj=_Reader(chunks), mode="r|") as tar:  # type: ignore[call-overload]
                for member in tar:
                    parts = member.name.split("/")
                    if parts[0] != "vol" or ".." in parts:
                        return f"the archive holds {member.name!r}, outside vol/: it is not a /vol backup"
                    members += 1
    except (tarfile.TarError, EOFError) as exc:
        return f"the archive is not a readable tar ({exc}): the file is damaged"
    if broken:
        return broken[0]
    return "" if members else "the archive is empty"


def _empty_vol(runtime: DockerRuntime, attrs: dict[str, Any], say: Say) -> None:
    """Delete everything in /vol with a helper container of the server's image sharing its volumes."""
    import docker.errors

    client = runtime.client()
    say(f"emptying /vol of {runtime.name} (a helper container of its image)")
    helper = client.containers.create(
        attrs["Image"], entrypoint=["/bin/sh", "-c", EMPTY_VOL], user="0:0", network_disabled=True,
        volumes_from=[attrs["Id"]], labels=dict(runtime.labels), name=f"{runtime.name}-restore-helper")
    try:
        helper.start()
        code = int(helper.wait(timeout=runtime.op_timeout).get("StatusCode", -1))
        if code != 0:
            said = helper.logs().decode("utf-8", "replace").strip()[-500:]
            raise RestoreFailed(f"emptying /vol failed (exit {code}: {said or 'no message'})", touched=True)
    finally:
        with contextlib.suppress(docker.errors.APIError):
            helper.remove(force=True)


def restore_volume(config: Config, runtime: DockerRuntime, ident: str, destinations: list[Local | Bucket], *,
                   say: Say = lambda _: None, before: Callable[[], None] | None = None) -> RestoreReport:
    """Put the volume backup ``ident`` back into the container's /vol; ``before`` runs after the checks and
    stops the server (run_restore's stop and safety backup)."""
    from ...runtime.base import RuntimeProblem
    from ...runtime.docker.errors import translated

    began = time.monotonic()
    entry, _dest = find_backup(ident, destinations)
    manifest = entry.manifest
    assert manifest is not None
    if manifest.kind != "volume":
        raise RestoreFailed(f"{ident} is a database backup, not of /vol; nothing was changed")
    report = RestoreReport(ident, manifest, 0.0, where=entry.location)
    with fetched(entry, _dest, say) as (path, _work):
        problem = archive_problem(path, manifest.compression)
        if problem:
            raise RestoreFailed(f"{problem}; nothing was changed; restore another backup (wbtui backup list)")
        say("read the whole archive: a complete tar of /vol")
        if runtime.inspect() is None:
            raise RestoreFailed(f"no container {runtime.name}: deploy it first (wbtui up), then restore; nothing "
                                "was changed")
        if before is not None:
            before()
        try:
            attrs = _stopped(runtime, "restored")
        except VolumeBackupFailed as exc:
            raise RestoreFailed(f"{exc}; nothing was changed") from None
        try:
            with translated("restore /vol into the container", name=runtime.name):
                _empty_vol(runtime, attrs, say)
                report.done.append("emptied /vol")
                say(f"extracting {entry.dump_name} into /vol")
                with decompressed(path, manifest.compression) as (chunks, broken):
                    if not runtime.client().api.put_archive(attrs["Id"], "/", chunks):
                        raise RestoreFailed("Docker refused the archive", touched=True)
        except RuntimeProblem as exc:
            raise RestoreFailed(f"{exc}: /vol may be partly restored", touched=True) from None
        if broken:
            raise RestoreFailed(f"{broken[0]} while extracting: /vol is partly restored", touched=True)
    report.done.append(f"put /vol back from {ident} ({manifest.size:,} bytes)")
    report.duration = time.monotonic() - began
    return report
