"""The prober against real local servers: status, latency, classified failures, history."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.services.base import free_port, wait_for
from tests.test_health_servers import HealthServer, ScriptedRuntime, self_signed_context
from wbtui.config.model import Config
from wbtui.health.history import ProbeHistory
from wbtui.health.probe import (
    Kind,
    NoTarget,
    Prober,
    ProbeResult,
    Sample,
    Target,
    choose_target,
    classify_error,
    probe_endpoints,
    probe_once,
    probe_sync,
    usable_host,
)


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    return self_signed_context(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def server() -> HealthServer:
    srv = HealthServer(ready_after=1)
    yield srv
    srv.close()


def config_with_host(host: str) -> Config:
    config = Config()
    config.server.HOST = host
    return config


async def test_healthz_ok_and_ready_503_then_200(server: HealthServer) -> None:
    healthz, ready = await probe_endpoints(server.url(), timeout=5)
    assert (healthz.ok, healthz.kind, healthz.status_code) == (True, Kind.OK, 200)
    assert healthz.latency is not None and 0 < healthz.latency < 5
    assert (ready.ok, ready.kind, ready.status_code) == (False, Kind.HTTP_5XX, 503)
    assert "not ready yet" in ready.message and "migrations running" in ready.message
    again = await probe_once(server.url(), "ready", timeout=5)
    assert again.ok and again.status_code == 200


async def test_prober_reports_the_transition_to_ready(server: HealthServer) -> None:
    seen = []
    prober = Prober(url=server.url(), timeout=5, on_transition=seen.append)
    first = await prober.sample()
    second = await prober.sample()
    assert not first.ready.ok and second.ready.ok
    assert first.transitions == [] and len(second.transitions) == 1
    transition = second.transitions[0]
    assert (transition.endpoint, transition.before, transition.after) == ("ready", False, True)
    assert transition.message.startswith("ready after ")
    assert seen == [transition]
    assert second.target.via == "url"


async def test_a_server_that_accepts_and_never_answers_is_a_timeout(server: HealthServer) -> None:
    started = time.monotonic()
    result = await probe_once(server.url("hang"), "ready", timeout=0.5)
    assert result.kind == Kind.TIMEOUT and not result.ok and result.status_code is None
    assert "no answer within 0.5s" in result.message
    assert 0.4 < time.monotonic() - started < 3


async def test_closed_port_is_refused() -> None:
    result = await probe_once(f"http://127.0.0.1:{free_port()}", "healthz", timeout=2)
    assert result.kind == Kind.REFUSED and "connection refused" in result.message
    assert "wbtui status" in result.fix


async def test_self_signed_certificate_is_untrusted_and_not_supported(self_signed: ssl.SSLContext) -> None:
    tls_server = HealthServer(tls=self_signed)
    try:
        for host in ("127.0.0.1", "localhost"):
            result = await probe_once(tls_server.url(host=host), "healthz", timeout=5)
            assert result.kind == Kind.TLS_UNTRUSTED, result
            assert "self-signed" in result.message and "not supported by W&B" in result.message
            assert "trusted CA" in result.fix
        assert tls_server.requests == []  # verification stopped us before any request was sent
    finally:
        tls_server.close()


async def test_https_to_a_plain_http_port_is_a_tls_error(server: HealthServer) -> None:
    result = await probe_once(server.url().replace("http://", "https://"), "healthz", timeout=5)
    assert result.kind == Kind.TLS and "use http://" in result.fix


async def test_http_to_a_tls_port_closes_without_answer(self_signed: ssl.SSLContext) -> None:
    tls_server = HealthServer(tls=self_signed)
    try:
        result = await probe_once(tls_server.url().replace("https://", "http://"), "healthz", timeout=5)
        assert result.kind == Kind.CLOSED
    finally:
        tls_server.close()


@pytest.mark.parametrize(("prefix", "kind", "code", "words"), [
    ("missing", Kind.HTTP_4XX, 404, "not W&B Server"),
    ("broken", Kind.HTTP_5XX, 500, "wbtui logs"),
    ("gateway", Kind.HTTP_5XX, 502, "load balancer"),
    ("login", Kind.REDIRECT_LOGIN, 302, "authenticating proxy"),
])
async def test_http_answers_are_classified(server: HealthServer, prefix: str, kind: str, code: int,
                                           words: str) -> None:
    result = await probe_once(server.url(prefix), "ready", timeout=5)
    assert (result.kind, result.status_code, result.ok) == (kind, code, False)
    assert words in result.message + result.fix


def test_dns_failure_is_classified_from_the_exception_chain() -> None:
    # httpx wraps the resolver's gaierror twice (httpcore, then httpx); no lookup leaves this host.
    inner = socket.gaierror(-2, "Name or service not known")
    try:
        try:
            raise inner
        except socket.gaierror as exc:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from exc
    except httpx.ConnectError as outer:
        kind, message, fix = classify_error(outer, 5)
    assert kind == Kind.DNS and "does not resolve" in message and "getent hosts" in fix


def test_unsupported_scheme_is_a_bad_url() -> None:
    async def run() -> ProbeResult:
        return await probe_once("ftp://127.0.0.1", "ready", timeout=1)

    assert asyncio.run(run()).kind == Kind.BAD_URL


async def test_host_is_used_when_it_answers(server: HealthServer) -> None:
    target = await choose_target(config_with_host(server.url()), None, timeout=5)
    assert (target.url, target.via) == (server.url(), "host")


async def test_local_url_is_used_when_host_does_not_answer(server: HealthServer) -> None:
    config = config_with_host(f"http://127.0.0.1:{free_port()}")
    runtime = ScriptedRuntime(config, local=server.url())
    target = await choose_target(config, runtime, timeout=5)
    assert (target.url, target.via) == (server.url(), "local")
    assert "does not answer from this machine" in target.note and "connection refused" in target.note
    assert target.host_result is not None and target.host_result.kind == Kind.REFUSED


async def test_host_with_an_untrusted_certificate_falls_back_to_local(server: HealthServer,
                                                                 self_signed: ssl.SSLContext) -> None:
    tls_server = HealthServer(tls=self_signed)
    try:
        config = config_with_host(tls_server.url(host="localhost"))
        target = await choose_target(config, ScriptedRuntime(config, local=server.url()), timeout=5)
        assert target.via == "local" and "not supported by W&B" in target.note
    finally:
        tls_server.close()


async def test_no_host_and_no_local_url_is_no_target() -> None:
    config = Config()
    with pytest.raises(NoTarget, match="HOST is not set"):
        await choose_target(config, ScriptedRuntime(config, local=None), timeout=2)


async def test_unreachable_host_without_local_url_still_probes_host() -> None:
    config = config_with_host(f"http://127.0.0.1:{free_port()}")
    target = await choose_target(config, None, timeout=2)
    assert target.via == "host" and "no local URL" in target.note


def test_usable_host() -> None:
    assert usable_host("https://wandb.example.com/") == "https://wandb.example.com"
    assert usable_host("http://10.0.0.5:8080") == "http://10.0.0.5:8080"
    assert usable_host("wandb.example.com") is None
    assert usable_host("https://host:notaport") is None
    assert usable_host("") is None


async def test_watch_yields_count_samples_at_the_interval(server: HealthServer) -> None:
    prober = Prober(url=server.url(), timeout=5, history_size=2)
    started = time.monotonic()
    samples = [s async for s in prober.watch(interval=0.1, count=3)]
    assert len(samples) == 3 and time.monotonic() - started >= 0.2
    assert len(prober.history) == 2 and prober.history.latest() is samples[-1]
    assert [t.endpoint for t in prober.history.transitions] == ["ready"]


def test_sync_wrapper_works_from_a_worker_thread(server: HealthServer) -> None:
    box: dict[str, Sample] = {}
    worker = threading.Thread(target=lambda: box.setdefault("s", probe_sync(None, url=server.url(), timeout=5)))
    worker.start()
    worker.join(15)
    assert box["s"].healthz.ok and box["s"].target.url == server.url()


def _sample(at: datetime, healthz: bool, ready: bool) -> Sample:
    def result(endpoint: str, ok: bool) -> ProbeResult:
        return ProbeResult("http://x/" + endpoint, endpoint, ok, Kind.OK if ok else Kind.REFUSED,
                           "200 OK" if ok else "connection refused", time=at)

    return Sample(at, Target("http://x", "url"), result("healthz", healthz), result("ready", ready))


def test_history_transitions_say_how_long_the_previous_state_lasted() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    history = ProbeHistory(size=3)
    assert history.add(_sample(t0, False, False)) == []
    up = history.add(_sample(t0 + timedelta(seconds=5), True, False))
    assert [t.message for t in up] == ["healthz up after 5s"]
    ready = history.add(_sample(t0 + timedelta(minutes=3, seconds=12), True, True))
    assert [t.message for t in ready] == ["ready after 3m12s"]
    down = history.add(_sample(t0 + timedelta(hours=2, minutes=5, seconds=12), False, False))
    assert [t.message for t in down] == ["healthz down (was up for 2h05m): connection refused",
                                         "not ready (was ready for 2h02m): connection refused"]
    assert len(history) == 3 and len(history.transitions) == 3


def test_history_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        ProbeHistory(0)


@pytest.mark.docker
def test_a_crash_looping_container_points_at_its_log_not_the_url(docker_runtimes, standin_image: str) -> None:
    """A restarting container answers nothing: the fix was about http/https schemes, wrong advice here."""
    from tests.services.base import wait_for
    from tests.services.docker_fixtures import standin_config

    config = standin_config(standin_image, prefix="probe", secret="x", ready_delay="0", heartbeat="0",
                            STANDIN_MODE="crash")
    config.runtime.restart_policy = "always"
    runtime = docker_runtimes(config)
    runtime.deploy()
    wait_for(lambda: runtime.status().restart_count >= 2, 60, "the container to restart twice")
    sample = Prober(config, runtime, timeout=2).sample_sync()
    for result in (sample.healthz, sample.ready):
        assert not result.ok
        assert "keeps restarting" in result.fix and "5 Logs / 6 Health" in result.fix
        assert "scheme" not in result.fix


async def test_a_server_that_is_not_restarting_keeps_the_probes_own_fix() -> None:
    config = config_with_host("")
    port = free_port()
    runtime = ScriptedRuntime(config, local=f"http://127.0.0.1:{port}", states=[(0, {"restart_count": 0})])
    sample = await Prober(config, runtime, timeout=2).sample()
    assert sample.ready.kind == Kind.REFUSED and "is the server running" in sample.ready.fix


async def test_a_probe_looks_up_no_module_on_disk(server: HealthServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """httpcore imports sniffio on each request; when it is missing, that is a failed sys.path search
    every time (~28% of a dashboard probe's CPU). It is a declared dependency, so a probe finds every
    module it needs already imported."""
    import importlib.machinery

    await probe_endpoints(server.url(), timeout=5)  # warm: the first probe imports what it needs
    searched: list[str] = []
    real = importlib.machinery.PathFinder.find_spec

    def spy(name: str, *args: object, **kwargs: object) -> object:
        searched.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.machinery.PathFinder, "find_spec", spy)
    healthz, ready = await probe_endpoints(server.url(), timeout=5)
    assert healthz.answered and ready.answered
    assert searched == []


class KeepAliveServer:
    """HTTP/1.1 answering 200 on kept connections; counts the connections it accepts. With ``drop_reused``,
    a connection's second request is read and the connection closed without an answer: what a server does
    when its idle timeout ends as the request goes out."""

    def __init__(self, drop_reused: bool = False) -> None:
        import socketserver

        self.connections = 0
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                server.connections += 1
                answered, data = 0, b""
                while True:
                    while b"\r\n\r\n" not in data:
                        chunk = self.request.recv(4096)
                        if not chunk:
                            return
                        data += chunk
                    data = data.partition(b"\r\n\r\n")[2]
                    if drop_reused and answered:
                        return
                    self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n")
                    answered += 1

        self.httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_sample_sync_keeps_its_connections_between_samples() -> None:
    """The dashboard samples every 5 s: one loop, client and pair of connections for all of them."""
    srv = KeepAliveServer()
    prober = Prober(url=srv.url, timeout=5)
    try:
        for _ in range(5):
            sample = prober.sample_sync()
            assert sample.ok and sample.healthz.status_code == sample.ready.status_code == 200
        assert srv.connections == 2
        prober.close()
        assert prober.sample_sync().ok and srv.connections == 4  # closed: the next sample starts afresh
    finally:
        prober.close()
        srv.close()


def test_a_kept_connection_closed_by_the_server_is_asked_again_not_reported_closed() -> None:
    srv = KeepAliveServer(drop_reused=True)
    prober = Prober(url=srv.url, timeout=5)
    try:
        assert prober.sample_sync().ok
        again = prober.sample_sync()  # both kept connections are dropped: each endpoint asked anew
        assert again.ok and [r.kind for r in (again.healthz, again.ready)] == [Kind.OK, Kind.OK]
        assert srv.connections == 4 and not prober.history.transitions
    finally:
        prober.close()
        srv.close()


def test_a_sample_still_running_on_the_kept_loop_does_not_block_the_next(server: HealthServer) -> None:
    """A caller that gave up on a sample at its deadline (the metrics source) samples again at once."""
    prober = Prober(url=server.url("hang"), timeout=2)
    first = threading.Thread(target=prober.sample_sync, daemon=True)
    first.start()
    wait_for(lambda: "/hang/ready" in server.requests, 5, "the first sample's request")
    prober.url, prober.target = server.url(), None
    assert prober.sample_sync().healthz.ok and first.is_alive()  # on a loop of its own, while the first hangs
    server.release.set()
    first.join(10)
    assert not first.is_alive()
    prober.close()
