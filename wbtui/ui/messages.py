"""The dashboard's messages: requests panes post to the app, and results workers post for the store.

Requests bubble from a pane to the app, which runs the worker; results update the
app's store (``wbtui.ui.state``), whose change redraws every pane that shows them.
No pane calls another pane.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.widget import Widget

    from ..checks.model import CheckResult
    from ..runtime.base import ResourceUsage, RuntimeEvent, ServerStatus


@dataclass
class Problem:
    """An explained failure shown inline or as a notification: what went wrong and the fix."""

    message: str
    fix: str = ""
    kind: str = "error"

    @classmethod
    def from_exception(cls, exc: BaseException) -> Problem:
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return cls(str(message), str(getattr(exc, "fix", "") or ""), str(getattr(exc, "kind", "error")))

    def text(self) -> str:
        return f"{self.message}\nFix: {self.fix}" if self.fix else self.message


class StatusUpdate(Message):
    """The runtime's state and recent events (or why they could not be read)."""

    def __init__(self, status: ServerStatus | None, usage: ResourceUsage | None, problem: Problem | None,
                 events: list[RuntimeEvent] | None = None) -> None:
        super().__init__()
        self.status = status
        self.usage = usage
        self.problem = problem
        self.events = events or []


class ProbeUpdate(Message):
    """A /healthz + /ready sample (``sample`` is a wbtui.health.probe.Sample) or why none was taken.

    ``transitions`` and ``samples`` are the prober's history so far, newest last.
    """

    def __init__(self, sample: Any | None, latencies: dict[str, list[float]], problem: Problem | None,
                 transitions: list[Any] | None = None, samples: list[Any] | None = None) -> None:
        super().__init__()
        self.sample = sample
        self.latencies = latencies
        self.problem = problem
        self.transitions = transitions or []
        self.samples = samples or []


class ChecksUpdate(Message):
    """Datastore check results so far; ``running`` while more are coming.

    ``stores`` were (re)checked by this run, ``took`` is its time once done, ``problem`` why it could not run.
    """

    def __init__(self, results: list[CheckResult], running: bool, *, stores: tuple[str, ...] = (),
                 took: float | None = None, problem: Problem | None = None, what: str = "", run: int = 0,
                 quick: bool = False) -> None:
        super().__init__()
        self.results = results
        self.run = run
        self.quick = quick
        self.running = running
        self.stores = stores
        self.took = took
        self.problem = problem
        self.what = what


@dataclass
class Diagnosed:
    """A recent error line with what it means and what to do."""

    line: str
    cause: str = ""
    fix: str = ""


class ErrorLines(Message):
    """The most recent error lines of the server log, diagnosed; ``lines``: every error line held (the
    verdict reads them all, the Overview shows the last few)."""

    def __init__(self, items: list[Diagnosed], lines: list[str] | None = None) -> None:
        super().__init__()
        self.items = items
        self.lines = lines if lines is not None else [item.line for item in items]


class ConfigSaved(Message):
    """The draft was written to disk and is now what actions use."""


class ConfigFileRead(Message):
    """The config file as it is on disk now (``problem`` when it cannot be read); ``announce`` says so."""

    def __init__(self, config: Any, exists: bool, stamp: Any, problem: Problem | None = None, *,
                 announce: bool = True, unknown: list[Any] | None = None) -> None:
        super().__init__()
        self.config = config
        self.unknown = unknown or []
        """The file's keys no setting reads (store.UnknownKey)."""
        self.exists = exists
        self.stamp = stamp
        self.problem = problem
        self.announce = announce


class Notice(Message):
    """A worker's news for the user, shown as a notification (plain text, never markup)."""

    def __init__(self, text: str, title: str = "", *, severity: str = "information", timeout: float = 5) -> None:
        super().__init__()
        self.text = text
        self.title = title
        self.severity = severity
        self.timeout = timeout

    def show(self, node: App[Any] | Widget) -> None:
        """As a notification on ``node``'s app (the handler of either app calls this)."""
        node.notify(self.text, title=self.title, severity=self.severity,  # type: ignore[arg-type]
                    timeout=self.timeout, markup=False)


class RuntimeActionUpdate(Message):
    """A runtime action (deploy, restart, ...) started, progressed (``text``: its latest step), finished
    (``outcome``) or failed; ``started`` is when it began (``time.monotonic``), for the elapsed time shown."""

    def __init__(self, action: str, text: str = "", *, done: bool = False, outcome: str | None = None,
                 problem: Problem | None = None, started: float | None = None) -> None:
        super().__init__()
        self.action = action
        self.text = text
        self.done = done
        self.outcome = outcome
        self.problem = problem
        self.started = time.monotonic() if started is None else started


class RollbackPlanned(Message):
    """What a rollback of the last upgrade would do (``plan``: an ops.upgrade.RollbackPlan), or why there is none."""

    def __init__(self, plan: Any = None, problem: Problem | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.problem = problem


class WatchUpdate(Message):
    """The startup watch: a WatchProgress while it runs, then its WatchResult (``final``)."""

    def __init__(self, progress: Any = None, result: Any = None) -> None:
        super().__init__()
        self.progress = progress
        self.result = result


# ---- requests: a pane asks, the app runs the worker --------------------------------------------------
class RefreshStatus(Message):
    """Read the runtime's status now."""


class ProbeNow(Message):
    """Take a /healthz + /ready sample now."""


class RunChecks(Message):
    """Check these datastores against ``config`` (the draft, or the saved config)."""

    def __init__(self, stores: tuple[str, ...], config: Any, what: str, *, quick: bool = False) -> None:
        super().__init__()
        self.stores = stores
        self.config = config
        self.what = what
        self.quick = quick
        """The cheap form (a schedule's): no 10 MiB upload, a short CPU glimpse."""


class RunRuntimeAction(Message):
    """Deploy, start, stop, restart, upgrade (to ``tag``) or remove the server, after confirming."""

    def __init__(self, action: str, tag: str = "") -> None:
        super().__init__()
        self.action = action
        self.tag = tag


class StartupWatch(Message):
    """Start the startup watch (until /ready passes, the server fails or the window ends)."""


class Retarget(Message):
    """Point the runtime at another Kubernetes context or namespace (not saved)."""

    def __init__(self, key: str, value: str) -> None:
        super().__init__()
        self.key = key
        self.value = value
