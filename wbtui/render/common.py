"""What several renderers need: HOST's parts and the container env as it may be shown."""

from __future__ import annotations

from dataclasses import dataclass, fields
from urllib.parse import urlsplit

from ..config.masking import mask_url_password, mask_value
from ..config.model import SECRET_SERVER_KEYS, Config, ServerSettings, container_env, env_is_secret

GUIDE_VARIABLES = frozenset(f.name for f in fields(ServerSettings))

# RFC 2606 reserves .invalid: a rendered file with an unset HOST is visibly unusable.
PLACEHOLDER_HOST = "wandb.invalid"


@dataclass(frozen=True)
class HostParts:
    scheme: str
    hostname: str
    port: int | None

    @property
    def netloc(self) -> str:
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return f"{host}:{self.port}" if self.port is not None else host

    @property
    def origin(self) -> str:
        """The browser origin (scheme://host[:port]), as CORS compares it."""
        return f"{self.scheme}://{self.netloc}"


def host_parts(config: Config) -> HostParts:
    """HOST split into scheme, host name and port; a placeholder when HOST is unusable."""
    try:
        parts = urlsplit(config.server.HOST.strip())
        port = parts.port
    except ValueError:
        return HostParts("https", PLACEHOLDER_HOST, None)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return HostParts("https", PLACEHOLDER_HOST, None)
    return HostParts(parts.scheme, parts.hostname, port)


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
