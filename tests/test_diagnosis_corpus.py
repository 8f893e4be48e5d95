"""Real failures, from their reporters' own logs: the top finding must name the cause the thread established.

Each case in tests/diagnosis_corpus/ goes through `wbtui diagnose`'s path. The
score (right / wrong / unnamed) is printed by benchmarks/diagnosis_score.py.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.corpus import CORPUS, cases
from wbtui.diagnosis import RULES

CASES = cases()
RULE_IDS = {rule.id for rule in RULES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_top_finding_names_the_established_cause(case) -> None:  # type: ignore[no-untyped-def]
    result = case.run()
    outcome, top = case.outcome(result)
    shown = "\n".join(f"  {d.rule} ({d.severity}): {d.evidence}" for d in result.findings) or "  (none)"
    assert outcome == "right", f"{case.source}: expected {case.cause}, top is {top or 'nothing'}\n{shown}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_stores_read_from_the_log_never_contradict_the_report(case) -> None:  # type: ignore[no-untyped-def]
    seen = case.run().seen
    if case.stores != "unknown" and seen.mysql is not None:
        assert seen.mysql == case.stores, f"{case.source}: the log read as MySQL {seen.mysql}: {seen.mysql_line}"


def test_every_case_names_a_rule_that_exists_and_quotes_a_source() -> None:
    assert CASES, f"no cases in {CORPUS}"
    for case in CASES:
        assert case.cause in RULE_IDS, f"{case.name}: no rule {case.cause!r}"
        assert case.source.startswith("https://"), f"{case.name}: source must be an address"


def test_the_readme_holds_the_rule_table_as_generated() -> None:
    """A new rule or a new real report reaches the README (run scripts/gen_rule_table.py and paste it)."""
    root = CORPUS.parent.parent
    out = subprocess.run([sys.executable, str(root / "scripts" / "gen_rule_table.py")], capture_output=True,
                         text=True, check=True, timeout=60).stdout.strip("\n")
    assert out in (root / "README.md").read_text(), "README's rule table is out of date"
