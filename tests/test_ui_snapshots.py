"""SVG snapshots of every pane at 80x24 and 120x40 with fixed data, stored in the top-level snapshots/.

Update after an intended change with ``pytest tests/test_ui_snapshots.py --snapshot-update``.
No secret of the config may appear in any snapshot (canary test at the end).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from pytest_textual_snapshot import SVGImageExtension
from syrupy.assertion import SnapshotAssertion
from textual.widgets import DataTable

from tests.ui_support import ready, wait_for_workers
from wbtui.checks.model import CheckResult, Status
from wbtui.config.model import Config
from wbtui.health.history import ProbeHistory
from wbtui.health.probe import ProbeResult, Sample, Target
from wbtui.health.watch import WatchProgress
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup.manifest import Manifest, Table, now
from wbtui.runtime.base import ResourceUsage, RuntimeEvent, ServerStatus
from wbtui.ui.app import WbtuiApp
from wbtui.ui.backup_jobs import BackupsListed
from wbtui.ui.messages import ChecksUpdate, Diagnosed, ErrorLines, ProbeUpdate, StatusUpdate
from wbtui.ui.panes.datastores import DatastoresPane
from wbtui.ui.panes.health import HealthPane
from wbtui.ui.panes.logs import LogsPane
from wbtui.ui.panes.runtime import RuntimePane
from wbtui.ui.session import Session

SNAPSHOT_DIR = Path(__file__).resolve().parent.parent / "snapshots"
CANARY_PASSWORD = "CanaryMysqlPw-7f3a9"
CANARY_SECRET_KEY = "CanaryS3Secret-9c1e"
CANARY_LICENSE = "eyJhbGciOiJSUzI1NiJ9.CanaryLicense-4b2d.c2lnbmF0dXJl"
CANARY_TOKEN = "CanaryEnvToken-2e8f"
CANARIES = (CANARY_PASSWORD, CANARY_SECRET_KEY, CANARY_LICENSE, CANARY_TOKEN)
T0 = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)
SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
PANES = ("overview", "config", "datastores", "runtime", "logs", "health")


class TopLevelSVG(SVGImageExtension):
    """pytest-textual-snapshot's SVG files, kept in the repository's snapshots/ folder."""

    @classmethod
    def dirname(cls, *, test_location: Any) -> str:
        return str(SNAPSHOT_DIR)


class TopLevelSnapshots(SnapshotAssertion):
    """snap_compare asks for SVGImageExtension; hand it the top-level variant instead."""

    def use_extension(self, extension_class: Any = None) -> SnapshotAssertion:
        return super().use_extension(TopLevelSVG if extension_class is SVGImageExtension else extension_class)


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    return TopLevelSnapshots(session=snapshot.session, extension_class=snapshot.extension_class,
                             test_location=snapshot.test_location, update_snapshots=snapshot.update_snapshots)


def canary_config() -> Config:
    config = Config()
    config.server.HOST = "https://wandb.example.com"
    config.server.LICENSE = CANARY_LICENSE
    config.server.MYSQL = f"mysql://wandb_local:{CANARY_PASSWORD}@db.example.com:3306/wandb_local"
    config.server.BUCKET = f"s3://AKIAEXAMPLE:{CANARY_SECRET_KEY}@minio.example.com:9000/wandb?tls=true"
    config.runtime.tag = "0.59.2"
    config.env["GORILLA_TOKEN"] = CANARY_TOKEN
    return config


def probe(endpoint: str, ok: bool, ms: float, when: datetime) -> ProbeResult:
    message = "200 OK" if ok else "503 Service Unavailable: not ready yet"
    fix = "" if ok else "wait: the server starts and runs migrations (up to 10 minutes); watch `wbtui logs -f`"
    return ProbeResult(f"http://127.0.0.1:8080/{endpoint}", endpoint, ok, "ok" if ok else "http-5xx", message,
                       200 if ok else 503, ms / 1000, fix, when)


def samples() -> tuple[list[Sample], ProbeHistory]:
    target = Target("http://127.0.0.1:8080", "local", "HOST does not answer from this machine; probing the "
                    "published port instead")
    history = ProbeHistory(100)
    made = []
    for i in range(24):
        when = T0 + timedelta(seconds=5 * i)
        ready_ok = i >= 9
        sample = Sample(when, target, probe("healthz", True, 4 + (i * 7) % 11, when),
                        probe("ready", ready_ok, 6 + (i * 5) % 17, when))
        history.add(sample)
        made.append(sample)
    return made, history


def check_results() -> list[CheckResult]:
    return [
        CheckResult("mysql.connect", "Connect", Status.PASS, "connected as wandb_local to db.example.com:3306",
                    duration=0.041, store="mysql"),
        CheckResult("mysql.server", "Server version", Status.PASS, "MySQL 8.0.36", duration=0.003, store="mysql"),
        CheckResult("mysql.charset", "Database charset", Status.WARN, "wandb_local uses latin1",
                    "W&B stores run names in utf8mb4.",
                    "ALTER DATABASE wandb_local CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;",
                    0.002, "mysql"),
        CheckResult("mysql.privileges", "Privileges", Status.PASS, "ALL PRIVILEGES on wandb_local.*", duration=0.004,
                    store="mysql"),
        CheckResult("s3.endpoint", "Endpoint", Status.PASS, "minio.example.com:9000 answers (TLS)", duration=0.120,
                    store="s3"),
        CheckResult("s3.bucket", "Bucket", Status.FAIL, "bucket 'wandb' does not exist",
                    "The credentials work, but there is no bucket of that name.",
                    "wbtui bucket create", 0.052, "s3"),
        CheckResult("s3.cors", "CORS", Status.SKIPPED, "skipped: Bucket did not pass", store="s3"),
    ]


def server_status() -> tuple[ServerStatus, ResourceUsage, list[RuntimeEvent]]:
    status = ServerStatus("docker", "wandb-local", True, "running", "healthy", True, 1, T0, 11_040.0,
                          "wandb/local:0.59.2", ["127.0.0.1:8080->8080/tcp"])
    usage = ResourceUsage(37.5, 2_147_483_648, 8_589_934_592)
    events = [RuntimeEvent(T0 + timedelta(seconds=s), kind, reason, message, "container/wandb-local")
              for s, kind, reason, message in ((0, "Normal", "create", "container created"),
                                               (1, "Normal", "start", "container started"),
                                               (300, "Warning", "die", "exit code 137 (OOM killed)"),
                                               (302, "Normal", "restart", "restarted by policy unless-stopped"))]
    return status, usage, events


def log_lines() -> list[tuple[str, str]]:
    out = []
    texts = ["*** Starting W&B server ...", "Running migrations...", '{"level":"info","msg":"Starting gorilla"}',
             "migration 0042 applied", "WARN: slow query on runs (1.2s)", "migrations complete (version 42)",
             "ERROR: lost connection to MySQL server during query",
             '{"level":"info","msg":"W&B server ready on :8080"}', "GET /ready 200 [bold]not markup[/bold]"]
    for i in range(60):
        out.append(((T0 + timedelta(milliseconds=250 * i)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:23],
                    f"{texts[i % len(texts)]} #{i:03d}"))
    return out


async def feed(pilot: Any, pane: str) -> None:
    """Put the fixed data on screen and show ``pane``."""
    app: WbtuiApp = pilot.app
    await ready(pilot)
    status, usage, events = server_status()
    made, history = samples()
    latencies = {e: history.latencies(e) for e in ("healthz", "ready")}
    results = check_results()
    for result in results:
        result.checked_at = time.time() - 180  # "3m ago" (ages are shown in whole minutes from here)
    logs = app.query_one(LogsPane)
    logs.ingest(log_lines())
    logs.update_status()
    await wait_for_workers(app, "diagnose", 30)  # its result would race the fixed errors below
    await pilot.pause()
    # Through the store, as workers' results arrive: the Overview's boxes and its verdict follow.
    app.on_status_update(StatusUpdate(status, usage, None))
    app.on_probe_update(ProbeUpdate(made[-1], latencies, None))
    app.on_error_lines(ErrorLines([Diagnosed(
        "ERROR: lost connection to MySQL server during query",
        "the database dropped the connection (restart, timeout or max_allowed_packet)",
        "check the MySQL server log; raise wait_timeout and max_allowed_packet (see the guide)")]))
    app.query_one(RuntimePane).show(status, usage, events, None)
    datastores = app.query_one(DatastoresPane)
    app.on_checks_update(ChecksUpdate(results, running=False, stores=("mysql", "s3"), took=2.4))  # as a run ends
    app.on_backups_listed(fixed_backups(now() - timedelta(hours=3, minutes=5), now()))  # the Overview's line
    await pilot.pause()
    app.clear_notifications()  # the run's "checked" toast: the panes are what is compared here
    health = app.query_one(HealthPane)
    health.show_sample(made[-1], latencies, list(history.transitions), made)
    health.query_one("#hp-watch").display = True
    health.show_watch_progress(WatchProgress(45.0, 600.0, "running migrations", made[5], status,
                                             ["migration 0042 applied"]))
    await pilot.press(str(PANES.index(pane) + 1))
    if pane == "datastores":
        datastores.query_one("#ds-table", DataTable).move_cursor(row=5)
    await pilot.pause()


def fixed_backups(newest: datetime, listed_at: datetime) -> BackupsListed:
    """Backups as a list of the local directory and the bucket would find them: verified, never verified, a
    failed verify, a dirty schema, an incomplete one."""
    def entry(where: str, created: datetime, verify: dict[str, Any] | None = None, dirty: bool = False,
              complete: bool = True, size: int = 13_002_342) -> dst.Entry:
        backup = f"wbtui-wandb_local-{created:%Y%m%dT%H%M%SZ}"
        tables = [Table("runs", 120_000, 3_917_412_211, "InnoDB"), Table("users", 40, 77_123_001, "InnoDB")]
        manifest = Manifest(backup, created.isoformat(), "wandb_local", "db.example.com:3306", "8.0.36",
                            f"{backup}.sql.zst", "zstd", size, "ab" * 32, tables,
                            {"table": "schema_migrations", "version": 42 if not dirty else 43, "dirty": dirty},
                            "wandb/local", "0.59.2", {"name": "mysqldump", "why": "the only dump tool here"}, 41.2,
                            "0.1.0") if complete else None
        return dst.Entry(backup, where, "/var/lib/wbtui/backups" if where == "local" else
                         "s3://wandb/wbtui-backups/", manifest, f"{backup}.sql.zst", size, created, verify)

    ok = {"ok": True, "when": (newest + timedelta(minutes=2)).isoformat(), "tables": 2, "rows": 120_040}
    bad = {"ok": False, "when": (newest - timedelta(days=1)).isoformat(),
           "problems": ["table runs: 119,998 rows restored, the manifest says 120,000"]}
    entries = [entry("bucket", newest, ok), entry("local", newest, ok),
               entry("local", newest - timedelta(days=1), dirty=True, size=12_944_110),
               entry("local", newest - timedelta(days=2), bad, size=12_801_003),
               entry("local", newest - timedelta(days=3), complete=False, size=4_194_304)]
    return BackupsListed(entries, [], ["/var/lib/wbtui/backups", "s3://wandb/wbtui-backups/"], "", listed_at)


def fixed_app() -> WbtuiApp:
    session = Session(Path("/etc/wbtui/config.toml"), canary_config(), file_exists=True)
    return WbtuiApp(session, background=False)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("pane", PANES)
def test_pane_snapshot(snap_compare: Any, pane: str, size: str) -> None:
    assert snap_compare(fixed_app(), terminal_size=SIZES[size], run_before=lambda pilot: feed(pilot, pane))


async def show_backups(pilot: Any) -> None:
    """Pane 7 lists its (empty) directory when shown; then the fixed backups, as a list at T0 + 3h found them."""
    app: WbtuiApp = pilot.app
    await ready(pilot)
    await pilot.press("7")
    await wait_for_workers(app, "backup-list", 30)
    await pilot.pause()
    app.on_backups_listed(fixed_backups(T0, T0 + timedelta(hours=3, minutes=5)))
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_backups_snapshot(snap_compare: Any, size: str, tmp_path: Path) -> None:
    """The Backups pane on a config without BUCKET (its list must not go out to the example host)."""
    config = canary_config()
    config.server.BUCKET = ""
    config.backup.directory = str(tmp_path / "backups")
    app = WbtuiApp(Session(Path("/etc/wbtui/config.toml"), config, file_exists=True), background=False)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=show_backups)


async def open_help(pilot: Any) -> None:
    await ready(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


@pytest.mark.parametrize("size", {**SIZES, "60x20": (60, 20)})
def test_help_snapshot(snap_compare: Any, size: str) -> None:
    assert snap_compare(fixed_app(), terminal_size={**SIZES, "60x20": (60, 20)}[size], run_before=open_help)


def test_no_secret_in_any_snapshot() -> None:
    files = sorted(SNAPSHOT_DIR.rglob("*.svg"))
    assert len(files) >= len(PANES) * len(SIZES), "run the snapshot tests first (--snapshot-update)"
    forms = {form for canary in CANARIES for form in (canary, quote(canary, safe=""))}
    for path in files:
        text = path.read_text()
        leaked = [form for form in forms if form in text]
        assert not leaked, f"{path.name} shows a secret: {leaked}"
