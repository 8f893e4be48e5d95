"""CORS rule evaluation and merging, as S3 applies rules (first match by origin and method)."""

from __future__ import annotations

import pytest

from wbtui.checks.s3_cors import evaluate, first_rule, merge, origin_matches

ORIGIN = "https://wandb.example.com"
WANDB_RULE = {"AllowedOrigins": [ORIGIN], "AllowedMethods": ["GET", "PUT", "HEAD"], "AllowedHeaders": ["*"],
              "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000}


def rule(origins, methods=("GET", "PUT", "HEAD"), headers=("*",), expose=("ETag",)):
    return {"AllowedOrigins": list(origins), "AllowedMethods": list(methods), "AllowedHeaders": list(headers),
            "ExposeHeaders": list(expose)}


@pytest.mark.parametrize(("pattern", "matches"), [
    (ORIGIN, True),
    ("HTTPS://WANDB.example.com", True),
    ("*", True),
    ("https://*.example.com", True),
    ("https://*", True),
    ("http://wandb.example.com", False),
    ("https://wandb.example.com:8443", False),
    ("https://*.other.com", False),
    ("https://wandb.example.com/", False),
])
def test_origin_matches(pattern, matches):
    assert origin_matches(pattern, ORIGIN) is matches


def test_wildcard_does_not_overlap_prefix_and_suffix():
    assert not origin_matches("https://a*a.com", "https://a.com")


def test_the_wandb_rule_passes():
    verdict = evaluate([WANDB_RULE], ORIGIN)
    assert verdict.ok and verdict.rules_used == [0]


def test_star_origin_with_everything_passes():
    assert evaluate([rule(["*"], expose=("etag", "x-amz-request-id"))], ORIGIN).ok


def test_no_rules_for_the_origin():
    verdict = evaluate([rule(["https://other.example.com"])], ORIGIN)
    assert verdict.problems == [f"no rule allows the origin {ORIGIN} (rules exist for https://other.example.com)"]


def test_trailing_slash_origin_is_explained():
    verdict = evaluate([rule([ORIGIN + "/"])], ORIGIN)
    assert "trailing '/'" in verdict.problems[0]


def test_missing_put_is_named():
    verdict = evaluate([rule([ORIGIN], methods=("GET", "HEAD"))], ORIGIN)
    assert verdict.problems == [f"no rule allows PUT from {ORIGIN}"]


def test_headers_and_etag_are_required_on_the_rule_used():
    verdict = evaluate([rule([ORIGIN], headers=("content-type",), expose=())], ORIGIN)
    assert len(verdict.problems) == 2
    assert "AllowedHeaders" in verdict.problems[0] and "ETag" in verdict.problems[1]


def test_the_first_matching_rule_decides():
    narrow = rule([ORIGIN], methods=("PUT",), expose=())
    rules = [narrow, rule(["*"])]
    assert first_rule(rules, ORIGIN, "PUT") == 0
    assert first_rule(rules, ORIGIN, "GET") == 1
    verdict = evaluate(rules, ORIGIN)
    assert verdict.rules_used == [1, 0]
    assert verdict.problems == ["rule 1 does not expose ETag (browser multipart uploads read it)"]


def test_merge_into_nothing_adds_the_wandb_rule():
    plan = merge([], [WANDB_RULE], ORIGIN)
    assert plan.changed and plan.rules == [WANDB_RULE]
    assert plan.changes == [f"add rule: {ORIGIN}: GET, PUT, HEAD; headers *; expose ETag"]


def test_merge_keeps_other_origins_and_puts_wandb_first():
    other = rule(["https://other.example.com"], methods=("GET",))
    shared = rule([ORIGIN, "https://third.example"], methods=("GET", "HEAD"), expose=())
    star = rule(["*"], methods=("GET",), expose=())
    plan = merge([other, shared, star], [WANDB_RULE], ORIGIN)
    assert plan.changed
    assert plan.rules[0] == WANDB_RULE
    assert plan.rules[1] == other
    assert plan.rules[2]["AllowedOrigins"] == ["https://third.example"]
    assert plan.rules[3] == star
    assert shared["AllowedOrigins"] == [ORIGIN, "https://third.example"], "input rules are not modified"
    assert "keep rule 2 for https://third.example (without https://wandb.example.com)" in plan.changes
    assert evaluate(plan.rules, ORIGIN).ok


def test_merge_replaces_a_rule_only_for_our_origin():
    plan = merge([rule([ORIGIN], methods=("GET",))], [WANDB_RULE], ORIGIN)
    assert plan.rules == [WANDB_RULE]
    assert plan.changes[1].startswith("replace rule 1:")


def test_merge_leaves_good_rules_alone():
    existing = [rule(["https://other.example.com"]), rule(["*"])]
    plan = merge(existing, [WANDB_RULE], ORIGIN)
    assert not plan.changed and plan.rules == existing
