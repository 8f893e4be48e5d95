"""Docker over SSH for real: ``DOCKER_HOST=ssh://USER@127.0.0.1:PORT`` through a private sshd to the test engine.

`wbtui up`, `status` and `logs` run the system ssh (``docker system dial-stdio`` on the far side, which is this
machine); every way ssh fails comes back as one line naming the ssh endpoint with a fix that fits it.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import free_port, silent_endpoint
from tests.services.docker_fixtures import standin_config
from tests.services.sshd import Sshd
from wbtui.cli import main
from wbtui.config import store
from wbtui.runtime.base import Unreachable
from wbtui.runtime.docker.connect import connect

SECRET = "Ssh-not-shown-7f3a"

pytestmark = pytest.mark.docker


def run(path: Path, *args: str) -> int:
    return main(["--config", str(path), *args])


def ssh_children(port: int, parent: int | None = None) -> list[int]:
    """PIDs of the ssh processes to ``port`` that ``parent`` (default: this one) started and still has."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            ppid = int(stat.rpartition(")")[2].split()[1])
            if ppid == (parent or os.getpid()) and b"docker system dial-stdio" in argv and str(port).encode() in argv:
                found.append(int(entry.name))
    return found


def read_until(proc: subprocess.Popen[str], done: Callable[[str], bool], timeout: float, what: str) -> list[str]:
    """Lines of ``proc``'s stdout up to the one ``done`` accepts; AssertionError after ``timeout`` seconds."""
    assert proc.stdout is not None
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(line.rstrip("\n"))
        if done(line):
            return seen
    raise AssertionError(f"no {what} within {timeout:g}s; the last lines: {seen[-5:]}")


@pytest.fixture
def over_ssh(sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> Sshd:
    """DOCKER_HOST is the sshd, and the ssh on PATH knows its host key and holds the test key."""
    monkeypatch.setenv("DOCKER_HOST", sshd.url)
    monkeypatch.setenv("PATH", sshd.client("ok").env["PATH"])
    return sshd


@pytest.fixture
def config_path(tmp_path: Path, standin_image: str, docker_client: Any) -> Iterator[Path]:
    path = tmp_path / "config.toml"
    config = standin_config(standin_image, prefix="ssh", secret=SECRET, ready_delay="0.3", heartbeat="0.2")
    config.runtime.cpu_request, config.runtime.memory_request = "0.5", "128Mi"
    store.save(config, path)
    yield path
    import docker

    with contextlib.suppress(docker.errors.NotFound):
        docker_client.containers.get(config.runtime.container_name).remove(force=True)
    with contextlib.suppress(docker.errors.NotFound):
        docker_client.volumes.get(config.runtime.volume).remove(force=True)


def test_up_status_logs_over_ssh(over_ssh: Sshd, config_path: Path, docker_client: Any,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    name = store.load(config_path).runtime.container_name
    assert run(config_path, "up") == 0
    out = capsys.readouterr().out
    assert f"created and started {name}" in out and "ready after" in out
    assert docker_client.containers.get(name).status == "running"  # the engine behind the ssh has it

    assert run(config_path, "status") == 0
    out = capsys.readouterr().out
    assert f"{name} (docker): running, up" in out and f"docker host {over_ssh.url}" in out

    assert run(config_path, "status", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["state"] == "running" and data["target"]["docker host"] == over_ssh.url

    assert run(config_path, "logs", "--tail", "3") == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 3 and SECRET not in out
    assert ssh_children(over_ssh.port) == []  # every ssh the commands started has ended with them


def refused_over_ssh(path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The command failed with one line on stderr, no traceback; that line."""
    assert run(path, *argv) != 0
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_ssh_refused_names_the_endpoint_in_status_up_and_logs(sshd: Sshd, config_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    monkeypatch.setenv("DOCKER_HOST", f"ssh://{sshd.user}@127.0.0.1:{port}")
    monkeypatch.setenv("PATH", sshd.client("ok").env["PATH"])
    for argv in (["status"], ["up", "--no-watch"], ["logs"]):
        err = refused_over_ssh(config_path, capsys, *argv)
        assert f"Docker daemon not reachable at ssh://{sshd.user}@127.0.0.1:{port}: ssh: connect to host" in err
        assert "Connection refused" in err and f"check that ssh -p {port} {sshd.user}@127.0.0.1 docker version" in err
        assert "systemctl start docker or point" not in err  # the local-socket fix does not fit


@pytest.mark.parametrize(("client", "said", "fix"), [
    ({"known": False}, "Host key verification failed", "accept it once by hand: ssh -p {port} {user}@127.0.0.1 true"),
    ({"key": "stranger"}, "Permission denied (publickey)", "a key in ssh-agent: ssh-add"),
    ({"remote_docker_host": "unix:///nonexistent.sock"}, "failed to open the raw stream connection: "
     "dial unix /nonexistent.sock", "start Docker on that host: ssh -p {port} {user}@127.0.0.1 systemctl start docker"),
], ids=["unknown-host-key", "key-refused", "remote-daemon-down"])
def test_each_ssh_failure_says_what_ssh_said_and_the_fix_that_fits(
        client: dict[str, Any], said: str, fix: str, sshd: Sshd, config_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    if client.get("key") == "stranger":
        client = {**client, "key": sshd.stranger_key}
    monkeypatch.setenv("DOCKER_HOST", sshd.url)
    monkeypatch.setenv("PATH", sshd.client("-".join(map(str, client)), **client).env["PATH"])
    err = refused_over_ssh(config_path, capsys, "status")
    assert f"Docker daemon not reachable at {sshd.url}: " in err and said in err
    assert fix.format(port=sshd.port, user=sshd.user) in err
    assert ssh_children(sshd.port) == []


def test_an_ssh_server_that_never_answers_is_a_timeout_naming_it(sshd: Sshd, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", sshd.client("ok").env["PATH"])
    with silent_endpoint() as port:
        monkeypatch.setenv("DOCKER_HOST", f"ssh://{sshd.user}@127.0.0.1:{port}")
        with pytest.raises(Unreachable) as info:
            connect(1)
    assert f"ssh://{sshd.user}@127.0.0.1:{port}" in info.value.message
    assert "did not answer within 1s" in info.value.message or "timed out" in info.value.message
    assert f"ssh -p {port} {sshd.user}@127.0.0.1 docker version" in info.value.fix


def test_a_password_in_the_ssh_address_is_refused_and_masked(config_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"ssh://root:{SECRET}@127.0.0.1:22")
    err = refused_over_ssh(config_path, capsys, "status")
    assert "DOCKER_HOST=ssh://root:****@127.0.0.1:22 is not a valid Docker address" in err
    assert "ssh takes no password in the address" in err and SECRET not in err


def test_logs_follow_over_ssh_carries_on_when_its_ssh_is_killed(over_ssh: Sshd, config_path: Path) -> None:
    assert run(config_path, "up", "--no-watch") == 0
    proc = subprocess.Popen([sys.executable, "-m", "wbtui", "--config", str(config_path), "logs", "-f", "--tail", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = read_until(proc, lambda line: "heartbeat" in line, 60, "heartbeat over ssh")
        killed = ssh_children(over_ssh.port, proc.pid)
        assert killed  # the follow stream's own ssh (and any idle one in the pool)
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        lines += read_until(proc, lambda line: "--- log stream interrupted" in line, 30, "the interruption marker")
        assert f"Docker daemon not reachable at {over_ssh.url}: ssh exited" in lines[-1] and "reconnected" in lines[-1]
        lines += read_until(proc, lambda line: "heartbeat" in line, 30, "a heartbeat after the reconnect")
        beats = [int(json.loads(line)["msg"].split()[-1]) for line in lines if "heartbeat" in line]
        assert beats == list(range(beats[0], beats[0] + len(beats)))  # nothing skipped, nothing twice
        assert not set(killed) & set(ssh_children(over_ssh.port, proc.pid))  # new ssh processes carry it
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
