"""Overview (the on-call view) and Health panes: what they show, their one-key actions, the probes."""

from __future__ import annotations

import socket
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.ui_support import make_app, ready, wait_text, wait_until
from wbtui.config.model import Config
from wbtui.ui.panes.datastores import DatastoresPane
from wbtui.ui.panes.health import HealthPane
from wbtui.ui.widgets.confirm import ConfirmScreen

SECRET = "Canary-overview-pw-51c2"


class Server:
    """A loopback HTTP server answering /healthz 200 and /ready with ``ready_code``."""

    def __init__(self) -> None:
        self.ready_code = 503
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                code = 200 if self.path == "/healthz" else owner.ready_code if self.path == "/ready" else 404
                body = b"ok" if code == 200 else b"migrating"
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def http_server() -> Iterator[Server]:
    server = Server()
    yield server
    server.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config_for(host: str) -> Config:
    config = Config()
    config.server.HOST = host
    config.server.MYSQL = f"mysql://wandb:{SECRET}@127.0.0.1:{closed_port()}/wandb"
    config.runtime.port = closed_port()
    config.app.timeout = 2.0
    return config


async def test_probes_history_transitions_and_sparkline(tmp_path: Path, http_server: Server,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    app = make_app(tmp_path, config_for(http_server.url))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        health = app.query_one(HealthPane)
        await pilot.press("6", "p")
        await wait_text(pilot, "503 Service Unavailable: not ready yet", "fix: wait: the server starts")
        http_server.ready_code = 200
        await pilot.press("p")
        await wait_until(pilot, lambda: len(health.samples) >= 2 and health.samples[-1].ready.ok, 20, "ready")
        await wait_text(pilot, "ready after")
        await pilot.press("p")
        await wait_until(pilot, lambda: len(health.samples) >= 3, 20, "a third sample")
        await pilot.press("1")  # the Overview shows the same probes, with a latency sparkline
        text = await wait_text(pilot, "/ready", "✔ 200 OK")
        assert any(ch in text for ch in "▁▂▃▄▅▆▇█")


async def test_overview_keys_run_checks_open_logs_and_ask_before_restart(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    app = make_app(tmp_path, config_for("https://wandb.example.com"))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        datastores = app.query_one(DatastoresPane)
        await pilot.press("c")
        await wait_until(pilot, lambda: not datastores.checking and datastores.results, 30, "the checks")
        text = await wait_text(pilot, "mysql", "fix:")  # the failed connect, summarised with its fix
        assert SECRET not in text
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the restart confirmation")
        await pilot.press("n")
        await pilot.press("l")
        await wait_until(pilot, lambda: app.active_pane == "logs", 5, "the Logs pane")


async def test_doctor_bundle_is_written_redacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    monkeypatch.chdir(tmp_path)
    app = make_app(tmp_path, config_for("https://wandb.example.com"))
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await pilot.press("b")
        await wait_until(pilot, lambda: list(tmp_path.glob("wbtui-bundle-*.tar.gz")), 120, "the bundle")
        await wait_until(pilot, lambda: any("Support bundle" in str(n.message) for n in app._notifications), 10,
                         "the notification")
    bundle = next(tmp_path.glob("wbtui-bundle-*.tar.gz"))
    with tarfile.open(bundle) as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member)
            assert data is None or SECRET.encode() not in data.read()


@pytest.mark.parametrize(("theme", "expected"), [("ansi-dark", "ansi-dark"), ("no-such-theme", "textual-dark")])
async def test_theme_from_the_config(tmp_path: Path, theme: str, expected: str) -> None:
    config = Config()
    config.app.theme = theme
    app = make_app(tmp_path, config)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.theme == expected


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_first_screen_says_why_a_crash_looping_server_is_down(tmp_path: Path, size: tuple[int, int]) -> None:
    """It said `● restarting unknown / restarts 8` with the cause below the fold; the verdict is the
    first line now, with the fix's first step under it."""
    from tests.ui_support import screen_text
    from wbtui.runtime.base import ServerStatus
    from wbtui.ui.messages import Diagnosed, ErrorLines, StatusUpdate

    app = make_app(tmp_path, Config(), background=False)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        status = ServerStatus("docker", "wandb-local", True, "restarting", restart_count=8, exit_code=1)
        app.on_status_update(StatusUpdate(status, None, None))
        line = "panic: Dirty database version 1. Fix and force version."  # the stand-in's crash mode: wandb/server#16
        app.on_error_lines(ErrorLines([Diagnosed(line)]))
        await wait_text(pilot, "Interrupted database migration")
        top = screen_text(app).splitlines()[:4]
        assert any("✘ Interrupted database migration" in row for row in top), top
        assert any("fix: Stop the server and back up" in row for row in top), top
