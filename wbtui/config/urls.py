"""The URLs W&B Server reads: the BUCKET and MYSQL connection strings, and HOST's parts.

Credentials are percent-encoded inside the URL, so passwords with ``@ : / ? # %``
or spaces survive a round trip: ``parse(format(x)) == x`` for every value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

# Everything outside RFC 3986 "unreserved" is encoded inside credentials.
_SAFE = ""

BUCKET_EXAMPLE = "s3://ACCESS_KEY:SECRET_KEY@minio.example.com:9000/wandb?tls=true"
MYSQL_EXAMPLE = "mysql://wandb_local:PASSWORD@db.example.com:3306/wandb_local"
# RFC 2606 reserves .invalid: a rendered file with an unset HOST is visibly unusable.
PLACEHOLDER_HOST = "wandb.invalid"

_HOST_RE = re.compile(r"\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9\-.]*[A-Za-z0-9])?")
_PORT_RE = re.compile(r"[0-9]{1,5}")


class URLError(ValueError):
    """A connection string that does not parse; says which part is wrong."""

    def __init__(self, part: str, message: str, example: str) -> None:
        super().__init__(f"{part}: {message}")
        self.part = part
        self.message = message
        self.example = example


def _enc(value: str) -> str:
    return quote(value, safe=_SAFE)


def _split_authority(rest: str, scheme: str, example: str) -> tuple[str, str, str, str]:
    """Split ``USER:PASS@HOST[:PORT]/PATH`` into (user, password, hostport, path).

    The last '@' ends the credentials, so an unencoded '@' or '/' in a password
    is still read the way the user meant it.
    """
    if "@" not in rest:
        raise URLError(
            "credentials",
            f"missing USER:PASSWORD@ before the host in the {scheme}:// URL",
            example,
        )
    userinfo, location = rest.rsplit("@", 1)
    hostport, _, path = location.partition("/")
    if ":" not in userinfo:
        raise URLError("credentials", "expected USER:PASSWORD (the ':' is missing)", example)
    user, password = userinfo.split(":", 1)
    if not user:
        raise URLError("user", "the user name is empty", example)
    return unquote(user), unquote(password), hostport, path


def _split_hostport(hostport: str, example: str, default_port: int | None) -> tuple[str, int | None]:
    if not hostport:
        raise URLError("host", "the host is empty", example)
    port: int | None = None
    host = hostport
    if hostport.startswith("["):
        end = hostport.find("]")
        if end == -1:
            raise URLError("host", "unterminated IPv6 address (missing ']')", example)
        host, tail = hostport[: end + 1], hostport[end + 1 :]
        if tail:
            if not tail.startswith(":"):
                raise URLError("port", f"unexpected {tail!r} after the IPv6 address", example)
            port = _port(tail[1:], example)
    elif ":" in hostport:
        host, p = hostport.rsplit(":", 1)
        port = _port(p, example)
    if not _HOST_RE.fullmatch(host):
        raise URLError("host", f"{host!r} is not a valid host name or address", example)
    return host, port if port is not None else default_port


def _port(text: str, example: str) -> int:
    if not _PORT_RE.fullmatch(text) or not 0 < int(text) < 65536:
        raise URLError("port", f"{text!r} is not a port number (1-65535)", example)
    return int(text)


def _hostport(host: str, port: int | None) -> str:
    return f"{host}:{port}" if port is not None else host


@dataclass(frozen=True)
class MysqlURL:
    """``mysql://USER:PASSWORD@HOST[:PORT]/DATABASE``."""

    user: str
    password: str
    host: str
    database: str
    port: int | None = None

    @classmethod
    def parse(cls, text: str) -> MysqlURL:
        text = text.strip()
        if not text.startswith("mysql://"):
            scheme = text.split("://", 1)[0] if "://" in text else ""
            msg = f"scheme must be mysql:// (got {scheme + '://' if scheme else 'none'})"
            raise URLError("scheme", msg, MYSQL_EXAMPLE)
        user, password, hostport, path = _split_authority(text[8:], "mysql", MYSQL_EXAMPLE)
        host, port = _split_hostport(hostport, MYSQL_EXAMPLE, None)
        path = path.split("?", 1)[0]
        if not path:
            raise URLError("database", "the database name after the host is missing", MYSQL_EXAMPLE)
        if "/" in path:
            raise URLError("database", f"{unquote(path)!r} is not a single database name "
                           "(write a '/' inside the name as %2F)", MYSQL_EXAMPLE)
        database = unquote(path)
        return cls(user=user, password=password, host=host, database=database, port=port)

    def format(self) -> str:
        return (
            f"mysql://{_enc(self.user)}:{_enc(self.password)}@"
            f"{_hostport(self.host, self.port)}/{_enc(self.database)}"
        )

    @property
    def effective_port(self) -> int:
        return self.port if self.port is not None else 3306

    def masked(self) -> str:
        return replace(self, password="****" if self.password else "").format().replace(
            "%2A%2A%2A%2A", "****"
        )


@dataclass(frozen=True)
class BucketURL:
    """``s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[?tls=true]``."""

    access_key: str
    secret_key: str
    host: str
    bucket: str
    port: int | None = None
    tls: bool = False
    extra_query: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> BucketURL:
        text = text.strip()
        if not text.startswith("s3://"):
            scheme = text.split("://", 1)[0] if "://" in text else ""
            msg = f"scheme must be s3:// (got {scheme + '://' if scheme else 'none'})"
            raise URLError("scheme", msg, BUCKET_EXAMPLE)
        rest, _, query = text[5:].partition("?")
        key, secret, hostport, path = _split_authority(rest, "s3", BUCKET_EXAMPLE)
        host, port = _split_hostport(hostport, BUCKET_EXAMPLE, None)
        bucket = unquote(path.rstrip("/"))
        if not bucket:
            raise URLError("bucket", "the bucket name after the host is missing", BUCKET_EXAMPLE)
        tls = False
        extra: list[tuple[str, str]] = []
        for k, v in parse_qsl(query, keep_blank_values=True):
            if k == "tls":
                if v.lower() not in ("true", "false"):
                    raise URLError("tls", f"tls must be true or false (got {v!r})", BUCKET_EXAMPLE)
                tls = v.lower() == "true"
            else:
                extra.append((k, v))
        return cls(key, secret, host, bucket, port, tls, tuple(extra))

    def format(self) -> str:
        query = list(self.extra_query)
        if self.tls:
            query.insert(0, ("tls", "true"))
        q = f"?{urlencode(query)}" if query else ""
        return (
            f"s3://{_enc(self.access_key)}:{_enc(self.secret_key)}@"
            f"{_hostport(self.host, self.port)}/{_enc(self.bucket)}{q}"
        )

    @property
    def endpoint_url(self) -> str:
        """The S3 endpoint W&B talks to: http unless ``tls=true``."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{_hostport(self.host, self.port)}"

    def masked(self) -> str:
        return replace(self, secret_key="****" if self.secret_key else "").format().replace(
            "%2A%2A%2A%2A", "****"
        )


@dataclass(frozen=True)
class HostParts:
    scheme: str
    hostname: str
    port: int | None

    @property
    def netloc(self) -> str:
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return f"{host}:{self.port}" if self.port is not None else host

    @property
    def origin(self) -> str:
        """The browser origin (scheme://host[:port]), as CORS compares it."""
        return f"{self.scheme}://{self.netloc}"


def host_parts(host: str) -> HostParts:
    """HOST split into scheme, host name and port; a placeholder when HOST is unusable."""
    try:
        parts = urlsplit(host.strip())
        port = parts.port
    except ValueError:
        return HostParts("https", PLACEHOLDER_HOST, None)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return HostParts("https", PLACEHOLDER_HOST, None)
    return HostParts(parts.scheme, parts.hostname, port)
