"""The Datastores pane against the real MariaDB and radosgw, and against a server that never answers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.services.base import silent_endpoint
from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from tests.ui_support import make_app, ready, screen_text, wait_text, wait_until
from wbtui.checks.model import Status
from wbtui.config.model import Config
from wbtui.ui.panes.datastores import DatastoresPane
from wbtui.ui.widgets.confirm import ConfirmScreen, PromptScreen


def config_with(mysql: str = "", bucket: str = "", timeout: float = 5.0) -> Config:
    config = Config()
    config.server.HOST = "https://wandb.example.com"
    config.server.MYSQL = mysql
    config.server.BUCKET = bucket
    config.app.timeout = timeout
    return config


async def open_datastores(pilot) -> DatastoresPane:
    await ready(pilot)
    await pilot.press("3")
    await pilot.pause()
    return pilot.app.query_one(DatastoresPane)


def result(pane: DatastoresPane, check_id: str):
    return next((r for r in pane.results if r.id == check_id), None)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never answers."""
    with silent_endpoint() as port:
        yield port
async def test_a_check_against_a_silent_server_leaves_the_keys_working(tmp_path: Path, silent_server: int) -> None:
    app = make_app(tmp_path, config_with(f"mysql://wandb:pw@127.0.0.1:{silent_server}/wandb", timeout=3.0))
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await open_datastores(pilot)
        await pilot.press("m")
        await wait_text(pilot, "Checking mysql")
        assert any(w.group == "checks" and w.is_running for w in app.workers)
        worst = 0.0
        for key, pane_id in (("1", "overview"), ("3", "datastores"), ("5", "logs"), ("3", "datastores")):
            began = time.monotonic()
            await pilot.press(key)
            await wait_until(pilot, lambda pid=pane_id: app.active_pane == pid, 2, f"pane {pane_id}")
            worst = max(worst, time.monotonic() - began)
        assert any(w.group == "checks" and w.is_running for w in app.workers), "the check should still hang"
        # A key blocked behind the check would wait out its 3 s timeout; under a loaded CI machine a free one
        # took up to ~1 s (switching to the Logs pane lays out its view), so the bound sits between the two.
        assert worst < 2.5, f"a key took {worst:.2f}s while the check hung (its timeout is 3 s)"
        await wait_until(pilot, lambda: result(pane, "mysql.connect") is not None, 30, "the connect check to time out")
        connect = result(pane, "mysql.connect")
        assert connect.status == Status.FAIL
        assert connect.fix


@pytest.mark.mysql
async def test_checks_show_a_failure_with_its_fix_and_db_init_fixes_it(tmp_path: Path, mariadb: MariaDB,
                                                                      mysql_scratch: Scratch) -> None:
    app = make_app(tmp_path, config_with(mysql_scratch.url))
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_datastores(pilot)
        await pilot.press("m")
        await wait_until(pilot, lambda: not pane.checking and result(pane, "mysql.connect") is not None, 60,
                         "the MySQL checks")
        connect = result(pane, "mysql.connect")
        assert connect.status == Status.FAIL  # the user does not exist yet
        table = pane.query_one("#ds-table", DataTable)
        table.move_cursor(row=0)
        text = await wait_text(pilot, "Fix:", connect.summary[:40])
        assert mysql_scratch.password not in text

        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), 5, "the admin URL prompt")
        await pilot.press(*mariadb.admin_url, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 30, "the plan")
        text = await wait_text(pilot, "CREATE USER", "CREATE DATABASE")
        assert mysql_scratch.password not in text and mariadb.root_password not in text
        await pilot.press("y")
        await wait_until(pilot, lambda: (r := result(pane, "mysql.connect")) is not None and r.status == Status.PASS,
                         90, "the checks to pass the connect step after db init")
        assert mysql_scratch.password not in screen_text(app)


async def test_db_init_offers_to_reset_a_password_that_does_not_log_in(tmp_path: Path, mariadb: MariaDB,
                                                                       mysql_scratch: Scratch) -> None:
    """`i` said "nothing to do" with a green tick when the user existed with another password; the reset
    was only in the CLI (`wbtui db init --reset-password`). Now the dashboard offers it and applies it."""
    mariadb.create_user(mysql_scratch.user, "an-older-password")
    mariadb.create_database(mysql_scratch.database)
    mariadb.grant("ALL", f"`{mysql_scratch.database}`.*", mysql_scratch.user)
    app = make_app(tmp_path, config_with(mysql_scratch.url))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_datastores(pilot)
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), 5, "the admin URL prompt")
        await pilot.press(*mariadb.admin_url, "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 30, "the offer to reset")
        text = await wait_text(pilot, "Reset the W&B user's password?", "another password")
        assert "nothing to do" not in text
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen)
                         and "ALTER USER" in screen_text(app), 30, "the plan with ALTER USER")
        assert mysql_scratch.password not in screen_text(app) and mariadb.root_password not in screen_text(app)
        await pilot.press("y")
        pane = app.query_one(DatastoresPane)
        await wait_until(pilot, lambda: (r := result(pane, "mysql.connect")) is not None and r.status == Status.PASS,
                         90, "the connect check to pass with the reset password")


async def test_fix_actions_are_refused_in_read_only_mode(tmp_path: Path) -> None:
    app = make_app(tmp_path, config_with("mysql://wandb:pw@db.example.com/wandb"), read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await open_datastores(pilot)
        assert pane.check_action("fix", ("db_init",)) is None
        pane.action_fix("db_init")  # as the palette would
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)
        assert any("Read-only mode" in str(n.message) for n in app._notifications)


@pytest.mark.s3
async def test_bucket_creation_is_confirmed_then_the_checks_pass(tmp_path: Path, radosgw) -> None:
    import secrets

    bucket = f"wbtui-ui-{secrets.token_hex(4)}"
    url = radosgw.bucket_url(bucket)
    config = config_with(bucket=url)
    config.server.AWS_REGION = radosgw.region
    app = make_app(tmp_path, config)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_datastores(pilot)
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 30, "the bucket plan")
        await wait_text(pilot, f"create bucket '{bucket}'")
        await pilot.press("y")
        await wait_until(pilot, lambda: not pane.checking and any(r.store == "s3" for r in pane.results)
                         and any("already exists" in str(n.message) or "created bucket" in str(n.message)
                                 for n in app._notifications), 90, "the bucket to be created and checked")
        assert radosgw.secret_key not in screen_text(app)


async def test_advice_on_a_passing_check_is_a_tip_not_a_fix(tmp_path: Path) -> None:
    """A pass row carried "Fix:" (advice from an info finding); only what fails or warns has a fix."""
    from wbtui.checks.model import CheckResult
    from wbtui.ui.messages import ChecksUpdate

    results = [CheckResult("mysql.binlog", "Binary log", Status.PASS, "log_bin is ON", fix="keep 7 days of binlogs",
                           store="mysql"),
               CheckResult("s3.cors", "CORS rules", Status.FAIL, "no CORS rules", fix="o applies them", store="s3")]
    app = make_app(tmp_path, config_with())
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("3")
        app.checks = ChecksUpdate(results, running=False, stores=("mysql", "s3"), took=0.1)
        pane = app.query_one(DatastoresPane)
        table = pane.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count == 2, 10, "both rows")
        table.focus()
        for check_id, shown, hidden in (("mysql.binlog", "Tip: keep 7 days", "Fix:"),
                                        ("s3.cors", "Fix: o applies them", "Tip:")):
            table.move_cursor(row=next(i for i, r in enumerate(pane.results) if r.id == check_id))
            await wait_text(pilot, shown)
            assert hidden not in screen_text(app)


async def test_rows_end_in_store_and_check_order_whatever_order_they_completed_in(tmp_path: Path) -> None:
    """Rows stayed in completion order (S3 before MySQL, a late check after a quick one), different every run."""
    from wbtui.checks.model import CheckResult

    ordered = [CheckResult(f"{store}.{n}", f"{store} {n}", Status.PASS, "ok", store=store)
               for store in ("mysql", "s3") for n in ("first", "second")]

    def run_checks(_config, _stores, on_result, quick=False):
        for result in (ordered[3], ordered[1], ordered[2], ordered[0]):  # as they might complete
            on_result(result)
        return ordered  # the runner's own answer: by store, in check order

    app = make_app(tmp_path, config_with())
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_datastores(pilot)
        app.core.run_checks = run_checks  # type: ignore[method-assign]
        await pilot.press("a")
        await wait_until(pilot, lambda: app.checks is not None and not pane.checking, 10, "the checks to end")
        assert [r.id for r in pane.results] == [r.id for r in ordered]
        table = pane.query_one("#ds-table", DataTable)
        shown = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert shown == [r.title for r in ordered], shown
