"""`--profile`, `wbtui profile list|add` and `wbtui status --all` (a running stand-in, a dead cluster, nothing
deployed, a cluster that never answers)."""

from __future__ import annotations

import json
import socket
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import free_port, wait_for
from tests.services.docker_fixtures import standin_config
from tests.test_k8s_backend import write_kubeconfig
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.health.probe import probe_sync

SECRET = "Profile-canary-pw-77"


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in ("WBTUI_CONFIG", "WBTUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "xdg" / "wbtui"


def run_json(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> Any:
    assert main([*argv, "--json"]) == code
    return json.loads(capsys.readouterr().out)


def test_add_creates_a_private_empty_profile_once(config_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    created = run_json(capsys, "profile", "add", "staging")
    path = config_home / "profiles" / "staging.toml"
    assert created == {"name": "staging", "path": str(path), "from": None, "created": True}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and store.load(path) == Config()
    assert main(["--profile", "staging", "config", "set", "HOST", "https://staging.example.com"]) == 0
    before = path.read_bytes()
    assert main(["profile", "add", "staging"]) == 1
    assert "profile staging exists already" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_add_from_copies_the_file_as_it_is(config_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "add", "staging"]) == 0
    source = config_home / "profiles" / "staging.toml"
    source.write_text('# our staging box\nHOST = "https://staging.example.com"\n')
    assert main(["profile", "add", "prod", "--from", "staging"]) == 0
    copy = config_home / "profiles" / "prod.toml"
    assert copy.read_bytes() == source.read_bytes() and stat.S_IMODE(copy.stat().st_mode) == 0o600
    capsys.readouterr()
    assert main(["profile", "add", "qa", "--from", "nosuch"]) == 2
    assert "profile nosuch does not exist" in capsys.readouterr().err
    assert not (config_home / "profiles" / "qa.toml").exists()


def test_add_is_refused_in_read_only_mode(config_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "add", "staging", "--read-only"]) == 2
    assert "read-only mode: refusing to create profile staging" in capsys.readouterr().err
    assert not (config_home / "profiles").exists()


def test_status_timeout_goes_with_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["status", "--timeout", "3"]) == 2
    assert "--timeout goes with --all" in capsys.readouterr().err


def test_list_marks_the_one_in_use(config_home: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["config", "set", "HOST", "https://default.example.com"]) == 0
    assert main(["profile", "add", "prod"]) == 0
    assert main(["config", "set", "runtime.backend", "kubernetes", "--profile", "prod"]) == 0
    capsys.readouterr()
    listed = run_json(capsys, "profile", "list", "--profile", "prod")
    assert listed["current"] == {"profile": "prod", "path": str(config_home / "profiles" / "prod.toml"),
                                 "selected_by": "--profile"}
    rows = {row["name"]: row for row in listed["profiles"]}
    assert list(rows) == ["default", "prod"]
    assert (rows["default"]["host"], rows["default"]["backend"], rows["default"]["current"]) == (
        "https://default.example.com", "docker", False)
    assert (rows["prod"]["backend"], rows["prod"]["current"]) == ("kubernetes", True)
    monkeypatch.setenv("WBTUI_PROFILE", "staging")  # in use, but no file yet: listed as such
    rows = {row["name"]: row for row in run_json(capsys, "profile", "list")["profiles"]}
    assert (rows["staging"]["exists"], rows["staging"]["current"]) == (False, True)
    assert main(["profile", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["CURRENT", "NAME", "HOST", "BACKEND", "FILE"]
    assert any(line.split()[:2] == ["*", "staging"] and "(no file yet)" in line for line in lines)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers: an engine or API server that hangs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


@pytest.mark.docker
def test_status_all_one_line_per_profile(config_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch, standin_image: str, docker_runtimes: Any,
                                         silent_port: int) -> None:
    """prod runs the real stand-in; staging's cluster is a closed port; dev is not deployed; hung's cluster
    accepts and never answers, so only the deadline ends its wait, and the other lines are there all the same."""
    prod = standin_config(standin_image, prefix="profiles", secret=SECRET, ready_delay="0.2", heartbeat="0.5")
    runtime = docker_runtimes(prod)
    runtime.deploy()
    wait_for(lambda: probe_sync(prod, runtime).ready.status_code == 200, 60, "the stand-in to be ready")
    store.save(prod, config_home / "profiles" / "prod.toml")
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {
        "dead": (f"http://127.0.0.1:{free_port()}", "default"),
        "hung": (f"http://127.0.0.1:{silent_port}", "default")}, "dead")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    for name, context in (("staging", "dead"), ("hung", "hung")):
        config = Config()
        config.runtime.backend, config.kubernetes.context, config.app.timeout = "kubernetes", context, 30.0
        store.save(config, config_home / "profiles" / f"{name}.toml")
    dev = Config()
    dev.runtime.container_name = f"wbtui-test-never-deployed-{free_port()}"
    dev.server.MYSQL = f"mysql://wandb:{SECRET}@127.0.0.1:{free_port()}/wandb"  # nothing listens there
    store.save(dev, config_home / "profiles" / "dev.toml")
    assert main(["check", "mysql", "--profile", "dev", "--json"]) == 1  # its last check: a real, failed run
    capsys.readouterr()

    data = run_json(capsys, "status", "--all", "--profile", "prod", "--timeout", "8")
    rows = {row["name"]: row for row in data["profiles"]}
    assert list(rows) == ["dev", "hung", "prod", "staging"]
    assert rows["prod"]["current"] and not any(rows[n]["current"] for n in ("dev", "hung", "staging"))
    assert (rows["prod"]["state"], rows["prod"]["ready"], rows["prod"]["version"]) == ("running", True, "dev")
    assert (rows["staging"]["backend"], rows["staging"]["state"]) == ("kubernetes", "unreachable")
    assert (rows["dev"]["state"], rows["dev"]["ready"]) == ("not deployed", None)
    assert (rows["dev"]["last_check"]["status"], rows["dev"]["last_check"]["stores"]) == ("fail", ["mysql"])
    assert rows["prod"]["last_check"] is None
    assert (rows["hung"]["state"], rows["hung"]["detail"]) == ("unreachable", "no answer within 8s")
    assert SECRET not in json.dumps(data)

    assert main(["status", "--all", "--profile", "prod", "--timeout", "8"]) == 0
    table = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert table[0] == ["CURRENT", "NAME", "BACKEND", "STATE", "READY", "VERSION", "LAST", "CHECK"]
    assert ["*", "prod", "docker", "running", "yes", "dev", "-"] in table
    dev_line = next(line for line in table if line[0] == "dev")
    assert dev_line[:6] == ["dev", "docker", "not", "deployed", "-", "-"] and dev_line[-1] == "fail"
    assert ["staging", "kubernetes", "unreachable", "-", "-", "-"] in table


def test_the_last_check_kept_per_config_file(tmp_path: Path) -> None:
    """What `wbtui check` keeps for status --all: the worst status no acknowledgement covers, per file, 0600."""
    from datetime import UTC, datetime

    from wbtui.checks import last_run
    from wbtui.checks.acknowledged import mark
    from wbtui.checks.model import CheckResult, Status
    from wbtui.config.model import Acknowledgement

    results = [CheckResult("mysql.version", "Version", Status.PASS, "8.0"),
               CheckResult("mysql.charset", "Charset", Status.WARN, "latin1"),
               CheckResult("mysql.grants", "Grants", Status.FAIL, "missing ALTER")]
    when = datetime(2026, 1, 1, tzinfo=UTC)
    ack = Acknowledgement("mysql.grants", "fail", "missing ALTER", "known", "ops", when)
    one, other = tmp_path / "one.toml", tmp_path / "other.toml"
    path = last_run.record(one, last_run.summarize(mark(results, [ack]), ("mysql",), now=when))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    kept = last_run.newest(one)
    assert kept is not None and (kept.at, kept.status, kept.stores) == (when, "warn", ("mysql",))
    assert kept.counts == {"fail": 0, "warn": 1, "pass": 1, "skipped": 0, "acknowledged": 1}
    assert last_run.newest(other) is None
    last_run.record(one, last_run.summarize(mark(results, []), ("mysql", "s3")))
    assert last_run.newest(one).status == "fail"
