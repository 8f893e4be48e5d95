"""The LICENSE setting: missing, malformed, expired, or its server out of reach."""

from __future__ import annotations

from .facts import Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "license-invalid", "Malformed or invalid license", "error",
        "The LICENSE value is not a valid W&B license (truncated when pasted, quoted, or from another "
        "deployment).",
        "Paste the whole license from W&B's deploy manager (three base64url parts joined by '.', no "
        "quotes or line breaks): `wbtui config set LICENSE ...`, then `wbtui restart`.",
        patterns=(r"invalid licen[cs]e", r"licen[cs]e (is )?(malformed|invalid|not valid)",
                  r"compact JWS format must have three parts", r"go-jose.*(signature|cryptographic|JWS)"),
    ),
    Rule(
        "license-expired", "License expired", "error",
        "The license's expiry date has passed; after the grace period the UI is locked.",
        "Ask W&B for a renewed license, `wbtui config set LICENSE ...` and `wbtui restart`.",
        patterns=(r"licen[cs]e (has )?expired", r"expired licen[cs]e", r"renew your licen[cs]e"),
    ),
    Rule(
        "license-server-unreachable", "License server unreachable", "warning",
        "The server cannot reach W&B's license service (no outbound internet, a proxy, or DNS).",
        "Allow outbound HTTPS to api.wandb.ai / deploy.wandb.ai (or set HTTPS_PROXY in the container's "
        "env); for air-gapped sites ask W&B for an offline license.",
        patterns=(r"licen[cs]e server failed",
                  r"(licen[cs]e|deploy|api)\.wandb\.ai[^\s]*:? ?.*(no such host|connection refused|i/o timeout|"
                  r"network is unreachable|TLS handshake timeout|context deadline exceeded)"),
    ),
)
