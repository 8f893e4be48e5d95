"""`wbtui dashboard` and `wbtui serve`: argument handling without a terminal or a browser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from wbtui.cli import build_parser
from wbtui.cli.context import Context
from wbtui.cli.ui_cmd import dashboard_argv

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wbtui", "--config", str(tmp_path / "c.toml"), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_dashboard_without_a_terminal_says_so(tmp_path: Path) -> None:
    out = run_cli("dashboard", tmp_path=tmp_path)
    assert out.returncode == 2
    assert "needs a terminal" in out.stderr
    assert "Traceback" not in out.stderr


def test_serve_rejects_a_bad_port(tmp_path: Path) -> None:
    out = run_cli("serve", "--port", "70000", tmp_path=tmp_path)
    assert out.returncode == 2
    assert "is not a port" in out.stderr


def test_serve_listens_on_loopback_by_default() -> None:
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


def test_each_served_session_runs_the_dashboard_with_the_same_config_and_read_only(tmp_path: Path) -> None:
    args = build_parser().parse_args(["--config", str(tmp_path / "c.toml"), "--read-only", "serve"])
    argv = dashboard_argv(Context.from_args(args))
    assert argv[:3] == [sys.executable, "-m", "wbtui"]
    assert argv[argv.index("--config") + 1] == str(tmp_path / "c.toml")
    assert "--read-only" in argv and argv[-1] == "dashboard"


def test_serve_answers_a_browser_on_loopback(tmp_path: Path) -> None:
    import httpx

    from tests.services.base import free_port, wait_for

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "wbtui", "--config", str(tmp_path / "c.toml"), "serve",
                             "--port", str(port)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        page = wait_for(lambda: httpx.get(f"http://127.0.0.1:{port}/", timeout=2), 30, "wbtui serve")
        assert page.status_code == 200 and "wbtui" in page.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
