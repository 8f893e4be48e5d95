"""Suggested commands print whole on one line at any width, so they can be copied and pasted as they are.

Each fix the --json output lists must appear, unbroken, on one line of the human output at 40 and at 80
columns (a table cell used to fold `wbtui config set BUCKET 's3://...'` mid-word).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.services.base import free_port
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config

WIDTHS = [40, 80]


def config_with_fixes(tmp_path: Path) -> Path:
    """Errors and warnings whose fixes are long commands; MYSQL on a closed port so its check fails fast."""
    config = Config()
    config.server.MYSQL = f"mysql://wandb_local:pw@127.0.0.1:{free_port()}/wandb_local"
    config.app.timeout = 2.0
    return store.save(config, tmp_path / "config.toml")


def fix_lines(fixes: list[str]) -> list[str]:
    lines = [line.strip() for fix in fixes for line in fix.splitlines() if line.strip()]
    assert any("wbtui " in line for line in lines)  # there are commands to copy
    return lines


def assert_whole(fixes: list[str], out: str) -> None:
    printed = out.splitlines()
    for line in fix_lines(fixes):
        assert any(line in shown for shown in printed), f"broken across lines: {line!r}"
    for command in re.findall(r"wbtui [a-z]+ [^\n]*", out):  # no suggested command ends mid-word at the margin
        assert not command.endswith(("-", "'s3://", "mysql://"))


@pytest.mark.parametrize("width", WIDTHS)
def test_config_show_prints_each_fix_whole(width: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = config_with_fixes(tmp_path)
    assert main(["--config", str(path), "config", "show", "--json"]) == 0
    fixes = [f["fix"] for f in json.loads(capsys.readouterr().out)["findings"] if f["fix"]]
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["--config", str(path), "config", "show"]) == 0
    out = capsys.readouterr().out
    assert "wbtui config set BUCKET 's3://" in out
    assert_whole(fixes, out)
    assert main(["--config", str(path), "config", "validate"]) == 1  # HOST is not set
    assert_whole(fixes, capsys.readouterr().out)


@pytest.mark.parametrize("width", WIDTHS)
def test_check_prints_each_fix_whole(width: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = config_with_fixes(tmp_path)
    assert main(["--config", str(path), "check", "mysql", "--json"]) == 1
    fixes = [r["fix"] for r in json.loads(capsys.readouterr().out) if r.get("fix")]
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(["--config", str(path), "check", "mysql"]) == 1
    assert_whole(fixes, capsys.readouterr().out)


@pytest.mark.parametrize("width", WIDTHS)
def test_doctor_prints_each_fix_whole(width: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/absent.sock")
    path = config_with_fixes(tmp_path)
    main(["--config", str(path), "doctor", "--json", "--timeout", "5"])
    report = json.loads(capsys.readouterr().out)
    fixes = [f["fix"] for f in report["findings"] if f["fix"]] + [d["fix"] for d in report["diagnosis"]]
    monkeypatch.setenv("COLUMNS", str(width))
    main(["--config", str(path), "doctor", "--timeout", "5"])
    assert_whole(fixes, capsys.readouterr().out)
