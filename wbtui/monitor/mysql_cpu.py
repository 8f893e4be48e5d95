"""The database's CPU over time, and the guide's rule: above 40% of the system for 5 minutes is starved.

Readings come from /proc at the watcher's own pace (the process found the way ``wbtui check``'s
mysql.cpu finds it); each covers the time since the one before. The rule holds when every reading over
the window was above the threshold, and clears with the first one that is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks.mysql_host import GUIDE_WINDOW, STARVED_PERCENT, cpu_ticks, find_mysqld, is_local_host


@dataclass(frozen=True)
class CpuReading:
    at: float
    percent: float
    since: float
    """When the interval it covers began."""


class CpuReader:
    """CPU of the local mysqld/mariadbd between calls; finds the process again after it was replaced."""

    def __init__(self, host: str, port: int) -> None:
        self.port = port
        self.local = is_local_host(host)
        self.how = ""
        self._pids: list[int] = []
        self._last: tuple[float, dict[int, tuple[int, int] | None], int] | None = None

    def read(self, at: float) -> CpuReading | None:
        """The share of the whole machine's CPU the database used since the last call (None the first time,
        after a restart of the process, or when it does not run here)."""
        if not self.local:
            return None
        if not self._pids:
            self._pids, self.how = find_mysqld(self.port)
            self._last = None
            if not self._pids:
                return None
        procs, system = cpu_ticks(self._pids)
        if any(stat is None for stat in procs.values()):  # exited: look for it again next time
            self._pids, self._last = [], None
            return None
        last, self._last = self._last, (at, procs, system)
        if last is None:
            return None
        since, before, system_before = last
        own = 0
        for pid, stat in procs.items():
            previous = before.get(pid)
            if stat is None or previous is None or previous[0] != stat[0]:
                return None  # a pid now names another process
            own += stat[1] - previous[1]
        total = system - system_before
        return CpuReading(at, round(100.0 * max(own, 0) / total, 1) if total > 0 else 0.0, since)


@dataclass(frozen=True)
class CpuVerdict:
    percent: float
    above_for: float
    """Seconds the readings have stayed above the threshold (0 when the last one was not)."""
    alert: bool


class CpuRule:
    """The guide's rule over a series of readings; ``window`` is shorter only in tests."""

    def __init__(self, threshold: float = STARVED_PERCENT, window: float = GUIDE_WINDOW) -> None:
        self.threshold = threshold
        self.window = window
        self._above_since: float | None = None

    def add(self, reading: CpuReading) -> CpuVerdict:
        if reading.percent > self.threshold:
            if self._above_since is None:
                self._above_since = reading.since
            held = reading.at - self._above_since
        else:
            self._above_since, held = None, 0.0
        return CpuVerdict(reading.percent, round(held, 1), held >= self.window)

    def reset(self) -> None:
        """A gap in the readings (the process restarted): what held before no longer counts."""
        self._above_since = None
