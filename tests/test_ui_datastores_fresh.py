"""Datastore results stay fresh: each shows its age, quick re-checks run on a schedule without moving the
rows under the reader, and a config change re-runs the checks it affects at once.

The checks themselves are replaced by a scripted runner (the real ones are tested against MariaDB and
radosgw elsewhere): what is tested here is when the dashboard runs them and what it shows.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from textual.widgets import DataTable

from tests.ui_support import config_set, make_app, ready, screen_text, wait_until
from wbtui.checks.model import CheckResult, Status
from wbtui.config.model import Config
from wbtui.ui.messages import ChecksUpdate
from wbtui.ui.panes.datastores import DatastoresPane


def config() -> Config:
    made = Config()
    made.server.HOST = "https://wandb.example.com"
    made.server.MYSQL = "mysql://wandb:pw@db.example.com:3306/wandb"
    made.server.BUCKET = "s3://key:secret@s3.example.com:9000/wandb"
    return made


class ScriptedChecks:
    """Stands in for ``Core.run_checks``: records each call; ``hold`` keeps a run going until released."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], bool]] = []
        self.hold = threading.Event()
        self.hold.set()
        self.summary = "first"

    def __call__(self, _config: Config, stores: Any, on_result: Any, quick: bool = False) -> list[CheckResult]:
        self.calls.append((tuple(stores), quick))
        self.hold.wait(30)
        results = [CheckResult(f"{store}.{n}", f"{store} {n}", Status.PASS, f"{self.summary} {n}", store=store,
                               checked_at=time.time()) for store in stores for n in ("a", "b", "c")]
        for result in results:
            on_result(result)
        return results


async def open_pane(pilot: Any, scripted: ScriptedChecks) -> DatastoresPane:
    app = pilot.app
    await ready(pilot)
    app.core.run_checks = scripted
    await pilot.press("3")
    await pilot.pause()
    return app.query_one(DatastoresPane)


def done(app: Any, runs: int) -> bool:
    return app.checks is not None and not app.checks.running and app.checks.run == runs


async def test_a_scheduled_recheck_is_quick_and_leaves_the_rows_and_selection_still(tmp_path: Path) -> None:
    scripted = ScriptedChecks()
    app = make_app(tmp_path, config())
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot, scripted)
        await pilot.press("a")
        await wait_until(pilot, lambda: done(app, 1), 10, "the first run")
        table = pane.query_one("#ds-table", DataTable)
        table.move_cursor(row=4)  # the reader is looking at "s3 b"
        await pilot.pause()
        assert pane.selected().id == "s3.b"

        scripted.hold.clear()
        scripted.summary = "second"
        app.recheck()  # the schedule's tick
        await wait_until(pilot, lambda: app.checks.run == 2 and len(scripted.calls) == 2, 10, "the re-check")
        assert scripted.calls[-1] == (("mysql", "s3"), True)  # quick: no 10 MiB upload
        assert app.checks.running and app.checks.quick
        assert [str(table.get_row_at(i)[4]) for i in range(table.row_count)][:2] == ["first a", "first b"]
        assert pane.selected().id == "s3.b"

        scripted.hold.set()
        await wait_until(pilot, lambda: done(app, 2) and "second" in str(table.get_row_at(0)[4]), 10,
                         "the re-check's results")
        assert pane.selected().id == "s3.b"  # the same result selected, now fresh
        assert "just now" in screen_text(app)


async def test_a_tick_during_a_run_starts_no_second_one(tmp_path: Path) -> None:
    scripted = ScriptedChecks()
    app = make_app(tmp_path, config())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, scripted)
        scripted.hold.clear()
        await pilot.press("a")
        await wait_until(pilot, lambda: len(scripted.calls) == 1, 10, "the run to start")
        app.recheck()
        await pilot.pause()
        assert app.checks.run == 1
        scripted.hold.set()
        await wait_until(pilot, lambda: done(app, 1), 10, "the run")


async def test_each_result_shows_its_age_and_old_results_are_called_stale(tmp_path: Path) -> None:
    app = make_app(tmp_path, config())
    async with app.run_test(size=(80, 24)) as pilot:
        pane = await open_pane(pilot, ScriptedChecks())
        old = time.time() - 20 * 60
        results = [CheckResult("mysql.connect", "Connect", Status.PASS, "connected", store="mysql", checked_at=old),
                   CheckResult("s3.bucket", "Bucket exists", Status.FAIL, "no bucket", store="s3",
                               checked_at=time.time())]
        app.on_checks_update(ChecksUpdate(results, False, stores=("mysql", "s3"), took=1.0, run=1))
        await pilot.pause()
        text = screen_text(app)
        assert "stale: 20m ago · re-check every 5m" in text  # older than two periods of the schedule
        table = pane.query_one("#ds-table", DataTable)
        assert [str(table.get_row_at(i)[3]) for i in range(2)] == ["20m ago", "just now"]

        results[1].checked_at = time.time() - 125
        pane.show_ages()  # as its timer does: only the cells whose text changed
        await pilot.pause()
        assert str(table.get_row_at(1)[3]) == "2m ago"


async def test_the_schedule_follows_app_recheck_minutes(tmp_path: Path) -> None:
    app = make_app(tmp_path, config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.session.saved.app.recheck_minutes = 2
        app._schedule_rechecks()
        assert app.recheck_timer is not None and app.recheck_timer._interval == 120
        app.session.saved.app.recheck_minutes = 0
        app._schedule_rechecks()
        assert app.recheck_timer is None


async def test_a_config_change_from_a_shell_re_runs_only_the_checks_it_affects(tmp_path: Path) -> None:
    scripted = ScriptedChecks()
    app = make_app(tmp_path, config())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_pane(pilot, scripted)
        await pilot.press("a")
        await wait_until(pilot, lambda: done(app, 1), 10, "the first run")
        config_set(app.session.config_path, "BUCKET", "s3://key:secret@s3.example.com:9000/other")
        await wait_until(pilot, lambda: done(app, 2), 20, "the re-check after the reload")
        assert scripted.calls[-1] == (("s3",), False)  # a full check of the store that changed
        assert "the changed configuration" in app.checks.what
        assert {r.store for r in app.checks.results} == {"mysql", "s3"}  # MySQL's results kept
        config_set(app.session.config_path, "app.theme", "ansi-dark")
        await wait_until(pilot, lambda: app.session.saved.app.theme == "ansi-dark", 20, "the second reload")
        await pilot.pause()
        assert len(scripted.calls) == 2  # nothing a check reads changed


async def test_the_overview_shows_each_stores_age_and_the_key_that_fixes_it(tmp_path: Path) -> None:
    from wbtui.checks.s3 import CREATE_FIX

    app = make_app(tmp_path, config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        results = [CheckResult("mysql.connect", "Connect", Status.PASS, "connected", store="mysql",
                               checked_at=time.time() - 40 * 60),
                   CheckResult("s3.bucket", "Bucket exists", Status.FAIL, "no bucket 'wandb'", fix=CREATE_FIX,
                               store="s3", checked_at=time.time())]
        app.on_checks_update(ChecksUpdate(results, False, stores=("mysql", "s3"), took=1.0, run=1))
        await pilot.pause()
        text = screen_text(app)
        assert "mysql ✔ 1/1 passed  ·  stale: 40m ago" in text
        assert "s3    ✘ Bucket exists: no bucket 'wandb'  ·  0/1 passed  ·  just now" in text
        assert "fix: 3 then b creates the bucket · CLI: wbtui bucket create" in text
