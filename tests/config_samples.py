"""Sample configurations for the config/render/CLI tests: canary secrets and test licenses."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from wbtui.config.model import Config, set_value


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jws(claims: dict[str, Any] | None = None, header: dict[str, Any] | None = None) -> str:
    """A compact JWS shaped like a W&B license (the signature is random bytes)."""
    head = header if header is not None else {"alg": "RS256", "typ": "JWT"}
    return ".".join([b64url(json.dumps(head).encode()), b64url(json.dumps(claims or {}).encode()),
                     b64url(b"CanarySignature" * 8)])


def license_expiring_in(days: float) -> str:
    return make_jws({"sub": "acme", "exp": int(time.time() + days * 86400), "seats": 10})


# Secrets that must never appear unmasked; they include characters that need quoting/escaping.
BUCKET_SECRET = "CanaryS3cret/+@:?#% é"
MYSQL_PASSWORD = "CanaryDbPass'\"\\ @:/;"
OIDC_SECRET = "CanaryOidcSecret-33"
REDIS_PASSWORD = "CanaryRedisPw91"
LICENSE = license_expiring_in(365)


def canary_config() -> Config:
    """A complete production-like config whose every secret is a canary."""
    from wbtui.config.urls import BucketURL, MysqlURL

    config = Config()
    bucket = BucketURL("CANARYACCESSKEY", BUCKET_SECRET, "minio.example.com", "wandb-files", 9000, True)
    mysql = MysqlURL("wandb_local", MYSQL_PASSWORD, "db.example.com", "wandb_local", 3306)
    for key, value in (
        ("HOST", "https://wandb.example.com"),
        ("LICENSE", LICENSE),
        ("BUCKET", bucket.format()),
        ("AWS_REGION", "us-east-1"),
        ("MYSQL", mysql.format()),
        ("runtime.tag", "0.60.0"),
        ("env.OIDC_CLIENT_SECRET", OIDC_SECRET),
        ("env.OIDC_ISSUER", "https://sso.example.com"),
        ("env.REDIS", f"redis://:{REDIS_PASSWORD}@redis.example.com:6379"),
        ("env.GORILLA_DISABLE_CODE_SAVING", "true"),
    ):
        set_value(config, key, value)
    return config


def canary_strings() -> list[str]:
    """Distinctive pieces of every canary secret (raw, percent-encoded and JSON-escaped forms)."""
    from urllib.parse import quote

    raw = [BUCKET_SECRET, MYSQL_PASSWORD, OIDC_SECRET, REDIS_PASSWORD, LICENSE,
           LICENSE.split(".")[2], "CanaryS3cret", "CanaryDbPass"]
    return raw + [quote(x, safe="") for x in raw] + [json.dumps(x)[1:-1] for x in raw]


def assert_no_canary(text: str) -> None:
    leaked = [c for c in canary_strings() if c in text]
    assert not leaked, f"secret leaked: {leaked!r}"
