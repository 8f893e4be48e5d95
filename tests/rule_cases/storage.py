"""Positive and negative cases: The object store rules.

[public] lines are copied from the report named next to them (the S3 error texts
are the stores' own, whatever program printed them); [shape] lines are written in
the shape of aws-sdk-go's output where no public sample exists.
"""

from __future__ import annotations

from wbtui.config.model import Config

from .base import Case, config

SETTINGS_FAILED = ("!!! Error while downloading settings from external bucket specified in env var "
                   "BUCKET")  # [public] wandb/helm-charts#90
NO_SUCH_BUCKET = ["panic: NoSuchBucket: ",
                  "        status code: 404, request id: tx00000000000000cee1376-0065eea589-a20e921-default, "
                  "host id:"]  # [public] wandb/helm-charts#90
REGION_REQUIRED = ("!!! The AWS_REGION environment variable is required when specifying BUCKET. Please restart the "
                   "container with AWS_REGION set to the region containing your bucket.")  # [public] helm-charts#176
MISSING_REGION = ('F0523 10:09:45.264234      30 main.go:49] failed to execute component: failed to upload output '
                  'artifact "x_test_artifact" to remote storage URI "s3://......": uploadFile(): unable to complete '
                  'copying "/s3/......." to remote storage "load-dataset/x_test_artifact": unable to complete '
                  'copying: blob (key "load-dataset/x_test_artifact") (code=Unknown): MissingRegion: could not '
                  'find region configuration')  # [public] kubeflow/pipelines#10846 (aws-sdk-go)
SIGNATURE = ("SignatureDoesNotMatch: The request signature we calculated does not match the signature you "
             "provided. Check your key and signing method.")  # [public] pottava/aws-s3-proxy#35
ACCESS_KEY = ("botocore.exceptions.ClientError: An error occurred (InvalidAccessKeyId) when calling the "
              "CreateBucket operation: The AWS Access Key Id you provided does not exist in our "
              "records.")  # [public] boto/boto3#1786
SKEWED = ("500 : Internal Error: RequestTimeTooSkewed: The difference between the request time and the server's "
          "time is too large. status code: 403, request id: , host id:")  # [public] koderover/zadig#1660 (MinIO)
BUCKET_CREATED = "Bucket created successfully `local/local-files`."  # [public] wandb/server#139
SQS_ADDED = "Successfully added arn:minio:sqs:wandb-local:_:redis"  # [public] wandb/server#139
AWS_BUCKET = "s3://AKIAEXAMPLE:secret@wandb-files-prod"


def no_region(bucket: str = AWS_BUCKET) -> Config:
    c = config(bucket=bucket)
    c.server.AWS_REGION = ""
    return c


CASES = [
    Case("bucket-loopback", True, config=config(bucket="s3://k:s@127.0.0.1:9000/wandb")),
    Case("bucket-loopback", True, config=config(bucket="s3://k:s@localhost:9000/wandb")),
    Case("bucket-loopback", True, config=config(bucket="s3://k:s@[::1]:9000/wandb")),
    Case("bucket-loopback", False, config=config(bucket="s3://k:s@minio.example.com:9000/wandb")),
    Case("bucket-loopback", False, config=config(bucket="")),
    Case("bucket-region-missing", True, [REGION_REQUIRED]),
    Case("bucket-region-missing", True, [MISSING_REGION]),
    Case("bucket-region-missing", True, config=no_region()),
    Case("bucket-region-missing", False, config=config(bucket=AWS_BUCKET)),  # AWS_REGION us-east-1
    Case("bucket-region-missing", False, config=no_region("gs://wandb-files-prod")),
    Case("bucket-region-missing", False, config=no_region("")),
    Case("bucket-region-missing", False, [SETTINGS_FAILED, *NO_SUCH_BUCKET]),
    Case("bucket-missing", True, NO_SUCH_BUCKET),
    Case("bucket-missing", False, [BUCKET_CREATED]),
    Case("bucket-missing", False, [REGION_REQUIRED]),
    Case("bucket-credentials", True, [SIGNATURE]),
    Case("bucket-credentials", True, [ACCESS_KEY]),
    Case("bucket-credentials", False, [SQS_ADDED]),
    Case("bucket-credentials", False, [SKEWED]),
    Case("bucket-clock-skew", True, [SKEWED]),
    Case("bucket-clock-skew", True, ["RequestTimeTooSkewed: The difference between the request time and the "
                                     "current time is too large.\n\tstatus code: 403"]),  # [shape] aws-sdk-go
    Case("bucket-clock-skew", False, [SIGNATURE]),
    Case("bucket-settings", True, [SETTINGS_FAILED]),
    Case("bucket-settings", False, ["*** Loading settings..."]),  # [public] wandb/helm-charts#90
]
