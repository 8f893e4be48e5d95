"""Exit 4 when the engine or cluster cannot be reached, told apart from 1 (a finding) and 2 (usage).

Against a Docker socket that does not exist, a loopback port nobody listens on, and a kubeconfig whose
cluster is such a closed port: every command that must ask the engine exits 4, says why in one line on
stderr and, with --json, in an error object on stdout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.services.base import free_port
from tests.test_k8s_backend import write_kubeconfig
from wbtui.cli import main
from wbtui.cli.context import EXIT_UNREACHABLE
from wbtui.config import store
from wbtui.config.model import Config

SECRET = "exit-codes-canary-4b1d"
DOCKER_COMMANDS = [["status"], ["up", "--yes"], ["down", "--yes"], ["restart", "--yes"], ["stop", "--yes"],
                   ["start"], ["logs"], ["logs", "--previous"], ["upgrade", "9.9.9", "--yes", "--no-backup"],
                   ["backup", "--volume", "--yes"], ["doctor", "--timeout", "3"]]
KUBE_COMMANDS = [["status"], ["up", "--yes"], ["down", "--yes"], ["restart", "--yes"], ["stop", "--yes"],
                 ["start"], ["logs"], ["doctor", "--timeout", "3"]]


def docker_config(tmp_path: Path) -> Path:
    config = Config()
    config.server.HOST = f"http://127.0.0.1:{free_port()}"
    config.server.MYSQL = f"mysql://wandb:{SECRET}@127.0.0.1:{free_port()}/wandb"  # closed: checks fail fast
    config.runtime.container_name = "wbtui-test-exit-codes"
    config.app.timeout = 2.0
    return store.save(config, tmp_path / "config.toml")


@pytest.fixture(params=["unix", "tcp"])
def closed_docker(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """DOCKER_HOST at a socket that does not exist, or a loopback port with nothing listening."""
    host = f"unix://{tmp_path}/absent.sock" if request.param == "unix" else f"tcp://127.0.0.1:{free_port()}"
    monkeypatch.setenv("DOCKER_HOST", host)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    return host


@pytest.mark.parametrize("argv", DOCKER_COMMANDS, ids=" ".join)
def test_a_closed_docker_daemon_is_exit_4(argv: list[str], closed_docker: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = docker_config(tmp_path)
    assert main(["--config", str(path), *argv]) == EXIT_UNREACHABLE
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and SECRET not in captured.out + captured.err
    if argv[0] != "doctor":  # the doctor's report says it in its runtime part instead
        assert len(captured.err.strip().splitlines()) == 1 and closed_docker in captured.err


@pytest.mark.parametrize("argv", [a for a in DOCKER_COMMANDS if a[0] != "backup"], ids=" ".join)
def test_the_json_error_names_the_daemon_and_the_fix(argv: list[str], closed_docker: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = docker_config(tmp_path)
    assert main(["--config", str(path), *argv, "--json"]) == EXIT_UNREACHABLE
    captured = capsys.readouterr()
    last = json.loads(captured.out.strip().splitlines()[-1]) if argv[0] != "doctor" else json.loads(captured.out)
    if argv[0] == "doctor":
        assert closed_docker in last["unreachable"] and not last["healthy"]
        return
    error = last["error"]
    assert (error["code"], error["kind"]) == (EXIT_UNREACHABLE, "unreachable")
    assert closed_docker in error["message"] and "systemctl start docker" in error["fix"]
    assert "error:" in captured.err  # the human line stays on stderr


@pytest.fixture
def closed_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kubeconfig whose only context's API server is a closed loopback port; the config to use it."""
    server = f"http://127.0.0.1:{free_port()}"
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"gone": (server, "wandb")}, "gone")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    config = Config()
    config.runtime.backend = "kubernetes"
    config.server.HOST = f"http://127.0.0.1:{free_port()}"
    config.kubernetes.context, config.kubernetes.namespace = "gone", "wandb"
    config.app.timeout = 2.0
    return store.save(config, tmp_path / "config.toml")


@pytest.mark.parametrize("argv", KUBE_COMMANDS, ids=" ".join)
def test_a_closed_kubernetes_api_server_is_exit_4(argv: list[str], closed_cluster: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(closed_cluster), *argv, "--json"]) == EXIT_UNREACHABLE
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if argv[0] == "doctor":
        assert "does not answer" in json.loads(captured.out)["unreachable"]
        return
    error = json.loads(captured.out.strip().splitlines()[-1])["error"]
    assert error["kind"] == "unreachable" and "context gone" in error["message"]
    assert "kubectl --context gone cluster-info" in error["fix"]


def test_findings_and_usage_keep_their_codes(closed_docker: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A config with errors (1) and a refused confirmation (2) are what they were, daemon or not."""
    path = docker_config(tmp_path)
    config = store.load(path)
    config.server.HOST = ""
    store.save(config, path)
    assert main(["--config", str(path), "up", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["kind"] == "error"
    assert main(["--config", str(path), "down", "--json"]) == 2  # no --yes, no terminal
    out = capsys.readouterr().out
    assert json.loads(out)["error"]["kind"] == "usage" and "pass --yes" in out
