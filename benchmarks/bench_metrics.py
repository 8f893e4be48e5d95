"""What one scrape of `wbtui metrics` costs, against prometheus_client's own gauges serving the same page.

Two servers on loopback, both prometheus_client's HTTP server: ours (the sampler's cache read by our
collector, every family filled: a full page of seven sources and 40 checks) and a baseline registry of
plain ``Gauge`` objects set to the same values (what an exporter with no cache logic costs). Rounds
alternate N scrapes of each over real HTTP; the figure is the median per scrape and the p99, and the ratio
ours/baseline. A second run scrapes ours while every source of a real config hangs (MYSQL, BUCKET and HOST
pointing at a port that accepts and never answers): the scrape must cost the same.

    python3 benchmarks/bench_metrics.py [--scrapes 100] [--rounds 5]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def full_page_values() -> list[tuple[str, dict[str, str], float]]:
    """A value for every family (checks: 40 ids x 4 severities), labels filled with plausible text."""
    from wbtui.metrics.families import FAMILIES

    out = []
    for name, family in FAMILIES.items():
        if name == "wbtui_check_result":
            for i in range(40):
                for severity in ("pass", "warn", "fail", "skipped"):
                    out.append((name, {"id": f"mysql.check{i}", "store": "mysql", "severity": severity,
                                       "acknowledged": "false"}, float(severity == "pass")))
            continue
        labels = {label: f"{label}-value" for label in family.labels}
        out.append((name, labels, 12345.678))
    return out


def ours(values: list[tuple[str, dict[str, str], float]]) -> int:
    from wbtui.metrics.exposition import serve
    from wbtui.metrics.sampler import Cache
    from wbtui.metrics.sources import Reading, value

    cache = Cache(["bench"])
    cache.put("bench", Reading([value(n, v, **labels) for n, labels, v in values]), "", 0.01,
              time.time())
    return serve(cache, "127.0.0.1", 0).server_port


def baseline(values: list[tuple[str, dict[str, str], float]]) -> int:
    from prometheus_client import CollectorRegistry, Gauge, start_http_server

    from wbtui.metrics.families import FAMILIES

    registry = CollectorRegistry(auto_describe=False)
    gauges = {name: Gauge(name, family.help, list(family.labels), registry=registry)
              for name, family in FAMILIES.items()}
    for name, labels, number in values:
        gauge = gauges[name]
        (gauge.labels(**{k: labels[k] for k in FAMILIES[name].labels}) if labels else gauge).set(number)
    server, _thread = start_http_server(0, "127.0.0.1", registry)
    return server.server_port


def scrapes(port: int, count: int) -> list[float]:
    took = []
    for _ in range(count):
        began = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            response.read()
        took.append(time.perf_counter() - began)
    return took


def silent_port() -> tuple[socket.socket, int]:
    """A listening socket nobody accepts on: connections complete (the backlog) and then nothing is said."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    return sock, sock.getsockname()[1]


def hanging_sources_port(port: int) -> int:
    from wbtui.config.model import Config
    from wbtui.metrics.exposition import serve
    from wbtui.metrics.sampler import Sampler
    from wbtui.metrics.sources import sources_for

    config = Config()
    config.server.HOST = f"https://127.0.0.1:{port}"
    config.server.MYSQL = f"mysql://wandb:secret@127.0.0.1:{port}/wandb"
    config.server.BUCKET = f"s3://key:secret@127.0.0.1:{port}/bucket"
    config.server.AWS_REGION = "us-east-1"
    sampler = Sampler(sources_for(config)).start()
    return serve(sampler.cache, "127.0.0.1", 0).server_port


def describe(label: str, took: list[float]) -> float:
    ordered = sorted(took)
    median = statistics.median(ordered)
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    print(f"  {label:<34} median {median * 1000:6.2f} ms   p99 {p99 * 1000:6.2f} ms   max {ordered[-1] * 1000:6.2f} ms")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrapes", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    values = full_page_values()
    mine, theirs = ours(values), baseline(values)
    with urllib.request.urlopen(f"http://127.0.0.1:{mine}/metrics") as response:
        size = len(response.read())
    print(f"a full page: {len(values)} samples, {size} bytes; {args.rounds} rounds of {args.scrapes} scrapes each")
    a: list[float] = []
    b: list[float] = []
    for _ in range(args.rounds):
        a += scrapes(mine, args.scrapes)
        b += scrapes(theirs, args.scrapes)
    ours_median = describe("wbtui metrics (cached collector)", a)
    base_median = describe("prometheus_client Gauges (baseline)", b)
    print(f"  ratio ours/baseline: {ours_median / base_median:.2f}x")
    sock, port = silent_port()
    try:
        hanging = hanging_sources_port(port)
        time.sleep(0.5)  # let every source start its (hanging) first sample
        c = []
        for _ in range(args.rounds):
            c += scrapes(hanging, args.scrapes)
        hung = describe("every source hanging (real config)", c)
        print(f"  ratio hanging/baseline: {hung / base_median:.2f}x (the page is smaller: sources down)")
    finally:
        sock.close()


if __name__ == "__main__":
    main()
