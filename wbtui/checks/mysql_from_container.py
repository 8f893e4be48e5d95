"""The connect check from the W&B container's point of view: inside its network namespace.

A login that works from this host proves little about the container: the container
connects from its bridge address (172.17.0.2, say), not from loopback, so an account
restricted to 'localhost' or to this host's address refuses it ("Host '172.17.0.2' is
not allowed to connect", error 1130), and a MYSQL host of 127.0.0.1 is the container
itself. So, when W&B runs in a Docker container on this host and wbtui runs as root,
the login is repeated from inside the container's network namespace: a short-lived
``python -m wbtui.checks.mysql_from_container`` child enters ``/proc/PID/ns/net``
(``setns``, as ``nsenter --net`` does) and connects; nothing runs inside the container
and no image is needed. The MYSQL URL travels on the child's stdin, never in its argv.
The host name is resolved here (a container name on the container's Docker networks
first, as Docker's DNS would, then this host's resolver), and the child is bounded in time.

When the check cannot run that way it says so: "checked from this host only: ...".
"""

from __future__ import annotations

import contextlib
import ctypes
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any

from ..config.model import Config
from ..config.urls import MysqlURL
from .model import CheckFailed, Outcome
from .mysql_accounts import examine_denied
from .mysql_connect import error_code, error_message, explain, open_connection

CHECK_ID = "mysql.from_container"
TITLE = "Connect from the container"
HOST_ONLY = "checked from this host only"
_CLONE_NEWNET = 0x40000000
_ORIGINALS: dict[str, type[BaseException]] = {
    "ConnectionRefusedError": ConnectionRefusedError, "TimeoutError": TimeoutError, "gaierror": socket.gaierror,
    "SSLError": ssl.SSLError, "OSError": OSError,
}


@dataclass
class Container:
    """The W&B container as seen from this host: where its network namespace is, and its addresses."""

    name: str
    pid: int
    address: str = ""
    gateway: str = ""
    peers: dict[str, str] = field(default_factory=dict)  # container name → address on a shared network

    @property
    def netns(self) -> str:
        return f"/proc/{self.pid}/ns/net"


def locate(config: Config, timeout: float) -> Container | str:
    """The running W&B container whose network namespace this host can enter, or why not."""
    if config.runtime.backend != "docker":
        return (f"W&B runs on {config.runtime.backend}: the pod connects from its own address, which this check "
                "cannot enter; run the check in the pod (kubectl exec) to be sure")
    docker_host = os.environ.get("DOCKER_HOST", "")
    if docker_host and not docker_host.startswith("unix://"):
        return f"the Docker daemon is remote (DOCKER_HOST={docker_host}): its containers' namespaces are not here"
    if not sys.platform.startswith("linux"):
        return "network namespaces are a Linux feature"
    if os.geteuid() != 0:
        return ("entering the container's network namespace needs root (CAP_SYS_ADMIN); run "
                "sudo wbtui check mysql to check from the container too")
    name = config.runtime.container_name
    try:
        attrs, networks = _inspect(name, timeout)
    except LookupError:
        return f"no container {name} on this host yet (deploy it: wbtui up, then check again)"
    except Exception as exc:  # the Docker daemon not answering must not fail the MySQL checks
        return f"Docker did not answer ({type(exc).__name__}: {str(exc)[:200]})"
    state = attrs.get("State") or {}
    pid = int(state.get("Pid") or 0)
    if not state.get("Running") or pid <= 0:
        return f"the container {name} is not running (wbtui start, then check again)"
    mode = str((attrs.get("HostConfig") or {}).get("NetworkMode") or "")
    if mode == "host":
        return f"the container {name} uses this host's network (--network host): the Connect check above applies"
    if not _is_container_process(pid, str(attrs.get("Id") or "")):
        return (f"process {pid} is not the container's as seen from here (does wbtui run in another PID "
                "namespace?)")
    nets = (attrs.get("NetworkSettings") or {}).get("Networks") or {}
    first: dict[str, Any] = next((n for n in nets.values() if n), {})
    return Container(name, pid, str(first.get("IPAddress") or ""), str(first.get("Gateway") or ""), networks)


def _inspect(name: str, timeout: float) -> tuple[dict[str, Any], dict[str, str]]:
    import docker
    import docker.errors

    client = docker.from_env(timeout=max(1, int(timeout)))
    try:
        try:
            attrs: dict[str, Any] = client.api.inspect_container(name)
        except docker.errors.NotFound:
            raise LookupError(name) from None
        if attrs.get("Name", "").lstrip("/") != name:  # an ID prefix matched, not the name
            raise LookupError(name)
        peers: dict[str, str] = {}
        for net in ((attrs.get("NetworkSettings") or {}).get("Networks") or {}).values():
            net_id = (net or {}).get("NetworkID")
            if not net_id:
                continue
            with contextlib.suppress(docker.errors.APIError):
                for peer in (client.api.inspect_network(net_id).get("Containers") or {}).values():
                    address = str(peer.get("IPv4Address") or "").split("/", 1)[0]
                    if peer.get("Name") and address:
                        peers.setdefault(str(peer["Name"]), address)
        return attrs, peers
    finally:
        client.close()


def _is_container_process(pid: int, container_id: str) -> bool:
    """Is /proc/PID the container's init (its cgroup names the container's id)?"""
    try:
        with open(f"/proc/{pid}/cgroup") as fh:
            return bool(container_id) and container_id in fh.read()
    except OSError:
        return False


def _is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _resolve(host: str, container: Container) -> tuple[str, str]:
    """(address to connect to, how it was found): a peer container's name first, as Docker's DNS answers."""
    name = host.strip("[]")
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(name)
        return name, ""
    if name in container.peers:
        return container.peers[name], f"{name} is a container on the same Docker network ({container.peers[name]})"
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return name, ""  # the child tries, and fails with the DNS error
    address = str(infos[0][4][0])
    return address, f"{name} resolved on this host to {address}"


def check(container: Container, url: MysqlURL, timeout: float, *, admin_url: str = "",
          host_passed: bool = False) -> Outcome:
    """Log in as MYSQL's user from inside the container's network namespace."""
    address, how = _resolve(url.host, container)
    reply = _probe(container, url, address, timeout)
    who = f"inside {container.name}" + (f" (address {container.address})" if container.address else "")
    data: dict[str, Any] = {"from": "container", "container": container.name, "container_address": container.address}
    notes = [how] if how else []
    if reply.get("ok"):
        account = str(reply.get("account") or "")
        data["account"] = account
        seen = str(reply.get("user") or "")
        return Outcome(f"connected from {who} as {account}",
                       " ".join([*notes, f"The server saw the login come from {seen.rpartition('@')[2]}."]), data)
    if "setns_error" in reply:
        raise CheckFailed(f"{HOST_ONLY}: entering {container.netns} failed: {reply['setns_error']}",
                          "Run wbtui as root on the host that runs the container.", **data)
    failed = examine_denied(explain(_rebuild(reply), url, timeout), url, admin_url, timeout)
    data.update(failed.data)
    data["client_host"] = failed.data.get("client_host", "")
    summary, fix, details = f"from {who}: {failed.summary}", failed.fix, failed.details
    if _is_loopback(url.host) and failed.data.get("cause") in ("refused", "timeout", "unreachable"):
        data["cause"] = "loopback_in_container"
        summary = (f"from {who}: MYSQL's host {url.host} is the container itself, not this host "
                   f"({failed.summary})")
        bridge = f"this host's bridge address ({container.gateway})" if container.gateway else "this host's address"
        fix = (f"Point MYSQL at an address the container reaches: {bridge} or the database's DNS name, with MySQL "
               "listening there (my.cnf: bind-address) and its account allowing the container's address "
               f"(wbtui config set MYSQL mysql://USER:PASSWORD@{container.gateway or 'HOST'}:"
               f"{url.effective_port}/{url.database}); or run W&B with --network host.")
    if host_passed:
        notes.append("The same login works from this host (Connect passed): what differs is the address the "
                     f"server sees, {container.address or 'the container address'} instead of this host's.")
    raise CheckFailed(summary, fix, "\n".join(x for x in [details, *notes] if x), **data)


def _probe(container: Container, url: MysqlURL, address: str, timeout: float) -> dict[str, Any]:
    request = {"netns": container.netns, "host": address, "port": url.effective_port, "user": url.user,
               "password": url.password, "database": url.database, "timeout": timeout}
    try:
        done = subprocess.run([sys.executable, "-m", __name__], input=json.dumps(request), capture_output=True,
                              text=True, timeout=2 * timeout + 10, check=False)
    except subprocess.TimeoutExpired:
        return {"ok": False, "code": None, "original": "TimeoutError", "errno": None,
                "message": f"no answer within {timeout:g}s (from the container's network namespace)"}
    try:
        reply: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        return reply
    except (ValueError, IndexError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1][:300]
        return {"setns_error": f"the probe exited with {done.returncode}: {tail}"}


def _rebuild(reply: dict[str, Any]) -> BaseException:
    """The child's error as the exception ``explain`` reads (code, message, the socket error inside)."""
    import pymysql

    message = str(reply.get("message") or "")
    code = reply.get("code")
    exc: BaseException = pymysql.err.OperationalError(code, message) if isinstance(code, int) \
        else RuntimeError(message)
    cls = _ORIGINALS.get(str(reply.get("original") or ""))
    if cls is not None:
        number = reply.get("errno")
        original = cls(number, message) if isinstance(number, int) else cls(message)
        exc.original_exception = original  # type: ignore[attr-defined]
    return exc


def _child() -> int:
    """In the child: enter the namespace, log in, print one JSON line (no secret in it)."""
    request = json.loads(sys.stdin.read())
    try:
        fd = os.open(request["netns"], os.O_RDONLY)
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.setns(fd, _CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        os.close(fd)
    except OSError as exc:
        print(json.dumps({"setns_error": f"{exc.strerror or exc}"}))
        return 0
    host = request["host"]
    url = MysqlURL(request["user"], request["password"], f"[{host}]" if ":" in host else host,
                   request["database"], int(request["port"]))
    try:
        conn = open_connection(url, float(request["timeout"]))
    except Exception as exc:  # described for the parent, which explains it
        original = getattr(exc, "original_exception", None)
        print(json.dumps({"ok": False, "code": error_code(exc), "message": error_message(exc),
                          "original": type(original).__name__ if original is not None else "",
                          "errno": getattr(original, "errno", None)}))
        return 0
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT CURRENT_USER(), USER()")
            account, user = cur.fetchone()
    finally:
        conn.close()
    print(json.dumps({"ok": True, "account": str(account), "user": str(user)}))
    return 0


if __name__ == "__main__":
    sys.exit(_child())
