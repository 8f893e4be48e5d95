"""--json on every command: the parser walked leaf by leaf, and the lifecycle's JSON lines on a real Docker.

Lifecycle commands print one object per step as it happens ({step, status, message, at}) and end with
{"result": ...}; `logs --json` one object per log line; a failure ends with {"error": ...} on stdout while
the human line stays on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import free_port
from tests.services.docker_fixtures import standin_config
from wbtui.cli import build_parser, main
from wbtui.config import store
from wbtui.runtime.docker.backend import DockerRuntime

SECRET = "Json-" + secrets.token_hex(6)
WITHOUT_JSON = {
    "dashboard": "the full-screen dashboard: there is no output to structure",
    "serve": "serves the dashboard to a browser until stopped",
    "metrics": "serves Prometheus' own text format until stopped",
    "completion": "prints a shell script for the shell to source",
    "shell": "an interactive shell in the container or pod, on the terminal",
}
STEP_KEYS = {"step", "status", "message", "at"}


def make_config(image: str) -> Any:
    config = standin_config(image, prefix="json", secret=SECRET, ready_delay="0.3", heartbeat="0.2")
    config.runtime.cpu_request, config.runtime.memory_request = "0.5", "128Mi"  # within the stand-in's limits
    config.server.HOST = f"http://127.0.0.1:{free_port()}"  # not served: probes use the published port
    return config


def leaves(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every command a user can run: (its words, its parser)."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs or (parser.get_default("func") is not None and not any(a.required for a in subs)):
        yield " ".join(words), parser
    for action in subs:
        for name, child in action.choices.items():
            yield from leaves(child, (*words, name))


def test_every_command_takes_json_but_the_interactive_ones() -> None:
    found = dict(leaves(build_parser()))
    assert {"up", "down", "restart", "start", "stop", "upgrade", "rollback", "logs", "service install", "db init",
            "setup", "bucket create", "bucket cors", "restore", "backup"} <= set(found)
    missing = sorted(words for words, parser in found.items()
                     if "--json" not in {o for a in parser._actions for o in a.option_strings})
    assert missing == sorted(w for w in WITHOUT_JSON if w in found)


def test_a_confirmation_under_json_without_a_terminal_is_refused_as_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")  # asked before the daemon is
    path = store.save(make_config("wbtui-test/local:dev"), tmp_path / "config.toml")
    for argv in (["down"], ["restart"], ["stop"], ["upgrade", "9.9.9", "--no-backup"]):
        assert main(["--config", str(path), *argv, "--json"]) == 2
        captured = capsys.readouterr()
        error = json.loads(captured.out)["error"]
        assert (error["code"], error["kind"]) == (2, "usage") and "pass --yes to confirm" in error["message"]
        assert "This will:" in captured.err and "error:" in captured.err  # the human's lines, off stdout


def json_lines(out: str) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in out.splitlines()]
    for line in lines[:-1]:
        assert set(line) >= STEP_KEYS and line["status"] in ("started", "progress", "done", "failed"), line
        datetime.fromisoformat(line["at"].replace("Z", "+00:00"))
    assert set(lines[-1]) in ({"result"}, {"error"})
    return lines


def steps(lines: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(line["step"], line["status"]) for line in lines if "step" in line]


@pytest.fixture
def deployed(tmp_path: Path, docker_client: Any, standin_image: str) -> Iterator[Path]:
    path = store.save(make_config(standin_image), tmp_path / "config.toml")
    yield path
    runtime = DockerRuntime(store.load(path))
    with contextlib.suppress(Exception):
        runtime.remove(purge=True)
    runtime.close()


@pytest.mark.docker
def test_lifecycle_json_lines_on_a_real_docker(deployed: Path, docker_client: Any, standin_image: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    def run(*argv: str) -> tuple[int, list[dict[str, Any]]]:
        code = main(["--config", str(deployed), *argv, "--json"])
        captured = capsys.readouterr()
        assert SECRET not in captured.out + captured.err
        return code, json_lines(captured.out)

    code, lines = run("up", "--yes", "--timeout", "120")
    assert code == 0 and lines[-1]["result"]["ok"] and lines[-1]["result"]["watch"]["ready"]
    walked = steps(lines)
    assert walked[0] == ("deploy", "started") and ("deploy", "done") in walked
    assert walked.index(("deploy", "done")) < walked.index(("watch", "started")) < walked.index(("watch", "done"))

    code, lines = run("restart", "--yes")
    assert code == 0 and steps(lines)[0] == ("restart", "started") and steps(lines)[-1] == ("restart", "done")
    assert any(line["status"] == "progress" and line["message"].startswith("stopping") for line in lines[:-1])

    code, lines = run("stop", "--yes", "--timeout", "10")
    assert code == 0 and steps(lines)[-1] == ("stop", "done")
    code, lines = run("start")
    assert code == 0 and lines[-1]["result"]["exit_code"] == 0

    repository, _, original = standin_image.rpartition(":")
    tag = f"json-{secrets.token_hex(3)}"
    docker_client.images.get(standin_image).tag(f"{repository}:{tag}")
    try:
        code, lines = run("upgrade", tag, "--yes", "--no-backup", "--timeout", "120")
        walked = steps(lines)
        assert code == 0 and walked[0] == ("upgrade", "started") and ("upgrade", "done") in walked
        assert walked.index(("upgrade", "done")) < walked.index(("watch", "started"))
        assert any("no backup before the upgrade" in line["message"] for line in lines[:-1])
        assert lines[-1]["result"]["image"] == f"{repository}:{tag}" and "rollback" in lines[-1]["result"]["rollback"]
        code, lines = run("rollback", "--yes", "--no-watch")
        assert code == 0 and steps(lines)[0] == ("rollback", "started") and steps(lines)[-1] == ("rollback", "done")
        assert lines[-1]["result"]["image"] == standin_image and not lines[-1]["result"]["data_restored"]
        assert store.load(deployed).runtime.tag == original
    finally:
        docker_client.images.remove(f"{repository}:{tag}")

    code = main(["--config", str(deployed), "logs", "--tail", "all", "--timestamps", "--json"])
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and logged and all("line" in entry and "time" in entry for entry in logged)
    assert logged[0]["line"] == "*** Starting W&B server (wandb/local stand-in, mode=normal)"  # no stamp in it
    assert all(datetime.fromisoformat(entry["time"]).tzinfo for entry in logged)
    assert all(SECRET not in entry["line"] for entry in logged)

    code, lines = run("down", "--yes")
    assert code == 0 and steps(lines)[0] == ("remove", "started") and steps(lines)[-1] == ("remove", "done")
    assert {status for _, status in steps(lines)} <= {"started", "progress", "done"}
    code, lines = run("start")  # nothing left to start: the failed step, then the error as the last line
    assert code == 1 and steps(lines) == [("start", "started"), ("start", "failed")]
    assert lines[-1]["error"]["kind"] == "not-deployed" and lines[-1]["error"]["fix"]


def test_a_usage_error_under_json_is_a_json_error_too(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["status", "--json", "--no-such-option"])
    captured = capsys.readouterr()
    assert exited.value.code == 2 and "unrecognized arguments: --no-such-option" in captured.err
    assert json.loads(captured.out) == {"error": {"message": "unrecognized arguments: --no-such-option", "code": 2,
                                                  "kind": "usage"}}
    with pytest.raises(SystemExit):
        main(["status", "--no-such-option"])
    assert capsys.readouterr().out == ""  # without --json, stdout stays empty


def test_service_install_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = store.save(make_config("wbtui-test/local:dev"), tmp_path / "config.toml")
    root = tmp_path / "root"
    assert main(["--config", str(path), "service", "install", "--root", str(root), "--yes", "--json"]) == 0
    out = capsys.readouterr().out
    result = json.loads(out)["result"]
    assert result["ok"] and not result["started"] and Path(result["unit"]).is_file()
    assert result["env_file"].startswith(str(root)) and SECRET not in out


@pytest.mark.mysql
def test_db_init_json(mariadb: Any, mysql_scratch: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = make_config("wbtui-test/local:dev")
    config.server.MYSQL = mysql_scratch.url
    path = store.save(config, tmp_path / "config.toml")
    argv = ["--config", str(path), "db", "init", "--admin", mariadb.admin_url, "--json"]
    assert main([*argv, "--dry-run"]) == 0
    captured = capsys.readouterr()
    plan = json.loads(captured.out)
    assert plan["dry_run"] and plan["results"] == [] and {s["action"] for s in plan["plan"]} >= {"create"}
    assert "Plan for" in captured.err  # the human's plan, off stdout
    assert main([*argv, "--yes"]) == 0
    out = capsys.readouterr().out
    done = json.loads(out)
    assert done["ok"] and {r["outcome"] for r in done["results"]} <= {"created", "already present"}
    assert mysql_scratch.password not in out and "****" in out


@pytest.mark.mysql
def test_setup_answers_json(mariadb: Any, mysql_scratch: Any, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """The plan it needs --yes for is a progress line; the run ends with the error saying so (exit 2)."""
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"where": {"backend": "docker"},
                                   "mysql": {"url": mysql_scratch.url, "admin_url": mariadb.admin_url}}))
    code = main(["--config", str(tmp_path / "config.toml"), "setup", "--answers", str(answers), "--json"])
    out = capsys.readouterr().out
    lines = json_lines(out)
    assert code == 2 and lines[-1]["error"]["code"] == 2 and "rerun with --yes" in lines[-1]["error"]["message"]
    assert any(line["message"].startswith("will: CREATE USER") for line in lines[:-1])
    assert mysql_scratch.password not in out
