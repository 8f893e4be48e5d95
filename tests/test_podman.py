"""The Docker backend on a real Podman (``podman system service``), rootful and rootless: every test runs on
both. DOCKER_HOST points at Podman's socket, as an operator sets it; the stand-in was built in that Podman."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services.base import free_port, wait_for
from tests.services.docker_engine import STANDIN_TAG
from tests.services.docker_fixtures import standin_config
from tests.services.podman import PodmanService
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.runtime.docker.backend import UNMEASURED_ROOTLESS, DockerRuntime
from wbtui.runtime.docker.engine import identify

pytestmark = pytest.mark.podman
SECRET = "Pod-" + secrets.token_hex(6)


def make_config(**env: str) -> Config:
    c = standin_config(STANDIN_TAG, prefix="podman", secret=SECRET, ready_delay="0.3", heartbeat="0.2", **env)
    c.runtime.cpu_request, c.runtime.memory_request = "0.5", "128Mi"
    c.server.HOST = f"http://127.0.0.1:{free_port()}"  # not served: probes use the published port
    return c


def run(path: Path, *argv: str) -> int:
    return main(["--config", str(path), *argv])


@pytest.fixture
def deployment(tmp_path: Path, podman_host: str) -> Iterator[Any]:
    """Factory: a saved config for the stand-in on Podman; what the CLI created is removed afterwards."""
    made: list[Path] = []

    def make(**env: str) -> Path:
        path = tmp_path / f"config-{len(made)}.toml"
        store.save(make_config(**env), path)
        made.append(path)
        return path

    yield make
    for path in made:
        runtime = DockerRuntime(store.load(path))
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()


def _runtime(path: Path) -> DockerRuntime:
    return DockerRuntime(store.load(path))


def test_the_engine_says_it_is_podman(podman: PodmanService, podman_host: str) -> None:
    runtime = DockerRuntime(make_config())
    try:
        engine = runtime.engine()
        versions = runtime.versions()
    finally:
        runtime.close()
    assert engine.podman and engine.rootless == podman.rootless
    assert engine.version.startswith("4.") and engine.api_version.startswith("1.")
    mode = "rootless" if podman.rootless else "rootful"
    assert engine.label == f"Podman {engine.version} (Docker-compatible API {engine.api_version}" + (
        ", rootless)" if podman.rootless else ")")
    assert versions == {"podman": f"{engine.version} (Docker-compatible API {engine.api_version}, linux/amd64, "
                                  f"{mode})"}
    with contextlib.closing(podman.client()) as client:
        info = client.info()
        assert "Podman Engine" in [c["Name"] for c in client.version()["Components"]]
    # what the socket's owner and the host said without /info is what /info says
    assert (engine.rootless, engine.cgroup_version) == (bool(info["Rootless"]), str(info["CgroupVersion"]))


def test_up_status_logs_restart_down_upgrade(deployment: Any, podman: PodmanService,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = deployment()
    config = store.load(path)
    name, port = config.runtime.container_name, config.runtime.port
    assert run(path, "up") == 0
    out = capsys.readouterr().out
    assert f"created and started {name} from {STANDIN_TAG}" in out and "ready after" in out
    # unless-stopped: nothing brings it back after a reboot on Podman (podman-restart.service starts 'always')
    assert "Podman does not start it after a reboot (restart policy unless-stopped" in out
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    assert httpx.get(f"http://127.0.0.1:{port}/ready", timeout=5).status_code == 200

    assert run(path, "status") == 0
    out = capsys.readouterr().out
    assert f"{name} (docker): running, up" in out
    assert f"  image    {STANDIN_TAG}\n" in out  # Podman answers docker.io/wbtui-test/local:dev
    assert "  engine   Podman 4." in out and "(Docker-compatible API 1." in out
    assert SECRET not in out

    assert run(path, "logs", "--tail", "all", "--json") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["line"] == "*** Starting W&B server (wandb/local stand-in, mode=normal)"
    assert all(line.get("time") for line in lines)  # Podman's whole-second stamps are read as stamps

    started = _runtime(path).inspect()["State"]["StartedAt"]  # type: ignore[index]
    assert run(path, "restart", "--yes") == 0
    assert f"restarted {name} (stopped: exit 0, " in capsys.readouterr().out
    attrs = _runtime(path).inspect()
    assert attrs is not None and attrs["State"]["Running"] and attrs["State"]["StartedAt"] != started

    reasons = [event.reason for event in _runtime(path).events()]
    assert reasons.count("start") == 2 and "die" in reasons and "create" in reasons

    with contextlib.closing(podman.client()) as client:
        client.images.get(STANDIN_TAG).tag("wbtui-test/local", "podman-next")
        try:
            assert run(path, "upgrade", "podman-next", "--yes", "--no-watch", "--no-backup") == 0
            assert "runtime.tag saved as podman-next" in capsys.readouterr().out
            assert run(path, "status", "--json") == 0
            data = json.loads(capsys.readouterr().out)
            assert data["image"] == "wbtui-test/local:podman-next" and data["engine"].startswith("Podman 4.")
            # no HEALTHCHECK: Podman answers Health {"Status": ""} where Docker leaves Health out; both read unknown
            assert _runtime(path).inspect()["State"]["Health"]["Status"] == ""  # type: ignore[index]
            assert (data["health"], data["ready"]) == ("unknown", None)

            assert run(path, "down", "--yes") == 0
            assert f"removed container {name}; volume {name}-data kept" in capsys.readouterr().out
            volume = client.volumes.get(f"{name}-data")
            assert volume.attrs["Labels"]["app.kubernetes.io/managed-by"] == "wbtui"
        finally:
            client.images.remove("wbtui-test/local:podman-next")
    assert run(path, "status") == 1
    assert "not deployed" in capsys.readouterr().out


def test_data_in_the_volume_outlives_down_and_up(deployment: Any, podman: PodmanService) -> None:
    path = deployment()
    runtime = _runtime(path)
    try:
        runtime.deploy()
        with contextlib.closing(podman.client()) as client:
            container = client.containers.get(runtime.name)
            owner = container.exec_run(["stat", "-c", "%u:%g %a", "/vol"]).output.decode().strip()
            assert owner == "0:0 755"  # as the image made it: the volume was filled from the image, as Docker does
            assert container.exec_run(["sh", "-c", "echo kept > /vol/probe"]).exit_code == 0
            runtime.remove()
            runtime.deploy()
            container = client.containers.get(runtime.name)
            assert container.exec_run(["cat", "/vol/probe"]).output == b"kept\n"
            if podman.rootless:  # the container's root is the user on the host: the file is the user's
                source = client.volumes.get(runtime.config.runtime.volume).attrs["Mountpoint"]
                assert os.stat(f"{source}/probe").st_uid == podman.user.pw_uid  # type: ignore[union-attr]
    finally:
        runtime.close()


def test_a_crash_loop_reads_restarting_with_its_exit_code(deployment: Any) -> None:
    path = deployment(STANDIN_MODE="crash")
    runtime = _runtime(path)
    try:
        runtime.deploy()
        # Podman restarts it at once and between two runs says "stopped" (Docker says "restarting")
        status = wait_for(lambda: (s := runtime.status()).state == "restarting" and s, 30, "a restarting status")
        assert status.exit_code == 1 and status.reason == "Restarting"
        assert {runtime.status().state for _ in range(20)} <= {"restarting", "running"}
        assert "Error" not in {e.type for e in runtime.events()} and "die" in {e.reason for e in runtime.events()}
    finally:
        runtime.close()


def test_resource_usage_and_limits(deployment: Any, podman: PodmanService, capsys: pytest.CaptureFixture[str]) -> None:
    path = deployment()
    assert run(path, "up") == 0
    up = capsys.readouterr().out
    runtime = _runtime(path)
    try:
        engine = runtime.engine()
        limit = int(runtime.inspect()["HostConfig"]["Memory"])  # type: ignore[index]
        usage = runtime.usage(settle=0.2)
    finally:
        runtime.close()
    assert usage is not None
    if engine.limits_apply:
        assert limit == 256 * 2**20 and usage.memory_limit_bytes == 256 * 2**20
        assert usage.memory_bytes and usage.cpu_percent is not None and usage.source.startswith("cgroup v")
        assert "ignores runtime.memory_limit" not in up
    else:  # rootless on cgroup v1: Podman dropped the limit, and its stats are not the container's
        assert limit == 0 and "rootless Podman on cgroup v1 ignores runtime.memory_limit" in up
        assert (usage.cpu_percent, usage.memory_bytes, usage.cpu_note) == (None, None, UNMEASURED_ROOTLESS)


def test_the_log_file_falls_back_to_the_api_and_a_follow_survives_a_restart(deployment: Any,
                                                                            podman: PodmanService) -> None:
    from wbtui.runtime.docker.logfile import NotJsonFile, read_window, window_files

    path = deployment()
    runtime = _runtime(path)
    try:
        runtime.deploy()
        attrs = runtime.inspect()
        assert attrs is not None
        # Podman calls its k8s-file log json-file: the direct reader finds out and leaves it to the API
        assert attrs["HostConfig"]["LogConfig"]["Type"] == "json-file" and attrs["LogPath"].endswith("ctr.log")
        wait_for(lambda: os.path.getsize(attrs["LogPath"]) > 0, 30, "the first log line in the file")
        segments = window_files(attrs, None)
        if segments is not None:
            try:
                with pytest.raises(NotJsonFile):
                    read_window(segments, lambda *_: pytest.fail("a Podman record was taken for Docker's"),
                                since=None, tail=None, keep=None, skipped=lambda _: None, closed=lambda: False)
            finally:
                for segment in segments:
                    segment.close()
        window = _all(runtime, tail=None)  # a bulk window: the file is tried first
        assert window[0].text.startswith("*** Starting W&B server") and all(x.timestamp for x in window)
        got = asyncio.run(_follow_across_a_restart(runtime))
    finally:
        runtime.close()
    markers = [i for i, x in enumerate(got) if x.restart]
    starts = [i for i, x in enumerate(got) if "Starting W&B server" in x.text]
    assert len(markers) == 1 and [i + 1 for i in markers] == starts[1:]
    with contextlib.closing(podman.client()) as client:
        full = client.containers.get(runtime.name).logs().decode().splitlines()
    streamed = [x.text for x in got if not x.restart]
    assert streamed == full[:len(streamed)]  # every line once, in order, nothing missing


def _all(runtime: DockerRuntime, tail: int | None = None, **kwargs: Any) -> list[Any]:
    async def read() -> list[Any]:
        return [line async for line in runtime.logs(follow=False, tail=tail, **kwargs)]

    return asyncio.run(asyncio.wait_for(read(), 30))


async def _follow_across_a_restart(runtime: DockerRuntime) -> list[Any]:
    got: list[Any] = []
    stream = runtime.logs(follow=True, tail=None)

    async def read() -> None:
        async for line in stream:
            got.append(line)

    async def beats(n: int) -> None:
        start = sum("heartbeat" in x.text for x in got)
        while sum("heartbeat" in x.text for x in got) < start + n:
            await asyncio.sleep(0.05)

    reader = asyncio.create_task(read())
    try:
        await asyncio.wait_for(beats(3), 30)
        await asyncio.to_thread(runtime.restart)
        await asyncio.wait_for(beats(3), 30)
    finally:
        await stream.aclose()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
    return got


@pytest.mark.tools
def test_the_systemd_unit_for_podman_verifies_and_runs(deployment: Any, podman: PodmanService, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze missing: install systemd (scripts/test.sh)")
    path = deployment()
    config = store.load(path)
    name = config.runtime.container_name
    here = podman.dir / f"unit-{secrets.token_hex(3)}"  # %t and the env file: readable by a rootless user too
    here.mkdir()
    if podman.user is not None:
        os.chown(here, podman.user.pw_uid, podman.user.pw_gid)
    env_file = here / "wandb.env"
    assert run(path, "render", "docker-env", "--reveal", "-o", str(env_file)) == 0
    if podman.user is not None:
        os.chown(env_file, podman.user.pw_uid, podman.user.pw_gid)
    assert run(path, "render", "systemd", "--env-file", str(env_file)) == 0  # auto: the engine answering
    unit = capsys.readouterr().out
    assert "podman run --cidfile=%t/%n.ctr-id" in unit and "docker.service" not in unit and SECRET not in unit
    (tmp_path / f"{name}.service").write_text(unit)
    verified = subprocess.run(["systemd-analyze", "verify", str(tmp_path / f"{name}.service")],
                              capture_output=True, text=True, timeout=120, check=False)
    assert verified.returncode == 0, verified.stderr

    # ExecStart= as systemd runs it (%t: the runtime directory, %n: the unit), against this Podman
    exec_start = next(line for line in unit.splitlines() if line.startswith("ExecStart="))
    argv = exec_start.removeprefix("ExecStart=").replace("%t", str(here)).replace("%n", f"{name}.service")
    started = podman.run(*argv.split()[1:])
    assert started.returncode == 0, started.stderr
    wait_for(lambda: httpx.get(f"http://127.0.0.1:{config.runtime.port}/healthz", timeout=2).status_code == 200,
             30, "the unit's container /healthz")
    with contextlib.closing(podman.client()) as client:
        env = client.containers.get(name).attrs["Config"]["Env"]
    assert f"MYSQL=mysql://wandb:{SECRET}@db.internal:3306/wandb" in env  # the env file, read by podman
    assert run(path, "restart", "--yes") == 1  # systemd owns it now
    assert f"the systemd unit {name}.service runs it" in capsys.readouterr().err
    stop = next(line for line in unit.splitlines() if line.startswith("ExecStopPost="))
    argv = stop.removeprefix("ExecStopPost=").replace("%t", str(here)).replace("%n", f"{name}.service")
    assert podman.run(*argv.split()[1:]).returncode == 0
    assert _runtime(path).inspect() is None


def test_identify_docker_from_its_ping() -> None:
    """Docker's /_ping has no Libpod header: the same code says Docker (headers as dockerd 20.10 sends them)."""
    engine = identify({"Api-Version": "1.41", "Server": "Docker/20.10.24+dfsg1 (linux)", "Ostype": "linux"})
    assert (engine.kind, engine.version) == ("docker", "20.10.24+dfsg1")
    assert engine.label == "Docker 20.10.24+dfsg1 (API 1.41)"
    assert engine.limits_apply and engine.reboot_note("unless-stopped") == ""
