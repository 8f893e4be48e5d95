"""The check model shared by every datastore check.

A check has an id, a title and a status; it explains itself with a one-line
summary, details and a fix (the exact SQL, command or config line to run).
Checks of one store form a chain: when a check fails, the checks that need it
are reported as skipped rather than run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"

    @property
    def icon(self) -> str:
        return {"pass": "✔", "warn": "!", "fail": "✘", "skipped": "–"}[self.value]


@dataclass
class CheckResult:
    id: str
    title: str
    status: Status
    summary: str
    details: str = ""
    fix: str = ""
    duration: float = 0.0
    store: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    checked_at: float = 0.0
    """When the check ended (Unix time): how old a shown result is."""

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = self.status.value
        out["duration"] = round(self.duration, 3)
        out["checked_at"] = (datetime.fromtimestamp(self.checked_at, UTC).isoformat(timespec="seconds")
                             if self.checked_at else None)
        return out


class CheckEnded(Exception):
    """Raised inside a check body to end it early with a summary, details and fix (one of the two below)."""

    def __init__(self, summary: str, fix: str = "", details: str = "", **data: Any) -> None:
        super().__init__(summary)
        self.summary = summary
        self.fix = fix
        self.details = details
        self.data = data


class CheckFailed(CheckEnded):
    """Raised inside a check body to fail it."""


class CheckWarning(CheckEnded):
    """Raised inside a check body to finish it as a warning."""


@dataclass
class Outcome:
    """What a check body returns on success: a summary, and optional details/data."""

    summary: str
    details: str = ""
    data: dict[str, Any] = field(default_factory=dict)


CheckBody = Callable[[], "Outcome | str"]


class CheckRun:
    """Runs the checks of one store in order and records their results.

    ``redact`` scrubs secrets from every string a result carries. ``timed_out`` tells a result
    whose service stopped answering: every later check of the run is skipped with that reason,
    since each would only wait out the same timeout again.
    """

    def __init__(self, store: str, redact: Callable[[str], str] = lambda s: s,
                 on_result: Callable[[CheckResult], None] | None = None,
                 timed_out: Callable[[CheckResult], bool] = lambda r: False) -> None:
        self.store = store
        self.redact = redact
        self.results: list[CheckResult] = []
        self._on_result = on_result
        self._timed_out = timed_out
        self._halted = ""

    def record(self, result: CheckResult) -> CheckResult:
        result.store = self.store
        result.checked_at = result.checked_at or time.time()
        result.summary = self.redact(result.summary)
        result.details = self.redact(result.details)
        result.fix = self.redact(result.fix)
        self.results.append(result)
        if self._on_result is not None:
            self._on_result(result)
        return result

    def run(self, check_id: str, title: str, body: CheckBody, *, requires: tuple[str, ...] = ()) -> CheckResult:
        """Run one check unless a check it requires did not pass (or warn), or the service stopped answering."""
        if self._halted:
            return self.record(CheckResult(check_id, title, Status.SKIPPED, self._halted))
        blocked = [r for r in self.results if r.id in requires and r.status in (Status.FAIL, Status.SKIPPED)]
        if blocked:
            return self.record(CheckResult(check_id, title, Status.SKIPPED,
                                           f"skipped: {blocked[0].title} did not pass"))
        started = time.monotonic()
        try:
            outcome = body()
        except CheckFailed as exc:
            result = CheckResult(check_id, title, Status.FAIL, exc.summary, exc.details, exc.fix, data=exc.data)
        except CheckWarning as exc:
            result = CheckResult(check_id, title, Status.WARN, exc.summary, exc.details, exc.fix, data=exc.data)
        except Exception as exc:
            result = CheckResult(check_id, title, Status.FAIL, f"unexpected error: {type(exc).__name__}: {exc}")
        else:
            if isinstance(outcome, str):
                outcome = Outcome(outcome)
            result = CheckResult(check_id, title, Status.PASS, outcome.summary, outcome.details,
                                 data=outcome.data)
        result.duration = time.monotonic() - started
        if result.status is Status.FAIL and self._timed_out(result):
            self._halted = f"skipped: {title} timed out, so this check would wait out the same timeout"
        return self.record(result)

    def skip(self, check_id: str, title: str, reason: str) -> CheckResult:
        return self.record(CheckResult(check_id, title, Status.SKIPPED, reason))

    def passed(self, check_id: str) -> bool:
        return any(r.id == check_id and r.status in (Status.PASS, Status.WARN) for r in self.results)


def worst(results: list[CheckResult]) -> Status:
    order = [Status.FAIL, Status.WARN, Status.PASS, Status.SKIPPED]
    present = {r.status for r in results}
    for status in order:
        if status in present:
            return status
    return Status.PASS
