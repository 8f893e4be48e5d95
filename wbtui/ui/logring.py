"""A bounded ring of log lines with a filtered view, for the Logs pane.

Memory stays bounded however fast the server logs: the oldest lines fall off
the ring and are counted in ``dropped`` so the pane can say so. Every line has
a sequence number (its position in the whole stream), so a filtered view and
search positions stay valid while old lines drop off. No Textual here: the
widget renders what this module holds.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

DEFAULT_CAPACITY = 100_000

_ERROR = re.compile(r"\b(error|fatal|panic|critical|exception|traceback|oomkilled)\b|level=err", re.IGNORECASE)
_WARNING = re.compile(r"\b(warn|warning|deprecated)\b|level=warn", re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b[@-_]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def stamp_text(when: datetime | str | None) -> str:
    """The time column's text: milliseconds, as the stream's datetime says (a str is taken as it is)."""
    if when is None or isinstance(when, str):
        return when or ""
    return when.isoformat(timespec="milliseconds")[:23]  # as strftime("%Y-%m-%dT%H:%M:%S.%f")[:23], 10x faster


def printable(text: str) -> str:
    """The line as plain text: terminal escapes removed, tabs expanded, control bytes shown as U+FFFD.

    A log line can never move the cursor, change colours or inject markup.
    """
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\t" in text:
        text = text.expandtabs(4)
    return _CONTROL.sub("\ufffd", text)


def _may_be_error(lower: str) -> bool:
    """Substring tests first: a regex over every line would cap ingest far below 100k lines/s."""
    return ("err" in lower or "fatal" in lower or "panic" in lower or "critical" in lower
            or "exception" in lower or "traceback" in lower or "oomkilled" in lower)


def level_of(text: str) -> str:
    """``error``, ``warning`` or ``""``: how a line is coloured and what next-error jumps to."""
    lower = text.lower()
    if _may_be_error(lower) and _ERROR.search(text):
        return "error"
    if ("warn" in lower or "deprecated" in lower) and _WARNING.search(text):
        return "warning"
    return ""


def is_error(text: str) -> bool:
    """Cheaper than level_of when only errors matter (the Overview's recent errors)."""
    return _may_be_error(text.lower()) and _ERROR.search(text) is not None


def last_errors(texts: list[str], limit: int) -> list[str]:
    """The last ``limit`` error lines of ``texts``, in order: a batch with no error word in it is
    passed over in one scan of its joined text, and the others from their end until ``limit`` are found."""
    if not texts or not _may_be_error("\n".join(texts).lower()):
        return []
    found: list[str] = []
    for text in reversed(texts):
        if is_error(text):
            found.append(text)
            if len(found) == limit:
                break
    found.reverse()
    return found


def compile_pattern(pattern: str, regex: bool) -> re.Pattern[str]:
    """A case-insensitive matcher; ValueError (with the reason) for a bad regex."""
    try:
        return re.compile(pattern if regex else re.escape(pattern), re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None


@dataclass(frozen=True)
class Entry:
    seq: int
    timestamp: str
    text: str


class LogRing:
    """The last ``capacity`` lines, an optional filter over them, and drop accounting."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        # Two deques, not one of (timestamp, text) tuples: strings and datetimes are not tracked by the
        # garbage collector, so 100k held lines never make it scan them (tuples it must, at least once).
        # A time is kept as it came (a datetime) and formatted when a line is shown or saved.
        self._stamps: deque[datetime | str | None] = deque(maxlen=capacity)
        self._texts: deque[str] = deque(maxlen=capacity)
        self.first_seq = 0
        self.dropped = 0
        self.max_width = 0
        self._match: Callable[[str], object] | None = None
        self._view: deque[int] = deque()

    @property
    def next_seq(self) -> int:
        """The sequence number the next appended line will get."""
        return self.first_seq + len(self._texts)

    @property
    def total(self) -> int:
        """Lines held in the ring (filtered or not)."""
        return len(self._texts)

    @property
    def filtered(self) -> bool:
        return self._match is not None

    def extend(self, lines: Iterable[tuple[datetime | str | None, str]], skipped: int = 0) -> int:
        """Append ``(timestamp, text)`` pairs; returns how many were added (see ``extend_columns``)."""
        batch = lines if isinstance(lines, list) else list(lines)
        stamps, texts = (list(column) for column in zip(*batch, strict=True)) if batch else ([], [])
        return self.extend_columns(stamps, texts, skipped)

    def extend_columns(self, stamps: list[datetime | str | None], texts: list[str], skipped: int = 0) -> int:
        """Append lines given as their times (a datetime, a text or None) and their texts; returns how many
        were added.

        ``skipped``: lines that came before these and were never handed over (a batch longer than the
        ring is cut to its newest ``capacity`` lines before it is masked): they get their sequence
        numbers and are counted as dropped, as if they had fallen off the ring.
        """
        if skipped > 0:
            self.first_seq = self.next_seq + skipped
            self.dropped += skipped + len(self._texts)
            self._stamps.clear()
            self._texts.clear()
            self._view.clear()
        if not texts:
            return 0
        start = self.next_seq
        overflow = len(self._texts) + len(texts) - self.capacity
        self._stamps.extend(stamps)
        self._texts.extend(texts)
        width = max(map(len, texts))
        if width > self.max_width:
            self.max_width = width
        if overflow > 0:
            self.first_seq += overflow
            self.dropped += overflow
        if self._match is not None:
            match = self._match
            self._view.extend(seq for seq, text in enumerate(texts, start) if match(text))
            first = self.first_seq
            view = self._view
            while view and view[0] < first:
                view.popleft()
        return len(texts)

    def clear(self) -> None:
        """Forget every line (the drop counter is kept: those lines were shown once)."""
        self.first_seq = self.next_seq
        self._stamps.clear()
        self._texts.clear()
        self._view.clear()
        self.max_width = 0

    def set_filter(self, pattern: str, regex: bool = False) -> None:
        """Show only lines matching ``pattern``; an empty pattern shows everything."""
        if not pattern:
            self._match = None
            self._view = deque()
            return
        match = compile_pattern(pattern, regex).search
        self._match = match
        self._view = deque(seq for seq, text in enumerate(self._texts, self.first_seq) if match(text))

    def count(self, limit_seq: int | None = None) -> int:
        """Lines in the view, only counting those before ``limit_seq`` (a paused view)."""
        if limit_seq is None:
            return len(self._view) if self._match is not None else len(self._texts)
        if self._match is not None:
            return bisect_left(self._view, limit_seq)
        return max(0, min(limit_seq, self.next_seq) - self.first_seq)

    def seq_at(self, index: int) -> int:
        """Sequence number of the view's ``index``-th line."""
        return self._view[index] if self._match is not None else self.first_seq + index

    def index_of(self, seq: int) -> int:
        """View index of the first line at or after ``seq``."""
        if self._match is not None:
            return bisect_left(self._view, seq)
        return max(0, seq - self.first_seq)

    def entry(self, index: int) -> Entry:
        seq = self.seq_at(index)
        offset = seq - self.first_seq
        return Entry(seq, stamp_text(self._stamps[offset]), self._texts[offset])

    def find(self, start: int, forward: bool, predicate: Callable[[str], object],
             limit_seq: int | None = None) -> int | None:
        """View index of the next line after (or before) ``start`` whose text satisfies ``predicate``."""
        count = self.count(limit_seq)
        indices = range(start + 1, count) if forward else range(min(start, count) - 1, -1, -1)
        texts, first = self._texts, self.first_seq
        for index in indices:
            if predicate(texts[self.seq_at(index) - first]):
                return index
        return None

    def texts(self, limit_seq: int | None = None, timestamps: bool = False) -> Iterable[str]:
        """The view's lines as text, for saving to a file."""
        for index in range(self.count(limit_seq)):
            entry = self.entry(index)
            yield f"{entry.timestamp} {entry.text}" if timestamps and entry.timestamp else entry.text
