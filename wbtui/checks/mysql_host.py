"""The database on this machine: is it local, which process is it, how busy is it.

The guide's monitoring rule is about the database host's CPU (> 40% of the
system for > 5 minutes means the server is resource starved). wbtui can only
see that when MySQL runs here, by sampling /proc over a window.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MYSQLD_NAMES = frozenset({"mysqld", "mariadbd"})
STARVED_PERCENT = 40.0
GUIDE_WINDOW = 300.0
DEFAULT_CPU_WINDOW = 2.0  # seconds: a glimpse, not the guide's 5 minutes
POLL = 0.1  # seconds between looks at the sampled processes: how soon an exit is noticed
EARLY_WAIT = 1.0  # seconds the CPU check waits for the run's early sample to have found the processes
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
    Within ``early_sample``, the processes it found when the run began (when it has found them).
    """
    early = _early()
    if early is not None and early.port == port and early.ready.wait(EARLY_WAIT) and early.pids:
        return list(early.pids), early.how  # (a scan under way since the run began ends sooner than a new one)
    return _find_mysqld(port)


def _find_mysqld(port: int) -> tuple[list[int], str]:
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


def cpu_ticks(pids: list[int]) -> tuple[dict[int, tuple[int, int] | None], int]:
    """Each pid's (start time, CPU ticks), None once it exited, and the whole system's ticks, read now.

    For a watcher that takes its readings at its own pace (wbtui db status) rather than over a window.
    """
    return {pid: _process_stat(pid) for pid in pids}, _system_ticks()


@dataclass(frozen=True)
class CpuSample:
    percent: float  # of the whole system: all CPUs together are 100%
    window: float
    pids: tuple[int, ...]
    exited: tuple[int, ...] = ()
    """Processes that ended (or were replaced under the same pid) during the sample: it measured nothing."""


class EarlySample:
    """The first reading of the CPU sample, taken when a check run begins (in a thread of its own).

    The CPU check comes late in the MySQL run; sampling only then added its whole window to the run.
    Begun with the run, the window passes while the other checks run (their queries are part of what it
    sees: a few milliseconds of the server's CPU), and the CPU check waits only for what is left of it.
    """

    def __init__(self, host: str, port: int) -> None:
        self.port = port
        self.pids: tuple[int, ...] = ()
        self.how = ""
        self.first: dict[int, tuple[int, int] | None] = {}
        self.sys0 = 0
        self.started = 0.0
        self.ready = threading.Event()
        threading.Thread(target=self._begin, args=(host,), name="wbtui-mysql-cpu", daemon=True).start()

    def _begin(self, host: str) -> None:
        try:
            if not is_local_host(host):
                return
            pids, how = _find_mysqld(self.port)
            if pids:
                self.first = {pid: _process_stat(pid) for pid in pids}
                self.sys0 = _system_ticks()
                self.started = time.monotonic()
                self.pids, self.how = tuple(pids), how
        except Exception:  # only a head start: the CPU check samples on its own then
            self.pids = ()
        finally:
            self.ready.set()

    def matches(self, pids: list[int]) -> bool:
        return self.ready.is_set() and bool(self.pids) and tuple(pids) == self.pids


_run = threading.local()


def _early() -> EarlySample | None:
    early: EarlySample | None = getattr(_run, "early", None)
    return early


@contextlib.contextmanager
def early_sample(mysql_url: str) -> Iterator[EarlySample | None]:
    """Within this block (in this thread), ``find_mysqld`` and ``sample_cpu`` use a sample begun now.

    Nothing is begun for a MYSQL that is empty or does not parse (the checks say why), and the sample
    finds nothing for a database on another host. Nothing waits for it: a check that comes before it
    is ready samples on its own, as without it.
    """
    from ..config.urls import MysqlURL, URLError

    early: EarlySample | None = None
    text = mysql_url.strip()
    if text:
        with contextlib.suppress(URLError):
            url = MysqlURL.parse(text)
            early = EarlySample(url.host, url.effective_port)
    previous = getattr(_run, "early", None)
    _run.early = early
    try:
        yield early
    finally:
        _run.early = previous


def sample_cpu(pids: list[int], window: float) -> CpuSample:
    """CPU used by ``pids`` over ``window`` seconds, as a share of the whole machine.

    The processes are looked at every POLL seconds, so one that exits ends the sample at once:
    a crash-looping server is reported as such, not as an idle one. Within ``early_sample`` (for the same
    processes) the window began with the run: only what is left of it is waited for, and the sample covers
    the whole time since.
    """
    early = _early()
    if early is not None and early.matches(pids):
        first, sys0, started = early.first, early.sys0, early.started
    else:
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
