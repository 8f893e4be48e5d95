"""Docker SDK failures turned into typed, explained runtime problems.

The SDK reports an absent daemon, a refused connection and a permission problem
as the same DockerException with the real cause buried in its chain; operators
need to know which one it is and what to do about it, in one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..base import ImageMissing, NameConflict, PermissionDenied, PortInUse, RuntimeProblem, Unreachable
from .connect import docker_host

START_DOCKER = "start Docker (systemctl start docker) or point DOCKER_HOST at a running daemon"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (cause, context, urllib3's reason, args)."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        cur = todo.pop(0)
        if cur is None or id(cur) in seen:
            continue
        seen.add(id(cur))
        yield cur
        todo.extend(x for x in (cur.__cause__, cur.__context__, getattr(cur, "reason", None))
                    if isinstance(x, BaseException))
        todo.extend(a for a in getattr(cur, "args", ()) if isinstance(a, BaseException))


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


def connection_problem(exc: BaseException, timeout: float | None = None) -> RuntimeProblem | None:
    """The daemon-side problem behind ``exc`` (socket missing, refused, denied, timed out)."""
    import requests.exceptions

    host = docker_host()
    path = host[len("unix://"):] if host.startswith("unix://") else host
    chain = list(_chain(exc))
    text = " ".join(str(x) for x in chain)
    if any(isinstance(x, PermissionError) for x in chain) or "Permission denied" in text:
        return PermissionDenied(
            f"permission denied on the Docker socket {path}",
            "add your user to the docker group (sudo usermod -aG docker $USER, then log in again) "
            "or run wbtui as root")
    if any(isinstance(x, FileNotFoundError) for x in chain):
        return Unreachable(f"Docker daemon not reachable: no socket at {path} (DOCKER_HOST={host})", START_DOCKER)
    if any(isinstance(x, ConnectionRefusedError) for x in chain) or "Connection refused" in text:
        return Unreachable(f"Docker daemon not reachable at {host}: connection refused", START_DOCKER)
    if any(isinstance(x, requests.exceptions.Timeout | TimeoutError) for x in chain):
        within = f" within {timeout:g}s" if timeout else ""
        return Unreachable(f"Docker daemon at {host} did not answer{within}",
                           "check that dockerd is healthy: systemctl status docker")
    if "Invalid bind address" in text or "URLSchemeUnknown" in text:
        return Unreachable(f"DOCKER_HOST={host} is not a valid Docker address ({_one_line(exc)})",
                           "set DOCKER_HOST to unix:///var/run/docker.sock or tcp://HOST:PORT, or unset it")
    if any(isinstance(x, requests.exceptions.ConnectionError | ConnectionError) for x in chain):
        return Unreachable(f"lost the connection to the Docker daemon at {host}", START_DOCKER)
    return None


def explain(exc: BaseException, action: str, *, image: str = "", name: str = "", port: str = "",
            timeout: float | None = None) -> RuntimeProblem:
    """A typed problem for a failed Docker call; ``action`` says what we were doing."""
    import docker.errors

    problem = connection_problem(exc, timeout)
    if problem is not None:
        return problem
    if isinstance(exc, docker.errors.APIError):
        detail = _one_line(exc.explanation or str(exc))
        low = detail.lower()
        if "port is already allocated" in low or "address already in use" in low:
            return PortInUse(f"port {port or '?'} is already in use on this host ({detail})",
                             f"free the port (ss -ltnp 'sport = :{port.rpartition(':')[2] or 'PORT'}') "
                             "or pick another: wbtui config set runtime.port N")
        if exc.status_code == 409 and "already in use" in low:
            return NameConflict(f"a container named {name} already exists ({detail})", adopt_fix(name))
        if isinstance(exc, docker.errors.ImageNotFound) or "no such image" in low or action == "pull the image":
            return ImageMissing(f"image {image} is not on this host and could not be pulled ({detail})",
                                image_fix(image))
        return RuntimeProblem(f"could not {action}: {detail}")
    return RuntimeProblem(f"could not {action}: {_one_line(exc)}")


def image_fix(image: str) -> str:
    return (f"load it on this host (docker load -i FILE.tar) or make a registry reachable and run "
            f"docker pull {image}; or pick a local tag: wbtui config set runtime.tag TAG")


def adopt_fix(name: str) -> str:
    return (f"adopt it: wbtui config import --from docker --container {name}; or rename it "
            f"(docker rename {name} {name}-old) or use another name: wbtui config set runtime.container_name NAME")


@contextmanager
def translated(action: str, timeout: float | None = None, **context: str) -> Iterator[None]:
    """Raise a typed RuntimeProblem instead of the SDK's exceptions inside this block."""
    import docker.errors
    import requests.exceptions

    try:
        yield
    except RuntimeProblem:
        raise
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as exc:
        raise explain(exc, action, timeout=timeout, **context) from exc
