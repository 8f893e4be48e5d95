"""`wbtui probe` and `wbtui doctor` end to end through the CLI entry point."""

from __future__ import annotations

import json
import os
import stat
import tarfile
from pathlib import Path

import pytest

from tests.services.base import free_port
from tests.test_health_servers import HealthServer
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config

SECRET = "Cli-Canary/Pw+1"


@pytest.fixture
def server() -> HealthServer:
    srv = HealthServer(ready_after=1)
    yield srv
    srv.close()


@pytest.fixture
def no_docker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A DOCKER_HOST where no daemon listens: the runtime parts must fail soft."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")


def write_config(tmp_path: Path, host: str = "", port: int | None = None) -> Path:
    config = Config()
    config.server.HOST = host
    config.runtime.port = port or free_port()
    config.runtime.bind_address = "127.0.0.1"
    config.server.LICENSE = f"header.payload.{SECRET}"
    config.app.timeout = 2.0
    path = tmp_path / "config.toml"
    store.save(config, path)
    return path


def test_probe_once_reports_both_endpoints(server: HealthServer, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path)
    assert main(["--config", str(path), "probe", "--url", server.url()]) == 1  # /ready 503 first
    out = capsys.readouterr().out
    assert "✔ /healthz: 200 OK" in out and "✘ /ready: 503 Service Unavailable: not ready yet" in out
    assert "via url" in out and "fix:" in out
    assert main(["--config", str(path), "probe", "--url", server.url()]) == 0


def test_probe_json(server: HealthServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, host=server.url())
    main(["--config", str(path), "probe", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert data["target"]["via"] == "host" and data["healthz"]["status_code"] == 200
    assert data["ready"]["kind"] == "http-5xx" and data["ready"]["latency_ms"] > 0


def test_probe_watch_prints_samples_and_the_transition(server: HealthServer, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path)
    code = main(["--config", str(path), "probe", "--url", server.url(), "--watch", "--interval", "0.1",
                 "--count", "3", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and len(lines) == 3
    assert [t["message"].split(" after")[0] for t in lines[1]["transitions"]] == ["ready"]
    code = main(["--config", str(path), "probe", "--url", server.url(), "--watch", "--interval", "0.1",
                 "--count", "2"])
    out = capsys.readouterr().out
    assert code == 0 and out.count(server.url()) == 2


def test_probe_without_host_uses_the_published_port(tmp_path: Path, no_docker: None,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    port = free_port()
    path = write_config(tmp_path, port=port)
    assert main(["--config", str(path), "probe"]) == 1
    out = capsys.readouterr().out
    assert f"http://127.0.0.1:{port} (via local: no usable HOST" in out
    assert "connection refused" in out and "Traceback" not in out


def test_probe_falls_back_from_a_refused_host(server: HealthServer, tmp_path: Path, no_docker: None,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, host=f"http://127.0.0.1:{free_port()}", port=server.port)
    main(["--config", str(path), "probe"])
    out = capsys.readouterr().out
    assert f"{server.url()} (via local: HOST" in out and "does not answer from this machine" in out
    assert "✔ /healthz: 200 OK" in out


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["--config", str(path), "probe", "--interval", "0"])
    assert exc.value.code == 2
    assert main(["--config", str(path), "doctor", "--bundle", str(tmp_path / "no" / "dir.tgz")]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_doctor_json_and_bundle_with_the_daemon_down(server: HealthServer, tmp_path: Path, no_docker: None,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, host=server.url())
    bundle = tmp_path / "support.tar.gz"
    code = main(["--config", str(path), "--read-only", "doctor", "--json", "--bundle", str(bundle),
                 "--timeout", "5"])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert code == 4 and not data["healthy"] and "absent.sock" in data["unreachable"]  # the daemon is down
    assert data["status"] is None and data["probe"]["healthz"]["ok"]
    assert any(not part["ok"] for part in data["parts"].values())
    assert SECRET not in captured.out + captured.err
    assert stat.S_IMODE(os.stat(bundle).st_mode) == 0o600 and "support bundle written" in captured.err
    with tarfile.open(bundle) as tar:
        for member in tar.getmembers():
            assert SECRET not in tar.extractfile(member).read().decode()


def test_doctor_human_output(server: HealthServer, tmp_path: Path, no_docker: None,
                             capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path, host=server.url())
    assert main(["--config", str(path), "doctor", "--timeout", "5"]) == 4  # the daemon is down
    out = capsys.readouterr().out
    assert "W&B Server doctor" in out and "Probe" in out and "problem(s)" in out
    assert SECRET not in out
