"""The front door judged: HOST's certificate (expiry, trust, name) and whether large uploads get through.

The guide asks for a trusted TLS certificate on the load balancer and a proxy that
does not limit request bodies. Each part is a finding with a severity (ok, unknown:
not measured, warn, critical) and what to do; `wbtui probe`, `wbtui doctor`, the
Health pane and the Overview all show the same findings.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .certificate import CertificateCheck, inspect_certificate, trust_context
from .upload_size import BODY_FIX, UploadCheck, probe_upload
from .x509 import CertificateFields

if TYPE_CHECKING:
    from ..config.model import Config

OK, UNKNOWN, WARN, CRITICAL = "ok", "unknown", "warn", "critical"
ORDER = (OK, UNKNOWN, WARN, CRITICAL)
WARN_DAYS = 21
CRITICAL_DAYS = 7
RENEW_FIX = ("renew it (`certbot renew`, or ask your CA), install it on the load balancer and reload it "
             "(`nginx -s reload`)")
CHAIN_FIX = ("serve the full chain: the certificate followed by its intermediate(s) (certbot's fullchain.pem as "
             "ssl_certificate); for a private CA, add its certificate to every client's store (here: SSL_CERT_FILE)")
SELF_SIGNED_FIX = ("use a certificate from a trusted CA (e.g. Let's Encrypt with certbot) or from your private CA "
                   "that clients trust: W&B does not support self-signed certificates")
NO_TLS_FIX = "terminate TLS at the load balancer (`wbtui render nginx`) and set HOST to https://"


@dataclass
class DoorFinding:
    id: str
    severity: str
    title: str
    message: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "severity": self.severity, "title": self.title, "message": self.message,
                "fix": self.fix}


@dataclass
class FrontDoor:
    host: str
    findings: list[DoorFinding]
    certificate: CertificateCheck | None = None
    upload: UploadCheck | None = None
    checked: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def severity(self) -> str:
        return max((f.severity for f in self.findings), key=ORDER.index, default=OK)

    @property
    def critical(self) -> list[DoorFinding]:
        return [f for f in self.findings if f.severity == CRITICAL]

    def summary(self) -> str:
        """One line: the certificate's days left and issuer (or the worst finding), and the uploads."""
        cert = self.certificate
        worst = next((f for f in reversed(self.findings) if f.severity == self.severity), None)
        if cert is not None and cert.fields is not None and self.severity in (OK, UNKNOWN):
            issuer = cert.fields.issuer.get("O") or cert.fields.issuer.get("CN") or "?"
            passes = self.upload is not None and self.upload.passed is True
            return f"certificate {cert.days_left} days left ({issuer})" + (", large uploads pass" if passes else "")
        return worst.message if worst is not None else "nothing checked"

    def to_dict(self) -> dict[str, Any]:
        return {"host": self.host, "severity": self.severity, "checked": self.checked.isoformat(),
                "findings": [f.to_dict() for f in self.findings],
                "certificate": self.certificate.to_dict() if self.certificate else None,
                "upload": self.upload.to_dict() if self.upload else None}


def _trust_fix(check: CertificateCheck) -> str:
    reason = check.trust_error
    if "local issuer" in reason or "issuer certificate" in reason:
        return CHAIN_FIX
    if "self-signed" in reason or "self signed" in reason:
        if check.fields is not None and not check.fields.self_issued:
            return CHAIN_FIX  # a private root at the top of the chain
        return SELF_SIGNED_FIX
    return CHAIN_FIX


def judge_certificate(check: CertificateCheck) -> list[DoorFinding]:
    """Expiry, trust and name findings for one certificate check."""
    where = f"{check.host}:{check.port}"
    if check.error or check.fields is None:
        return [DoorFinding("tls.certificate", UNKNOWN, "Certificate", f"not checked: {check.error}",
                            check.error_fix)]
    fields = check.fields
    findings = []
    seconds, days = check.seconds_left or 0.0, check.days_left
    until = f"{fields.not_after:%Y-%m-%d}"
    if seconds <= 0:
        findings.append(DoorFinding("tls.expiry", CRITICAL, "Certificate expiry",
                                    f"the certificate of {where} expired on {until}", RENEW_FIX))
    elif seconds <= CRITICAL_DAYS * 86400:
        findings.append(DoorFinding("tls.expiry", CRITICAL, "Certificate expiry",
                                    f"the certificate expires in {days} days ({until})", RENEW_FIX))
    elif seconds <= WARN_DAYS * 86400:
        findings.append(DoorFinding("tls.expiry", WARN, "Certificate expiry",
                                    f"the certificate expires in {days} days ({until})", RENEW_FIX))
    else:
        findings.append(DoorFinding("tls.expiry", OK, "Certificate expiry",
                                    f"{days} days left (until {until})"))
    issuer = CertificateFields.name_text(fields.issuer)
    if check.trusted:
        findings.append(DoorFinding("tls.trust", OK, "Certificate chain",
                                    f"trusted by this machine's CA store; issuer {issuer}; {check.tls_version}"))
    elif "expired" not in check.trust_error:  # an expired one is said above, with its fix
        findings.append(DoorFinding("tls.trust", CRITICAL, "Certificate chain",
                                    f"not trusted by this machine's CA store ({check.trust_error}); issuer {issuer}",
                                    _trust_fix(check)))
    names = ", ".join(check.names) or "no subjectAltName"
    if check.name_matches:
        findings.append(DoorFinding("tls.name", OK, "Certificate name", f"{check.host} is among its names ({names})"))
    else:
        findings.append(DoorFinding("tls.name", CRITICAL, "Certificate name",
                                    f"the certificate does not name {check.host} (it names: {names})",
                                    f"issue a certificate whose subjectAltName includes {check.host} "
                                    f"(`certbot certonly -d {check.host}`), or set HOST to a name it carries"))
    return findings


def judge_upload(upload: UploadCheck | None, why_not: str = "") -> DoorFinding:
    if upload is None:
        return DoorFinding("proxy.body_size", UNKNOWN, "Large uploads", f"not measured: {why_not}")
    if upload.passed is True:
        return DoorFinding("proxy.body_size", OK, "Large uploads", upload.message)
    if upload.passed is False:
        return DoorFinding("proxy.body_size", CRITICAL, "Large uploads", upload.message, BODY_FIX)
    return DoorFinding("proxy.body_size", WARN, "Large uploads", upload.message,
                       f"{BODY_FIX}; if HOST does not answer at all, see `wbtui probe`")


def check_front_door(config: Config, *, timeout: float | None = None) -> FrontDoor | None:
    """Judge HOST's front door; None when HOST is not set. Never raises for network trouble."""
    host = config.server.HOST.strip().rstrip("/")
    if not host:
        return None
    limit = timeout if timeout is not None else config.app.timeout
    try:
        parts = urlsplit(host)
        port = parts.port
    except ValueError:
        return FrontDoor(host, [DoorFinding("tls.certificate", UNKNOWN, "Front door", f"HOST {host!r} is not a URL",
                                            "set HOST to https://NAME[:PORT] (wbtui config set HOST ...)")])
    base = f"{parts.scheme}://{parts.netloc}"
    upload: UploadCheck | None = None
    if parts.scheme != "https" or not parts.hostname:
        findings = [DoorFinding(
            "tls.scheme", WARN, "TLS",
            "HOST is http://: the front door has no TLS. Logins, API keys and the object store's signed URLs "
            "that W&B hands out cross the network in clear (anyone on the path can use a URL until it expires), "
            "and browsers mark the app not secure", NO_TLS_FIX)]
        upload = probe_upload(base, timeout=limit)
        return FrontDoor(host, [*findings, judge_upload(upload)], upload=upload)
    cert = inspect_certificate(parts.hostname, port or 443, timeout=limit)
    findings = judge_certificate(cert)
    if cert.trusted and cert.name_matches:
        upload = probe_upload(base, timeout=limit, verify=_verifying())
        findings.append(judge_upload(upload))
    else:
        why = cert.error or "HOST's certificate is not accepted, and wbtui does not upload without verifying it"
        findings.append(judge_upload(None, why))
    return FrontDoor(host, findings, cert, upload)


def _verifying() -> ssl.SSLContext:
    """The chain as the certificate check judged it, and the host name checked too."""
    context = trust_context()
    context.check_hostname = True
    return context


ICONS = {OK: "✔", UNKNOWN: "…", WARN: "!", CRITICAL: "✘"}
STYLES = {OK: "green", UNKNOWN: "dim", WARN: "yellow", CRITICAL: "bold red"}
"""How the CLI's reports colour each severity (rich style names)."""


def report_lines(door: FrontDoor) -> list[tuple[str, str]]:
    """(severity, text) per line for a report: each finding, then its fix when it is not ok."""
    out = []
    for f in door.findings:
        out.append((f.severity, f"{ICONS[f.severity]} {f.severity.upper():<8} {f.title}: {f.message}"))
        if f.fix and f.severity != OK:
            out.append((f.severity, f"      fix: {f.fix}"))
    return out
