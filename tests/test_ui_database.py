"""The Database pane (8) at 80x24 on the real MariaDB and its replica: figures, keys, alerts first, timers.

Keys are pressed through Textual's pilot; the pane samples with the same core as `wbtui db status`.
The snapshot feeds fixed figures (a replica whose SQL thread stopped, the CPU rule holding).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.services.base import free_port
from tests.services.mariadb import MariaDB
from tests.services.mariadb_replica import Replicated
from tests.services.mysql_fixtures import Scratch
from tests.test_ui_snapshots import snapshot  # noqa: F401 - the fixture that keeps SVGs in snapshots/
from tests.ui_support import make_app, noticed, ready, wait_for_workers, wait_text, wait_until
from wbtui.config.model import Config
from wbtui.config.urls import MysqlURL
from wbtui.monitor.mysql_replication import Downstream, ReplicaProblem, ReplicaState, Replication
from wbtui.monitor.mysql_sample import Statement
from wbtui.monitor.mysql_status import Alert, CpuState, DbStatus, TableGrowth
from wbtui.ui.app import WbtuiApp
from wbtui.ui.db_watch import DatabaseUpdate
from wbtui.ui.panes.database import DatabasePane
from wbtui.ui.session import Session

SIZE = (80, 24)


def config_for(url: str) -> Config:
    config = Config()
    config.server.MYSQL = url
    return config


def pane_of(app: Any) -> DatabasePane:
    return app.query_one(DatabasePane)


@pytest.mark.mysql
async def test_the_pane_shows_the_figures_and_g_and_t_sample_again(tmp_path: Path, mariadb: MariaDB,
                                                                   mysql_scratch: Scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user)
    mariadb.grant("PROCESS", "*.*", s.user)
    mariadb.execute(f"CREATE TABLE `{s.database}`.runs (id INT PRIMARY KEY)")
    app = make_app(tmp_path, config_for(s.url))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        pane = pane_of(app)
        assert pane.updates == 0, "hidden: nothing sampled"
        await pilot.press("8")
        await wait_until(pilot, lambda: pane.updates >= 1, 30, "the first sample")
        assert not pane.refreshing, "without the app's refreshers only keys sample"
        text = await wait_text(pilot, f"127.0.0.1:{mariadb.port}", "connections", "queries/s")
        await pilot.press("g")
        await wait_until(pilot, lambda: pane.updates >= 2, 30, "the sample g asked for")
        assert noticed(app, "Sampling the database now")
        await pilot.press("t")
        await wait_until(pilot, lambda: pane.updates >= 3, 30, "the sample t asked for")
        assert noticed(app, "Reading the table sizes now")
        await wait_for_workers(app, "database", 30)
        await pilot.press("end")  # the body scrolls to the tables
        text = await wait_text(pilot, "largest tables", "runs")
    assert s.password not in text and quote(s.password, safe="") not in text


@pytest.mark.mysql
async def test_the_pane_refreshes_by_itself_only_while_shown(tmp_path: Path, mariadb: MariaDB,
                                                            mysql_scratch: Scratch,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user)
    monkeypatch.setattr(DatabasePane, "REFRESH_SECONDS", 0.3)
    config = config_for(s.url)
    config.runtime.container_name = f"wbtui-test-absent-{s.user}"  # the app's own refreshers find nothing
    app = make_app(tmp_path, config, background=True)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        pane = pane_of(app)
        assert pane.updates == 0 and not pane.refreshing, "hidden: no timer, no query"
        await pilot.press("8")
        assert pane.refreshing
        await wait_until(pilot, lambda: pane.updates >= 3, 30, "samples taken by the timer, no key pressed")
        await pilot.press("1")
        await pilot.pause()
        assert not pane.refreshing, "hidden again: the timer is paused"
        await pilot.press("8")
        shown = pane.updates
        await wait_until(pilot, lambda: pane.updates >= shown + 2, 30, "the timer again once shown")


@pytest.mark.mysql
async def test_a_stopped_replica_is_the_first_line_at_80x24(tmp_path: Path, replicated: Replicated) -> None:
    replica = replicated.replica
    replica.execute("STOP SLAVE SQL_THREAD")
    url = MysqlURL(replica.root_user, replica.root_password, replica.host, replicated.database, replica.port)
    app = make_app(tmp_path, config_for(url.format()))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("8")
        text = await wait_text(pilot, "✘ replica: the SQL thread is stopped", "fix: START REPLICA SQL_THREAD;",
                               timeout=30)
    rows = text.splitlines()
    first = next(n for n, row in enumerate(rows) if "✘ replica" in row)
    assert first <= 4, "the alert is right under the tab bar and the status line"
    assert replica.root_password not in text


async def test_an_unreachable_server_says_what_to_do(tmp_path: Path) -> None:
    password = "pane-Secret'pw"
    app = make_app(tmp_path, config_for(MysqlURL("wandb_local", password, "127.0.0.1", "wandb_local",
                                                  free_port()).format()))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("8")
        text = await wait_text(pilot, "✘ connection refused", "fix: Start MySQL", "not reachable", timeout=30)
    assert password not in text


def fixed_status() -> DbStatus:
    problem = ReplicaProblem("the SQL thread stopped on a duplicate key: Error 'Duplicate entry '7' for key "
                             "'PRIMARY'' on query", "A row the primary inserts already exists on the replica: "
                             "delete the replica's copy and START REPLICA SQL_THREAD; set read_only = ON.")
    replica = ReplicaState("db1.example.com:3306", "Yes", "No", None, "Waiting for source to send event", "",
                           "Error 'Duplicate entry '7' for key 'PRIMARY'' on query", problem)
    cpu_series = [12.0, 18.0, 35.0, 52.0, 61.0, 58.0, 66.0, 71.0, 64.0, 69.0] * 4
    rates = [float(40 + (i * 37) % 90) for i in range(40)]
    return DbStatus(
        where="db2.example.com:3306", account="'wandb_local'@'%'", version="8.0.36", uptime=86400 * 3 + 7200,
        read_only=True, connections=42, max_connections=151, peak_connections=77, threads_running=5,
        row_lock_current_waits=1,
        rates={"queries": 812.4, "commits": 140.2, "transactions": 12.5, "slow": 0.3, "row_lock_waits": 0.5},
        buffer_pool_hit=99.6,
        statements=[Statement(31, "wandb_local", "10.0.0.5:51234", "wandb_local", 74.0, "Sending data",
                              "SELECT * FROM runs WHERE project_id = 12 ORDER BY created_at DESC")],
        replication=Replication("relay", replica, [Downstream("10.0.0.9", 3600.0, "Source has sent all binlog")]),
        tables=[TableGrowth("history", 1_200_000, 3_500_000_000, 12_000_000, 90_000_000),
                TableGrowth("runs", 40_000, 80_000_000, 0, 1_000_000)], tables_age=20.0,
        cpu=CpuState(69.0, cpu_series, 40.0, 300.0, 330.0, True, "mysqld (pid 812) listening on port 3306"),
        cpu_note="",
        alerts=[Alert("error", "CPU above 40% for 5.5 min (now 69%): the guide calls the database resource "
                      "starved", "Give the database more CPU (or a host of its own), or find the expensive "
                      "queries."),
                Alert("error", "replica: " + problem.summary, problem.fix)],
        history={"queries": rates, "commits": [r / 6 for r in rates], "transactions": [r / 60 for r in rates],
                 "slow": [0.0] * 39 + [0.3], "row_lock_waits": [0.5] * 40, "cpu": cpu_series},
        queries=5, refresh_seconds=0.004, sampled_at=0.0)


async def show_fixed(pilot: Any) -> None:
    app = pilot.app
    await ready(pilot)
    await pilot.press("8")
    pane = pane_of(app)
    await wait_until(pilot, lambda: pane.updates >= 1, 30, "the first (refused) sample")
    await wait_for_workers(app, "database", 30)
    pane.on_database_update(DatabaseUpdate(fixed_status(), None, None, ""))
    await pilot.pause()


def test_database_snapshot(snap_compare: Any) -> None:
    """Alerts first at 80x24: the CPU rule holding and a broken replica, then the figures."""
    config = config_for(MysqlURL("wandb_local", "CanaryMysqlPw-7f3a9", "127.0.0.1", "wandb_local",
                                 free_port()).format())
    app = WbtuiApp(Session(Path("/etc/wbtui/config.toml"), config, file_exists=True), background=False)
    assert snap_compare(app, terminal_size=SIZE, run_before=show_fixed)
