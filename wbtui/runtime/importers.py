"""Importing an existing install from a file: pick the importer by format (env, docker, kubernetes).

The env-file importer is in ``config/importers``; the container and manifest ones
live with their backends. This module knows all three, so it sits above them.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from ..config.importers import ImportFailure, ImportResult, import_env_text

if TYPE_CHECKING:
    from ..config.model import Config


def detect_format(text: str) -> str:
    """Guess the source format: docker (inspect JSON), kubernetes (has a kind) or env."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            loaded = json.loads(text)
        except ValueError:
            return "env"
        first = loaded[0] if isinstance(loaded, list) and loaded else loaded
        if isinstance(first, dict) and "Config" in first and "HostConfig" in first:
            return "docker"
        return "kubernetes"
    if re.search(r"^\s*(apiVersion|kind)\s*:", text, re.MULTILINE):
        return "kubernetes"
    return "env"


def import_text(text: str, fmt: str, base: Config | None = None, source: str = "") -> ImportResult:
    """Import file contents in the given format (env, docker or kubernetes)."""
    if fmt == "env":
        return import_env_text(text, base, source or "env file")
    if fmt == "docker":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportFailure(f"not docker inspect JSON: {exc}") from None
        from .docker.importer import import_docker_inspect

        return import_docker_inspect(data, base, source=source or "docker inspect")
    if fmt == "kubernetes":
        from .kubernetes.importer import import_kubernetes

        return import_kubernetes(text, base, source or "manifest")
    raise ImportFailure(f"unknown format {fmt!r} (env, docker or kubernetes)")
