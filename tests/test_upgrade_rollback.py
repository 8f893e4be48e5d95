"""Upgrades that can be undone: `wbtui upgrade TAG` backs up, records and watches; `wbtui rollback` restores the
previous tag and the pre-upgrade backup. On the real MariaDB and Docker, with the stand-in's failing tag
(wbtui-test/local:dirty: wandb/local's dirty-migration start-up from wandb/server#16)."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import free_port
from tests.services.docker_engine import STANDIN_DIRTY_TAG, STANDIN_TAG
from tests.services.docker_fixtures import standin_config
from tests.test_backup_fixtures import build
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.ops import upgrade_record
from wbtui.ops.upgrade_record import Outcome, UpgradeRecord
from wbtui.runtime.docker.backend import DockerRuntime

GOOD, DIRTY = STANDIN_TAG.rpartition(":")[2], STANDIN_DIRTY_TAG.rpartition(":")[2]
SECRET = "Upgrade-" + os.urandom(6).hex()


def make_config(mysql: str = f"mysql://wandb:{SECRET}@db.internal:3306/wandb") -> Config:
    config = standin_config(STANDIN_TAG, prefix="ug", secret=SECRET, ready_delay="0.3", heartbeat="0")
    config.server.HOST = f"http://127.0.0.1:{free_port()}"  # not served: probes use the published port
    config.server.MYSQL = mysql
    config.runtime.cpu_request, config.runtime.memory_request = "0.5", "128Mi"
    return config


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Private XDG state and data directories: the upgrade record and the backups of this test only."""
    env = {"XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def deployed(tmp_path: Path, docker_client: Any, standin_image: str) -> Iterator[Callable[[Config], Path]]:
    """Factory: save the config and deploy it (the good tag); whatever the CLI deployed is removed afterwards."""
    made: list[Path] = []

    def make(config: Config) -> Path:
        path = tmp_path / f"config-{len(made)}.toml"
        store.save(config, path)
        made.append(path)
        runtime = DockerRuntime(config)
        try:
            runtime.deploy()
        finally:
            runtime.close()
        return path

    yield make
    for path in made:
        runtime = DockerRuntime(store.load(path))
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()


def cli(path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`wbtui --config PATH ARGS` in a child process, without a terminal (as a script runs it)."""
    return subprocess.run([sys.executable, "-m", "wbtui", "--config", str(path), *args], capture_output=True,
                          text=True, timeout=240, stdin=subprocess.DEVNULL,
                          env={**os.environ, "COLUMNS": "200", **env})


def checksums(mariadb: Any, database: str) -> dict[str, int]:
    """CHECKSUM TABLE of every base table of ``database``."""
    tables = [row[0] for row in mariadb.execute(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=%s AND TABLE_TYPE='BASE TABLE'",
        (database,))]
    return {t: mariadb.execute(f"CHECKSUM TABLE `{database}`.`{t}`")[0][1] for t in sorted(tables)}


def the_record(state: dict[str, str]) -> dict[str, Any]:
    path = Path(state["XDG_STATE_HOME"]) / "wbtui" / "upgrades.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entries = json.loads(path.read_text())["upgrades"]
    assert len(entries) == 1
    return dict(entries[0])


def image_of(docker_client: Any, config: Config) -> str:
    return str(docker_client.containers.get(config.runtime.container_name).attrs["Config"]["Image"])


# -- against the real MariaDB and Docker --------------------------------------------------------------------------

@pytest.mark.docker
@pytest.mark.mysql
@pytest.mark.timeout(300)
def test_a_failed_upgrade_is_rolled_back_to_the_previous_tag_and_data(
        mariadb: Any, mysql_scratch: Any, deployed: Callable[[Config], Path], state: dict[str, str],
        docker_client: Any) -> None:
    db = build(mariadb, mysql_scratch)
    config = make_config(db.url)
    path = deployed(config)
    before = checksums(mariadb, db.database)
    migrations = mariadb.execute(f"SELECT version, dirty FROM `{db.database}`.schema_migrations ORDER BY version")

    up = cli(path, state, "upgrade", DIRTY, "--yes", "--timeout", "60")
    out = up.stdout
    assert up.returncode == 1, up.stderr + out
    assert "Dirty database version 1" in out  # the log line the watch saw
    assert "its database migration was interrupted" in out
    assert f"run: wbtui --config {path} rollback" in out
    record = the_record(state)
    assert (record["from_tag"], record["to_tag"], record["outcome"]) == (GOOD, DIRTY, Outcome.INTERRUPTED_MIGRATION)
    assert record["backup_skipped"] is False and record["backup_id"].startswith(f"wbtui-{db.database}-")
    backups = Path(state["XDG_DATA_HOME"]) / "wbtui" / "backups"
    assert record["backup_dir"] == str(backups) and (backups / f"{record['backup_id']}.manifest.json").is_file()
    assert store.load(path).runtime.tag == DIRTY and image_of(docker_client, config) == STANDIN_DIRTY_TAG
    assert db.password not in out + up.stderr + json.dumps(record)

    # The stand-in cannot touch MySQL: the test plays the half-applied migration's damage on the real database,
    # as golang-migrate leaves it when a migration stops half-way (version 43 marked dirty, a table altered,
    # another dropped, rows changed).
    mariadb.execute(f"INSERT INTO `{db.database}`.schema_migrations (version, dirty) VALUES (43, 1)")
    mariadb.execute(f"ALTER TABLE `{db.database}`.runs ADD COLUMN half_applied INT")
    mariadb.execute(f"DROP TABLE `{db.database}`.audit")
    mariadb.execute(f"UPDATE `{db.database}`.users SET name = 'migrated'")
    assert checksums(mariadb, db.database) != before

    back = cli(path, {**state, "WBTUI_MYSQL_ADMIN": mariadb.admin_url}, "rollback", "--yes", "--timeout", "60")
    assert back.returncode == 0, back.stderr + back.stdout
    assert f"rolled back to {STANDIN_TAG}" in back.stdout and "ready after" in back.stdout
    assert image_of(docker_client, config) == STANDIN_TAG
    assert docker_client.containers.get(config.runtime.container_name).status == "running"
    assert store.load(path).runtime.tag == GOOD
    assert checksums(mariadb, db.database) == before
    assert mariadb.execute(f"SELECT version, dirty FROM `{db.database}`.schema_migrations ORDER BY version") \
        == migrations
    record = the_record(state)
    assert record["outcome"] == Outcome.ROLLED_BACK and record["rolled_back"]
    assert mariadb.root_password not in back.stdout + back.stderr

    again = cli(path, state, "rollback", "--yes")
    assert again.returncode == 1 and "was rolled back already" in again.stderr


@pytest.mark.docker
@pytest.mark.timeout(300)
def test_an_upgrade_without_a_backup_is_recorded_and_rolls_back_the_tag_only(
        deployed: Callable[[Config], Path], state: dict[str, str], docker_client: Any) -> None:
    """MYSQL names a server that does not exist: a backup or a restore attempted would fail the commands."""
    config = make_config()
    path = deployed(config)
    up = cli(path, state, "upgrade", DIRTY, "--yes", "--no-backup", "--timeout", "60")
    assert up.returncode == 1, up.stderr + up.stdout
    assert "no backup before the upgrade (--no-backup)" in up.stdout
    assert "the data cannot be restored (no backup: --no-backup)" in up.stdout
    record = the_record(state)
    assert (record["backup_skipped"], record["skip_reason"], record["backup_id"]) == (True, "--no-backup", None)
    assert record["outcome"] == Outcome.INTERRUPTED_MIGRATION

    asked = cli(path, state, "rollback")  # no terminal to ask on: the steps, then a refusal
    assert asked.returncode == 2 and "pass --yes to confirm" in asked.stderr
    assert "the data CANNOT be rolled back" in asked.stdout and "restore the pre-upgrade backup" not in asked.stdout
    assert "Deploy wbtui-test/local:dev again, without restoring the data?" in asked.stderr

    back = cli(path, state, "rollback", "--yes", "--no-watch")
    assert back.returncode == 0, back.stderr + back.stdout
    assert f"rolled back to {STANDIN_TAG} (the tag only: the data was not restored)" in back.stdout
    assert image_of(docker_client, config) == STANDIN_TAG and store.load(path).runtime.tag == GOOD
    record = the_record(state)
    assert record["outcome"] == Outcome.ROLLED_BACK and record["rollback_detail"].startswith("tag only")


# -- no daemon, no database ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["upgrade", "9.9.9", "--yes"], ["upgrade", "9.9.9", "--yes", "--no-backup"],
                                  ["rollback", "--yes"]])
def test_read_only_refuses_upgrade_and_rollback(argv: list[str], tmp_path: Path, state: dict[str, str],
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")  # it must not even try
    path = tmp_path / "config.toml"
    store.save(make_config(), path)
    upgrade_record.save(UpgradeRecord(upgrade_record.now(), upgrade_record.config_key(path), "wandb/local", "1", "2",
                                      backup_skipped=True, skip_reason="--no-backup"))
    assert main(["--read-only", "--config", str(path), *argv]) == 2
    assert "read-only mode: refusing to" in capsys.readouterr().err
    assert store.load(path).runtime.tag == GOOD and upgrade_record.last(path).outcome == Outcome.DEPLOYING  # type: ignore[union-attr]


def test_rollback_with_no_record_says_so_and_how_to_change_the_tag(tmp_path: Path, state: dict[str, str],
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    store.save(make_config(), path)
    other = tmp_path / "other.toml"  # an upgrade of another config is not this one's
    upgrade_record.save(UpgradeRecord(upgrade_record.now(), upgrade_record.config_key(other), "wandb/local", "1", "2"))
    assert main(["--config", str(path), "rollback", "--yes"]) == 1
    err = capsys.readouterr().err
    assert "nothing to roll back" in err and "records no upgrade made with the config" in err
    assert "wbtui config set runtime.tag TAG, then wbtui up" in err


def test_embedded_mysql_upgrade_asks_to_go_on_without_a_backup(tmp_path: Path, state: dict[str, str],
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    path = tmp_path / "config.toml"
    store.save(make_config(""), path)
    assert main(["--config", str(path), "upgrade", "9.9.9", "--yes"]) == 2
    printed = capsys.readouterr()
    assert "not covered: MYSQL is empty" in printed.out
    assert "wbtui upgrade TAG --yes --no-backup" in printed.err
    assert main(["--config", str(path), "upgrade", "9.9.9"]) == 2  # it asks; no terminal to ask on
    assert "Go on with the upgrade WITHOUT a database backup?" in capsys.readouterr().err
    assert upgrade_record.last(path) is None  # nothing recorded, nothing changed


@pytest.mark.parametrize("no_backup", [False, True])
def test_the_upgrade_lists_the_steps_the_dashboard_shows(no_backup: bool, tmp_path: Path, state: dict[str, str],
                                                         capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from wbtui.health.watch import STARTUP_WINDOW
    from wbtui.ops.upgrade import NO_BACKUP, upgrade_steps

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    path = tmp_path / "config.toml"
    config = make_config()
    store.save(config, path)
    assert main(["--config", str(path), "upgrade", "9.9.9", *(["--no-backup"] if no_backup else [])]) == 2
    out = capsys.readouterr().out
    steps = upgrade_steps(config, "9.9.9", skip_reason=NO_BACKUP if no_backup else None,
                          watch_timeout=STARTUP_WINDOW)
    assert all(f"  - {step}" in out for step in steps)
    assert steps[0].startswith("NO database backup (--no-backup)" if no_backup else "back up the database wandb on "
                               "db.internal:3306 to ")
    assert any("wbtui-test/local:9.9.9" in step for step in steps) and "offer wbtui rollback" in steps[-1]


def test_the_interrupted_migration_is_the_diagnosis_of_the_watched_log() -> None:
    """One path: the diagnosis engine over the lines the watch saw; the stand-in's crash lines (wandb/server#16)."""
    from wbtui.diagnosis.engine import diagnose, facts_from
    from wbtui.health.watch import Reason, WatchResult
    from wbtui.ops.upgrade import judge

    crash = Path(__file__).parent.joinpath("standin", "entrypoint.sh").read_text()
    assert 'FATAL_LINE=${STANDIN_FATAL_LINE:-"panic: Dirty database version 1. Fix and force version."}' in crash
    lines = ["*** Starting wandb servers...", "*** Migrating database...",
             "panic: Dirty database version 1. Fix and force version."]

    def result(lines: list[str], ready: bool = False) -> WatchResult:
        return WatchResult(ready, 3.0, Reason.READY if ready else Reason.CRASH_LOOP, "", "", lines,
                           [] if ready else diagnose(facts_from(lines=lines)))

    assert judge(result(lines)) == Outcome.INTERRUPTED_MIGRATION
    assert judge(result(lines[:2])) == Outcome.NOT_READY
    assert judge(result(lines[:2], ready=True)) == Outcome.READY


def test_the_record_is_private_atomic_and_never_follows_a_symlink(tmp_path: Path, state: dict[str, str]) -> None:
    path = upgrade_record.default_path()
    assert path == Path(state["XDG_STATE_HOME"]) / "wbtui" / "upgrades.json"
    path.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere.json"
    target.write_text("keep")
    path.symlink_to(target)
    config = tmp_path / "config.toml"
    first = UpgradeRecord("2026-12-02T07:00:00+00:00", upgrade_record.config_key(config), "wandb/local", "1", "2")
    with pytest.raises(upgrade_record.RecordError, match="is a symlink, which wbtui never follows"):
        upgrade_record.save(first)
    assert target.read_text() == "keep"
    path.unlink()
    upgrade_record.save(first)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    first.outcome = Outcome.READY
    upgrade_record.save(first)  # the same upgrade: replaced, not added
    second = UpgradeRecord("2026-12-02T08:00:00+00:00", first.config, "wandb/local", "2", "3")
    upgrade_record.save(second)
    assert [(r.to_tag, r.outcome) for r in upgrade_record.records(config)] == [("2", "ready"), ("3", "deploying")]
    assert upgrade_record.last(config) == second
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    path.write_text("{not json")
    with pytest.raises(upgrade_record.RecordError, match=r"is damaged .* move it away"):
        upgrade_record.last(config)


# -- the dashboard: the same operation, keys pressed ---------------------------------------------------------------

def small_wandb_schema(mariadb: Any, scratch: Any) -> None:
    """Tables and rows, no trigger: the W&B account itself may restore it on the binlog server (no admin URL)."""
    mariadb.create_database(scratch.database)
    mariadb.create_user(scratch.user, scratch.password)
    mariadb.grant("ALL PRIVILEGES", f"`{scratch.database}`.*", scratch.user)
    db = f"`{scratch.database}`"
    mariadb.execute(f"CREATE TABLE {db}.runs (id INT PRIMARY KEY, name VARCHAR(64) CHARACTER SET utf8mb4) "
                    "ENGINE=InnoDB")
    mariadb.execute(f"INSERT INTO {db}.runs VALUES (1, 'run 🚀'), (2, 'run ✓')")
    mariadb.execute(f"CREATE TABLE {db}.schema_migrations (version BIGINT PRIMARY KEY, dirty TINYINT(1) NOT NULL) "
                    "ENGINE=InnoDB")
    mariadb.execute(f"INSERT INTO {db}.schema_migrations VALUES (42, 0)")


@pytest.mark.docker
@pytest.mark.mysql
@pytest.mark.timeout(300)
async def test_the_dashboard_upgrade_backs_up_and_its_failure_offers_the_rollback_key(
        tmp_path: Path, mariadb: Any, mysql_scratch: Any, state: dict[str, str], standin_image: str,
        docker_runtimes: Callable[..., Any], docker_client: Any) -> None:
    import asyncio

    from tests.ui_support import make_app, ready, wait_text, wait_until
    from wbtui.ui.widgets.confirm import ConfirmScreen, PromptScreen

    small_wandb_schema(mariadb, mysql_scratch)
    config = make_config(mysql_scratch.url)
    config.app.timeout = 5.0
    await asyncio.to_thread(docker_runtimes(config).deploy)
    before = checksums(mariadb, mysql_scratch.database)
    app = make_app(tmp_path, config, background=True, runtime_factory=docker_runtimes)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await wait_text(pilot, "running", timeout=30)
        await pilot.press("u")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), 5, "the tag prompt")
        app.screen.query_one("#prompt-value").value = DIRTY
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the upgrade confirmation")
        await wait_text(pilot, "back up the database", "record the previous tag")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.runtime_action is not None and app.runtime_action.done, 120,
                         "the upgrade to end")
        problem = app.runtime_action.problem  # type: ignore[union-attr]
        assert problem is not None and "its database migration was interrupted" in problem.message
        assert "press b in the Runtime pane to roll back" in problem.fix
        await wait_text(pilot, "Upgrade failed")
        record = the_record(state)
        assert record["outcome"] == Outcome.INTERRUPTED_MIGRATION and record["backup_id"]
        await wait_until(pilot, lambda: app.session.saved.runtime.tag == DIRTY, 20, "the reloaded config")

        # the half-applied migration's damage, played on the real database (the stand-in cannot touch MySQL)
        mariadb.execute(f"UPDATE `{mysql_scratch.database}`.schema_migrations SET version = 43, dirty = 1")
        mariadb.execute(f"ALTER TABLE `{mysql_scratch.database}`.runs ADD COLUMN half_applied INT")
        assert checksums(mariadb, mysql_scratch.database) != before

        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 10, "the rollback confirmation")
        steps = " ".join(str(step.render()) for step in app.screen.query(".dialog-step"))  # under the toasts
        assert "restore the pre-upgrade backup" in steps and "stop the server" in steps
        await pilot.press("y")
        await wait_until(pilot, lambda: app.runtime_action is not None and app.runtime_action.action == "rollback"
                         and app.runtime_action.done, 120, "the rollback to end")
        assert app.runtime_action.problem is None, app.runtime_action.problem  # type: ignore[union-attr]
        await wait_text(pilot, "✔ Roll back")
        await wait_until(pilot, lambda: app.session.saved.runtime.tag == GOOD, 20, "the reloaded config")
    assert image_of(docker_client, config) == STANDIN_TAG
    assert checksums(mariadb, mysql_scratch.database) == before
    assert the_record(state)["outcome"] == Outcome.ROLLED_BACK


# -- Kubernetes: the stop scales to 0, so the rollback scales back -----------------------------------------------

@pytest.mark.mysql
@pytest.mark.timeout(120)
def test_a_kubernetes_rollback_restores_the_data_and_scales_the_deployment_back(
        tmp_path: Path, mariadb: Any, mysql_scratch: Any, state: dict[str, str]) -> None:
    """kmock stands for the API server (as in test_k8s_backend); the database is the real MariaDB."""
    from tests.test_k8s_backend import Emulator, write_kubeconfig
    from tests.test_k8s_backend import make_config as kubernetes_config
    from wbtui.ops.backup.destinations import Local, default_dir
    from wbtui.ops.backup.job import run_backup
    from wbtui.ops.upgrade import rollback_plan, run_rollback
    from wbtui.runtime.kubernetes.backend import KubernetesRuntime

    small_wandb_schema(mariadb, mysql_scratch)
    config = kubernetes_config(replicas=2)
    config.server.MYSQL = mysql_scratch.url
    path = tmp_path / "config.toml"
    store.save(config, path)
    before = checksums(mariadb, mysql_scratch.database)
    emu = Emulator()
    try:
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"emu": (emu.url, "wandb")}, "emu")
        runtime = KubernetesRuntime(config, kubeconfig=str(kubeconfig))
        try:
            runtime.deploy()
            backup = run_backup(config, [Local(default_dir())], keep=None, timeout=10).id
            upgrade_record.save(UpgradeRecord(upgrade_record.now(), upgrade_record.config_key(path), "wandb/local",
                                              "0.59.2", "0.61.1", backup_id=backup, backup_dir=str(default_dir()),
                                              outcome=Outcome.INTERRUPTED_MIGRATION))
            runtime.upgrade("0.61.1")
            mariadb.execute(f"UPDATE `{mysql_scratch.database}`.schema_migrations SET version = 43, dirty = 1")
            plan = rollback_plan(config, path, watch_timeout=None)
            assert any("scaled back to 2 replica(s)" in step for step in plan.steps)
            said: list[str] = []
            run_rollback(config, path, runtime, plan, watch=None, timeout=10, say=said.append)
            deployment = emu.get("apps/v1/deployments", "wandb")
            assert deployment is not None and deployment["spec"]["replicas"] == 2
            assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "wandb/local:0.59.2"
            assert "deployment.apps/wandb scaled to 0 (was 2)" in said
            assert "deployment.apps/wandb scaled to 2 (was 0)" in said
        finally:
            runtime.close()
    finally:
        emu.close()
    assert checksums(mariadb, mysql_scratch.database) == before
    assert store.load(path).runtime.tag == "0.59.2"


@pytest.mark.docker
@pytest.mark.mysql
@pytest.mark.timeout(120)
def test_a_rollback_after_a_failed_deploy_restores_and_deploys_with_nothing_to_stop(
        tmp_path: Path, mariadb: Any, mysql_scratch: Any, state: dict[str, str], standin_image: str,
        docker_runtimes: Callable[..., Any], docker_client: Any) -> None:
    """The deploy of the new tag failed and left no container: the rollback has nothing to stop, and goes on."""
    from wbtui.ops.backup.destinations import Local, default_dir
    from wbtui.ops.backup.job import run_backup
    from wbtui.ops.upgrade import rollback_plan, run_rollback

    small_wandb_schema(mariadb, mysql_scratch)
    config = make_config(mysql_scratch.url)
    path = tmp_path / "config.toml"
    config.runtime.tag = "gone"  # as the failed upgrade saved nothing but the record
    store.save(config, path)
    before = checksums(mariadb, mysql_scratch.database)
    backup = run_backup(config, [Local(default_dir())], keep=None, timeout=10).id
    upgrade_record.save(UpgradeRecord(upgrade_record.now(), upgrade_record.config_key(path), "wbtui-test/local", GOOD,
                                      "gone", backup_id=backup, backup_dir=str(default_dir()),
                                      outcome=Outcome.DEPLOY_FAILED))
    mariadb.execute(f"DELETE FROM `{mysql_scratch.database}`.runs")
    said: list[str] = []
    plan = rollback_plan(config, path, watch_timeout=None)
    result = run_rollback(config, path, docker_runtimes(config), plan, watch=None, timeout=10, say=said.append)
    assert "the server is not deployed: nothing to stop" in said
    assert result.image == STANDIN_TAG and image_of(docker_client, config) == STANDIN_TAG
    assert checksums(mariadb, mysql_scratch.database) == before
    assert store.load(path).runtime.tag == GOOD
