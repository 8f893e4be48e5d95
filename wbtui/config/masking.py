"""Secrets stay masked: in values shown to people and in any text we pass on. The one home of redaction.

`mask_value` hides the secret part of one setting and keeps the rest readable;
`Redactor` scrubs every secret of a config out of arbitrary text. Callers pick a
named policy for what the text is:

- `screen`: what people read (terminal, dashboard, our own messages);
- `examples`: our own fix suggestions, whose placeholder URL passwords stay;
- `logs`: the server's log lines, shown live, saved and diagnosed;
- `bundle`: the doctor report and support bundle, which leave the machine
  (`bundle_forms` is what the leak scan looks for);
- `revealed`: nothing masked, for ``--reveal``.

A policy is a list of forms: each form is one way a secret can be written in text
(percent-encoded, JSON-escaped...), defined once below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote

from .model import SECRET_SERVER_KEYS, Config, env_is_secret
from .urls import BucketURL, MysqlURL, URLError

MASK = "****"
# Anchored on the literal "://" so a scan of long log text does not backtrack at every letter.
_URL_PASSWORD = re.compile(r"(?P<pre>://[^:/@\s]*:)(?P<pw>[^@\s]+)(?P<post>@)")
_HEX = re.compile(r"%[0-9A-F]{2}")


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


def _raw_secrets(config: Config) -> set[str]:
    """Every secret string the config holds, as written (three characters or more)."""
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
    return {x for x in found if len(x) >= 3}


# A form: from the forms found so far, the further ones a secret may take in text.
Form = Callable[[set[str]], set[str]]


def percent_encoded(forms: set[str]) -> set[str]:
    """As inside a URL (upper-case hex, as we and most libraries write it)."""
    return {quote(x, safe="") for x in forms}


def json_escaped(forms: set[str]) -> set[str]:
    """As inside JSON text: quotes and backslashes escaped, non-ASCII as is or as \\u escapes."""
    return {json.dumps(x, ensure_ascii=ascii_only)[1:-1] for x in forms for ascii_only in (True, False)}


def lower_hex(forms: set[str]) -> set[str]:
    """Percent-encodings in lower-case hex (%2f), as some clients and servers re-encode URLs."""
    return {_HEX.sub(lambda m: m.group().lower(), x) for x in forms if "%" in x}


@dataclass(frozen=True)
class Policy:
    """Which forms of each secret a kind of text is scrubbed of, and whether any URL password is too."""

    forms: tuple[Form, ...]
    urls: bool = True

    def secrets(self, *configs: Config | None, extra: Iterable[str] = ()) -> set[str]:
        """The configs' secrets (and ``extra`` ones, such as an admin password) in this policy's forms."""
        found = {x for x in extra if x}
        for config in configs:
            if config is not None:
                found |= _raw_secrets(config)
        for form in self.forms:
            found |= form(found)
        return found

    def redactor(self, *configs: Config | None, extra: Iterable[str] = ()) -> Redactor:
        return Redactor(self.secrets(*configs, extra=extra), urls=self.urls)


SCREEN = Policy((percent_encoded, json_escaped))
EXAMPLES = Policy(SCREEN.forms, urls=False)
LOGS = Policy((percent_encoded, json_escaped, lower_hex))
# The same forms as LOGS today; its own name so a form costly on a live stream can be added here alone.
BUNDLE = Policy(LOGS.forms)
REVEALED = Policy((), urls=False)


def secrets_of(config: Config) -> set[str]:
    """Every secret string the config holds, in every form the screen policy masks."""
    return SCREEN.secrets(config)


def screen(*configs: Config | None, extra: Iterable[str] = ()) -> Redactor:
    """For text people read: the secrets of every config given (saved and draft), and any URL password."""
    return SCREEN.redactor(*configs, extra=extra)


def examples(*configs: Config | None) -> Redactor:
    """For our own fix suggestions: the configs' secrets, but not the placeholder PASSWORD of an example URL."""
    return EXAMPLES.redactor(*configs)


def logs(*configs: Config | None) -> Redactor:
    """For the server's log lines: screen's masking, plus lower-case percent-encodings."""
    return LOGS.redactor(*configs)


def bundle(config: Config) -> Redactor:
    """For the doctor report and the support bundle: every form a secret may take."""
    return BUNDLE.redactor(config)


def revealed() -> Redactor:
    """For ``--reveal``: the user asked to see the secrets, so nothing is masked."""
    return REVEALED.redactor()


def bundle_forms(config: Config) -> set[str]:
    """What the support bundle's leak scan looks for: the forms `bundle` masks."""
    return BUNDLE.secrets(config)


class Redactor:
    """Replaces the given secrets (and, with ``urls``, any URL password) in free text; get one from a policy."""

    def __init__(self, secrets: Iterable[str] = (), urls: bool = True) -> None:
        ordered = sorted({x for x in secrets if x}, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(x) for x in ordered)) if ordered else None
        self._urls = urls

    def __call__(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return mask_url_password(text) if self._urls else text
