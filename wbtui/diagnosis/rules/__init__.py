"""What goes wrong with W&B Server, as data: a symptom, its cause and the fix.

A rule matches log lines (regular expressions, case-insensitive; named groups
fill the fix template, e.g. ``{version}``) or a predicate over the facts
(runtime status, check results, probe, watch outcome). ``when`` narrows a rule
to a situation (external vs embedded MySQL); ``explains`` names the rules whose
findings are knock-ons of this one, so the root cause ranks first.

Rules live in one module per family. Add one to its family's RULES with a
positive and a negative case in tests/test_diagnosis_rules.py, taking real
lines from tests/diagnosis_corpus/ (with their source) wherever one exists.
Order across families only breaks ties within a severity.
"""

from __future__ import annotations

from . import host, kubernetes, license, minio, mysql, network, redis, runtime, storage, volume
from .facts import SEVERITY_ORDER, Facts, Rule, Severity

RULES: tuple[Rule, ...] = (*license.RULES, *mysql.RULES, *storage.RULES, *minio.RULES, *network.RULES, *volume.RULES,
                           *runtime.RULES, *kubernetes.RULES, *host.RULES, *redis.RULES)

__all__ = ["RULES", "SEVERITY_ORDER", "Facts", "Rule", "Severity"]
