"""The certificate on the front door: what HOST's TLS port presents, and whether clients will trust it.

One verifying handshake answers "trusted by this machine's store" (the system CA
store, or SSL_CERT_FILE / SSL_CERT_DIR when set: the bundle that trusts a private
CA). When it fails, a second handshake that verifies nothing reads the same
certificate, so an untrusted or expired one is still described (issuer, names,
expiry) next to why it was refused. Verification is never turned off for anything
else; the host name is matched against the certificate's subjectAltName here, so
a wrong name and an untrusted chain are reported apart.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .x509 import BadCertificate, CertificateFields, parse_certificate


@dataclass
class CertificateCheck:
    """What one look at ``host:port`` found (``error`` set when there was no TLS answer at all)."""

    host: str
    port: int
    checked: datetime = field(default_factory=lambda: datetime.now(UTC))
    fields: CertificateFields | None = None
    tls_version: str = ""
    trusted: bool = False
    trust_error: str = ""
    """OpenSSL's reason when the chain was refused (``self-signed certificate``, ``unable to get local issuer
    certificate``, ``certificate has expired``)."""
    name_matches: bool = False
    error: str = ""
    error_fix: str = ""

    @property
    def seconds_left(self) -> float | None:
        return None if self.fields is None else (self.fields.not_after - self.checked).total_seconds()

    @property
    def days_left(self) -> int | None:
        seconds = self.seconds_left
        return None if seconds is None else int(seconds // 86400)

    @property
    def names(self) -> list[str]:
        return [] if self.fields is None else [*self.fields.dns_names, *self.fields.ip_addresses]

    def to_dict(self) -> dict[str, Any]:
        f = self.fields
        return {"host": self.host, "port": self.port, "checked": self.checked.isoformat(),
                "subject": CertificateFields.name_text(f.subject) if f else None,
                "issuer": CertificateFields.name_text(f.issuer) if f else None,
                "names": self.names, "not_before": f.not_before.isoformat() if f else None,
                "not_after": f.not_after.isoformat() if f else None, "days_left": self.days_left,
                "tls_version": self.tls_version, "trusted": self.trusted, "trust_error": self.trust_error,
                "name_matches": self.name_matches, "error": self.error, "error_fix": self.error_fix}


def _label_matches(pattern: str, host: str) -> bool:
    """RFC 6125: exact (case-insensitive), or ``*`` as the whole leftmost label standing for one label."""
    pattern, host = pattern.lower().rstrip("."), host.lower().rstrip(".")
    if not pattern.startswith("*."):
        return pattern == host
    first, dot, rest = host.partition(".")
    return bool(first) and bool(dot) and rest == pattern[2:] and "*" not in rest


def name_matches(fields: CertificateFields, host: str) -> bool:
    """Whether the certificate names ``host`` (an IP address against its IP entries, a name against its DNS
    entries; the subject's CN is not used, as browsers and Python do not use it)."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return any(_label_matches(name, host) for name in fields.dns_names)
    return any(ipaddress.ip_address(ip) == address for ip in fields.ip_addresses)


def _handshake(context: ssl.SSLContext, host: str, port: int, timeout: float) -> tuple[bytes, str]:
    server_name = None if _is_address(host) else host
    with socket.create_connection((host, port), timeout=timeout) as raw, \
            context.wrap_socket(raw, server_hostname=server_name) as tls:
        return tls.getpeercert(binary_form=True) or b"", tls.version() or ""


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def trust_context() -> ssl.SSLContext:
    """Verifies the chain against this machine's store (SSL_CERT_FILE/SSL_CERT_DIR honoured); the name is
    matched separately."""
    context = ssl.create_default_context()
    context.check_hostname = False
    return context


def _reading_context() -> ssl.SSLContext:
    """Only to read a certificate the trusting handshake refused: nothing sent over it but the handshake."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def inspect_certificate(host: str, port: int, *, timeout: float = 5.0) -> CertificateCheck:
    """Connect to ``host:port`` over TLS and describe its certificate; never raises for network trouble."""
    from .probe import classify_error

    check = CertificateCheck(host, port)
    try:
        try:
            der, check.tls_version = _handshake(trust_context(), host, port, timeout)
            check.trusted = True
        except ssl.SSLCertVerificationError as exc:
            check.trust_error = exc.verify_message or str(exc)
            der, check.tls_version = _handshake(_reading_context(), host, port, timeout)
    except TimeoutError:
        check.error = f"no TLS answer from {host}:{port} within {timeout:g}s"
        check.error_fix = "check that the load balancer is up and that no firewall drops the port"
        return check
    except Exception as exc:
        _kind, check.error, check.error_fix = classify_error(exc, timeout)
        return check
    try:
        check.fields = parse_certificate(der)
    except BadCertificate as exc:
        check.error = f"the certificate {host}:{port} sent cannot be read ({exc})"
        check.error_fix = "check the certificate file the load balancer serves (openssl x509 -in FILE -text)"
        return check
    check.name_matches = name_matches(check.fields, host)
    return check
