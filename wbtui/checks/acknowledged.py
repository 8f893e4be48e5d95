"""Acknowledged findings: a known failure accepted on purpose, which must never hide a new one.

The rule: an acknowledgement covers a result when it names the result's check id, the
result has the same status (fail or warn) and the same summary as when it was
acknowledged, and its expiry (if it has one) is still ahead. Anything else about that
check is a new finding: it counts as usual, shown with what was acknowledged earlier.
A covered result still shows; it is left out of exit codes and verdicts only.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..config.model import ACK_STATUSES, Acknowledgement, Config
from .model import CheckResult, Status
from .runner import exit_code as unacknowledged_exit_code


@dataclass(frozen=True)
class Marked:
    """A check result with the acknowledgement that covers it, or the one for its check that no longer does."""

    result: CheckResult
    ack: Acknowledgement | None = None
    earlier: Acknowledgement | None = None
    """An acknowledgement of this check that does not cover this result (changed, or expired)."""

    @property
    def covered(self) -> bool:
        return self.ack is not None

    @property
    def note(self) -> str:
        """One line for people: who accepted it, when and why; or why an earlier acceptance no longer holds."""
        if self.ack is not None:
            until = f", until {_day(self.ack.until)}" if self.ack.until else ""
            return f"acknowledged by {self.ack.who} on {_day(self.ack.when)}{until}: {self.ack.why}"
        if self.earlier is None:
            return ""
        if self.earlier.until is not None and (self.earlier.status, self.earlier.summary) == (
                self.result.status.value, self.result.summary):
            return (f"acknowledgement expired on {_day(self.earlier.until)} (was: {self.earlier.why}); "
                    f"wbtui ack {self.result.id} --why ... accepts it again")
        return (f"acknowledged earlier for: {self.earlier.summary} (that no longer matches: a new finding); "
                f"wbtui ack {self.result.id} --why ... accepts this one")

    def to_dict(self) -> dict[str, Any]:
        """The result's dict plus ``acknowledged`` (who, when, why, until; null when not covered) and
        ``acknowledged_earlier`` (the one that no longer covers, with its summary; else null)."""
        out = self.result.to_dict()
        out["acknowledged"] = _ack_dict(self.ack, ("who", "when", "why", "until")) if self.ack else None
        out["acknowledged_earlier"] = (_ack_dict(self.earlier, ("who", "when", "why", "until", "status", "summary"))
                                       if self.earlier else None)
        return out


def _ack_dict(ack: Acknowledgement, keys: tuple[str, ...]) -> dict[str, str | None]:
    data = ack.to_dict()
    return {key: data.get(key) for key in keys}


def _day(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def covers(ack: Acknowledgement, result: CheckResult, now: datetime) -> bool:
    """The rule above, for one acknowledgement and one result."""
    return (ack.check == result.id and ack.status == result.status.value and ack.summary == result.summary
            and (ack.until is None or now < ack.until))


def covering(result: CheckResult, acks: Iterable[Acknowledgement], now: datetime) -> Acknowledgement | None:
    """The acknowledgement that covers ``result`` now, if any."""
    return next((ack for ack in acks if covers(ack, result, now)), None)


def mark(results: Iterable[CheckResult], acks: Sequence[Acknowledgement], now: datetime | None = None) -> list[Marked]:
    """Every result, in order, with its covering acknowledgement (or the earlier one that no longer covers);
    ``acks`` is ``config.acknowledged``."""
    moment = now or datetime.now(UTC)
    out = []
    for result in results:
        ack = covering(result, acks, moment)
        earlier = None
        if ack is None and result.status in (Status.FAIL, Status.WARN):
            earlier = next((a for a in acks if a.check == result.id), None)
        out.append(Marked(result, ack, earlier))
    return out


def exit_code(results: Sequence[CheckResult], config: Config, strict: bool = False,
              now: datetime | None = None) -> int:
    """``wbtui check``'s exit code over the results no acknowledgement covers: 1 on any other failure
    (or warning, with ``strict``), else 0."""
    marked = mark(results, config.acknowledged, now)
    return unacknowledged_exit_code([m.result for m in marked if not m.covered], strict)


def find(config: Config, check_id: str) -> Acknowledgement | None:
    return next((ack for ack in config.acknowledged if ack.check == check_id), None)


def acknowledge(config: Config, result: CheckResult, why: str, *, who: str, now: datetime,
                lasting: timedelta | None = None) -> Acknowledgement:
    """Accept ``result`` as it is now, replacing any earlier acknowledgement of its check;
    ``lasting``: how long it covers (None: until ``unacknowledge``).

    Raises ValueError (saying what to do) when there is no reason or nothing to accept.
    """
    if not why.strip():
        raise ValueError("say why the finding is accepted (--why TEXT): the next on-call engineer reads it")
    if result.status.value not in ACK_STATUSES:
        raise ValueError(f"{result.id} is {result.status.value} now ({result.summary}): only a failure or a "
                         "warning can be acknowledged" + (" (acknowledge the check that failed before it)"
                                                          if result.status is Status.SKIPPED else ""))
    if lasting is not None and lasting <= timedelta(0):
        raise ValueError("an acknowledgement must last some time (--for 30d)")
    moment = now.astimezone(UTC).replace(microsecond=0)  # what the config file keeps
    until = moment + lasting if lasting is not None else None
    ack = Acknowledgement(result.id, result.status.value, result.summary, why.strip(), who, moment, until)
    unacknowledge(config, result.id)
    config.acknowledged.append(ack)
    return ack


def unacknowledge(config: Config, check_id: str) -> Acknowledgement | None:
    """Remove the check's acknowledgement; returns it (None when there was none)."""
    ack = find(config, check_id)
    if ack is not None:
        config.acknowledged = [a for a in config.acknowledged if a.check != check_id]
    return ack


def operator() -> str:
    """Who is acknowledging: the OS user (its uid when the system has no name for it)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"
