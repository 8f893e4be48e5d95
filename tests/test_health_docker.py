"""The startup watch and the doctor against real stand-in containers run by the Docker backend."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.services.base import free_port, wait_for
from wbtui.config.masking import bundle
from wbtui.config.model import Config
from wbtui.health.watch import Reason, WatchProgress, startup_watch
from wbtui.ops.doctor import redact_data, run_doctor
from wbtui.runtime.docker.backend import DockerRuntime

pytestmark = pytest.mark.docker

SECRET = "Docker-Canary/Pw+7"


@pytest.fixture
def deploy(docker_host: str, standin_image: str, docker_labels: dict[str, str],
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., DockerRuntime]]:
    """Factory: deploy the stand-in with STANDIN_* env through the Docker backend; removed afterwards."""
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    runtimes: list[DockerRuntime] = []

    def run(restart_policy: str = "no", **env: str) -> DockerRuntime:
        token = secrets.token_hex(4)
        config = Config()
        config.server.HOST = f"http://127.0.0.1:{free_port()}"  # not answering: the watch falls back to local
        config.server.MYSQL = f"mysql://wandb_local:{SECRET.replace('/', '%2F').replace('+', '%2B')}@db:3306/w"
        repo, _, tag = standin_image.partition(":")
        config.runtime.image, config.runtime.tag = repo, tag
        config.runtime.container_name = f"wbtui-test-health-{token}"
        config.runtime.volume = f"wbtui-test-health-{token}"
        config.runtime.port = free_port()
        config.runtime.bind_address = "127.0.0.1"
        config.runtime.restart_policy = restart_policy
        config.runtime.cpu_limit = config.runtime.cpu_request = "1"
        config.runtime.memory_limit = config.runtime.memory_request = "256M"
        config.env.update({"STANDIN_HEARTBEAT": "0", **env})
        runtime = DockerRuntime(config, pull=False, labels=docker_labels)
        runtimes.append(runtime)
        runtime.deploy()
        return runtime

    yield run
    for runtime in runtimes:
        runtime.remove(purge=True)
        runtime.close()


async def test_ready_with_phases_from_the_container_logs(deploy: Callable[..., DockerRuntime]) -> None:
    runtime = deploy(STANDIN_READY_DELAY="2")
    progress: list[WatchProgress] = []
    result = await startup_watch(runtime, runtime.config, timeout=60, interval=0.25, on_progress=progress.append)
    assert result.ready and result.reason == Reason.READY, result.message
    assert result.sample is not None and result.sample.target.via == "local"
    assert "running migrations" in {p.phase for p in progress}
    assert any("migrations complete (version 42)" in line for line in result.last_lines)
    assert 1.5 < result.elapsed < 30
    assert all(SECRET not in line for p in progress for line in p.lines)


async def test_never_ready_hits_the_shortened_window(deploy: Callable[..., DockerRuntime]) -> None:
    runtime = deploy(STANDIN_MODE="never-ready", STANDIN_READY_DELAY="1")
    started = time.monotonic()
    result = await startup_watch(runtime, runtime.config, timeout=4, interval=0.25)
    assert result.reason == Reason.TIMEOUT and not result.ready
    assert 4 <= time.monotonic() - started < 15
    assert "/ready: 503" in result.message
    assert "not-ready-in-window" in {d.rule for d in result.diagnosis}
    assert result.phase == "running migrations"  # "migration 0042: waiting for table lock on runs"


async def test_crash_is_diagnosed_from_its_fatal_line(deploy: Callable[..., DockerRuntime]) -> None:
    runtime = deploy(STANDIN_MODE="crash")
    started = time.monotonic()
    result = await startup_watch(runtime, runtime.config, timeout=120, interval=0.25)
    assert time.monotonic() - started < 30  # stopped early, long before the window
    assert result.reason == Reason.EXITED and "exit code 1" in result.message
    assert result.last_lines[-1] == "panic: Dirty database version 1. Fix and force version."
    first = result.diagnosis[0]
    assert first.rule == "migration-dirty" and "version 1" in first.cause and "schema_migrations" in first.fix


async def test_crash_loop_under_a_restart_policy(deploy: Callable[..., DockerRuntime]) -> None:
    runtime = deploy(restart_policy="always", STANDIN_MODE="crash")
    result = await startup_watch(runtime, runtime.config, timeout=120, interval=0.25)
    assert result.reason == Reason.CRASH_LOOP, result.message
    rules = [d.rule for d in result.diagnosis]
    assert "migration-dirty" in rules and "restart-loop" in rules


def test_doctor_on_a_crashed_container(deploy: Callable[..., DockerRuntime]) -> None:
    runtime = deploy(STANDIN_MODE="crash")
    deadline = time.monotonic() + 30
    while runtime.status().state != "exited" and time.monotonic() < deadline:
        time.sleep(0.1)
    report = run_doctor(runtime.config, runtime=runtime, timeout=15)
    assert report.status is not None and report.status.state == "exited" and report.status.exit_code == 1
    assert report.logs[-1] == "panic: Dirty database version 1. Fix and force version."
    assert report.diagnosis[0].rule == "migration-dirty"
    assert report.versions["docker"] and report.versions["server_image"].startswith("wbtui-test/local")
    assert report.parts["status"].ok and report.parts["logs"].ok and report.parts["versions"].ok
    text = json.dumps(redact_data(report.to_dict(), bundle(runtime.config)))
    assert SECRET not in text and "****" in text


async def test_doctor_on_a_ready_container(deploy: Callable[..., DockerRuntime]) -> None:
    runtime = deploy(STANDIN_READY_DELAY="0")
    assert (await startup_watch(runtime, runtime.config, timeout=60, interval=0.1)).ready
    # The daemon's event query has whole-second bounds: wait until the start event is queryable.
    await asyncio.to_thread(wait_for, lambda: len(runtime.events(limit=10)) >= 2, 10, "container events")
    report = await asyncio.to_thread(run_doctor, runtime.config, runtime=runtime, timeout=15)
    assert report.status is not None and report.status.state == "running"
    assert report.sample is not None and report.sample.ok and report.sample.target.via == "local"
    assert {"create", "start"} <= {e.reason for e in report.events}
    assert report.diagnosis == [] and report.logs


def _exited(runtime: DockerRuntime) -> None:
    wait_for(lambda: runtime.status().state == "exited", 60, f"{runtime.name} exited", interval=0.1)
    # The daemon's event query has whole-second bounds: wait until the die event is queryable.
    wait_for(lambda: "die" in {e.reason for e in runtime.events(limit=20)}, 10, "the die event")


async def test_a_stop_that_timed_out_is_not_an_oom_kill(deploy: Callable[..., DockerRuntime]) -> None:
    runtime = deploy(STANDIN_IGNORE_TERM="1", STANDIN_READY_DELAY="0")
    assert (await startup_watch(runtime, runtime.config, timeout=60, interval=0.1)).ready
    await asyncio.to_thread(runtime.stop, 1)  # SIGTERM is ignored: SIGKILL after 1 s
    await asyncio.to_thread(_exited, runtime)
    report = await asyncio.to_thread(run_doctor, runtime.config, runtime=runtime, timeout=15)
    assert report.status is not None and report.status.exit_code == 137 and not report.status.oom_killed
    assert [e.message for e in report.events if e.reason == "kill"] == ["signal 15", "signal 9"]
    assert "*** Received SIGTERM, ignoring it" in report.logs
    rules = {d.rule: d for d in report.diagnosis}
    assert "oom-killed" not in rules and "killed" not in rules, list(rules)
    found = rules["stop-timed-out"]
    assert "docker stop / wbtui down" in found.title and "SIGTERM" in found.title
    assert "OOMKilled is false" in found.evidence and "wbtui up" in found.fix


def test_docker_kill_is_killed_by_a_user(deploy: Callable[..., DockerRuntime], docker_client: Any) -> None:
    runtime = deploy(STANDIN_READY_DELAY="0")
    docker_client.containers.get(runtime.name).kill()
    _exited(runtime)
    report = run_doctor(runtime.config, runtime=runtime, timeout=15)
    assert report.status is not None and report.status.exit_code == 137 and not report.status.oom_killed
    rules = {d.rule: d for d in report.diagnosis}
    assert "oom-killed" not in rules and "stop-timed-out" not in rules, list(rules)
    assert "signal 9" in rules["killed"].evidence and "user or process" in rules["killed"].title


def test_a_real_oom_kill_is_a_memory_finding(deploy: Callable[..., DockerRuntime]) -> None:
    runtime = deploy(STANDIN_MODE="oom")
    _exited(runtime)
    report = run_doctor(runtime.config, runtime=runtime, timeout=15)
    assert report.status is not None and report.status.oom_killed and report.status.exit_code == 137
    rules = {d.rule: d for d in report.diagnosis}
    assert "stop-timed-out" not in rules and "killed" not in rules, list(rules)
    assert "OOM killer" in rules["oom-killed"].evidence and "memory limit 256M" in rules["oom-killed"].evidence
