"""The dashboard's Backups pane (7) and the Overview's backup line, driven by their keys at 80x24 against the real
MariaDB: back up now (asked first, retention said and done), verify (the admin URL from WBTUI_MYSQL_ADMIN or a
masked prompt, never shown), the manifest, read-only mode, the embedded database, and the line's wording."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Static

from tests.test_backup_fixtures import MIGRATION_VERSION, build
from tests.ui_support import make_app, noticed, ready, screen_text, wait_text, wait_until
from wbtui.checks.mysql_connect import ADMIN_ENV
from wbtui.config.model import Config
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup.job import embedded_message, run_backup
from wbtui.ops.backup.manifest import Manifest, Table, now
from wbtui.ui.backup_jobs import BackupsListed
from wbtui.ui.backup_text import overview_line
from wbtui.ui.panes.backups import BackupsPane
from wbtui.ui.widgets.backup_line import BackupLine
from wbtui.ui.widgets.confirm import ConfirmScreen, PromptScreen
from wbtui.ui.widgets.text_screen import TextScreen

SIZE = (80, 24)
JOB_SECONDS = 60.0  # a dump of the small W&B-like database, or its verify, on a busy 2-core host


def _config(db: Any, directory: Path) -> Config:
    config = db.config()
    config.backup.directory = str(directory)
    config.app.timeout = 5.0
    return config


def _pane(app: Any) -> BackupsPane:
    return app.query_one(BackupsPane)


async def _open(pilot: Any) -> BackupsPane:
    """Pane 7, listed once (the list runs in a worker when the pane is shown)."""
    app = pilot.app
    await ready(pilot)
    await pilot.press("7")
    await wait_until(pilot, lambda: app.active_pane == "backups" and app.backups is not None, 10, "the first list")
    return _pane(app)


async def _answer_yes(pilot: Any, *needles: str) -> str:
    """The confirmation is up and says ``needles``; y answers it. Returns what it said."""
    app = pilot.app
    await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the confirmation")
    text = await wait_text(pilot, *needles)
    await pilot.press("y")
    await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), 5, "the confirmation to close")
    return text


@pytest.mark.mysql
async def test_back_up_now_prunes_the_old_one_then_verify_with_the_admin_env(
        mariadb: Any, mysql_scratch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build(mariadb, mysql_scratch, runs=5)
    config = _config(db, tmp_path / "backups")
    local = dst.Local(tmp_path / "backups")
    old = run_backup(config, [local], keep=None, timeout=10, moment=now() - timedelta(days=30)).manifest
    monkeypatch.setenv(ADMIN_ENV, mariadb.admin_url)
    app = make_app(tmp_path, config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await _open(pilot)
        assert [e.id for e in pane.entries] == [old.id]
        await pilot.press("b")
        asked = await _answer_yes(pilot, "Back up the W&B database now?", db.database, str(local.dir),
                                  "older than 7d")
        assert db.password not in asked
        await wait_until(pilot, lambda: not pane.job and len(pane.entries) == 1 and pane.entries[0].id != old.id,
                         JOB_SECONDS, "the new backup, the old one pruned")
        new = pane.entries[0]
        assert new.complete and new.verified is None
        await wait_until(pilot, lambda: noticed(app, f"removed (older than backup.keep): local: {old.id}"), 5,
                         "the retention notice")
        text = screen_text(app)
        assert "✔ Backup:" in text and new.created.strftime("%Y-%m-%d %H:%M") in text
        assert app.query_one(BackupLine).said[0].endswith(", local (not verified)")

        await pilot.press("v")
        asked = await _answer_yes(pilot, f"Verify {new.id} (local)?", "wbtui_verify_", "Drop the scratch")
        assert mariadb.root_password not in asked
        await wait_until(pilot, lambda: not pane.job and pane.entries and pane.entries[0].verified is True,
                         JOB_SECONDS, "the verify's result in the list")
        text = await wait_text(pilot, "✔ Verify:", "yes", "Verified")
        assert mariadb.root_password not in text
        assert "(verified)" in app.query_one(BackupLine).said[0]
        await pilot.press("1")
        await wait_text(pilot, "Backup: ", ", local (verified)")
    assert not mariadb.execute("SHOW DATABASES LIKE 'wbtui\\_verify\\_%'")


@pytest.mark.mysql
async def test_verify_asks_for_the_admin_url_masked_and_never_shows_it(
        mariadb: Any, mysql_scratch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    config = _config(db, tmp_path / "backups")
    made = run_backup(config, [dst.Local(tmp_path / "backups")], keep=None, timeout=10).manifest
    monkeypatch.delenv(ADMIN_ENV, raising=False)
    secret = mariadb.root_password
    app = make_app(tmp_path, config)
    seen: list[str] = []
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await _open(pilot)
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen) and app.screen.query(Input), 5,
                         "the admin URL prompt")
        field = app.screen.query_one(Input)
        assert field.password
        await pilot.press(*mariadb.admin_url)
        seen.append(screen_text(app))
        await pilot.press("enter")
        seen.append(await _answer_yes(pilot, f"Verify {made.id}", "as root"))
        await wait_until(pilot, lambda: not pane.job and pane.entries[0].verified is True, JOB_SECONDS,
                         "the verify")
        seen.append(screen_text(app))
        seen += [str(n.message) for n in app._notifications]
        seen += [f"{w.name} {w.description}" for w in app.workers]
    assert all(secret not in text for text in seen)


@pytest.mark.mysql
async def test_a_failed_verify_says_not_to_rely_on_the_backup(mariadb: Any, mysql_scratch: Any, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    config = _config(db, tmp_path / "backups")
    local = dst.Local(tmp_path / "backups")
    made = run_backup(config, [local], keep=None, timeout=10).manifest
    with open(local.path(made.file), "r+b") as fh:  # cut short: the sha256 no longer matches
        fh.truncate(made.size // 2)
    monkeypatch.setenv(ADMIN_ENV, mariadb.admin_url)
    app = make_app(tmp_path, config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await _open(pilot)
        await pilot.press("v")
        await _answer_yes(pilot, "Verify")
        await wait_until(pilot, lambda: not pane.job and pane.entries[0].verified is False, JOB_SECONDS,
                         "the failed verify")
        await wait_text(pilot, "FAILED", "cut short")
        assert noticed(app, "Do not rely on this backup")


@pytest.mark.mysql
async def test_read_only_refuses_verify_and_backs_up_without_pruning(mariadb: Any, mysql_scratch: Any,
                                                                    tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    config = _config(db, tmp_path / "backups")
    old = run_backup(config, [dst.Local(tmp_path / "backups")], keep=None, timeout=10,
                     moment=now() - timedelta(days=30)).manifest
    app = make_app(tmp_path, config, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await _open(pilot)
        await pilot.press("v")
        await wait_until(pilot, lambda: noticed(app, "Read-only mode: verify is disabled"), 5, "the refusal")
        assert not isinstance(app.screen, (ConfirmScreen, PromptScreen))
        await pilot.press("b")
        await _answer_yes(pilot, "Read-only mode: no old backup is removed")
        await wait_until(pilot, lambda: not pane.job and len(pane.entries) == 2, JOB_SECONDS, "the second backup")
        assert old.id in [e.id for e in pane.entries]
        assert noticed(app, "read-only mode: no old backup was removed")


@pytest.mark.mysql
async def test_enter_shows_the_manifest_and_80x24_shows_what_matters(mariadb: Any, mysql_scratch: Any,
                                                                     tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    config = _config(db, tmp_path / "backups")
    local = dst.Local(tmp_path / "backups")
    for days in (2, 1):
        run_backup(config, [local], keep=None, timeout=10, moment=now() - timedelta(days=days))
    made = run_backup(config, [local], keep=None, timeout=10).manifest
    cut = local.dir / "wbtui-x-20200101T000000Z.sql.zst"
    cut.write_bytes(b"cut")  # a dump with no manifest: it ages by its file's time
    stamp = (now() - timedelta(days=3)).timestamp()
    os.utime(cut, (stamp, stamp))
    app = make_app(tmp_path, config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await _open(pilot)
        await wait_until(pilot, lambda: len(pane.entries) == 4, 5, "four backups")
        text = screen_text(app)
        for needle in ("4 backups in", "CREATED (UTC)", "VERIFIED", "SCHEMA", str(MIGRATION_VERSION), "incomplete",
                       "2d ago", "1d ago", made.id, "Never verified", "Back up now", "Verify"):
            assert needle in text, needle
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TextScreen), 5, "the manifest")
        await wait_text(pilot, f"Backup {made.id}", f"schema_migrations version {MIGRATION_VERSION}")
        shown = str(app.screen.query_one("#preview-text", Static).render())
        for needle in ("Tables: 6, ", made.sha256, "CHECKSUM", "schema_migrations", "runs", "InnoDB"):
            assert needle in shown, needle
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, TextScreen), 5, "the manifest to close")
        await pilot.press("down", "down", "down")
        await wait_text(pilot, "Incomplete: there is no manifest")
        await pilot.press("v")
        await wait_until(pilot, lambda: noticed(app, "is incomplete"), 5, "the refusal of an incomplete one")


@pytest.mark.docker
@pytest.mark.mysql
async def test_restore_asks_with_its_steps_then_brings_the_data_back(
        mariadb: Any, mysql_scratch: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, docker_client: Any,
        docker_labels: dict[str, str]) -> None:
    """Not deployed (a container name that does not exist): the database alone is restored, after a safety
    backup. The admin account loads it (WBTUI_MYSQL_ADMIN), as MariaDB's binary log wants for the trigger."""
    from tests.test_backup_restore import damage, state
    from wbtui.runtime.docker.backend import DockerRuntime

    db = build(mariadb, mysql_scratch, runs=5)
    config = _config(db, tmp_path / "backups")
    config.runtime.container_name = f"wbtui-test-absent-{tmp_path.name[-8:]}"
    made = run_backup(config, [dst.Local(tmp_path / "backups")], keep=None, timeout=10).manifest
    before = state(mariadb, db.database)
    damage(mariadb, db)
    assert state(mariadb, db.database) != before
    monkeypatch.setenv(ADMIN_ENV, mariadb.admin_url)
    app = make_app(tmp_path, config, runtime_factory=lambda c: DockerRuntime(c, labels=docker_labels))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await _open(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the restore's confirmation")
        await wait_text(pilot, f"Restore {made.id}", "Restore (y)")
        assert app.screen.query_one("#yes", Button).variant == "error"  # danger styling
        asked = await _answer_yes(pilot, "not deployed", f"replace database {db.database}", "safety backup")
        assert mariadb.root_password not in asked and db.password not in asked
        await wait_until(pilot, lambda: not pane.job, JOB_SECONDS, "the restore")
        await wait_until(pilot, lambda: len(pane.entries) == 2, 10, "the safety backup in the list")
        assert noticed(app, f"restored {made.id}"), [str(n.message) for n in app._notifications]
        assert "✔ Restore:" in screen_text(app)
    assert state(mariadb, db.database) == before


@pytest.mark.mysql
async def test_read_only_refuses_restore(mariadb: Any, mysql_scratch: Any, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    config = _config(db, tmp_path / "backups")
    run_backup(config, [dst.Local(tmp_path / "backups")], keep=None, timeout=10)
    app = make_app(tmp_path, config, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _open(pilot)
        await pilot.press("r")
        await wait_until(pilot, lambda: noticed(app, "Read-only mode: restore is disabled"), 5, "the refusal")
        assert not isinstance(app.screen, ConfirmScreen)


@pytest.mark.docker
async def test_embedded_stores_on_docker_b_archives_vol_with_the_server_stopped_then_v_checks_it(
        tmp_path: Path, docker_runtimes: Any, docker_client: Any, standin_image: str,
        docker_labels: dict[str, str]) -> None:
    from tests.test_backup_volume import _config as volume_config
    from tests.test_backup_volume import _deployed, _sh
    from wbtui.runtime.docker.backend import DockerRuntime

    config = volume_config(standin_image)
    config.backup.directory = str(tmp_path / "backups")
    container = _deployed(docker_runtimes, docker_client, config)
    started = container.attrs["State"]["StartedAt"]
    app = make_app(tmp_path, config, runtime_factory=lambda c: DockerRuntime(c, labels=docker_labels))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await _open(pilot)
        await wait_text(pilot, "MYSQL is empty (the embedded database)", "b archives /vol")
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the confirmation")
        await wait_text(pilot, "Stop and archive (y)")
        assert app.screen.query_one("#yes", Button).variant == "error"
        await _answer_yes(pilot, f"Stop {config.runtime.container_name}", "Archive /vol", "again")
        await wait_until(pilot, lambda: not pane.job and len(pane.entries) == 1, JOB_SECONDS, "the /vol backup")
        entry = pane.entries[0]
        assert entry.manifest is not None and entry.manifest.kind == "volume"
        await wait_text(pilot, "✔ Backup:", "/vol of the container")
        container.reload()
        assert container.attrs["State"]["Running"] and container.attrs["State"]["StartedAt"] != started
        await pilot.press("v")  # a /vol archive is checked as a file: no admin URL is asked for
        await _answer_yes(pilot, "read its tar to the end")
        await wait_until(pilot, lambda: not pane.job and pane.entries[0].verified is True, JOB_SECONDS, "the verify")
        assert app.query_one(BackupLine).said[0].endswith("local (verified)")
        before = _sh(container, "cat /vol/data.txt")
        _sh(container, "echo changed > /vol/data.txt")
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the restore's confirmation")
        await _answer_yes(pilot, "replace everything in /vol", "safety backup")
        await wait_until(pilot, lambda: not pane.job and len(pane.entries) == 2, JOB_SECONDS,
                         "the restore (and its safety backup)")
        assert noticed(app, f"restored {entry.id}"), [str(n.message) for n in app._notifications]
        container.reload()
        assert container.attrs["State"]["Running"] and _sh(container, "cat /vol/data.txt") == before


async def test_embedded_stores_on_kubernetes_are_said_not_covered_with_what_to_do(tmp_path: Path) -> None:
    config = Config()
    config.runtime.backend = "kubernetes"
    config.backup.directory = str(tmp_path / "backups")
    app = make_app(tmp_path, config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        pane = await _open(pilot)
        await wait_text(pilot, "Not covered: MYSQL is empty", "What to do is below")
        details = pane.query_one("#bk-details-text", Static)
        assert embedded_message(config) in str(details.render())
        assert details.region.height == len(details.render_lines(details.region.reset_offset))  # all of it shows
        await pilot.press("b")
        await wait_until(pilot, lambda: noticed(app, "MYSQL is empty"), 5, "the notice")
        assert not isinstance(app.screen, ConfirmScreen)
        assert app.query_one(BackupLine).said[0].startswith("Backup: none of the embedded database")


async def test_keys_without_a_backup_say_so_and_palette_commands_run(tmp_path: Path) -> None:
    config = Config()
    config.server.MYSQL = "mysql://wandb:pw@127.0.0.1:1/wandb"
    config.backup.directory = str(tmp_path / "none")
    app = make_app(tmp_path, config)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _open(pilot)
        await wait_text(pilot, "No backups in", "b backs up")
        for key in ("v", "r", "enter"):
            app.clear_notifications()
            await pilot.press(key)
            await wait_until(pilot, lambda: noticed(app, "No backup selected"), 5, f"{key}'s notice")
        app.clear_notifications()
        await pilot.press("g")
        await wait_until(pilot, lambda: noticed(app, "Listing the backups again"), 5, "g's notice")
        await pilot.press("1")
        await pilot.press("ctrl+p")
        await pilot.press(*"Backups: Back up now")
        await wait_text(pilot, "Backups: Back up now")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the confirmation")
        assert app.active_pane == "backups"
        await pilot.press("n")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen), 5, "no")
        assert not _pane(app).job


# ---- the Overview's line --------------------------------------------------------------------------------------
def _entry(where: str, created: datetime, verified: bool | None = None, complete: bool = True,
           backup: str = "wbtui-wandb-20261202T010000Z") -> dst.Entry:
    manifest = Manifest(backup, created.isoformat(), "wandb", "db:3306", "10.11.6-MariaDB", f"{backup}.sql.zst",
                        "zstd", 13_002_342, "0" * 64, [Table("runs", 5, 1)], None, "wandb/local", "0.59.2",
                        {"name": "mariadb-dump"}, 1.0, "0") if complete else None
    verify = None if verified is None else {"ok": verified, "when": created.isoformat()}
    return dst.Entry(backup, where, "/b" if where == "local" else "s3://w/p/", manifest, f"{backup}.sql.zst",
                     13_002_342, created, verify)


def test_the_overview_line_says_age_size_where_and_verified() -> None:
    moment = now()
    three = moment - timedelta(hours=3, minutes=5)
    assert overview_line([_entry("local", three, True)], [], False, moment) == \
        ("Backup: 3h ago, 12.4 MiB, local (verified)", "")
    both = [_entry("bucket", three), _entry("local", three)]
    assert overview_line(both, [], False, moment).text == "Backup: 3h ago, 12.4 MiB, bucket + local (not verified)"
    failed = overview_line([_entry("local", three, False)], [], False, moment)
    assert "(verify FAILED)" in failed.text and failed.tone == "bad"
    old = overview_line([_entry("local", moment - timedelta(hours=30))], [], False, moment)
    assert old.tone == "warn" and "older than 26 h: 7 then b" in old.text
    newer_but_cut = [_entry("local", moment, complete=False, backup="wbtui-wandb-20261202T020000Z"),
                     _entry("local", three, True)]
    assert overview_line(newer_but_cut, [], False, moment).text.startswith("Backup: 3h ago")
    assert overview_line([], [], False, moment) == ("Backup: none - press 7 then b", "warn")
    assert overview_line([], ["cannot list"], False, moment).text == "Backup: cannot list the backups - 7 says why"
    assert overview_line([], [], True, moment) == \
        ("Backup: none of the embedded database (MYSQL is empty) - 7 says what to do", "warn")
    assert overview_line([_entry("local", three, True)], [], True, moment).text.startswith("Backup: 3h ago")


async def test_the_overview_line_repaints_only_when_its_text_changes(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        line = app.query_one(BackupLine)
        repaints: list[int] = []
        original = line.refresh

        def counted(*args: Any, **kwargs: Any) -> Any:
            repaints.append(1)
            return original(*args, **kwargs)

        line.refresh = counted  # type: ignore[method-assign]
        listing = BackupsListed([_entry("local", now() - timedelta(hours=3), True)], [], ["/b"], "", now())
        for _ in range(3):  # the same list again and again, and the status cadence in between
            app.on_backups_listed(listing)
            line.show_backups()
            await pilot.pause()
        assert len(repaints) == 1
        await wait_text(pilot, "Backup: 3h ago, 12.4 MiB, local (verified)")
        app.on_backups_listed(BackupsListed([], [], ["/b"], "", now()))
        await pilot.pause()
        assert len(repaints) == 2
        await wait_text(pilot, "Backup: none - press 7 then b")
