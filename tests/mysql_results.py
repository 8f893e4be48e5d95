"""Reading MySQL check results in tests: by id, and that no secret shows in any of their text."""

from __future__ import annotations

from urllib.parse import quote

from wbtui.checks.model import CheckResult


def by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


def assert_no_secret(results: list[CheckResult], *secrets: str) -> None:
    for r in results:
        text = " ".join([r.summary, r.details, r.fix, repr(r.data)])
        for secret in secrets:
            assert secret not in text and quote(secret, safe="") not in text, r.id
