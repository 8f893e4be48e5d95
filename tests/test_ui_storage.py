"""The dashboard's Storage pane, driven by its keys at 80x24 against the real radosgw and a tmpfs the test
mounts: the figures of `wbtui storage`, warnings at the top, `g` measures again, showing it again soon does
not list the bucket again; and its snapshot with fixed figures."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.test_monitor_storage import config_for, fill_to, folders, put, tmpfs  # noqa: F401  (tmpfs: a fixture)
from tests.test_ui_snapshots import SIZES, snapshot  # noqa: F401  (snapshot: the top-level snapshots/ folder)
from tests.ui_support import make_app, noticed, ready, screen_text, wait_for_workers, wait_until
from wbtui.config.model import Config
from wbtui.monitor.storage import Finding, StorageReport
from wbtui.monitor.storage_bucket import BucketUsage
from wbtui.monitor.storage_samples import Growth
from wbtui.monitor.storage_space import Space
from wbtui.ui.app import PANE_SPECS, WbtuiApp
from wbtui.ui.panes.storage import GROUP, StoragePane
from wbtui.ui.session import Session
from wbtui.ui.storage_jobs import StorageMeasured

SIZE = (80, 24)
KEY = str(next(n for n, (pane_id, _, _) in enumerate(PANE_SPECS, 1) if pane_id == "storage"))
MEASURE_SECONDS = 60.0  # a listing and the Docker daemon's info on a busy 2-core host


def pane(app: Any) -> StoragePane:
    return app.query_one(StoragePane)


async def measured(pilot: Any, count: int) -> str:
    """Wait for the pane's ``count``-th measurement and its worker's end; the screen text."""
    app = pilot.app
    await wait_until(pilot, lambda: pane(app).measurements >= count, MEASURE_SECONDS, f"measurement {count}")
    await wait_for_workers(app, GROUP, MEASURE_SECONDS)
    await pilot.pause()
    return screen_text(app)


@pytest.mark.s3
async def test_storage_pane_warns_first_and_g_measures_again(radosgw, s3_bucket, tmpfs, tmp_path,  # noqa: F811
                                                             monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    put(radosgw, s3_bucket, folders(3, 4))
    config = config_for(radosgw, s3_bucket)
    config.runtime.volume = str(tmpfs)
    fill_to(tmpfs, 8)
    app = make_app(tmp_path, config)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press(KEY)
        text = await measured(pilot, 1)
        assert app.active_pane == "storage"
        rows = [row.strip() for row in text.splitlines()]
        top = next(i for i, row in enumerate(rows) if row.startswith("Storage: 1 to look at ·"))
        assert rows[top + 1].startswith("⚠ /vol (host directory")  # the warning right under the status line
        assert "below 15%" in " ".join(rows[top + 1:top + 5])
        assert "12 objects" in text and "listed completely" in text
        assert "Docker data root" in text
        assert radosgw.secret_key not in text

        put(radosgw, s3_bucket, {"team-9/new.json": 10})
        await pilot.press("g")
        assert noticed(app, "Measuring the storage")
        text = await measured(pilot, 2)
        assert "13 objects" in text and "growth: known once samples 10 minutes apart" in text

        await pilot.press("1")
        await pilot.press(KEY)  # shown again within the cadence: the figures are kept, nothing is listed
        await pilot.pause()
        assert pane(app).measurements == 2 and not pane(app).measuring()
        assert "13 objects" in screen_text(app)


async def test_storage_pane_says_a_store_that_does_not_answer(tmp_path, monkeypatch):
    import socket

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        config = Config()
        config.server.BUCKET = f"s3://key:CanaryPaneSecret@127.0.0.1:{server.getsockname()[1]}/wandb"
        config.runtime.backend = "kubernetes"
        config.app.timeout = 1.0
        app = make_app(tmp_path, config)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press(KEY)
            text = await measured(pilot, 1)
            assert "✘ object store: 127.0.0.1:" in text and "no answer within 1s" in text
            assert "on Kubernetes /vol is a PersistentVolume" in text
            assert "CanaryPaneSecret" not in text


def fixed_report() -> StorageReport:
    gib = 1024 ** 3
    usage = BucketUsage("minio.example.com:9000", "wandb", "", objects=1_234_567, bytes=812 * gib, exact=False,
                        listed_objects=100_000, listed_bytes=66 * gib, pages=100, seconds=9.8,
                        stopped="the limit of 100,000 objects",
                        how="estimate: 100,000 objects listed (stopped at the limit of 100,000 objects), 3 of 37 "
                            "folders under wandb/ completely; the 34 not finished counted at their average "
                            "(33,367 objects each)")
    spaces = [Space("Docker data root", "/var/lib/docker", 500 * gib, 60 * gib, "warning",
                    fix="free space on the Docker data root: docker image prune -a"),
              Space("/vol (volume wandb-data)", "/var/lib/docker/volumes/wandb-data/_data", 500 * gib, 60 * gib,
                    "warning", fix="grow the volume's filesystem"),
              Space("MySQL data directory", "/var/lib/mysql", 200 * gib, 8 * gib, "critical",
                    fix="grow the database's disk")]
    report = StorageReport(usage, Growth(2_100.0, 3.5 * gib, 9 * 86400.0, 217, False), spaces,
                           taken_at=1714557600.0)
    report.findings = [Finding("critical", "MySQL data directory: 4.0% free (8.0 GiB of 200.0 GiB), below 5%",
                               "grow the database's disk"),
                       Finding("warning", "Docker data root: 12.0% free (60.0 GiB of 500.0 GiB), below 15%",
                               "free space on the Docker data root: docker image prune -a")]
    return report


async def show_fixed(pilot: Any) -> None:
    """The pane measures (a config with nothing to reach) when shown; then the fixed figures."""
    app: WbtuiApp = pilot.app
    await ready(pilot)
    await pilot.press(KEY)
    await wait_until(pilot, lambda: pane(app).measurements >= 1, MEASURE_SECONDS, "the first measurement")
    await wait_for_workers(app, GROUP, MEASURE_SECONDS)
    pane(app).on_storage_measured(StorageMeasured(fixed_report()))
    await pilot.pause()


def test_storage_snapshot(snap_compare: Any, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = Config()
    config.runtime.backend = "kubernetes"  # nothing to ask: no daemon, no bucket, no database
    app = WbtuiApp(Session(Path("/etc/wbtui/config.toml"), config, file_exists=True), background=False)
    assert os.environ["XDG_STATE_HOME"].startswith(str(tmp_path))
    assert snap_compare(app, terminal_size=SIZES["80x24"], run_before=show_fixed)


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
async def test_the_storage_tab_shows_when_it_is_the_active_one(tmp_path, monkeypatch, size):
    """Nine tabs do not fit 80 columns closed up: the other titles are shortened, so the active tab shows
    whole and every number stays on the bar."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = Config()
    config.runtime.backend = "kubernetes"
    app = make_app(tmp_path, config)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        assert screen_text(app).splitlines()[1].strip().startswith("1 Overview 2 Co")
        await pilot.press(KEY)
        await measured(pilot, 1)
        bar = screen_text(app).splitlines()[1]
        assert bar.strip().startswith("1 Ov") and bar.rstrip().endswith(f"{KEY} Storage")
        assert len(bar.rstrip()) <= size[0]
        await pilot.press("1")
        await pilot.pause()
        assert screen_text(app).splitlines()[1].strip().startswith("1 Overview 2 Co")
        await pilot.press(KEY)
        await measured(pilot, 1)
        bar = screen_text(app).splitlines()[1]
        assert bar.strip().startswith("1 Ov") and bar.rstrip().endswith(f"{KEY} Storage")
        assert len(bar.rstrip()) <= size[0]
        await pilot.press("1")
        await pilot.pause()
        assert screen_text(app).splitlines()[1].strip().startswith("1 Overview 2 Co")
