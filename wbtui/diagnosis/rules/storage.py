"""The object store named in BUCKET: reachability, the bucket, its keys and the settings read from it."""

from __future__ import annotations

from .facts import LOOPBACK, Facts, Rule


def loopback_bucket(facts: Facts) -> str | None:
    host = facts.bucket_host()
    if host is not None and host.lower() in LOOPBACK:
        return f"BUCKET points at {host}"
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "bucket-loopback", "BUCKET points at localhost", "warning",
        "Inside the container localhost/127.0.0.1 is the container itself, not the machine running the "
        "object store; and browsers fetch files at the store's address through signed URLs, so on "
        "localhost every other machine misses them.",
        "Set BUCKET's host to the store's LAN address or DNS name, one that both the container and "
        "users' browsers reach.",
        predicate=loopback_bucket,
    ),
    Rule(
        "bucket-missing", "Bucket does not exist", "critical",
        "The object store answered, but the bucket named in BUCKET does not exist (or is in another "
        "region).",
        "Create it (`mc mb --region=... store/BUCKET`, or `s3cmd mb`) or fix the bucket name in BUCKET; "
        "check AWS_REGION matches the store's region.",
        patterns=(r"NoSuchBucket", r"specified bucket does not exist"),
    ),
    Rule(
        "bucket-credentials", "Object store rejected the access key or secret", "critical",
        "The access key in BUCKET is unknown to the store, or the secret key does not match (also "
        "caused by an unencoded '/' or '+' in the secret).",
        "Check both keys; wbtui percent-encodes credentials in BUCKET (`wbtui config set BUCKET ...`). "
        "`wbtui doctor` runs the S3 checks from this machine with the same keys.",
        patterns=(r"SignatureDoesNotMatch", r"InvalidAccessKeyId", r"request signature we calculated does not match",
                  r"Access Key Id you provided does not exist"),
    ),
    Rule(
        "bucket-clock-skew", "Clock skew with the object store", "error",
        "Signed S3 requests carry a timestamp; this machine's clock differs too much from the store's.",
        "Synchronise clocks with NTP on the Docker host and the store (`timedatectl set-ntp true`).",
        patterns=(r"RequestTimeTooSkewed", r"difference between the request time and the current time is too large"),
    ),
    Rule(
        "bucket-settings", "Settings could not be read from the bucket", "critical",
        "At start the server reads its settings from the bucket in BUCKET and that failed.",
        "Check BUCKET (keys, host, port, bucket, ?tls=true only with a trusted certificate) and that the "
        "container reaches the store; `wbtui doctor` runs the S3 checks.",
        patterns=(r"Error while downloading settings from external bucket",),
    ),
)
