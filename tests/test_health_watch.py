"""The startup watch over a real local HTTP server and a scripted runtime timeline."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from tests.services.base import free_port
from tests.test_health_servers import HealthServer, ScriptedRuntime
from wbtui.config.model import Config
from wbtui.health.watch import (
    Reason,
    WatchProgress,
    WatchResult,
    guess_phase,
    run_startup_watch,
    startup_watch,
    watch_events,
)
from wbtui.runtime.base import Unreachable

START = [(0.0, "*** Starting W&B server"), (0.05, "*** Loading settings from /vol/env"),
         (0.1, "*** Connecting to MySQL ... ok"), (0.15, "Running migrations...")]


@pytest.fixture
def servers() -> Any:
    started: list[HealthServer] = []

    def start(**kwargs: Any) -> HealthServer:
        server = HealthServer(**kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def config(host: str = "") -> Config:
    c = Config()
    c.server.HOST = host or f"http://127.0.0.1:{free_port()}"  # not reachable: the watch uses the local URL
    c.server.MYSQL = "mysql://wandb_local:Sup3r-Secret-PW@db.internal:3306/wandb_local"
    return c


async def test_ready_after_migrations(servers: Any) -> None:
    server = servers(ready_after=3)  # /ready answers 503 three times, then 200
    cfg = config()
    runtime = ScriptedRuntime(cfg, local=server.url(), lines=[(0.0, text) for _, text in START])
    progress: list[WatchProgress] = []
    result = await startup_watch(runtime, cfg, timeout=20, interval=0.1, on_progress=progress.append)
    assert result.ready and result.reason == Reason.READY
    assert len(progress) == 3 and 0.2 <= result.elapsed < 10
    assert result.sample is not None and result.sample.target.via == "local"
    assert [t.message.split(" after ")[0] for t in result.sample.transitions] == ["ready"]
    assert progress and all(not p.sample or not p.sample.ready.ok for p in progress)
    assert "running migrations" in {p.phase for p in progress}
    assert "does not answer from this machine" in progress[0].note
    assert result.message.startswith("ready after") and server.url() in result.message
    assert result.diagnosis == []


async def test_crash_is_diagnosed_from_the_fatal_line(servers: Any) -> None:
    server = servers(ready_at=None)
    cfg = config()
    fatal = "panic: Dirty database version 1. Fix and force version."
    runtime = ScriptedRuntime(cfg, local=server.url(), lines=[*START, (0.3, "migration 0041 applied"), (0.35, fatal)],
                              states=[(0.4, {"state": "exited", "exit_code": 1})])
    started = time.monotonic()
    result = await startup_watch(runtime, cfg, timeout=60, interval=0.1)
    assert time.monotonic() - started < 10  # stopped early, not at the window
    assert (result.ready, result.reason) == (False, Reason.EXITED)
    assert "exit code 1" in result.message
    assert result.last_lines[-1] == fatal
    assert result.diagnosis[0].rule == "migration-dirty" and "version 1" in result.diagnosis[0].cause
    assert result.phase == "running migrations"


async def test_crash_loop_stops_the_watch(servers: Any) -> None:
    server = servers(ready_at=None)
    cfg = config()
    runtime = ScriptedRuntime(cfg, local=server.url(), lines=[(0.0, "panic: NoSuchBucket: ")],
                              states=[(0.2, {"restart_count": 1, "state": "restarting", "uptime_seconds": 0.1}),
                                      (0.4, {"restart_count": 2}), (0.6, {"restart_count": 3})])
    result = await startup_watch(runtime, cfg, timeout=60, interval=0.1)
    assert result.reason == Reason.CRASH_LOOP and "3 restarts" in result.message
    assert {"restart-loop", "bucket-missing"} <= {d.rule for d in result.diagnosis}


async def test_never_ready_hits_the_window(servers: Any) -> None:
    server = servers(ready_at=None)
    cfg = config()
    runtime = ScriptedRuntime(cfg, local=server.url(),
                              lines=[*START, (0.3, "migration 0042: waiting for table lock on runs")])
    started = time.monotonic()
    result = await startup_watch(runtime, cfg, timeout=1.5, interval=0.2)
    took = time.monotonic() - started
    assert result.reason == Reason.TIMEOUT and not result.ready
    assert 1.5 <= took < 4
    assert "503" in result.message
    [window] = [d for d in result.diagnosis if d.rule == "not-ready-in-window"]
    assert "2s" in window.evidence or "1s" in window.evidence
    assert result.phase == "running migrations"


async def test_a_pod_that_cannot_pull_its_image_stops_the_watch(servers: Any) -> None:
    server = servers(ready_at=None)
    cfg = config()
    runtime = ScriptedRuntime(cfg, local=server.url(), states=[(0.2, {
        "state": "failed", "reason": "ImagePullBackOff", "message": 'Back-off pulling image "wandb/local:0.99.9"'})])
    result = await startup_watch(runtime, cfg, timeout=30, interval=0.1)
    assert result.reason == Reason.EXITED and "ImagePullBackOff" in result.message
    assert result.diagnosis[0].rule == "image-missing"


async def test_a_removed_container_stops_the_watch(servers: Any) -> None:
    server = servers(ready_at=None)
    cfg = config()
    runtime = ScriptedRuntime(cfg, local=server.url())
    runtime.remove()
    result = await startup_watch(runtime, cfg, timeout=30, interval=0.1)
    assert result.reason == Reason.MISSING


async def test_daemon_down_does_not_stop_the_watch_and_is_reported(servers: Any) -> None:
    server = servers(ready_after=2)
    cfg = config(host=server.url())  # HOST answers: no runtime needed for the probe
    runtime = ScriptedRuntime(cfg, fail=Unreachable("Cannot connect to the Docker daemon at unix:///nowhere.sock"))
    notes: list[str] = []
    result = await startup_watch(runtime, cfg, timeout=20, interval=0.1, on_progress=lambda p: notes.append(p.note))
    assert result.ready and result.sample is not None and result.sample.target.via == "host"
    assert any("Cannot connect to the Docker daemon" in note for note in notes)


async def test_a_hung_status_call_is_bounded(servers: Any) -> None:
    server = servers(ready_at=None)
    cfg = config()
    runtime = ScriptedRuntime(cfg, local=server.url(), hang=True)
    started = time.monotonic()
    try:
        result = await startup_watch(runtime, cfg, timeout=1.0, interval=0.1, call_timeout=0.3)
    finally:
        runtime.close()
    assert result.reason == Reason.TIMEOUT and time.monotonic() - started < 5


async def test_progress_lines_are_redacted_and_async_callbacks_are_awaited(servers: Any) -> None:
    server = servers(ready_after=2)
    cfg = config()
    leak = "connecting to mysql://wandb_local:Sup3r-Secret-PW@db.internal:3306/wandb_local"
    runtime = ScriptedRuntime(cfg, local=server.url(), lines=[(0.0, leak)])
    seen: list[str] = []

    async def on_progress(progress: WatchProgress) -> None:
        seen.extend(progress.lines)

    result = await startup_watch(runtime, cfg, timeout=20, interval=0.1, on_progress=on_progress)
    assert result.ready and seen
    assert all("Sup3r-Secret-PW" not in line for line in [*seen, *result.last_lines])
    assert any("****" in line for line in seen)


async def test_events_iterator_ends_with_exactly_one_result(servers: Any) -> None:
    server = servers(ready_after=1)
    cfg = config()
    events = [e async for e in watch_events(ScriptedRuntime(cfg, local=server.url()), cfg, timeout=10, interval=0.1)]
    assert isinstance(events[-1], WatchResult) and all(isinstance(e, WatchProgress) for e in events[:-1])
    assert events[0].summary().startswith("0s/10s · ")


def test_sync_helper_from_a_worker_thread(servers: Any) -> None:
    server = servers(ready_after=1)
    cfg = config()
    box: dict[str, WatchResult] = {}
    worker = threading.Thread(target=lambda: box.setdefault(
        "r", run_startup_watch(ScriptedRuntime(cfg, local=server.url()), cfg, timeout=10, interval=0.1)))
    worker.start()
    worker.join(20)
    assert box["r"].ready


@pytest.mark.parametrize(("lines", "phase"), [
    ([], "starting"),
    (["*** Loading settings..."], "loading settings"),
    (["*** Setting up mysql database..."], "starting the database"),
    (["*** Configuring minio..."], "starting the embedded object store"),
    (["*** Starting wandb servers..."], "starting services"),
    (["*** Migrating database...", "Invoking megabinary \"migrate\": GOMAXPROCS=28"], "running migrations"),
    (["*** Migrating database...", "No change.", "*** All services started"], "started, waiting for /ready"),
])
def test_phase_guess_from_wandb_local_start_up_lines(lines: list[str], phase: str) -> None:
    assert guess_phase(lines) == phase
