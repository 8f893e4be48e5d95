"""Score the diagnosis against the corpus of real failures: `N/M named right, K wrong, U unnamed`.

Run from the repository root: `python benchmarks/diagnosis_score.py [-v]`; -v lists every case.
Exit 0 always: this is a report, the pass mark lives in tests/test_diagnosis_corpus.py.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.corpus import cases


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    tally: Counter[str] = Counter()
    all_cases = cases()
    for case in all_cases:
        outcome, top = case.outcome()
        tally[outcome] += 1
        if verbose or outcome != "right":
            print(f"{outcome:8} {case.name:50} expected {case.cause:32} top {top or '-'}")
    print(f"{tally['right']}/{len(all_cases)} named right, {tally['wrong']} wrong, {tally['unnamed']} unnamed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
