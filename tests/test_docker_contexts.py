"""Docker contexts as the docker CLI makes and reads them: ``docker context create/use`` in a private
DOCKER_CONFIG, then wbtui picks the same endpoint the CLI does and reaches that daemon, or names the
context and its endpoint when it cannot.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.services.sshd import Sshd
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.runtime.docker.contexts import resolve

pytestmark = pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI")


@pytest.fixture
def docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private DOCKER_CONFIG (no DOCKER_HOST, no DOCKER_CONTEXT): the contexts of this test only."""
    folder = tmp_path / "docker-config"
    folder.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    return folder


def docker(*argv: str) -> str:
    """The docker CLI itself, in this process's environment (DOCKER_CONFIG, DOCKER_HOST, DOCKER_CONTEXT)."""
    return subprocess.run(["docker", *argv], check=True, capture_output=True, text=True, timeout=30).stdout.strip()


def cli_endpoint() -> tuple[str, str]:
    """(context name, Docker host) as the docker CLI resolves them right now."""
    name = docker("context", "show")
    host = json.loads(docker("context", "inspect", name))[0]["Endpoints"]["docker"]["Host"]
    return name, host


def test_the_rule_is_the_docker_clis(docker_config: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    docker("context", "create", "blue", "--docker", f"host=unix://{tmp_path}/blue.sock")
    docker("context", "create", "green", "--docker", "host=ssh://deploy@green.internal:2222")
    cases: list[tuple[dict[str, str], str | None]] = [
        ({}, None),                                            # no config.json: the default context
        ({"DOCKER_CONTEXT": "green"}, None),                   # DOCKER_CONTEXT
        ({"DOCKER_CONTEXT": "default"}, None),
        ({}, "blue"),                                          # currentContext of config.json
        ({"DOCKER_CONTEXT": "green"}, "blue"),                 # DOCKER_CONTEXT beats currentContext
        ({"DOCKER_HOST": "tcp://127.0.0.1:2375", "DOCKER_CONTEXT": "green"}, "blue"),  # DOCKER_HOST beats both
    ]
    for env, current in cases:
        if current:
            docker("context", "use", current)
        for key in ("DOCKER_CONTEXT", "DOCKER_HOST"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        name, host = cli_endpoint()
        ours = resolve()
        assert (ours.context or "default", ours.host) == (name, host), (env, current)
    assert resolve().context == ""  # DOCKER_HOST chose it: no context named in messages


def test_tls_material_and_skip_verify_are_read_from_the_store(docker_config: Path, tmp_path: Path) -> None:
    pems = {part: tmp_path / f"{part}-in.pem" for part in ("ca", "cert", "key")}
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", str(pems["key"]), "-out", str(pems["cert"]), "-days", "1", "-subj", "/CN=wbtui-test"],
                   check=True, capture_output=True, timeout=30)  # docker checks that they are PEM
    shutil.copy(pems["cert"], pems["ca"])
    docker("context", "create", "tls", "--docker",
           f"host=tcp://10.0.0.5:2376,ca={pems['ca']},cert={pems['cert']},key={pems['key']}")
    docker("context", "create", "insecure", "--docker", "host=tcp://10.0.0.6:2376,skip-tls-verify=true")
    docker("context", "create", "plain", "--docker", "host=tcp://10.0.0.7:2375")
    found = resolve({"DOCKER_CONFIG": str(docker_config), "DOCKER_CONTEXT": "tls"})
    assert found.host == "tcp://10.0.0.5:2376" and found.tls is not None and found.tls.verify
    assert [Path(p).read_bytes() for p in (found.tls.ca, found.tls.cert, found.tls.key)] == [
        pems[part].read_bytes() for part in ("ca", "cert", "key")]  # docker's copies in its store
    assert all(str(docker_config / "contexts" / "tls") in p for p in (found.tls.ca, found.tls.cert, found.tls.key))
    insecure = resolve({"DOCKER_CONFIG": str(docker_config), "DOCKER_CONTEXT": "insecure"})
    assert insecure.tls is not None and not insecure.tls.verify
    assert resolve({"DOCKER_CONFIG": str(docker_config), "DOCKER_CONTEXT": "plain"}).tls is None


def test_a_context_that_does_not_exist_is_named_with_where_it_came_from(docker_config: Path) -> None:
    found = resolve({"DOCKER_CONFIG": str(docker_config), "DOCKER_CONTEXT": "nope"})
    assert found.host == "" and 'Docker context "nope" (from DOCKER_CONTEXT) does not exist' in found.problem
    (docker_config / "config.json").write_text(json.dumps({"currentContext": "gone"}))
    found = resolve({"DOCKER_CONFIG": str(docker_config)})
    assert f'"gone" (from currentContext in {docker_config / "config.json"}) does not exist' in found.problem


def status(config: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--config", str(config), "status"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    config = Config()
    config.runtime.container_name = "wbtui-test-contexts-nothing-here"
    store.save(config, path)
    return path


@pytest.mark.docker
def test_wbtui_reaches_the_daemon_of_the_current_context(docker_config: Path, docker_host: str, config_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    docker("context", "create", "here", "--docker", f"host={docker_host}")
    docker("context", "use", "here")
    code, out, err = status(config_path, capsys)
    assert (code, err) == (1, "") and "not deployed" in out  # the daemon answered: there is no such container
    assert f"docker host {docker_host} · docker context here · container" in out


@pytest.mark.docker
def test_an_ssh_context_goes_over_ssh(docker_config: Path, sshd: Sshd, config_path: Path,
                                      monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    docker("context", "create", "remote", "--docker", f"host={sshd.url}")
    docker("context", "use", "remote")
    monkeypatch.setenv("PATH", sshd.client("ok").env["PATH"])
    code, out, err = status(config_path, capsys)
    assert (code, err) == (1, "") and "not deployed" in out
    assert f"docker host {sshd.url} · docker context remote" in out
    monkeypatch.setenv("PATH", sshd.client("unknown", known=False).env["PATH"])
    code, out, err = status(config_path, capsys)
    assert code != 0 and out == "" and f'Docker daemon not reachable at {sshd.url} (context "remote"): ' in err
    assert "Host key verification failed" in err and f"ssh -p {sshd.port} {sshd.user}@127.0.0.1 true" in err


@pytest.mark.docker
def test_a_dead_context_names_its_endpoint_and_itself(docker_config: Path, tmp_path: Path, config_path: Path,
                                                      capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    dead = f"unix://{tmp_path}/dead.sock"
    docker("context", "create", "dead", "--docker", f"host={dead}")
    docker("context", "use", "dead")
    code, out, err = status(config_path, capsys)
    assert code != 0 and out == "" and len(err.strip().splitlines()) == 1
    assert f'Docker daemon not reachable at {dead} (context "dead"): the socket does not exist' in err
    assert "/var/run/docker.sock" not in err and "docker context inspect dead" in err
    monkeypatch.setenv("DOCKER_CONTEXT", "nope")
    code, out, err = status(config_path, capsys)
    assert code != 0 and 'Docker context "nope" (from DOCKER_CONTEXT) does not exist' in err
    assert "docker context ls" in err


def test_docker_host_in_the_environment_is_named_as_such(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                         config_path: Path, capsys: pytest.CaptureFixture[str],
                                                         docker_config: Any) -> None:
    dead = f"unix://{tmp_path}/gone.sock"
    monkeypatch.setenv("DOCKER_HOST", dead)
    code, out, err = status(config_path, capsys)
    assert code != 0 and out == "" and f"Docker daemon not reachable at {dead}: the socket does not exist" in err
    assert "point DOCKER_HOST at a running daemon" in err and "context" not in err


async def test_the_runtime_pane_names_the_engine_when_it_is_not_this_hosts_socket(
        docker_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ui_support import make_app, ready, screen_text, wait_text

    docker("context", "create", "green", "--docker", "host=ssh://deploy@green.internal:2222")
    docker("context", "use", "green")
    config = Config()
    config.runtime.container_name = "wbtui-test-contexts-pane"
    app = make_app(tmp_path, config)
    async with app.run_test(size=(160, 30)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await wait_text(pilot, 'engine ssh://deploy@green.internal:2222 (context "green")')
    docker("context", "use", "default")
    (tmp_path / "again").mkdir()
    app = make_app(tmp_path / "again", config)
    async with app.run_test(size=(160, 30)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await wait_text(pilot, "container wbtui-test-contexts-pane")
        assert "·  engine " not in screen_text(app)  # this host's own socket is not worth a word


@pytest.mark.docker
def test_a_local_socket_client_does_not_scan_the_environment_per_call(docker_host: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or .netrc applies to a unix socket; requests would look for them on every call (a fifth
    of a status poll's client CPU)."""
    import requests.sessions

    from wbtui.runtime.docker.connect import connect

    monkeypatch.setenv("DOCKER_HOST", docker_host)
    client = connect(10)
    scans: list[str] = []
    monkeypatch.setattr(requests.sessions, "get_environ_proxies",
                        lambda url, no_proxy=None: scans.append(url) or {})
    assert client.ping() and client.api.version()["ApiVersion"]
    assert scans == []
    client.close()
