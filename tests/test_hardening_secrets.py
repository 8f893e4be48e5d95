"""Secrets in every form: revealed files are private, and one redactor masks every encoding of a secret.

A secret reaches text quoted for a shell, escaped for SQL, YAML or JSON, percent-encoded
in a URL or base64-encoded inside ``Authorization: Basic``; the encoders below are the
ones renderers, clients and servers use, and each of their outputs must come out of
every redactor (screen, logs, bundle) and the bundle's leak scan unrecognisable.
"""

from __future__ import annotations

import base64
import json
import re
import shlex
import stat
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

import pymysql.converters
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_cli_config import Wbtui
from wbtui.config import masking, store
from wbtui.config.masking import MASK
from wbtui.config.model import Config, set_value
from wbtui.config.sql_quoting import sql_string
from wbtui.config.urls import BucketURL, MysqlURL
from wbtui.ops.bundle import find_leaks

# -- 1. --reveal -o FILE is private whatever the secret's characters ----------------------------

SPECIALS = ("'", "\\", '"', "$", "%", ":", "@", "/", "#", "é€😀")
SECRETS = [f"Canary{ch}Secret9" for ch in SPECIALS] + ["Can'a\\r\"y$%:@/#é€😀"]


def _sql_literal(text: str) -> str:
    """The value of the password literal in ``IDENTIFIED BY '...'`` (backslash escapes on)."""
    literal = re.search(r"IDENTIFIED BY '((?:[^'\\]|''|\\.)*)';", text)
    assert literal, text
    return re.sub(r"''|\\(.)", lambda m: "'" if m.group() == "''" else {"0": "\0"}.get(m[1], m[1]), literal[1])


def _env_values(text: str) -> list[str]:
    """Every value of the command lines (docker run, mc), as the shell passes them."""
    return shlex.split(text.replace("\\\n", " "), comments=True)


def _yaml_values(text: str) -> list[str]:
    return [v for doc in yaml.safe_load_all(text) if doc and doc.get("kind") == "Secret"
            for v in doc["stringData"].values()]


def _config(kind: str, secret: str) -> Config:
    """A config whose only secret is ``secret``, where ``kind`` writes it."""
    config = Config()
    set_value(config, "HOST", "https://wandb.example.com")
    if kind == "sql":
        set_value(config, "MYSQL", MysqlURL("wandb", secret, "db.example.com", "wandb", 3306).format())
    elif kind == "mc":
        set_value(config, "BUCKET", BucketURL("ACCESSKEY", secret, "minio.example.com", "wandb", 9000, True).format())
    else:
        set_value(config, "env.OIDC_CLIENT_SECRET", secret)
    return config


RENDERED: dict[str, Callable[[str], list[str]]] = {
    "docker": _env_values,
    "mc": _env_values,
    "sql": lambda text: [_sql_literal(text)],
    "kubernetes": _yaml_values,
}


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("kind", RENDERED)
def test_a_revealed_file_is_private_whatever_the_secret_holds(kind: str, secret: str, tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """On main a secret the renderer quoted or escaped was not found in the text: the file was 0644."""
    path = tmp_path / "config.toml"
    store.save(_config(kind, secret), path)
    wbtui = Wbtui(path, capsys, monkeypatch)
    revealed, masked = tmp_path / f"{kind}.out", tmp_path / f"{kind}.masked"
    code, out, err = wbtui("render", kind, "--reveal", "-o", str(revealed))
    assert code == 0 and out == "" and f"wrote {revealed} (mode 0600)" in err, err
    assert stat.S_IMODE(revealed.stat().st_mode) == 0o600
    text = revealed.read_text()
    values = RENDERED[kind](text)
    assert any(secret in value for value in values), (secret, values)  # the file holds it, as its reader reads it
    redacted = masking.screen(_config(kind, secret))(text).replace(MASK, "MASKED")  # "****" is no YAML value
    assert not any(secret in value for value in RENDERED[kind](redacted))  # and the redactor knows how it is written
    assert wbtui("render", kind, "-o", str(masked))[0] == 0
    assert stat.S_IMODE(masked.stat().st_mode) == 0o644
    assert not any(form in masked.read_text() for form in masking.forms_of(secret))


# -- 2. one redactor: every encoding, embedded in any text --------------------------------------


def _strip_quotes(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def _yaml(secret: str, **style: object) -> str:
    return _strip_quotes(yaml.safe_dump(secret, width=float("inf"), **style).removesuffix("\n...\n").rstrip("\n"))


def _b64(data: bytes, urlsafe: bool = False) -> str:
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()


def encodings(secret: str) -> dict[str, str]:
    """The secret as each encoder writes it (quotes a form is wrapped in left off)."""
    pct = {"quote": quote(secret, safe=""), "quote/": quote(secret), "quote_plus": quote_plus(secret, safe=""),
           "quote_plus/": quote_plus(secret)}
    data = secret.encode()
    return {
        "raw": secret,
        **pct, **{f"{name} lower-hex": _lower_hex(value) for name, value in pct.items()},
        "json": json.dumps(secret)[1:-1],
        "json unicode": json.dumps(secret, ensure_ascii=False)[1:-1],
        "json in json": json.dumps(json.dumps(secret))[1:-1],
        "go json": json.dumps(secret)[1:-1].replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"),
        "base64": _b64(data), "base64 unpadded": _b64(data).rstrip("="),
        "base64url": _b64(data, True), "base64url unpadded": _b64(data, True).rstrip("="),
        "shlex.quote": _strip_quotes(shlex.quote(secret)),
        "shell '\\''": secret.replace("'", "'\\''"),
        "shell double quotes": re.sub(r'([\\"$`])', r"\\\1", secret),
        "sql_string": sql_string(secret)[1:-1],
        "sql_string no backslash escapes": sql_string(secret, True)[1:-1],
        "pymysql escape_string": pymysql.converters.escape_string(secret),
        "yaml": _yaml(secret, allow_unicode=True), "yaml ascii": _yaml(secret),
        "yaml double-quoted": _yaml(secret, allow_unicode=True, default_style='"'),
        "yaml double-quoted ascii": _yaml(secret, default_style='"'),
        "repr": repr(secret)[1:-1],
    }


def basic_auth_inside(user: str, secret: str, urlsafe: bool) -> tuple[str, str]:
    """(``base64(user:secret)``, its characters that hold only the secret's bits)."""
    head = f"{user}:".encode()
    blob = _b64(head + secret.encode(), urlsafe)
    first, end = -(-len(head) * 8 // 6), (len(head) + len(secret.encode())) * 8 // 6
    return blob, blob[first:end]


def _redactors(secret: str) -> dict[str, masking.Redactor]:
    config = Config()
    config.env["API_TOKEN"] = secret
    return {"screen": masking.screen(extra=[secret]), "logs": masking.logs(config), "bundle": masking.bundle(config)}


# Printable ASCII, the characters that need escaping, and any other printable Unicode (no
# controls, surrogates or line separators); "*" is left out: it is the mask's own character,
# so masked text would seem to hold it.
SECRET_TEXT = st.text(st.one_of(st.sampled_from("'\"\\%:/@+=$#&<>`"),
                                st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="*"),
                                st.characters(exclude_categories=("C", "Zl", "Zp"), exclude_characters="*")),
                      min_size=6, max_size=64)
AROUND = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="*"), max_size=24)


@settings(derandomize=True, max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(secret=SECRET_TEXT, before=AROUND, after=AROUND, user=st.text("abcdefgh", max_size=5))
def test_every_redactor_masks_every_encoding(secret: str, before: str, after: str, user: str) -> None:
    config = Config()
    config.env["API_TOKEN"] = secret
    forms = encodings(secret)
    texts = {form: f"{before}{encoded}{after}" for form, encoded in forms.items()}
    for urlsafe in (False, True):
        blob, inside = basic_auth_inside(user, secret, urlsafe)
        forms[f"basic auth{' url' if urlsafe else ''}"] = inside
        texts[f"basic auth{' url' if urlsafe else ''}"] = f"{before}Authorization: Basic {blob}{after}"
    for name, redact in _redactors(secret).items():
        for form, text in texts.items():
            shown = redact(text)
            assert forms[form] not in shown, f"{name} left {form} {forms[form]!r} in {shown!r}"
    for form, text in texts.items():
        assert find_leaks({"logs.txt": text}, config) == ["logs.txt"], f"the bundle's scan missed {form}"


def test_the_forms_are_precompiled_once_and_short_forms_are_skipped() -> None:
    """One regex per set of secrets, longest forms first; a short secret is masked as written all the same."""
    assert {form for form in masking.screen(extra=["abc"]).forms if len(form) < masking.SHORTEST_FORM} == {"abc"}
    a, b = masking.screen(extra=["Cn@ry:p/w#"]), masking.logs()
    assert a._regex is masking.screen(extra=["Cn@ry:p/w#"])._regex and b._regex is None
    assert all(len(form) >= masking.SHORTEST_FORM for form in masking.forms_of("Cn@ry:p/w#"))
    # The longest form wins where several start: "pw'x" SQL-quoted is "pw''x", not "pw'" + "'x".
    assert masking.screen(extra=["pw'xyz"])("IDENTIFIED BY 'pw''xyz';") == f"IDENTIFIED BY '{MASK}';"


def test_the_logs_pane_masks_lower_case_hex_and_basic_auth() -> None:
    """The two forms measured leaking on main: a lower-hex percent-encoding and a Basic header."""
    config = Config()
    config.server.MYSQL = MysqlURL("wandb", "Cn@ry:p/w#", "db", "wandb", 3306).format()
    redact = masking.logs(config)
    assert redact("dial mysql://wandb:Cn%40ry%3ap%2fw%23@db:3306 failed") == "dial mysql://wandb:****@db:3306 failed"
    assert redact("GET /?p=Cn%40ry%3Ap%2Fw%23") == "GET /?p=****"
    header, inside = basic_auth_inside("wandb", "Cn@ry:p/w#", urlsafe=False)
    assert inside in header and inside not in redact(f"Authorization: Basic {header}")


def test_clip_masks_a_secret_cut_in_two() -> None:
    redact = masking.screen(extra=["Cn@ry:p/w#"])
    assert redact.clip("password=Cn@ry:p/w# and more", 12) == "password=****"[:12]
    assert redact.clip("password=Cn@r", whole=False) == f"password={MASK}"
    assert redact.clip("dial mysql://u:hunter", whole=False) == f"dial mysql://u:{MASK}"
    assert redact.clip("x Cn@", whole=False) == "x Cn@"  # under four characters: not a secret's start


# -- 3. wbtui probe: a response body is redacted before it is cut ------------------------------

PROBE_SECRET = "Cn@ry:p/w#"


class BodyServer:
    """A server on 127.0.0.1 answering every GET 500 with ``body``; with ``hold``, only its first
    ``hold`` bytes come until ``release`` is set (the rest of the body is still owed, as by a slow server)."""

    def __init__(self, body: bytes, hold: int | None = None) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(500)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                cut = len(body) if hold is None else hold
                try:
                    self.wfile.write(body[:cut])
                    self.wfile.flush()
                    if cut < len(body):
                        server.release.wait(30)
                        self.wfile.write(body[cut:])
                except OSError:  # the prober read what it needed and hung up
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


def _probe_config(license_key: str = "") -> Config:
    config = Config()
    config.server.MYSQL = MysqlURL("wandb", PROBE_SECRET, "db", "wandb", 3306).format()
    config.server.LICENSE = license_key
    config.app.timeout = 5.0
    return config


async def _probe(config: Config, server: BodyServer) -> list[str]:
    from wbtui.health.probe import Prober

    try:
        sample = await Prober(config, url=server.url).sample()
    finally:
        server.close()
    return [sample.healthz.message, sample.ready.message]


@pytest.mark.parametrize("shown", [4, 5, 9])
async def test_a_secret_across_the_shown_cut_is_masked(shown: int) -> None:
    """The first line is shown up to 80 characters: on main it was cut first, leaving ``Cn@ry`` to be seen."""
    head = "x" * (80 - len("password=") - shown)
    server = BodyServer(f"{head}password={PROBE_SECRET} and more".encode())
    for message in await _probe(_probe_config(), server):
        assert message.startswith("500 Internal Server Error (xxx") and PROBE_SECRET[:4] not in message, message


async def test_a_secret_across_the_read_cut_is_masked() -> None:
    """Only 512 bytes of the body are read; a long secret before it redacts to ****, so the cut one shows."""
    license_key = "L" * 496  # the secret starts at byte 506
    body = f"{license_key} password={PROBE_SECRET} and more".encode()
    server = BodyServer(body, hold=512)
    assert PROBE_SECRET[:4].encode() in body[:512] and PROBE_SECRET.encode() not in body[:512]
    for message in await _probe(_probe_config(license_key), server):
        assert message == f"500 Internal Server Error ({MASK} password={MASK})", message


def test_wbtui_probe_prints_no_part_of_a_cut_secret(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    store.save(_probe_config(), path)
    server = BodyServer(f"{'x' * 66}password={PROBE_SECRET}".encode())
    try:
        code, out, err = Wbtui(path, capsys, monkeypatch)("probe", "--url", server.url)
    finally:
        server.close()
    assert code == 1 and "/healthz: 500 Internal Server Error" in out and "password=****" in out, out
    assert PROBE_SECRET[:4] not in out + err
