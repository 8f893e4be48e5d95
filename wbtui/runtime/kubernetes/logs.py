"""Following a Deployment's pod log through restarts, pod replacements and API server outages.

Logs are read from the newest ready pod (or a chosen one) in a reader thread
(``logstream.ThreadStream``) with ``timestamps=true``; when the stream ends or breaks
(container restarted, pod replaced, API server gone) it reopens with backoff,
resumes with ``sinceTime`` from the last line's timestamp and drops the lines it
already gave out (``LogCursor``). An API server outage is marked by a gap line when
it comes back; a new instance of the container (its restartCount went up) or
another pod begins after a restart line, as Docker's log does
(``── container restarted 10:05:02 UTC (restart 3) ──``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..base import LogLine, NotDeployed, PermissionDenied, RuntimeProblem, Unreachable
from ..logstream import Sink
from .client import resource_path
from .kubeconfig import KubeconfigProblem

if TYPE_CHECKING:
    from .backend import KubernetesRuntime
    from .status import LogTarget

_LOG_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) ")

LogKey = tuple[int, int]  # (epoch seconds, nanoseconds) of a log line


def split_timestamp(line: str) -> tuple[LogKey | None, datetime | None, str]:
    """A kubelet log line with ``timestamps=true``: its exact sort key, its time and its text."""
    m = _LOG_TIME.match(line)
    if m is None:
        return None, None, line
    zone = "+00:00" if m[3] == "Z" else m[3]
    whole = datetime.fromisoformat(m[1] + zone).astimezone(UTC)
    nanos = int((m[2] or "0").ljust(9, "0"))
    return (int(whole.timestamp()), nanos), whole.replace(microsecond=nanos // 1000), line[m.end():]


def _key_of(when: datetime) -> LogKey:
    when = when.astimezone(UTC)
    return int(when.replace(microsecond=0).timestamp()), when.microsecond * 1000


def _since_time(key: LogKey) -> str:
    """``sinceTime`` for a resume: the API takes whole seconds, so the overlap is deduplicated."""
    return datetime.fromtimestamp(key[0], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class LogCursor:
    """Where a followed stream is, so a reconnect neither repeats nor loses lines."""

    pod: str = ""
    last: LogKey | None = None
    at_last: set[str] = field(default_factory=set)
    skip_until: LogKey | None = None
    skip_texts: set[str] = field(default_factory=set)

    def resume(self, pod: str) -> str | None:
        """Prepare to reconnect to ``pod``; the ``sinceTime`` to ask for, if any."""
        if pod == self.pod and self.last is not None:
            self.skip_until, self.skip_texts = self.last, set(self.at_last)
        elif pod != self.pod and self.pod:
            self.skip_until, self.skip_texts = None, set()
        self.pod = pod
        return _since_time(self.last) if self.last else None

    def accept(self, key: LogKey | None, text: str) -> bool:
        """Whether a line is new (not given out before this reconnect), remembering it."""
        if key is None:
            return True
        if self.skip_until is not None and (key < self.skip_until or
                                            (key == self.skip_until and text in self.skip_texts)):
            return False
        if self.last is None or key > self.last:
            self.last, self.at_last = key, {text}
        elif key == self.last:
            self.at_last.add(text)
        return True


def _line_batches(response: Any, size: int = 65536) -> Iterator[list[str]]:
    """Whole lines from a streaming HTTP response, one list per chunk read."""
    rest = b""
    for chunk in response.stream(size, decode_content=True):
        rest += chunk
        *lines, rest = rest.split(b"\n")
        if lines:
            yield [x.rstrip(b"\r").decode("utf-8", "replace") for x in lines]
    if rest:
        yield [rest.decode("utf-8", "replace")]


def restart_marker(old: LogTarget, new: LogTarget) -> LogLine | None:
    """The line between two instances' lines: the container restarted in its pod, or another pod took over."""
    when = new.started_at or datetime.now(UTC)
    if new.pod != old.pod:
        return LogLine(f"── pod {new.pod} took over {when:%H:%M:%S} UTC ──", when, new.pod, restart=True)
    if new.restarts > old.restarts:
        return LogLine(f"── container restarted {when:%H:%M:%S} UTC (restart {new.restarts}) ──", when, new.pod,
                       restart=True)
    return None


class _NoPodYet(NotDeployed):
    """The Deployment exists but has no pod to read from (yet)."""


def follow_log(runtime: KubernetesRuntime, sink: Sink[LogLine], *, follow: bool, tail: int | None,
               since: datetime | None, timestamps: bool, previous: bool, chosen: str | None) -> None:
    """The blocking log loop: read, and with ``follow`` reopen after every end or break.

    A stream that ends (container stopped, pod replaced) is reopened quietly: ``sinceTime``
    and the cursor make it seamless. When the API server goes away the first line after
    it comes back is a gap line saying what happened and for how long.
    """
    import urllib3.exceptions as ue

    redact = runtime.api.redact
    cursor = LogCursor()
    if since is not None:
        cursor.skip_until = _key_of(since)
    first, delay = True, runtime.reconnect_delays[0]
    opened_at: datetime | None = None
    instance: LogTarget | None = None  # the container instance the last stream read
    outage: tuple[str, float] | None = None  # what broke the stream, and when
    while not sink.closed:
        response = None
        try:
            target = runtime.log_target(chosen)
            if target is None:
                raise _NoPodYet(f'no pod of Deployment "{runtime.name}" is running yet')
            pod, container = target.pod, target.container
            resume = cursor.resume(pod)
            query = [("container", container), ("timestamps", "true")]
            query += [("follow", "true")] if follow else []
            query += [("previous", "true")] if previous else []
            if first:
                query += [("tailLines", str(tail))] if tail is not None else []
                query += [("sinceTime", _since_time(_key_of(since)))] if since else []
            elif resume or opened_at:  # nothing read yet: from when the first stream opened
                query.append(("sinceTime", resume or _since_time(_key_of(opened_at or datetime.now(UTC)))))
            response = runtime.api.stream(
                resource_path("v1", "pods", runtime.namespace, pod, "log"), query,
                read_timeout=runtime.log_idle_timeout if follow else runtime.config.app.timeout)
            sink.on_interrupt(response.shutdown)
            first, opened_at = False, opened_at or datetime.now(UTC)
            if outage is not None:
                sink.put(LogLine(f"--- log stream interrupted: {outage[0]}; reconnected after "
                                 f"{time.monotonic() - outage[1]:.1f}s ---", datetime.now(UTC), pod, True))
                outage = None
            marker = restart_marker(instance, target) if instance is not None else None
            if marker is not None:
                sink.put(marker)
            instance = target
            for raw_lines in _line_batches(response):
                batch = []
                for raw in raw_lines:
                    key, when, text = split_timestamp(raw)
                    if cursor.accept(key, text):
                        batch.append(LogLine(redact(raw if timestamps and key else text), when, pod))
                if batch:
                    delay = runtime.reconnect_delays[0]
                    sink.put_many(batch)
                if sink.closed:
                    return
            if not follow:
                return
        except (PermissionDenied, KubeconfigProblem):
            raise
        except RuntimeProblem as exc:
            # No Deployment, no chosen pod, or no API server before anything streamed: an answer, not a gap.
            missing = isinstance(exc, NotDeployed) and not isinstance(exc, _NoPodYet)
            if not follow or (missing and (first or chosen)) or (first and isinstance(exc, Unreachable)):
                raise
            if isinstance(exc, Unreachable) and opened_at and outage is None:
                outage = (exc.message, time.monotonic())
        except (ue.HTTPError, OSError) as exc:
            if sink.closed:
                return
            if not follow:
                raise runtime.api.translate_transport(exc) from None
            if isinstance(exc, ue.ReadTimeoutError):  # a quiet stream: reopen at once, nothing was lost
                continue
            outage = outage or (runtime.api.translate_transport(exc).message, time.monotonic())
        finally:
            sink.on_interrupt(None)
            if response is not None:
                response.close()
        if sink.wait(delay):
            return
        delay = min(delay * 2, runtime.reconnect_delays[1])
