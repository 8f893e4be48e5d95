"""Apply the rules to the facts: one Diagnosis per matching rule, worst first.

Evidence is the first line (or state) that matched, redacted: log lines of a
misconfigured server often echo connection strings with their passwords.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..config import masking
from ..config.masking import Redactor
from .rules import RULES, SEVERITY_ORDER, Facts, Rule

if TYPE_CHECKING:
    from ..checks.model import CheckResult
    from ..config.model import Config
    from ..runtime.base import LogLine, RuntimeEvent, RuntimeProblem, ServerStatus

EVIDENCE_LIMIT = 300


@dataclass
class Diagnosis:
    rule: str
    title: str
    severity: str
    cause: str
    fix: str
    evidence: str
    source: str  # "log" or "state"
    count: int = 1
    explained_by: str = ""  # the rule id of the root cause this finding follows from, when one was found

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Known(dict[str, str]):
    """Template values; a name nothing provides reads as "unknown" instead of raising."""

    def __missing__(self, key: str) -> str:
        return "unknown"


@lru_cache(maxsize=256)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def _match_lines(rule: Rule, lines: Sequence[str]) -> tuple[str | None, dict[str, str], int]:
    """First matching line, its named groups and how many lines matched."""
    first: str | None = None
    groups: dict[str, str] = {}
    count = 0
    compiled = _compiled(rule.patterns)
    for line in lines:
        for rx in compiled:
            m = rx.search(line)
            if m is None:
                continue
            count += 1
            if first is None:
                first = line
                groups = {k: v for k, v in m.groupdict().items() if v}
            break
    return first, groups, count


def evaluate(rule: Rule, facts: Facts, redact: Redactor) -> Diagnosis | None:
    """The rule's diagnosis for these facts, or None when it does not apply."""
    if rule.when is not None and not rule.when(facts):
        return None
    evidence, groups, count = _match_lines(rule, facts.lines) if rule.patterns else (None, {}, 0)
    source = "log"
    if evidence is None and rule.predicate is not None:
        evidence = rule.predicate(facts)
        count, source = 1, rule.source
    if evidence is None:
        return None
    values = _Known(facts.template_values())
    values.update(groups)
    text = redact(evidence.strip())
    if len(text) > EVIDENCE_LIMIT:
        text = text[: EVIDENCE_LIMIT - 1] + "…"
    return Diagnosis(rule.id, rule.title, rule.severity, redact(rule.cause.format_map(values)),
                     redact(rule.fix.format_map(values)), text, source, count)


def diagnose(facts: Facts, rules: Iterable[Rule] = RULES, redact: Redactor | None = None) -> list[Diagnosis]:
    """Every rule that applies, once each: root causes first, then most severe (rule order breaks ties).

    A finding that another found rule ``explains`` (a knock-on, such as the embedded MySQL not starting
    because /vol is not writable) ranks after every root cause and names it in ``explained_by``.
    """
    redact = redact or masking.logs(facts.config)
    found: dict[str, Diagnosis] = {}
    explains: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        if rule.id in found:
            continue
        diagnosis = evaluate(rule, facts, redact)
        if diagnosis is not None:
            found[rule.id] = diagnosis
            explains[rule.id] = rule.explains
    for cause, knock_ons in explains.items():
        for rule_id in knock_ons:
            if rule_id in found and rule_id != cause and not found[rule_id].explained_by:
                found[rule_id].explained_by = cause
    order = {rule_id: i for i, rule_id in enumerate(found)}
    return sorted(found.values(), key=lambda d: (bool(d.explained_by), SEVERITY_ORDER.get(d.severity, 9),
                                                 order[d.rule]))


def line_texts(lines: Iterable[str | LogLine]) -> list[str]:
    """Log lines as text (LogLine or str); gap markers are dropped."""
    out: list[str] = []
    for line in lines:
        if isinstance(line, str):
            out.append(line)
        elif not line.gap:
            out.append(line.text)
    return out


def facts_from(*, lines: Iterable[str | LogLine] = (), status: ServerStatus | None = None,
               checks: Iterable[CheckResult] = (), config: Config | None = None,
               problems: Iterable[RuntimeProblem] = (), watch_timed_out: bool = False,
               window: float | None = None, ready_message: str = "",
               events: Iterable[RuntimeEvent] = ()) -> Facts:
    """Facts from what callers have at hand (LogLines, RuntimeProblems, RuntimeEvents oldest first)."""
    return Facts(lines=line_texts(lines), status=status, checks=list(checks), config=config,
                 problems=[(p.kind, p.message) for p in problems], events=list(events),
                 watch_timed_out=watch_timed_out,
                 window=window, ready_message=ready_message)
