"""Where the configuration lives on disk, and how it is read and written safely.

TOML at ``$XDG_CONFIG_HOME/wbtui/config.toml``. The file is the user's: a save changes only the
settings whose value differs from what the file holds (tomlkit keeps every comment, the order, the
formatting and keys we do not know), and a new file holds only what differs from the defaults, so a
default that changes in a later wbtui reaches every config that never set it. Every write of ours (the config, its
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
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import FIELDS, SETTING_SECTIONS, Config, FieldError, from_dict

if TYPE_CHECKING:
    from tomlkit.container import Container
    from tomlkit.items import Table

SECTIONS = (*SETTING_SECTIONS, "env", "keys", "acknowledged")
STALE_AFTER = 600.0
"""Seconds after which a temporary file of ours is stale even if its writer's pid is alive (reused)."""

_OLD_TEMP = r"[a-z0-9_]{8}"  # tempfile.mkstemp's names, as earlier versions wrote them
_held = threading.local()


class ConfigFileError(Exception):
    """The config file exists but cannot be read or parsed; says how to fix it."""


class NotRegularFile(ConfigFileError):
    """The config path is a device, FIFO, directory or socket: refused, never read or replaced."""


class ChangedOnDisk(ConfigFileError):
    """The file is not what the writer read before (another shell saved meanwhile): nothing was written."""


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
    """Every setting as TOML, the same text for equal configs: what the dashboard compares, not what is saved."""
    import tomli_w  # only when comparing or writing: reading needs just tomllib

    return tomli_w.dumps(config.to_dict())


HEADER = ("wbtui configuration (TOML). Only the settings that differ from their defaults are written;",
          "`wbtui config show` lists every setting, `wbtui config edit` opens this file in your editor.")


def render(config: Config, old: bytes | None = None, remove: Collection[str] = ()) -> str:
    """The text of a file that holds ``config``: ``old`` (the file as it is) with only the settings whose
    value differs from what ``old`` says, keeping its comments, order, formatting and unknown keys.

    A setting at its default is written only when it was in the file (then with its new value), unless
    its key is in ``remove`` (``config unset``): then the line goes. A value of None (an unset UID) and a
    name no longer in a table of names (``env``) are removed. Without a readable ``old`` (no file, an empty
    or broken one: the backup keeps it) the text is a header and the settings that differ from the defaults.
    """
    import tomlkit

    doc, base = _start(old)
    want, had = config.to_dict(), base.to_dict()
    gone = {key.lower() for key in remove}
    for spec in FIELDS:
        value = want[spec.section].get(spec.attr)
        if value is None or (spec.key.lower() in gone and value == spec.default):
            _drop(doc, spec.section, spec.attr)
        elif value != had[spec.section].get(spec.attr):
            _put(doc, spec.section, spec.attr, value)
    for section in (want.keys() | had.keys()) - set(SETTING_SECTIONS):
        new, before = want.get(section), had.get(section)
        if new == before:
            continue
        if isinstance(new, list) or isinstance(before, list):  # [[acknowledged]]: wbtui's records, as a whole
            _put_records(doc, section, new or [])
            continue
        for name in (before or {}).keys() - (new or {}).keys():  # env, keys: names are exact
            _drop(doc, section, name, fold=False)
        for name, text in (new or {}).items():
            if (before or {}).get(name) != text:
                _put(doc, section, name, text, fold=False)
    return tomlkit.dumps(doc)


def _start(old: bytes | None) -> tuple[Container, Config]:
    """The document to change and the config it holds; a new one (the header) when ``old`` is no config."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    if old is not None:
        try:
            text = old.decode("utf-8")
            base = from_dict(tomllib.loads(text))
            if text.strip():
                return tomlkit.parse(text), base
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, FieldError, TOMLKitError):
            pass
    doc = tomlkit.document()
    for line in HEADER:
        doc.add(tomlkit.comment(line))
    return doc, Config()


def _table(doc: Container, section: str, create: bool) -> Table | None:
    import tomlkit

    table = doc.get(section)
    if table is None and create:
        table = tomlkit.table()
        doc.add(section, table)
    return table


def _matching(table: Table, name: str, fold: bool) -> list[str]:
    """The table's keys that are this setting: settings are read case-insensitively, env names exactly."""
    return [key for key in table if (key.lower() == name.lower() if fold else key == name)]


def _put(doc: Container, section: str, name: str, value: Any, fold: bool = True) -> None:
    table = _table(doc, section, create=True)
    assert table is not None
    found = _matching(table, name, fold)
    for extra in found[1:]:  # HOST and host both written: the first one written stays, with the new value
        del table[extra]
    table[found[0] if found else name] = value


def _drop(doc: Container, section: str, name: str, fold: bool = True) -> None:
    table = _table(doc, section, create=False)
    if table is not None:
        for key in _matching(table, name, fold):
            del table[key]


def _put_records(doc: Container, section: str, records: list[dict[str, Any]]) -> None:
    """An array of tables replaced as a whole (none at all when empty)."""
    import tomlkit

    old = doc.get(section)
    if not records:
        if old is not None:
            del doc[section]
        return
    tables = tomlkit.aot()
    for record in records:
        tables.append(tomlkit.item(record))
    if old is not None and old.as_string().endswith("\n\n"):
        tables[-1].add(tomlkit.nl())  # the blank line before the next table stays
    doc[section] = tables


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
    """One read-modify-write: ``loaded`` is the file as read under the lock; set ``config`` to save it.

    ``remove``: keys whose line leaves the file (``config unset``), so they follow the default from now on.
    """

    loaded: Config
    path: Path
    config: Config | None = None
    remove: set[str] = field(default_factory=set)


@contextmanager
def editing(path: Path | None = None) -> Iterator[Edit]:
    """Read the file under its lock and, when the block sets ``edit.config`` and ends without an
    exception, save that before the lock is released: no other writer slips in between."""
    with locked(path or default_path()) as real:
        edit = Edit(load(real), real)
        yield edit
        if edit.config is not None:
            save(edit.config, real, remove=edit.remove)


def save(config: Config, path: Path | None = None, remove: Collection[str] = ()) -> Path:
    """Write atomically with mode 0600 under the lock, keeping the previous file as a backup; only the
    settings that changed are changed in the file (``render``)."""
    path = path or default_path()
    with locked(path) as real:
        old = _read(real)
        _commit(real, old, render(config, old, remove).encode("utf-8"))
    return path


def save_text(path: Path, text: str, expected: bytes | None) -> Path:
    """Write ``text`` as the file (what the user wrote in ``config edit``), under the lock, when the file
    is still ``expected`` (None: no file); else ChangedOnDisk and nothing is written."""
    with locked(path) as real:
        old = _read(real)
        if old != expected:
            raise ChangedOnDisk(f"{path} changed on disk since it was read (another shell or the dashboard "
                                "saved it)")
        _commit(real, old, text.encode("utf-8"))
    return path


def read_bytes(path: Path) -> bytes | None:
    """The file as it is (None when missing), read as every load reads it: a FIFO or device is refused."""
    return _read(real_path(path))


def _commit(real: Path, old: bytes | None, data: bytes) -> None:
    remove_stale_temps(backup_path(real))  # a killed backup write, even when this save needs no backup
    if old is not None and old != data:
        write_private(backup_path(real), old)
    write_private(real, data)


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
