"""Read a W&B license without trusting it.

A license is a compact JWS (three base64url parts). We check the shape and
decode the payload *without verifying the signature*, so the operator can see
the expiry and claims; anything shown is labelled unverified.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
_EXPIRY_CLAIMS = ("exp", "expiresAt", "expires_at", "expiration")


class LicenseError(ValueError):
    """The text is not shaped like a license; says which part."""


@dataclass(frozen=True)
class LicenseInfo:
    header: dict[str, Any]
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def expires(self) -> datetime | None:
        for name in _EXPIRY_CLAIMS:
            value = self.claims.get(name)
            when = _to_datetime(value)
            if when is not None:
                return when
        return None

    def expired(self, now: datetime | None = None) -> bool:
        exp = self.expires
        return exp is not None and exp <= (now or datetime.now(UTC))

    def summary(self) -> dict[str, Any]:
        """Non-secret claims worth showing (labelled unverified by callers)."""
        shown = {k: v for k, v in self.claims.items() if isinstance(v, str | int | float | bool)}
        if self.expires is not None:
            shown["expires"] = self.expires.isoformat()
        return shown


def _to_datetime(value: Any) -> datetime | None:
    if isinstance(value, int | float) and value > 0:
        try:
            return datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None


def _b64url(part: str, name: str) -> bytes:
    if not part:
        raise LicenseError(f"the {name} part is empty")
    if not _B64URL.fullmatch(part):  # b64decode would silently skip stray characters
        raise LicenseError(f"the {name} part is not base64url (A-Z a-z 0-9 - _ only, no spaces)")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise LicenseError(f"the {name} part is not base64url") from None


def parse_license(text: str) -> LicenseInfo:
    """Decode header and payload of a compact JWS; the signature is only shape-checked."""
    text = text.strip()
    parts = text.split(".")
    if len(parts) != 3:
        raise LicenseError(f"a license has three parts separated by '.', this has {len(parts)}")
    header_raw = _b64url(parts[0], "header")
    payload_raw = _b64url(parts[1], "payload")
    _b64url(parts[2], "signature")
    try:
        header = json.loads(header_raw)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or absurdly nested
        raise LicenseError("the header part is not JSON") from None
    if not isinstance(header, dict):
        raise LicenseError("the header part is not a JSON object")
    try:
        claims = json.loads(payload_raw)
    except (ValueError, RecursionError):
        claims = {}
    return LicenseInfo(header=header, claims=claims if isinstance(claims, dict) else {})
