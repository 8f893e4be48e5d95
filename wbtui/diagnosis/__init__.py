"""Turn log lines, runtime state and check results into causes and fixes (rules as data)."""

from .engine import Diagnosis, diagnose, facts_from
from .rules import RULES, Facts, Rule

__all__ = ["RULES", "Diagnosis", "Facts", "Rule", "diagnose", "facts_from"]
