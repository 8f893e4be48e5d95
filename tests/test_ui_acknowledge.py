"""Acknowledging a finding from the Datastores pane, as the on-call engineer does it: k on the row, why,
for how long; the file holds it (with who and when), every pane shows it as acknowledged, and a new
failure still counts. k again removes it. Read-only mode refuses."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, OptionList

from tests.test_ui_snapshots import samples
from tests.ui_support import make_app, noticed, ready, screen_text, wait_until
from wbtui.checks.model import CheckResult, Status
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.runtime.base import ServerStatus
from wbtui.ui.messages import ChecksUpdate, ProbeUpdate, StatusUpdate
from wbtui.ui.panes.datastores import DatastoresPane
from wbtui.ui.widgets.confirm import ChoiceScreen, ConfirmScreen, PromptScreen

MARIADB = "MariaDB 10.11.6 is not supported: W&B needs MySQL 5.7 or 8.0"


def config() -> Config:
    made = Config()
    made.server.HOST = "https://wandb.example.com"
    made.server.MYSQL = "mysql://wandb:pw@db.example.com:3306/wandb"
    return made


def results(*extra: CheckResult) -> list[CheckResult]:
    return [CheckResult("mysql.connect", "Connect", Status.PASS, "connected", store="mysql", checked_at=time.time()),
            CheckResult("mysql.server", "Server version", Status.FAIL, MARIADB, store="mysql", checked_at=time.time()),
            *extra]


async def show(pilot: Any, shown: list[CheckResult], run: int) -> DatastoresPane:
    app = pilot.app
    app.on_checks_update(ChecksUpdate(shown, False, stores=("mysql", "s3"), took=1.0, run=run))
    await pilot.pause()
    return app.query_one(DatastoresPane)


async def select(pilot: Any, pane: DatastoresPane, check_id: str) -> None:
    table = pane.query_one("#ds-table", DataTable)
    table.move_cursor(row=next(i for i, r in enumerate(pane.results) if r.id == check_id))
    await pilot.pause()


async def press_k_on(pilot: Any, check_id: str) -> None:
    """The Datastores pane with the two results shown, ``check_id`` selected, then k."""
    await ready(pilot)
    await pilot.press("3")
    pane = await show(pilot, results(), 1)
    await select(pilot, pane, check_id)
    await pilot.press("k")


async def test_k_acknowledges_the_selected_failure_and_k_again_removes_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, config())
    async with app.run_test(size=(80, 24)) as pilot:
        await press_k_on(pilot, "mysql.server")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), 20, "the why prompt")
        app.screen.query_one(Input).value = "MariaDB by decision, ticket OPS-12"
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), 20, "how long")
        options = app.screen.query_one(OptionList)
        options.highlighted = 2  # 7 days
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session.saved.acknowledged, 20, "the saved acknowledgement")

        ack = store.load(app.session.config_path).acknowledged[0]
        assert (ack.check, ack.status, ack.summary, ack.why) == ("mysql.server", "fail", MARIADB,
                                                                 "MariaDB by decision, ticket OPS-12")
        assert ack.until is not None and (ack.until - ack.when).days == 7 and ack.who
        assert (app.session.config_path.stat().st_mode & 0o777) == 0o600
        await wait_until(pilot, lambda: "(ack)" in screen_text(app), 20, "the row marked")
        text = screen_text(app)
        assert "2 checks, 1.0s: 1 pass 1 acknowledged" in text
        assert f"acknowledged by {ack.who} on" in text and "OPS-12" in text
        assert app.verdict is not None and "Server version" not in app.verdict.title  # no longer the verdict

        await pilot.press("1")
        await pilot.pause()
        assert "mysql ✔ 1/2 passed, 1 acknowledged" in screen_text(app)

        await pilot.press("3")
        await pilot.press("k")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 20, "the removal question")
        await pilot.press("y")
        await wait_until(pilot, lambda: not app.session.saved.acknowledged, 20, "the removal")
        assert store.load(app.session.config_path).acknowledged == []
        await wait_until(pilot, lambda: "(ack)" not in screen_text(app), 20, "the row unmarked")


async def test_an_acknowledged_finding_never_hides_a_new_one(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from wbtui.checks.acknowledged import acknowledge

    made = config()
    acknowledge(made, results()[1], "MariaDB by decision", who="ops", now=datetime.now(UTC))
    app = make_app(tmp_path, made)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        revoked = CheckResult("mysql.privileges", "Privileges", Status.FAIL, "INSERT is not granted",
                              fix="GRANT INSERT ON wandb.* TO 'wandb'@'%';", store="mysql", checked_at=time.time())
        app.on_status_update(StatusUpdate(ServerStatus("docker", "wandb-local", True, "running"), None, None))
        made_samples, _history = samples()  # /healthz and /ready answering 200
        app.on_probe_update(ProbeUpdate(made_samples[-1], {"healthz": [], "ready": []}, None))
        await show(pilot, results(revoked), 1)
        text = screen_text(app)
        assert "mysql ✘ Privileges: INSERT is not granted  ·  1/3 passed, 1 acknowledged" in text  # the new one
        assert "Server version" not in text.split("Datastores")[1]
        assert app.verdict is not None and "Privileges" in app.verdict.title

        changed = CheckResult("mysql.server", "Server version", Status.FAIL, "MariaDB 11.4 is not supported",
                              store="mysql", checked_at=time.time())
        await pilot.press("3")
        pane = await show(pilot, [results()[0], changed], 2)
        await select(pilot, pane, "mysql.server")
        text = screen_text(app)
        assert "(ack)" not in text and "acknowledged earlier for" in text  # another summary: a new finding


async def test_acknowledging_is_refused_in_read_only_mode_and_on_a_pass(tmp_path: Path) -> None:
    app = make_app(tmp_path, config(), read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await press_k_on(pilot, "mysql.server")
        await wait_until(pilot, lambda: noticed(app, "Read-only mode"), 20, "the refusal")
        assert not isinstance(app.screen, PromptScreen)

    app = make_app(tmp_path, config())
    async with app.run_test(size=(80, 24)) as pilot:
        await press_k_on(pilot, "mysql.connect")
        await wait_until(pilot, lambda: noticed(app, "only a failure or a warning"), 20, "the refusal")
        assert store.load(app.session.config_path).acknowledged == []
