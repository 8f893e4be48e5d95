"""Where `wbtui metrics` listens: ``HOST:PORT`` or ``[V6]:PORT``, loopback unless the operator says otherwise.

The metrics say what runs, what fails and how full the disks are; on loopback only this host's Prometheus (or
an SSH tunnel) reads them. Another address needs ``--allow-remote``, and the refusal says why.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

DEFAULT = "127.0.0.1:9187"
"""postgres_exporter's default port too: give another with --listen when both run on one host."""


class ListenError(ValueError):
    """The --listen value cannot be used; the message says what to give instead."""


@dataclass(frozen=True)
class Listen:
    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/metrics"


def parse(text: str) -> Listen:
    """``127.0.0.1:9187``, ``[::1]:9187``, ``localhost:9187``."""
    text = text.strip()
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or not rest.startswith(":"):
            raise ListenError(f"{text!r}: write an IPv6 address as [ADDRESS]:PORT, e.g. [::1]:9187")
        port_text = rest[1:]
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep or not host:
            raise ListenError(f"{text!r}: give HOST:PORT, e.g. {DEFAULT} or [::1]:9187")
        if ":" in host:
            raise ListenError(f"{text!r}: write an IPv6 address in brackets, e.g. [::1]:9187")
    if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
        raise ListenError(f"{text!r}: the port must be a number from 0 to 65535, e.g. {DEFAULT}")
    return Listen(host, int(port_text))


def loopback(host: str) -> bool:
    """Whether every address ``host`` names is a loopback address (a name is resolved here)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(str(info[4][0]).split("%")[0]).is_loopback for info in infos)


def refuse_remote(listen: Listen) -> str:
    """Why a non-loopback address is refused without --allow-remote, and what to do."""
    return (f"refusing to listen on {listen.host}:{listen.port}: it is not a loopback address, so anyone who can "
            "reach this host could read the metrics (what runs, which checks fail, how full the disks are). "
            f"Scrape on loopback (--listen {DEFAULT}: a Prometheus on this host, or an SSH tunnel), or pass "
            "--allow-remote and allow only your Prometheus to reach the port (a firewall rule)")
