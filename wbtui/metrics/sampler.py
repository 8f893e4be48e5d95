"""Background sampling: each source in a thread of its own, on its own cadence, each sample under a deadline.

A sample runs in a daemon thread (``health.bounded.Pending``) that the source's thread waits for at most the
source's deadline: a store that hangs makes its own source go down at the deadline, no later, and no other
source or scrape waits for it. While that sample still hangs, the next round waits on it again instead of
starting another (no pile of stuck threads). What a sample returned replaces the source's cache entry; a
source that failed is cached as down with no values (its metrics go absent).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..health.bounded import Deadline, Pending
from .sources import Reading, Source, Value


@dataclass
class SourceState:
    """The last word of one source, as scrapes read it."""

    name: str
    up: bool = False
    values: list[Value] = field(default_factory=list)
    problem: str = ""
    last_success: float | None = None
    duration: float | None = None
    samples: int = 0
    """Samples finished (answered, failed or past the deadline): what tests and start-up wait for."""


OnChange = Callable[[str, bool, str], None]
"""Called with (source, up, problem) when a source goes up or down, or its problem changes."""


class Cache:
    """The sources' states under one lock; scrapes copy them out."""

    def __init__(self, names: list[str]) -> None:
        self._states = {name: SourceState(name) for name in names}
        self._changed = threading.Condition()

    def put(self, name: str, reading: Reading | None, problem: str, duration: float, at: float) -> SourceState:
        """Record a sample's end: ``reading`` None means it failed with ``problem``."""
        with self._changed:
            state = self._states[name]
            state.duration = duration
            state.samples += 1
            if reading is None:
                state.up, state.values, state.problem = False, [], problem
            else:
                state.values = list(reading.values)
                state.problem = "; ".join(reading.problems)
                state.up = not reading.problems
                if state.up:
                    state.last_success = at
            self._changed.notify_all()
            return SourceState(state.name, state.up, state.values, state.problem, state.last_success,
                               state.duration, state.samples)

    def snapshot(self) -> list[SourceState]:
        with self._changed:
            return [SourceState(s.name, s.up, list(s.values), s.problem, s.last_success, s.duration, s.samples)
                    for s in self._states.values()]

    def wait_samples(self, count: int, timeout: float, names: list[str] | None = None) -> bool:
        """Until every source (or those named) finished ``count`` samples; False when ``timeout`` passed first."""
        wanted = names or list(self._states)
        with self._changed:
            return self._changed.wait_for(lambda: all(self._states[n].samples >= count for n in wanted), timeout)


class Sampler:
    """Runs the sources until ``stop``; ``calls`` counts the samples started per source."""

    def __init__(self, sources: list[Source], *, cadences: dict[str, float] | None = None,
                 on_change: OnChange | None = None, clock: Callable[[], float] = time.time) -> None:
        self.sources = sources
        self.cadences = {s.name: (cadences or {}).get(s.name, s.cadence) for s in sources}
        self.cache = Cache([s.name for s in sources])
        self.calls = dict.fromkeys(self.cadences, 0)
        self._on_change = on_change
        self._clock = clock
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Sampler:
        for source in self.sources:
            thread = threading.Thread(target=self._loop, args=(source,), name=f"wbtui-metrics-{source.name}",
                                      daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def stop(self, wait: float = 1.0) -> None:
        """Stop sampling; each source's thread ends after its current wait (samples in flight are abandoned)."""
        self._stop.set()
        end = time.monotonic() + wait
        for thread in self._threads:
            thread.join(max(0.0, end - time.monotonic()))
        for source in self.sources:
            source.close()

    def _loop(self, source: Source) -> None:
        pending: Pending[Reading] | None = None
        last: tuple[bool, str] | None = None
        while not self._stop.is_set():
            started = time.monotonic()
            if pending is None:
                pending = Pending(source.read, f"metrics-{source.name}")
                self.calls[source.name] += 1
            reading: Reading | None = None
            try:
                reading, problem = pending.result(source.deadline), ""
                pending = None
            except Deadline:
                problem = f"no answer within {source.deadline:g}s"
            except Exception as exc:
                pending = None
                problem = str(exc) or type(exc).__name__
            state = self.cache.put(source.name, reading, problem, time.monotonic() - started, self._clock())
            now = (state.up, state.problem)
            if now != last and self._on_change is not None:
                self._on_change(source.name, state.up, state.problem)
            last = now
            self._stop.wait(max(0.0, self.cadences[source.name] - (time.monotonic() - started)))
