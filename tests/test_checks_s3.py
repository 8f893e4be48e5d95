"""The object-store checks and fixes against the real Ceph radosgw of the session."""

from __future__ import annotations

import json
import secrets

import pytest

from wbtui.checks.model import CheckResult, Status
from wbtui.checks.s3 import run_s3_checks
from wbtui.checks.s3_bucket import BucketActionError, apply_cors, create_bucket
from wbtui.checks.s3_client import CHECK_PREFIX
from wbtui.config.model import Config

pytestmark = pytest.mark.s3

HOST = "http://127.0.0.1:8080"
ORDER = ["s3.config", "s3.queue", "s3.endpoint", "s3.credentials", "s3.bucket", "s3.location", "s3.objects",
         "s3.signed_urls", "s3.cors", "s3.cors_preflight"]


def make_config(radosgw, bucket, region=None, host=HOST, **url) -> Config:
    config = Config()
    config.server.BUCKET = radosgw.bucket_url(bucket, **url)
    config.server.AWS_REGION = region or radosgw.region
    config.server.HOST = host
    return config


def by_id(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


def statuses(results: list[CheckResult]) -> dict[str, str]:
    return {r.id: r.status.value for r in results}


def leftovers(radosgw, bucket) -> list[str]:
    listed = radosgw.s3_client().list_objects_v2(Bucket=bucket, Prefix=CHECK_PREFIX)
    uploads = radosgw.s3_client().list_multipart_uploads(Bucket=bucket, Prefix=CHECK_PREFIX)
    return [o["Key"] for o in listed.get("Contents", [])] + [u["Key"] for u in uploads.get("Uploads", [])]


def assert_no_secret(results, *secret_values):
    text = json.dumps([r.to_dict() for r in results])
    for value in secret_values:
        assert value not in text


@pytest.fixture
def bucket_name(radosgw):
    """A name for a bucket the test creates itself (or never), removed afterwards."""
    name = f"wbt-new-{secrets.token_hex(5)}"
    yield name
    radosgw.delete_bucket(name)


def test_good_config_passes_every_check(radosgw, s3_bucket):
    config = make_config(radosgw, s3_bucket)
    apply_cors(config)
    seen: list[str] = []
    results = run_s3_checks(config, timeout=5.0, on_result=lambda r: seen.append(r.id))
    assert [r.id for r in results] == ORDER == seen
    assert statuses(results) == dict.fromkeys(ORDER, "pass"), [(r.id, r.summary, r.details) for r in results]
    assert all(r.store == "s3" for r in results)
    assert by_id(results)["s3.location"].data["region"] == radosgw.region
    assert leftovers(radosgw, s3_bucket) == []
    assert_no_secret(results, radosgw.secret_key)


def test_wrong_secret_is_told_apart(radosgw, s3_bucket):
    wrong = secrets.token_urlsafe(30)
    results = run_s3_checks(make_config(radosgw, s3_bucket, secret_key=wrong), timeout=5.0)
    creds = by_id(results)["s3.credentials"]
    assert creds.status is Status.FAIL
    assert "secret key is wrong" in creds.summary and "SignatureDoesNotMatch" in creds.summary
    assert creds.data["code"] == "SignatureDoesNotMatch"
    assert "wbtui config set BUCKET" in creds.fix
    assert all(r.status is Status.SKIPPED for r in results[ORDER.index("s3.bucket"):])
    assert_no_secret(results, wrong, radosgw.secret_key)


def test_unknown_access_key_is_told_apart(radosgw, s3_bucket):
    results = run_s3_checks(make_config(radosgw, s3_bucket, access_key="NOSUCHKEY0000000"), timeout=5.0)
    creds = by_id(results)["s3.credentials"]
    assert creds.status is Status.FAIL
    assert creds.data["code"] == "InvalidAccessKeyId"
    assert "does not know access key NOSUCHKEY0000000" in creds.summary
    assert_no_secret(results, radosgw.secret_key)


def test_missing_bucket_then_bucket_create_makes_it_pass(radosgw, bucket_name):
    config = make_config(radosgw, bucket_name)
    bucket = by_id(run_s3_checks(config))["s3.bucket"]
    assert bucket.status is Status.FAIL
    assert bucket.fix == "wbtui bucket create"
    assert f"bucket {bucket_name!r} does not exist" in bucket.summary

    dry = create_bucket(config, dry_run=True)
    assert dry.changed and not dry.applied
    done = create_bucket(config)
    assert done.applied and done.data["region"] == radosgw.region
    again = create_bucket(config)
    assert not again.changed and "already exists" in again.summary

    apply_cors(config)
    results = run_s3_checks(config)
    assert statuses(results) == dict.fromkeys(ORDER, "pass")
    assert radosgw.s3_client().get_bucket_location(Bucket=bucket_name)["LocationConstraint"] == radosgw.region


def test_bucket_create_in_a_region_the_store_does_not_serve_is_refused(radosgw, bucket_name):
    with pytest.raises(BucketActionError) as caught:
        create_bucket(make_config(radosgw, bucket_name, region="eu-central-1"))
    assert "does not serve region 'eu-central-1'" in str(caught.value)
    assert "AWS_REGION" in caught.value.fix
    assert bucket_name not in [b["Name"] for b in radosgw.s3_client().list_buckets()["Buckets"]]


def test_wrong_region_fails_the_location_check(radosgw, s3_bucket):
    results = run_s3_checks(make_config(radosgw, s3_bucket, region="eu-west-1"))
    location = by_id(results)["s3.location"]
    assert location.status is Status.FAIL
    assert f"is in {radosgw.region!r}, but AWS_REGION is 'eu-west-1'" in location.summary
    assert location.fix == f"wbtui config set AWS_REGION {radosgw.region}"


def test_no_cors_rules(radosgw, s3_bucket):
    results = by_id(run_s3_checks(make_config(radosgw, s3_bucket)))
    assert results["s3.cors"].status is Status.FAIL
    assert "no CORS rules" in results["s3.cors"].summary
    assert results["s3.cors"].fix == "wbtui bucket cors --apply"
    assert results["s3.cors_preflight"].status is Status.FAIL
    assert results["s3.cors_preflight"].data["status"] == 403


def _put_cors(radosgw, bucket, origins, methods):
    radosgw.s3_client().put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{
        "AllowedOrigins": origins, "AllowedMethods": methods, "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"]}]})


def test_cors_without_put(radosgw, s3_bucket):
    _put_cors(radosgw, s3_bucket, [HOST], ["GET", "HEAD"])
    results = by_id(run_s3_checks(make_config(radosgw, s3_bucket)))
    assert results["s3.cors"].status is Status.FAIL
    assert f"no rule allows PUT from {HOST}" in results["s3.cors"].summary
    assert results["s3.cors_preflight"].status is Status.FAIL


def test_cors_for_another_origin_then_apply_makes_the_preflight_pass(radosgw, s3_bucket):
    other = "https://other.example.com"
    _put_cors(radosgw, s3_bucket, [other], ["GET"])
    config = make_config(radosgw, s3_bucket)
    results = by_id(run_s3_checks(config))
    assert results["s3.cors"].status is Status.FAIL
    assert f"no rule allows the origin {HOST} (rules exist for {other})" in results["s3.cors"].summary
    assert results["s3.cors_preflight"].status is Status.FAIL

    done = apply_cors(config)
    assert done.applied and any(c.startswith("keep rule 1: https://other.example.com") for c in done.changes)
    rules = radosgw.s3_client().get_bucket_cors(Bucket=s3_bucket)["CORSRules"]
    assert [r["AllowedOrigins"] for r in rules] == [[HOST], [other]]
    results = by_id(run_s3_checks(config))
    assert results["s3.cors"].status is Status.PASS
    assert results["s3.cors_preflight"].status is Status.PASS
    assert not apply_cors(config).changed


def test_signed_url_round_trip_and_unreachable_store_warning(radosgw, s3_bucket):
    results = by_id(run_s3_checks(make_config(radosgw, s3_bucket)))
    assert results["s3.signed_urls"].status is Status.PASS
    assert "presigned PUT and GET" in results["s3.signed_urls"].summary

    remote = by_id(run_s3_checks(make_config(radosgw, s3_bucket, host="https://wandb.example.com")))
    assert remote["s3.signed_urls"].status is Status.WARN
    assert "only this machine can reach" in remote["s3.signed_urls"].summary
    assert leftovers(radosgw, s3_bucket) == []


def test_tls_true_against_plain_http_radosgw(radosgw, s3_bucket):
    results = run_s3_checks(make_config(radosgw, s3_bucket, tls=True), timeout=3.0)
    endpoint = by_id(results)["s3.endpoint"]
    assert endpoint.status is Status.FAIL
    assert endpoint.data["cause"] == "tls-to-plain-port"
    assert "speaks plain HTTP, but BUCKET has ?tls=true" in endpoint.summary
    assert "?tls=true" not in endpoint.fix and f":{radosgw.host_port}/{s3_bucket}'" in endpoint.fix
    assert_no_secret(results, radosgw.secret_key)


def test_a_failing_step_leaves_nothing_behind(radosgw, s3_bucket):
    """A bucket policy denies GetObject: the put succeeded, the get fails, the object is still removed."""
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam:::user/wbtui-test"]}, "Action": ["s3:GetObject"],
        "Resource": [f"arn:aws:s3:::{s3_bucket}/*"]}]}
    radosgw.s3_client().put_bucket_policy(Bucket=s3_bucket, Policy=json.dumps(policy))
    try:
        objects = by_id(run_s3_checks(make_config(radosgw, s3_bucket)))["s3.objects"]
    finally:
        radosgw.s3_client().delete_bucket_policy(Bucket=s3_bucket)
    assert objects.status is Status.FAIL
    assert objects.summary.startswith("HeadObject refused: the access key may not do this")
    assert leftovers(radosgw, s3_bucket) == []


def test_signed_url_signed_with_a_wrong_clock_is_explained(radosgw, s3_bucket, monkeypatch):
    """The signer's clock two hours behind: radosgw refuses the URL, the check blames the clocks."""
    import datetime

    import botocore.auth

    from wbtui.checks.model import CheckFailed
    from wbtui.checks.s3_client import S3Target
    from wbtui.checks.s3_objects import signed_urls

    now = botocore.auth.get_current_datetime
    # The clock goes back inside a context: the autouse XDG fixture holds the test's monkeypatch, whose undo
    # would otherwise run after s3_bucket's teardown, which then signs with the skewed clock too.
    with monkeypatch.context() as skewed:
        skewed.setattr(botocore.auth, "get_current_datetime", lambda: now() - datetime.timedelta(hours=2))
        target = S3Target.from_config(make_config(radosgw, s3_bucket), 5.0)
        try:
            with pytest.raises(CheckFailed) as caught:
                signed_urls(target, HOST)
        finally:
            target.close()
    assert caught.value.data["cause"] == "clock-skew"
    assert "expired or not yet valid" in caught.value.summary
    assert "NTP" in caught.value.fix


def test_signed_url_with_a_rewritten_host_is_explained(radosgw, s3_bucket):
    """A proxy that changes the Host header breaks the signature; radosgw's real answer is explained."""
    import httpx

    from wbtui.checks.s3_client import S3Target
    from wbtui.checks.s3_objects import explain_signed_failure

    s3 = radosgw.s3_client()
    s3.put_object(Bucket=s3_bucket, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "k"}, ExpiresIn=60)
    response = httpx.get(url, headers={"Host": "store.example.com"}, timeout=5)
    target = S3Target.from_config(make_config(radosgw, s3_bucket), 5.0)
    failure = explain_signed_failure("GET", response, target)
    assert failure.data["cause"] == "signature" and failure.data["code"] == "SignatureDoesNotMatch"
    assert "rewrites the Host header" in failure.details


def test_the_quick_form_for_a_schedule_skips_the_10_mib_upload_and_still_passes(radosgw, s3_bucket):
    config = make_config(radosgw, s3_bucket)
    apply_cors(config)
    full = by_id(run_s3_checks(config, timeout=5.0))["s3.objects"]
    quick = by_id(run_s3_checks(config, timeout=5.0, quick=True))["s3.objects"]
    assert full.status == quick.status == Status.PASS
    assert full.data["multipart_bytes"] == 10 * 1024 * 1024 and "multipart" in full.data["timings"]
    assert "multipart" not in quick.data["timings"] and "multipart_bytes" not in quick.data
    assert "quick" in quick.summary and "10 MiB" in quick.summary
    assert leftovers(radosgw, s3_bucket) == []
    assert quick.checked_at >= full.checked_at > 0
