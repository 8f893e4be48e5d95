"""A bulk log window read from the container's json-file log gives the API's lines (real Docker, the stand-in).

Each test reads the same container's log twice: from the file (as root on the local daemon) and
through the daemon's API (the reader told the daemon is remote, as with DOCKER_HOST=tcp://...), and
compares lines, times and sources one by one.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.services.base import wait_for
from wbtui.config.masking import MASK
from wbtui.config.model import Config
from wbtui.runtime.base import LogLine
from wbtui.runtime.docker import logfile
from wbtui.runtime.docker.backend import DockerRuntime

pytestmark = pytest.mark.docker

SECRET = secrets.token_hex(8)
READY = "W&B server ready on :8080"
BURST_LINE = re.compile(r"^(?:\S+Z )?log line (\d+) ")  # with Docker's timestamp first, or not


@pytest.fixture
def file_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Lines each window read from a log file handed over (one entry per window read from a file)."""
    reads: list[int] = []
    real = logfile.read_window

    def counting(segments: Any, emit: Callable[..., None], **kwargs: Any) -> None:
        reads.append(0)

        def counted(sources: list[str], stamps: list[str], texts: list[str]) -> None:
            reads[-1] += sum(text.endswith("\n") for text in texts)
            emit(sources, stamps, texts)

        real(segments, counted, **kwargs)

    monkeypatch.setattr(logfile, "read_window", counting)
    return reads


@pytest.fixture
def standin_log(run_standin: Callable[..., Any]) -> Iterator[Callable[..., tuple[DockerRuntime, Any]]]:
    """Factory: a stand-in container as wbtui labels its own, and a runtime reading its log."""
    made: list[DockerRuntime] = []

    def make(env: dict[str, str], wait: Callable[[bytes], bool] = lambda tail: READY.encode() in tail,
             **run: Any) -> tuple[DockerRuntime, Any]:
        """``wait``: until the log's last 50 records satisfy it (by default: the server is ready, the burst done)."""
        name = f"wbtui-test-lf-{secrets.token_hex(4)}"
        env = {"STANDIN_HEARTBEAT": "0", "STANDIN_READY_DELAY": "0", **env}
        standin = run_standin(env, wait_healthz=False, name=name,
                              labels={"app.kubernetes.io/managed-by": "wbtui", "wbtui.name": name}, **run)
        config = Config()
        config.runtime.container_name = name
        config.server.MYSQL = f"mysql://wandb:{SECRET}@db.internal:3306/wandb"
        runtime = DockerRuntime(config)
        made.append(runtime)
        wait_for(lambda: wait(standin.container.logs(tail=50)), 120, f"{name}'s log", interval=0.05)
        return runtime, standin.container

    yield make
    for runtime in made:
        runtime.close()


def read(runtime: DockerRuntime, *, api: bool = False, keep: int | None = None,
         **kwargs: Any) -> tuple[list[tuple[str, Any, str]], int]:
    """The window's (text, time, source) rows and how many lines the reader left out for ``keep``."""
    async def collect() -> tuple[list[tuple[str, Any, str]], int]:
        stream = runtime.logs(follow=False, **{"tail": None, "timestamps": True, **kwargs})
        if keep is not None:
            stream.keep_newest(keep)
        rows = [(line.text, line.timestamp, line.source) async for line in stream]
        return rows, stream.skipped

    if not api:
        return asyncio.run(collect())
    real = logfile.is_local_daemon
    logfile.is_local_daemon = lambda host=None: False  # type: ignore[assignment]
    try:
        return asyncio.run(collect())
    finally:
        logfile.is_local_daemon = real  # type: ignore[assignment]


def bursting_past(number: int) -> Callable[[bytes], bool]:
    """The log's last lines are burst lines past ``number`` (the burst is under way)."""
    def past(tail: bytes) -> bool:
        seen = [int(row.split()[2]) for row in tail.splitlines() if row.startswith(b"log line ")]
        return bool(seen) and seen[-1] > number

    return past


def burst_numbers(rows: list[tuple[str, Any, str]] | list[LogLine]) -> list[int]:
    texts = [row[0] if isinstance(row, tuple) else row.text for row in rows]
    return [int(found[1]) for found in map(BURST_LINE.search, texts) if found]


def test_a_burst_reads_alike_from_the_file_and_the_api(standin_log: Callable[..., Any], file_reads: list[int]) -> None:
    error = f"ERROR: mysql://wandb:{SECRET}@db.internal:3306/wandb refused"
    runtime, _ = standin_log({"STANDIN_BURST_LINES": "30000", "STANDIN_ERROR_AT": "0", "STANDIN_ERROR_LINE": error},
                             wait=lambda tail: b"ERROR: mysql" in tail and READY.encode() in tail)
    from_file, _ = read(runtime)
    assert file_reads == [len(from_file)]
    from_api, _ = read(runtime, api=True)
    assert len(file_reads) == 1  # the API read did not touch the file
    assert from_file == from_api
    assert burst_numbers(from_file) == list(range(1, 30001))
    assert not any(SECRET in text for text, _, _ in from_file)
    assert any(f"mysql://wandb:{MASK}@" in text for text, _, _ in from_file)

    kept, skipped = read(runtime, keep=1000)  # the Logs pane's ring: only the newest lines are decoded
    assert (kept, skipped) == (from_api[-1000:], len(from_api) - 1000)
    since = from_api[12345][1]
    assert read(runtime, since=since)[0] == read(runtime, since=since, api=True)[0] == from_api[12345:]
    assert read(runtime, tail=20000)[0] == from_api[-20000:]


def test_rotated_and_compressed_files_are_read_as_the_daemon_reads_them(standin_log: Callable[..., Any],
                                                                       file_reads: list[int]) -> None:
    import docker.types

    runtime, container = standin_log(
        {"STANDIN_BURST_LINES": "40000"},
        log_config=docker.types.LogConfig(type="json-file", config={"max-size": "200k", "max-file": "4",
                                                                    "compress": "true"}))
    log_path = container.attrs["LogPath"]
    rotated = sorted(name for name in os.listdir(os.path.dirname(log_path))
                     if name.startswith(os.path.basename(log_path) + "."))
    assert any(name.endswith(".gz") for name in rotated), rotated
    from_file, _ = read(runtime)
    from_api, _ = read(runtime, api=True)
    assert file_reads == [len(from_file)] and len(from_file) > 2000
    assert from_file == from_api
    numbers = burst_numbers(from_file)
    assert numbers == list(range(numbers[0], 40001))  # the oldest files were rotated away, nothing in between
    kept, skipped = read(runtime, keep=500)
    assert (kept, skipped) == (from_api[-500:], len(from_api) - 500)
    since = from_api[len(from_api) // 3][1]  # inside a compressed file
    window, through_api = read(runtime, since=since)[0], read(runtime, since=since, api=True)[0]
    assert window == [row for row in from_api if row[1] >= since]
    # Docker 20.10's own since leaves out the rest of the compressed file it falls in, never more.
    assert through_api == window[len(window) - len(through_api):]


def test_a_line_docker_split_into_16k_pieces_is_one_line_masked_whole(standin_log: Callable[..., Any],
                                                                      file_reads: list[int]) -> None:
    head = "ERROR: "
    line = head + "x" * (16 * 1024 - len(head) - len(SECRET) // 2) + SECRET + "y" * 30000  # a secret on a cut
    runtime, _ = standin_log({"STANDIN_BURST_LINES": "200", "STANDIN_ERROR_AT": "0", "STANDIN_ERROR_LINE": line},
                             wait=lambda tail: line.encode() in tail and READY.encode() in tail)
    from_file, _ = read(runtime, timestamps=False)
    from_api, _ = read(runtime, api=True, timestamps=False)
    assert file_reads and from_file == from_api
    long = [text for text, _, _ in from_file if text.startswith("ERROR: x")]
    assert long == [line.replace(SECRET, MASK)]
    kept, skipped = read(runtime, keep=3, timestamps=False)
    assert kept == from_api[-3:] and skipped == len(from_api) - 3


def test_follow_goes_on_from_the_file_through_the_api_without_gap_or_duplicate(
        standin_log: Callable[..., Any], file_reads: list[int]) -> None:
    total = 400_000
    runtime, _ = standin_log({"STANDIN_BURST_LINES": str(total)}, wait=bursting_past(0))

    async def follow(keep: int | None) -> tuple[list[LogLine], int]:
        lines: list[LogLine] = []
        stream = runtime.logs(follow=True, tail=None)
        if keep is not None:
            stream.keep_newest(keep)
        async with stream:
            async for batch in stream.batches():
                lines.extend(batch)
                if any(READY in line.text for line in batch):
                    return lines, stream.skipped
        raise AssertionError("the follow stream ended")

    lines, _ = asyncio.run(asyncio.wait_for(follow(None), 120))
    assert 0 < file_reads[0] < total, "the window from the file ended before the burst did"
    assert burst_numbers(lines) == list(range(1, total + 1))
    everything, _ = read(runtime, api=True, timestamps=False)
    assert [line.text for line in lines] == [text for text, _, _ in everything]


def test_follow_with_a_ring_starts_at_the_newest_lines_and_misses_none_after(
        standin_log: Callable[..., Any], file_reads: list[int]) -> None:
    total = 400_000
    runtime, _ = standin_log({"STANDIN_BURST_LINES": str(total)}, wait=bursting_past(1000))

    async def follow() -> tuple[list[LogLine], int]:
        lines: list[LogLine] = []
        stream = runtime.logs(follow=True, tail=None).keep_newest(100)
        async with stream:
            async for batch in stream.batches():
                lines.extend(batch)
                if any(READY in line.text for line in batch):
                    return lines, stream.skipped
        raise AssertionError("the follow stream ended")

    lines, skipped = asyncio.run(asyncio.wait_for(follow(), 120))
    assert file_reads == [100] and skipped > 1000
    everything, _ = read(runtime, api=True, timestamps=False)
    assert [line.text for line in lines] == [text for text, _, _ in everything[skipped:]]


def test_another_log_driver_is_read_through_the_api(standin_log: Callable[..., Any], file_reads: list[int]) -> None:
    import docker.types

    runtime, _ = standin_log({"STANDIN_BURST_LINES": "3000"}, log_config=docker.types.LogConfig(type="local"))
    rows, skipped = read(runtime, keep=100)
    assert file_reads == [] and skipped == 0  # every line came, for the caller to keep what it keeps
    assert burst_numbers(rows) == list(range(1, 3001))
    assert rows[-1][0].endswith(READY + '"}')
