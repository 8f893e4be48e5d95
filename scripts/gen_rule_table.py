#!/usr/bin/env python3
"""Print the README's table of diagnosis rules, generated from the rules and the corpus of real failures.

Usage: python3 scripts/gen_rule_table.py > table.md   (the table is pasted into README.md)

One row per rule: its family (the module under wbtui/diagnosis/rules/), severity, title,
and the public reports in tests/diagnosis_corpus/ whose established cause it names.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import wbtui.diagnosis.rules as rules_package
from tests.corpus import cases
from wbtui.diagnosis.rules import RULES

_ISSUE = re.compile(r"https://github\.com/(?P<repo>[^/]+/[^/]+)/(?:issues|pull)/(?P<n>\d+)")


def family_of() -> dict[str, str]:
    """Rule id → the family module that defines it."""
    families: dict[str, str] = {}
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        for rule in getattr(module, "RULES", ()):
            families.setdefault(rule.id, info.name)
    return families


def short(source: str) -> str:
    m = _ISSUE.match(source)
    return f"[{m['repo']}#{m['n']}]({source})" if m else f"[page]({source})"


def table() -> str:
    reports: dict[str, list[str]] = defaultdict(list)
    for case in cases():
        reports[case.cause].append(short(case.source))
    families = family_of()
    lines = ["| family | severity | finding | real reports it names (tests/diagnosis_corpus) |", "|---|---|---|---|"]
    for rule in sorted(RULES, key=lambda r: (families[r.id], r.id)):
        seen = ", ".join(sorted(set(reports[rule.id]))) or "—"
        title = rule.title.replace("|", "\\|")
        lines.append(f"| {families[rule.id]} | {rule.severity} | {title} (`{rule.id}`) | {seen} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(table())
