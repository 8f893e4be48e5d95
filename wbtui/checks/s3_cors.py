"""CORS rules as an S3 store applies them, and how to add W&B's rule without losing others.

Browsers upload and download W&B files straight from the store with signed URLs, so
for HOST's origin the store must allow GET, PUT and HEAD, any request header, and
expose ETag. S3 answers each request with the *first* rule matching its origin and
method, so that is the rule evaluated here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

REQUIRED_METHODS = ("GET", "PUT", "HEAD")

Rule = dict[str, Any]


def origin_matches(pattern: str, origin: str) -> bool:
    """S3's AllowedOrigin test: exact (case-insensitive), ``*``, or one ``*`` wildcard."""
    pattern, origin = pattern.strip().lower(), origin.lower()
    if "*" not in pattern:
        return pattern == origin
    prefix, suffix = pattern.split("*", 1)
    return len(origin) >= len(prefix) + len(suffix) and origin.startswith(prefix) and origin.endswith(suffix)


def _upper(values: list[str] | None) -> set[str]:
    return {v.strip().upper() for v in values or []}


def _lower(values: list[str] | None) -> set[str]:
    return {v.strip().lower() for v in values or []}


def first_rule(rules: list[Rule], origin: str, method: str) -> int | None:
    """Index of the rule S3 would use for this origin and method, or None."""
    for index, rule in enumerate(rules):
        if method in _upper(rule.get("AllowedMethods")) and any(
                origin_matches(o, origin) for o in rule.get("AllowedOrigins") or []):
            return index
    return None


@dataclass
class CorsVerdict:
    """What is missing for ``origin``; empty ``problems`` means the rules are right."""

    origin: str
    problems: list[str] = field(default_factory=list)
    rules_used: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def evaluate(rules: list[Rule], origin: str) -> CorsVerdict:
    """Check the rules S3 would apply to W&B's browser requests from ``origin``."""
    verdict = CorsVerdict(origin)
    for_origin = [i for i, r in enumerate(rules)
                  if any(origin_matches(o, origin) for o in r.get("AllowedOrigins") or [])]
    if not for_origin:
        verdict.problems.append(_no_origin_problem(rules, origin))
        return verdict
    missing = []
    for method in REQUIRED_METHODS:
        index = first_rule(rules, origin, method)
        if index is None:
            missing.append(method)
        elif index not in verdict.rules_used:
            verdict.rules_used.append(index)
    if missing:
        verdict.problems.append(f"no rule allows {', '.join(missing)} from {origin}")
    for index in verdict.rules_used:
        rule = rules[index]
        if "*" not in [h.strip() for h in rule.get("AllowedHeaders") or []]:
            verdict.problems.append(f"rule {index + 1} does not allow every request header "
                                    f"(AllowedHeaders must be [\"*\"])")
        if "etag" not in _lower(rule.get("ExposeHeaders")):
            verdict.problems.append(f"rule {index + 1} does not expose ETag (browser multipart uploads read it)")
    return verdict


def _no_origin_problem(rules: list[Rule], origin: str) -> str:
    origins = sorted({o for r in rules for o in r.get("AllowedOrigins") or []})
    near = [o for o in origins if o.rstrip("/").lower() == origin.lower() and o != origin]
    if near:
        return (f"rule origin {near[0]!r} does not match {origin!r}: browsers send the origin exactly "
                "(scheme://host[:port], no path or trailing '/')")
    if not origins:
        return f"no rule names any origin, so none allows {origin}"
    return f"no rule allows the origin {origin} (rules exist for {', '.join(origins)})"


@dataclass
class CorsMerge:
    """The rules to write and, in words, what changes; ``changed`` False means leave the bucket alone."""

    rules: list[Rule]
    changes: list[str]
    changed: bool


def describe(rule: Rule) -> str:
    return (f"{', '.join(rule.get('AllowedOrigins') or [])}: {', '.join(rule.get('AllowedMethods') or [])}; "
            f"headers {', '.join(rule.get('AllowedHeaders') or []) or 'none'}; "
            f"expose {', '.join(rule.get('ExposeHeaders') or []) or 'none'}")


def merge(existing: list[Rule], wanted: list[Rule], origin: str) -> CorsMerge:
    """W&B's rules first, then the existing rules for other origins, unchanged.

    Existing entries naming exactly ``origin`` are removed from their rules (a rule
    left without origins is dropped); wildcard rules stay, after W&B's rule.
    """
    if existing and evaluate(existing, origin).ok:
        return CorsMerge(existing, [f"the rules already allow W&B from {origin}; nothing to change"], False)
    changes = [f"add rule: {describe(rule)}" for rule in wanted]
    kept: list[Rule] = []
    for number, rule in enumerate(existing, start=1):
        origins = rule.get("AllowedOrigins") or []
        mine = [o for o in origins if "*" not in o and origin_matches(o, origin)]
        if not mine:
            kept.append(rule)
            changes.append(f"keep rule {number}: {describe(rule)}")
            continue
        others = [o for o in origins if o not in mine]
        if not others:
            changes.append(f"replace rule {number}: {describe(rule)}")
            continue
        trimmed = copy.deepcopy(rule)
        trimmed["AllowedOrigins"] = others
        kept.append(trimmed)
        changes.append(f"keep rule {number} for {', '.join(others)} (without {', '.join(mine)})")
    return CorsMerge([*copy.deepcopy(wanted), *kept], changes, True)
