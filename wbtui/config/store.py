"""Where the configuration lives on disk, and how it is read and written safely.

TOML at ``$XDG_CONFIG_HOME/wbtui/config.toml``. Every write of ours (the config, its
backup, rendered files, env files, bundles) goes through ``write_atomic``: a temporary
file with a random name in the target's directory, created with O_CREAT|O_EXCL|O_NOFOLLOW
(a planted file or symlink is never written through), fsynced, renamed over the target,
and the directory fsynced. A temporary file left by a killed writer is removed by the next
write of the same target. Every read-modify-write of the config runs under ``editing``,
an exclusive ``flock`` on ``.config.toml.lock`` beside the file, so two shells (or a shell
and the dashboard) never lose each other's change. The config path must be a regular file
(or a symlink to one, written through to its target): a device or FIFO is refused.
"""

from __future__ import annotations

import difflib
import fcntl
import os
import re
import stat
import threading
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import FIELDS, SETTING_SECTIONS, Config, FieldError, from_dict

SECTIONS = (*SETTING_SECTIONS, "env", "acknowledged")
STALE_AFTER = 600.0
"""Seconds after which a temporary file of ours is stale even if its writer's pid is alive (reused)."""

_OLD_TEMP = r"[a-z0-9_]{8}"  # tempfile.mkstemp's names, as earlier versions wrote them
_held = threading.local()


class ConfigFileError(Exception):
    """The config file exists but cannot be read or parsed; says how to fix it."""


class NotRegularFile(ConfigFileError):
    """The config path is a device, FIFO, directory or socket: refused, never read or replaced."""


def default_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "wbtui" / "config.toml"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


@dataclass(frozen=True)
class Permissions:
    """Whether a config file is readable by others (it holds secrets)."""

    mode: int

    @property
    def too_open(self) -> bool:
        return bool(self.mode & (stat.S_IRWXG | stat.S_IRWXO))


def permissions(path: Path) -> Permissions | None:
    try:
        return Permissions(stat.S_IMODE(path.stat().st_mode))
    except FileNotFoundError:
        return None


def fix_permissions(path: Path) -> None:
    os.chmod(path, 0o600)


def _not_regular(path: Path, mode: int) -> NotRegularFile:
    kinds = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device", stat.S_IFIFO: "a FIFO",
             stat.S_IFDIR: "a directory", stat.S_IFSOCK: "a socket"}
    kind = kinds.get(stat.S_IFMT(mode), "not a regular file")
    return NotRegularFile(f"{path} is {kind}, not a config file: give --config the path of a regular file "
                          "(it is created on the first save)")


def real_path(path: Path) -> Path:
    """The file a save writes: symlinks followed; anything but a regular (or missing) file refused."""
    real = Path(os.path.realpath(path))
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return real
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode)
    return real


def _read(path: Path) -> bytes | None:
    """The file's bytes, None when missing; opened without blocking so a FIFO is refused, not waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigFileError(f"cannot read {path}: {exc.strerror}; check its permissions or give another "
                              "file with --config") from None
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode)
        try:
            return fh.read()
        except OSError as exc:
            raise ConfigFileError(f"cannot read {path}: {exc.strerror}") from None


@dataclass(frozen=True)
class UnknownKey:
    """A key in the file that no setting reads (a typo such as HSOT): ignored, worth a warning."""

    key: str
    """As a setting is named: ``HSOT``, ``runtime.tga``; a top-level name as written."""
    closest: str | None


def _parse(path: Path, raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigFileError(f"{path} is not valid TOML: not UTF-8 text (byte {raw[exc.start]:#04x} at offset "
                              f"{exc.start}); fix it by hand or restore {backup_path(path)}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(f"{path} is not valid TOML ({exc}); fix it by hand or restore "
                              f"{backup_path(path)}") from None
    except RecursionError:
        raise ConfigFileError(f"{path} nests arrays or tables too deeply to be a wbtui config; fix it by hand or "
                              f"restore {backup_path(path)}") from None


def read(path: Path | None = None) -> tuple[Config, list[UnknownKey]]:
    """The saved config (defaults when there is no file yet) and the keys in it no setting reads."""
    path = path or default_path()
    raw = _read(path)
    if raw is None:
        return Config(), []
    data = _parse(path, raw)
    try:
        return from_dict(data), unknown_keys(data)
    except FieldError as exc:
        raise ConfigFileError(f"{path}: {exc}") from None


def load(path: Path | None = None) -> Config:
    """The saved config, or defaults when there is no file yet."""
    return read(path)[0]


def _setting_name(section: str, attr: str) -> str:
    return attr if section == "server" else f"{section}.{attr}"


def unknown_keys(data: dict[str, Any]) -> list[UnknownKey]:
    """Keys of the parsed file that ``from_dict`` ignores, each with the closest known name."""
    known = {_setting_name(spec.section, spec.attr) for spec in FIELDS}
    where = {spec.attr: _setting_name(spec.section, spec.attr) for spec in FIELDS}
    out: list[UnknownKey] = []
    for name, value in data.items():
        if name not in SECTIONS:
            closest = where.get(name) or next(iter(difflib.get_close_matches(name, SECTIONS, n=1)), None)
            out.append(UnknownKey(name, closest))
        elif name in SETTING_SECTIONS and isinstance(value, dict):
            for attr in value:
                key = _setting_name(name, attr)
                if key not in known:
                    out.append(UnknownKey(key, next(iter(difflib.get_close_matches(key, known, n=1)), None)))
    return out


def exists(path: Path | None = None) -> bool:
    return (path or default_path()).exists()


def dumps(config: Config) -> str:
    import tomli_w  # only when writing: reading needs just tomllib

    return tomli_w.dumps(config.to_dict())


@contextmanager
def locked(path: Path) -> Iterator[Path]:
    """Hold the config's exclusive lock (re-entrant in one thread); yields the real file to write.

    The lock file ``.config.toml.lock`` (0600, never followed if it is a symlink) stays beside
    the file: removing it would let two writers lock different files.
    """
    real = real_path(path)
    held: set[Path] = _held.__dict__.setdefault("paths", set())
    if real in held:
        yield real
        return
    real.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(lock_path(real), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held.add(real)
        try:
            yield real
        finally:
            held.discard(real)
    finally:
        os.close(fd)  # releases the flock


@dataclass
class Edit:
    """One read-modify-write: ``loaded`` is the file as read under the lock; set ``config`` to save it."""

    loaded: Config
    path: Path
    config: Config | None = None


@contextmanager
def editing(path: Path | None = None) -> Iterator[Edit]:
    """Read the file under its lock and, when the block sets ``edit.config`` and ends without an
    exception, save that before the lock is released: no other writer slips in between."""
    with locked(path or default_path()) as real:
        edit = Edit(load(real), real)
        yield edit
        if edit.config is not None:
            save(edit.config, real)


def save(config: Config, path: Path | None = None) -> Path:
    """Write atomically with mode 0600 under the lock, keeping the previous file as a backup."""
    path = path or default_path()
    with locked(path) as real:
        data = dumps(config).encode("utf-8")
        remove_stale_temps(backup_path(real))  # a killed backup write, even when this save needs no backup
        old = _read(real)
        if old is not None and old != data:
            write_private(backup_path(real), old)
        write_private(real, data)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Atomically write a file only its owner can read (backups, exports with secrets)."""
    write_atomic(path, data, 0o600)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write via a new temporary file in the same directory, fsync, rename, fsync the directory.

    The temporary name ``.NAME.PID.RANDOM.tmp`` is created exclusively and never through a
    symlink, with 0600 until its data is in; a symlink at ``path`` itself is replaced, not
    followed. Leftovers of killed writers of ``path`` are removed first (``remove_stale_temps``).
    """
    remove_stale_temps(path)
    fd, tmp = _create_temp(path)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _create_temp(path: Path) -> tuple[int, Path]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    while True:
        import secrets  # ~2 ms (hashlib, hmac) kept off the dashboard's way to its first frame

        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove temporary files of our exact pattern for ``path`` whose writer is gone.

    Only ``.NAME.PID.RANDOM.tmp`` (and the ``.NAME.XXXXXXXX.tmp`` of earlier versions), only
    regular files, and only when the pid in the name no longer runs or the file is older than
    ``STALE_AFTER`` (a reused pid, or a name without one): a write takes milliseconds. Another
    program's files never match. Returns what was removed.
    """
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(?:(\d+)\.[0-9a-f]{{8}}|{_OLD_TEMP})\.tmp")
    removed: list[Path] = []
    try:
        names = os.listdir(path.parent)
    except OSError:
        return removed
    now = time.time()
    for name in names:
        match = pattern.fullmatch(name)
        if match is None:
            continue
        candidate = path.parent / name
        try:
            st = os.lstat(candidate)
        except FileNotFoundError:
            continue
        writer_gone = match[1] is not None and not _running(int(match[1]))
        if stat.S_ISREG(st.st_mode) and (writer_gone or now - st.st_mtime > STALE_AFTER):
            candidate.unlink(missing_ok=True)
            removed.append(candidate)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
