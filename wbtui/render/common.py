"""What several renderers need: the container environment as it may be shown, and the bucket to set up."""

from __future__ import annotations

from dataclasses import fields

from ..config.masking import mask_url_password, mask_value
from ..config.model import SECRET_SERVER_KEYS, Config, ServerSettings, container_env, env_is_secret
from ..config.urls import BucketURL, URLError

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


def bucket_or_note(config: Config) -> BucketURL | str:
    """BUCKET parsed, or the comment a bucket script prints instead when there is none to set up."""
    if not config.server.BUCKET.strip():
        return "# BUCKET is empty: the container's embedded store under /vol is used; no bucket to set up.\n"
    try:
        return BucketURL.parse(config.server.BUCKET)
    except URLError as exc:
        return f"# BUCKET is not usable ({exc.part}); set it first, e.g. wbtui config set BUCKET '{exc.example}'\n"
