"""One line that says whether the server is up and, if not, why and what to do.

The on-call engineer reads it first, so it is the most severe finding of the diagnosis
(the same rules as ``wbtui doctor``: log lines, runtime state and events, check results),
and only without a finding the plain state: not deployed, the runtime unreachable, the
probes' answer. Pure: the dashboard passes what its store holds.

A check failure the config acknowledges (wbtui.checks.acknowledged) does not count
against the verdict; any other failure still does, and names the acknowledgement of its
check that no longer matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..checks.model import CheckResult
    from ..config.model import Config
    from ..runtime.base import RuntimeEvent, ServerStatus

Tone = Literal["good", "warn", "bad", "muted"]
TONES: dict[str, Tone] = {"critical": "bad", "error": "bad", "warning": "warn", "info": "muted"}


@dataclass(frozen=True)
class Verdict:
    tone: Tone
    title: str
    fix: str = ""
    why: str = ""
    """The evidence: the log line or state the title was read from."""

    @property
    def first_step(self) -> str:
        """The fix's first sentence, for one line; the whole fix is in the Health pane and ``wbtui doctor``."""
        match = re.match(r"(.+?[.!?])\s+(?=[A-Z`(])", self.fix)
        return match.group(1) if match else self.fix


def verdict(*, config: Config | None, status: ServerStatus | None, events: Sequence[RuntimeEvent] = (),
            lines: Sequence[str] = (), checks: Sequence[CheckResult] = (), unreachable: tuple[str, str] | None = None,
            ready: tuple[bool, str, str] | None = None, now: datetime | None = None) -> Verdict:
    """The verdict from what is known now.

    ``unreachable``: (message, fix) when the runtime could not be asked; ``ready``: the last
    /ready probe as (ok, message, fix), None before the first; ``now``: when acknowledgements
    are judged (their expiry), the current time by default.
    """
    from ..checks.acknowledged import mark
    from ..checks.model import Status
    from ..diagnosis.engine import diagnose, facts_from

    findings = diagnose(facts_from(lines=lines, status=status, checks=checks, config=config, events=events))
    bad = [d for d in findings if TONES.get(d.severity) == "bad"]
    warnings = [d for d in findings if TONES.get(d.severity) == "warn"]
    if bad:
        top = bad[0]
        more = len(bad) + len(warnings) - 1
        return Verdict("bad", top.title + (f" (+{more} more in Health, 6)" if more else ""), top.fix, top.evidence)
    if unreachable is not None:
        return Verdict("bad", unreachable[0], unreachable[1])
    if status is None:
        return Verdict("muted", "Waiting for the first status…")
    if not status.exists:
        return Verdict("warn", "Not deployed", "d in the Runtime pane (4) deploys it")
    if status.state != "running":
        return Verdict("bad", f"The server is {status.state}", "l shows its log; r restarts it")
    if ready is None:
        return Verdict("muted", "Running; waiting for the first /ready probe…")
    ok, message, fix = ready
    if not ok:
        return Verdict("bad", f"Running but not ready: /ready {message}", fix)
    acks = config.acknowledged if config is not None else []
    failures = mark([c for c in checks if c.status is Status.FAIL], acks, now)
    failed = [m for m in failures if not m.covered]
    if failed:  # a datastore check that fails is worse than a warning read from the log
        first = failed[0].result
        return Verdict("warn", f"Up and ready, but {first.title} fails: {first.summary}", first.fix, failed[0].note)
    if warnings:
        return Verdict("warn", f"Up and ready, but: {warnings[0].title}", warnings[0].fix, warnings[0].evidence)
    if failures:
        return Verdict("good", f"Up and ready ({len(failures)} acknowledged finding{'s' * (len(failures) > 1)})")
    return Verdict("good", "Up and ready")
