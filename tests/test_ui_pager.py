"""`|` in the Logs pane: the shown lines (filtered, masked) in $PAGER, the dashboard suspended and back.

The real terminal case runs the installed `wbtui` in tmux at 80x24 with PAGER set to a script that records
what it was given and waits for a key, so the test sees the terminal handed over and taken back.
"""

from __future__ import annotations

import contextlib
import stat
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli_runtime import SECRET, make_config
from tests.test_terminal_tmux import WBTUI, needs_tmux, terminal, wbtui
from tests.ui_support import make_app, noticed, ready, wait_text
from wbtui.config import store
from wbtui.runtime.docker.backend import DockerRuntime
from wbtui.ui.panes.logs import LogsPane
from wbtui.ui.terminal import pager


def test_the_pager_is_pager_then_less_then_more() -> None:
    assert pager({"PAGER": "less -R +G"}) == ["less", "-R", "+G"]
    assert pager({"PAGER": "  "})[0].endswith("/less")  # type: ignore[index]
    assert pager({})[0].endswith("/less")  # type: ignore[index]


async def test_without_a_terminal_it_says_so_and_leaves_no_file(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5", "vertical_line")
        assert noticed(app, "Nothing to page: no lines shown")
        app.query_one(LogsPane).ingest([(None, "line one"), (None, "line two")])
        await wait_text(pilot, "2 shown / 2 held")
        await pilot.press("vertical_line")
        assert noticed(app, "Not paged: there is no terminal to hand over here")
        assert list(temp.iterdir()) == []


@needs_tmux
@pytest.mark.docker
def test_the_pager_gets_the_shown_lines_masked_and_the_dashboard_comes_back(
        tmp_path: Path, docker_client: Any, standin_image: str) -> None:
    out = tmp_path / "paged"
    script = tmp_path / "record-pager"
    script.write_text(f"#!/bin/sh\nstat -c %a \"$1\" > {out}.mode\ncp \"$1\" {out}.lines\necho \"$1\" > {out}.path\n"
                      "echo PAGER-WAS-HERE\nread answer\n")
    script.chmod(0o700)
    path = tmp_path / "config.toml"
    config = make_config(standin_image, STANDIN_ERROR_AT="0",
                         STANDIN_ERROR_LINE=f"ERROR: lost connection to mysql://wandb:{SECRET}@db.internal:3306")
    config.env["STANDIN_HEARTBEAT"] = "1"  # lines the filter leaves out
    store.save(config, path)
    try:
        assert wbtui(path, "up", "--no-watch").returncode == 0
        with terminal(["env", f"PAGER={script}", str(WBTUI), "--config", str(path)], tmp_path) as term:
            term.wait_for("1 Overview")
            term.press("5")
            term.wait_for("stream connected")
            term.press("/")
            term.wait_for("filter lines (Enter")
            term.keys("ERROR", "Enter")
            term.wait_for("filter: ERROR", "ERROR: lost connection", "1 shown")
            term.keys("|")
            term.wait_for("PAGER-WAS-HERE")  # the pager has the terminal
            assert "stream connected" not in term.screen()
            term.keys("Enter")
            shown = term.wait_for("filter: ERROR", "stream connected")  # the dashboard is back, redrawn
            assert "PAGER-WAS-HERE" not in shown
            paged = Path(f"{out}.lines").read_text()
            assert paged.splitlines() == ["ERROR: lost connection to mysql://wandb:****@db.internal:3306"], paged
            assert Path(f"{out}.mode").read_text().strip() == "600"
            assert not Path(Path(f"{out}.path").read_text().strip()).exists()  # removed once the pager ended
            assert stat.S_IMODE(script.stat().st_mode) == 0o700
            term.keys("q")
            term.wait_for("EXITED=0")
    finally:
        runtime = DockerRuntime(store.load(path))
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()
