"""Restoring a backup into W&B's database on the real MariaDB: backup → damage → restore → every table's
CHECKSUM TABLE as before; a changed or cut-short dump is refused before the database is touched; the account
rules of a server with the binary log on; and through the CLI `wbtui restore ID`."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests import test_backup_dump as dump_tests
from tests.services.base import free_port
from tests.services.docker_fixtures import standin_config
from tests.test_backup_fixtures import BLOB, EMOJI, MIGRATION_VERSION, WandbLike, build, write_config
from wbtui.cli import main
from wbtui.config.model import Config
from wbtui.config.urls import MysqlURL
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup.job import run_backup
from wbtui.ops.backup.manifest import Manifest
from wbtui.ops.backup.restore import RestoreFailed, restore_database

pytestmark = pytest.mark.mysql
REPO = Path(__file__).resolve().parent.parent
processes = dump_tests._processes


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


# -- wbtui restore ID: the CLI, with the stand-in server --------------------------------------------------------

def _server_config(db: WandbLike, image: str) -> Config:
    config = standin_config(image, prefix="restore", secret=db.password, ready_delay="0.2", heartbeat="0")
    config.server.MYSQL = db.url
    config.server.HOST = f"http://127.0.0.1:{free_port()}"  # not served: the watch probes the published port
    return config


def _json(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def test_cli_restore_stops_saves_restores_starts_and_watches(mariadb: Any, mysql_scratch: Any, tmp_path: Path,
                                                             docker_runtimes: Any, standin_image: str,
                                                             capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    db = build(mariadb, mysql_scratch)
    config = _server_config(db, standin_image)
    path = write_config(tmp_path / "config.toml", config)
    runtime = docker_runtimes(config)
    runtime.deploy()
    backups = str(tmp_path / "backups")
    assert main(["--config", str(path), "backup", "--to", backups, "--json"]) == 0
    made = _json(capsys)["id"]
    before = state(mariadb, db.database)
    damage(mariadb, db)
    monkeypatch.setenv("WBTUI_MYSQL_ADMIN", mariadb.admin_url)  # the dump has a trigger; the binary log is on
    started = runtime.inspect()["State"]["StartedAt"]
    code = main(["--config", str(path), "restore", made, "--yes", "--to", backups, "--json", "--timeout", "60"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert state(mariadb, db.database) == before
    assert report["watch"]["ready"] is True and report["tables"] == 6
    assert report["done"][0] == "stopped the server" and report["done"][-1] == "started the server"
    attrs = runtime.inspect()
    assert attrs["State"]["Running"] and attrs["State"]["StartedAt"] != started  # it was stopped and started
    assert db.password not in out + err and mariadb.root_password not in out + err
    safety = report["safety_backup"]
    assert safety and safety != made
    assert main(["--config", str(path), "backup", "list", "--to", backups, "--json"]) == 0
    listed = {b["id"]: b for b in _json(capsys)["backups"]}
    assert set(listed) == {made, safety} and listed[safety]["complete"] and listed[safety]["kind"] == "database"
    held = Manifest.loads((Path(backups) / f"{safety}{dst.MANIFEST_SUFFIX}").read_bytes())
    assert "added_later" in {t.name for t in held.tables}  # the safety backup holds the damaged database
    assert held.migration is not None and held.migration["version"] == 99

    # the text form lists what will happen; without --yes and without a terminal it refuses (exit 2), unchanged
    mariadb.execute(f"DELETE FROM `{db.database}`.audit")
    changed = state(mariadb, db.database)
    assert main(["--config", str(path), "restore", made, "--to", backups]) == 2
    out, err = capsys.readouterr()
    assert "This will:" in out and f"stop container {config.runtime.container_name}" in out
    assert "back up the current database" in out and f"replace database {db.database}" in out
    assert "6 tables" in out and f"schema version {MIGRATION_VERSION}" in out and "pass --yes" in err
    assert state(mariadb, db.database) == changed


def test_cli_restore_without_a_deployed_server_restores_the_database_only(mariadb: Any, mysql_scratch: Any,
                                                                           tmp_path: Path, docker_client: Any,
                                                                           standin_image: str,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    db = build(mariadb, mysql_scratch, runs=5)
    mariadb.execute(f"DROP TRIGGER `{db.database}`.runs_touch")  # MYSQL's own account can load the rest
    path = write_config(tmp_path / "config.toml", _server_config(db, standin_image))
    backups = str(tmp_path / "b")
    assert main(["--config", str(path), "backup", "--to", backups, "--json"]) == 0
    made = _json(capsys)["id"]
    before = state(mariadb, db.database)
    damage(mariadb, db)
    code = main(["--config", str(path), "restore", made, "--yes", "--no-safety-backup", "--to", backups])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "the server is not deployed" in out and f"restored {made} (6 tables" in out
    assert state(mariadb, db.database) == before
    assert [p.name for p in Path(backups).iterdir() if p.name.endswith(dst.MANIFEST_SUFFIX)] == \
        [made + dst.MANIFEST_SUFFIX]  # no safety backup was asked for


def test_cli_restore_refuses_in_read_only_mode_and_for_unknown_ids(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")  # neither may even ask the daemon
    config = Config()
    config.server.MYSQL = "mysql://wandb:Secret-1@127.0.0.1:1/wandb"
    path = write_config(tmp_path / "config.toml", config)
    assert main(["--read-only", "--config", str(path), "restore", "wbtui-wandb-20200101T000000Z", "--yes"]) == 2
    assert "read-only mode: refusing to restore a backup" in capsys.readouterr().err
    assert main(["--config", str(path), "restore", "wbtui-wandb-20200101T000000Z", "--yes", "--to",
                 str(tmp_path), "--local-only"]) == 1
    err = capsys.readouterr().err
    assert "no backup 'wbtui-wandb-20200101T000000Z'" in err and "wbtui backup list" in err


def test_no_secret_in_any_argv_or_environment_during_a_restore(mariadb: Any, mysql_scratch: Any,
                                                               tmp_path: Path, docker_client: Any,
                                                               standin_image: str) -> None:
    """`wbtui restore` as a child process, with a zstd wrapper first on its PATH that holds the load's
    decompressor (its second `-d`, after the whole-dump read) until a flag file appears: meanwhile the
    restore client runs, and every process's argv and environment are read. The admin account (the dump has a
    trigger) comes in WBTUI_MYSQL_ADMIN, so only the wbtui process itself may hold its password."""
    db = build(mariadb, mysql_scratch, runs=5)
    path = write_config(tmp_path / "config.toml", _server_config(db, standin_image))  # not deployed
    backups = tmp_path / "b"
    m = run_backup(db.config(), [dst.Local(backups)], keep=None, timeout=10).manifest
    bin_dir, flag, seen = tmp_path / "bin", tmp_path / "go", tmp_path / "seen"
    bin_dir.mkdir()
    (bin_dir / "zstd").write_text(
        "#!/bin/sh\n"
        f'if [ "$2" = "-d" ]; then if [ -e {seen} ]; then while [ ! -e {flag} ]; do sleep 0.01; done; '
        f"else touch {seen}; fi; fi\n"
        'exec /usr/bin/zstd "$@"\n')
    (bin_dir / "zstd").chmod(0o755)
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "d"),
           "WBTUI_MYSQL_ADMIN": mariadb.admin_url}
    child = subprocess.Popen([sys.executable, "-m", "wbtui", "--config", str(path), "restore", m.id, "--yes",
                              "--to", str(backups), "--local-only"], cwd=REPO, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        client = None
        while client is None and time.monotonic() < deadline and child.poll() is None:
            client = next((p for p in processes() if p[1].startswith(b"/usr/bin/mariadb\0")
                           and db.database.encode() in p[1]), None)
        assert client is not None, child.stderr.read().decode() if child.poll() is not None else "no client"
        secret, admin = db.password.encode(), mariadb.root_password.encode()
        seen_now = _settled(child.pid)
        assert [(pid, cmd[:80]) for pid, cmd, environ in seen_now if secret in cmd or secret in environ] == []
        assert [(pid, cmd[:80]) for pid, cmd, environ in seen_now
                if pid != child.pid and (admin in cmd or admin in environ)] == []
        defaults = next(a for a in client[1].split(b"\0") if a.startswith(b"--defaults-extra-file="))
        option_file = Path(defaults.split(b"=", 1)[1].decode())
        assert stat.S_IMODE(option_file.stat().st_mode) == 0o600 and admin in option_file.read_bytes()
        names = {item.split(b"=", 1)[0] for item in client[2].split(b"\0") if b"=" in item}
        assert names <= {b"PATH", b"LANG", b"LC_ALL", b"LC_CTYPE", b"TZ", b"HOME"}
    finally:
        flag.touch()
        out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert b"safety backup" in out and not option_file.exists()
    assert secret not in out + err and admin not in out + err


def _settled(parent: int) -> list[tuple[int, bytes, bytes]]:
    """The process table once no child of ``parent`` is between fork and exec: such a child still shows the
    parent's own argv and environment (the decompressor is forked just after the client is found), which is
    not where the exec'd program's environment comes from."""
    deadline = time.monotonic() + 10
    while True:
        seen = processes()
        own = next((cmd for pid, cmd, _ in seen if pid == parent), None)
        forks = [pid for pid, cmd, _ in seen if pid != parent and cmd == own and _parent_of(pid) == parent]
        if not forks or time.monotonic() > deadline:
            return seen


def _parent_of(pid: int) -> int | None:
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat_line.rsplit(")", 1)[1].split()[1])


def test_a_stored_function_in_the_dump_is_counted_and_refused_for_the_w_and_b_account(
        mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    """The whole-dump read finds mariadb-dump's own text for a function as well as the trigger."""
    db = build(mariadb, mysql_scratch, runs=2)
    mariadb.execute(f"CREATE DEFINER = '{db.user}'@'%' FUNCTION `{db.database}`.run_total() RETURNS INT "
                    f"READS SQL DATA RETURN (SELECT COUNT(*) FROM `{db.database}`.runs)")
    local = dst.Local(tmp_path)
    m = _backup(db, local)
    with pytest.raises(RestoreFailed) as caught:
        restore_database(db.config(), m.id, [local], timeout=10)
    assert "1 trigger(s) and 1 stored function(s)" in str(caught.value) and not caught.value.touched
    report = restore_database(db.config(), m.id, [local], timeout=10, admin=_admin(mariadb))
    assert report.tables == 6
    assert mariadb.execute(f"SELECT `{db.database}`.run_total()")[0][0] == 2


@pytest.mark.s3
def test_restore_from_the_bucket_downloads_privately_and_checks_first(mariadb: Any, mysql_scratch: Any, radosgw: Any,
                                                                       s3_bucket: str, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=10)
    config = db.config(BUCKET=radosgw.bucket_url(s3_bucket), AWS_REGION=radosgw.region)
    bucket = dst.Bucket(config, "restore-test")
    try:
        m = run_backup(config, [bucket], keep=None, timeout=10).manifest
        before = state(mariadb, db.database)
        damage(mariadb, db)
        said: list[str] = []
        report = restore_database(config, m.id, [dst.Local(tmp_path / "none"), bucket], timeout=10, say=said.append,
                                  admin=_admin(mariadb))
        assert state(mariadb, db.database) == before
        assert report.where == bucket.location and any(line.startswith("downloading s3://") for line in said)
        # a changed object in the bucket: refused before the database is touched
        radosgw.s3_client().put_object(Bucket=s3_bucket, Key=bucket.key(m.file), Body=b"not the dump")
        damage(mariadb, db)
        damaged = state(mariadb, db.database)
        with pytest.raises(RestoreFailed, match="Nothing was changed"):
            restore_database(config, m.id, [bucket], timeout=10, admin=_admin(mariadb))
        assert state(mariadb, db.database) == damaged
    finally:
        bucket.close()
