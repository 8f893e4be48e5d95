"""What several renderers need: the container environment as it may be shown."""

from __future__ import annotations

from dataclasses import fields

from ..config.masking import mask_url_password, mask_value
from ..config.model import SECRET_SERVER_KEYS, Config, ServerSettings, container_env, env_is_secret

GUIDE_VARIABLES = frozenset(f.name for f in fields(ServerSettings))


def is_secret_env(name: str, value: str) -> bool:
    """Whether a container variable must be kept out of plain text (args, manifests, units)."""
    if name in SECRET_SERVER_KEYS:
        return True
    return env_is_secret(name) or mask_url_password(value) != value


def shown_value(name: str, value: str, reveal: bool) -> str:
    """A container variable's value as a renderer may print it."""
    if reveal:
        return value
    key = name if name in GUIDE_VARIABLES else f"env.{name}"
    return mask_value(key, value)


def shown_env(config: Config, reveal: bool) -> dict[str, str]:
    """The container environment (guide variables, then extras), masked unless revealed."""
    return {name: shown_value(name, value, reveal) for name, value in container_env(config).items()}
