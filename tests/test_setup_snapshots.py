"""Snapshots of every setup step (and a confirmation dialog) at 80x24, from fixed data, with canary secrets.

Stored in the top-level snapshots/ folder; update with ``pytest tests/test_setup_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from syrupy import SnapshotAssertion
from textual.pilot import Pilot

from tests.test_ui_snapshots import TopLevelSnapshots
from tests.ui_support import screen_text
from wbtui.checks.model import CheckResult, Status
from wbtui.checks.mysql_init import Step
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.config.urls import BucketURL, MysqlURL
from wbtui.setup.flow import SetupFlow, StepReport
from wbtui.setup.state import STEP_IDS, SetupState
from wbtui.ui.setup.app import SetupApp
from wbtui.ui.setup.steps.mysql import MysqlPanel

CANARIES = ("CANARY-mysql-7f3a", "CANARY-s3-secret-9b2c", "CANARY-admin-1d4e", "CANARY-license-5e6f")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Stored in the top-level snapshots/, the way the dashboard's snapshots are."""
    return TopLevelSnapshots(session=snapshot.session, extension_class=snapshot.extension_class,
                             test_location=snapshot.test_location, update_snapshots=snapshot.update_snapshots)


@pytest.fixture(autouse=True)
def steady(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """HOME is the test's directory (paths show as ~/...); no `wandb` on PATH."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))


def canary_license() -> str:
    part = base64.urlsafe_b64encode(json.dumps({"sub": CANARIES[3]}).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJSUzI1NiJ9.{part}.c2lnbmF0dXJl"


def canary_config() -> Config:
    config = Config()
    config.server.MYSQL = MysqlURL("wandb_local", CANARIES[0], "db.example.com", "wandb_local", 3306).format()
    config.server.BUCKET = BucketURL("WANDBKEY", CANARIES[1], "minio.example.com", "wandb-files", 9000,
                                     tls=True).format()
    config.server.HOST = "https://wandb.example.com"
    config.server.LICENSE = canary_license()
    config.runtime.tag = "0.60.0"
    config.runtime.bind_address = "127.0.0.1"
    return config


def result(check_id: str, title: str, status: Status, summary: str, fix: str = "", details: str = "") -> CheckResult:
    return CheckResult(check_id, title, status, summary, details, fix, store=check_id.split(".")[0])


REPORTS: dict[str, StepReport] = {
    "where": StepReport("where", [
        result("where.place", "docker reachable", Status.PASS, "Docker 24.0.7 reachable"),
        result("config.runtime.cpu_limit", "runtime.cpu_limit", Status.WARN,
               "docker has 2 CPUs; the guide asks for at least 4 vCPU",
               "run W&B Server on a host with at least 4 vCPU"),
    ]),
    "mysql": StepReport("mysql", [
        result("mysql.connect", "Connect", Status.PASS, "connected to db.example.com:3306 as wandb_local@%"),
        result("mysql.server", "Server version", Status.FAIL,
               "MariaDB 10.11.6 is not supported by W&B (it needs MySQL 5.7 or 8)",
               "Use MySQL 8.0.28 or later (or 5.7, which the guide names).",
               "MariaDB speaks the MySQL protocol but is a different database."),
        result("mysql.charset", "Database charset", Status.PASS, "wandb_local: utf8mb4 / utf8mb4_general_ci"),
        result("mysql.privileges", "Privileges", Status.PASS, "wandb_local@% has ALL on wandb_local"),
    ], ["user 'wandb_local'@'%': created"]),
    "s3": StepReport("s3", [
        result("s3.credentials", "Access key and secret", Status.PASS, "access key WANDBKEY accepted"),
        result("s3.bucket", "Bucket exists", Status.FAIL, "bucket 'wandb-files' does not exist",
               "wbtui bucket create"),
        result("s3.cors", "CORS rules", Status.SKIPPED, "skipped: Bucket exists did not pass"),
    ]),
    "server": StepReport("server", [
        result("config.HOST", "HOST", Status.PASS, "HOST uses https://"),
        result("config.LICENSE", "LICENSE", Status.PASS, "license shape ok (unverified); no expiry found"),
    ]),
    "review": StepReport("review", [
        result("review.mysql", "MySQL (continued anyway)", Status.WARN,
               "Server version: MariaDB 10.11.6 is not supported by W&B", "go back to MySQL, fix it and check again"),
    ]),
    "deploy": StepReport("deploy", [
        result("deploy.ready", "Server ready", Status.PASS, "ready after 41s at https://wandb.example.com (host)"),
    ], ["created and started wandb-local from wandb/local:0.60.0"]),
    "verify": StepReport("verify", [
        result("verify.scheme", "HOST scheme", Status.PASS, "HOST uses https://"),
        result("verify.ready", "/ready through HOST", Status.PASS, "/ready answered 200 in 12 ms"),
        result("verify.body_size", "10 MB upload through HOST", Status.FAIL,
               "a 10 MB request was refused with 413: the proxy in front of HOST limits request bodies",
               "nginx: `client_max_body_size 0;` in the server block"),
    ]),
}


def app_at(tmp_path: Path, step: str) -> SetupApp:
    """The setup opened at ``step`` with the steps before it done and fixed results."""
    path = tmp_path / "config.toml"
    store.save(canary_config(), path)
    flow = SetupFlow(path)
    index = STEP_IDS.index(step)
    flow.state = SetupState(current=step, done=list(STEP_IDS[:index]),
                            continued_anyway={"mysql": "Server version: MariaDB 10.11.6 is not supported"}
                            if index > 1 else {},
                            generated={"nginx": str(tmp_path / "generated" / "nginx.conf")})
    if step in REPORTS:
        flow.reports[step] = REPORTS[step]
    return SetupApp(path, flow=flow)


def shot(before: Any = None) -> tuple[Any, list[str]]:
    """A run_before that also keeps what the screen showed, to look for canaries in it."""
    shown: list[str] = []

    async def run(pilot: Pilot[Any]) -> None:
        if before is not None:
            await before(pilot)
        await pilot.pause()
        shown.append(screen_text(pilot.app))

    return run, shown


async def type_admin_password(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#mysql-admin-password").value = CANARIES[2]  # type: ignore[attr-defined]


@pytest.mark.parametrize("step", STEP_IDS)
def test_setup_step_snapshot(step: str, tmp_path: Path, snap_compare: Any) -> None:
    run_before, shown = shot(type_admin_password if step == "mysql" else None)
    assert snap_compare(app_at(tmp_path, step), terminal_size=(80, 24), run_before=run_before)
    assert_no_canary(shown)


def test_setup_mysql_dialog_snapshot(tmp_path: Path, snap_compare: Any) -> None:
    """The dialog the MySQL panel shows before running the guide's SQL (from a fixed plan)."""
    account = "'wandb_local'@'%'"
    plan = [Step("user", f"user {account}", "create", f"CREATE USER {account} IDENTIFIED BY '****';"),
            Step("database", "database `wandb_local`", "none", note="exists with the right character set"),
            Step("grant", f"ALL on `wandb_local` for {account}", "create",
                 f"GRANT ALL ON `wandb\\_local`.* TO {account} WITH GRANT OPTION;")]

    async def show_dialog(pilot: Pilot[Any]) -> None:
        panel = pilot.app.screen.query_one(MysqlPanel)
        panel.confirm_create(panel.values(), "mysql://root:****@db.example.com:3306/mysql", plan)

    run_before, shown = shot(show_dialog)
    assert snap_compare(app_at(tmp_path, "mysql"), terminal_size=(80, 24), run_before=run_before)
    assert "CREATE USER" in shown[0] and "GRANT ALL" in shown[0]
    assert_no_canary(shown)


def assert_no_canary(shown: list[str]) -> None:
    assert shown, "the screen was not captured"
    for canary in CANARIES:
        assert canary not in shown[0]
