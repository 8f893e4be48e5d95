"""Storage: atomic writes, mode 0600, a backup of the previous version, readable files reported."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.config_samples import canary_config
from wbtui.config import store
from wbtui.config.model import Acknowledgement, Config, set_value


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_path_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert store.default_path() == tmp_path / "wbtui" / "config.toml"


def test_round_trip_private_and_backup(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    config = canary_config()
    set_value(config, "runtime.uid", "100000")
    store.save(config, path)
    assert mode(path) == 0o600 and mode(path.parent) == 0o700
    assert store.load(path) == config
    assert not store.backup_path(path).exists()

    first = path.read_bytes()
    set_value(config, "runtime.port", "9090")
    store.save(config, path)
    backup = store.backup_path(path)
    assert backup.read_bytes() == first and mode(backup) == 0o600
    assert store.load(path).runtime.port == 9090

    store.save(config, path)  # unchanged: the backup still holds the previous version
    assert backup.read_bytes() == first
    assert sorted(p.name for p in path.parent.iterdir()) == [".config.toml.lock", "config.toml", "config.toml.bak"]
    assert mode(path.parent / ".config.toml.lock") == 0o600  # the lock around every read-modify-write


def test_missing_file_means_defaults(tmp_path: Path) -> None:
    assert store.load(tmp_path / "none.toml") == Config()


def test_failed_write_leaves_old_file_and_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    store.save(Config(), path)
    before = path.read_bytes()

    def boom(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        store.save(canary_config(), path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_write_atomic_modes(tmp_path: Path) -> None:
    store.write_atomic(tmp_path / "public.conf", b"x", 0o644)
    store.write_private(tmp_path / "secret.env", b"y")
    assert mode(tmp_path / "public.conf") == 0o644 and mode(tmp_path / "secret.env") == 0o600


@pytest.mark.parametrize(("text", "words"), [
    ("server = [", "not valid TOML"),
    ("server = 5", "must be a table"),
    ("[runtime]\nport = 'eighty'", "runtime.port"),
    ("\xff", "not valid TOML"),
])
def test_broken_files_raise_config_file_error(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(store.ConfigFileError, match=words):
        store.load(path)


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[server]\nHOST = 'https://w.example.com'\nFUTURE = 1\n[future]\nx = 1\n")
    assert store.load(path).server.HOST == "https://w.example.com"


def test_permissions_report_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    store.save(canary_config(), path)
    assert not store.permissions(path).too_open
    os.chmod(path, 0o640)
    assert store.permissions(path).too_open
    store.fix_permissions(path)
    assert mode(path) == 0o600
    assert store.permissions(tmp_path / "missing") is None


def test_acknowledgements_round_trip_in_the_private_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config = canary_config()
    when = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    config.acknowledged = [
        Acknowledgement("mysql.server", "fail", "MariaDB 10.11.6 is not supported by W&B", "by decision \"OPS-12\"",
                        "ops", when),
        Acknowledgement("mysql.replication", "warn", "no hot standby: no replica streams from this server",
                        "standby planned", "alice", when, when + timedelta(days=90)),
    ]
    store.save(config, path)
    assert mode(path) == 0o600
    text = path.read_text()
    assert text.count("[[acknowledged]]") == 2 and 'when = "2026-06-01T09:30:00+00:00"' in text
    assert store.load(path) == config
