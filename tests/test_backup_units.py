"""The backup's parts on their own: tool discovery, --keep, retention, the dump's argv and option file; the gzip
path and hard passwords against the real MariaDB."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.test_backup_fixtures import build
from wbtui.config.urls import MysqlURL
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup import tools
from wbtui.ops.backup.dump import dump_command, private_dir, write_defaults
from wbtui.ops.backup.retention import newest_good, parse_keep, to_prune


def _fake(path: Path, version: str) -> Path:
    path.write_text(f"#!/bin/sh\necho '{version}'\n")
    path.chmod(0o755)
    return path


MARIADB = "mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)"
ORACLE = "mysqldump  Ver 8.0.36 for Linux on x86_64 (MySQL Community Server - GPL)"


def test_debian_mysqldump_symlink_is_resolved_and_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = _fake(tmp_path / "mariadb-dump", MARIADB)
    (tmp_path / "mysqldump").symlink_to(real)
    monkeypatch.setenv("PATH", str(tmp_path))
    choice = tools.choose(tools.DUMP_NAMES, "mariadb", "the dump")
    assert choice.tool.name == "mariadb-dump"
    assert "symlink" in choice.why and str(real) in choice.why
    (tmp_path / "mariadb-dump").rename(tmp_path / "mariadb-dump.real")
    (tmp_path / "mysqldump").unlink()
    (tmp_path / "mysqldump").symlink_to(tmp_path / "mariadb-dump.real")
    only = tools.choose(tools.DUMP_NAMES, "mariadb", "the dump")
    assert only.tool.name == "mysqldump" and only.tool.family == "mariadb"
    assert "only one" in only.why and "symlink to" in only.why


def test_two_real_tools_the_servers_family_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake(tmp_path / "mariadb-dump", MARIADB)
    _fake(tmp_path / "mysqldump", ORACLE)
    monkeypatch.setenv("PATH", str(tmp_path))
    mysql = tools.choose(tools.DUMP_NAMES, "mysql", "the dump")
    assert mysql.tool.name == "mysqldump" and "the server is MySQL" in mysql.why
    maria = tools.choose(tools.DUMP_NAMES, "mariadb", "the dump")
    assert maria.tool.name == "mariadb-dump" and "the server is MariaDB" in maria.why
    argv = dump_command(mysql, MysqlURL.parse("mysql://u:p@db:3306/wandb"), Path("/x.cnf"), "mariadb")
    assert "--column-statistics=0" in argv and "--set-gtid-purged=OFF" in argv


def test_no_tool_names_the_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(tools.ToolError) as caught:
        tools.choose(tools.DUMP_NAMES, None, "the dump")
    for package in ("default-mysql-client", "mariadb-client", "mysql-client"):
        assert package in str(caught.value)


def test_the_dump_argv_is_consistent_and_holds_no_password() -> None:
    url = MysqlURL.parse("mysql://wandb:s3cr%22et@localhost:3307/wandb_local")
    choice = tools.Choice(tools.Tool("mariadb-dump", "/usr/bin/mariadb-dump", "/usr/bin/mariadb-dump", "mariadb",
                                     MARIADB), "")
    argv = dump_command(choice, url, Path("/tmp/x/client.cnf"), "mariadb")
    assert argv[1] == "--defaults-extra-file=/tmp/x/client.cnf"  # it must come first
    for flag in ("--single-transaction", "--routines", "--triggers", "--events", "--quick",
                 "--default-character-set=utf8mb4", "--hex-blob", "--protocol=TCP", "--port=3307"):
        assert flag in argv
    assert argv[-1] == "wandb_local" and not any("s3cr" in a for a in argv)


def test_the_option_file_is_private_and_removed(tmp_path: Path) -> None:
    with private_dir() as home:
        path = write_defaults(home, MysqlURL("u", 'a"b\\c', "h", "d"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(home.stat().st_mode) == 0o700
        assert path.read_text() == '[client]\nuser="u"\npassword="a\\"b\\\\c"\n'
    assert not home.exists()


def test_child_env_has_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WBTUI_MYSQL_ADMIN", "mysql://root:pw@h/mysql")
    monkeypatch.setenv("MYSQL_PWD", "pw")
    env = tools.child_env("/tmp/home")
    assert set(env) <= {*tools.SAFE_ENV, "HOME"} and env["HOME"] == "/tmp/home"


@pytest.mark.parametrize(("text", "want"), [("7d", timedelta(days=7)), ("36h", timedelta(hours=36)),
                                            ("2w", timedelta(weeks=2)), ("3", timedelta(days=3))])
def test_keep(text: str, want: timedelta) -> None:
    assert parse_keep(text) == want


@pytest.mark.parametrize("text", ["", "0d", "soon", "-1d", "7 days", "1y"])
def test_bad_keep(text: str) -> None:
    with pytest.raises(ValueError, match="36h, 7d, 2w"):
        parse_keep(text)


def _e(days: int, complete: bool = True, verified: bool | None = None) -> dst.Entry:
    from wbtui.ops.backup.manifest import Manifest

    when = datetime(2026, 12, 1, tzinfo=UTC) - timedelta(days=days)
    manifest = Manifest(f"wbtui-db-{days}", when.isoformat(), "db", "h:1", "v", "f", "zstd", 1, "0" * 64, [], None,
                        "i", "t", {}, 0.0, "0") if complete else None
    verify = None if verified is None else {"ok": verified}
    return dst.Entry(f"wbtui-db-{days}", "local", "/x", manifest, "f", 1, when, verify)


def test_retention() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    entries = [_e(1), _e(10), _e(20, verified=True), _e(30, complete=False)]
    assert [e.id for e in to_prune(entries, timedelta(days=7), now)] == ["wbtui-db-30", "wbtui-db-20", "wbtui-db-10"]
    # all old: the newest good one stays; an incomplete or failed newer one does not count as good
    old = [_e(10, verified=False), _e(12, complete=False), _e(20), _e(30)]
    assert newest_good(old) is not None and newest_good(old).id == "wbtui-db-20"  # type: ignore[union-attr]
    assert [e.id for e in to_prune(old, timedelta(days=7), now)] == ["wbtui-db-30", "wbtui-db-12", "wbtui-db-10"]
    assert to_prune([], timedelta(days=1), now) == []


@pytest.mark.mysql
def test_gzip_when_there_is_no_zstd_and_a_hard_password(mariadb: Any, mysql_scratch: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """No zstd on the host: gzip in-process; a password with quotes, backslash, '#', ';' and spaces."""
    from wbtui.ops.backup import job
    from wbtui.ops.backup.verify import verify

    db = build(mariadb, mysql_scratch, runs=4)
    hard = 'q"u\'o\\te #x; y=z '  # (no non-ASCII: pymysql sends passwords as latin-1)
    mariadb.execute("ALTER USER %s@'%%' IDENTIFIED BY %s", (db.user, hard))
    config = db.config()
    url = MysqlURL.parse(config.server.MYSQL)
    config.server.MYSQL = MysqlURL(url.user, hard, url.host, url.database, url.port).format()
    monkeypatch.setattr(job, "find_compressor", lambda: None)
    local = dst.Local(tmp_path)
    m = job.run_backup(config, [local], keep=None, timeout=10).manifest
    assert m.compression == "gzip" and m.file.endswith(".sql.gz")
    assert subprocess.run(["gzip", "-t", str(local.path(m.file))]).returncode == 0
    entry = next(e for e in local.entries() if e.id == m.id)
    assert verify(entry, local, MysqlURL.parse(mariadb.admin_url), timeout=10).ok
    with open(local.path(m.file), "r+b") as fh:
        fh.truncate(m.size - 100)
    bad = verify(entry, local, MysqlURL.parse(mariadb.admin_url), timeout=10, trust_hash=True)
    assert not bad.ok and any("cut short" in p for p in bad.problems[1:])
    assert sorted(os.listdir(tmp_path)) == sorted([m.file, m.id + ".manifest.json", m.id + ".verify.json"])


def test_an_upload_errors_code_is_read_from_boto3s_text() -> None:
    text = "Failed to upload /x to b/k: An error occurred (AccessDenied) when calling the PutObject operation: denied"
    assert dst._code_in(text) == "AccessDenied"
    assert "list, read, write and delete" in dst._s3_fix(dst._code_in(text))
    assert dst._code_in("something else") == ""


@pytest.mark.mysql
def test_the_scans_after_a_load_share_two_connections_and_match_the_single_one(
        mariadb: Any, mysql_scratch: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """count_and_checksum_loaded (a restore's and a verify's comparison) gives what count_and_checksum gives,
    table by table, with the statements spread over a second connection; when there is none, on one."""
    from wbtui.ops.backup import manifest as mf

    db = build(mariadb, mysql_scratch, runs=40)
    url = MysqlURL.parse(db.url)
    conn = mf.connect(url, 10, database=None)
    opened: list[Any] = []
    try:
        with conn.cursor() as cur:
            alone = mf.count_and_checksum(cur, db.database)
            cur.execute("COMMIT")

        def second() -> Any:
            opened.append(mf.connect(url, 10, database=None))
            return opened[-1]

        ran_on: list[int] = []
        both = threading.Barrier(2, timeout=10)  # each connection's first scan waits for the other's

        def on(scan: Any) -> Any:
            def spied(cur: Any, ident: str) -> Any:
                if id(cur.connection) not in ran_on:
                    both.wait()
                ran_on.append(id(cur.connection))
                return scan(cur, ident)
            return spied

        for name in ("_count", "_checksum"):
            monkeypatch.setattr(mf, name, on(getattr(mf, name)))
        shared = mf.count_and_checksum_loaded(conn, second, db.database)
        assert shared == alone and len(opened) == 1 and not opened[0].open  # the second one is closed after
        assert len(ran_on) == 2 * len(alone) and set(ran_on) == {id(conn), id(opened[0])}

        def refused() -> Any:
            raise ConnectionRefusedError("max_connections reached")

        assert mf.count_and_checksum_loaded(conn, refused, db.database) == alone
    finally:
        conn.close()
    assert sum(t.rows for t in alone) == db.rows and all(t.checksum is not None for t in alone)
