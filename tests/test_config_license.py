"""Licenses: shape checked, payload decoded without verification, expiry read from claims."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.config_samples import b64url, make_jws
from wbtui.config.license import LicenseError, parse_license


def test_claims_and_expiry() -> None:
    info = parse_license(make_jws({"sub": "acme", "exp": 4_102_444_800, "seats": 5, "nested": {"x": 1}}))
    assert info.header["alg"] == "RS256"
    assert info.expires == datetime(2100, 1, 1, tzinfo=UTC)
    assert not info.expired()
    summary = info.summary()
    assert summary["sub"] == "acme" and summary["seats"] == 5 and "nested" not in summary
    assert summary["expires"].startswith("2100-01-01")


@pytest.mark.parametrize("claim", ["exp", "expiresAt", "expires_at", "expiration"])
def test_expiry_claim_names_and_iso_dates(claim: str) -> None:
    info = parse_license(make_jws({claim: "2020-01-02T03:04:05Z"}))
    assert info.expires == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert info.expired()


def test_unreadable_payload_still_has_shape() -> None:
    token = ".".join([b64url(b'{"alg":"none"}'), b64url(b"\xff\xfe not json"), b64url(b"sig")])
    assert parse_license(token).claims == {}


@pytest.mark.parametrize(("token", "words"), [
    ("abc", "three parts"),
    ("a.b.c.d", "three parts"),
    (".e30.c2ln", "header part is empty"),
    ("e30.e30.", "signature part is empty"),
    ("e30.e30.***", "signature part is not base64url"),
    (b64url(b"[1]") + ".e30.c2ln", "not a JSON object"),
    (b64url(b"{") + ".e30.c2ln", "not JSON"),
    (b64url(b"[" * 100_000) + ".e30.c2ln", "not JSON"),
])
def test_malformed(token: str, words: str) -> None:
    with pytest.raises(LicenseError, match=words):
        parse_license(token)


@given(st.text())
def test_arbitrary_text_only_raises_license_error(text: str) -> None:
    try:
        info = parse_license(text)
    except LicenseError:
        return
    info.summary()
    info.expired()
