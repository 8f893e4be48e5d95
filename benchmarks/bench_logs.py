"""Log throughput: wbtui's Docker follow stream against `docker logs`, same container, same run.

A stand-in container prints N lines (default 1M) as fast as it can; once they are
all in Docker's log, the script times

- `docker logs CONTAINER > /dev/null` (the Go CLI, raw),
- the docker SDK's own stream (`container.logs(stream=True)`), for reference,
- `DockerRuntime.logs(follow=True, tail=None)`: the async stream wbtui uses
  (timestamps parsed, lines redacted, LogLine objects through the asyncio queue),

and prints lines/s, the ratio to `docker logs` (target >= 0.5x), the cost of the
redactor alone and this process's peak RSS.

    python3 benchmarks/bench_logs.py [--lines 1000000]

Needs the Docker engine and the stand-in image (built from tests/standin/, never pulled).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import secrets
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.services.base import free_port, wait_for
from tests.services.docker_engine import NAME_PREFIX, TEST_LABEL, ensure_standin_image
from wbtui.config import masking
from wbtui.config.model import Config
from wbtui.runtime.docker.backend import DockerRuntime

LAST_LINE = "log line {n:06d} "


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_config(lines: int) -> Config:
    config = Config()
    config.server.LICENSE = "bench-license-" + secrets.token_hex(16)  # something for the redactor to look for
    config.server.MYSQL = f"mysql://wandb:{secrets.token_hex(8)}@127.0.0.1:3306/wandb"
    r = config.runtime
    r.image, r.tag = "wbtui-test/local", "dev"
    r.container_name = f"{NAME_PREFIX}bench-{secrets.token_hex(4)}"
    r.bind_address, r.port = "127.0.0.1", free_port()
    r.volume = f"{r.container_name}-vol"
    r.restart_policy = "no"
    config.env.update({"STANDIN_BURST_LINES": str(lines), "STANDIN_HEARTBEAT": "0", "STANDIN_READY_DELAY": "0"})
    return config


def wait_for_burst(runtime: DockerRuntime, lines: int, timeout: float) -> None:
    container = runtime.client().containers.get(runtime.name)
    marker = LAST_LINE.format(n=lines).encode()
    wait_for(lambda: marker in container.logs(tail=50), timeout, f"{lines} lines in the container log",
             interval=0.5)


def time_docker_cli(name: str) -> float:
    began = time.perf_counter()
    subprocess.run(["docker", "logs", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True, timeout=600)
    return time.perf_counter() - began


def time_sdk_stream(runtime: DockerRuntime) -> tuple[float, int]:
    container = runtime.client().containers.get(runtime.name)
    began = time.perf_counter()
    count = 0
    for chunk in container.logs(stream=True, follow=False, timestamps=True):
        count += chunk.count(b"\n")
    return time.perf_counter() - began, count


async def time_wbtui_stream(runtime: DockerRuntime, lines: int) -> tuple[float, int, float]:
    """(wall seconds, lines, CPU seconds of this process: reader thread and event loop)."""
    marker = LAST_LINE.format(n=lines)
    began, cpu = time.perf_counter(), time.process_time()
    count = 0
    async with runtime.logs(follow=True, tail=None) as stream:
        async for line in stream:
            count += 1
            if line.text.startswith(marker):
                break
    return time.perf_counter() - began, count, time.process_time() - cpu


def time_redactor(config: Config, lines: int) -> tuple[float, float]:
    """Seconds to redact ``lines`` typical lines: per line, and in batches as the stream does."""
    redact = masking.logs(config)  # what the backends redact log lines with
    text = [f'log line {i:06d} {{"level":"info","logger":"burst","msg":"request served"}}' for i in range(lines)]
    began = time.perf_counter()
    for line in text:
        redact(line)
    per_line = time.perf_counter() - began
    began = time.perf_counter()
    for i in range(0, lines, 2000):
        redact("\n".join(text[i:i + 2000])).split("\n")
    return per_line, time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds of each reader (best is kept)")
    args = parser.parse_args()
    config = make_config(args.lines)
    runtime = DockerRuntime(config, pull=False, labels={TEST_LABEL: "1"})
    ensure_standin_image(runtime.client())
    try:
        print(runtime.deploy())
        began = time.perf_counter()
        wait_for_burst(runtime, args.lines, timeout=max(60, args.lines / 20_000))
        print(f"burst of {args.lines} lines logged in {time.perf_counter() - began:.1f}s")
        cli = ours = sdk = float("inf")
        for _ in range(args.rounds):  # alternate and keep the best: the host may be busy with other work
            cli = min(cli, time_docker_cli(runtime.name))
            took, our_lines, our_cpu = asyncio.run(time_wbtui_stream(runtime, args.lines))
            ours = min(ours, took)
        sdk, sdk_lines = time_sdk_stream(runtime)
        rss = peak_rss_mb()
        per_line, batched = time_redactor(config, args.lines)
    finally:
        runtime.remove(purge=True)
        runtime.close()
    n = args.lines
    print(f"docker logs (CLI, raw)        {cli:6.2f}s  {n / cli:>10,.0f} lines/s")
    print(f"docker SDK stream (reference) {sdk:6.2f}s  {sdk_lines / sdk:>10,.0f} lines/s")
    print(f"wbtui follow stream           {ours:6.2f}s  {our_lines / ours:>10,.0f} lines/s  "
          f"ratio {cli / ours:.2f}x of docker logs (target >= 0.5x)")
    print(f"  CPU of the stream (last round): {our_cpu:.2f}s, {our_cpu / our_lines * 1e6:.1f} us/line "
          "(read, decode, redact, LogLine, asyncio hand-over)")
    print(f"redactor alone: {per_line:.2f}s per line, {batched:.2f}s in batches of 2000 ({n} lines)")
    print(f"peak RSS of this process: {rss:.0f} MiB")
    return 0 if cli / ours >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
