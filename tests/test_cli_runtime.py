"""`wbtui up/down/restart/upgrade/start/stop/status/logs/service` through the real CLI entry point."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import select
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import free_port, wait_for
from tests.services.docker_fixtures import standin_config
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.runtime.docker.backend import DockerRuntime

REPO = Path(__file__).resolve().parent.parent
SECRET = "Cli-" + secrets.token_hex(6)


def make_config(image: str = "wbtui-test/local:dev", **env: str) -> Config:
    c = standin_config(image, prefix="cli", secret=SECRET, ready_delay="0.3", heartbeat="0.2", **env)
    c.runtime.cpu_request, c.runtime.memory_request = "0.5", "128Mi"
    c.server.HOST = f"http://127.0.0.1:{free_port()}"  # not served: probes use the published port
    return c


def run(config_path: Path, *args: str) -> int:
    return main(["--config", str(config_path), *args])


@pytest.fixture
def deployment(tmp_path: Path, docker_client: Any, standin_image: str) -> Iterator[Any]:
    """Factory: a saved config for the stand-in; whatever the CLI created is removed afterwards."""
    made: list[Path] = []

    def make(**env: str) -> Path:
        path = tmp_path / f"config-{len(made)}.toml"
        store.save(make_config(standin_image, **env), path)
        made.append(path)
        return path

    yield make
    for path in made:
        runtime = DockerRuntime(store.load(path))
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()


# -- no daemon needed ---------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["up"], ["down", "--yes"], ["down", "--purge", "--yes"], ["restart", "--yes"],
                                  ["upgrade", "9.9.9", "--yes"], ["start"], ["stop", "--yes"],
                                  ["service", "install", "--yes", "--root", "/nonexistent"]])
def test_read_only_refuses_every_change(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")  # it must not even try
    path = tmp_path / "config.toml"
    store.save(make_config(), path)
    assert main(["--read-only", "--config", str(path), *argv]) == 2
    assert "read-only mode: refusing to" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["down"], ["down", "--purge"], ["restart"], ["upgrade", "9.9.9"], ["stop"]])
def test_destructive_commands_ask_first(argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    path = tmp_path / "config.toml"
    store.save(make_config(), path)
    assert run(path, *argv) == 2  # no terminal to ask on, no --yes
    assert "pass --yes to confirm" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "action", "tag", "purge"), [
    (["down"], "remove", "", False), (["down", "--purge"], "remove", "", True), (["restart"], "restart", "", False),
    (["upgrade", "9.9.9"], "upgrade", "9.9.9", False), (["stop"], "stop", "", False)])
def test_confirmations_list_the_steps_the_dashboard_shows(argv: list[str], action: str, tag: str, purge: bool,
                                                          tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from wbtui.ops.lifecycle import action_steps

    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    path = tmp_path / "config.toml"
    config = make_config()
    store.save(config, path)
    assert run(path, *argv) == 2  # asked (and refused without a terminal) after listing the steps
    out = capsys.readouterr().out
    steps = action_steps(config, action, tag, purge=purge)
    assert steps and all(f"  - {step}" in out for step in steps)
    assert ("DELETED" in out) == purge


def test_up_refuses_a_config_with_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")
    path = tmp_path / "config.toml"
    config = make_config()
    config.server.HOST = ""
    store.save(config, path)
    assert run(path, "up") == 1
    err = capsys.readouterr().err
    assert "the config has errors: HOST: HOST is not set" in err and "--force" in err
    assert run(path, "up", "--force") == 4  # past validation: now the (absent) daemon is the problem
    assert "Docker daemon not reachable" in capsys.readouterr().err


def test_logs_previous_cannot_follow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    store.save(make_config(), path)
    assert run(path, "logs", "--previous", "-f") == 2
    assert "--previous cannot be combined with --follow" in capsys.readouterr().err


def test_service_install_into_a_root(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_config()
    config.env["API_TOKEN"] = SECRET + "x"
    path = tmp_path / "config.toml"
    store.save(config, path)
    root = tmp_path / "root"
    assert run(path, "service", "install", "--root", str(root), "--yes") == 0
    out = capsys.readouterr().out
    name = config.runtime.container_name
    unit = root / f"etc/systemd/system/{name}.service"
    env = root / f"etc/wbtui/{name}.env"
    assert stat.S_IMODE(unit.stat().st_mode) == 0o644 and stat.S_IMODE(env.stat().st_mode) == 0o600
    assert stat.S_IMODE(env.parent.stat().st_mode) == 0o700
    assert f"--env-file /etc/wbtui/{name}.env" in unit.read_text() and SECRET not in unit.read_text()
    assert f"MYSQL=mysql://wandb:{SECRET}@db.internal" in env.read_text() and f"API_TOKEN={SECRET}x" in env.read_text()
    wants = root / f"etc/systemd/system/multi-user.target.wants/{name}.service"
    assert wants.is_symlink() and os.readlink(wants) == f"/etc/systemd/system/{name}.service"
    assert "enabled it for boot, but did not start it" in out and "not the running system" in out
    assert SECRET not in out


# -- against the real engine ----------------------------------------------------------------

@pytest.mark.docker
def test_up_status_logs_restart_upgrade_stop_start_down(deployment: Any, docker_client: Any, standin_image: str,
                                                        capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the upgrade record of this test only
    path = deployment()
    name = store.load(path).runtime.container_name
    assert run(path, "up") == 0
    out = capsys.readouterr().out
    assert f"created and started {name}" in out and "ready after" in out

    assert run(path, "status", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["state"], data["image"], data["exists"]) == ("running", standin_image, True)
    assert data["usage"]["memory_bytes"] > 0 and data["usage"]["memory_limit_bytes"] == 256 * 2**20

    assert run(path, "status") == 0
    out = capsys.readouterr().out
    assert f"{name} (docker): running, up" in out and f"127.0.0.1:{store.load(path).runtime.port}->8080/tcp" in out

    assert run(path, "logs", "--tail", "3") == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert run(path, "logs", "--tail", "all", "--timestamps") == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first[:4].isdigit() and first[30:] == " *** Starting W&B server (wandb/local stand-in, mode=normal)"

    assert run(path, "restart", "--yes") == 0
    printed = capsys.readouterr()
    assert f"restarted {name} (stopped: exit 0, " in printed.out
    steps = printed.err.splitlines()  # the steps the dashboard shows, as they happen
    assert steps[0] == f"stopping {name}: SIGTERM, SIGKILL after 30 s"
    assert steps[1].startswith(f"stopped {name} (exit 0, ") and steps[2:] == [f"starting {name}", f"started {name}"]

    tag = f"upgrade-{secrets.token_hex(3)}"
    docker_client.images.get(standin_image).tag(f"{standin_image.rpartition(':')[0]}:{tag}")
    try:
        assert run(path, "upgrade", tag, "--yes", "--no-watch", "--no-backup") == 0  # MYSQL is not served here
        assert f"runtime.tag saved as {tag}" in capsys.readouterr().out
        assert store.load(path).runtime.tag == tag
        assert docker_client.containers.get(name).attrs["Config"]["Image"].endswith(f":{tag}")
        assert run(path, "upgrade", tag, "--yes") == 2  # already there
        capsys.readouterr()
    finally:
        config = store.load(path)
        config.runtime.tag = standin_image.rpartition(":")[2]
        store.save(config, path)
        DockerRuntime(config).deploy()
        docker_client.images.remove(f"{standin_image.rpartition(':')[0]}:{tag}")

    capsys.readouterr()
    assert run(path, "stop", "--yes", "--timeout", "10") == 0
    printed = capsys.readouterr()
    assert printed.err.startswith(f"stopping {name}: SIGTERM, SIGKILL after 10 s\nstopped {name} (exit 0, ")
    assert run(path, "status") == 1  # not running
    out = capsys.readouterr().out
    assert "exited" in out and "Completed, exit code 0" in out
    assert run(path, "start") == 0

    assert run(path, "down") == 2  # no --yes, no terminal: nothing removed
    assert docker_client.containers.get(name)
    assert run(path, "down", "--yes") == 0
    assert "volume" in capsys.readouterr().out and docker_client.volumes.get(f"{name}-data")
    assert run(path, "status") == 1 and "not deployed" in capsys.readouterr().out
    assert run(path, "down", "--purge", "--yes") == 0
    assert f"removed volume {name}-data" in capsys.readouterr().out
    assert SECRET not in capsys.readouterr().out


@pytest.mark.docker
def test_up_asks_before_replacing_a_running_server(deployment: Any, docker_client: Any,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = deployment()
    name = store.load(path).runtime.container_name
    assert run(path, "up", "--no-watch") == 0  # nothing deployed yet: nothing to confirm
    out = capsys.readouterr().out
    assert "This will:" not in out and f"created and started {name}" in out
    first = docker_client.containers.get(name).id
    assert run(path, "up", "--no-watch") == 0  # the same config: nothing is replaced, nothing to ask
    assert "is up to date and running" in capsys.readouterr().out
    assert docker_client.containers.get(name).id == first

    config = store.load(path)
    config.env["STANDIN_HEARTBEAT"] = "0.5"  # a changed config: up would recreate the container
    store.save(config, path)
    assert run(path, "up", "--no-watch") == 2  # running, no terminal to ask on, no --yes: refused
    captured = capsys.readouterr()
    assert f"Replace the running {name}?" in captured.err and "pass --yes to confirm" in captured.err
    assert "This will:" in captured.out and "an existing one is replaced" in captured.out
    container = docker_client.containers.get(name)
    assert container.id == first and container.status == "running"  # untouched

    assert run(path, "up", "--yes", "--no-watch") == 0
    assert "recreated and started" in capsys.readouterr().out
    second = docker_client.containers.get(name).id
    assert second != first
    config.env["STANDIN_HEARTBEAT"] = "0.7"
    store.save(config, path)
    assert run(path, "up", "-y", "--no-watch") == 0
    assert docker_client.containers.get(name).id != second


@pytest.mark.docker
def test_up_diagnoses_a_crash(deployment: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = deployment(STANDIN_MODE="crash")
    config = store.load(path)
    config.runtime.restart_policy = "no"
    store.save(config, path)
    assert run(path, "up", "--timeout", "60") == 1
    out = capsys.readouterr().out
    assert "not ready:" in out and "exit code 1" in out
    assert "Dirty database version 1" in out and "cause:" in out and "fix:" in out


@pytest.mark.docker
@pytest.mark.parametrize("host", ["unix:///nonexistent.sock", "tcp://127.0.0.1:{port}"])
def test_unreachable_daemon_is_one_line_and_exit_4(host: str, deployment: Any, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path = deployment()
    monkeypatch.setenv("DOCKER_HOST", host.format(port=free_port()))
    for argv in (["status"], ["up"], ["logs"], ["down", "--yes"]):
        assert run(path, *argv) == 4
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
        assert "Docker daemon not reachable" in err and "systemctl start docker" in err


_AS_NOBODY = """
import io, os, sys
sys.path.insert(0, {repo!r})
import docker, requests, urllib3  # everything the command needs, imported while still root
from rich.console import Console
import wbtui.cli, wbtui.cli.runtime_cmd, wbtui.config.store, wbtui.config.validate
import wbtui.runtime.base, wbtui.runtime.docker.backend, wbtui.runtime.docker.errors
import wbtui.runtime.docker.spec, wbtui.runtime.docker.status, wbtui.runtime.docker.logs
Console(file=io.StringIO(), force_terminal=False).print("[bold red]warm-up[/]")
wbtui.cli.build_parser()  # imports every command module
wbtui.config.store.load(__import__("pathlib").Path({config!r}))
os.setgroups([])
os.setgid(65534)
os.setuid(65534)
sys.exit(wbtui.cli.main(["--config", {config!r}, "status"]))
"""


@pytest.mark.docker
def test_permission_denied_on_the_socket(deployment: Any, docker_host: str) -> None:
    if not docker_host.startswith("unix://"):
        pytest.skip("needs the engine's unix socket")
    shared = Path(tempfile.mkdtemp(prefix="wbtui-test-"))
    try:
        shared.chmod(0o755)
        config = shared / "config.toml"
        config.write_bytes(deployment().read_bytes())
        config.chmod(0o644)
        done = subprocess.run([sys.executable, "-c", _AS_NOBODY.format(repo=str(REPO), config=str(config))],
                              capture_output=True, text=True, timeout=60,
                              env={**os.environ, "HOME": str(shared), "DOCKER_HOST": docker_host})
    finally:
        for child in shared.iterdir():
            child.unlink()
        shared.rmdir()
    assert done.returncode == 1, done.stderr
    assert "permission denied on the Docker socket" in done.stderr and "docker group" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.docker
def test_logs_follow_prints_as_lines_come_and_stops_on_ctrl_c(deployment: Any) -> None:
    path = deployment(STANDIN_HEARTBEAT="0.1")
    assert run(path, "up", "--no-watch") == 0
    code = f"import faulthandler, signal, sys; faulthandler.register(signal.SIGUSR1, all_threads=True); " \
           f"sys.path.insert(0, {str(REPO)!r}); from wbtui.cli import main; " \
           f"sys.exit(main(['--config', {str(path)!r}, 'logs', '-f', '--tail', '0']))"
    # As in a terminal, Ctrl-C is not ignored (a shell's background job inherits SIGINT ignored, and so would we).
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        beats: list[str] = []
        assert proc.stdout is not None

        def five_beats() -> bool:
            line = proc.stdout.readline()
            if "heartbeat" in line:
                beats.append(line)
            return len(beats) >= 5

        wait_for(five_beats, 20, "5 heartbeat lines from wbtui logs -f", interval=0)
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGUSR1)  # faulthandler writes where every thread waits: into the message
            select.select([proc.stderr], [], [], 5)
            stacks = os.read(proc.stderr.fileno(), 1 << 20).decode(errors="replace")
            proc.kill()
            raise AssertionError(f"wbtui logs -f still running 10 s after Ctrl-C:\n{stacks}") from None
        assert code == 0
        assert "Traceback" not in proc.stderr.read()
        numbers = [int(json.loads(b)["msg"].split()[-1]) for b in beats]
        assert numbers == list(range(numbers[0], numbers[0] + 5))  # in order, none skipped
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
