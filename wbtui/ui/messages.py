"""Messages panes post when their workers finish; the app forwards them to the Overview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

if TYPE_CHECKING:
    from ..checks.model import CheckResult
    from ..runtime.base import ResourceUsage, ServerStatus


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
    """The runtime's state (or why it could not be read)."""

    def __init__(self, status: ServerStatus | None, usage: ResourceUsage | None, problem: Problem | None) -> None:
        super().__init__()
        self.status = status
        self.usage = usage
        self.problem = problem


class ProbeUpdate(Message):
    """A /healthz + /ready sample (``sample`` is a wbtui.health.probe.Sample) or why none was taken."""

    def __init__(self, sample: Any | None, latencies: dict[str, list[float]], problem: Problem | None) -> None:
        super().__init__()
        self.sample = sample
        self.latencies = latencies
        self.problem = problem


class ChecksUpdate(Message):
    """Datastore check results so far; ``running`` while more are coming."""

    def __init__(self, results: list[CheckResult], running: bool) -> None:
        super().__init__()
        self.results = results
        self.running = running


@dataclass
class Diagnosed:
    """A recent error line with what it means and what to do."""

    line: str
    cause: str = ""
    fix: str = ""


class ErrorLines(Message):
    """The most recent error lines of the server log, diagnosed."""

    def __init__(self, items: list[Diagnosed]) -> None:
        super().__init__()
        self.items = items


class ConfigSaved(Message):
    """The draft was written to disk and is now what actions use."""
