"""Which Docker daemon wbtui talks to, and the client for it: one rule for every caller.

DOCKER_HOST, else the default socket (the docker CLI's rule, minus contexts). The
backend, the container importer and the setup's "is Docker here?" all connect
through ``connect``, so they ask the same daemon and fail with the same explanations.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULT_HOST = "unix:///var/run/docker.sock"


def docker_host() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


def connect(timeout: float, op_timeout: float | None = None) -> Any:
    """A client for ``docker_host()``: ``timeout`` to connect, ``op_timeout`` for slow reads (pulls, stats)."""
    import docker

    from ..base import Unreachable
    from .errors import translated

    with translated("connect to the Docker daemon", timeout=timeout):
        try:
            client = docker.from_env(timeout=int(timeout) or 1)
        except ValueError as exc:  # the SDK's URL parsing: a port that is no number, an unclosed [IPv6
            raise Unreachable(f"DOCKER_HOST={docker_host()} is not a valid Docker address ({exc})",
                              "set DOCKER_HOST to unix:///var/run/docker.sock or tcp://HOST:PORT, "
                              "or unset it") from None
    client.api.timeout = op_timeout if op_timeout is not None else timeout
    return client
