"""Which Docker daemon wbtui talks to, and the client for it: one rule for every caller.

The docker CLI's rule (``contexts.resolve``): DOCKER_HOST, else DOCKER_CONTEXT, else the
current context of ~/.docker/config.json, else the local socket. The backend, the container
importer and the setup's "is Docker here?" all connect through ``connect``, so they ask the
same daemon and fail with the same explanations, naming that endpoint.
"""

from __future__ import annotations

from typing import Any

from .contexts import DEFAULT_HOST, Endpoint, resolve


def endpoint() -> Endpoint:
    """The endpoint in use now (read each time: a ``docker context use`` elsewhere counts at once)."""
    return resolve()


def docker_host() -> str:
    return endpoint().host


def connect(timeout: float, op_timeout: float | None = None) -> Any:
    """A client for ``endpoint()``: ``timeout`` to connect, ``op_timeout`` for slow reads (pulls, stats)."""
    from ..base import Unreachable
    from .errors import INVALID_FIX, translated

    where = endpoint()
    if where.problem:
        raise Unreachable(where.problem, "list the contexts with docker context ls, then docker context use NAME "
                                         "(or unset DOCKER_CONTEXT, or set DOCKER_HOST)")
    with translated("connect to the Docker daemon", timeout=timeout):
        try:
            client = _ssh_client(where, timeout) if where.scheme == "ssh" else _client(where, timeout)
        except ValueError as exc:  # the SDK's URL parsing: a port that is no number, an unclosed [IPv6
            raise Unreachable(f"{where.origin} is not a valid Docker address ({exc})", INVALID_FIX) from None
    client.api.timeout = op_timeout if op_timeout is not None else timeout
    if not where.host.startswith(("tcp://", "http://", "https://")):
        # No proxy or .netrc applies to a local socket or an ssh pipe; requests would still scan the
        # environment for them on every call (~20% of a status poll's client CPU, measured).
        client.api.trust_env = False
    return client


def _client(where: Endpoint, timeout: float) -> Any:
    import docker
    from docker.utils import kwargs_from_env

    if where.context == "":  # DOCKER_HOST with DOCKER_TLS_VERIFY / DOCKER_CERT_PATH, read as the SDK does
        return docker.DockerClient(timeout=int(timeout) or 1, **kwargs_from_env())
    tls: Any = False
    if where.tls is not None:
        cert = (where.tls.cert, where.tls.key) if where.tls.cert and where.tls.key else None
        tls = docker.tls.TLSConfig(client_cert=cert, ca_cert=where.tls.ca or None, verify=where.tls.verify)
    return docker.DockerClient(base_url=where.host, tls=tls, timeout=int(timeout) or 1)


def _ssh_client(where: Endpoint, timeout: float) -> Any:
    """A client whose connections are ``ssh ... docker system dial-stdio`` (see ``ssh.py``)."""
    import docker

    from .contexts import ssh_target
    from .ssh import SSHAdapter

    target = ssh_target(where.host)
    # A client built for a socket with a fixed API version contacts nothing; the ssh adapter then takes
    # the SDK's http+docker:// prefix and the API version is asked over it, as docker.from_env asks.
    client = docker.DockerClient(base_url=DEFAULT_HOST, version=docker.constants.MINIMUM_DOCKER_API_VERSION,
                                 timeout=int(timeout) or 1)
    client.api.mount("http+docker://", SSHAdapter(target, timeout))
    try:
        client.api._version = client.api.version(api_version=False)["ApiVersion"]
    except BaseException:
        client.close()
        raise
    return client
