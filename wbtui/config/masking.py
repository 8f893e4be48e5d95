"""Secrets stay masked: in values shown to people and in any text we pass on.

`mask_value` hides the secret part of one setting and keeps the rest readable;
`Redactor` scrubs every secret of a config out of arbitrary text (logs,
exception messages, support bundles), including their percent-encoded forms.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from .model import SECRET_SERVER_KEYS, Config, env_is_secret
from .urls import BucketURL, MysqlURL, URLError

MASK = "****"
# Anchored on the literal "://" so a scan of long log text does not backtrack at every letter.
_URL_PASSWORD = re.compile(r"(?P<pre>://[^:/@\s]*:)(?P<pw>[^@\s]+)(?P<post>@)")


def mask_url_password(text: str) -> str:
    """Hide the password of any ``scheme://user:password@`` in text."""
    if "://" not in text:
        return text
    return _URL_PASSWORD.sub(lambda m: f"{m['pre']}{MASK}{m['post']}", text)


def mask_value(key: str, value: str | None) -> str:
    """The value as it may be shown: secrets hidden, structure kept."""
    if value is None or value == "":
        return "" if value is None else value
    name = key.upper()
    if name == "BUCKET":
        try:
            return BucketURL.parse(value).masked()
        except URLError:
            return mask_url_password(value) if "@" in value else MASK
    if name == "MYSQL":
        try:
            return MysqlURL.parse(value).masked()
        except URLError:
            return mask_url_password(value) if "@" in value else MASK
    if name == "LICENSE":
        return f"{MASK} ({len(value)} chars)"
    if name.startswith("ENV."):
        name = name[4:]
        if env_is_secret(name):
            return MASK
        return mask_url_password(value)
    if name in SECRET_SERVER_KEYS:
        return MASK
    return value


def secrets_of(config: Config) -> set[str]:
    """Every secret string the config holds, as written and as percent-encoded."""
    found: set[str] = set()
    s = config.server
    if s.LICENSE:
        found.add(s.LICENSE)
    for text, parser, attr in ((s.BUCKET, BucketURL, "secret_key"), (s.MYSQL, MysqlURL, "password")):
        if not text:
            continue
        try:
            found.add(getattr(parser.parse(text), attr))
        except URLError:
            m = _URL_PASSWORD.search(text)
            if m:
                found.add(m["pw"])
    for name, value in config.env.items():
        if env_is_secret(name) and value:
            found.add(value)
        m = _URL_PASSWORD.search(value)
        if m:
            found.add(m["pw"])
    found = {x for x in found if len(x) >= 3}
    # Also the forms a secret takes inside URLs and JSON text (quotes, backslashes, unicode).
    encoded = {quote(x, safe="") for x in found}
    encoded |= {json.dumps(x, ensure_ascii=ascii_only)[1:-1] for x in found for ascii_only in (True, False)}
    return found | encoded


class Redactor:
    """Replaces every secret of a config (and URL passwords) in free text."""

    def __init__(self, config: Config | None = None, extra: set[str] | None = None,
                 urls: bool = True) -> None:
        """``urls=False`` keeps URL passwords that are not the config's own secrets, for
        text we wrote ourselves, such as the placeholder PASSWORD in an example."""
        secrets = secrets_of(config) if config is not None else set()
        secrets |= {x for x in (extra or set()) if x}
        ordered = sorted(secrets, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(x) for x in ordered)) if ordered else None
        self._urls = urls

    def __call__(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return mask_url_password(text) if self._urls else text
