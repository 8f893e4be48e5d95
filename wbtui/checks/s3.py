"""The object-store checks: from BUCKET's syntax to a browser's CORS preflight, each with its fix.

The checks run in order; a check that needs an earlier one is skipped when that one
failed (no bucket checks after bad credentials). Every network call is bounded by
``timeout``; every result is scrubbed of secrets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..config import masking
from ..config.model import Config
from ..config.urls import URLError
from .model import CheckFailed, CheckResult, CheckRun, CheckWarning, Outcome, Status
from .s3_client import CHECK_PREFIX, S3Target, is_aws, normalise_location
from .s3_cors import evaluate
from .s3_objects import object_round_trip, signed_urls
from .s3_transport import boto_call, diagnose_transport, error_of, probe_endpoint, timed_out

STORE = "s3"
CREATE_FIX = "wbtui bucket create"
CORS_FIX = "wbtui bucket cors --apply"


def run_s3_checks(config: Config, *, timeout: float = 5.0,
                  on_result: Callable[[CheckResult], None] | None = None, quick: bool = False,
                  closers: list[Callable[[], None]] | None = None) -> list[CheckResult]:
    """Run every object-store check against the configured BUCKET; results in order (``quick``: the
    object round trip without its 10 MiB upload). Once the store stops answering, the later checks are
    skipped. ``closers`` gets the function that closes the run's clients, for an interrupted run."""
    run = CheckRun(STORE, masking.screen(config), on_result, timed_out)
    if not config.server.BUCKET.strip():
        run.record(CheckResult(
            "s3.config", "Object store configured", Status.WARN,
            "BUCKET is empty: W&B uses its embedded store under /vol, not for production",
            details="The guide asks for an external S3-compatible store (e.g. MinIO) for anything beyond a trial.",
            fix="wbtui config set BUCKET 's3://ACCESS_KEY:SECRET_KEY@HOST:PORT/BUCKET'"))
        return run.results
    holder: dict[str, S3Target] = {}
    run.run("s3.config", "BUCKET setting", lambda: _parse(config, timeout, holder))
    if "target" not in holder:
        return run.results
    target = holder["target"]
    if closers is not None:
        closers.append(target.close)
    checks = _S3Checks(config, target)
    try:
        run.run("s3.queue", "BUCKET_QUEUE", checks.queue, requires=("s3.config",))
        run.run("s3.endpoint", "Endpoint reachable", checks.endpoint, requires=("s3.config",))
        run.run("s3.credentials", "Access key and secret", checks.credentials, requires=("s3.endpoint",))
        run.run("s3.bucket", "Bucket exists", checks.bucket, requires=("s3.credentials",))
        run.run("s3.location", "Bucket region", checks.location, requires=("s3.bucket",))
        run.run("s3.objects", "Object round trip", lambda: object_round_trip(target, quick), requires=("s3.bucket",))
        run.run("s3.signed_urls", "Signed URLs", lambda: signed_urls(target, config.server.HOST),
                requires=("s3.objects",))
        run.run("s3.cors", "CORS rules", checks.cors_rules, requires=("s3.bucket",))
        run.run("s3.cors_preflight", "CORS preflight", checks.preflight, requires=("s3.bucket",))
    finally:
        target.close()
    return run.results


def _parse(config: Config, timeout: float, holder: dict[str, S3Target]) -> Outcome:
    try:
        target = S3Target.from_config(config, timeout)
    except URLError as exc:
        raise CheckFailed(f"BUCKET does not parse: {exc.part}: {exc.message}",
                          fix=f"wbtui config set BUCKET '{exc.example}'") from None
    holder["target"] = target
    return Outcome(f"{target.url.masked()} (region {target.region})",
                   f"endpoint {target.url.endpoint_url}, bucket {target.bucket}, path-style addressing")


def check_queue(queue: str, target: S3Target) -> Outcome:
    """BUCKET_QUEUE: internal:// for every non-AWS store (the guide); SQS exists only on AWS."""
    queue = queue.strip()
    if is_aws(target.url):
        return Outcome(f"{queue or '(empty)'} on AWS S3")
    if queue != "internal://":
        shown = f"{queue!r}" if queue else "empty"
        raise CheckFailed(f"BUCKET_QUEUE is {shown}; a non-AWS store needs internal://",
                          fix="wbtui config set BUCKET_QUEUE internal://",
                          details="internal:// makes W&B handle object notifications itself instead of "
                                  "waiting for SQS, which only AWS provides.")
    return Outcome("internal:// (W&B handles object notifications itself)")


class _S3Checks:
    """The check bodies that need the config and the target together."""

    def __init__(self, config: Config, target: S3Target) -> None:
        self.config = config
        self.target = target

    def queue(self) -> Outcome:
        return check_queue(self.config.server.BUCKET_QUEUE, self.target)

    def endpoint(self) -> Outcome:
        return probe_endpoint(self.target)

    def credentials(self) -> Outcome:
        from botocore.exceptions import ClientError

        key = self.target.url.access_key
        try:
            answer = boto_call(self.target, "ListBuckets", self.target.client().list_buckets)
        except ClientError as exc:
            code, message, status = error_of(exc)
            if code == "AccessDenied":
                return Outcome(f"access key {key} accepted (listing buckets is not allowed, which is fine)")
            raise _credential_failure(code, message, status, self.target) from None
        return Outcome(f"access key {key} accepted", data={"buckets_visible": len(answer.get("Buckets", []))})

    def bucket(self) -> Outcome:
        from botocore.exceptions import ClientError

        name = self.target.bucket
        try:
            boto_call(self.target, "ListObjectsV2", self.target.client().list_objects_v2,
                      Bucket=name, Prefix=CHECK_PREFIX, MaxKeys=1)
        except ClientError as exc:
            raise self._bucket_failure(*error_of(exc)) from None
        return Outcome(f"bucket {name!r} exists and can be listed")

    def _bucket_failure(self, code: str, message: str, status: int) -> CheckFailed:
        name = self.target.bucket
        if code == "NoSuchBucket" or status == 404:
            return CheckFailed(f"bucket {name!r} does not exist on {self.target.hostport}", fix=CREATE_FIX,
                               details=f"Create it in region {self.target.region} (the guide: mc mb --region).")
        if code == "AccessDenied":
            return CheckFailed(f"the access key may not list bucket {name!r}",
                               details=f"{message}. The bucket belongs to another user, or a policy denies it.",
                               fix="give the access key s3:ListBucket and object access on the bucket")
        if status == 301 or code in ("PermanentRedirect", "AuthorizationHeaderMalformed"):
            return CheckFailed(f"bucket {name!r} is in another region than AWS_REGION {self.target.region}",
                               details=f"{code}: {message}", fix="wbtui config set AWS_REGION <the bucket's region>")
        return CheckFailed(f"listing bucket {name!r} failed: {code or status} {message}".strip(),
                           fix="check the bucket name in BUCKET and the store's logs")

    def location(self) -> Outcome:
        from botocore.exceptions import ClientError

        try:
            answer = boto_call(self.target, "GetBucketLocation", self.target.client().get_bucket_location,
                               Bucket=self.target.bucket)
        except ClientError as exc:
            code, message, _ = error_of(exc)
            raise CheckWarning(f"cannot read the bucket's region ({code or message}); AWS_REGION not verified",
                               fix="allow s3:GetBucketLocation for the access key") from None
        actual = normalise_location(answer.get("LocationConstraint"))
        if actual != self.target.region:
            raise CheckFailed(f"bucket {self.target.bucket!r} is in {actual!r}, but AWS_REGION is "
                              f"{self.target.region!r}",
                              fix=f"wbtui config set AWS_REGION {actual}",
                              details="W&B signs requests for AWS_REGION; a store that checks the region "
                                      "refuses them. An empty LocationConstraint means us-east-1.",
                              region=actual)
        return Outcome(f"bucket is in {actual} (AWS_REGION matches)", data={"region": actual})

    def _origin(self) -> str:
        from ..config.urls import PLACEHOLDER_HOST, host_parts

        parts = host_parts(self.config.server.HOST)
        if parts.hostname == PLACEHOLDER_HOST:
            raise CheckFailed("HOST is not set (or not an http(s) URL), so the browser origin is unknown",
                              fix="wbtui config set HOST https://wandb.example.com")
        return parts.origin

    def cors_rules(self) -> Outcome:
        from botocore.exceptions import ClientError

        origin = self._origin()
        try:
            answer = boto_call(self.target, "GetBucketCors", self.target.client().get_bucket_cors,
                               Bucket=self.target.bucket)
        except ClientError as exc:
            code, message, _ = error_of(exc)
            if code == "NoSuchCORSConfiguration":
                raise CheckFailed("the bucket has no CORS rules: browsers cannot upload or download files",
                                  fix=CORS_FIX, details=f"W&B needs GET, PUT and HEAD allowed from {origin}, "
                                  "all headers, and ETag exposed.") from None
            raise CheckWarning(f"cannot read the CORS rules ({code}: {message}); see the preflight check",
                               fix="allow s3:GetBucketCORS for the access key") from None
        rules = answer.get("CORSRules", [])
        verdict = evaluate(rules, origin)
        if not verdict.ok:
            raise CheckFailed(f"the CORS rules do not let browsers on {origin} use the bucket: "
                              f"{verdict.problems[0]}", details="; ".join(verdict.problems), fix=CORS_FIX,
                              problems=verdict.problems)
        mixed = origin.startswith("https://") and not self.target.url.tls
        if mixed:
            raise CheckWarning(f"CORS rules allow {origin}, but the store is plain HTTP: browsers block "
                               "requests from an https page to http (mixed content)",
                               fix="serve the store over HTTPS with a trusted certificate and add ?tls=true")
        return Outcome(f"rules allow GET, PUT, HEAD from {origin} with all headers and ETag exposed",
                       f"{len(rules)} rule(s); used: {', '.join(str(i + 1) for i in verdict.rules_used)}")

    def preflight(self) -> Outcome:
        import httpx

        origin = self._origin()
        url = self.target.object_url(CHECK_PREFIX + "preflight")
        headers = {"Origin": origin, "Access-Control-Request-Method": "PUT",
                   "Access-Control-Request-Headers": "content-type"}
        try:
            response = self.target.http().options(url, headers=headers)
        except httpx.HTTPError as exc:
            raise diagnose_transport(exc, self.target, "OPTIONS preflight") from None
        allowed = response.headers.get("access-control-allow-origin", "")
        if allowed not in (origin, "*"):
            got = f"Access-Control-Allow-Origin {allowed!r}" if allowed else "no Access-Control-Allow-Origin"
            raise CheckFailed(f"a browser's preflight for PUT from {origin} got HTTP {response.status_code} "
                              f"with {got}", fix=CORS_FIX,
                              details="Browsers then refuse the upload. If the rules look right, a proxy in "
                                      "front of the store may answer or strip OPTIONS requests.",
                              status=response.status_code)
        return Outcome(f"preflight for PUT from {origin} allowed (HTTP {response.status_code})",
                       _preflight_details(response.headers))


def _preflight_details(headers: Any) -> str:
    names = ("access-control-allow-methods", "access-control-allow-headers", "access-control-max-age")
    return "; ".join(f"{n}: {headers[n]}" for n in names if n in headers)


def _credential_failure(code: str, message: str, status: int, target: S3Target) -> CheckFailed:
    key = target.url.access_key
    set_bucket = f"wbtui config set BUCKET '{target.url.masked()}'"
    if code == "SignatureDoesNotMatch":
        return CheckFailed(f"the secret key is wrong for access key {key} (SignatureDoesNotMatch)",
                           fix=set_bucket + "  (the secret key of this access key in place of ****)",
                           details="The store knows the access key but computed a different signature: the "
                                   "secret key does not match it (or a proxy changed the request).",
                           code=code)
    if code in ("InvalidAccessKeyId", "InvalidClientTokenId"):
        return CheckFailed(f"the store does not know access key {key} ({code})",
                           fix=set_bucket + "  (with an access key and secret created on this store)",
                           details="Typo in the access key, a key of another store, or the user was deleted.",
                           code=code)
    if code == "RequestTimeTooSkewed":
        return CheckFailed("the store refuses requests because the clocks differ by more than 15 minutes",
                           fix="run NTP (chrony/systemd-timesyncd) on the store and on the W&B host", code=code)
    return CheckFailed(f"the store refused the credentials: {code or 'HTTP ' + str(status)} {message}".strip(),
                       fix=set_bucket, code=code)
