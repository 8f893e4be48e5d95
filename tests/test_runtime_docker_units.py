"""Docker backend pieces that need no daemon: spec, status mapping, stream decoding, errors, ThreadStream."""

from __future__ import annotations

import asyncio
import io
import random
import struct
import threading
import time
from datetime import UTC, datetime

import pytest

from tests.services.base import free_port
from wbtui.config import masking
from wbtui.config.model import Config
from wbtui.runtime.base import ImageMissing, NameConflict, PermissionDenied, PortInUse, RuntimeProblem, Unreachable
from wbtui.runtime.docker.backend import DockerRuntime
from wbtui.runtime.docker.errors import connection_problem, explain
from wbtui.runtime.docker.logs import ChunkedDecoder, FrameDecoder, LineAssembler, api_time, pump_body
from wbtui.runtime.docker.spec import (
    HASH_LABEL,
    container_spec,
    is_ours,
    labelled_spec,
    memory_bytes,
    nano_cpus,
)
from wbtui.runtime.docker.status import cpu_percent, event_from_docker, memory_used, status_from_inspect
from wbtui.runtime.logstream import ThreadStream

# -- the container spec -------------------------------------------------------------------


def test_spec_follows_the_config() -> None:
    c = Config()
    c.server.HOST = "https://wandb.example.com"
    c.server.MYSQL = "mysql://wandb:pw@db:3306/wandb"
    c.env["EXTRA"] = "1"
    r = c.runtime
    r.bind_address, r.port, r.volume, r.uid, r.gid = "127.0.0.1", 9090, "/srv/wandb", 100001, 0
    spec = container_spec(c)
    assert spec["image"] == "wandb/local:latest" and spec["name"] == "wandb-local"
    assert spec["environment"] == {"HOST": "https://wandb.example.com", "BUCKET_QUEUE": "internal://",
                                   "AWS_REGION": "us-east-1", "MYSQL": "mysql://wandb:pw@db:3306/wandb",
                                   "EXTRA": "1"}
    assert spec["ports"] == {"8080/tcp": ("127.0.0.1", 9090)}
    assert spec["volumes"] == {"/srv/wandb": {"bind": "/vol", "mode": "rw"}}
    assert spec["restart_policy"] == {"Name": "unless-stopped"}
    assert spec["nano_cpus"] == 4 * 10**9 and spec["mem_limit"] == 8 * 10**9
    assert spec["user"] == "100001:0"
    assert is_ours(spec["labels"], "wandb-local") and not is_ours(spec["labels"], "other")


def test_spec_defaults_publish_on_all_addresses_and_omit_what_is_unset() -> None:
    c = Config()
    c.runtime.volume = ""
    c.runtime.cpu_limit = ""
    c.runtime.memory_limit = ""
    spec = container_spec(c)
    assert spec["ports"] == {"8080/tcp": 8080}
    assert not {"volumes", "nano_cpus", "mem_limit", "user"} & spec.keys()


def test_cpu_limit_is_capped_to_the_host() -> None:
    assert container_spec(Config(), host_cpus=2)["nano_cpus"] == 2 * 10**9
    assert container_spec(Config(), host_cpus=64)["nano_cpus"] == 4 * 10**9


@pytest.mark.parametrize(("text", "expected"), [("4G", 4 * 10**9), ("8Gi", 8 * 2**30), ("512Mi", 512 * 2**20),
                                                ("1.5G", 1_500_000_000), ("1000", 1000), ("", None)])
def test_memory_quantities(text: str, expected: int | None) -> None:
    assert memory_bytes(text) == expected


@pytest.mark.parametrize(("text", "expected"), [("4", 4 * 10**9), ("500m", 5 * 10**8), ("1.5", 15 * 10**8),
                                                ("", None)])
def test_cpu_quantities(text: str, expected: int | None) -> None:
    assert nano_cpus(text) == expected


@pytest.mark.parametrize("bad", ["eight", "8GB", "-1"])
def test_bad_quantities_are_explained(bad: str) -> None:
    with pytest.raises(RuntimeProblem) as info:
        memory_bytes(bad)
    assert "runtime.memory_limit" in str(info.value) and "wbtui config set" in info.value.fix


def test_hash_changes_with_the_config_but_not_with_labels() -> None:
    c = Config()
    first = labelled_spec(c)["labels"][HASH_LABEL]
    assert labelled_spec(c)["labels"][HASH_LABEL] == first
    c.env["NEW"] = "x"
    assert labelled_spec(c)["labels"][HASH_LABEL] != first
    d = Config()
    assert labelled_spec(d, image="wandb/local:0.99")["labels"][HASH_LABEL] != first


def test_local_url_reaches_the_published_port() -> None:
    c = Config()
    c.runtime.port = 9000
    assert DockerRuntime(c).local_url() == "http://127.0.0.1:9000"
    for bind, url in (("0.0.0.0", "http://127.0.0.1:9000"), ("::", "http://[::1]:9000"),
                      ("10.0.0.5", "http://10.0.0.5:9000"), ("::1", "http://[::1]:9000")):
        c.runtime.bind_address = bind
        assert DockerRuntime(c).local_url() == url


# -- status, usage and events from real-shaped API answers ---------------------------------

RUNNING = {
    "Id": "f" * 64, "Name": "/wandb-local", "RestartCount": 2,
    "State": {"Status": "running", "Running": True, "Restarting": False, "OOMKilled": False, "Dead": False,
              "Pid": 4242, "ExitCode": 0, "Error": "", "StartedAt": "2026-05-01T10:00:00.123456789Z",
              "FinishedAt": "2026-05-01T09:59:58.5Z"},
    "Config": {"Image": "wandb/local:0.62.2", "Labels": {}},
    "NetworkSettings": {"Ports": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}},
    "HostConfig": {"PortBindings": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}},
}


def test_status_of_a_running_container() -> None:
    now = datetime(2026, 5, 1, 11, 0, 0, 123456, tzinfo=UTC)
    s = status_from_inspect(RUNNING, "wandb-local", now=now)
    assert (s.state, s.restart_count, s.image, s.ports) == ("running", 2, "wandb/local:0.62.2",
                                                            ["127.0.0.1:8080->8080/tcp"])
    assert s.uptime_seconds == pytest.approx(3600.0, abs=0.01)
    assert s.exit_code is None and s.reason == "" and not s.oom_killed


def test_status_of_an_oom_killed_container() -> None:
    attrs = {**RUNNING, "State": {**RUNNING["State"], "Status": "exited", "Running": False, "OOMKilled": True,
                                  "ExitCode": 137, "FinishedAt": "2026-05-01T10:05:00Z"},
             "NetworkSettings": {"Ports": {}}}
    s = status_from_inspect(attrs, "wandb-local")
    assert (s.state, s.exit_code, s.reason, s.oom_killed) == ("exited", 137, "OOMKilled", True)
    assert "out of memory" in s.message and s.uptime_seconds is None
    assert s.ports == ["127.0.0.1:8080->8080/tcp"]  # from the bindings while it is down


def test_status_of_a_crash_looping_and_a_never_started_container() -> None:
    looping = {**RUNNING, "State": {**RUNNING["State"], "Status": "restarting", "Running": False,
                                    "Restarting": True, "ExitCode": 1}}
    s = status_from_inspect(looping, "wandb-local")
    assert (s.state, s.reason, s.exit_code) == ("restarting", "Restarting", 1)
    created = {**RUNNING, "State": {**RUNNING["State"], "Status": "created", "Running": False,
                                    "StartedAt": "0001-01-01T00:00:00Z",
                                    "Error": "driver failed programming external connectivity: "
                                             "Bind for 127.0.0.1:8080 failed: port is already allocated"}}
    s = status_from_inspect(created, "wandb-local")
    assert s.started_at is None and s.reason == "Created" and "port is already allocated" in s.message


def test_cpu_percent_from_two_samples() -> None:
    stats = {"cpu_stats": {"cpu_usage": {"total_usage": 2_000_000_000}, "system_cpu_usage": 20_000_000_000,
                           "online_cpus": 4},
             "precpu_stats": {"cpu_usage": {"total_usage": 1_500_000_000}, "system_cpu_usage": 18_000_000_000}}
    assert cpu_percent(stats) == 100.0  # 0.5 s of CPU over 2 s of 4 CPUs' time = one full core
    stats["cpu_stats"]["online_cpus"] = None
    stats["cpu_stats"]["cpu_usage"]["percpu_usage"] = [1, 2]
    assert cpu_percent(stats) == 50.0
    assert cpu_percent({"cpu_stats": stats["cpu_stats"], "precpu_stats": {"cpu_usage": {}}}) is None


def test_memory_excludes_the_inactive_page_cache() -> None:
    v1 = {"memory_stats": {"usage": 500, "limit": 1000, "stats": {"total_inactive_file": 100}}}
    v2 = {"memory_stats": {"usage": 500, "limit": 1000, "stats": {"inactive_file": 200}}}
    assert memory_used(v1) == (400, 1000) and memory_used(v2) == (300, 1000)
    assert memory_used({"memory_stats": {}}) == (None, None)


def test_events_become_runtime_events() -> None:
    base = {"Type": "container", "time": 1777629600, "timeNano": 1777629600_500000000,
            "Actor": {"ID": "f" * 64, "Attributes": {"name": "wandb-local", "image": "wandb/local:0.62.2"}}}
    die = event_from_docker({**base, "Action": "die",
                             "Actor": {"ID": "f" * 64, "Attributes": {"name": "wandb-local", "exitCode": "1"}}})
    assert die is not None and (die.type, die.reason, die.message, die.object) == (
        "Warning", "die", "exited with code 1", "wandb-local")
    assert die.time == datetime(2026, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)
    oom = event_from_docker({**base, "Action": "oom"})
    assert oom is not None and oom.type == "Warning"
    health = event_from_docker({**base, "Action": "health_status: unhealthy"})
    assert health is not None and (health.reason, health.message, health.type) == ("health_status", "unhealthy",
                                                                                   "Warning")
    assert event_from_docker({**base, "Action": "exec_start: /bin/sh -c true"}) is None


# -- the log stream's decoders -------------------------------------------------------------

def _frame(text: bytes, stream: int = 1) -> bytes:
    return struct.pack(">BxxxL", stream, len(text)) + text


def _chunked(pieces: list[bytes]) -> bytes:
    return b"".join(b"%x\r\n" % len(p) + p + b"\r\n" for p in pieces) + b"0\r\n\r\n"


def test_chunked_and_frame_decoding_survive_any_split() -> None:
    stamps = [f"2026-05-01T10:00:{i:02d}.{i:09d}Z".encode() for i in range(50)]
    frames = [_frame(ts + b" line %d\n" % i, 1 + i % 2) for i, ts in enumerate(stamps)]
    wire = _chunked([*frames[:10], b"".join(frames[10:30]), *frames[30:]])  # one chunk holding many frames
    rng = random.Random(7)
    for _ in range(30):
        cuts = sorted(rng.sample(range(1, len(wire)), 40))
        dechunk, decode = ChunkedDecoder(), FrameDecoder()
        streams: list[int] = []
        payloads: list[bytes] = []
        for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True):
            s, p = decode.feed(dechunk.feed(wire[a:b]))
            streams += s
            payloads += p
        assert dechunk.done
        assert payloads == [f[8:] for f in frames] and streams == [1 + i % 2 for i in range(50)]


@pytest.mark.parametrize("framing", ["chunked", "sized", "until-eof"])
def test_a_body_is_read_to_its_end_however_it_is_framed(framing: str) -> None:
    frames = b"".join(_frame(b"2026-05-01T10:00:00.%09dZ line %d\n" % (i, i)) for i in range(1000))
    wire, headers = {"chunked": (_chunked([frames[i:i + 700] for i in range(0, len(frames), 700)]),
                                 {"Transfer-Encoding": "chunked"}),
                     "sized": (frames, {"Content-Length": str(len(frames))}),
                     "until-eof": (frames, {})}[framing]
    if framing != "until-eof":  # the connection stays open: what follows is not this body's
        wire += b"HTTP/1.1 200 OK (the next response on a kept-alive connection)"
    body = io.BufferedReader(io.BytesIO(wire))
    batches: list[list] = []
    pump_body(body, headers, LineAssembler(lambda s: s, False), batches.append)
    assert [x.text for batch in batches for x in batch] == [f"line {i}" for i in range(1000)]


@pytest.mark.parametrize("headers", [{"Transfer-Encoding": "chunked"}, {"Content-Length": "999999"}])
def test_a_body_cut_short_is_a_lost_connection(headers: dict[str, str]) -> None:
    wire = _chunked([_frame(b"2026-05-01T10:00:00.000000001Z a\n")])[:-5]
    with pytest.raises(ConnectionError, match="mid-transfer"):
        pump_body(io.BufferedReader(io.BytesIO(wire)), headers, LineAssembler(lambda s: s, False), list)


def _assemble(assembler: LineAssembler, payloads: list[bytes]) -> list:
    return assembler.lines([1] * len(payloads), payloads)


def test_lines_get_their_timestamps_and_sources() -> None:
    a = LineAssembler(lambda s: s, keep_timestamps=False)
    lines = a.lines([1, 2], [b"2026-05-01T10:00:00.000000001Z hello\n", b"2026-05-01T10:00:00.500000000Z err\n"])
    assert [(x.text, x.source) for x in lines] == [("hello", "stdout"), ("err", "stderr")]
    assert lines[1].timestamp == datetime(2026, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)
    kept = _assemble(LineAssembler(lambda s: s, keep_timestamps=True), [b"2026-05-01T10:00:00.000000001Z hi\n"])
    assert kept[0].text == "2026-05-01T10:00:00.000000001Z hi"


def test_long_lines_split_by_docker_are_joined() -> None:
    a = LineAssembler(lambda s: s, keep_timestamps=False)
    first = _assemble(a, [b"2026-05-01T10:00:00.000000001Z " + b"x" * 10])
    rest = _assemble(a, [b"2026-05-01T10:00:00.000000002Z " + b"y" * 5 + b"\n",
                         b"2026-05-01T10:00:00.000000003Z next\n"])
    assert first == [] and [x.text for x in rest] == ["x" * 10 + "y" * 5, "next"]
    assert rest[0].timestamp == datetime(2026, 5, 1, 10, 0, 0, tzinfo=UTC)


def test_resume_drops_exactly_what_was_delivered_even_with_equal_stamps() -> None:
    t1, t2, t3 = (f"2026-05-01T10:00:0{i}.000000000Z".encode() for i in (1, 2, 3))
    a = LineAssembler(lambda s: s, keep_timestamps=False)
    assert [x.text for x in _assemble(a, [t1 + b" a\n", t2 + b" b\n", t2 + b" c\n"])] == ["a", "b", "c"]
    a.resume()  # the daemon resends everything since t2, then new lines (one more with stamp t2)
    again = _assemble(a, [t2 + b" b\n", t2 + b" c\n", t2 + b" d\n", t3 + b" e\n"])
    assert [x.text for x in again] == ["d", "e"]


def test_lines_are_redacted_in_batches_and_one_by_one() -> None:
    c = Config()
    c.server.MYSQL = "mysql://wandb:Sup3r-Secret@db:3306/wandb"
    a = LineAssembler(masking.logs(c), keep_timestamps=False)
    ts = b"2026-05-01T10:00:00.000000001Z "
    lines = _assemble(a, [ts + b"connecting to mysql://wandb:Sup3r-Secret@db:3306/wandb\n",
                          ts + b"password Sup3r-Secret rejected\n"])
    assert [x.text for x in lines] == ["connecting to mysql://wandb:****@db:3306/wandb", "password **** rejected"]
    a.resume()
    assert all("Sup3r" not in x.text for x in _assemble(a, [ts.replace(b"01Z", b"02Z") + b"Sup3r-Secret\n"]))


def test_api_time_is_exact() -> None:
    assert api_time("2026-05-01T10:00:00.123456789Z") == "1777629600.123456789"
    assert api_time("2026-05-01T10:00:00Z") == "1777629600.000000000"
    assert api_time(datetime(2026, 5, 1, 10, 0, 0, 250000, tzinfo=UTC)) == "1777629600.250000000"


# -- errors --------------------------------------------------------------------------------

def test_real_connection_failures_are_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    import docker

    for host, kind, words in (("unix:///nonexistent.sock", Unreachable, "the socket does not exist"),
                              (f"tcp://127.0.0.1:{free_port()}", Unreachable, "connection refused"),
                              ("tcp://127.0.0.1", Unreachable, "not a valid Docker address")):
        monkeypatch.setenv("DOCKER_HOST", host)
        with pytest.raises(docker.errors.DockerException) as info:
            docker.from_env(timeout=2)
        problem = connection_problem(info.value)
        assert isinstance(problem, kind) and words in problem.message, problem
        assert "DOCKER_HOST" in problem.fix


def test_permission_errors_are_typed() -> None:
    import requests

    exc = requests.exceptions.ConnectionError(PermissionError(13, "Permission denied"))
    problem = connection_problem(exc)
    assert isinstance(problem, PermissionDenied) and "docker group" in problem.fix


def _api_error(status: int, explanation: str):
    import docker
    import requests

    response = requests.Response()
    response.status_code = status
    return docker.errors.APIError("x", response=response, explanation=explanation)


def test_api_errors_are_typed() -> None:
    port = explain(_api_error(500, "driver failed programming external connectivity on endpoint wandb: "
                                   "Bind for 127.0.0.1:8080 failed: port is already allocated"),
                   "start the container", port="127.0.0.1:8080")
    assert isinstance(port, PortInUse) and "runtime.port" in port.fix and ":8080" in port.fix
    userland = explain(_api_error(500, "Error starting userland proxy: listen tcp4 0.0.0.0:80: bind: "
                                       "address already in use"), "start the container", port="0.0.0.0:80")
    assert isinstance(userland, PortInUse)
    name = explain(_api_error(409, 'Conflict. The container name "/wandb-local" is already in use by container '
                                   '"abc". You have to remove (or rename) that container to be able to reuse '
                                   "that name."), "create the container", name="wandb-local")
    assert isinstance(name, NameConflict) and "wbtui config import --from docker" in name.fix
    pull = explain(_api_error(500, 'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: '
                                   "no such host"), "pull the image", image="wandb/local:0.1")
    assert isinstance(pull, ImageMissing) and "docker load" in pull.fix
    other = explain(_api_error(500, "something\nelse"), "stop the container")
    assert type(other) is RuntimeProblem and str(other) == "could not stop the container: something else"


# -- ThreadStream ----------------------------------------------------------------------------

async def test_thread_stream_delivers_batches_in_order_then_ends() -> None:
    def produce(sink) -> None:
        for start in range(0, 10_000, 100):
            sink.put_many(list(range(start, start + 100)))

    assert [x async for x in ThreadStream(produce)] == list(range(10_000))


async def test_thread_stream_raises_the_producers_error_after_its_items() -> None:
    def produce(sink) -> None:
        sink.put_many([1, 2])
        raise Unreachable("daemon gone", "start it")

    got = []
    with pytest.raises(Unreachable, match="daemon gone"):
        async for x in ThreadStream(produce):
            got.append(x)
    assert got == [1, 2]


async def test_thread_stream_holds_a_fast_producer_back() -> None:
    high = []

    def produce(sink) -> None:
        for i in range(200):
            sink.put_many([i] * 100)
            high.append(len(stream._buffer))

    stream = ThreadStream(produce, high_water=1_000)
    seen = 0
    async for _ in stream:
        seen += 1
        if seen % 500 == 0:
            await asyncio.sleep(0.001)
    assert seen == 20_000 and max(high) <= 1_100


async def test_closing_interrupts_a_blocked_read_and_ends_the_thread() -> None:
    """The producer blocks in a read that only the interrupt hook can end (like a socket recv)."""
    unblock = threading.Event()

    def produce(sink) -> None:
        sink.on_interrupt(unblock.set)
        sink.put(1)
        unblock.wait(30)

    stream = ThreadStream(produce)
    assert await stream.__anext__() == 1
    began = time.monotonic()
    await stream.aclose()
    assert stream.thread is not None and not stream.thread.is_alive()
    assert time.monotonic() - began < 1


async def test_cancelling_the_consumer_stops_the_producer() -> None:
    unblock = threading.Event()

    def produce(sink) -> None:
        sink.on_interrupt(unblock.set)
        unblock.wait(30)

    stream = ThreadStream(produce)

    async def consume() -> None:
        async for _ in stream:
            pass

    task = asyncio.create_task(consume())
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert stream.thread is not None
    stream.thread.join(2)
    assert not stream.thread.is_alive()


async def test_a_stream_closed_before_use_never_starts_its_producer() -> None:
    started = []
    stream = ThreadStream(started.append)
    await stream.aclose()
    assert [x async for x in stream] == [] and started == [] and stream.thread is None


async def test_sink_wait_returns_early_when_closed() -> None:
    waited = []

    def produce(sink) -> None:
        sink.put(0)
        began = time.monotonic()
        sink.wait(30)
        waited.append(time.monotonic() - began)

    stream = ThreadStream(produce)
    await stream.__anext__()
    await stream.aclose()
    assert waited and waited[0] < 1
