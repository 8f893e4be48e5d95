"""Storage: atomic writes, mode 0600, a backup of the previous version, readable files reported."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.config_samples import canary_config
from wbtui.config import store
from wbtui.config.model import FIELDS, Acknowledgement, Config, FieldSpec, set_value


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


# ---- the file is the user's: comments, order and unknown keys stay; only what changed is written ----------------
COMMENTED = """\
# Production W&B, owned by the platform team.

[server]
HOST = "https://wandb.example.com"   # the front door
# the primary, not the replica
MYSQL = "mysql://wandb:pw@db.example.com:3306/wandb"

[runtime]
tag = '0.60.0'  # pinned after the 2026-11 upgrade
port = 8080

[future]
answer = 42  # a table no setting reads
"""


def changed_lines(before: str, after: str) -> list[str]:
    import difflib

    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_save_changes_only_the_line_of_the_setting_that_changed(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    with store.editing(path) as edit:
        config = edit.loaded.copy()
        set_value(config, "runtime.port", "9090")
        edit.config = config
    assert changed_lines(COMMENTED, path.read_text()) == ["-port = 8080", "+port = 9090"]
    assert store.backup_path(path).read_text() == COMMENTED and mode(path) == 0o600
    assert store.load(path) == config


def test_new_settings_join_their_table_and_new_tables_come_last(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    config = store.load(path)
    set_value(config, "AWS_REGION", "eu-central-1")
    set_value(config, "app.theme", "ansi-dark")
    store.save(config, path)
    text = path.read_text()
    assert text.startswith(COMMENTED.split("[runtime]")[0].rstrip("\n"))  # the header and [server]'s comments
    assert 'AWS_REGION = "eu-central-1"' in text.split("[runtime]")[0]
    assert text.index("[future]") < text.index("[app]") and "answer = 42  # a table no setting reads" in text
    assert store.load(path) == config


def test_a_new_file_holds_only_what_differs_from_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    config = Config()
    set_value(config, "HOST", "https://wandb.example.com")
    set_value(config, "runtime.port", "8080")  # the default: not written
    store.save(config, path)
    text = path.read_text()
    assert text.startswith("# wbtui configuration")
    assert [line for line in text.splitlines() if line and not line.startswith("#")] == \
        ["[server]", 'HOST = "https://wandb.example.com"']
    assert store.load(path) == config


def test_a_default_set_by_hand_stays_and_unset_removes_the_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    with store.editing(path) as edit:  # `config set runtime.tag latest`: the user wrote it, it stays written
        config = edit.loaded.copy()
        set_value(config, "runtime.tag", "latest")
        edit.config = config
    assert 'tag = "latest"  # pinned after the 2026-11 upgrade' in path.read_text()
    with store.editing(path) as edit:  # `config unset runtime.port`: from now on the default, whatever it is
        config = edit.loaded.copy()
        config.runtime.port = 8080
        edit.remove.add("runtime.port")
        edit.config = config
    text = path.read_text()
    assert "port =" not in text and changed_lines(COMMENTED, text) == [
        "-tag = '0.60.0'  # pinned after the 2026-11 upgrade", "-port = 8080",
        '+tag = "latest"  # pinned after the 2026-11 upgrade']


def test_an_unset_value_and_a_dropped_variable_leave_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED + "\n[env]\nKEEP = 'a'\nDROP = 'b'  # old\n")
    config = store.load(path)
    set_value(config, "runtime.uid", "1000")
    store.save(config, path)
    assert "uid = 1000" in path.read_text()
    config.runtime.uid = None
    del config.env["DROP"]
    store.save(config, path)
    assert changed_lines(COMMENTED + "\n[env]\nKEEP = 'a'\nDROP = 'b'  # old\n", path.read_text()) == \
        ["-DROP = 'b'  # old"]


def test_a_key_written_in_another_case_is_changed_in_place(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    original = "[server]\nhost = 'https://a.example.com'  # lower case\n[runtime]\nTAG = '1'\ntag = '2'\n"
    path.write_text(original)
    config = store.load(path)
    set_value(config, "HOST", "https://b.example.com")
    set_value(config, "runtime.tag", "3")
    store.save(config, path)
    assert path.read_text() == "[server]\nhost = \"https://b.example.com\"  # lower case\n[runtime]\nTAG = \"3\"\n"
    assert store.load(path) == config


def test_acknowledgements_are_rewritten_keeping_the_tables_around_them(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    when = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
    first = Acknowledgement("mysql.server", "fail", "MariaDB", "decided", "ops", when)
    config = store.load(path)
    config.acknowledged = [first]
    store.save(config, path)
    text = path.read_text() + "\n[runtime]\ntag = '0.60.0'  # pinned\n"
    path.write_text(text)
    config = store.load(path)
    config.acknowledged.append(Acknowledgement("s3.cors", "warn", "no CORS", "later", "ops", when))
    store.save(config, path)
    after = path.read_text()
    assert after.count("[[acknowledged]]") == 2 and "\n\n[runtime]\ntag = '0.60.0'  # pinned\n" in after
    assert store.load(path) == config
    config.acknowledged = []
    store.save(config, path)
    assert "acknowledged" not in path.read_text() and store.load(path) == config


@pytest.mark.parametrize("old", [b"", b"\n\n", b"server = [", b"\xff", b"[runtime]\nport = 'eighty'\n"])
def test_an_empty_or_broken_file_is_written_anew_and_kept_as_the_backup(tmp_path: Path, old: bytes) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(old)
    config = canary_config()
    store.save(config, path)
    assert path.read_text().startswith("# wbtui configuration") and store.load(path) == config
    assert old == b"" or store.backup_path(path).read_bytes() == old


def test_save_text_refuses_a_file_that_changed_since_it_was_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    seen = store.read_bytes(path)
    path.write_text(COMMENTED + "# another shell\n")
    with pytest.raises(store.ChangedOnDisk, match="changed on disk"):
        store.save_text(path, "[server]\n", seen)
    assert path.read_text().endswith("# another shell\n")
    store.save_text(path, "[server]\nHOST = 'https://x.example.com'\n", store.read_bytes(path))
    assert store.load(path).server.HOST == "https://x.example.com" and mode(path) == 0o600
    assert store.backup_path(path).read_text().endswith("# another shell\n")


def _value_of(spec: FieldSpec) -> st.SearchStrategy[Any]:
    if spec.choices:
        return st.sampled_from(spec.choices)
    if spec.kind is bool:
        return st.booleans()
    if spec.kind is int:
        return st.integers(0, 2**31 - 1) | (st.none() if spec.optional else st.nothing())
    if spec.kind is float:
        return st.floats(allow_nan=False, allow_infinity=False, width=32)
    return st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20).map(str.strip)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.sampled_from(FIELDS).flatmap(lambda spec: st.tuples(st.just(spec), _value_of(spec))),
                      max_size=8),
       env=st.dictionaries(st.sampled_from(["A", "B_TOKEN", "C"]), st.text(st.characters(blacklist_categories=("Cs",)),
                                                                            max_size=12), max_size=3))
def test_any_edit_reads_back_exactly_and_keeps_the_comments(tmp_path: Path, edits: list[tuple[FieldSpec, Any]],
                                                            env: dict[str, str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    config = store.load(path)
    for spec, value in edits:
        setattr(getattr(config, spec.section), spec.attr, value)
    config.env = env
    store.save(config, path)
    assert store.load(path) == config
    text = path.read_text()
    assert all(line in text for line in COMMENTED.splitlines() if line.startswith("#"))
    assert "answer = 42  # a table no setting reads" in text
