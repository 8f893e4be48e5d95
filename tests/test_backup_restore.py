"""Restoring a backup into W&B's database on the real MariaDB: backup → damage → restore → every table's
CHECKSUM TABLE as before; a changed or cut-short dump is refused before the database is touched; the account
rules of a server with the binary log on; and through the CLI `wbtui restore ID`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.test_backup_fixtures import BLOB, EMOJI, MIGRATION_VERSION, WandbLike, build
from wbtui.config.urls import MysqlURL
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup.job import run_backup
from wbtui.ops.backup.manifest import Manifest
from wbtui.ops.backup.restore import RestoreFailed, restore_database

pytestmark = pytest.mark.mysql


def state(mariadb: Any, database: str) -> dict[str, Any]:
    """Everything a restore must bring back: each table's rows and CHECKSUM TABLE, and the other objects."""
    tables = [r[0] for r in mariadb.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=%s AND TABLE_TYPE='BASE TABLE' "
        "ORDER BY TABLE_NAME", (database,))]
    out: dict[str, Any] = {}
    for table in tables:
        rows = mariadb.execute(f"SELECT COUNT(*) FROM `{database}`.`{table}`")[0][0]
        out[table] = (rows, mariadb.execute(f"CHECKSUM TABLE `{database}`.`{table}`")[0][1])
    for kind, sql in (("views", "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA=%s"),
                      ("triggers", "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=%s"),
                      ("routines", "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA=%s"),
                      ("events", "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA=%s")):
        out[kind] = sorted(r[0] for r in mariadb.execute(sql, (database,)))
    return out


def damage(mariadb: Any, db: WandbLike) -> None:
    """What a bad migration or a mistake leaves: a table gone, rows changed, a new table, another version."""
    d = f"`{db.database}`"
    mariadb.execute(f"DROP TABLE {d}.files")
    mariadb.execute(f"UPDATE {d}.runs SET display_name = 'changed' WHERE id <= 3")
    mariadb.execute(f"DELETE FROM {d}.audit")
    mariadb.execute(f"UPDATE {d}.schema_migrations SET version = 99, dirty = 1 WHERE version = {MIGRATION_VERSION}")
    mariadb.execute(f"CREATE TABLE {d}.added_later (id INT PRIMARY KEY)")
    mariadb.execute(f"DROP PROCEDURE {d}.run_count")


def _admin(mariadb: Any) -> MysqlURL:
    return MysqlURL.parse(mariadb.admin_url)


def _backup(db: WandbLike, local: dst.Local) -> Manifest:
    return run_backup(db.config(), [local], keep=None, timeout=10).manifest


def test_restore_brings_back_every_table_row_and_object(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch)
    mariadb.execute(f"INSERT INTO `{db.database}`.audit (run_id, note) VALUES (1, 'before')")
    before = state(mariadb, db.database)
    local = dst.Local(tmp_path)
    m = _backup(db, local)
    damage(mariadb, db)
    assert state(mariadb, db.database) != before
    said: list[str] = []
    report = restore_database(db.config(), m.id, [local], timeout=10, say=said.append, admin=_admin(mariadb))
    assert state(mariadb, db.database) == before
    assert report.tables == 6 and report.rows == db.rows + 1 and report.id == m.id
    assert report.to_dict()["manifest"]["sha256"] == m.sha256
    assert any("sha256 match" in line for line in said)
    name = mariadb.execute(f"SELECT display_name FROM `{db.database}`.runs WHERE id = 1")[0][0]
    assert name == f"{EMOJI} 0"
    blob = mariadb.execute(f"SELECT content FROM `{db.database}`.files WHERE id = 1")[0][0]
    assert blob == BLOB + (0).to_bytes(4, "big")
    version = mariadb.execute(f"SELECT MAX(version), MAX(dirty) FROM `{db.database}`.schema_migrations")[0]
    assert tuple(version) == (MIGRATION_VERSION, 0)


def test_the_w_and_b_account_restores_what_it_may_create(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    """With MYSQL's own account (no admin): a database without triggers comes back whole; one with a trigger on
    this server (binary log on, no SUPER) is refused before anything is dropped."""
    db = build(mariadb, mysql_scratch)
    local = dst.Local(tmp_path)
    with_trigger = _backup(db, local)
    damage(mariadb, db)
    damaged = state(mariadb, db.database)
    with pytest.raises(RestoreFailed) as caught:
        restore_database(db.config(), with_trigger.id, [local], timeout=10)
    text = str(caught.value)
    assert "1 trigger(s)" in text and "Nothing was changed" in text and "--admin" in text
    assert not caught.value.touched
    assert state(mariadb, db.database) == damaged
    assert db.password not in text

    mariadb.execute(f"DROP TABLE `{db.database}`.added_later")
    mariadb.execute(f"DROP TRIGGER `{db.database}`.runs_touch")
    mariadb.execute(f"CREATE TABLE `{db.database}`.files (id BIGINT PRIMARY KEY, content LONGBLOB)")
    local2 = dst.Local(tmp_path / "second")
    no_trigger = _backup(db, local2)
    before = state(mariadb, db.database)
    mariadb.execute(f"DELETE FROM `{db.database}`.runs WHERE id > 10")
    report = restore_database(db.config(), no_trigger.id, [local2], timeout=10)
    assert state(mariadb, db.database) == before
    assert report.loaded_as.startswith(db.user + "@")


@pytest.mark.parametrize("how", ["truncated", "tampered"])
def test_a_changed_dump_is_refused_before_the_database_is_touched(mariadb: Any, mysql_scratch: Any, tmp_path: Path,
                                                                  how: str) -> None:
    db = build(mariadb, mysql_scratch, runs=5)
    local = dst.Local(tmp_path)
    m = _backup(db, local)
    damage(mariadb, db)
    damaged = state(mariadb, db.database)
    path = local.path(m.file)
    if how == "truncated":
        with open(path, "r+b") as fh:
            fh.truncate(m.size // 2)
    else:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    with pytest.raises(RestoreFailed) as caught:
        restore_database(db.config(), m.id, [local], timeout=10, admin=_admin(mariadb))
    text = str(caught.value)
    assert "sha256" in text and "Nothing was changed" in text and not caught.value.touched
    assert state(mariadb, db.database) == damaged


def test_a_dump_cut_short_with_a_matching_manifest_is_refused_untouched(mariadb: Any, mysql_scratch: Any,
                                                                        tmp_path: Path) -> None:
    """Hash and size rewritten to match a cut-short dump: the read of the whole dump before the restore finds
    it (zstd refuses the stream, or the dump tool's last line is missing)."""
    db = build(mariadb, mysql_scratch, runs=5)
    local = dst.Local(tmp_path)
    m = _backup(db, local)
    damage(mariadb, db)
    damaged = state(mariadb, db.database)
    path = local.path(m.file)
    cut = path.read_bytes()[: m.size // 2]
    path.write_bytes(cut)
    forged = Manifest.loads(local.path(m.id + dst.MANIFEST_SUFFIX).read_bytes())
    forged.size, forged.sha256 = len(cut), hashlib.sha256(cut).hexdigest()
    local.write_small(m.id + dst.MANIFEST_SUFFIX, forged.dumps())
    with pytest.raises(RestoreFailed) as caught:
        restore_database(db.config(), m.id, [local], timeout=10, admin=_admin(mariadb))
    assert "nothing was changed" in str(caught.value) and not caught.value.touched
    assert state(mariadb, db.database) == damaged


def test_unknown_and_incomplete_backups_say_what_to_do(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=2)
    local = dst.Local(tmp_path)
    with pytest.raises(RestoreFailed, match="wbtui backup list"):
        restore_database(db.config(), "wbtui-x-20200101T000000Z", [local], timeout=10)
    (tmp_path / "wbtui-x-20200101T000000Z.sql.zst").write_bytes(b"half")
    with pytest.raises(RestoreFailed, match="incomplete"):
        restore_database(db.config(), "wbtui-x-20200101T000000Z", [local], timeout=10)
