"""`wbtui diagnose [FILE|-]`: a log on its own (issue 13), as admins paste it into tickets.

The log lines are real, copied from public reports (the source is next to each). The decorations a log
viewer adds (docker -t timestamps, kubectl --prefix, compose's `name  | `, colours, CRLF) are written here
in the shape those tools print them: marked [shape].
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wbtui.cli import diagnose_cmd, main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.ops import diagnose_log
from wbtui.ops.bundle import write_bundle
from wbtui.ops.doctor import DoctorReport

# https://github.com/wandb/wandb/issues/2941 (verbatim, as in tests/diagnosis_corpus)
WANDB2941 = [
    "*** Running /etc/my_init.d/02_load-settings.sh...",
    "mkdir: cannot create directory ‘/vol/env’: Permission denied",
    "find: ‘/vol/env’: No such file or directory",
    "*** Loading settings...",
    "2021/11/19 12:22:39 Error adding user: open /vol/env/users.htpasswd: no such file or directory",
    "panic: Can't create default user",
]
# https://github.com/wandb/server/issues/33 (verbatim, as in tests/diagnosis_corpus)
SERVER33 = [
    "Error adding user: open /vol/env/users.htpasswd: no such file or directory",
    "panic: Can't create default user",
    "*** Running /etc/my_init.d/02_load-settings.sh...",
    "chmod: changing permissions of '/vol/env': Operation not permitted  <-------",
    "*** Loading settings...",
    "*** Setting up mysql database...",
    "*** Starting wandb servers...",
    "*** Configuring minio...",
]
PASSWORD = "Tk9-diagnose-Canary-7q"
URL_LINE = f"dial mysql://wandb:{PASSWORD}@db.internal:3306/wandb_local: connection refused"  # [shape]


@pytest.fixture(autouse=True)
def own_config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # no operator config: diagnose needs none


def write(tmp_path: Path, lines: list[str], name: str = "ticket.log", end: str = "\n") -> str:
    path = tmp_path / name
    path.write_bytes("".join(line + end for line in lines).encode())
    return str(path)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_pasted_log_names_cause_fix_evidence_and_the_knock_on(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["diagnose", write(tmp_path, WANDB2941)], capsys)
    assert code == 1
    first = out.index("1. [critical] No permission to write the data volume")
    assert "cause:" in out and "fix:" in out
    assert "evidence: mkdir: cannot create directory ‘/vol/env’: Permission denied" in out
    knock_on = out.index("follows from it: [error] The server could not create its default user")
    assert first < knock_on
    assert "2. " not in out  # the knock-on is under its cause, not a finding of its own


def test_the_stores_are_read_from_the_log_and_the_line_is_named(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["diagnose", write(tmp_path, SERVER33)], capsys)
    assert code == 1
    assert "MySQL embedded (from: *** Setting up mysql database...)" in out
    assert "Object store embedded (from: *** Configuring minio...)" in out
    data = json.loads(run(["diagnose", "--json", write(tmp_path, SERVER33)], capsys)[1])
    assert data["stores_from"] == "log"
    assert data["stores"] == {"mysql": "embedded", "bucket": "embedded",
                              "mysql_line": "*** Setting up mysql database...",
                              "bucket_line": "*** Configuring minio..."}
    assert data["findings"][0]["rule"] == diagnose_log.diagnose_lines(SERVER33).findings[0].rule


STAMP = "2021-11-19T12:22:39.123456789Z "  # [shape] docker logs -t / kubectl logs --timestamps
DECORATED = {
    "docker": lambda line: line,
    "docker -t": lambda line: STAMP + line,
    "kubectl --prefix": lambda line: "[pod/wandb-7c9f8d6b5-x2x7q/wandb] " + line,  # [shape]
    "kubectl --prefix --timestamps": lambda line: "[pod/wandb-7c9f8d6b5-x2x7q/wandb] " + STAMP + line,  # [shape]
    "compose": lambda line: "wandb-1  | " + line,  # [shape]
    "compose colours": lambda line: "\x1b[36mwandb-1  |\x1b[0m " + line,  # [shape]
    "ansi": lambda line: "\x1b[31m" + line + "\x1b[0m",  # [shape]
}


@pytest.mark.parametrize("end", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("kind", list(DECORATED))
def test_every_viewer_format_reads_as_the_bare_log(kind: str, end: str, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    bare = json.loads(run(["diagnose", "--json", write(tmp_path, SERVER33, "bare.log")], capsys)[1])
    lines = [DECORATED[kind](line) for line in SERVER33]
    data = json.loads(run(["diagnose", "--json", write(tmp_path, lines, end=end)], capsys)[1])
    assert data["findings"] == bare["findings"]
    assert data["stores"] == bare["stores"]
    assert not any(c in json.dumps(data) for c in ("\\u001b", "\\r", "pod/wandb", "wandb-1  |"))


def test_a_log_line_that_only_looks_like_a_prefix_is_left_alone() -> None:
    lines = ["*** Setting up mysql database...", "user | group | mode", "plain line"]
    assert diagnose_log.clean_lines(lines) == lines


def test_stdin_with_a_dash_and_as_a_pipe(tmp_path: Path) -> None:
    log = "".join(line + "\n" for line in WANDB2941).encode()
    for args in (["diagnose", "-"], ["diagnose"]):
        done = subprocess.run([sys.executable, "-m", "wbtui", *args], input=log, capture_output=True, timeout=60,
                              env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
        assert done.returncode == 1, done.stderr
        assert b"No permission to write the data volume" in done.stdout


def test_no_file_and_a_terminal_is_a_usage_error_saying_how(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    code, _, err = run(["diagnose"], capsys)
    assert code == 2
    assert "docker logs wandb-local 2>&1 | wbtui diagnose -" in err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["diagnose", str(tmp_path / "missing.log")], capsys)[0] == 2
    assert run(["diagnose", str(tmp_path)], capsys)[0] == 2
    code, _, err = run(["diagnose", write(tmp_path, [])], capsys)
    assert code == 2 and "empty" in err
    (tmp_path / "broken.tar.gz").write_bytes(gzip.compress(b"not a tar"))
    code, _, err = run(["diagnose", str(tmp_path / "broken.tar.gz")], capsys)
    assert code == 2 and "support bundle" in err
    with pytest.raises(SystemExit) as exited:
        main(["diagnose", "--tail", "-1", "x"])
    assert exited.value.code == 2


def test_nothing_found_exits_0_and_says_what_to_try(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # https://github.com/wandb/server/issues/33: the init lines of a start-up, no failure among them
    code, out, _ = run(["diagnose", write(tmp_path, SERVER33[4:])], capsys)
    assert code == 0
    assert "No known failure" in out and "wbtui doctor" in out and "--tail" in out
    data = json.loads(run(["diagnose", "--json", write(tmp_path, SERVER33[4:])], capsys)[1])
    assert data["findings"] == []


def test_a_url_password_never_appears_in_text_or_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [URL_LINE, *WANDB2941, f"MYSQL_PASSWORD={PASSWORD}"]  # [shape]: the password echoed bare too
    path = write(tmp_path, lines)
    for args in (["diagnose", path], ["diagnose", "--json", path], ["diagnose", "--use-config", path]):
        code, out, err = run(args, capsys)
        assert code == 1
        assert PASSWORD not in out + err
    lines = [line for line in lines if "Permission denied" not in line and "mkdir" not in line]
    lines.insert(0, "HistoryStore:mysql://wandb:" + PASSWORD + "@db.internal:3306/wandb_local")  # [shape]
    path = write(tmp_path, lines, "stores.log")
    for args in (["diagnose", path], ["diagnose", "--json", path]):
        out = run(args, capsys)[1]
        assert PASSWORD not in out
    assert "MySQL external (from: HistoryStore:mysql://wandb:****@db.internal" in run(["diagnose", path], capsys)[1]


def test_use_config_diagnoses_against_the_operators_config(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    config = Config()
    config.server.MYSQL = ""  # embedded
    path = store.save(config, tmp_path / "config.toml")
    data = json.loads(run(["--config", str(path), "diagnose", "--use-config", "--json",
                           write(tmp_path, WANDB2941)], capsys)[1])
    assert data["stores_from"] == "config" and data["source"]["config"] == "--use-config"
    assert "Stores: from the configuration" in run(["--config", str(path), "diagnose", "--use-config",
                                                    write(tmp_path, WANDB2941)], capsys)[1]
    (tmp_path / "bad.toml").write_text("not = [toml")
    assert run(["--config", str(tmp_path / "bad.toml"), "diagnose", "--use-config",
                write(tmp_path, WANDB2941)], capsys)[0] == 1  # a broken config is the config's error


def test_a_support_bundle_is_read_with_its_config_and_status(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from wbtui.runtime.base import ServerStatus

    config = Config()
    config.server.MYSQL = f"mysql://wandb:{PASSWORD}@db.internal:3306/wandb_local"
    report = DoctorReport(created=datetime(2024, 5, 1, tzinfo=UTC), backend="docker", logs=[URL_LINE, *WANDB2941],
                          status=ServerStatus("docker", "wandb-local", True, "restarting", exit_code=1,
                                              restart_count=7))
    bundle = write_bundle(report, config, tmp_path / "bundle.tar.gz")
    code, out, err = run(["diagnose", str(bundle), "--json"], capsys)
    assert code == 1, err
    data = json.loads(out)
    assert data["source"]["kind"] == "bundle" and data["source"]["config"] == "bundle"
    assert data["stores_from"] == "config"
    assert data["findings"][0]["rule"] == "volume-permissions"
    assert PASSWORD not in out
    piped = subprocess.run([sys.executable, "-m", "wbtui", "diagnose", "-"], input=bundle.read_bytes(),
                           capture_output=True, timeout=60, env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path)})
    assert piped.returncode == 1 and b"support bundle stdin" in piped.stdout


def test_the_help_documents_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["diagnose", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit 0 when nothing known was found, 1 when something was, 2 on usage errors" in text
    assert "kubectl logs deploy/wandb | wbtui diagnose -" in text
    assert (diagnose_cmd.HEAD_LINES, diagnose_cmd.TAIL_LINES) == (diagnose_log.HEAD_LINES, diagnose_log.TAIL_LINES)


def test_a_huge_log_keeps_its_head_and_tail_and_counts_the_rest(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    filler = "GET /api/v1/runs 200 3ms\n"  # [shape]
    with (tmp_path / "huge.log").open("w") as f:
        f.write(SERVER33[5] + "\n")  # the start-up names the store
        f.write(filler * 200_000)
        f.write("x" * 1_000_000 + "\n")  # one line of a megabyte: cut, not held
        f.write("".join(line + "\n" for line in WANDB2941))
    started = time.monotonic()
    code, out, _ = run(["diagnose", "--json", str(tmp_path / "huge.log")], capsys)
    took = time.monotonic() - started
    data = json.loads(out)
    assert code == 1
    assert data["source"]["total_lines"] == 200_000 + 2 + len(WANDB2941)
    assert data["source"]["skipped"] == data["source"]["total_lines"] - 55_000
    assert data["stores"]["mysql"] == "embedded"  # from the head
    assert data["findings"][0]["rule"] == "volume-permissions"  # from the tail
    assert took < 30, took  # about 1 s alone; the bound keeps it from growing with the log
    assert "945" not in out  # nothing else of the skipped part
    read = diagnose_log.read_lines(io.BytesIO(b"a\r\n" * 10), head=2, tail=3)
    assert (read.lines, read.total, read.skipped) == (["a"] * 5, 10, 5)
