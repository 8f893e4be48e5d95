"""`wbtui backup` against the real MariaDB: backup → verify, a cut-short or changed dump, retention, the
embedded-store refusal, and no secret in any process's argv or environment while the dump runs."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.test_backup_fixtures import MIGRATION_VERSION, build, write_config
from wbtui.config.urls import MysqlURL
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup.job import NotCovered, prune, run_backup
from wbtui.ops.backup.manifest import Manifest
from wbtui.ops.backup.verify import verify

pytestmark = pytest.mark.mysql
REPO = Path(__file__).resolve().parent.parent


def _entry(local: dst.Local, backup: str) -> dst.Entry:
    return next(e for e in local.entries() if e.id == backup)


def _admin(mariadb: Any) -> MysqlURL:
    return MysqlURL.parse(mariadb.admin_url)


def test_backup_then_verify_passes(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch)
    local = dst.Local(tmp_path / "backups")
    report = run_backup(db.config(), [local], keep=None, timeout=10)
    m = report.manifest
    path = local.path(m.file)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(local.dir.stat().st_mode) == 0o700
    on_disk = Manifest.loads(local.path(m.id + dst.MANIFEST_SUFFIX).read_bytes())
    assert on_disk == m
    assert m.size == path.stat().st_size and m.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert m.database == db.database and "MariaDB" in m.server_version
    assert (m.image, m.tag) == ("wandb/local", "0.59.2")
    assert m.migration == {"table": "schema_migrations", "version": MIGRATION_VERSION, "dirty": False}
    tables = {t.name: t for t in m.tables}
    assert set(tables) == {"users", "projects", "runs", "files", "schema_migrations", "audit"}  # no view
    assert sum(t.rows for t in m.tables) == db.rows
    assert all(t.checksum is not None for t in m.tables)
    assert db.password not in path.with_name(m.id + dst.MANIFEST_SUFFIX).read_text()
    assert not [p for p in local.dir.iterdir() if p.name.endswith(".tmp")]

    result = verify(_entry(local, m.id), local, _admin(mariadb), timeout=10)
    assert result.ok, result.problems
    assert result.tables == 6 and result.rows == db.rows
    assert not mariadb.execute("SHOW DATABASES LIKE 'wbtui\\_verify\\_%'")  # the scratch database is gone
    entry = _entry(local, m.id)
    assert entry.verified is True and entry.verify is not None and entry.verify["scratch"] == result.scratch


def test_the_restore_carries_routines_triggers_events_and_utf8mb4(mariadb: Any, mysql_scratch: Any,
                                                                   tmp_path: Path) -> None:
    """Restore the dump by hand into a second database and look at what came back."""
    db = build(mariadb, mysql_scratch, runs=5)
    local = dst.Local(tmp_path)
    m = run_backup(db.config(), [local], keep=None, timeout=10).manifest
    copy = f"{db.database}_copy"
    mariadb.execute(f"CREATE DATABASE `{copy}` CHARACTER SET utf8mb4")
    try:
        zstd = subprocess.run(["zstd", "-dc", str(local.path(m.file))], capture_output=True, check=True).stdout
        assert zstd.rstrip().splitlines()[-1].startswith(b"-- Dump completed")
        env = {"PATH": os.environ["PATH"], "MYSQL_PWD": mariadb.root_password}
        subprocess.run(["mariadb", "--no-defaults", "-h", mariadb.host, "-P", str(mariadb.port), "-u", "root",
                        "--default-character-set=utf8mb4", "--binary-mode", copy], input=zstd, env=env, check=True)
        for table in ("runs", "files"):
            a = mariadb.execute(f"CHECKSUM TABLE `{db.database}`.{table}")[0][1]
            assert a == mariadb.execute(f"CHECKSUM TABLE `{copy}`.{table}")[0][1]
        assert mariadb.execute(f"SELECT display_name FROM `{copy}`.runs WHERE id = 1")[0][0].startswith("run 🚀")
        assert mariadb.execute("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=%s",
                               (copy,))[0][0] == 1
        assert mariadb.execute("SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA=%s",
                               (copy,))[0][0] == 1
        assert mariadb.execute("SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA=%s",
                               (copy,))[0][0] == 1
        assert mariadb.execute("SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA=%s",
                               (copy,))[0][0] == 1  # (its definer, the W&B account, has no rights on the copy)
    finally:
        mariadb.drop_database(copy)


def test_verify_detects_a_cut_short_dump(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch)
    local = dst.Local(tmp_path)
    m = run_backup(db.config(), [local], keep=None, timeout=10).manifest
    path = local.path(m.file)
    with open(path, "r+b") as fh:
        fh.truncate(m.size // 2)
    result = verify(_entry(local, m.id), local, _admin(mariadb), timeout=10)
    assert not result.ok
    assert any("cut short" in p for p in result.problems) and any("sha256" in p for p in result.problems)
    assert _entry(local, m.id).verified is False
    # even with the hash check waived the restore finds it: zstd refuses the stream, or the trailer is missing
    again = verify(_entry(local, m.id), local, _admin(mariadb), timeout=10, trust_hash=True)
    assert any("decompress" in p or "cut short" in p or "restore failed" in p for p in again.problems[2:])
    assert not mariadb.execute("SHOW DATABASES LIKE 'wbtui\\_verify\\_%'")


def test_verify_detects_a_tampered_dump_even_with_a_matching_hash(mariadb: Any, mysql_scratch: Any,
                                                                   tmp_path: Path) -> None:
    """A dump whose rows were changed and whose manifest hash was rewritten to match: the restore compares."""
    import hashlib

    db = build(mariadb, mysql_scratch)
    local = dst.Local(tmp_path)
    m = run_backup(db.config(), [local], keep=None, timeout=10).manifest
    path = local.path(m.file)
    sql = subprocess.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout
    assert b"(3,'user2 " in sql
    tampered = sql.replace(b"(3,'user2 ", b"(3,'userX ", 1)
    zipped = subprocess.run(["zstd", "-q", "-c"], input=tampered, capture_output=True, check=True).stdout
    path.write_bytes(zipped)
    forged = Manifest.loads(local.path(m.id + dst.MANIFEST_SUFFIX).read_bytes())
    forged.size, forged.sha256 = len(zipped), hashlib.sha256(zipped).hexdigest()
    local.write_small(m.id + dst.MANIFEST_SUFFIX, forged.dumps())
    result = verify(_entry(local, m.id), local, _admin(mariadb), timeout=10)
    assert not result.ok
    want = next(t.checksum for t in m.tables if t.name == "users")
    assert len(result.problems) == 1, result.problems
    assert result.problems[0].startswith("table users: CHECKSUM TABLE ")
    assert result.problems[0].endswith(f", the manifest says {want}: the rows differ")


def test_retention_keeps_the_newest_good_backup(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    from wbtui.ops.backup.manifest import now

    db = build(mariadb, mysql_scratch, runs=3)
    local = dst.Local(tmp_path)
    t0 = now()
    ids = [run_backup(db.config(), [local], keep=None, timeout=10, moment=t0 - timedelta(days=d)).manifest.id
           for d in (30, 20, 10)]
    newest = _entry(local, ids[2])
    # the newest one fails its verify: it is not good, so the one before it is the one kept
    local.write_small(ids[2] + dst.VERIFY_SUFFIX, json.dumps({"ok": False}).encode())
    gone = prune(local, timedelta(days=7), now=t0)
    assert [e.id for e in gone] == [ids[0], ids[2]]
    assert [e.id for e in local.entries()] == [ids[1]]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(newest.id)]
    # a new backup with retention: the old good one is now past the window and goes; the new one stays
    report = run_backup(db.config(), [local], keep=timedelta(days=7), timeout=10)
    assert report.pruned == [f"local: {ids[1]}"]
    assert [e.id for e in local.entries()] == [report.id]
    # nothing younger than the window is removed, and the only backup stays even when old
    assert prune(local, timedelta(hours=1), now=t0 + timedelta(days=365)) == []


def test_a_dump_with_an_empty_bucket_says_the_files_in_vol_are_not_in_it(mariadb: Any, mysql_scratch: Any,
                                                                          tmp_path: Path) -> None:
    """MYSQL set, BUCKET empty: the database is dumped, and the note says W&B's files stay in /vol."""
    db = build(mariadb, mysql_scratch)
    empty = run_backup(db.config(), [dst.Local(tmp_path / "a")], keep=None, timeout=10)
    assert any("BUCKET is empty" in n and "wbtui backup --volume" in n for n in empty.notes)
    assert empty.notes == empty.manifest.notes
    external = run_backup(db.config(BUCKET="s3://key:secret@127.0.0.1:9/bucket"), [dst.Local(tmp_path / "b")],
                          keep=None, timeout=10)
    assert not any("BUCKET" in n for n in external.notes)


def test_embedded_mysql_is_not_covered(tmp_path: Path) -> None:
    """The dump needs an external MySQL; on Kubernetes, embedded stores are not covered at all (exit 3)."""
    from wbtui.config.model import Config

    with pytest.raises(NotCovered) as caught:
        run_backup(Config(), [dst.Local(tmp_path)], keep=None, timeout=5)
    text = str(caught.value)
    assert "/vol" in text and "wbtui backup" in text and "wbtui config set MYSQL" in text
    config = Config()
    config.runtime.backend = "kubernetes"
    path = write_config(tmp_path / "config.toml", config)
    out = subprocess.run([sys.executable, "-m", "wbtui", "--config", str(path), "backup", "--to",
                          str(tmp_path / "b")], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 3, out.stderr
    assert "not covered" in out.stderr and "kubectl cp" in out.stderr and "VolumeSnapshot" in out.stderr
    assert not (tmp_path / "b").exists()


def _cli(config: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wbtui", "--config", str(config), *args], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=120)


def test_cli_backup_list_verify(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch)
    config = write_config(tmp_path / "config.toml", db.config())
    backups = tmp_path / "backups"
    made = _cli(config, "backup", "--to", str(backups), "--json")
    assert made.returncode == 0, made.stderr
    report = json.loads(made.stdout)
    assert "mariadb-dump" in made.stderr and "symlink" in made.stderr  # which tool and why (Debian's symlink)
    assert db.password not in made.stdout + made.stderr
    listed = json.loads(_cli(config, "backup", "list", "--to", str(backups), "--json").stdout)
    assert [b["id"] for b in listed["backups"]] == [report["id"]]
    assert listed["backups"][0]["verified"] is None
    env = {**os.environ, "WBTUI_MYSQL_ADMIN": mariadb.admin_url}
    checked = _cli(config, "backup", "verify", report["id"], "--to", str(backups), env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "matched the manifest" in checked.stdout
    assert mariadb.root_password not in checked.stdout + checked.stderr
    text = _cli(config, "backup", "list", "--to", str(backups)).stdout
    assert report["id"] in text and "yes" in text
    missing = _cli(config, "backup", "verify", "wbtui-x-20200101T000000Z", "--to", str(backups), env=env)
    assert missing.returncode == 1 and "wbtui backup list" in missing.stderr
    no_admin = _cli(config, "backup", "verify", report["id"], "--to", str(backups))
    assert no_admin.returncode == 2 and "WBTUI_MYSQL_ADMIN" in no_admin.stderr
    bad_keep = _cli(config, "backup", "--to", str(backups), "--keep", "soon")
    assert bad_keep.returncode == 2 and "7d" in bad_keep.stderr


def _processes() -> list[tuple[int, bytes, bytes]]:
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmdline = fh.read()
            with open(f"/proc/{name}/environ", "rb") as fh:
                environ = fh.read()
        except OSError:  # gone, or another user's
            continue
        out.append((int(name), cmdline, environ))
    return out


def test_no_secret_in_any_argv_or_environment_during_a_dump(mariadb: Any, mysql_scratch: Any,
                                                             tmp_path: Path) -> None:
    """A root session holds a write lock on one table, so the dump waits inside it: the test reads every
    process's argv and environment while the dump child runs, then lets it finish."""
    import pymysql

    db = build(mariadb, mysql_scratch)
    config = write_config(tmp_path / "config.toml", db.config())
    secret = db.password.encode()
    locker = pymysql.connect(host=mariadb.host, port=mariadb.port, user="root", password=mariadb.root_password,
                             autocommit=True)
    try:
        with locker.cursor() as cur:
            cur.execute(f"LOCK TABLES `{db.database}`.users WRITE")
        child = subprocess.Popen([sys.executable, "-m", "wbtui", "--config", str(config), "backup", "--to",
                                  str(tmp_path / "b"), "--no-prune"], cwd=REPO, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        dumper = None
        while dumper is None and time.monotonic() < deadline and child.poll() is None:
            dumper = next((p for p in _processes() if p[1].startswith(b"/usr/bin/mariadb-dump\0")
                           and db.database.encode() in p[1]), None)
        assert dumper is not None, "the dump child never appeared"
        seen = _processes()
        assert any(p[0] == child.pid for p in seen)
        leaks = [(pid, cmd[:80]) for pid, cmd, env in seen if secret in cmd or secret in env]
        assert leaks == []
        argv = dumper[1].split(b"\0")
        defaults = next(a for a in argv if a.startswith(b"--defaults-extra-file="))
        path = Path(defaults.split(b"=", 1)[1].decode())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert secret in path.read_bytes()  # the password is there, and only there
        env = dict(item.split(b"=", 1) for item in dumper[2].split(b"\0") if b"=" in item)
        assert set(env) <= {b"PATH", b"LANG", b"LC_ALL", b"LC_CTYPE", b"TZ", b"HOME"}
        assert env[b"HOME"] == str(path.parent).encode()
    finally:
        with locker.cursor() as cur:
            cur.execute("UNLOCK TABLES")
        locker.close()
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    assert not path.exists() and not path.parent.exists()
    assert secret not in out + err


def test_a_failing_dump_leaves_nothing_and_says_what_to_do(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    from wbtui.ops.backup.job import BackupFailed

    db = build(mariadb, mysql_scratch, runs=2)
    mariadb.execute(f"REVOKE ALL PRIVILEGES ON `{db.database}`.* FROM %s@'%%'", (db.user,))
    mariadb.grant("SELECT", f"`{db.database}`.*", db.user)  # no SHOW VIEW, EVENT, TRIGGER: the dump fails
    local = dst.Local(tmp_path)
    with pytest.raises(BackupFailed) as caught:
        run_backup(db.config(), [local], keep=None, timeout=10)
    assert "mariadb-dump exited with" in str(caught.value) and "wbtui" in str(caught.value)
    assert db.password not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_no_admin_secret_in_any_argv_or_environment_during_a_verify(mariadb: Any, mysql_scratch: Any,
                                                                    tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The restore client is started before the decompressor; a zstd wrapper that waits for a flag file keeps
    the client waiting on its input while the test reads every process's argv and environment."""
    from wbtui.ops.backup import verify as verify_module

    db = build(mariadb, mysql_scratch, runs=3)
    local = dst.Local(tmp_path / "b")
    m = run_backup(db.config(), [local], keep=None, timeout=10).manifest
    flag = tmp_path / "go"
    wrapper = tmp_path / "zstd"
    wrapper.write_text(f"#!/bin/sh\nwhile [ ! -e {flag} ]; do sleep 0.01; done\nexec /usr/bin/zstd \"$@\"\n")
    wrapper.chmod(0o755)
    monkeypatch.setattr(verify_module, "find_compressor", lambda: str(wrapper))
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(
        verify(_entry(local, m.id), local, _admin(mariadb), timeout=10)))
    worker.start()
    try:
        deadline = time.monotonic() + 60
        client = None
        while client is None and time.monotonic() < deadline and worker.is_alive():
            client = next((p for p in _processes() if p[1].startswith(b"/usr/bin/mariadb\0")
                           and b"wbtui_verify_" in p[1]), None)
        assert client is not None, "the restore client never appeared"
        secret = mariadb.root_password.encode()
        assert [(pid, cmd[:80]) for pid, cmd, env in _processes() if secret in cmd or secret in env] == []
        defaults = next(a for a in client[1].split(b"\0") if a.startswith(b"--defaults-extra-file="))
        path = Path(defaults.split(b"=", 1)[1].decode())
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and secret in path.read_bytes()
    finally:
        flag.touch()
        worker.join(120)
    assert results and results[0].ok, results
    assert not path.exists()


def test_a_non_innodb_table_is_noted_and_an_incomplete_backup_listed(mariadb: Any, mysql_scratch: Any,
                                                                      tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=2)
    mariadb.execute(f"CREATE TABLE `{db.database}`.legacy (id INT PRIMARY KEY) ENGINE=MyISAM")
    local = dst.Local(tmp_path)
    m = run_backup(db.config(), [local], keep=None, timeout=10).manifest
    assert any("not transactional (legacy)" in note for note in m.notes)
    (tmp_path / "wbtui-other-20200101T000000Z.sql.zst").write_bytes(b"half")  # a dump without its manifest
    entries = {e.id: e for e in local.entries()}
    assert entries["wbtui-other-20200101T000000Z"].complete is False
    assert entries[m.id].complete is True
    (tmp_path / "notes.txt").write_text("not ours")
    (tmp_path / "wbtui-link-20200101T000000Z.manifest.json").symlink_to("/etc/hostname")
    assert set(e.id for e in local.entries()) == {m.id, "wbtui-other-20200101T000000Z"}  # symlinks are skipped
    assert prune(local, timedelta(days=7)) == []  # an incomplete backup ages by its file's time: still young
    month_ago = time.time() - 30 * 86400
    os.utime(tmp_path / "wbtui-other-20200101T000000Z.sql.zst", (month_ago, month_ago))
    gone = prune(local, timedelta(days=7))
    assert [e.id for e in gone] == ["wbtui-other-20200101T000000Z"]
    assert (tmp_path / "notes.txt").exists() and (tmp_path / "wbtui-link-20200101T000000Z.manifest.json").is_symlink()
