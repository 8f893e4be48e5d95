"""One-step fixes for the object store: create W&B's bucket, apply its CORS rules.

The S3 counterpart of ``mysql_init``: ``ops.fixes`` plans them for ``wbtui bucket`` and
the dashboard, and the setup wizard calls them directly. Both actions are
idempotent and can dry-run first (``dry_run=True`` reads, never writes), so callers
can show what would change, ask, and then apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config import masking
from ..config.model import Config
from ..config.urls import URLError
from .s3_client import DEFAULT_REGION, S3Target, normalise_location
from .s3_transport import boto_call, error_of


class BucketActionError(Exception):
    """The action could not be done; ``fix`` says what to do instead. Messages carry no secrets."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.fix = fix


@dataclass
class ActionResult:
    """What an action did (or, on a dry run, would do)."""

    action: str
    summary: str
    changed: bool
    applied: bool
    changes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "summary": self.summary, "changed": self.changed,
                "applied": self.applied, "changes": self.changes, **self.data}


def _target(config: Config, timeout: float) -> S3Target:
    if not config.server.BUCKET.strip():
        raise BucketActionError("BUCKET is empty: W&B uses its embedded store, there is no bucket to manage",
                                "wbtui config set BUCKET 's3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET'")
    try:
        return S3Target.from_config(config, timeout)
    except URLError as exc:
        raise BucketActionError(f"BUCKET does not parse: {exc.part}: {exc.message}",
                                f"wbtui config set BUCKET '{exc.example}'") from None


def _fail(exc: BaseException, what: str, config: Config) -> BucketActionError:
    """A ClientError or a diagnosed transport failure as a BucketActionError, secrets scrubbed."""
    from .model import CheckFailed

    redact = masking.screen(config)
    if isinstance(exc, CheckFailed):
        return BucketActionError(redact(f"{what}: {exc.summary}"), redact(exc.fix))
    code, message, status = error_of(exc)
    return BucketActionError(redact(f"{what}: {code or 'HTTP ' + str(status)} {message}".strip()),
                             "check the access key's permissions and the store's logs")


def create_bucket(config: Config, *, timeout: float = 5.0, dry_run: bool = False) -> ActionResult:
    """Create BUCKET's bucket in AWS_REGION (the guide's ``mc mb --region``); an existing one is success.

    The LocationConstraint is sent for every region but us-east-1, which S3 expects without one.
    """
    from botocore.exceptions import ClientError

    from .model import CheckFailed

    target = _target(config, timeout)
    s3, name, region = target.client(), target.bucket, target.region
    try:
        existing = _bucket_region(target)
        if existing is not None:
            note = "" if existing == region else f"; AWS_REGION is {region}: wbtui config set AWS_REGION {existing}"
            return ActionResult("bucket-create", f"bucket {name!r} already exists (region {existing}){note}",
                                changed=False, applied=False, data={"bucket": name, "region": existing})
        summary = f"create bucket {name!r} in region {region} on {target.url.endpoint_url}"
        if dry_run:
            return ActionResult("bucket-create", summary, changed=True, applied=False, changes=[summary],
                                data={"bucket": name, "region": region})
        params: dict[str, Any] = {"Bucket": name}
        if region != DEFAULT_REGION:
            params["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            boto_call(target, "CreateBucket", s3.create_bucket, **params)
        except ClientError as exc:
            code = error_of(exc)[0]
            if code == "BucketAlreadyOwnedByYou":
                return ActionResult("bucket-create", f"bucket {name!r} already exists", changed=False,
                                    applied=False, data={"bucket": name, "region": region})
            if code == "BucketAlreadyExists":
                raise BucketActionError(f"the bucket name {name!r} is taken by another account",
                                        "choose another bucket name in BUCKET") from None
            if code == "InvalidLocationConstraint":
                raise BucketActionError(f"the store does not serve region {region!r}",
                                        "set AWS_REGION to the store's region (MinIO: its configured region; "
                                        "Ceph: the zonegroup's api_name): wbtui config set AWS_REGION REGION"
                                        ) from None
            raise
        created = _bucket_region(target)
        return ActionResult("bucket-create", f"created bucket {name!r} in region {created or region}",
                            changed=True, applied=True, changes=[summary],
                            data={"bucket": name, "region": created or region})
    except (ClientError, CheckFailed) as exc:
        raise _fail(exc, f"bucket {name!r}", config) from None
    finally:
        target.close()


def _bucket_region(target: S3Target) -> str | None:
    """The bucket's region, or None when it does not exist; other refusals raise."""
    from botocore.exceptions import ClientError

    s3 = target.client()
    try:
        boto_call(target, "HeadBucket", s3.head_bucket, Bucket=target.bucket)
    except ClientError as exc:
        code, _, status = error_of(exc)
        if status == 404 or code in ("404", "NoSuchBucket"):
            return None
        if status == 403:
            raise BucketActionError(f"bucket {target.bucket!r} exists but this access key may not use it",
                                    "use the bucket owner's keys, or another bucket name") from None
        raise
    try:
        answer = boto_call(target, "GetBucketLocation", s3.get_bucket_location, Bucket=target.bucket)
    except ClientError:
        return target.region
    return normalise_location(answer.get("LocationConstraint"))


def apply_cors(config: Config, *, timeout: float = 5.0, dry_run: bool = False) -> ActionResult:
    """Put W&B's CORS rule first and keep the rules for other origins; no write when nothing changes.

    ``data["cors"]`` is the full configuration written (or to be written), in
    put_bucket_cors shape, for showing as JSON.
    """
    from botocore.exceptions import ClientError

    from ..config.urls import PLACEHOLDER_HOST, host_parts
    from ..render.cors import cors_rules
    from .model import CheckFailed
    from .s3_cors import merge

    parts = host_parts(config.server.HOST)
    if parts.hostname == PLACEHOLDER_HOST:
        raise BucketActionError("HOST is not set (or not an http(s) URL): the CORS origin is unknown",
                                "wbtui config set HOST https://wandb.example.com")
    target = _target(config, timeout)
    s3, name = target.client(), target.bucket
    try:
        try:
            existing = boto_call(target, "GetBucketCors", s3.get_bucket_cors, Bucket=name).get("CORSRules", [])
        except ClientError as exc:
            if error_of(exc)[0] != "NoSuchCORSConfiguration":
                raise
            existing = []
        plan = merge(existing, cors_rules(config)["CORSRules"], parts.origin)
        cors = {"CORSRules": plan.rules}
        data = {"bucket": name, "origin": parts.origin, "cors": cors}
        if not plan.changed:
            return ActionResult("bucket-cors", plan.changes[0], changed=False, applied=False, data=data)
        if not dry_run:
            boto_call(target, "PutBucketCors", s3.put_bucket_cors, Bucket=name, CORSConfiguration=cors)
        verb = "would set" if dry_run else "set"
        return ActionResult("bucket-cors", f"{verb} CORS on bucket {name!r} for {parts.origin}", changed=True,
                            applied=not dry_run, changes=plan.changes, data=data)
    except (ClientError, CheckFailed) as exc:
        if error_of(exc)[0] == "NoSuchBucket":
            raise BucketActionError(f"bucket {name!r} does not exist", "wbtui bucket create") from None
        raise _fail(exc, f"CORS of bucket {name!r}", config) from None
    finally:
        target.close()
