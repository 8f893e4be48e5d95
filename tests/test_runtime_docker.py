"""The Docker backend against the real engine and the W&B stand-in image."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import socket
import time
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.services.base import free_port, wait_for
from tests.services.docker_fixtures import standin_config
from wbtui.config.model import Config
from wbtui.runtime.base import (
    ImageMissing,
    LogLine,
    NameConflict,
    NotDeployed,
    PortInUse,
    Progress,
    Unreachable,
)
from wbtui.runtime.docker.backend import DockerRuntime

pytestmark = pytest.mark.docker

SECRET = "Sup3r-" + secrets.token_hex(6)


def make_config(image: str, **env: str) -> Config:
    return standin_config(image, prefix="rt", secret=SECRET, ready_delay="0.3", heartbeat="0.2", **env)


@pytest.fixture
def runtimes(docker_runtimes: Any, standin_image: str) -> Any:
    """Factory of DockerRuntimes over fresh stand-in configs (or the one given); cleaned up afterwards."""

    def make(config: Config | None = None, **env: str) -> DockerRuntime:
        return docker_runtimes(config or make_config(standin_image, **env))

    return make


def ready(runtime: DockerRuntime) -> bool:
    try:
        return httpx.get(f"{runtime.local_url()}/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def container(docker_client: Any, runtime: DockerRuntime) -> Any:
    return docker_client.containers.get(runtime.name)


async def collect(runtime: DockerRuntime, n: int, timeout: float = 10, **kwargs: Any) -> list[LogLine]:
    out: list[LogLine] = []

    async def read() -> None:
        async with runtime.logs(**kwargs) as stream:
            async for line in stream:
                out.append(line)
                if len(out) >= n:
                    return

    await asyncio.wait_for(read(), timeout)
    return out


def test_lifecycle_deploy_ready_logs_restart_upgrade_stop_remove(runtimes: Any, docker_client: Any,
                                                               standin_image: str) -> None:
    rt = runtimes()
    steps: list[Progress] = []
    rt.progress = steps.append
    assert rt.deploy().startswith(f"created and started {rt.name}")
    c = container(docker_client, rt)
    host = c.attrs["HostConfig"]
    assert host["NanoCpus"] == 10**9 and host["Memory"] == 256 * 2**20
    assert host["RestartPolicy"]["Name"] == "unless-stopped"
    assert host["PortBindings"] == {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": str(rt.config.runtime.port)}]}
    assert any(m["Destination"] == "/vol" and m["Name"] == rt.config.runtime.volume for m in c.attrs["Mounts"])
    assert f"MYSQL=mysql://wandb:{SECRET}@db.internal:3306/wandb" in c.attrs["Config"]["Env"]
    assert c.labels["wbtui-test"] == "1" and c.labels["app.kubernetes.io/managed-by"] == "wbtui"
    wait_for(lambda: ready(rt), 15, "/ready", interval=0.1)

    assert "up to date and running" in rt.deploy()
    assert container(docker_client, rt).id == c.id and steps == []  # nothing to pull, nothing recreated

    status = rt.status()
    assert (status.exists, status.state, status.image) == (True, "running", standin_image)
    assert status.ports == [f"127.0.0.1:{rt.config.runtime.port}->8080/tcp"] and status.uptime_seconds >= 0
    usage = rt.usage()  # the first reading: memory now, CPU needs a second one
    assert usage is not None and usage.cpu_percent is None and usage.cpu_note == "measuring"
    assert 0 < usage.memory_bytes < 256 * 2**20 and usage.memory_limit_bytes == 256 * 2**20
    assert usage.source in ("cgroup v1", "cgroup v2", "stats API (one-shot)")
    usage = rt.usage()  # CPU since the first (the dashboard's refresh interval)
    assert usage is not None and usage.cpu_percent is not None and usage.cpu_percent >= 0
    assert usage.cpu_window is not None and usage.cpu_window > 0 and usage.cpu_note == ""
    fresh = type(rt)(rt.config, pull=False).usage(settle=0.05)  # the CLI's one short sample
    assert fresh is not None and fresh.cpu_percent is not None and fresh.cpu_window is not None
    assert fresh.cpu_window >= 0.05

    lines = asyncio.run(collect(rt, 3, tail=None, follow=False))
    assert lines[0].text.startswith("*** Starting W&B server") and lines[0].timestamp is not None
    c.exec_run(["sh", "-c", "echo kept > /vol/marker"])

    started = status.started_at
    assert rt.restart().startswith(f"restarted {rt.name} (stopped: exit 0, ")
    assert rt.status().started_at > started
    said = [step.message for step in steps]  # each step as it happened, for the dashboard and the CLI
    assert said[0] == f"stopping {rt.name}: SIGTERM, SIGKILL after 30 s"
    assert said[1].startswith(f"stopped {rt.name} (exit 0, ")
    assert said[2:] == [f"starting {rt.name}", f"started {rt.name}"]
    steps.clear()

    upgraded = f"{standin_image.rpartition(':')[0]}:upgrade-{secrets.token_hex(3)}"
    docker_client.images.get(standin_image).tag(upgraded)
    try:
        assert rt.upgrade(upgraded.rpartition(":")[2]) == upgraded
        after = container(docker_client, rt)
        assert after.id != c.id and after.attrs["Config"]["Image"] == upgraded
        assert after.exec_run(["cat", "/vol/marker"]).output == b"kept\n"  # same volume
        assert rt.status().image == upgraded
        # the caller saves the tag: until it does, deploy goes back to the configured image
        rt.config.runtime.tag = upgraded.rpartition(":")[2]
        assert "up to date" in rt.deploy()
    finally:
        rt.config.runtime.tag = standin_image.rpartition(":")[2]
        rt.deploy()
        docker_client.images.remove(upgraded)

    assert rt.stop(timeout=10).startswith(f"stopped {rt.name} (exit 0, ")
    stopped = rt.status()
    assert (stopped.state, stopped.exit_code, stopped.reason) == ("exited", 0, "Completed")
    assert rt.usage() is None
    assert rt.start() == f"started {rt.name}"
    reasons = [e.reason for e in rt.events()]
    assert {"create", "start", "kill", "die", "stop", "destroy"} <= set(reasons)

    assert rt.remove() == f"removed container {rt.name}; volume {rt.config.runtime.volume} kept"
    assert rt.status().exists is False
    docker_client.volumes.get(rt.config.runtime.volume)
    assert rt.remove(purge=True) == f"removed volume {rt.config.runtime.volume}"
    with pytest.raises(NotDeployed):
        rt.start()


def test_a_server_ignoring_sigterm_is_stopped_by_sigkill_and_says_so(runtimes: Any) -> None:
    """The wait for the stop timeout is a step of its own; the exit code says SIGKILL ended it."""
    rt = runtimes(STANDIN_IGNORE_TERM="1")
    rt.deploy()
    wait_for(lambda: ready(rt), 15, "/ready", interval=0.1)
    steps: list[Progress] = []
    rt.progress = steps.append
    done = rt.stop(timeout=2)
    assert done.startswith(f"stopped {rt.name} (exit 137 after SIGKILL, ") and done.endswith(" s)")
    assert [s.message for s in steps] == [f"stopping {rt.name}: SIGTERM, SIGKILL after 2 s", done]
    assert int(done.rpartition(", ")[2].removesuffix(" s)")) >= 2


def test_events_are_asked_again_only_when_the_state_changed(runtimes: Any, docker_client: Any,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The dashboard's refresh is status() then events(): an unchanged state reuses the last read."""
    from wbtui.runtime.docker import backend

    rt = runtimes()
    rt.deploy()
    wait_for(lambda: ready(rt), 15, "/ready", interval=0.1)
    asked: list[object] = []
    real = rt.client().api.events
    monkeypatch.setattr(rt.client().api, "events", lambda *a, **k: asked.append(k) or real(*a, **k))

    def refresh() -> list[str]:
        rt.status()
        return [e.reason for e in rt.events(limit=30)]

    first = refresh()
    assert "start" in first and len(asked) == 1
    assert refresh() == first and refresh() == first and len(asked) == 1
    monkeypatch.setattr(rt, "STATUS_STANDS", 0.0)  # events() long after the last status(): it is asked
    rt.events()
    assert len(asked) == 2
    monkeypatch.undo()
    monkeypatch.setattr(rt.client().api, "events", lambda *a, **k: asked.append(k) or real(*a, **k))
    container(docker_client, rt).restart(timeout=1)
    after = refresh()
    assert len(asked) == 3 and after.count("start") == first.count("start") + 1 and "die" in after
    monkeypatch.setattr(backend, "EVENTS_REUSE", 0.0)  # the periodic read (a signal the server ignored)
    refresh()
    assert len(asked) == 4
    rt.events(since=datetime.fromtimestamp(0).astimezone())  # another window is always asked
    assert len(asked) == 5


def test_config_change_recreates_and_keeps_the_volume(runtimes: Any, docker_client: Any) -> None:
    rt = runtimes()
    rt.deploy()
    first = container(docker_client, rt)
    first.exec_run(["sh", "-c", "echo kept > /vol/marker"])
    rt.config.env["STANDIN_HEARTBEAT"] = "0.3"
    message = rt.deploy()
    assert message.startswith("recreated") and "volume kept" in message
    second = container(docker_client, rt)
    assert second.id != first.id and "STANDIN_HEARTBEAT=0.3" in second.attrs["Config"]["Env"]
    assert second.exec_run(["cat", "/vol/marker"]).output == b"kept\n"


def test_logs_are_redacted_and_timestamps_kept_on_request(runtimes: Any) -> None:
    rt = runtimes(STANDIN_ERROR_AT="0", STANDIN_ERROR_LINE=f"ERROR: mysql://wandb:{SECRET}@db.internal failed")
    rt.deploy()
    wait_for(lambda: any("ERROR" in x.text for x in _all(rt)), 10, "the error line")
    lines = _all(rt, timestamps=True)
    error = next(x for x in lines if "ERROR" in x.text)
    assert SECRET not in error.text and error.text[31:] == "ERROR: mysql://wandb:****@db.internal failed"
    assert datetime.fromisoformat(error.text[:30]) == error.timestamp
    assert not any(x.text[:4] == "2026" for x in _all(rt))  # stripped unless asked for
    since = lines[-1].timestamp
    later = _all(rt, since=since)
    assert later and all(x.timestamp >= since for x in later)


def _all(rt: DockerRuntime, tail: int | None = None, **kwargs: Any) -> list[LogLine]:
    async def read() -> list[LogLine]:
        return [line async for line in rt.logs(follow=False, tail=tail, **kwargs)]

    return asyncio.run(asyncio.wait_for(read(), 10))


def daemon_log(docker_client: Any, rt: DockerRuntime) -> list[tuple[str, str]]:
    """(timestamp, text) of every line in the container's log, straight from the daemon."""
    raw = container(docker_client, rt).logs(timestamps=True).decode()
    return [(line[:30], line[31:]) for line in raw.splitlines()]


def test_follow_survives_container_restarts_without_duplicates_or_gaps(runtimes: Any, docker_client: Any) -> None:
    rt = runtimes(STANDIN_HEARTBEAT="0.1")
    rt.deploy()

    async def scenario() -> list[LogLine]:
        got: list[LogLine] = []
        stream = rt.logs(follow=True, tail=None, timestamps=True)

        async def read() -> None:
            async for line in stream:
                got.append(line)

        async def beats(n: int) -> None:
            start = sum("heartbeat" in x.text for x in got)
            while sum("heartbeat" in x.text for x in got) < start + n:
                await asyncio.sleep(0.05)

        reader = asyncio.create_task(read())
        try:
            await asyncio.wait_for(beats(3), 10)
            await asyncio.to_thread(rt.restart)
            await asyncio.wait_for(beats(3), 10)
            await asyncio.to_thread(rt.stop, 10)
            await asyncio.sleep(0.5)  # stopped: the stream waits
            await asyncio.to_thread(rt.start)
            await asyncio.wait_for(beats(3), 10)
        finally:
            await stream.aclose()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        return got

    got = asyncio.run(scenario())
    assert not any(x.gap for x in got)
    markers = [i for i, x in enumerate(got) if x.restart]  # where each new instance's lines begin
    starts = [i for i, x in enumerate(got) if "Starting W&B server" in x.text]
    assert [i + 1 for i in markers] == starts[1:]
    assert all(got[i].text.startswith("── container restarted ") for i in markers)
    streamed = [(x.text[:30], x.text[31:]) for x in got if not x.restart]
    full = daemon_log(docker_client, rt)
    assert streamed == full[:len(streamed)]  # every line once, in order, nothing missing
    assert sum("Starting W&B server" in text for _, text in streamed) == 3


def test_closing_a_follow_stream_stops_its_reader_thread(runtimes: Any) -> None:
    rt = runtimes()
    rt.deploy()

    async def scenario() -> tuple[Any, float]:
        stream = rt.logs(follow=True, tail=1)
        await asyncio.wait_for(stream.__anext__(), 10)
        began = time.monotonic()
        await stream.aclose()
        return stream, time.monotonic() - began

    stream, took = asyncio.run(scenario())
    assert not stream.thread.is_alive() and took < 2

    async def cancelled() -> Any:
        stream = rt.logs(follow=True, tail=1)

        async def read() -> None:
            async for _ in stream:
                pass

        task = asyncio.create_task(read())
        await asyncio.sleep(0.5)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return stream

    stream = asyncio.run(cancelled())
    stream.thread.join(2)
    assert not stream.thread.is_alive()


def test_previous_is_the_log_before_the_last_start(runtimes: Any) -> None:
    rt = runtimes()
    rt.deploy()
    wait_for(lambda: sum("heartbeat" in x.text for x in _all(rt)) >= 2, 10, "heartbeats")
    rt.restart()
    started = rt.status().started_at
    before = _all(rt, previous=True)
    assert before and before[0].text.startswith("*** Starting W&B server")
    assert all(x.timestamp < started for x in before)
    assert "*** Received SIGTERM, shutting down W&B server" in [x.text for x in before]
    assert [x.text for x in _all(rt, previous=True, tail=2)] == [x.text for x in before[-2:]]
    rt.stop(timeout=10)
    ended = _all(rt, previous=True)  # not running: the run that ended last
    assert ended and all(x.timestamp >= started for x in ended)


def test_missing_image_fails_fast_and_says_why(runtimes: Any, standin_image: str) -> None:
    config = make_config(f"127.0.0.1:{free_port()}/wbtui-test/missing:none")
    rt = runtimes(config)
    steps: list[Progress] = []
    rt.progress = steps.append
    began = time.monotonic()
    with pytest.raises(ImageMissing) as info:
        rt.deploy()
    assert time.monotonic() - began < 15
    assert "could not be pulled" in info.value.message and "connection refused" in info.value.message
    assert "docker load" in info.value.fix
    assert steps and steps[0].message.startswith("pulling 127.0.0.1:")
    rt.pull = False
    with pytest.raises(ImageMissing, match="pulling is off"):
        rt.deploy()


@pytest.mark.parametrize("host", ["unix:///nonexistent.sock", "tcp://127.0.0.1:{port}"])
def test_unreachable_daemon_is_explained(host: str, monkeypatch: pytest.MonkeyPatch, standin_image: str) -> None:
    monkeypatch.setenv("DOCKER_HOST", host.format(port=free_port()))
    rt = DockerRuntime(make_config(standin_image))
    began = time.monotonic()
    for call in (rt.status, rt.deploy, lambda: rt.remove(purge=True), lambda: _all(rt)):
        with pytest.raises(Unreachable) as info:
            call()
        assert "Docker daemon not reachable" in info.value.message and "systemctl start docker" in info.value.fix
    assert time.monotonic() - began < 10


def test_port_in_use(runtimes: Any) -> None:
    rt = runtimes()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", rt.config.runtime.port))
        busy.listen()
        with pytest.raises(PortInUse) as info:
            rt.deploy()
    assert str(rt.config.runtime.port) in info.value.message
    assert "wbtui config set runtime.port" in info.value.fix
    assert rt.status().state == "created"
    assert "started" in rt.deploy()  # the port is free again: the same container starts


def test_same_named_container_not_ours_is_never_touched(runtimes: Any, docker_client: Any, standin_image: str,
                                                         docker_labels: dict[str, str]) -> None:
    rt = runtimes()
    stranger = docker_client.containers.create(standin_image, name=rt.name, labels=docker_labels)
    try:
        for call in (rt.deploy, rt.status, rt.stop, lambda: rt.remove(purge=True), lambda: _all(rt)):
            with pytest.raises(NameConflict) as info:
                call()
            assert "not created by wbtui" in info.value.message
            assert f"wbtui config import --from docker --container {rt.name}" in info.value.fix
        assert docker_client.containers.get(rt.name).id == stranger.id
    finally:
        stranger.remove(force=True)


def test_logs_of_nothing_deployed(runtimes: Any) -> None:
    rt = runtimes()
    with pytest.raises(NotDeployed):
        _all(rt)
    assert rt.status().exists is False and rt.events() == [] and rt.usage() is None


def test_running_config_describe_and_versions(runtimes: Any, docker_host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    rt = runtimes()
    base = rt.config.copy()
    base.server.MYSQL = ""
    base.runtime.cpu_limit = "3"
    assert rt.running_config(base) is None  # nothing deployed
    rt.deploy()
    running = rt.running_config(base)
    assert running is not None and running.server.MYSQL == rt.config.server.MYSQL != ""
    assert (running.runtime.container_name, running.runtime.image_ref) == (rt.name, rt.config.runtime.image_ref)
    assert running.runtime.cpu_limit == rt.config.runtime.cpu_limit != "3"
    assert rt.describe() == {"docker host": docker_host, "container": rt.name}
    assert rt.versions()["docker"].split(" ")[0].count(".") >= 1
