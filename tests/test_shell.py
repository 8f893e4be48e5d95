"""`wbtui shell` against the real Docker stand-in (busybox sh, no bash), and the kubectl command line as data.

The CLI runs as the installed console script in a subprocess: `docker exec` writes to the terminal's own
file descriptors, which only a child's captured output shows.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli_runtime import SECRET, make_config
from tests.test_k8s_backend import NS, Emulator, fixture, play_controller
from tests.test_k8s_backend import emu as emu  # fixtures
from tests.test_k8s_backend import kubeconfig as kubeconfig
from tests.test_k8s_backend import runtime as runtime
from wbtui.cli.context import EXIT_UNREACHABLE
from wbtui.config import store
from wbtui.runtime.docker.backend import DockerRuntime
from wbtui.runtime.kubernetes.backend import KubernetesRuntime
from wbtui.runtime.shell import LOGIN_SHELL, NotRunning, docker_exec_argv, kubectl_exec_argv, shell_command

WBTUI = Path(sys.executable).with_name("wbtui")


def wbtui(path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None,
          ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(WBTUI), "--config", str(path), *args], input=stdin, capture_output=True, text=True,
                          timeout=120, env={**os.environ, **(env or {})})


@pytest.fixture
def deployed(tmp_path: Path, docker_client: Any, standin_image: str) -> Iterator[Path]:
    """The stand-in deployed from a saved config (removed, volume and all, afterwards)."""
    path = tmp_path / "config.toml"
    store.save(make_config(standin_image), path)
    runtime = DockerRuntime(store.load(path))
    try:
        runtime.deploy()
        yield path
    finally:
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()


@pytest.mark.docker
def test_a_command_runs_in_the_container_with_its_exit_code(deployed: Path) -> None:
    done = wbtui(deployed, "shell", "--", "echo", "hi")
    assert (done.returncode, done.stdout) == (0, "hi\n"), done.stderr
    done = wbtui(deployed, "shell", "--", "sh", "-c", "ls /entrypoint.sh; exit 7")
    assert (done.returncode, done.stdout) == (7, "/entrypoint.sh\n"), done.stderr
    done = wbtui(deployed, "shell", "cat", "/proc/1/cmdline")  # no -- needed when the command has no option
    assert done.returncode == 0 and "entrypoint.sh" in done.stdout, done.stderr


@pytest.mark.docker
def test_without_a_command_the_shell_reads_what_is_typed(deployed: Path) -> None:
    """No terminal here (stdin is a pipe): `docker exec -i` without -t, and busybox's sh is the shell."""
    done = wbtui(deployed, "shell", stdin="echo $((6 * 7)); readlink /bin/sh; exit 3\n")
    assert (done.returncode, done.stdout.split()) == (3, ["42", "/bin/busybox"]), done.stderr
    assert "a shell in container wbtui-test-cli-" in done.stderr
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.docker
def test_a_stopped_container_is_refused_with_what_to_run(deployed: Path) -> None:
    runtime = DockerRuntime(store.load(deployed))
    runtime.stop(timeout=5)
    runtime.close()
    done = wbtui(deployed, "shell", "--", "echo", "hi")
    assert done.returncode == 1 and done.stdout == ""
    assert "is exited: there is nothing to open a shell in" in done.stderr
    assert "fix: start it: wbtui start" in done.stderr


@pytest.mark.docker
def test_nothing_deployed_says_wbtui_up(tmp_path: Path, docker_client: Any, standin_image: str) -> None:
    path = tmp_path / "config.toml"
    store.save(make_config(standin_image), path)
    done = wbtui(path, "shell")
    assert done.returncode == 1
    assert "no container wbtui-test-cli-" in done.stderr and "fix: deploy it: wbtui up" in done.stderr


def test_an_engine_that_does_not_answer_has_the_unreachable_exit_code(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    store.save(make_config(), path)
    done = wbtui(path, "shell", "--", "true", env={"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    assert done.returncode == EXIT_UNREACHABLE, done.stderr
    assert f"{tmp_path}/no-docker.sock" in done.stderr


@pytest.mark.docker
def test_read_only_refuses_before_asking_anything(deployed: Path, tmp_path: Path) -> None:
    marker = "/tmp/wbtui-shell-ran"
    done = subprocess.run([str(WBTUI), "--read-only", "--config", str(deployed), "shell", "--", "touch", marker],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "read-only mode: refusing to open a shell in the server" in done.stderr
    check = wbtui(deployed, "shell", "--", "sh", "-c", f"test -e {marker}")
    assert check.returncode == 1  # the command never ran


@pytest.mark.docker
def test_without_the_docker_command_it_says_what_to_install(deployed: Path, tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    done = wbtui(deployed, "shell", "--", "true", env={"PATH": str(tmp_path / "bin")})
    assert done.returncode == 1
    assert "the docker command is not installed on this host" in done.stderr


def test_an_option_before_the_command_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    store.save(make_config(), path)
    done = wbtui(path, "shell", "ls", "-l")  # fine: options after the command's name are the command's
    assert "unknown option" not in done.stderr
    done = wbtui(path, "shell", "--", "-l")
    assert done.returncode == 2 and "put the command after --" in done.stderr


def test_command_lines_as_data() -> None:
    assert docker_exec_argv("/usr/bin/docker", "wandb-local", [], tty=True) == [
        "/usr/bin/docker", "exec", "-i", "-t", "wandb-local", *LOGIN_SHELL]
    assert docker_exec_argv("docker", "wandb-local", ["ls", "/vol"], tty=False) == [
        "docker", "exec", "-i", "wandb-local", "ls", "/vol"]
    assert kubectl_exec_argv("kubectl", kubeconfig="/k/config", context="prod", namespace="wandb",
                             pod="wandb-7d4f8b6c9d-x2kqp", container="wandb", command=[], tty=True) == [
        "kubectl", "--kubeconfig", "/k/config", "--context", "prod", "-n", "wandb", "exec", "-i", "-t",
        "wandb-7d4f8b6c9d-x2kqp", "-c", "wandb", "--", *LOGIN_SHELL]
    assert kubectl_exec_argv("kubectl", kubeconfig="", context="", namespace="default", pod="p", container="",
                             command=["env"], tty=False) == ["kubectl", "-n", "default", "exec", "-i", "p", "--", "env"]


def test_kubernetes_enters_the_ready_pod_in_the_configs_context_and_namespace(
        emu: Emulator, runtime: KubernetesRuntime, kubeconfig: Path) -> None:
    """kmock cannot exec: the command built from the cluster's answers is checked instead."""
    runtime.deploy()
    play_controller(emu, "deployment_available", "pod_running_ready")
    shell = shell_command(runtime, ["ls", "/vol"], tty=False)
    pod = fixture("pod_running_ready")["metadata"]["name"]
    assert shell.argv[1:] == ["--kubeconfig", str(kubeconfig), "--context", "emu", "-n", NS, "exec", "-i", pod,
                              "-c", "wandb", "--", "ls", "/vol"]
    assert shell.argv[0].endswith("kubectl")
    assert shell.target == f"pod {pod} (namespace {NS}, context emu)"


def test_kubernetes_refuses_a_crash_looping_pod(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    play_controller(emu, "deployment_unavailable", "pod_crashloop")
    with pytest.raises(NotRunning, match="CrashLoopBackOff"):
        shell_command(runtime, [], tty=True)


async def test_e_in_the_dashboard_is_refused_in_read_only_mode(tmp_path: Path) -> None:
    from tests.ui_support import make_app, noticed, ready

    app = make_app(tmp_path, make_config(), read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("4", "e")
        assert noticed(app, "Read-only mode: shell is disabled")
        assert not any(w.group == "shell" for w in app.workers)  # nothing was asked of the engine


@pytest.mark.docker
async def test_e_without_a_terminal_finds_the_container_and_says_it_cannot_hand_over(deployed: Path) -> None:
    from tests.ui_support import noticed, ready, wait_until
    from wbtui.ui.app import WbtuiApp
    from wbtui.ui.session import Session

    app = WbtuiApp(Session.open(deployed, False), background=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("4", "e")
        await wait_until(pilot, lambda: noticed(app, "No shell: there is no terminal to hand over here"), 30,
                         "the notice")


@pytest.mark.docker
async def test_e_on_a_stopped_container_says_what_to_run(deployed: Path) -> None:
    from tests.ui_support import noticed, ready, wait_until
    from wbtui.ui.app import WbtuiApp
    from wbtui.ui.session import Session

    runtime = DockerRuntime(store.load(deployed))
    runtime.stop(timeout=5)
    runtime.close()
    app = WbtuiApp(Session.open(deployed, False), background=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("4", "e")
        await wait_until(pilot, lambda: noticed(app, "Fix: start it: wbtui start"), 30, "the refusal")
