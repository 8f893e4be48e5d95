"""Where the configuration lives on disk, and how it is written safely.

TOML at ``$XDG_CONFIG_HOME/wbtui/config.toml``; every save goes to a temporary
file in the same directory, is fsynced and renamed over the old file, mode 0600,
and the previous version is kept as ``config.toml.bak``.
"""

from __future__ import annotations

import os
import stat
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .model import Config, FieldError, from_dict


class ConfigFileError(Exception):
    """The config file exists but cannot be read or parsed; says how to fix it."""


def default_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "wbtui" / "config.toml"


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


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


def load(path: Path | None = None) -> Config:
    """The saved config, or defaults when there is no file yet."""
    path = path or default_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigFileError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigFileError(
            f"{path} is not valid TOML ({exc}); fix it by hand or restore {backup_path(path)}"
        ) from None
    try:
        return from_dict(data)
    except FieldError as exc:
        raise ConfigFileError(f"{path}: {exc}") from None


def exists(path: Path | None = None) -> bool:
    return (path or default_path()).exists()


def dumps(config: Config) -> str:
    import tomli_w  # only when writing: reading needs just tomllib

    return tomli_w.dumps(config.to_dict())


def save(config: Config, path: Path | None = None) -> Path:
    """Write atomically with mode 0600, keeping the previous file as a backup."""
    path = path or default_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = dumps(config).encode("utf-8")
    if path.exists():
        old = path.read_bytes()
        if old != data:
            write_private(backup_path(path), old)
    write_private(path, data)
    _fsync_dir(path.parent)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Atomically write a file only its owner can read (backups, exports with secrets)."""
    write_atomic(path, data, 0o600)


def write_atomic(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write via a temporary file in the same directory, fsync and rename: never half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
