"""The setup screen driven by Pilot against the real services: MariaDB, radosgw, Docker with the stand-in."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Input, Log, Static

from tests.services.base import free_port
from tests.test_setup_support import cors_origins, saved_state
from tests.test_setup_support import target as target  # a fixture
from tests.ui_support import read_pty_until, screen_text, wait_until
from wbtui.checks.model import Status
from wbtui.config import store
from wbtui.config.model import Config, set_value
from wbtui.setup.flow import SetupFlow, StepReport
from wbtui.setup.state import STEP_IDS, SetupState, state_path
from wbtui.ui.setup.app import SetupApp
from wbtui.ui.setup.screen import SetupScreen
from wbtui.ui.widgets.confirm import ConfirmScreen

SIZE = (80, 24)


async def settle(pilot: Any, timeout: float = 30.0) -> None:
    """Let the app run until the setup is settled or asks a question.

    Settled: no job runs and no dialog answer waits to be handled (Textual hands the answer
    over a message later, and handling it may start a job, which may start further jobs).
    """
    app = pilot.app
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.setup_screen
        asking = isinstance(app.screen, ConfirmScreen)
        if (screen.settled or asking) and not any(w.is_running for w in app.workers):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"still busy after {timeout}s; screen:\n{screen_text(app)}")


async def click_when_enabled(pilot: Any, selector: str, until: Callable[[], object], what: str) -> None:
    """Click a button once it can act, then wait for what the click starts.

    A button is disabled, saying why, while a job runs. A click reaches the step's
    handler only after its Pressed message has bubbled up, so the test waits for the
    click's own effect rather than for "nothing is running", which is also true before.
    """
    screen = pilot.app.setup_screen
    button = screen.query_one(selector, Button)
    await wait_until(pilot, lambda: screen.settled or not str(button.tooltip).startswith("Wait:"), 30,
                     f"{selector} enabled and the panel still, or disabled without a reason")
    assert not button.disabled, f"{selector} disabled without saying why"
    assert await pilot.click(selector), f"the click on {selector} landed elsewhere"
    await wait_until(pilot, until, 30, what)


def dialog_up(app: Any) -> Callable[[], bool]:
    return lambda: isinstance(app.screen, ConfirmScreen)


def dialog_text(app: Any) -> str:
    """Every line of the confirmation dialog on top."""
    assert isinstance(app.screen, ConfirmScreen), f"no confirmation dialog; screen:\n{screen_text(app)}"
    return "\n".join(str(w.render()) for w in app.screen.query(".dialog-step, .dialog-title"))


def fill(screen: SetupScreen, **fields: str | bool) -> None:
    for field_id, value in fields.items():
        screen.query_one(f"#{field_id.replace('_', '-')}").value = value  # type: ignore[attr-defined]


def status(screen: SetupScreen) -> str:
    return str(screen.query_one("#setup-status", Static).render())


def result_statuses(screen: SetupScreen, step: str) -> dict[str, Status]:
    return {r.id: r.status for r in screen.flow.reports[step].results}


def no_secrets(app: Any, *secrets: str) -> None:
    shown = screen_text(app) + app.export_screenshot()
    for secret in secrets:
        assert secret not in shown


def seed_runtime(path: Path, target: Any) -> None:
    """The stand-in's container name, volume and start-up delay (the rest comes through the screens)."""
    config = Config()
    for key in ("runtime.container_name", "runtime.volume", "env.STANDIN_READY_DELAY", "env.STANDIN_HEARTBEAT"):
        set_value(config, key, target.settings()[key])
    store.save(config, path)


def mysql_fields(mariadb: Any, scratch: Any, password: str | None = None) -> dict[str, str]:
    return {"mysql_host": "127.0.0.1", "mysql_port": str(mariadb.port), "mysql_database": scratch.database,
            "mysql_user": scratch.user, "mysql_password": scratch.password if password is None else password}


def s3_fields(radosgw: Any, bucket: str, host: str) -> dict[str, str | bool]:
    return {"s3_endpoint": radosgw.endpoint.removeprefix("http://"), "s3_tls": False,
            "s3_access_key": radosgw.access_key, "s3_secret_key": radosgw.secret_key, "s3_bucket": bucket,
            "s3_region": radosgw.region, "s3_host": host}


@pytest.mark.mysql
@pytest.mark.s3
@pytest.mark.docker
async def test_full_run_from_empty_config_to_verified_server(tmp_path, mariadb, mysql_scratch, radosgw, target,
                                                            docker_client):
    path = tmp_path / "config.toml"
    seed_runtime(path, target)
    app = SetupApp(path, runtime_factory=target.runtime, deploy_timeout=60, watch_interval=0.5)
    secrets = (mysql_scratch.password, mariadb.root_password, radosgw.secret_key)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.setup_screen
        # 1. Where: Next detects Docker and goes on (warnings only).
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.shown == "mysql", status(screen)

        # 2. MySQL: the SQL is shown before it runs; MariaDB is said plainly to be unsupported.
        fill(screen, **mysql_fields(mariadb, mysql_scratch), mysql_admin_user="root",
             mysql_admin_password=mariadb.root_password)
        await click_when_enabled(pilot, "#mysql-create", dialog_up(app), "the SQL dialog")
        await settle(pilot)
        text = dialog_text(app)
        assert "CREATE USER" in text and f"CREATE DATABASE `{mysql_scratch.database}`" in text and "GRANT ALL" in text
        assert "IDENTIFIED BY '****'" in text
        no_secrets(app, *secrets)
        await pilot.press("y")
        await settle(pilot)
        assert mariadb.execute("SHOW DATABASES LIKE %s", (mysql_scratch.database,))
        assert result_statuses(screen, "mysql")["mysql.server"] is Status.FAIL
        verdict = screen.query_one("#mysql-verdict", Static)
        assert verdict.display and "Not a supported MySQL: W&B needs MySQL 5.7 or 8" in str(verdict.render())
        assert str(screen.query_one("#btn-check", Button).label) == "^r Retry"
        # Next refuses; continuing anyway needs its own confirmation listing the failure.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.shown == "mysql" and "MySQL has failures: Server version" in status(screen)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert "Server version: MariaDB" in dialog_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert screen.shown == "s3"
        assert "mysql" in saved_state(path).continued_anyway

        # 3. Object store: create the bucket and apply CORS, each after a dialog naming what changes.
        fill(screen, **s3_fields(radosgw, target.bucket, target.host))
        await click_when_enabled(pilot, "#s3-create", dialog_up(app), "the create-bucket dialog")
        await settle(pilot)
        assert dialog_text(app).count(f"create bucket {target.bucket!r}") == 1  # it was printed twice
        await pilot.press("y")
        await settle(pilot)
        await click_when_enabled(pilot, "#s3-cors", dialog_up(app), "the CORS dialog")
        await settle(pilot)
        text = dialog_text(app)
        assert target.host in text and '"AllowedMethods"' in text
        await pilot.press("y")
        await settle(pilot)
        assert not screen.flow.reports["s3"].failures, status(screen)
        assert target.host in cors_origins(radosgw, target.bucket)
        no_secrets(app, *secrets)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.shown == "server"

        # 4. Server: HOST came from the object-store step; image, tag and where the port is published.
        assert screen.query_one("#server-host", Input).value == target.host
        fill(screen, server_image="wbtui-test/local", server_tag="dev", server_bind="127.0.0.1",
             server_port=str(target.port))
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.shown == "review", status(screen)

        # 5. Review lists what is still open, including the step continued anyway.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert any(r.id == "review.mysql" for r in screen.flow.reports["review"].results)
        assert screen.shown == "deploy"

        # 6. Deploy: Next does not deploy by itself; the dialog shows the docker run; the watch follows the logs.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.shown == "deploy" and "Deploy first (ctrl+r)" in status(screen)
        await pilot.press("ctrl+r")
        await pilot.pause()
        text = dialog_text(app)
        assert "docker run -d" in text and f"--name {target.name}" in text and "wbtui-test/local:dev" in text
        no_secrets(app, *secrets)
        await pilot.press("y")
        await settle(pilot, timeout=90)
        assert result_statuses(screen, "deploy") == {"deploy.ready": Status.PASS}, screen.flow.reports["deploy"]
        log_text = "\n".join(screen.query_one("#deploy-log", Log).lines)
        assert "Running migrations" in log_text or "migrations complete" in log_text
        container = docker_client.containers.get(target.name)
        assert container.status == "running" and target.labels.items() <= container.labels.items()
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.shown == "verify"

        # 7. Verify through HOST, then 8. next steps.
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert not screen.flow.reports["verify"].failures, status(screen)
        assert result_statuses(screen, "verify")["verify.ready"] is Status.PASS
        assert screen.shown == "next"
        assert "Backups: back up MySQL daily" in screen_text(app)
        no_secrets(app, *secrets)
        await pilot.press("ctrl+n")
        await settle(pilot)
    assert app.return_code == 0
    state = saved_state(path)
    assert set(state.done) == set(STEP_IDS) and list(state.continued_anyway) == ["mysql"]


@pytest.mark.mysql
@pytest.mark.s3
@pytest.mark.docker
async def test_failures_show_their_fix_and_recover_after_retry(tmp_path, mariadb, mysql_scratch, radosgw, target):
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    mariadb.create_database(mysql_scratch.database)
    mariadb.grant("ALL", f"{mysql_scratch.database}.*", mysql_scratch.user, grant_option=True)
    path = tmp_path / "config.toml"
    app = SetupApp(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.setup_screen
        await pilot.press("ctrl+n")
        await settle(pilot)
        # A wrong password: Connect fails with the cause and fix; Next stays on the step.
        fill(screen, **mysql_fields(mariadb, mysql_scratch, password="wrong-password"))
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.shown == "mysql"
        assert result_statuses(screen, "mysql")["mysql.connect"] is Status.FAIL
        details = str(screen.query_one("#results-mysql .results-details", Static).render())
        assert "Connect" in details and "Fix:" in details
        assert str(screen.query_one("#btn-check", Button).label) == "^r Retry"
        # Fixed and retried: Connect passes (only MariaDB's verdict still fails).
        fill(screen, mysql_password=mysql_scratch.password)
        await pilot.press("ctrl+r")
        await settle(pilot)
        failing = {r.id for r in screen.flow.reports["mysql"].failures}
        assert failing == {"mysql.server"}
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert screen.shown == "s3"

        # A missing bucket: the check says so with its fix; Create bucket… and the retry pass.
        fill(screen, **s3_fields(radosgw, target.bucket, target.host))
        await pilot.press("ctrl+r")
        await settle(pilot)
        bucket = next(r for r in screen.flow.reports["s3"].results if r.id == "s3.bucket")
        assert bucket.status is Status.FAIL and "wbtui bucket create" in bucket.fix
        assert "Bucket exists" in str(screen.query_one("#results-s3 .results-details", Static).render())
        await click_when_enabled(pilot, "#s3-create", dialog_up(app), "the create-bucket dialog")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        statuses = result_statuses(screen, "s3")
        assert statuses["s3.bucket"] is Status.PASS
        assert statuses["s3.cors"] is Status.FAIL  # no CORS rules yet: the next fix, with its button
        await click_when_enabled(pilot, "#s3-cors", dialog_up(app), "the CORS dialog")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert not screen.flow.reports["s3"].failures
        no_secrets(app, mysql_scratch.password, radosgw.secret_key)


@pytest.mark.docker
async def test_quitting_mid_way_resumes_at_the_same_step_and_finished_steps_can_be_revisited(tmp_path, docker_host):
    """Step 1's Next detects Docker: the engine must be up (it passed only after another test had started it)."""
    path = tmp_path / "config.toml"
    app = SetupApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.setup_screen
        assert screen.shown == "mysql"
        fill(screen, mysql_host="127.0.0.1", mysql_port=str(free_port()), mysql_password="pw-before-quitting")
        await pilot.press("ctrl+r")  # the check saves MYSQL first; quit once it has, while it may still run
        await wait_until(pilot, lambda: "pw-before-quitting" in path.read_text(), 30, "MYSQL saved by the check")
        await app.action_quit()

    resumed = SetupApp(path)
    async with resumed.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = resumed.setup_screen
        assert screen.shown == "mysql"
        assert "step 2 of 8: MySQL" in screen_text(resumed)
        assert screen.query_one("#mysql-host", Input).value == "127.0.0.1"
        # Back to the finished step, and on again (its checks run again).
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert screen.shown == "where" and saved_state(path).current == "where"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert screen.shown == "mysql"
        # Steps not reached yet cannot be opened from the step list.
        assert screen.query_one("#setup-steps").get_option("deploy").disabled
        screen.go_to("deploy")
        await settle(pilot)
        assert screen.shown == "mysql"


async def test_while_a_job_runs_every_button_is_disabled_and_says_why(tmp_path):
    """A click during a re-check used to be dropped with a toast; now the button cannot be pressed and says why."""
    path = tmp_path / "config.toml"
    seed = Config()
    set_value(seed, "BUCKET", "s3://key:secret@127.0.0.1:1/files")
    store.save(seed, path)
    SetupState(current="s3", done=["where", "mysql"]).save(state_path(path))
    release = threading.Event()
    app = SetupApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.setup_screen
        assert screen.shown == "s3"
        screen.run_job("Checking Object store", lambda _job: release.wait(30), lambda _value: None)
        await pilot.pause()
        buttons = [screen.query_one(f"#{i}", Button) for i in ("s3-create", "s3-cors", "btn-check", "btn-next")]
        assert all(b.disabled for b in buttons)
        assert {str(b.tooltip) for b in buttons} == {"Wait: Checking Object store is running."}
        assert not screen.settled
        await pilot.click("#s3-cors")  # a disabled button does nothing: no dialog, no refusal toast
        assert not isinstance(app.screen, ConfirmScreen)
        release.set()
        await settle(pilot)
        assert screen.settled and not any(b.disabled for b in buttons)
        assert all(b.tooltip is None for b in buttons)


async def test_a_button_that_cannot_act_stays_disabled_after_a_job_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))  # no wandb here
    path = tmp_path / "config.toml"
    store.save(Config(), path)
    SetupState(current="verify", done=list(STEP_IDS[:6])).save(state_path(path))
    app = SetupApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.setup_screen
        button = screen.query_one("#verify-wandb", Button)
        assert button.disabled and "wandb package is not installed" in str(button.tooltip)
        screen.run_job("Saving", lambda _job: None, lambda _value: None)
        await settle(pilot)
        assert button.disabled and "wandb package is not installed" in str(button.tooltip)


async def test_a_check_named_like_its_step_is_said_once(tmp_path):
    """The deploy step's job read `Deploy Deploy…` (its button's label, then the step's title)."""
    path = tmp_path / "config.toml"
    store.save(Config(), path)
    SetupState(current="verify", done=list(STEP_IDS[:6])).save(state_path(path))
    release = threading.Event()
    app = SetupApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.setup_screen
        panel = screen.panel()
        panel.check = lambda _values, _job: StepReport("verify", []) if release.wait(30) else None
        screen.run_check()
        await pilot.pause()
        assert screen.doing == "Verify" and "Verify…" in status(screen) and "Verify Verify" not in status(screen)
        release.set()
        await settle(pilot)


async def test_read_only_refuses_to_change_anything(tmp_path):
    path = tmp_path / "config.toml"
    app = SetupApp(path, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.setup_screen.shown == "where"
        assert "READ-ONLY" in screen_text(app)
    assert not path.exists()


async def test_wandb_verify_output_streams_into_the_verify_step(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "wandb"
    fake.write_text('#!/bin/sh\necho "Checking if logged in....✅"\necho "host: $3"\necho "Checking artifacts....❌"\n'
                    "exit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    path = tmp_path / "config.toml"
    config = Config()
    config.server.HOST = "https://wandb.example.com"
    store.save(config, path)
    flow = SetupFlow(path)
    flow.state = SetupState(current="verify", done=list(STEP_IDS[:6]))
    app = SetupApp(path, flow=flow)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.setup_screen
        assert screen.shown == "verify"
        assert not screen.query_one("#verify-wandb", Button).disabled
        await click_when_enabled(pilot, "#verify-wandb", lambda: "exited with code" in status(screen),
                                 "wandb verify to finish")
        await settle(pilot)
        lines = list(screen.query_one("#verify-log", Log).lines)
        assert lines == ["Checking if logged in....✅", "host: https://wandb.example.com", "Checking artifacts....❌",
                         "wandb verify exited with code 1"]
        assert "wandb verify exited with code 1" in status(screen)


def test_wbtui_setup_on_a_terminal_resumes_and_leaves_cleanly_on_sighup(tmp_path):
    """`wbtui setup` in a pty opens at the saved step; a dropped SSH session (SIGHUP) ends it with status 0."""
    config_path = tmp_path / "config.toml"
    store.save(Config(), config_path)
    SetupState(current="mysql", done=["where"]).save(state_path(config_path))
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    proc = subprocess.Popen([sys.executable, "-m", "wbtui", "--config", str(config_path), "setup"],
                            cwd=Path(__file__).resolve().parent.parent, stdin=slave, stdout=slave, stderr=slave,
                            env=env, start_new_session=True)
    os.close(slave)
    try:
        received = read_pty_until(master, b"Create user and database", proc)
        assert b"Create user and database" in received, f"not at the MySQL step: {received[-2000:]!r}"
        os.close(master)
        proc.send_signal(signal.SIGHUP)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert saved_state(config_path).current == "mysql"
