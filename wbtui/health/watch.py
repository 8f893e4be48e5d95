"""The startup watch: wait for /ready the way the guide's startupProbe does.

The guide allows 60 x 10 s = 10 minutes for migrations. Meanwhile we follow
the logs, guess the phase from them ("running migrations"), and stop early
when the container exits or crash-loops, with a diagnosis of its last lines.
`wbtui up` shows the progress; the dashboard consumes the same events.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import re
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..config import masking
from ..config.masking import Redactor
from ..diagnosis.engine import Diagnosis, diagnose, facts_from
from ..present.durations import duration
from .bounded import Deadline, call_bounded_async, run_sync
from .history import Transition, plain
from .probe import NoTarget, Prober, Sample

if TYPE_CHECKING:
    from ..config.model import Config
    from ..runtime.base import Runtime, RuntimeEvent, ServerStatus

STARTUP_WINDOW = 600.0  # startupProbe: failureThreshold 60 x periodSeconds 10
CRASH_RESTARTS = 3
STOPPED_STATES = frozenset({"exited", "dead", "stopped", "failed"})

# Phase guesses from wandb/local's start-up messages, in start-up order: the furthest phase any
# line reached wins (services log "starting" lines while migrations still run).
PHASES: tuple[tuple[str, str], ...] = (
    (r"Loading settings", "loading settings"),
    (r"Setting up mysql|Connecting to MySQL|mysqld.*starting", "starting the database"),
    (r"Configuring minio|Minio still starting", "starting the embedded object store"),
    (r"Starting wandb servers|Starting (W&B server|gorilla|nginx)", "starting services"),
    (r"Migrating database|Running (squash )?migration|migration \d+|waiting for table lock", "running migrations"),
    (r"migrations complete|All services started|Access W&B at|server ready", "started, waiting for /ready"),
)
_PHASES = tuple((re.compile(p, re.IGNORECASE), name) for p, name in PHASES)


class Reason:
    READY = "ready"
    EXITED = "exited"
    CRASH_LOOP = "crash-loop"
    TIMEOUT = "timeout"
    MISSING = "missing"


def guess_phase(lines: Iterable[str]) -> str:
    """The furthest start-up phase the log lines show."""
    furthest = -1
    for line in lines:
        for rank in range(len(_PHASES) - 1, furthest, -1):
            if _PHASES[rank][0].search(line):
                furthest = rank
                break
    return _PHASES[furthest][1] if furthest >= 0 else "starting"


@dataclass
class WatchProgress:
    """One tick of the watch: where start-up stands."""

    elapsed: float
    timeout: float
    phase: str
    sample: Sample | None
    status: ServerStatus | None
    lines: list[str]
    transitions: list[Transition] = field(default_factory=list)
    note: str = ""

    def summary(self) -> str:
        """One line for a progress display: "1m05s/10m00s · running migrations · /ready: 503 ..."."""
        probe = f"/ready: {self.sample.ready.message}" if self.sample else "no probe yet"
        parts = [f"{duration(self.elapsed)}/{duration(self.timeout)}", self.phase, probe]
        if self.status is not None and self.status.restart_count:
            parts.append(f"{self.status.restart_count} restarts")
        return " · ".join(parts)


@dataclass
class WatchResult:
    ready: bool
    elapsed: float
    reason: str
    message: str
    phase: str
    last_lines: list[str]
    diagnosis: list[Diagnosis]
    status: ServerStatus | None = None
    sample: Sample | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"ready": self.ready, "elapsed": round(self.elapsed, 1), "reason": self.reason,
                "message": self.message, "phase": self.phase, "last_lines": self.last_lines,
                "diagnosis": [d.to_dict() for d in self.diagnosis],
                "status": plain(self.status.to_dict()) if self.status else None,
                "sample": self.sample.to_dict() if self.sample else None}


async def _follow(runtime: Runtime, lines: deque[str], redact: Redactor, errors: list[str], tail: int) -> None:
    """Append the server's log lines (redacted) as they come; the watch goes on without them on error."""
    try:
        async for line in runtime.logs(follow=True, tail=tail):
            lines.append(redact(line.text.rstrip("\n")))
    except Exception as exc:
        errors.append(f"log stream: {exc}")


async def _final_lines(runtime: Runtime, redact: Redactor, tail: int, timeout: float) -> list[str] | None:
    """The last lines once the container stopped (complete, unlike a follow stream mid-flight)."""
    async def collect() -> list[str]:
        return [redact(line.text.rstrip("\n")) async for line in runtime.logs(follow=False, tail=tail)
                if not line.gap]

    try:
        return await asyncio.wait_for(collect(), timeout)
    except Exception:
        return None


async def _recent_events(runtime: Runtime, timeout: float) -> list[RuntimeEvent]:
    """The runtime's last events once the container stopped: they tell a stop or kill from an OOM kill."""
    try:
        return list(await call_bounded_async(lambda: runtime.events(limit=20), timeout, "events"))
    except Exception:
        return []


async def _status(runtime: Runtime, timeout: float) -> tuple[ServerStatus | None, str]:
    try:
        return await call_bounded_async(runtime.status, timeout, "status"), ""
    except Deadline as exc:
        return None, str(exc)
    except Exception as exc:
        return None, f"status: {exc}"


def _stopped(status: ServerStatus | None, baseline: int) -> tuple[str, str] | None:
    """(reason, message) when start-up cannot succeed any more, else None."""
    if status is None:
        return None
    if not status.exists:
        return Reason.MISSING, f"{status.name} does not exist (removed, or not deployed)"
    reasons = [status.reason, *(p.reason for p in status.pods)]
    restarts = status.restart_count - baseline
    if "CrashLoopBackOff" in reasons or restarts >= CRASH_RESTARTS:
        return Reason.CRASH_LOOP, f"{status.name} is crash-looping ({status.restart_count} restarts)"
    if status.state.lower() in STOPPED_STATES:
        details = [f"exit code {status.exit_code}"] if status.exit_code is not None else []
        details += [x for x in (status.reason, status.message) if x]
        return Reason.EXITED, f"{status.name} {status.state.lower()} ({', '.join(details) or 'no reason given'})"
    return None


async def watch_events(runtime: Runtime, config: Config, *, timeout: float = STARTUP_WINDOW,
                       interval: float = 2.0, url: str | None = None, probe_timeout: float | None = None,
                       log_lines: int = 200, call_timeout: float = 10.0) -> AsyncIterator[WatchProgress | WatchResult]:
    """Progress events every ``interval`` seconds, then exactly one WatchResult."""
    redact = masking.logs(config)
    lines: deque[str] = deque(maxlen=log_lines)
    log_errors: list[str] = []
    follower = asyncio.create_task(_follow(runtime, lines, redact, log_errors, log_lines))
    prober = Prober(config, runtime, url=url, timeout=probe_timeout)
    started = time.monotonic()
    baseline: int | None = None
    sample: Sample | None = None

    def result(reason: str, message: str, status: ServerStatus | None, last: list[str],
               events: Sequence[RuntimeEvent] = ()) -> WatchResult:
        facts = facts_from(lines=last, status=status, config=config, watch_timed_out=reason == Reason.TIMEOUT,
                           window=timeout, ready_message=sample.ready.message if sample else "", events=events)
        return WatchResult(reason == Reason.READY, time.monotonic() - started, reason, redact(message),
                           guess_phase(last), last, diagnose(facts, redact=redact), status, sample)

    try:
        while True:
            status, status_note = await _status(runtime, call_timeout)
            if status is not None and baseline is None:
                baseline = status.restart_count
            try:
                sample = await prober.sample()
                probe_note = prober.target.note if prober.target else ""
            except NoTarget as exc:
                probe_note = str(exc)
            elapsed = time.monotonic() - started
            if sample is not None and sample.ready.ok:
                where = f"{sample.target.url} ({sample.target.via})"
                # Ready before the follow stream delivered anything: read the tail, so the
                # result always carries the start-up log.
                shown = list(lines) or await _final_lines(runtime, redact, log_lines, call_timeout) or []
                yield result(Reason.READY, f"ready after {duration(elapsed)} at {where}", status, shown)
                return
            stop = _stopped(status, baseline or 0)
            if stop is not None:
                final = await _final_lines(runtime, redact, log_lines, call_timeout)
                events = await _recent_events(runtime, call_timeout)
                yield result(*stop, status, final if final else list(lines), events)
                return
            if elapsed >= timeout:
                last = sample.ready.message if sample else probe_note
                yield result(Reason.TIMEOUT, f"not ready after {duration(elapsed)} (/ready: {last})",
                             status, list(lines))
                return
            note = "; ".join(x for x in (status_note, *log_errors, probe_note) if x)
            yield WatchProgress(elapsed, timeout, guess_phase(lines), sample, status, list(lines)[-5:],
                                list(sample.transitions) if sample else [], redact(note))
            await asyncio.sleep(max(0.0, min(interval, timeout - (time.monotonic() - started))))
    finally:
        follower.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await follower


ProgressCallback = Callable[[WatchProgress], "Awaitable[None] | None"]


async def startup_watch(runtime: Runtime, config: Config, *, timeout: float = STARTUP_WINDOW,
                        interval: float = 2.0, on_progress: ProgressCallback | None = None,
                        **options: Any) -> WatchResult:
    """Wait until /ready answers 200, the container stops or crash-loops, or ``timeout`` passes.

    ``on_progress`` (plain or async) gets a WatchProgress every ``interval`` seconds.
    Options: ``url``, ``probe_timeout``, ``log_lines``, ``call_timeout`` (see watch_events).
    """
    final: WatchResult | None = None
    async for event in watch_events(runtime, config, timeout=timeout, interval=interval, **options):
        if isinstance(event, WatchResult):
            final = event
        elif on_progress is not None:
            outcome = on_progress(event)
            if inspect.isawaitable(outcome):
                await outcome
    assert final is not None, "watch_events always ends with a WatchResult"
    return final


def run_startup_watch(runtime: Runtime, config: Config, **kwargs: Any) -> WatchResult:
    """startup_watch for synchronous callers (CLI, Textual thread workers)."""
    return run_sync(startup_watch(runtime, config, **kwargs))
