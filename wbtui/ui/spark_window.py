"""Which of a growing series of latencies a sparkline shows: it pages instead of scrolling.

A sparkline of the last N values moves every bar one cell left on each new value, so the whole row is sent
to the terminal again every probe (5 s). This one shows the newest values continuing what it showed before:
each new value adds one bar at the right, and when the row is full its older half is dropped at once (the
row moves every ``width // 2`` values). What it shows is always the newest values of the series, in order.
"""

from __future__ import annotations

import math


class SparkWindow:
    def __init__(self, width: int) -> None:
        self.width = width
        self.page = max(1, width // 2)
        self.shown: list[float] = []

    def update(self, series: list[float]) -> list[float]:
        """The newest values of ``series`` to draw now (at most ``width``)."""
        count = self._continuing(series)
        if count is None:  # nothing shown yet, or another series (a new target): its newest values
            count = min(len(series), self.width)
        elif count > self.width:
            count -= self.page * math.ceil((count - self.width) / self.page)
        self.shown = series[len(series) - count:] if count else []
        return self.shown

    def _continuing(self, series: list[float]) -> int | None:
        """How many of the newest values of ``series`` continue what is shown (the shown ones and those
        after them), or None when the series does not hold what is shown."""
        shown = len(self.shown)
        if not shown:
            return None
        for new in range(len(series) - shown + 1):
            end = len(series) - new
            if series[end - shown:end] == self.shown:
                return shown + new
        return None
