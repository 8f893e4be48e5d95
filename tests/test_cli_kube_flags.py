"""--context and -n/--namespace, like kubectl's: this run asks that context's cluster and that namespace.

Two kmock emulators, one per kubeconfig context: the config names the first; a command given --context
talks to the second only, -n moves it to another namespace, and the config file keeps its own values.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services.base import free_port
from tests.test_k8s_backend import NS, Emulator, make_config, write_kubeconfig
from wbtui.cli import build_parser, main
from wbtui.config import store

pytestmark = pytest.mark.timeout(60)

KUBE_COMMANDS = ["status", "up", "down", "restart", "start", "stop", "upgrade", "rollback", "logs", "probe",
                 "doctor", "backup", "restore", "render kubernetes", "metrics"]
"""Every command whose work can reach the Kubernetes API server (render: the namespace in the YAML)."""


def leaf(words: str) -> object:
    parser = build_parser()
    for word in words.split():
        sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
        parser = sub.choices[word]  # type: ignore[attr-defined]
    return parser


@pytest.mark.parametrize("words", KUBE_COMMANDS)
def test_every_command_that_reaches_kubernetes_takes_the_flags(words: str) -> None:
    options = {o for a in leaf(words)._actions for o in a.option_strings}  # type: ignore[attr-defined]
    assert {"--context", "-n", "--namespace"} <= options


@pytest.fixture
def clusters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Emulator, Emulator, Path]]:
    """Emulators for contexts "first" and "second" and a saved config that names "first"."""
    first, second = Emulator(), Emulator()
    try:
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"first": (first.url, NS), "second": (second.url, NS)},
                                      "first")
        monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
        monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
        config = make_config(context="first")
        config.server.MYSQL = config.server.LICENSE = ""  # no errors: deploy and render without --force
        config.server.HOST = f"http://127.0.0.1:{free_port()}"
        yield first, second, store.save(config, tmp_path / "config.toml")
    finally:
        second.close()  # the last started first: kmock's resolver hooks unwind as a stack
        first.close()


def paths(emu: Emulator) -> set[str]:
    return {r.url.path for r in emu.requests()}


def test_status_asks_the_context_given(clusters: tuple[Emulator, Emulator, Path],
                                       capsys: pytest.CaptureFixture[str]) -> None:
    first, second, path = clusters
    before = path.read_text()
    assert main(["--config", str(path), "status", "--json", "--context", "second"]) == 1  # not deployed there
    data = json.loads(capsys.readouterr().out)
    assert data["target"]["context"] == "second" and data["target"]["server"] == second.url
    assert f"/apis/apps/v1/namespaces/{NS}/deployments/wandb" in paths(second) and first.requests() == []
    assert path.read_text() == before  # the override is this run's only


def test_namespace_moves_the_command_to_another_namespace(clusters: tuple[Emulator, Emulator, Path],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    first, second, path = clusters
    assert main(["--config", str(path), "status", "--json", "-n", "team-b"]) == 1
    capsys.readouterr()
    assert "/apis/apps/v1/namespaces/team-b/deployments/wandb" in paths(first) and second.requests() == []
    assert main(["--config", str(path), "logs", "--context", "second", "--namespace", "team-c", "--json"]) != 0
    assert any("/namespaces/team-c/" in p for p in paths(second))
    assert store.load(path).kubernetes.namespace == NS


def test_up_deploys_into_the_context_and_namespace_given(clusters: tuple[Emulator, Emulator, Path],
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    first, second, path = clusters
    code = main(["--config", str(path), "up", "--yes", "--no-watch", "--json", "--context", "second",
                 "-n", NS])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and lines[-1]["result"]["ok"]
    assert (lines[0]["step"], lines[0]["status"]) == ("deploy", "started")
    assert second.get("apps/v1/deployments", "wandb") is not None and first.requests() == []


def test_render_kubernetes_uses_the_namespace_given(clusters: tuple[Emulator, Emulator, Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _, _, path = clusters
    assert main(["--config", str(path), "render", "kubernetes", "-n", "team-d"]) == 0
    out = capsys.readouterr().out
    assert "namespace: team-d" in out and f"namespace: {NS}\n" not in out
