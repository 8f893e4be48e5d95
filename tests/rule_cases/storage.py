"""Positive and negative cases: The object store rules."""

from __future__ import annotations

from .base import Case, config

CASES = [
    Case("bucket-loopback", True, config=config(bucket="s3://k:s@127.0.0.1:9000/wandb")),
    Case("bucket-loopback", True, config=config(bucket="s3://k:s@localhost:9000/wandb")),
    Case("bucket-loopback", True, config=config(bucket="s3://k:s@[::1]:9000/wandb")),
    Case("bucket-loopback", False, config=config(bucket="s3://k:s@minio.example.com:9000/wandb")),
    Case("bucket-loopback", False, config=config(bucket="")),
    Case("bucket-missing", True, ["panic: NoSuchBucket: ",
                                  "        status code: 404, request id: tx00000000000000cee1376-0065eea589-"
                                  "a20e921-default, host id:"]),  # [public] helm-charts#90
    Case("bucket-missing", False, ["Bucket created successfully `local/local-files`."]),  # [public] #139
    Case("bucket-credentials", True, ["SignatureDoesNotMatch: The request signature we calculated does not match "
                                      "the signature you provided. Check your key and signing method."]),
    Case("bucket-credentials", True, ["InvalidAccessKeyId: The AWS Access Key Id you provided does not exist "
                                      "in our records.\n\tstatus code: 403, request id: 17B2C1E0A4F5D2E1"]),
    Case("bucket-credentials", False, ["Successfully added arn:minio:sqs:wandb-local:_:redis"]),  # [public] #139
    Case("bucket-clock-skew", True, ["RequestTimeTooSkewed: The difference between the request time and the "
                                     "current time is too large.\n\tstatus code: 403"]),
    Case("bucket-clock-skew", False, ["request served in 12ms"]),
    Case("bucket-settings", True, ["!!! Error while downloading settings from external bucket specified in env "
                                   "var BUCKET"]),  # [public] helm-charts#90
    Case("bucket-settings", False, ["*** Loading settings..."]),
]
