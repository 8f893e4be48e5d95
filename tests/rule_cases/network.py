"""Positive and negative cases: TLS trust and the HOST origin."""

from __future__ import annotations

from .base import GORILLA_CONFIG, Case

CASES = [
    Case("tls-untrusted", True, ['Get "https://minio.example.com:9000/wandb/?location=": x509: certificate '
                                 "signed by unknown authority"]),
    Case("tls-untrusted", True, ["x509: certificate has expired or is not yet valid: current time "
                                 "2026-11-28T10:00:00Z is after 2026-10-01T00:00:00Z"]),
    Case("tls-untrusted", False, ["*** Found custom SSL certifcates, updating root trust...",
                                  "Updating certificates in /etc/ssl/certs..."]),  # [public] helm-charts#90
    Case("origin-not-allowed", True, ["request origin not allowed: http://127.0.0.1:8080"]),  # [public] #46
    Case("origin-not-allowed", False, [GORILLA_CONFIG]),
]
