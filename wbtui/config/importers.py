"""Adopt an existing install: the shared import result, the env-file importer, image references.

The container and manifest importers live with their backends (``runtime/docker/importer``,
``runtime/kubernetes/importer``); ``runtime/importers`` picks one by format. Each importer
starts from a base config (the current one, or defaults), overlays what it finds and
returns notes: one finding per setting imported (info) or skipped
(warning), never with the value itself, since most of them are secrets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .model import Config, FieldError, set_value
from .validate import Finding

MAIN_KEYS = ("HOST", "LICENSE", "BUCKET", "BUCKET_QUEUE", "AWS_REGION", "MYSQL")

# Variables every base image or Docker itself sets: not part of the W&B configuration.
_IMAGE_ENV = frozenset({
    "PATH", "HOSTNAME", "HOME", "TERM", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "SHLVL",
    "PWD", "DEBIAN_FRONTEND", "container",
})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)")
_DOUBLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$", "`": "`"}


class ImportFailure(Exception):
    """The source cannot be read at all (no such container, not a manifest, ...)."""


@dataclass
class ImportResult:
    config: Config
    notes: list[Finding] = field(default_factory=list)
    source: str = ""

    def note(self, key: str, what: str) -> None:
        self.notes.append(Finding(key, "info", f"imported from {what}"))

    def skip(self, key: str, why: str, fix: str = "") -> None:
        self.notes.append(Finding(key, "warning", f"skipped: {why}", fix))

    def put(self, key: str, value: Any, what: str) -> None:
        """Set one field, noting a value the model refuses instead of failing the import."""
        try:
            set_value(self.config, key, value)
        except FieldError as exc:
            self.skip(key, exc.message, f"wbtui config set {key} ...")
        else:
            self.note(key, what)

    def put_env(self, env: dict[str, str], what: str) -> None:
        """Map the guide's variables to their fields and everything else to env.* extras."""
        for name, value in env.items():
            if name in MAIN_KEYS:
                self.put(name, value, what)
            elif name in _IMAGE_ENV:
                self.skip(f"env.{name}", "set by the image or Docker, not W&B configuration")
            elif not _ENV_NAME.fullmatch(name):
                self.skip(f"env.{name}", "not a valid variable name")
            else:
                self.put(f"env.{name}", value, what)


def base_config(config: Config | None) -> Config:
    return config.copy() if config is not None else Config()


def as_dict(value: Any) -> dict[str, Any]:
    """Malformed sources (a list where a mapping belongs) read as empty, never raise."""
    return value if isinstance(value, dict) else {}


def dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# --- env files -------------------------------------------------------------------------


def parse_env_text(text: str) -> tuple[dict[str, str], list[Finding]]:
    """``KEY=VALUE`` lines as a shell would read them: comments, quotes, ``export``.

    Lines that are not assignments are reported by line number, never echoed (they may
    hold a secret).
    """
    env: dict[str, str] = {}
    notes: list[Finding] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.fullmatch(line)
        if match is None:
            notes.append(Finding(f"line {number}", "warning", "skipped: not a KEY=VALUE line"))
            continue
        try:
            env[match[1]] = _env_value(match[2])
        except ValueError as exc:
            notes.append(Finding(f"line {number}", "warning", f"skipped {match[1]}: {exc}"))
    return env, notes


def _env_value(text: str) -> str:
    text = text.strip()
    if text[:1] == "'":
        end = text.find("'", 1)
        if end == -1:
            raise ValueError("unterminated single quote")
        _only_comment_after(text[end + 1 :])
        return text[1:end]
    if text[:1] == '"':
        out: list[str] = []
        i = 1
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                nxt = text[i + 1]
                out.append(_DOUBLE_ESCAPES.get(nxt, "\\" + nxt))
                i += 2
                continue
            if ch == '"':
                _only_comment_after(text[i + 1 :])
                return "".join(out)
            out.append(ch)
            i += 1
        raise ValueError("unterminated double quote")
    # Unquoted: a '#' after whitespace starts a comment.
    return re.split(r"\s+#", text, maxsplit=1)[0].rstrip()


def _only_comment_after(rest: str) -> None:
    rest = rest.strip()
    if rest and not rest.startswith("#"):
        raise ValueError("text after the closing quote")


def import_env_text(text: str, base: Config | None = None, source: str = "env file") -> ImportResult:
    env, notes = parse_env_text(text)
    result = ImportResult(base_config(base), notes, source)
    result.put_env(env, source)
    return result


# --- image references -------------------------------------------------------------------


def split_image(ref: str) -> tuple[str, str]:
    """``repo[:tag][@digest]`` into (image, tag); a digest stays with the image, tag empty."""
    if "@" in ref:
        return ref, ""
    name, sep, tag = ref.rpartition(":")
    if sep and "/" not in tag:
        return name, tag
    return ref, "latest"
