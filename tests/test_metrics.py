"""`wbtui metrics` without datastores: the listen rule, the sampler's cadences and deadlines, and scrapes over
real HTTP on loopback, parsed with prometheus_client's own text parser.

The sources here are small Source subclasses that count their calls and block on an event when told to:
that a scrape never calls a source, and that a source that hangs never holds a scrape, are measured by them."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Iterator
from wsgiref.simple_server import WSGIServer

import pytest
from prometheus_client.parser import text_string_to_metric_families

from wbtui.cli import main
from wbtui.config.model import Config
from wbtui.metrics import listen
from wbtui.metrics.exposition import serve
from wbtui.metrics.sampler import Sampler
from wbtui.metrics.sources import Reading, Source, SourceDown, sources_for, value


class Counting(Source):
    """Answers with a number that grows with every call; ``hold`` makes a call wait until it is set."""

    def __init__(self, name: str, *, hold: threading.Event | None = None, fail: str = "") -> None:
        super().__init__(Config())
        self.name = name
        self.cadence = 3600.0
        self.called = 0
        self.hold = hold
        self.fail = fail

    @property
    def deadline(self) -> float:
        return 0.3

    def read(self) -> Reading:
        self.called += 1
        if self.hold is not None:
            self.hold.wait()
        if self.fail:
            raise SourceDown(self.fail)
        return Reading([value("wbtui_server_restarts", self.called),
                        value("wbtui_probe_latency_seconds", 0.25, endpoint="ready")])


def scrape(port: int, host: str = "127.0.0.1") -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    """name -> {sorted labels: value}, read the way Prometheus reads the page."""
    where = f"[{host}]" if ":" in host else host
    with urllib.request.urlopen(f"http://{where}:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


class Running:
    """What a test started: samplers, and the HTTP servers of ``start``; stopped after the test."""

    def __init__(self) -> None:
        self.samplers: list[Sampler] = []
        self.servers: list[WSGIServer] = []

    def append(self, sampler: Sampler) -> None:
        self.samplers.append(sampler)


@pytest.fixture
def running() -> Iterator[Running]:
    started = Running()
    yield started
    for sampler in started.samplers:
        sampler.stop()
    for server in started.servers:
        server.shutdown()
        server.server_close()


def start(running: Running, sources: list[Source], host: str = "127.0.0.1") -> tuple[Sampler, int]:
    sampler = Sampler(sources)
    server = serve(sampler.cache, host, 0)
    running.append(sampler)
    running.servers.append(server)
    sampler.start()
    return sampler, server.server_port


def test_a_hundred_scrapes_read_the_cache_and_call_no_source(running: Running) -> None:
    source = Counting("server")
    sampler, port = start(running, [source])
    assert sampler.cache.wait_samples(1, 10)
    calls = source.called
    took = []
    for _ in range(100):
        began = time.perf_counter()
        page = scrape(port)
        took.append(time.perf_counter() - began)
        assert page["wbtui_server_restarts"] == {(): 1.0}
        assert page["wbtui_probe_latency_seconds"] == {(("endpoint", "ready"),): 0.25}
        assert page["wbtui_source_up"] == {(("source", "server"),): 1.0}
    assert source.called == calls == sampler.calls["server"] == 1  # 100 scrapes, not one more sample
    assert sorted(took)[49] < 0.5, f"median scrape {sorted(took)[49]:.3f}s"  # generous: 2 shared cores


def test_a_source_that_hangs_goes_down_at_its_deadline_and_never_holds_a_scrape(running: Running) -> None:
    hold = threading.Event()
    stuck, fine = Counting("mysql", hold=hold), Counting("server")
    sampler, port = start(running, [stuck, fine])
    try:
        assert sampler.cache.wait_samples(1, 10, ["mysql", "server"])
        page = scrape(port)  # urlopen's 5 s timeout would fail the test if the scrape waited for the source
        assert page["wbtui_source_up"] == {(("source", "mysql"),): 0.0, (("source", "server"),): 1.0}
        assert (("source", "mysql"),) not in page.get("wbtui_source_last_success_timestamp_seconds", {})
        assert page["wbtui_server_restarts"] == {(): 1.0}  # only the source that answered
        state = {s.name: s for s in sampler.cache.snapshot()}["mysql"]
        assert state.problem == "no answer within 0.3s" and state.values == []
    finally:
        hold.set()


def test_a_failed_source_says_why_and_its_metrics_go_absent(running: Running) -> None:
    changes: list[tuple[str, bool, str]] = []
    sampler = Sampler([Counting("probe", fail="nothing to probe: set HOST")], on_change=lambda *a: changes.append(a))
    running.append(sampler)
    sampler.start()
    assert sampler.cache.wait_samples(1, 10)
    assert changes == [("probe", False, "nothing to probe: set HOST")]
    (state,) = sampler.cache.snapshot()
    assert not state.up and state.values == [] and state.last_success is None


def test_a_stale_hung_sample_is_waited_for_again_not_started_again(running: Running) -> None:
    hold = threading.Event()
    stuck = Counting("mysql", hold=hold)
    sampler = Sampler([stuck], cadences={"mysql": 0.05})
    running.append(sampler)
    sampler.start()
    try:
        assert sampler.cache.wait_samples(3, 10)
        assert stuck.called == sampler.calls["mysql"] == 1
    finally:
        hold.set()
    assert sampler.cache.wait_samples(5, 10)
    assert {s.name: s for s in sampler.cache.snapshot()}["mysql"].up
    assert sampler.calls["mysql"] >= 2


def test_ipv6_loopback_serves_too(running: Running) -> None:
    sampler, port = start(running, [Counting("server")], host="::1")
    assert sampler.cache.wait_samples(1, 10, ["server"])
    assert scrape(port, "::1")["wbtui_server_restarts"] == {(): 1.0}


def test_derived_ages_are_computed_at_the_scrape(running: Running) -> None:
    from wbtui.metrics.exposition import CachedCollector

    class Backup(Source):
        name = "backup"

        def read(self) -> Reading:
            return Reading([value("wbtui_backup_newest_timestamp_seconds", 1_000_000.0),
                            value("wbtui_certificate_expiry_timestamp_seconds", 1_000_000.0 + 10 * 86400)])

    sampler = Sampler([Backup(Config())])
    running.append(sampler)
    sampler.start()
    assert sampler.cache.wait_samples(1, 10)
    families = {f.name: f for f in CachedCollector(sampler.cache, clock=lambda: 1_000_000.0 + 3600).collect()}
    assert families["wbtui_backup_age_seconds"].samples[0].value == 3600
    assert families["wbtui_certificate_days_left"].samples[0].value == pytest.approx(10 - 1 / 24)


@pytest.mark.parametrize(("text", "host", "port"), [("127.0.0.1:9187", "127.0.0.1", 9187), ("[::1]:0", "::1", 0),
                                                    ("localhost:9", "localhost", 9)])
def test_listen_addresses_parse(text: str, host: str, port: int) -> None:
    assert listen.parse(text) == listen.Listen(host, port)


@pytest.mark.parametrize("text", ["9187", "::1:9187", "[::1]9187", "127.0.0.1:http", "127.0.0.1:70000", ":9187"])
def test_bad_listen_addresses_say_the_form(text: str) -> None:
    with pytest.raises(listen.ListenError, match="9187"):
        listen.parse(text)


def test_only_loopback_counts_as_loopback() -> None:
    assert listen.loopback("127.0.0.1") and listen.loopback("::1") and listen.loopback("127.8.0.1")
    assert listen.loopback("localhost")
    assert not listen.loopback("0.0.0.0") and not listen.loopback("::") and not listen.loopback("192.168.1.10")


@pytest.mark.parametrize("address", ["0.0.0.0:9187", "[::]:9187", "10.1.2.3:9187"])
def test_the_cli_refuses_a_remote_address_and_says_why(address: str, tmp_path: object,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", "/nonexistent/c.toml", "metrics", "--listen", address]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "not a loopback address" in err and "--allow-remote" in err and "--listen 127.0.0.1:9187" in err


def test_the_cli_refuses_a_bad_cadence(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["metrics", "--cadence", "dolphins=5"])
    assert exit_.value.code == 2 and "SOURCE one of server, probe" in capsys.readouterr().err


def test_the_sources_follow_the_config() -> None:
    config = Config()
    assert [s.name for s in sources_for(config)] == ["server", "probe", "storage"]
    config.server.MYSQL = "mysql://u:p@127.0.0.1:3306/w"
    config.server.BUCKET = "s3://k:s@127.0.0.1:9000/b"
    config.server.HOST = "https://wandb.example.com"
    assert [s.name for s in sources_for(config)] == ["server", "probe", "checks", "mysql", "storage", "backup",
                                                     "certificate"]
