"""Probe W&B Server's ``/healthz`` (alive) and ``/ready`` (migrations done, serving).

Every failure is classified so the operator reads a cause, not a traceback:
refused, DNS, timeout, TLS (a self-signed or untrusted certificate is not
supported by W&B), 4xx, 5xx, a redirect (to a login page: an authenticating
proxy in front). Certificate verification is always on.

The probe goes to HOST first (what users reach); when HOST does not answer
from this machine (split DNS, a load balancer outside), it falls back to the
runtime's local URL (the published port) and says so.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import re
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..config import masking
from .bounded import Deadline, call_bounded_async, run_sync
from .history import ProbeHistory, Transition

if TYPE_CHECKING:
    import httpx

    from ..config.masking import Redactor
    from ..config.model import Config
    from ..runtime.base import Runtime, ServerStatus

HOST_TRY_TIMEOUT = 2.0
RETRY_HOST_AFTER = 60.0
RECHOOSE_AFTER = 10.0
_LOGIN = re.compile(r"log-?in|sign-?in|sso|oauth|oidc|saml|/auth\b|/authorize", re.IGNORECASE)

BODY_BYTES = 512
"""How much of an error response's body is read; its first line is shown, BODY_CHARS at most."""
BODY_CHARS = 80

KEEP_ALIVE = 30.0
"""Seconds a kept prober's idle connection is kept: longer than the dashboard's 5 s between samples."""

RESTARTS_SHORTLY = 60.0
"""Up for less than this after restarts: the container is in a restart loop, not just restarted."""

UNTRUSTED_FIX = ("use a certificate from a trusted CA (e.g. Let's Encrypt) on the load balancer: "
                 "W&B does not support self-signed certificates, and wbtui never skips verification")


class Kind:
    """How a probe ended (the ``kind`` of a ProbeResult)."""

    OK = "ok"
    REFUSED = "refused"
    DNS = "dns"
    TIMEOUT = "timeout"
    TLS_UNTRUSTED = "tls-untrusted"
    TLS = "tls"
    UNREACHABLE = "unreachable"
    CLOSED = "closed"
    HTTP_4XX = "http-4xx"
    HTTP_5XX = "http-5xx"
    REDIRECT = "redirect"
    REDIRECT_LOGIN = "redirect-login"
    BAD_URL = "bad-url"
    ERROR = "error"


@dataclass
class ProbeResult:
    url: str
    endpoint: str
    ok: bool
    kind: str
    message: str
    status_code: int | None = None
    latency: float | None = None
    fix: str = ""
    time: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def answered(self) -> bool:
        """An HTTP response came back (whatever its status)."""
        return self.status_code is not None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "endpoint": self.endpoint, "ok": self.ok, "kind": self.kind,
                "message": self.message, "status_code": self.status_code,
                "latency_ms": None if self.latency is None else round(self.latency * 1000, 1),
                "fix": self.fix, "time": self.time.isoformat()}


@dataclass
class Target:
    """Where the probes go, and why there."""

    url: str
    via: str  # "url" (given), "host" (config HOST) or "local" (the runtime's published port)
    note: str = ""
    host_result: ProbeResult | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "via": self.via, "note": self.note,
                "host_result": self.host_result.to_dict() if self.host_result else None}


@dataclass
class Sample:
    """One round of probes: /healthz and /ready of one base URL at one time."""

    time: datetime
    target: Target
    healthz: ProbeResult
    ready: ProbeResult
    transitions: list[Transition] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.healthz.ok and self.ready.ok

    def to_dict(self) -> dict[str, Any]:
        return {"time": self.time.isoformat(), "ok": self.ok, "target": self.target.to_dict(),
                "healthz": self.healthz.to_dict(), "ready": self.ready.to_dict(),
                "transitions": [t.to_dict() for t in self.transitions]}


class NoTarget(Exception):
    """Neither a usable HOST nor a local URL: nothing to probe."""


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify_error(exc: BaseException, timeout: float) -> tuple[str, str, str]:
    """(kind, message, fix) for an exception raised while probing."""
    import httpx

    chain = _chain(exc)
    for err in chain:
        if isinstance(err, ssl.SSLCertVerificationError):
            reason = getattr(err, "verify_message", "") or str(err)
            if "self-signed" in reason or "local issuer" in reason:
                return (Kind.TLS_UNTRUSTED, f"TLS certificate not trusted ({reason}): "
                        "self-signed certificates are not supported by W&B", UNTRUSTED_FIX)
            if "expired" in reason:
                return Kind.TLS_UNTRUSTED, f"TLS certificate expired ({reason})", "renew the certificate"
            if "hostname" in reason.lower() or "not valid for" in reason:
                return (Kind.TLS_UNTRUSTED, f"TLS certificate does not match the host name ({reason})",
                        "the certificate must name the host in HOST (subjectAltName)")
            return Kind.TLS_UNTRUSTED, f"TLS certificate not trusted ({reason})", UNTRUSTED_FIX
    for err in chain:
        if isinstance(err, ssl.SSLError):
            text = getattr(err, "reason", None) or str(err)
            fix = ("this port speaks plain http: use http:// in the URL (TLS is terminated by the "
                   "load balancer, not by W&B)") if "WRONG_VERSION_NUMBER" in str(err).upper() else \
                "check that the address serves HTTPS with a valid certificate"
            return Kind.TLS, f"TLS handshake failed ({text})", fix
    for err in chain:
        if isinstance(err, socket.gaierror):
            return (Kind.DNS, f"host name does not resolve ({err.strerror or err})",
                    "check the DNS name (from this machine, `getent hosts NAME`), or probe --url")
        if isinstance(err, ConnectionRefusedError):
            return (Kind.REFUSED, "connection refused: nothing listens on that port",
                    "is the server running and its port published? (`wbtui status`)")
    if isinstance(exc, httpx.ConnectTimeout):
        return (Kind.TIMEOUT, f"no connection within {timeout:g}s (filtered by a firewall, or the host is down)",
                "check firewalls and that the host is up")
    if isinstance(exc, httpx.TimeoutException):
        return (Kind.TIMEOUT, f"connected, but no answer within {timeout:g}s",
                "the server is overloaded or stuck: see `wbtui logs`")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return Kind.BAD_URL, f"not a usable URL ({exc})", "use http://HOST[:PORT] or https://HOST[:PORT]"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        return (Kind.CLOSED, "the connection closed without an HTTP answer",
                "check the scheme: http:// to an https port fails this way, and so does a non-HTTP service")
    for err in chain:
        if isinstance(err, OSError) and err.errno is not None:
            return Kind.UNREACHABLE, f"unreachable ({err.strerror or err})", "check routing and firewalls"
    return Kind.ERROR, f"{type(exc).__name__}: {exc}", ""


def classify_response(endpoint: str, code: int, reason: str, location: str, body: str) -> tuple[bool, str, str, str]:
    """(ok, kind, message, fix) for an HTTP answer."""
    head = f"{code} {reason}".strip()
    detail = f" ({body})" if body else ""
    if 200 <= code < 300:
        return True, Kind.OK, head, ""
    if 300 <= code < 400:
        if _LOGIN.search(location or ""):
            return (False, Kind.REDIRECT_LOGIN, f"{head}: redirects to a login page ({location})",
                    f"an authenticating proxy is in front of W&B: exempt /{endpoint} from authentication, "
                    "or probe the published port (wbtui probe --url http://127.0.0.1:8080)")
        fix = "set HOST to the https:// address" if location.startswith("https://") else \
            "probe the address it redirects to (--url)"
        return False, Kind.REDIRECT, f"{head}: redirects to {location or '?'}", fix
    if 400 <= code < 500:
        if code == 404:
            fix = "this is not W&B Server at this address (wrong HOST, or a proxy path not forwarded)"
        elif code in (401, 403, 407):
            fix = f"a proxy requires authentication for /{endpoint}: exempt the health endpoints"
        else:
            fix = "check the load balancer's rules for this path"
        return False, Kind.HTTP_4XX, head + detail, fix
    if code == 503 and endpoint == "ready":
        return False, Kind.HTTP_5XX, f"{head}: not ready yet{detail}", \
            "wait: the server starts and runs migrations (up to 10 minutes); watch `wbtui logs -f`"
    if code in (502, 504):
        return (False, Kind.HTTP_5XX, f"{head}: the load balancer got no answer from W&B{detail}",
                "is the container running and the upstream address right? (`wbtui status`)")
    return False, Kind.HTTP_5XX, head + detail, "see `wbtui logs` and `wbtui doctor`"


def body_line(body: bytes, whole: bool, redact: Redactor) -> str:
    """The body's first line as shown: redacted before it is cut, so no cut leaves part of a secret.

    ``whole`` is False when only the start of the body was read: a secret's start at
    that cut is masked too.
    """
    text = codecs.getincrementaldecoder("utf-8")("replace").decode(body, final=whole).strip()
    lines = text.splitlines()
    line = lines[0] if lines else ""
    shown = redact.clip(line, whole=whole or len(lines) > 1)
    return redact.clip("".join(ch for ch in shown if ch.isprintable()), BODY_CHARS)


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """One verifying context for every probe: loading the CA bundle costs ~0.3 s each time.

    Verification stays on (CERT_REQUIRED, host names checked); SSL_CERT_FILE/SSL_CERT_DIR
    are honoured for private CAs.
    """
    import httpx

    return httpx.create_ssl_context(verify=True, trust_env=True)


def _client(timeout: float, keep_alive: float | None = None) -> httpx.AsyncClient:
    """A probing client; ``keep_alive`` seconds an idle connection is kept (httpx's 5 s by default)."""
    import httpx

    limits = httpx.Limits() if keep_alive is None else httpx.Limits(keepalive_expiry=keep_alive)
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False, verify=tls_context(), limits=limits)


def endpoint_url(base_url: str, endpoint: str) -> str:
    return f"{base_url.rstrip('/')}/{endpoint}"


async def probe_once(base_url: str, endpoint: str = "ready", *, timeout: float = 5.0,
                     client: httpx.AsyncClient | None = None, redact: Redactor | None = None) -> ProbeResult:
    """GET ``base_url/endpoint`` once; never raises for network trouble (it is classified).

    ``redact`` masks secrets in the body shown (default: URL passwords only).
    """
    url = endpoint_url(base_url, endpoint)
    own = client is None
    if client is None:
        client = _client(timeout)
    started = time.perf_counter()
    try:
        async with client.stream("GET", url, timeout=timeout) as response:
            chunk, whole = b"", True
            async for part in response.aiter_bytes():
                chunk += part
                if len(chunk) >= BODY_BYTES:
                    whole = False
                    break
        latency = time.perf_counter() - started
        ok, kind, message, fix = classify_response(
            endpoint, response.status_code, response.reason_phrase, response.headers.get("location", ""),
            body_line(chunk, whole, redact or masking.screen()))
        return ProbeResult(url, endpoint, ok, kind, message, response.status_code, latency, fix)
    except Exception as exc:
        kind, message, fix = classify_error(exc, timeout)
        return ProbeResult(url, endpoint, False, kind, message, None, time.perf_counter() - started, fix)
    finally:
        if own:
            await client.aclose()


async def probe_endpoints(base_url: str, *, timeout: float = 5.0, redact: Redactor | None = None,
                          client: httpx.AsyncClient | None = None) -> tuple[ProbeResult, ProbeResult]:
    """/healthz and /ready concurrently, on ``client`` when given (its kept connections), else a new one.

    On a kept client, an endpoint whose connection closed without an answer is asked once more on a new
    connection, as browsers do: the server may have closed that idle connection as the request went out.
    """
    kept = client is not None

    async def probe(endpoint: str, on: httpx.AsyncClient) -> ProbeResult:
        result = await probe_once(base_url, endpoint, timeout=timeout, client=on, redact=redact)
        if kept and result.kind == Kind.CLOSED:
            result = await probe_once(base_url, endpoint, timeout=timeout, redact=redact)
        return result

    async with contextlib.AsyncExitStack() as stack:
        on = client if client is not None else await stack.enter_async_context(_client(timeout))
        healthz, ready = await asyncio.gather(probe("healthz", on), probe("ready", on))
    return healthz, ready


def usable_host(host: str) -> str | None:
    """HOST as a base URL when it can be probed (http(s), a host name, no path)."""
    host = (host or "").strip()
    try:
        parts = urlsplit(host)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}"


async def local_url_of(runtime: Runtime | None, timeout: float) -> tuple[str | None, str]:
    """The runtime's local URL, or None and why not (daemon down, nothing deployed)."""
    if runtime is None:
        return None, "no runtime"
    try:
        url = await call_bounded_async(runtime.local_url, timeout, "local-url")
    except Deadline as exc:
        return None, str(exc)
    except Exception as exc:
        return None, str(exc) or type(exc).__name__
    return url, "" if url else "the server publishes no local port"


async def choose_target(config: Config | None, runtime: Runtime | None = None, *, url: str | None = None,
                        timeout: float = 5.0) -> Target:
    """--url if given; else HOST when it answers from here; else the local published port."""
    if url:
        return Target(url.rstrip("/"), "url", "given with --url")
    host = usable_host(config.server.HOST) if config is not None else None
    host_result: ProbeResult | None = None
    if host:
        host_result = await probe_once(host, "healthz", timeout=min(HOST_TRY_TIMEOUT, timeout),
                                       redact=masking.screen(config))
        if host_result.answered:
            return Target(host, "host", "HOST answers from this machine", host_result)
    local, why_not = await local_url_of(runtime, timeout)
    if local:
        note = (f"HOST {host} does not answer from this machine ({host_result.message}); "
                f"probing the published port instead" if host_result else "no usable HOST; probing the published port")
        return Target(local.rstrip("/"), "local", note, host_result)
    if host and host_result is not None:
        return Target(host, "host", f"HOST does not answer ({host_result.message}) and there is no local "
                      f"URL ({why_not})", host_result)
    raise NoTarget(f"nothing to probe: HOST is not set and there is no local URL ({why_not}); "
                   "set HOST or pass --url")


def keeps_restarting(status: ServerStatus) -> bool:
    """The container (a pod's) crash-loops: restarting now, CrashLoopBackOff, or restarted and up only briefly."""
    if status.state == "restarting" or "CrashLoopBackOff" in {status.reason, *(pod.reason for pod in status.pods)}:
        return True
    return status.restart_count >= 2 and (status.uptime_seconds is None or status.uptime_seconds < RESTARTS_SHORTLY)


def restart_loop_fix(status: ServerStatus) -> str:
    """What to do when nothing answers because the server keeps restarting: its log says why, not the URL."""
    return (f"the container keeps restarting ({status.restart_count} restarts): 5 Logs / 6 Health show why "
            "(`wbtui logs --previous`, `wbtui doctor`)")


async def explain_silence(runtime: Runtime | None, timeout: float, *results: ProbeResult) -> None:
    """Unanswered probes of a crash-looping server: point their fix at the log instead of the URL's scheme.

    Asks the runtime only when a probe got no answer (a server that answers is not restarting).
    """
    silent = [result for result in results if not result.answered]
    if runtime is None or not silent:
        return
    try:
        status = await call_bounded_async(runtime.status, timeout, "status")
    except Exception:  # daemon gone: the probe's own fix stands
        return
    if status.exists and keeps_restarting(status):
        for result in silent:
            result.fix = restart_loop_fix(status)


class Prober:
    """Probes one server repeatedly, keeping a bounded history and reporting transitions.

    Use ``await sample()`` / ``async for s in watch()`` from async code (Textual
    async workers), or ``sample_sync()`` from threads and the CLI.
    """

    def __init__(self, config: Config | None = None, runtime: Runtime | None = None, *, url: str | None = None,
                 timeout: float | None = None, history_size: int = 100,
                 on_transition: Callable[[Transition], None] | None = None) -> None:
        self.config = config
        self.runtime = runtime
        self.url = url
        self.timeout = timeout if timeout is not None else (config.app.timeout if config is not None else 5.0)
        self.history = ProbeHistory(history_size)
        self.on_transition = on_transition
        self.target: Target | None = None
        self._chosen_at = 0.0
        self._redact = masking.screen(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        """sample_sync's loop, kept between samples with its client: no new loop, client and TCP (and
        TLS) connection every 5 s (half of a sample's CPU against a keep-alive server, measured)."""
        self._client: httpx.AsyncClient | None = None
        self._loop_free = threading.Lock()

    def _stale(self) -> bool:
        if self.target is None:
            return True
        if self.target.via == "url":
            return False
        age = time.monotonic() - self._chosen_at
        last = self.history.latest()
        silent = last is not None and not last.healthz.answered and not last.ready.answered
        return (silent and age >= RECHOOSE_AFTER) or (self.target.via == "local" and age >= RETRY_HOST_AFTER)

    async def sample(self) -> Sample:
        """Probe both endpoints once (choosing the target first if needed). Raises NoTarget."""
        return await self._sample(self._kept_client())

    async def _sample(self, client: httpx.AsyncClient | None) -> Sample:
        if self._stale():
            self.target = await choose_target(self.config, self.runtime, url=self.url, timeout=self.timeout)
            self._chosen_at = time.monotonic()
        assert self.target is not None
        healthz, ready = await probe_endpoints(self.target.url, timeout=self.timeout, redact=self._redact,
                                               client=client)
        await explain_silence(self.runtime, self.timeout, healthz, ready)
        sample = Sample(datetime.now(UTC), self.target, healthz, ready)
        for transition in self.history.add(sample):
            if self.on_transition is not None:
                self.on_transition(transition)
        return sample

    async def watch(self, interval: float = 5.0, count: int | None = None) -> AsyncIterator[Sample]:
        """Samples every ``interval`` seconds (``count`` of them, or until cancelled)."""
        taken = 0
        async with _client(self.timeout, keep_alive=max(KEEP_ALIVE, 2 * interval)) as client:
            while count is None or taken < count:
                started = time.monotonic()
                yield await self._sample(client)
                taken += 1
                if count is not None and taken >= count:
                    return
                await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))

    def _kept_client(self) -> httpx.AsyncClient | None:
        """The kept client on sample_sync's loop; elsewhere None (a client for the one sample)."""
        if self._loop is None or asyncio.get_running_loop() is not self._loop:
            return None
        if self._client is None:
            self._client = _client(self.timeout, keep_alive=KEEP_ALIVE)
        return self._client

    def sample_sync(self) -> Sample:
        """``sample()`` for threads without a running event loop (CLI, Textual thread workers).

        Runs on the kept loop; when an earlier sample still runs on it (abandoned at a deadline), on a loop
        of its own.
        """
        if not self._loop_free.acquire(blocking=False):
            return run_sync(self.sample())
        try:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
            return self._loop.run_until_complete(self.sample())
        finally:
            self._loop_free.release()

    def close(self) -> None:
        """Close the kept client and loop (a sample running on them is left to end by itself)."""
        if not self._loop_free.acquire(blocking=False):
            return
        try:
            loop, client, self._loop, self._client = self._loop, self._client, None, None
            if loop is not None:
                with contextlib.suppress(Exception):  # closing: a connection already gone is no news
                    if client is not None:
                        loop.run_until_complete(client.aclose())
                loop.close()
        finally:
            self._loop_free.release()


def probe_sync(config: Config | None, runtime: Runtime | None = None, *, url: str | None = None,
               timeout: float | None = None) -> Sample:
    """One sample, synchronously. Raises NoTarget when there is nothing to probe."""
    prober = Prober(config, runtime, url=url, timeout=timeout)
    try:
        return prober.sample_sync()
    finally:
        prober.close()
