"""Which Docker endpoint the docker CLI would use here: DOCKER_HOST, else the current context.

The docker CLI's rule: ``DOCKER_HOST``, else ``DOCKER_CONTEXT``, else ``currentContext`` in
``$DOCKER_CONFIG/config.json`` (default ``~/.docker``), else the ``default`` context (the
local socket). A context's endpoint is in ``contexts/meta/<sha256 of name>/meta.json``
beside that config and its TLS files in ``contexts/tls/<sha256>/docker/``.

Read here rather than through the SDK's ``docker.context.ContextAPI`` (7.x), which looks
for the store beside whichever config file it finds (``./contexts`` when there is no
config.json, ``~/.docker`` when ``$DOCKER_CONFIG`` holds none), turns a context that does
not exist into "no context" (so ``from_env`` silently uses the local socket) and never says
which context it chose. Plain files, no client library: the dashboard shows the endpoint.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...config.masking import mask_url_password

DEFAULT_HOST = "unix:///var/run/docker.sock"
DEFAULT_CONTEXT = "default"


@dataclass(frozen=True)
class TLSFiles:
    """A context's TLS material (paths only: the key stays where docker keeps it)."""

    ca: str = ""
    cert: str = ""
    key: str = ""
    verify: bool = True


@dataclass(frozen=True)
class Endpoint:
    """The daemon address in use, the context that named it (``""``: DOCKER_HOST) and why that one."""

    host: str
    context: str = DEFAULT_CONTEXT
    source: str = ""
    tls: TLSFiles | None = None
    problem: str = ""
    """Set when the chosen context cannot be used (missing, unreadable): ``connect`` refuses with it."""

    @property
    def scheme(self) -> str:
        return self.host.partition("://")[0] if "://" in self.host else ""

    @property
    def local(self) -> bool:
        """The daemon runs on this host (a unix socket): its files and processes are ours to look at."""
        return self.scheme == "unix"

    @property
    def address(self) -> str:
        """The host as it may be shown (a password in the URL masked)."""
        return mask_url_password(self.host)

    @property
    def socket_path(self) -> str:
        return self.host[len("unix://"):] if self.local else ""

    @property
    def context_note(self) -> str:
        """`` (context "prod")`` when a named context chose the endpoint, else nothing."""
        return f' (context "{self.context}")' if self.context and self.context != DEFAULT_CONTEXT else ""

    @property
    def shown(self) -> str:
        return self.address + self.context_note

    @property
    def origin(self) -> str:
        """Where the address was set, for "is not a valid address" messages."""
        if self.context == "":
            return f"DOCKER_HOST={self.address}"
        return f"the Docker address {self.address} of context \"{self.context}\" ({self.source})"


def config_dir(environ: Any = None) -> Path:
    """The docker CLI's configuration directory: ``$DOCKER_CONFIG``, else ``~/.docker``."""
    env = os.environ if environ is None else environ
    return Path(env.get("DOCKER_CONFIG") or Path.home() / ".docker")


def context_id(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def resolve(environ: Any = None) -> Endpoint:
    """The endpoint the docker CLI would talk to with this environment and configuration."""
    env = os.environ if environ is None else environ
    if env.get("DOCKER_HOST"):
        return Endpoint(env["DOCKER_HOST"], "", "DOCKER_HOST")
    base = config_dir(env)
    if env.get("DOCKER_CONTEXT"):
        name, source = env["DOCKER_CONTEXT"], "DOCKER_CONTEXT"
    else:
        name = _current_context(base / "config.json")
        source = f"currentContext in {base / 'config.json'}" if name else ""
    if name in ("", DEFAULT_CONTEXT):
        return Endpoint(DEFAULT_HOST, DEFAULT_CONTEXT, source)
    return _load(base, name, source)


def _current_context(path: Path) -> str:
    """``currentContext`` of config.json; the docker CLI warns about and ignores a broken file, as this does."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    name = data.get("currentContext") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""


def _load(base: Path, name: str, source: str) -> Endpoint:
    meta_file = base / "contexts" / "meta" / context_id(name) / "meta.json"
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        docker = meta["Endpoints"]["docker"]
        host = docker.get("Host") or DEFAULT_HOST
        skip_verify = bool(docker.get("SkipTLSVerify", False))
    except FileNotFoundError:
        return Endpoint("", name, source, problem=f'Docker context "{name}" (from {source}) does not exist: '
                                                  f"no {meta_file}")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return Endpoint("", name, source, problem=f'Docker context "{name}" (from {source}) cannot be read: '
                                                  f"{meta_file}: {type(exc).__name__} {exc}")
    if not isinstance(host, str):
        return Endpoint("", name, source, problem=f'Docker context "{name}" (from {source}) has no Docker '
                                                  f"address in {meta_file}")
    return Endpoint(host, name, source, _tls(base / "contexts" / "tls" / context_id(name) / "docker", skip_verify))


def _tls(folder: Path, skip_verify: bool) -> TLSFiles | None:
    """The context's TLS files as the docker CLI takes them (any of ca/cert/key.pem), or None without any."""
    files = {part: str(folder / f"{part}.pem") for part in ("ca", "cert", "key") if (folder / f"{part}.pem").is_file()}
    if not files and not skip_verify:
        return None
    return TLSFiles(files.get("ca", ""), files.get("cert", ""), files.get("key", ""), verify=not skip_verify)


@dataclass(frozen=True)
class SSHTarget:
    """``ssh://[user@]host[:port]`` taken apart as the docker CLI does (no password, no path)."""

    user: str
    host: str
    port: str

    def args(self) -> list[str]:
        """ssh's arguments for this destination, before the remote command."""
        return [*(["-l", self.user] if self.user else []), *(["-p", self.port] if self.port else []),
                "--", self.host]

    @property
    def command(self) -> str:
        """The command an operator types to try the same connection by hand."""
        port = f"-p {self.port} " if self.port else ""
        return f"ssh {port}{self.user + '@' if self.user else ''}{self.host}"


def ssh_target(host: str) -> SSHTarget:
    """The ssh destination of an ``ssh://`` address; ValueError says what is wrong with it."""
    url = urlsplit(host)
    if url.password is not None:
        raise ValueError("ssh takes no password in the address: use a key or ssh-agent")
    if url.path not in ("", "/") or url.query or url.fragment:
        raise ValueError("an ssh address is ssh://[user@]host[:port] with nothing after the host")
    if not url.hostname:
        raise ValueError("no host after ssh://")
    port = url.port  # raises ValueError for a port that is no number or out of range
    return SSHTarget(url.username or "", url.hostname, str(port) if port else "")
