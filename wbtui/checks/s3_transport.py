"""Reaching the object store: what a network or TLS failure means, and the fix for it.

Certificate verification is always on. A TLS/plain-HTTP mix-up is diagnosed by a
second, bounded look at the port (a TLS handshake, or a plain HTTP request), so
the operator learns which of the two the port really speaks.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from .model import CheckFailed, CheckResult, CheckWarning, Outcome
from .s3_client import S3Target

T = TypeVar("T")

SKEW_WARN_SECONDS = 60.0
SKEW_LIMIT_SECONDS = 900.0  # S3 refuses signatures more than 15 minutes off
TIMEOUT_CAUSES = frozenset({"connect-timeout", "read-timeout"})
NOT_S3 = ("the endpoint answered, but not as S3: a proxy, a web server or a non-S3 service is at this address")
NOT_S3_FIX = ("point BUCKET at the object store's S3 API (its host and S3 port, e.g. MinIO's 9000 or radosgw's "
              "7480), or make the proxy at this address pass S3 requests through to the store unchanged")

_CERT_REASONS = {
    18: "it is self-signed",
    19: "its chain ends in a self-signed certificate",
    20: "it is issued by a CA this machine does not trust (a private CA?)",
    10: "it has expired",
    62: "it is not valid for this host name",
}


def causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (``__cause__``, ``__context__``, wrapped errors)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        kwargs = getattr(current, "kwargs", None)
        wrapped = [current.__cause__, current.__context__, *current.args,
                   kwargs.get("error") if isinstance(kwargs, dict) else None]
        todo += [e for e in wrapped if isinstance(e, BaseException)]


def _find(exc: BaseException, kind: type[BaseException]) -> Any:
    return next((e for e in causes(exc) if isinstance(e, kind)), None)


def bucket_fix(target: S3Target, tls: bool) -> str:
    """The ``config set`` line with ?tls changed; the secret stays masked for the operator to type."""
    url = replace(target.url, tls=tls).masked()
    return f"wbtui config set BUCKET '{url}'" + ("  (your secret key in place of ****)" if "****" in url else "")


def clock_skew(date_header: str | None) -> float | None:
    """Seconds the server's clock is ahead of ours (negative: behind), from its Date header."""
    if not date_header:
        return None
    try:
        return parsedate_to_datetime(date_header).timestamp() - time.time()
    except (TypeError, ValueError):
        return None


def tls_status(host: str, port: int, timeout: float) -> str | None:
    """'trusted', 'untrusted: why', or None when the port does not speak TLS.

    Trust is judged with the same CA bundle httpx and boto3 use (certifi, or SSL_CERT_FILE).
    """
    import httpx

    context = httpx.create_ssl_context()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            with context.wrap_socket(sock, server_hostname=host):
                return "trusted"
    except ssl.SSLCertVerificationError as exc:
        return f"untrusted: {_cert_reason(exc)}"
    except (ssl.SSLError, OSError):
        return None


def speaks_http(target: S3Target) -> bool:
    """Whether the port answers a plain HTTP request at all."""
    import httpx

    try:
        target.http().get(f"http://{target.hostport}/")
    except httpx.HTTPError:
        return False
    return True


def _cert_reason(exc: ssl.SSLCertVerificationError) -> str:
    return _CERT_REASONS.get(exc.verify_code, exc.verify_message or str(exc))


def untrusted_certificate(target: S3Target, reason: str) -> CheckFailed:
    return CheckFailed(
        f"the TLS certificate of {target.hostport} is not trusted: {reason}",
        fix="install a certificate from a trusted CA (e.g. Let's Encrypt) on the store or the proxy in front of it",
        details="W&B does not support self-signed or untrusted certificates (the guide: \"This will only work "
                "if the SSL certificate is trusted\"). wbtui never turns verification off.",
        cause="untrusted-certificate",
    )


def diagnose_transport(exc: BaseException, target: S3Target, what: str) -> CheckFailed:
    """Turn a connection/TLS/timeout error from httpx or botocore into a cause and a fix."""
    hp, timeout, tls = target.hostport, target.timeout, target.url.tls
    cert = _find(exc, ssl.SSLCertVerificationError)
    if cert is not None:
        return untrusted_certificate(target, _cert_reason(cert))
    tls_error = _find(exc, ssl.SSLError)
    if tls_error is not None and tls:
        if speaks_http(target):
            return CheckFailed(
                f"{hp} speaks plain HTTP, but BUCKET has ?tls=true",
                fix=bucket_fix(target, tls=False),
                details=f"The TLS handshake failed ({getattr(tls_error, 'reason', None) or tls_error}) and a plain "
                        "HTTP request to the same port was answered: remove ?tls=true, or put TLS with a trusted "
                        "certificate in front of the store.",
                cause="tls-to-plain-port",
            )
        return CheckFailed(f"the TLS handshake with {hp} failed: {tls_error}", cause="tls-handshake",
                           fix="check the store's TLS setup on this port")
    if _find(exc, socket.gaierror) is not None:
        return CheckFailed(f"the host name {target.url.host!r} does not resolve", cause="dns",
                           fix="correct the host in BUCKET, or add it to DNS / /etc/hosts")
    if _find(exc, ConnectionRefusedError) is not None:
        return CheckFailed(f"nothing listens on {hp} (connection refused)", cause="refused",
                           fix="start the object store, or correct the port in BUCKET")
    if _is(exc, "ConnectTimeout", "ConnectTimeoutError"):
        return CheckFailed(f"no TCP connection to {hp} within {timeout:g}s", cause="connect-timeout",
                           fix="check the host is up and no firewall drops traffic to this port",
                           details=f"{what}: the connection attempt got no reply; raise the timeout with "
                                   "--timeout only for slow links.")
    if _is(exc, "TimeoutException", "ReadTimeoutError") or _find(exc, TimeoutError) is not None:
        return CheckFailed(f"{hp} accepted the connection but sent no answer within {timeout:g}s",
                           cause="read-timeout",
                           fix="check the object store is healthy and that this is its S3 port",
                           details=f"{what}: the store is overloaded or hung, or this port belongs to a "
                                   "service that does not speak HTTP.")
    if _is(exc, "RemoteProtocolError", "ReadError", "ConnectionClosedError") or \
            _find(exc, ConnectionResetError) is not None:
        if not tls:
            status = tls_status(target.url.host.strip("[]"), target.port, timeout)
            if status is not None:
                note = "" if status == "trusted" else f" Its certificate is not trusted ({status[11:]}): " \
                    "W&B does not support that, so fix the certificate too."
                return CheckFailed(
                    f"{hp} speaks TLS (HTTPS), but BUCKET has no ?tls=true",
                    fix=bucket_fix(target, tls=True),
                    details="A plain HTTP request got no HTTP answer and a TLS handshake with the same port "
                            f"succeeded: W&B connects over plain HTTP unless ?tls=true is set.{note}",
                    cause="plain-to-tls-port",
                )
        return CheckFailed(f"{hp} closed the connection without an HTTP answer", cause="closed",
                           fix="check this host:port is the object store's S3 endpoint",
                           details=f"{what}: {type(exc).__name__}: {exc}")
    return CheckFailed(f"cannot reach {hp}: {type(exc).__name__}: {exc}", cause="network",
                       fix="check the host and port in BUCKET")


def _is(exc: BaseException, *names: str) -> bool:
    return any(cls.__name__ in names for cls in type(exc).__mro__)


def timed_out(result: CheckResult) -> bool:
    """Did this check fail because the store stopped answering? Later checks would wait the same."""
    return result.data.get("cause") in TIMEOUT_CAUSES


def not_s3(target: S3Target, what: str, answer: str) -> CheckFailed:
    return CheckFailed(f"{target.hostport}: {NOT_S3}", fix=NOT_S3_FIX, cause="not-s3",
                       details=f"{what} got {answer}, which is not an S3 answer.")


def boto_call(target: S3Target, what: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one boto3 call; transport failures and answers that are not S3 become a diagnosed CheckFailed,
    ClientError passes."""
    from xml.etree.ElementTree import ParseError

    from botocore.exceptions import BotoCoreError
    from botocore.parsers import ResponseParserError

    try:
        return call(*args, **kwargs)
    except (ResponseParserError, ParseError) as exc:  # GetBucketLocation parses with ElementTree itself
        raise not_s3(target, what, f"a body that does not parse as S3's XML ({exc})") from None
    except BotoCoreError as exc:
        raise diagnose_transport(exc, target, what) from None


def error_of(exc: Any) -> tuple[str, str, int]:
    """(code, message, HTTP status) of a botocore ClientError."""
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error", {})
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    return str(error.get("Code", "")), str(error.get("Message", "") or ""), int(status or 0)


def _foreign_body(status: int, content_type: str, head: str) -> str:
    """What an S3 store never answers its root with: a web page, or a 2xx that is not XML ('' when it may be S3).

    S3 answers GET / with XML (a bucket list, or an error such as AccessDenied), or with a redirect.
    """
    body = head.lstrip()
    if 300 <= status < 400:
        return ""
    if "html" in content_type.lower() or body.startswith(("<!doctype html", "<html")):
        return "a web page"
    if 200 <= status < 300 and not body.startswith("<"):
        return f"a body that is not XML ({body[:60]!r})" if body else "an empty body"
    return ""


def probe_endpoint(target: S3Target) -> Outcome:
    """GET the endpoint's root: it must answer HTTP(S) in time, with a sane clock."""
    import httpx

    endpoint = target.url.endpoint_url
    try:
        response = target.http().get(endpoint + "/")
    except httpx.HTTPError as exc:
        raise diagnose_transport(exc, target, f"GET {endpoint}/") from None
    head = response.text[:2000].lower()
    if not target.url.tls and response.status_code == 400 and ("https" in head or "ssl" in head):
        raise CheckFailed(f"{target.hostport} expects HTTPS, but BUCKET has no ?tls=true",
                          fix=bucket_fix(target, tls=True), cause="plain-to-tls-port",
                          details=f"The server answered a plain HTTP request with 400: {response.text[:200]!r}")
    server = response.headers.get("server", "no Server header")
    foreign = _foreign_body(response.status_code, response.headers.get("content-type", ""), head)
    if foreign:
        raise not_s3(target, f"GET {endpoint}/", f"HTTP {response.status_code} ({server}) with {foreign}")
    skew = clock_skew(response.headers.get("date"))
    data = {"status": response.status_code, "server": server, "clock_skew_s": skew}
    summary = f"{endpoint} answers HTTP {response.status_code} ({server})"
    if skew is not None and abs(skew) > SKEW_WARN_SECONDS:
        raise CheckWarning(
            f"{summary}, but its clock is {abs(skew):.0f}s {'ahead of' if skew > 0 else 'behind'} this machine",
            fix="run NTP (chrony/systemd-timesyncd) on the store and on the W&B host",
            details=f"S3 refuses signatures more than {SKEW_LIMIT_SECONDS / 60:.0f} minutes off; "
                    "signed URLs from W&B stop working well before that shows up elsewhere.",
            **data)
    return Outcome(summary, f"path-style, region {target.region}, TLS {'on' if target.url.tls else 'off'}", data)
