"""Docker SDK failures turned into typed, explained runtime problems.

The SDK reports an absent daemon, a refused connection and a permission problem
as the same DockerException with the real cause buried in its chain; operators
need to know which one it is and what to do about it, in one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ...config.masking import mask_url_password
from ..base import ImageMissing, NameConflict, PermissionDenied, PortInUse, RuntimeProblem, Unreachable
from .connect import endpoint
from .contexts import Endpoint, ssh_target

START_DOCKER = "start Docker (systemctl start docker) or point DOCKER_HOST at a running daemon"
INVALID_FIX = "set DOCKER_HOST to unix:///var/run/docker.sock or tcp://HOST:PORT, or unset it"


def invalid_fix(where: Endpoint) -> str:
    if where.context == "":
        return INVALID_FIX
    return (f"docker context update {where.context} --docker host=unix:///var/run/docker.sock "
            "(or ssh://USER@HOST, tcp://HOST:PORT), or docker context use default")


def _start_fix(where: Endpoint) -> str:
    if where.context == "":
        return START_DOCKER
    return (f"start Docker (systemctl start docker), or fix the address of context \"{where.context}\" "
            f"(docker context inspect {where.context}), or docker context use default")


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
    return mask_url_password(" ".join(str(text).split()))


def connection_problem(exc: BaseException, timeout: float | None = None) -> RuntimeProblem | None:
    """The daemon-side problem behind ``exc`` (socket missing, refused, denied, timed out, ssh failed)."""
    import requests.exceptions

    from .ssh import SSHFailed

    where = endpoint()
    shown = where.shown
    chain = list(_chain(exc))
    text = " ".join(str(x) for x in chain)
    ssh = next((x for x in chain if isinstance(x, SSHFailed)), None)
    if ssh is not None:
        return _ssh_problem(where, ssh)
    if where.local and (any(isinstance(x, PermissionError) for x in chain) or "Permission denied" in text):
        return PermissionDenied(
            f"permission denied on the Docker socket {where.socket_path}{where.context_note}",
            "add your user to the docker group (sudo usermod -aG docker $USER, then log in again) "
            "or run wbtui as root")
    if where.local and any(isinstance(x, FileNotFoundError) for x in chain):
        return Unreachable(f"Docker daemon not reachable at {shown}: the socket does not exist", _start_fix(where))
    if any(isinstance(x, ConnectionRefusedError) for x in chain) or "Connection refused" in text:
        return Unreachable(f"Docker daemon not reachable at {shown}: connection refused", _start_fix(where))
    if any(isinstance(x, requests.exceptions.Timeout | TimeoutError) for x in chain):
        within = f" within {timeout:g}s" if timeout else ""
        fix = (f"check that {ssh_target(where.host).command} docker version answers" if where.scheme == "ssh"
               else "check that dockerd is healthy: systemctl status docker")
        return Unreachable(f"Docker daemon at {shown} did not answer{within}", fix)
    if "Invalid bind address" in text or "URLSchemeUnknown" in text:
        return Unreachable(f"{where.origin} is not a valid Docker address ({_one_line(exc)})", invalid_fix(where))
    if any(isinstance(x, requests.exceptions.ConnectionError | ConnectionError) for x in chain):
        return Unreachable(f"lost the connection to the Docker daemon at {shown}", _start_fix(where))
    return None


def _ssh_problem(where: Endpoint, failed: BaseException) -> Unreachable:
    """ssh's failure in words an operator acts on: what ssh said, and the ssh command to try by hand."""
    detail = getattr(failed, "detail", str(failed))
    code = getattr(failed, "returncode", None)
    by_hand = ssh_target(where.host).command
    low = detail.lower()
    if "host key verification failed" in low or "remote host identification has changed" in low:
        fix = f"check the host key and accept it once by hand: {by_hand} true (wbtui's ssh never prompts)"
    elif "permission denied" in low and "docker" in low:
        fix = f"let that user use Docker there: {by_hand} sudo usermod -aG docker USER (then log in again)"
    elif "permission denied" in low:
        fix = (f"make {by_hand} work without a prompt (a key in ssh-agent: ssh-add; or IdentityFile in "
               "~/.ssh/config), then try again")
    elif code == 127 or "command not found" in low:
        fix = f"install the docker CLI on {ssh_target(where.host).host} (wbtui runs docker system dial-stdio there)"
    elif "cannot connect to the docker daemon" in low or "raw stream connection" in low:  # dial-stdio's words
        fix = f"start Docker on that host: {by_hand} systemctl start docker"
    elif "no ssh client" in low:
        fix = "install openssh-client (apt install openssh-client)"
    else:
        fix = f"check that {by_hand} docker version works"
    return Unreachable(f"Docker daemon not reachable at {where.shown}: {detail}", fix)


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
