"""The LICENSE setting: missing, malformed, expired, or its server out of reach.

Each is told apart by what the server (or its UI banner, quoted in reports) says:
missing: "You need a license for this instance of W&B Local" (wandb/wandb#2890,
wandb/server#89; gorilla's config line then shows ``License:,``);
malformed: "Invalid License square/go-jose: compact JWS format must have three
parts" (wandb/server#138) or "Invalid License json: ..." (wandb/wandb#9110);
expired: "You need to renew your license immediately ... grace period has
elapsed" (wandb/wandb#5520); unreachable: "Request to license server failed:
... no such host" (wandb/wandb#6704).
"""

from __future__ import annotations

from .facts import Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "license-missing", "No license", "warning",
        "The server runs without a license (LICENSE is empty and none was saved in /system-admin), so it "
        "shows the 'You need a license' banner and keeps the unlicensed limits.",
        "Get the license of this deployment from https://deploy.wandb.ai (an existing deployment's license "
        "is reused, not re-created), then `wbtui config set LICENSE ...` and `wbtui up`.",
        patterns=(r"You need a licen[cs]e for this instance of W&B",),
    ),
    Rule(
        "license-invalid", "Malformed or invalid license", "error",
        "The LICENSE value is not a valid W&B license (truncated when pasted, quoted, from another "
        "deployment, or issued with a field the server cannot read).",
        "Paste the whole license from W&B's deploy manager (three base64url parts joined by '.', no "
        "quotes or line breaks): `wbtui config set LICENSE ...`, then `wbtui up`. If the deploy "
        "manager's license itself is rejected (\"Invalid License json: ...\"), ask W&B support to reissue it.",
        patterns=(r"invalid licen[cs]e", r"licen[cs]e (is )?(malformed|invalid|not valid)",
                  r"compact JWS format must have three parts", r"go-jose.*(signature|cryptographic|JWS)"),
    ),
    Rule(
        "license-expired", "License expired", "error",
        "The license's expiry date has passed; after the grace period the UI is locked.",
        "Ask W&B for a renewed license (support@wandb.com, or the deploy manager), `wbtui config set "
        "LICENSE ...` and `wbtui up`.",
        patterns=(r"licen[cs]e (has )?expired", r"expired licen[cs]e", r"renew your licen[cs]e",
                  r"grace period has elapsed"),
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
