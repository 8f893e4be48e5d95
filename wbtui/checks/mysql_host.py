"""The database on this machine: is it local, which process is it, how busy is it.

The guide's monitoring rule is about the database host's CPU (> 40% of the
system for > 5 minutes means the server is resource starved). wbtui can only
see that when MySQL runs here, by sampling /proc over a window.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

MYSQLD_NAMES = frozenset({"mysqld", "mariadbd"})
STARVED_PERCENT = 40.0
GUIDE_WINDOW = 300.0
DEFAULT_CPU_WINDOW = 2.0  # seconds: a glimpse, not the guide's 5 minutes
POLL = 0.1  # seconds between looks at the sampled processes: how soon an exit is noticed
_PROC = Path("/proc")


def is_local_host(host: str) -> bool:
    """Does ``host`` name this machine (loopback, or an address of one of its interfaces)?

    An address is ours when a socket can bind to it; nothing is sent.
    """
    name = host.strip("[]")
    if name.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return False
    for family, _, _, _, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]
        if ipaddress.ip_address(address).is_loopback or _bindable(family, str(sockaddr[0])):
            return True
    return False


def _bindable(family: int, address: str) -> bool:
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.bind((address, 0))
        return True
    except OSError:
        return False


def _comm(pid: int) -> str:
    try:
        return (_PROC / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for name in ("tcp", "tcp6"):
        try:
            lines = (_PROC / "net" / name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def _pids() -> list[int]:
    return [int(p.name) for p in _PROC.iterdir() if p.name.isdigit()]


def _socket_owners(inodes: set[str]) -> list[int]:
    wanted = {f"socket:[{i}]" for i in inodes}
    owners = []
    for pid in _pids():
        try:
            fds = os.scandir(_PROC / str(pid) / "fd")
        except OSError:
            continue
        with fds:
            for fd in fds:
                try:
                    if os.readlink(fd.path) in wanted:
                        owners.append(pid)
                        break
                except OSError:
                    continue
    return owners


def find_mysqld(port: int) -> tuple[list[int], str]:
    """The mysqld/mariadbd processes serving ``port``: (pids, how they were found).

    The process listening on the port is preferred; behind a proxy (Docker's
    docker-proxy, another network namespace) every mysqld/mariadbd is taken.
    """
    owners = [pid for pid in _socket_owners(_listening_inodes(port)) if _comm(pid) in MYSQLD_NAMES]
    if owners:
        return owners, f"{_comm(owners[0])} (pid {owners[0]}) listening on port {port}"
    named = [pid for pid in _pids() if _comm(pid) in MYSQLD_NAMES]
    if len(named) == 1:
        return named, f"{_comm(named[0])} (pid {named[0]}), the only database process on this host"
    if named:
        return named, (f"{len(named)} mysqld/mariadbd processes on this host (none seen listening on port "
                       f"{port}), counted together")
    return [], ""


def _process_stat(pid: int) -> tuple[int, int] | None:
    """(start time, CPU ticks) of a running ``pid``; None once it exited (a zombie has exited too)."""
    try:
        text = (_PROC / str(pid) / "stat").read_text()
        fields = text.rsplit(")", 1)[1].split()
        if fields[0] in ("Z", "X"):
            return None
        return int(fields[19]), int(fields[11]) + int(fields[12])  # starttime; utime + stime
    except (OSError, IndexError, ValueError):
        return None


def _system_ticks() -> int:
    first = (_PROC / "stat").read_text().splitlines()[0].split()
    return sum(int(x) for x in first[1:9])  # user nice system idle iowait irq softirq steal


@dataclass(frozen=True)
class CpuSample:
    percent: float  # of the whole system: all CPUs together are 100%
    window: float
    pids: tuple[int, ...]
    exited: tuple[int, ...] = ()
    """Processes that ended (or were replaced under the same pid) during the sample: it measured nothing."""


def sample_cpu(pids: list[int], window: float) -> CpuSample:
    """CPU used by ``pids`` over ``window`` seconds, as a share of the whole machine.

    The processes are looked at every POLL seconds, so one that exits ends the sample at once:
    a crash-looping server is reported as such, not as an idle one.
    """
    first = {pid: _process_stat(pid) for pid in pids}
    sys0 = _system_ticks()
    started = time.monotonic()
    deadline = started + window

    def exited() -> tuple[int, ...]:
        return tuple(pid for pid, stat in first.items()
                     if stat is None or (now := _process_stat(pid)) is None or now[0] != stat[0])

    gone = exited()
    while not gone and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(POLL, left))
        gone = exited()
    last = {pid: _process_stat(pid) for pid in pids}
    sys1 = _system_ticks()
    elapsed = time.monotonic() - started
    own = sum(b[1] - a[1] for pid in pids if (a := first[pid]) is not None and (b := last[pid]) is not None)
    total = sys1 - sys0
    percent = 100.0 * max(own, 0) / total if total > 0 else 0.0
    return CpuSample(round(percent, 1), round(elapsed, 2), tuple(pids), gone)
