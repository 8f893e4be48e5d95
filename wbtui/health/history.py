"""A bounded history of probe samples and the state changes between them.

Operators care less about one 503 than about "ready after 3m12s" or "healthz
down since 10:42": the history turns samples into those transitions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..present.durations import duration

if TYPE_CHECKING:
    from .probe import ProbeResult, Sample

ENDPOINTS = ("healthz", "ready")


def plain(value: Any) -> Any:
    """A JSON-ready copy of to_dict() data: datetimes as ISO 8601 text, tuples as lists."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass
class Transition:
    """An endpoint changed from failing to passing or back."""

    time: datetime
    endpoint: str
    before: bool
    after: bool
    message: str
    lasted: float

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time.isoformat(), "endpoint": self.endpoint, "before": self.before,
                "after": self.after, "message": self.message, "lasted": round(self.lasted, 3)}


def _describe(endpoint: str, result: ProbeResult, lasted: float) -> str:
    """"ready after 3m12s", "healthz down (was up for 2h05m): connection refused"."""
    took = duration(lasted)
    if endpoint == "ready":
        return f"ready after {took}" if result.ok else f"not ready (was ready for {took}): {result.message}"
    return f"healthz up after {took}" if result.ok else f"healthz down (was up for {took}): {result.message}"


class ProbeHistory:
    """The last ``size`` samples with timestamps, and the transitions they showed."""

    def __init__(self, size: int = 100) -> None:
        if size < 1:
            raise ValueError("history size must be at least 1")
        self.samples: deque[Sample] = deque(maxlen=size)
        self.transitions: deque[Transition] = deque(maxlen=size)
        # Per endpoint: its current state and when that state started.
        self._state: dict[str, tuple[bool, datetime]] = {}

    def add(self, sample: Sample) -> list[Transition]:
        """Record a sample; returns (and stores on the sample) the transitions it caused."""
        self.samples.append(sample)
        found: list[Transition] = []
        for endpoint in ENDPOINTS:
            result = getattr(sample, endpoint)
            previous = self._state.get(endpoint)
            if previous is None:
                self._state[endpoint] = (result.ok, sample.time)
                continue
            was_ok, since = previous
            if was_ok == result.ok:
                continue
            lasted = (sample.time - since).total_seconds()
            found.append(Transition(sample.time, endpoint, was_ok, result.ok,
                                    _describe(endpoint, result, lasted), lasted))
            self._state[endpoint] = (result.ok, sample.time)
        self.transitions.extend(found)
        sample.transitions = found
        return found

    def latest(self) -> Sample | None:
        return self.samples[-1] if self.samples else None

    def latencies(self, endpoint: str = "ready") -> list[float]:
        return [r.latency for s in self.samples if (r := getattr(s, endpoint)).latency is not None]

    def __len__(self) -> int:
        return len(self.samples)

    def __iter__(self) -> Iterator[Sample]:
        return iter(self.samples)
