"""The object store named in BUCKET: reachability, the bucket, its keys, its region and the settings read from it.

At start the server reads its settings from the bucket ("Error while downloading
settings from external bucket specified in env var BUCKET" when that fails,
wandb/helm-charts#90); that line is a knock-on, and the line after it names the
cause (NoSuchBucket, a signature or key error, the region, clock skew, TLS).
"""

from __future__ import annotations

from .facts import LOOPBACK, Facts, Rule

SETTINGS = ("bucket-settings",)


def loopback_bucket(facts: Facts) -> str | None:
    host = facts.bucket_host()
    if host is not None and host.lower() in LOOPBACK:
        return f"BUCKET points at {host}"
    return None


def s3_bucket_without_region(facts: Facts) -> str | None:
    """BUCKET is an s3:// store and AWS_REGION is empty: the server refuses to start (wandb/helm-charts#176)."""
    if facts.config is None:
        return None
    server = facts.config.server
    if server.BUCKET.strip().lower().startswith("s3://") and not server.AWS_REGION.strip():
        return "BUCKET is an s3:// bucket and AWS_REGION is empty"
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
        "bucket-region-missing", "AWS_REGION is not set for an S3 bucket", "critical",
        "BUCKET names an S3 bucket but AWS_REGION is empty; the server (and the AWS SDK) cannot sign "
        "requests without a region, so it refuses to start.",
        "Set AWS_REGION to the region the bucket lives in (for MinIO/Ceph: the store's region or "
        "zonegroup, often us-east-1): `wbtui config set AWS_REGION ...`, then `wbtui up`. On "
        "Kubernetes set it in the chart's bucket values (global.bucket.region).",
        patterns=(r"AWS_REGION environment variable is required when specifying BUCKET",
                  r"MissingRegion: could not find region configuration"),
        predicate=s3_bucket_without_region,
        explains=SETTINGS,
    ),
    Rule(
        "bucket-missing", "Bucket does not exist", "critical",
        "The object store answered, but the bucket named in BUCKET does not exist (a wrong name, or "
        "another region).",
        "Fix the bucket name in BUCKET, or create it (`mc mb --region=... store/BUCKET`, or `s3cmd mb`); "
        "check AWS_REGION matches the store's region.",
        patterns=(r"NoSuchBucket", r"specified bucket does not exist"),
        explains=SETTINGS,
    ),
    Rule(
        "bucket-credentials", "Object store rejected the access key or secret", "critical",
        "The access key in BUCKET is unknown to the store, or the secret key does not match (also "
        "caused by an unencoded '/' or '+' in the secret).",
        "Check both keys; wbtui percent-encodes credentials in BUCKET (`wbtui config set BUCKET ...`). "
        "`wbtui doctor` runs the S3 checks from this machine with the same keys.",
        patterns=(r"SignatureDoesNotMatch", r"InvalidAccessKeyId", r"request signature we calculated does not match",
                  r"Access Key Id you provided does not exist"),
        explains=SETTINGS,
    ),
    Rule(
        "bucket-clock-skew", "Clock skew with the object store", "error",
        "Signed S3 requests carry a timestamp; this machine's clock differs too much from the store's.",
        "Synchronise clocks with NTP on the Docker host and the store (`timedatectl set-ntp true`).",
        patterns=(r"RequestTimeTooSkewed",
                  r"difference between the request time and the (current|server's) time is too large"),
        explains=SETTINGS,
    ),
    Rule(
        "bucket-settings", "Settings could not be read from the bucket", "critical",
        "At start the server reads its settings from the bucket in BUCKET and that failed.",
        "Check BUCKET (keys, host, port, bucket, ?tls=true only with a trusted certificate) and that the "
        "container reaches the store; `wbtui doctor` runs the S3 checks.",
        patterns=(r"Error while downloading settings from external bucket",),
    ),
)
