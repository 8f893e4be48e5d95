"""Secrets stay masked: in values shown to people and in any text we pass on. The one home of redaction.

`mask_value` hides the secret part of one setting and keeps the rest readable;
`Redactor` scrubs secrets out of arbitrary text in every form one may be written in:
as is, percent-encoded (either hex case, ``quote`` and ``quote_plus``), JSON-escaped
(ASCII or not, Go's HTML escapes), base64 and base64url at any alignment (so a
password inside ``Authorization: Basic base64(user:password)`` is found),
shell-quoted, SQL-quoted, YAML double-quoted and Python ``repr``. `forms_of` is that
list, defined once; the support bundle's leak scan looks for the same forms.

The named redactors differ only in what else they mask:

- `screen` (what people read), `logs` (the server's log lines) and `bundle` (the
  doctor report and support bundle) also mask any ``scheme://user:password@``;
- `examples`: our own fix suggestions, whose placeholder URL passwords stay;
- `revealed`: nothing masked, for ``--reveal``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

from .model import SECRET_SERVER_KEYS, Config, env_is_secret
from .urls import BucketURL, MysqlURL, URLError

MASK = "****"
# Anchored on the literal "://" so a scan of long log text does not backtrack at every letter.
_URL_PASSWORD = re.compile(r"(?P<pre>://[^:/@\s]*:)(?P<pw>[^@\s]+)(?P<post>@)")
_HEX = re.compile(r"%[0-9A-F]{2}")
# A URL's password left at the end of a cut text, before its "@".
_CUT_URL_PASSWORD = re.compile(r"(?P<pre>://[^:/@\s]*:)[^@\s]+$")
SHORTEST_FORM = 4
"""Encoded forms shorter than this are not masked (they would hit ordinary text); a secret as written always is."""


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


def secrets_of(config: Config) -> set[str]:
    """Every secret string the config holds, as written (`forms_of` gives the ways each may appear)."""
    return _raw_secrets(config)


# -- the forms of one secret -------------------------------------------------------------------


def percent_encoded(secret: str) -> set[str]:
    """As inside a URL or a form body: ``quote`` and ``quote_plus``, ``/`` kept or not, either hex case."""
    upper = {encode(secret, safe=safe) for encode in (quote, quote_plus) for safe in ("", "/")}
    return upper | {_HEX.sub(lambda m: m.group().lower(), x) for x in upper}


def json_escaped(text: str) -> set[str]:
    """As inside a JSON string: non-ASCII as is or ``\\u`` escaped, ``\\/``, and Go's ``\\u003c`` for ``<>&``."""
    import json  # json and base64 only once a secret's forms are built, not on the way to the first frame

    plain = {json.dumps(text, ensure_ascii=ascii_only)[1:-1] for ascii_only in (True, False)}
    go = {x.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") for x in plain}
    return plain | go | {x.replace("/", "\\/") for x in plain}


def base64_encoded(secret: str) -> set[str]:
    """Base64 and base64url, padded and not, and at each of the three alignments inside a longer blob.

    ``base64(user:password)`` holds the password's bytes after ``len(user) + 1`` others: for a
    prefix of 0-2 bytes, the characters that hold only the secret's bits are a fixed string.
    """
    import base64

    data = secret.encode("utf-8")
    found: set[str] = set()
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(data).decode("ascii")
        found |= {whole, whole.rstrip("=")}
        for prefix, skip in ((0, 0), (1, 2), (2, 3)):
            blob = encode(b"\0" * prefix + data).decode("ascii")
            found.add(blob[skip:(prefix + len(data)) // 3 * 4])
    return found


_YAML_ESCAPES = {"\0": "0", "\x07": "a", "\x08": "b", "\t": "t", "\n": "n", "\x0b": "v", "\x0c": "f", "\r": "r",
                 "\x1b": "e", '"': '"', "\\": "\\", "\x85": "N", "\xa0": "_", "\u2028": "L", "\u2029": "P"}


def _yaml_double(secret: str, allow_unicode: bool) -> str:
    """Inside a YAML double-quoted scalar, escaped as PyYAML writes it."""
    out = []
    for ch in secret:
        wide = allow_unicode and ("\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd") and ch != "\ufeff"
        if ch in _YAML_ESCAPES and not (wide and ch == "\xa0"):
            out.append("\\" + _YAML_ESCAPES[ch])
        elif "\x20" <= ch <= "\x7e" or (wide and ch not in "\u2028\u2029"):
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02X}" if ch <= "\xff" else f"\\u{ord(ch):04X}" if ch <= "\uffff"
                       else f"\\U{ord(ch):08X}")
    return "".join(out)


_BACKSLASH_ESCAPES = str.maketrans({"\0": "\\0", "\n": "\\n", "\r": "\\r", "\x1a": "\\Z", "\\": "\\\\",
                                    "'": "\\'", '"': '\\"'})


def quoted(secret: str) -> set[str]:
    """Inside quotes: shell (``shlex.quote``, ``'\\''``, double quotes), SQL, YAML and Python's ``repr``."""
    return {
        secret.replace("'", "'\"'\"'"),  # shlex.quote
        secret.replace("'", "'\\''"),
        re.sub(r'([\\"$`])', r"\\\1", secret),  # shell double quotes
        secret.replace("'", "''"),  # SQL with NO_BACKSLASH_ESCAPES, YAML single quotes
        secret.replace("\\", "\\\\").replace("\0", "\\0").replace("'", "''"),  # config/sql_quoting
        secret.translate(_BACKSLASH_ESCAPES),  # MySQL's escape_string (pymysql)
        _yaml_double(secret, allow_unicode=True),
        _yaml_double(secret, allow_unicode=False),
        repr(secret)[1:-1],
    }


@lru_cache(maxsize=512)
def forms_of(secret: str) -> frozenset[str]:
    """Every way ``secret`` may be written in text; encoded forms under SHORTEST_FORM characters are left out."""
    written = {secret} | quoted(secret)
    found = written | percent_encoded(secret) | base64_encoded(secret)
    for text in written:
        found |= json_escaped(text)
    found |= {x for text in json_escaped(secret) for x in json_escaped(text)}  # a JSON log line inside JSON
    return frozenset({x for x in found if len(x) >= SHORTEST_FORM} | {secret})


# -- the redactors ------------------------------------------------------------------------------


def _secrets(configs: tuple[Config | None, ...], extra: Iterable[str]) -> frozenset[str]:
    found = {x for x in extra if x}
    for config in configs:
        if config is not None:
            found |= _raw_secrets(config)
    return frozenset(found)


def screen(*configs: Config | None, extra: Iterable[str] = ()) -> Redactor:
    """For text people read: the secrets of every config given (saved and draft), and any URL password."""
    return Redactor(_secrets(configs, extra))


def examples(*configs: Config | None) -> Redactor:
    """For our own fix suggestions: the configs' secrets, but not the placeholder PASSWORD of an example URL."""
    return Redactor(_secrets(configs, ()), urls=False)


def logs(*configs: Config | None) -> Redactor:
    """For the server's log lines (shown live, saved, diagnosed): as `screen`."""
    return screen(*configs)


def bundle(config: Config) -> Redactor:
    """For the doctor report and the support bundle, which leave the machine: as `screen`."""
    return screen(config)


def revealed() -> Redactor:
    """For ``--reveal``: the user asked to see the secrets, so nothing is masked."""
    return Redactor(urls=False)


def bundle_forms(config: Config) -> set[str]:
    """What the support bundle's leak scan looks for: every form of every secret `bundle` masks."""
    return set(bundle(config).forms)


_END = ""  # marks, in a trie node, that a form ends there (every other key is one character)


def _trie(forms: Iterable[str]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for form in forms:
        node = root
        for ch in form:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return root


def _pattern(node: dict[str, Any]) -> str:
    """The trie as one regex: shared prefixes written once, so a position costs one walk, not one try per form.

    Where a form ends and a longer one goes on, the longer is tried first (a greedy ``?``).
    """
    head = []
    while len(node) == 1 and _END not in node:
        ((ch, node),) = node.items()
        head.append(re.escape(ch))
    branches = [re.escape(ch) + _pattern(child) for ch, child in node.items() if ch != _END]
    if not branches:
        return "".join(head)
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:
        body = f"(?:{body})?" if len(branches) == 1 else body + "?"
    return "".join(head) + body


@lru_cache(maxsize=32)
def _compiled(secrets: frozenset[str]) -> tuple[frozenset[str], dict[str, Any], re.Pattern[str] | None]:
    """(forms, their trie, one regex of them all) for a set of secrets; built once per set (~ms)."""
    forms = frozenset(form for secret in secrets for form in forms_of(secret))
    trie = _trie(forms)
    return forms, trie, re.compile(_pattern(trie)) if forms else None


class Redactor:
    """Masks every form of the given secrets (and, with ``urls``, any URL password) in free text."""

    def __init__(self, secrets: Iterable[str] = (), urls: bool = True) -> None:
        self.forms, self._trie, self._regex = _compiled(frozenset(x for x in secrets if x))
        self._longest = max(map(len, self.forms), default=0)
        self._urls = urls

    def __call__(self, text: str) -> str:
        if self._regex is not None:
            text = self._regex.sub(MASK, text)
        return mask_url_password(text) if self._urls else text

    def clip(self, text: str, limit: int | None = None, *, whole: bool = True) -> str:
        """Redacted, then at most ``limit`` characters: redaction first, so a cut never splits a secret.

        ``whole=False`` says ``text`` was itself cut off (a body read only in part): the start of
        a secret (SHORTEST_FORM characters or more) or of a URL password left at a cut is masked.
        """
        text = self(text)
        if not whole:
            text = self._mask_cut(text)
        return self._mask_cut(text[:limit]) if limit is not None and len(text) > limit else text

    def _mask_cut(self, text: str) -> str:
        for start in range(max(0, len(text) - self._longest), len(text) - SHORTEST_FORM + 1):
            if self._starts_a_form(text, start):
                text = text[:start] + MASK
                break
        return _CUT_URL_PASSWORD.sub(lambda m: f"{m['pre']}{MASK}", text) if self._urls else text

    def _starts_a_form(self, text: str, start: int) -> bool:
        node = self._trie
        for ch in text[start:]:
            if ch not in node:
                return False
            node = node[ch]
        return True
