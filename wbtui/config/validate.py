"""Field-by-field validation: structured findings, never exceptions.

Each finding names the field, a severity (error, warning, info), what is wrong
and the fix. The CLI prints them, the dashboard shows them inline as you type.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from .backup import DEFAULT_KEEP_DAYS, SCHEDULE_EXAMPLE, ScheduleError, parse_keep, parse_schedule
from .license import LicenseError, parse_license
from .model import Config
from .quantities import cpu_cores, memory_bytes
from .urls import BUCKET_EXAMPLE, MYSQL_EXAMPLE, BucketURL, MysqlURL, URLError

if TYPE_CHECKING:
    from pathlib import Path

    from .store import UnknownKey

Severity = Literal["error", "warning", "info"]

# Every pattern is used with fullmatch: "$" would also accept a trailing newline.
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_RESERVED_ENV = {"HOST", "LICENSE", "BUCKET", "BUCKET_QUEUE", "AWS_REGION", "MYSQL"}
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_DNS_NAME = re.compile(r"(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")
_REGION = re.compile(r"[a-z0-9][a-z0-9\-_]*")
_AWS_HOST = re.compile(r"(^|\.)amazonaws\.com(\.cn)?$")
_IMAGE_PART = r"[a-z0-9]+(?:[._-]+[a-z0-9]+)*"
_IMAGE = re.compile(rf"(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?{_IMAGE_PART}(?:/{_IMAGE_PART})*"
                    r"(?:@sha256:[a-f0-9]{64})?")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_VOLUME_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]+")
_NGINX_SIZE = re.compile(r"[0-9]+[kKmMgG]?")
_PREFIX = re.compile(r"[A-Za-z0-9_.-][A-Za-z0-9_./-]*")
_HOST_NAME = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?")
MIN_TIMEOUT = 0.1
"""Below a tenth of a second no network answer arrives: every check would time out."""


@dataclass(frozen=True)
class Finding:
    field: str
    severity: Severity
    message: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def _err(field: str, message: str, fix: str = "") -> Finding:
    return Finding(field, "error", message, fix)


def _warn(field: str, message: str, fix: str = "") -> Finding:
    return Finding(field, "warning", message, fix)


def _info(field: str, message: str, fix: str = "") -> Finding:
    return Finding(field, "info", message, fix)


def check_host(config: Config) -> Iterable[Finding]:
    value = config.server.HOST.strip()
    if not value:
        yield _err("HOST", "HOST is not set", "wbtui config set HOST https://wandb.example.com")
        return
    if any(c.isspace() or unicodedata.category(c) == "Cc" for c in value):
        yield _err("HOST", "HOST has a space or control character inside: a URL has none",
                   "wbtui config set HOST https://wandb.example.com")
        return
    if "://" not in value:
        yield _err("HOST", f"{value!r} has no scheme",
                   f"wbtui config set HOST https://{value.rstrip('/')}")
        return
    try:
        parts = urlsplit(value)
    except ValueError as exc:  # e.g. an unterminated IPv6 address
        yield _err("HOST", f"not a URL: {exc}", "wbtui config set HOST https://wandb.example.com")
        return
    if parts.scheme not in ("http", "https"):
        yield _err("HOST", f"scheme {parts.scheme}:// is not http:// or https://",
                   "wbtui config set HOST https://wandb.example.com")
        return
    if not parts.hostname:
        yield _err("HOST", "the host name is missing", "wbtui config set HOST https://wandb.example.com")
        return
    if not (_HOST_NAME.fullmatch(parts.hostname) or _is_ip(parts.hostname)):
        yield _err("HOST", f"{parts.hostname!r} is not a host name (letters, digits, '-' and '.'; "
                   "an international name in its xn-- form)", "wbtui config set HOST https://wandb.example.com")
        return
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        yield _err("HOST", "the port is not a number", "wbtui config set HOST https://wandb.example.com:8443")
        return
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        base = f"{parts.scheme}://{parts.netloc}"
        yield _err("HOST", "HOST must not have a path, query or fragment", f"wbtui config set HOST {base}")
        return
    if parts.username or parts.password:
        yield _err("HOST", "HOST must not contain credentials",
                   f"wbtui config set HOST {parts.scheme}://{parts.hostname}")
        return
    if parts.scheme == "http":
        yield _warn("HOST", "HOST uses http://: browsers and the SDK send credentials in clear",
                    "terminate TLS at a load balancer and use https:// (see `wbtui render nginx`)")
    if parts.hostname in ("localhost", "127.0.0.1", "::1"):
        yield _warn("HOST", "HOST is a loopback address: other machines cannot reach it",
                    "use the DNS name users and training machines browse to")


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def check_license(config: Config) -> Iterable[Finding]:
    value = config.server.LICENSE.strip()
    if not value:
        yield _warn("LICENSE", "no LICENSE: a real deployment needs one",
                    "wbtui config set LICENSE <license from W&B>")
        return
    try:
        info = parse_license(value)
    except LicenseError as exc:
        yield _err("LICENSE", f"not a W&B license: {exc}",
                   "paste the whole license from W&B (three base64url parts joined by '.')")
        return
    exp = info.expires
    if exp is None:
        yield _info("LICENSE", "license shape ok (unverified); no expiry found in its claims")
    elif info.expired():
        yield _err("LICENSE", f"license expired on {exp:%Y-%m-%d} (unverified claim)",
                   "ask W&B for a renewed license")
    else:
        days = (exp - datetime.now(UTC)).days
        sev = _warn if days < 30 else _info
        yield sev("LICENSE", f"license expires {exp:%Y-%m-%d}, in {days} days (unverified claim)",
                  "ask W&B for a renewal before it expires" if days < 30 else "")


def _is_aws(host: str) -> bool:
    return bool(_AWS_HOST.search(host))


def check_bucket(config: Config) -> Iterable[Finding]:
    value = config.server.BUCKET.strip()
    if not value:
        yield _warn("BUCKET", "empty: the container's embedded store under /vol is used "
                    "(not for production)", f"wbtui config set BUCKET '{BUCKET_EXAMPLE}'")
        return
    try:
        url = BucketURL.parse(value)
    except URLError as exc:
        yield _err("BUCKET", f"{exc.part} is wrong: {exc.message}",
                   f"wbtui config set BUCKET '{exc.example}'")
        return
    if not url.access_key or not url.secret_key:
        yield _err("BUCKET", "access key or secret key is empty",
                   f"wbtui config set BUCKET '{BUCKET_EXAMPLE}'")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]", url.bucket):
        yield _warn("BUCKET", f"bucket name {url.bucket!r} breaks S3 naming rules "
                    "(3-63 chars: lower-case letters, digits, '.', '-')",
                    "use a name like wandb-files")
    if not url.tls:
        yield _info("BUCKET", "no ?tls=true: W&B talks to the store over plain http",
                    "add ?tls=true once the store has a trusted certificate")
    if url.host.strip("[]").lower() in ("localhost", "127.0.0.1", "::1"):
        yield _warn("BUCKET", f"{url.host} inside the container is the container itself, and browsers "
                    "fetch files from this address through signed URLs",
                    "use the store's LAN address or DNS name, reachable from the container and from browsers")
    if url.tls and url.port == 80:
        yield _warn("BUCKET", "tls=true with port 80: https on the http port is unusual",
                    "check the store's https port (often 443 or 9000)")


def check_bucket_queue(config: Config) -> Iterable[Finding]:
    value = config.server.BUCKET_QUEUE.strip()
    bucket = config.server.BUCKET.strip()
    aws = False
    if bucket:
        try:
            aws = _is_aws(BucketURL.parse(bucket).host)
        except URLError:
            aws = False
    if not value:
        yield _err("BUCKET_QUEUE", "BUCKET_QUEUE is empty", "wbtui config set BUCKET_QUEUE internal://")
    elif not aws and value != "internal://":
        yield _err("BUCKET_QUEUE", f"{value!r} needs AWS SQS; a non-AWS store requires internal://",
                   "wbtui config set BUCKET_QUEUE internal://")
    elif value != "internal://" and not value.startswith("sqs://"):
        yield _err("BUCKET_QUEUE", f"{value!r} is neither internal:// nor sqs://...",
                   "wbtui config set BUCKET_QUEUE internal://")


def check_region(config: Config) -> Iterable[Finding]:
    value = config.server.AWS_REGION.strip()
    if not value:
        if config.server.BUCKET:
            yield _warn("AWS_REGION", "AWS_REGION is empty; signed URLs may use the wrong region",
                        "wbtui config set AWS_REGION us-east-1")
        return
    if not _REGION.fullmatch(value):
        yield _err("AWS_REGION", f"{value!r} is not a region name", "wbtui config set AWS_REGION us-east-1")


def check_mysql(config: Config) -> Iterable[Finding]:
    value = config.server.MYSQL.strip()
    if not value:
        yield _warn("MYSQL", "empty: the container's embedded MySQL is used (not for production)",
                    f"wbtui config set MYSQL '{MYSQL_EXAMPLE}'")
        return
    try:
        url = MysqlURL.parse(value)
    except URLError as exc:
        yield _err("MYSQL", f"{exc.part} is wrong: {exc.message}", f"wbtui config set MYSQL '{exc.example}'")
        return
    if not url.password:
        yield _warn("MYSQL", "the MySQL password is empty", "create the user with a password (wbtui render sql)")
    if url.host in ("localhost", "127.0.0.1", "::1", "[::1]"):
        yield _warn("MYSQL", f"{url.host} inside the container is the container itself, not this host",
                    "use the host's address as seen from the container (e.g. its LAN IP)")


def check_runtime(config: Config) -> Iterable[Finding]:
    r = config.runtime
    yield from _check_image(r.image, r.tag)
    if not _CONTAINER_NAME.fullmatch(r.container_name or ""):
        yield _err("runtime.container_name", f"{r.container_name!r} is not a valid container name",
                   "wbtui config set runtime.container_name wandb-local")
    if not 0 < r.port < 65536:
        yield _err("runtime.port", f"{r.port} is not a port (1-65535)", "wbtui config set runtime.port 8080")
    yield from _check_bind_and_volume(r.bind_address, r.volume)
    for key in ("cpu_request", "cpu_limit"):
        if cpu_cores(getattr(r, key)) is None:
            yield _err(f"runtime.{key}", f"{getattr(r, key)!r} is not a CPU quantity (2, 1.5, 500m)",
                       f"wbtui config set runtime.{key} 4")
    for key in ("memory_request", "memory_limit"):
        if memory_bytes(getattr(r, key)) is None:
            yield _err(f"runtime.{key}", f"{getattr(r, key)!r} is not a memory quantity "
                       "(8G, 8Gi, 512M; no 'm' or 'K')",
                       f"wbtui config set runtime.{key} 8G")
    cpu, mem = cpu_cores(r.cpu_limit), memory_bytes(r.memory_limit)
    if cpu is not None and cpu < 4:
        yield _warn("runtime.cpu_limit", f"{r.cpu_limit} CPU is below the guide's 4 vCPU",
                    "wbtui config set runtime.cpu_limit 4")
    if mem is not None and mem < 8 * 10**9 * 0.99:
        yield _warn("runtime.memory_limit", f"{r.memory_limit} is below the guide's 8 GB",
                    "wbtui config set runtime.memory_limit 8G")
    creq, mreq = cpu_cores(r.cpu_request), memory_bytes(r.memory_request)
    if cpu is not None and creq is not None and creq > cpu:
        yield _err("runtime.cpu_request", "CPU request is above the limit", "lower cpu_request or raise cpu_limit")
    if mem is not None and mreq is not None and mreq > mem:
        yield _err("runtime.memory_request", "memory request is above the limit",
                   "lower memory_request or raise memory_limit")
    if r.uid is not None and r.uid >= 100000 and r.gid != 0:
        yield _err("runtime.gid", f"UID {r.uid} (>= 100000) requires GID 0 for /vol permissions",
                   "wbtui config set runtime.gid 0")
    if (r.uid is not None and r.uid < 0) or (r.gid is not None and r.gid < 0):
        yield _err("runtime.uid", "UID and GID cannot be negative", "wbtui config unset runtime.uid")
    if r.gid is not None and r.uid is None:
        yield _warn("runtime.gid", "GID is only used together with UID",
                    "wbtui config set runtime.uid 100000 (or unset runtime.gid)")


def _check_image(image: str, tag: str) -> Iterable[Finding]:
    if not _IMAGE.fullmatch(image or ""):
        yield _err("runtime.image", f"{image!r} is not an image reference",
                   "wbtui config set runtime.image wandb/local")
        return
    if "@" in image:
        if tag:
            yield _err("runtime.tag", "the image is pinned by digest; a tag would be ignored",
                       "wbtui config set runtime.tag ''")
        return
    if tag and not _TAG.fullmatch(tag):
        yield _err("runtime.tag", f"{tag!r} is not an image tag", "wbtui config set runtime.tag 0.XX.Y")
    elif tag in ("", "latest"):
        yield _warn("runtime.tag", "tag 'latest' changes under you on restart (not for production)",
                    "pin a release: wbtui config set runtime.tag 0.XX.Y")


def _check_bind_and_volume(bind: str, volume: str) -> Iterable[Finding]:
    if bind:
        try:
            ipaddress.ip_address(bind)
        except ValueError:
            yield _err("runtime.bind_address", f"{bind!r} is not an IP address",
                       "wbtui config set runtime.bind_address 127.0.0.1 (or unset it: all addresses)")
    if not volume:
        yield _warn("runtime.volume", "no volume at /vol: data is lost with the container",
                    "wbtui config set runtime.volume wandb-data")
    elif volume.startswith("/"):
        if ":" in volume or any(c in volume for c in "\n\r\0"):
            yield _err("runtime.volume", "a host path for /vol cannot contain ':' or control characters",
                       "wbtui config set runtime.volume /srv/wandb")
    elif not _VOLUME_NAME.fullmatch(volume):
        yield _err("runtime.volume", f"{volume!r} is neither a volume name nor an absolute path",
                   "wbtui config set runtime.volume wandb-data")


def check_kubernetes(config: Config) -> Iterable[Finding]:
    k = config.kubernetes
    if not _DNS_LABEL.fullmatch(k.namespace or ""):
        yield _err("kubernetes.namespace", f"{k.namespace!r} is not a valid namespace name",
                   "wbtui config set kubernetes.namespace wandb")
    if not _DNS_LABEL.fullmatch(k.name or ""):
        yield _err("kubernetes.name", f"{k.name!r} is not a valid object name",
                   "wbtui config set kubernetes.name wandb")
    if k.replicas < 0:
        yield _err("kubernetes.replicas", "replicas cannot be negative", "wbtui config set kubernetes.replicas 1")
    elif k.replicas > 1 and not config.server.MYSQL:
        yield _warn("kubernetes.replicas", "several replicas with the embedded MySQL do not share data",
                    "set MYSQL and BUCKET to external stores")
    if k.dns_name and not _DNS_NAME.fullmatch(k.dns_name):
        yield _err("kubernetes.dns_name", f"{k.dns_name!r} is not a DNS name",
                   "wbtui config set kubernetes.dns_name wandb.example.com")
    if k.tls_secret and not _DNS_NAME.fullmatch(k.tls_secret):
        yield _err("kubernetes.tls_secret", f"{k.tls_secret!r} is not a valid secret name",
                   "wbtui config set kubernetes.tls_secret wandb-tls")
    if k.body_size and not _NGINX_SIZE.fullmatch(k.body_size):
        yield _err("kubernetes.body_size", f"{k.body_size!r} is not an nginx size (0, 100m, 1g)",
                   "wbtui config set kubernetes.body_size 0")
    for key in ("ingress_class", "volume_claim"):
        value = getattr(k, key)
        if value and not _DNS_NAME.fullmatch(value):
            yield _err(f"kubernetes.{key}", f"{value!r} is not a valid object name",
                       f"wbtui config unset kubernetes.{key}")


def check_env(config: Config) -> Iterable[Finding]:
    for name, value in config.env.items():
        key = f"env.{name}"
        if not _ENV_NAME.fullmatch(name):
            yield _err(key, f"{name!r} is not a valid environment variable name",
                       f"wbtui config unset {key}")
        elif name.upper() in _RESERVED_ENV:
            yield _err(key, f"{name} is a main setting; set it directly",
                       f"wbtui config unset {key} && wbtui config set {name.upper()} ...")
        bad = next((c for c in value if unicodedata.category(c) == "Cc"), None)
        if bad is not None:
            what = {"\n": "a newline", "\x00": "a NUL byte"}.get(bad, f"a control character (U+{ord(bad):04X})")
            yield _err(key, f"the value contains {what}; a variable's value is one line of text",
                       f"wbtui config set {key} '...' (on one line, without control characters)")


def check_keys(config: Config) -> Iterable[Finding]:
    """The ``[keys]`` table's names (whether each id is a dashboard binding, the dashboard and `config keys` say)."""
    from .keynames import BINDING_ID, key_problem

    for binding_id, keys in config.keys.items():
        key = f"keys.{binding_id}"
        if not BINDING_ID.fullmatch(binding_id):
            yield _err(key, f"{binding_id!r} is not a binding id (PANE.ACTION, e.g. logs.pause)",
                       f"wbtui config unset {key} (`wbtui config keys` lists the ids)")
            continue
        problem = key_problem(keys)
        if problem is not None:
            yield _err(key, problem, f"wbtui config set {key} space")


def check_app(config: Config) -> Iterable[Finding]:
    if not MIN_TIMEOUT <= config.app.timeout <= 300:
        yield _err("app.timeout", f"timeout must be between {MIN_TIMEOUT:g} and 300 seconds",
                   "wbtui config set app.timeout 5")
    minutes = config.app.recheck_minutes
    if minutes != 0 and not 1 <= minutes <= 1440:
        yield _err("app.recheck_minutes", "re-check every 1 to 1440 minutes, or 0 for never",
                   "wbtui config set app.recheck_minutes 5")


def check_backup(config: Config) -> Iterable[Finding]:
    b = config.backup
    where = b.directory.strip()
    if where and not (where.startswith("/") or where == "~" or where.startswith("~/")):
        yield _err("backup.directory", f"{where!r} is relative: a timer or cron job runs in another directory",
                   "wbtui config set backup.directory /srv/wbtui-backups (or unset it for the default)")
    try:
        if parse_keep(b.keep) < timedelta(days=DEFAULT_KEEP_DAYS):
            yield _warn("backup.keep", f"{b.keep} is less than the guide's week of backups",
                        f"wbtui config set backup.keep {DEFAULT_KEEP_DAYS}d")
    except ValueError as exc:
        yield _err("backup.keep", str(exc), f"wbtui config set backup.keep {DEFAULT_KEEP_DAYS}d")
    if b.to_bucket and not config.server.BUCKET.strip():
        yield _err("backup.to_bucket", "backups go to the bucket, but BUCKET is empty (W&B uses its embedded store)",
                   f"wbtui config set BUCKET '{BUCKET_EXAMPLE}' (or wbtui config set backup.to_bucket false)")
    if not _PREFIX.fullmatch(b.prefix) or "//" in b.prefix or ".." in b.prefix.split("/"):
        yield _err("backup.prefix", f"{b.prefix!r} is not a key prefix (letters, digits, - _ . and /, not "
                   "starting with /, no empty or .. parts)", "wbtui config set backup.prefix wbtui-backups/")
    if b.schedule.strip():
        try:
            parse_schedule(b.schedule)
        except ScheduleError as exc:
            yield _err("backup.schedule", f"{exc}; examples: {SCHEDULE_EXAMPLE}",
                       "wbtui config set backup.schedule daily")
    image, _, tag = b.image.rpartition(":") if ":" in b.image.rsplit("/", 1)[-1] else (b.image, "", "")
    if not _IMAGE.fullmatch(image) or not _TAG.fullmatch(tag):
        yield _err("backup.image", f"{b.image!r} is not an image reference with a tag (repository:tag)",
                   "wbtui config set backup.image mysql:8.0")
    if memory_bytes(b.claim_size) is None:
        yield _err("backup.claim_size", f"{b.claim_size!r} is not a quantity (20Gi, 500G)",
                   "wbtui config set backup.claim_size 20Gi")


CHECKS: tuple[Callable[[Config], Iterable[Finding]], ...] = (
    check_host, check_license, check_bucket, check_bucket_queue, check_region, check_mysql,
    check_runtime, check_kubernetes, check_env, check_keys, check_app, check_backup,
)


def unknown_key_findings(unknown: Iterable[UnknownKey], path: Path) -> list[Finding]:
    """Keys in the file no setting reads: a typo such as HSOT would otherwise be ignored without a word."""
    return [Finding(u.key, "warning", f"{u.key} in {path.name} is not a setting wbtui knows: it is ignored",
                    f"rename it to {u.closest} in {path}" if u.closest else
                    f"remove it from {path} (wbtui config show lists the settings)") for u in unknown]


def validate(config: Config) -> list[Finding]:
    """All findings for a config. Never raises on malformed values."""
    findings: list[Finding] = []
    for check in CHECKS:
        findings.extend(check(config))
    return findings


def validate_field(config: Config, key: str) -> list[Finding]:
    """Findings for one field (the dashboard validates as you type)."""
    key_l = key.lower()
    return [f for f in validate(config) if f.field.lower() == key_l]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
