"""The scrape: the cached samples as Prometheus families, served by prometheus_client's HTTP server.

A scrape copies the cache under its lock and builds the families from it; it never calls a source. Figures
that age between samples (a backup's age, a certificate's days left) are computed here from the cached times.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .families import DERIVED, FAMILIES
from .sampler import Cache

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer


class CachedCollector:
    """A prometheus_client collector over the sampler's cache (registered on a registry of its own)."""

    def __init__(self, cache: Cache, clock: Callable[[], float] = time.time) -> None:
        self.cache = cache
        self.clock = clock

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        states = self.cache.snapshot()
        now = self.clock()
        by_name: dict[str, list[tuple[dict[str, str], float]]] = {}

        def add(name: str, labels: dict[str, str], number: float) -> None:
            by_name.setdefault(name, []).append((labels, number))

        for state in states:
            add("wbtui_source_up", {"source": state.name}, 1.0 if state.up else 0.0)
            if state.last_success is not None:
                add("wbtui_source_last_success_timestamp_seconds", {"source": state.name}, state.last_success)
            if state.duration is not None:
                add("wbtui_source_duration_seconds", {"source": state.name}, round(state.duration, 6))
            for v in state.values:
                add(v.name, dict(v.labels), v.value)
        for derived, (base, a, b) in DERIVED.items():
            for labels, number in by_name.get(base, []):
                add(derived, labels, a * number + b * now)
        for name, family in FAMILIES.items():
            rows = by_name.get(name)
            if not rows:
                continue
            metric = GaugeMetricFamily(name, family.help, labels=list(family.labels))
            for labels, number in rows:
                metric.add_metric([labels.get(label, "") for label in family.labels], number)
            yield metric


def registry_for(cache: Cache, clock: Callable[[], float] = time.time) -> Any:
    """A registry holding only our collector (not the process and platform collectors of the default one)."""
    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(CachedCollector(cache, clock))
    return registry


def serve(cache: Cache, host: str, port: int) -> WSGIServer:
    """Serve ``/metrics`` (any path, as prometheus_client does) on ``host:port`` in a daemon thread; the server,
    whose ``server_port`` is the port bound (``port`` 0 picks a free one). OSError when it cannot bind."""
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, host, registry_for(cache))
    return server
