"""Real local servers and a scripted runtime for the health, watch and doctor tests.

``HealthServer`` is a real HTTP(S) server on 127.0.0.1 shaped like W&B's
endpoints. ``ScriptedRuntime`` implements the Runtime interface over such a
server with a scripted timeline of states and log lines: a stand-in for a
container where no Docker is needed, not a mock of Docker.
"""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from wbtui.config.model import Config
from wbtui.runtime.base import LogLine, ResourceUsage, Runtime, RuntimeEvent, ServerStatus


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that reject our certificate or hang up are part of the tests, not errors."""


class HealthServer:
    """/healthz 200; /ready 503 ("migrations running") until ready, then 200.

    Ready after ``ready_after`` answered /ready requests, or ``ready_at`` seconds
    after start (None: never). Base URLs under a prefix misbehave:
    /hang (accepts, never answers), /login (302 to a login page), /missing (404),
    /broken (500), /gateway (502).
    """

    def __init__(self, *, ready_after: int | None = None, ready_at: float | None = 0.0,
                 tls: ssl.SSLContext | None = None) -> None:
        self.ready_after = ready_after
        self.ready_at = ready_at
        self.started = time.monotonic()
        self.release = threading.Event()
        self.requests: list[str] = []
        self.ready_answers = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                prefix, _, rest = self.path.lstrip("/").partition("/")
                if prefix == "hang":
                    server.release.wait(30)
                    return
                if prefix == "login":
                    self.send_response(302)
                    self.send_header("Location", f"/sso/login?next=/{rest}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                codes = {"missing": 404, "broken": 500, "gateway": 502}
                if prefix in codes:
                    self._answer(codes[prefix], "error page")
                elif self.path == "/healthz":
                    self._answer(200, "ok")
                elif self.path == "/ready":
                    ready = server.is_ready()
                    server.ready_answers += 1
                    self._answer(200 if ready else 503, "ready" if ready else "migrations running")
                else:
                    self._answer(404, "404 page not found")

            def _answer(self, code: int, body: str) -> None:
                data = (body + "\n").encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls is not None:
            # The handshake happens in the handler thread, so a failing client cannot stall accept().
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True, do_handshake_on_connect=False)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def is_ready(self) -> bool:
        if self.ready_after is not None:
            return self.ready_answers >= self.ready_after
        return self.ready_at is not None and time.monotonic() - self.started >= self.ready_at

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, prefix: str = "", host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}" + (f"/{prefix}" if prefix else "")

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


def make_self_signed(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for localhost/127.0.0.1 made by openssl, as W&B operators do."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=30)
    return cert, key


def self_signed_context(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate."""
    cert, key = make_self_signed(directory)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


class ScriptedRuntime(Runtime):
    """A server whose life follows a script: states and log lines at given seconds after start.

    ``states`` holds (seconds, changes to ServerStatus); ``lines`` holds (seconds, text).
    ``fail`` makes every daemon call raise that problem (daemon down); ``hang`` makes
    status() block like a dead socket.
    """

    backend = "scripted"

    def __init__(self, config: Config, *, local: str | None = None, states: list[tuple[float, dict[str, Any]]] = (),
                 lines: list[tuple[float, str]] = (), fail: Exception | None = None, hang: bool = False) -> None:
        super().__init__(config)
        self.local = local
        self.states = sorted(states, key=lambda s: s[0])
        self.lines = sorted(lines, key=lambda s: s[0])
        self.fail = fail
        self.hang = hang
        self.unblock = threading.Event()
        self.started = time.monotonic()
        self.manual: dict[str, Any] = {}
        self.closed = False

    @property
    def name(self) -> str:
        return self.config.runtime.container_name

    def _elapsed(self) -> float:
        return time.monotonic() - self.started

    def _check(self) -> None:
        if self.fail is not None:
            raise self.fail

    def deploy(self) -> str:
        self._check()
        self.started, self.manual = time.monotonic(), {}
        return "created"

    def replaced_by_deploy(self) -> str:
        return ""

    def start(self) -> str:
        self._check()
        self.manual.pop("state", None)
        return "started"

    def stop(self, timeout: float = 30) -> str:
        self._check()
        self.manual.update(state="exited", exit_code=0)
        return "stopped"

    def restart(self) -> str:
        self._check()
        self.started, self.manual = time.monotonic(), {}
        return "restarted"

    def remove(self, purge: bool = False) -> str:
        self._check()
        self.manual.update(exists=False, state="missing")
        return "removed"

    def upgrade(self, tag: str) -> str:
        self._check()
        self.config.runtime.tag = tag
        return self.restart()

    def status(self) -> ServerStatus:
        if self.hang:
            self.unblock.wait(30)
        self._check()
        elapsed = self._elapsed()
        values: dict[str, Any] = {"exists": True, "state": "running", "health": "starting",
                                  "image": self.config.runtime.image_ref,
                                  "started_at": datetime.now(UTC) - timedelta(seconds=elapsed),
                                  "uptime_seconds": elapsed, "ports": ["127.0.0.1:8080->8080/tcp"]}
        for at, changes in self.states:
            if at <= elapsed:
                values.update(changes)
        values.update(self.manual)
        return ServerStatus(self.backend, self.config.runtime.container_name, **values)

    def usage(self) -> ResourceUsage | None:
        self._check()
        return ResourceUsage(cpu_percent=1.0, memory_bytes=256 * 2**20)

    def events(self, limit: int = 50) -> list[RuntimeEvent]:
        self._check()
        return [RuntimeEvent(datetime.now(UTC), "Normal", "Started", "container started")][:limit]

    async def logs(self, *, follow: bool = True, tail: int | None = 200, since: datetime | None = None,
                   timestamps: bool = False, previous: bool = False,
                   pod: str | None = None) -> AsyncIterator[LogLine]:
        self._check()
        elapsed = self._elapsed()
        printed = [text for at, text in self.lines if at <= elapsed]
        for text in printed[-tail:] if tail is not None else printed:
            yield LogLine(text)
        if not follow:
            return
        for at, text in self.lines[len(printed):]:
            await asyncio.sleep(max(0.0, at - self._elapsed()))
            yield LogLine(text)
        await asyncio.Event().wait()  # a live container: more lines may come, until the reader stops

    def local_url(self) -> str | None:
        self._check()
        return self.local

    def running_config(self, base: Config) -> Config | None:
        self._check()
        return base.copy() if self.status().exists else None

    def describe(self) -> dict[str, str]:
        return {"script": self.name}

    def versions(self) -> dict[str, str]:
        self._check()
        return {"scripted": "1"}

    def close(self) -> None:
        self.closed = True
        self.unblock.set()
