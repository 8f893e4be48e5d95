"""Writing and reading objects the way W&B does, under ``wbtui-check/``, leaving nothing behind.

Two checks: the object round trip through the S3 API (put, head, get, a ~10 MiB
multipart upload, delete) and the guide's signed-URL test (presigned PUT and GET
over plain HTTP, as browsers and training machines use them). Every object and
unfinished upload is removed in ``finally``, whatever step failed.
"""

from __future__ import annotations

import os
import secrets
import time
import xml.etree.ElementTree as ET
from typing import Any

from .model import CheckFailed, CheckWarning, Outcome
from .s3_client import CHECK_PREFIX, S3Target
from .s3_transport import SKEW_LIMIT_SECONDS, TIMEOUT_CAUSES, boto_call, clock_skew, diagnose_transport, error_of

PART_SIZE = 5 * 1024 * 1024  # S3's minimum part size
MULTIPART_PARTS = 2
SMALL_SIZE = 64 * 1024
POLICY_FIX = ("give the access key s3:PutObject, s3:GetObject, s3:DeleteObject, s3:ListBucket and "
              "s3:AbortMultipartUpload on the bucket (a bucket policy, or `mc admin policy attach`)")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def _prefix() -> str:
    return f"{CHECK_PREFIX}{secrets.token_hex(6)}/"


class _Cleanup:
    """Remembers what a check created and removes it, each call bounded by the client's timeout."""

    def __init__(self, target: S3Target) -> None:
        self.target = target
        self.keys: list[str] = []
        self.uploads: list[tuple[str, str]] = []

    def run(self) -> list[str]:
        s3, bucket, problems = self.target.client(), self.target.bucket, []
        for key, upload_id in self.uploads:
            try:
                s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            except Exception as exc:
                problems.append(f"abort upload of {key}: {_short(exc)}")
        for key in self.keys:
            try:
                s3.delete_object(Bucket=bucket, Key=key)
            except Exception as exc:
                problems.append(f"delete {key}: {_short(exc)}")
        return problems

    def abandon(self, exc: CheckFailed, prefix: str) -> None:
        """The store stopped answering: name in ``exc`` what may be left, instead of waiting out a
        timeout per object."""
        left, uploads = self.keys + [key for key, _ in self.uploads], bool(self.uploads)
        self.keys, self.uploads = [], []
        if left:
            where = f"ALIAS/{self.target.bucket}/{prefix}"
            note = (f"Not removed, as the store stopped answering: {', '.join(left)}. Once it answers: "
                    f"mc rm --recursive --force {where}"
                    + (f" and mc rm --incomplete --recursive --force {where}" if uploads else ""))
            exc.details = f"{exc.details}\n{note}".strip()


def _send_bodies_at_once(s3: Any) -> None:
    """Uploads without ``Expect: 100-continue``: boto3 waits a second for a store that does not answer
    it before sending the body, on top of the timeout. Our bodies are small enough to send at once."""
    def drop_expect(request: Any, **_: Any) -> None:
        if "Expect" in request.headers:
            del request.headers["Expect"]

    for operation in ("PutObject", "UploadPart"):
        s3.meta.events.register(f"before-sign.s3.{operation}", drop_expect, unique_id=f"wbtui-no-expect-{operation}")


def _stalled(exc: CheckFailed) -> bool:
    return exc.data.get("cause") in TIMEOUT_CAUSES


def _short(exc: BaseException) -> str:
    code, message, _ = error_of(exc)
    return f"{code}: {message}" if code else f"{type(exc).__name__}: {exc}"


def _api_failure(exc: Any, step: str, target: S3Target) -> CheckFailed:
    code, message, status = error_of(exc)
    if code in ("AccessDenied", "AllAccessDisabled") or status == 403:
        return CheckFailed(f"{step} refused: the access key may not do this in bucket {target.bucket!r}",
                           fix=POLICY_FIX, details=f"{code} (HTTP {status}): {message}", step=step, code=code)
    return CheckFailed(f"{step} failed: {code or 'HTTP ' + str(status)} {message}".strip(),
                       fix="check the object store's logs for this request", step=step, code=code)


def object_round_trip(target: S3Target, quick: bool = False) -> Outcome:
    """Put, head and get a small object, upload ~10 MiB in parts (not when ``quick``: the dashboard's
    scheduled re-check moves 64 KiB, not 10 MiB, every few minutes), delete everything."""
    from botocore.exceptions import ClientError

    s3, bucket, prefix = target.client(), target.bucket, _prefix()
    _send_bodies_at_once(s3)
    cleanup, timings = _Cleanup(target), {}
    step = "PutObject"
    body = os.urandom(SMALL_SIZE)
    try:
        started = time.monotonic()
        key = prefix + "object"
        cleanup.keys.append(key)
        etag = boto_call(target, step, s3.put_object, Bucket=bucket, Key=key, Body=body)["ETag"]
        timings["put"] = time.monotonic() - started

        step = "HeadObject"
        head = boto_call(target, step, s3.head_object, Bucket=bucket, Key=key)
        if head["ContentLength"] != len(body) or head["ETag"] != etag:
            raise CheckFailed(f"HEAD of the new object disagrees with the upload "
                              f"(size {head['ContentLength']} vs {len(body)}, ETag {head['ETag']} vs {etag})",
                              fix="check the object store (or a proxy in front of it) does not alter objects")
        step = "GetObject"
        started = time.monotonic()
        got = boto_call(target, step, s3.get_object, Bucket=bucket, Key=key)
        data = boto_call(target, step, got["Body"].read)
        timings["get"] = time.monotonic() - started
        if data != body or got["ETag"] != etag:
            raise CheckFailed("the object read back differs from what was written"
                              + ("" if data == body else " (bytes differ)")
                              + ("" if got["ETag"] == etag else f" (ETag {got['ETag']} vs {etag})"),
                              fix="check the object store (or a proxy in front of it) does not alter objects")

        size = 0
        if not quick:
            step = "multipart upload"
            started = time.monotonic()
            size = _multipart(target, prefix + "multipart", cleanup)
            timings["multipart"] = time.monotonic() - started

        step = "DeleteObject"
        for key in list(cleanup.keys):
            boto_call(target, step, s3.delete_object, Bucket=bucket, Key=key)
            cleanup.keys.remove(key)
        step = "ListObjectsV2"
        left = boto_call(target, step, s3.list_objects_v2, Bucket=bucket, Prefix=prefix).get("KeyCount", 0)
        if left:
            raise CheckWarning(f"{left} object(s) still listed under {prefix} after deleting them",
                               fix=f"remove them: mc rm --recursive --force ALIAS/{bucket}/{prefix}")
    except ClientError as exc:
        raise _api_failure(exc, step, target) from None
    except CheckFailed as exc:
        if _stalled(exc):
            cleanup.abandon(exc, prefix)
        raise
    finally:
        problems = cleanup.run()
    if problems:
        raise CheckWarning(f"objects round trip passed, but cleanup under {prefix} failed",
                           details="; ".join(problems),
                           fix=f"remove them by hand: mc rm --recursive --force ALIAS/{bucket}/{CHECK_PREFIX}")
    details = "; ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.items())
    if quick:
        return Outcome(f"put, head, get and delete under {CHECK_PREFIX} work (quick: the 10 MiB multipart "
                       "upload runs when the checks are asked for)", details, {"timings": timings, "quick": True})
    rate = size / timings["multipart"] / 1024 / 1024 if timings["multipart"] else 0.0
    return Outcome(f"put, head, get, multipart ({size // (1024 * 1024)} MiB, {rate:.0f} MiB/s) and delete "
                   f"under {CHECK_PREFIX} work", details, {"timings": timings, "multipart_bytes": size})


def _multipart(target: S3Target, key: str, cleanup: _Cleanup) -> int:
    """Upload MULTIPART_PARTS parts of PART_SIZE and check the result's size and part-count ETag."""
    s3, bucket = target.client(), target.bucket
    upload_id = boto_call(target, "CreateMultipartUpload", s3.create_multipart_upload,
                          Bucket=bucket, Key=key)["UploadId"]
    cleanup.uploads.append((key, upload_id))
    parts = []
    for number in range(1, MULTIPART_PARTS + 1):
        part = boto_call(target, "UploadPart", s3.upload_part, Bucket=bucket, Key=key, UploadId=upload_id,
                         PartNumber=number, Body=os.urandom(PART_SIZE))
        parts.append({"PartNumber": number, "ETag": part["ETag"]})
    boto_call(target, "CompleteMultipartUpload", s3.complete_multipart_upload, Bucket=bucket, Key=key,
              UploadId=upload_id, MultipartUpload={"Parts": parts})
    cleanup.uploads.remove((key, upload_id))
    cleanup.keys.append(key)
    size = PART_SIZE * MULTIPART_PARTS
    head = boto_call(target, "HeadObject", s3.head_object, Bucket=bucket, Key=key)
    if head["ContentLength"] != size:
        raise CheckFailed(f"the multipart object has {head['ContentLength']} bytes, expected {size}",
                          fix="check the object store's multipart support")
    return size


def signed_urls(target: S3Target, host: str) -> Outcome:
    """The guide's test: presigned PUT and GET with a plain HTTP client, bytes compared."""
    import httpx

    s3, bucket = target.client(), target.bucket
    key = _prefix() + "signed-url"
    body = os.urandom(32 * 1024)
    cleanup = _Cleanup(target)
    cleanup.keys.append(key)
    try:
        put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
        try:
            put = target.http().put(put_url, content=body)
        except httpx.HTTPError as exc:
            raise diagnose_transport(exc, target, "PUT to a signed URL") from None
        if put.status_code != 200:
            raise explain_signed_failure("PUT", put, target)
        get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
        try:
            got = target.http().get(get_url)
        except httpx.HTTPError as exc:
            raise diagnose_transport(exc, target, "GET from a signed URL") from None
        if got.status_code != 200:
            raise explain_signed_failure("GET", got, target)
        if got.content != body:
            raise CheckFailed("the signed-URL GET returned different bytes than the signed-URL PUT stored",
                              fix="check the object store (or a proxy in front of it) does not alter objects")
    except CheckFailed as exc:
        if _stalled(exc):
            cleanup.abandon(exc, key.rsplit("/", 1)[0] + "/")
        raise
    finally:
        problems = cleanup.run()
    summary = f"presigned PUT and GET of {len(body) // 1024} KiB through {target.url.endpoint_url} work"
    warning = _reachability_warning(target, host)
    if warning:
        raise CheckWarning(summary + f", but {warning[0]}", fix=warning[1], details="; ".join(problems))
    return Outcome(summary, "; ".join(problems))


def _reachability_warning(target: S3Target, host: str) -> tuple[str, str] | None:
    """Signed URLs point at BUCKET's host: users' browsers and training machines must reach it."""
    from urllib.parse import urlsplit

    try:
        host_name = (urlsplit(host).hostname or "").lower()
    except ValueError:
        return None
    if target.url.host.lower() in LOOPBACK and host_name and host_name not in LOOPBACK:
        return (f"the signed URLs point at {target.url.host}, which only this machine can reach",
                "use the store's network name or address in BUCKET (the one browsers and training "
                "machines reach)")
    return None


def explain_signed_failure(method: str, response: Any, target: S3Target) -> CheckFailed:
    """Explain a refused signed URL: the clocks, a changed Host or path, or a policy.

    The object round trip already showed the key may put and get, so a plain
    AccessDenied on a signed URL means the store finds it expired (or not yet valid).
    """
    code, message = _xml_error(response.text)
    skew = clock_skew(response.headers.get("date"))
    if skew is None:
        skew_text = "the store sent no Date header"
    elif abs(skew) < 2:
        skew_text = "the store's clock agrees with this machine's"
    else:
        skew_text = f"the store's clock is {abs(skew):.0f}s {'ahead of' if skew > 0 else 'behind'} this machine's"
    summary = f"signed-URL {method} got HTTP {response.status_code}" + (f" {code}" if code else "")
    details = f"{message}; {skew_text}".strip("; ")
    data = {"code": code, "status": response.status_code, "clock_skew_s": skew}
    expired = code == "AccessDenied" and ("expired" in message.lower() or not message)
    if code == "RequestTimeTooSkewed" or expired or (skew is not None and abs(skew) > SKEW_LIMIT_SECONDS):
        return CheckFailed(
            f"{summary}: the store finds the URL expired or not yet valid ({skew_text})", cause="clock-skew",
            details=f"{details}. W&B signs URLs with its host's clock and the store checks them with its own; "
                    "the same key may put and get through the S3 API, so the clocks are the suspect.",
            fix="run NTP (chrony/systemd-timesyncd) on the store and on the W&B host", **data)
    if code == "SignatureDoesNotMatch":
        return CheckFailed(
            f"{summary}: the store computed a different signature for the same request",
            details=f"{details}. The secret key was accepted by the S3 API, so the URL was changed on its way: "
                    f"a proxy in front of the store rewrites the Host header or the path, or the store is "
                    f"configured for another host name than {target.hostport} (virtual-host style).",
            fix=f"make the proxy pass the Host header {target.hostport} and the path unchanged, or point BUCKET "
                "at the store directly", cause="signature", **data)
    if code == "AccessDenied":
        return CheckFailed(f"{summary}: the key may not {method} objects", fix=POLICY_FIX, details=details,
                           cause="access", **data)
    return CheckFailed(summary, details=details or response.text[:300],
                       fix="check the object store's logs for this request", cause="other", **data)


def _xml_error(text: str) -> tuple[str, str]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return "", ""
    return (root.findtext("Code") or "").strip(), (root.findtext("Message") or "").strip()
