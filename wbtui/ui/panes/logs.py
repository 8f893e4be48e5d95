"""The Logs pane: follow the server's log live, filter, search, jump between errors, save."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from ...config import masking
from ...present.windows import parse_window
from ...runtime.logstream import ThreadStream, batched
from ..logring import DEFAULT_CAPACITY, last_errors, printable
from ..messages import Diagnosed, ErrorLines, Notice, Problem
from ..text import lines, styled
from ..widgets.confirm import ChoiceScreen
from ..widgets.filter_bar import FilterBar
from ..widgets.log_view import LogView
from .base import Pane

if TYPE_CHECKING:
    from textual.timer import Timer

FLUSH_SLICE = 10_000  # lines masked and moved into the ring at a time
COALESCE_SECONDS = 0.05  # lines that arrive together are drawn together
HIDDEN_FLUSH_SECONDS = 1.0  # pane not shown: lines still reach the ring (and errors the Overview), once a second
ERRORS_EVERY = 2.0
DEFAULT_TAIL = 500
RETRY_SECONDS = 5.0


class FrameBudget:
    """How often the followed log may be redrawn, so its terminal traffic follows the line rate, bounded.

    Following the end, every new line moves every row: a redraw costs the whole view (about
    ``ROW_BYTES + width`` bytes a row, measured), however few lines arrived. The budget lets redraws
    write about ``RATIO`` times the bytes of the lines themselves (what ``docker logs -f`` writes), at
    least ``FLOOR`` and at most ``CAP`` bytes a second, and never more than ``1 / MIN_INTERVAL`` frames a
    second or fewer than ``1 / MAX_INTERVAL`` (a frame costs CPU too: ~6 ms for Textual to compose). A line
    after a quiet spell is drawn at once; for ``INPUT_SECONDS`` after a key the view redraws up to every
    ``INPUT_INTERVAL`` (someone is typing), for ``ATTENDED_SECONDS`` up to every ``MIN_INTERVAL``, and a
    dashboard nobody touched for longer (left open for hours) every ``UNATTENDED_INTERVAL`` at most.
    """

    RATIO = 1.5
    FLOOR = 8_000
    CAP = 40_000
    ROW_BYTES = 55
    MIN_INTERVAL = 0.33
    UNATTENDED_INTERVAL = 0.5
    INPUT_INTERVAL = 0.1
    MAX_INTERVAL = 1.0
    INPUT_SECONDS = 2.0
    ATTENDED_SECONDS = 30.0

    def __init__(self) -> None:
        self.rate = 0.0  # bytes a second of the lines arriving (smoothed)
        self._bytes = 0
        self._mark = time.monotonic()
        self.last_frame = float("-inf")
        self.last_input = float("-inf")

    def arrived(self, count: int) -> None:
        self._bytes += count

    def input(self, now: float) -> None:
        self.last_input = now

    def interval(self, width: int, height: int, now: float) -> float:
        quiet = now - self.last_input
        if quiet < self.INPUT_SECONDS:
            return self.INPUT_INTERVAL
        fastest = self.MIN_INTERVAL if quiet < self.ATTENDED_SECONDS else self.UNATTENDED_INTERVAL
        cost = max(1, height) * (max(1, width) + self.ROW_BYTES)
        allowed = min(max(self.RATIO * self._current(now), self.FLOOR), self.CAP)
        return min(max(cost / allowed, fastest), self.MAX_INTERVAL)

    def wait(self, width: int, height: int, now: float) -> float:
        """Seconds until the next redraw may be drawn (0: now)."""
        return max(0.0, self.last_frame + self.interval(width, height, now) - now)

    def drew(self, now: float) -> None:
        self.rate = self._current(now)
        self._bytes, self._mark = 0, now
        self.last_frame = now

    def _current(self, now: float) -> float:
        """The smoothed rate including what arrived since the last frame (a second's half-life, roughly)."""
        elapsed = now - self._mark
        if elapsed <= 0:
            return self.rate
        weight = min(1.0, elapsed)
        return (1 - weight) * self.rate + weight * (self._bytes / elapsed)


class Waiting:
    """Lines that arrived and wait for the next frame, unmasked: their times and texts in two lists (no
    object per line), never many more than the ring holds (older ones could never be shown: they are
    cut and counted in ``skipped``)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.whens: list[datetime | str | None] = []
        self.texts: list[str] = []
        self.skipped = 0

    def __len__(self) -> int:
        return len(self.texts)

    def add(self, whens: list[datetime | str | None], texts: list[str]) -> None:
        self.whens.extend(whens)
        self.texts.extend(texts)
        if len(self.texts) > self.capacity + self.capacity // 4:  # amortised: cut a quarter at a time
            self.trim()

    def trim(self) -> None:
        cut = len(self.texts) - self.capacity
        if cut > 0:
            del self.whens[:cut], self.texts[:cut]
            self.skipped += cut

    def take(self) -> tuple[list[datetime | str | None], list[str], int]:
        """Everything waiting (at most ``capacity`` lines) and how many lines before it were cut."""
        self.trim()
        taken = self.whens, self.texts, self.skipped
        self.whens, self.texts, self.skipped = [], [], 0
        return taken


class LogsPane(Pane):
    DEFAULT_CSS = """
    LogsPane #lg-status {
        height: 2;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }

    LogsPane #lg-view {
        height: 1fr;
    }
    """

    PANE_ID = "logs"
    TITLE = "Logs"

    BINDINGS = [
        Binding("space", "pause", "Pause/resume", id="logs.pause"),
        Binding("f", "follow", "Follow", id="logs.follow"),
        Binding("slash", "filter", "Filter", id="logs.filter"),
        Binding("ctrl+f", "search", "Search", id="logs.search"),
        Binding("n", "next_match", "Next match", show=False, id="logs.next_match"),
        Binding("N", "previous_match", "Previous match", show=False, id="logs.previous_match"),
        Binding("e", "next_error", "Next error", id="logs.next_error"),
        Binding("E", "previous_error", "Previous error", show=False, id="logs.previous_error"),
        Binding("x", "regex", "Regex on/off", show=False, id="logs.regex"),
        Binding("t", "timestamps", "Timestamps", id="logs.timestamps"),
        Binding("w", "wrap", "Wrap", id="logs.wrap"),
        Binding("ctrl+s", "save", "Save", id="logs.save"),
        Binding("T", "window", "Tail/since", id="logs.window"),
        Binding("c", "clear", "Clear", show=False, id="logs.clear"),
        Binding("p", "pod", "Pod", id="logs.pod"),
        Binding("d", "diagnose_shown", "Diagnose", id="logs.diagnose"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="logs.clear_filter"),
        Binding("y", "yank", "Copy line/selection", show=False, id="logs.copy"),
        Binding("vertical_line", "pager", "Open in $PAGER", show=False, id="logs.pager"),
    ]

    @classmethod
    def extra_bindings(cls) -> list[tuple[str, Sequence[BindingType]]]:
        return [("log view", LogView.HELP_BINDINGS)]

    def __init__(self) -> None:
        super().__init__()
        self.regex = False
        self.filter_text = ""
        self.search_text = ""
        self.tail: int | None = DEFAULT_TAIL
        self.since: datetime | None = None
        self._filter_note = ""  # "filter cleared" once Escape removed one, until the next filter
        self._errors: deque[str] = deque(maxlen=20)
        self._errors_posted = 0.0
        self._errors_changed = False
        self._errors_timer: Timer | None = None
        self._flush_timer: Timer | None = None
        self._capacity = DEFAULT_CAPACITY  # the ring's (compose sets the app's)
        self._pending = Waiting(self._capacity)  # unmasked: masked when they are kept
        self._status_rows = 0
        self._status_shown: tuple[str, tuple[Any, ...]] | None = None
        self._stream_state = "not started"
        self.shown = False  # on screen (Show/Hide): hidden, nothing is redrawn and lines are taken once a second
        self.budget = FrameBudget()
        self._redact: Callable[[str], str] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="lg-status", classes="pane-status")
        yield FilterBar("filter lines (Enter: keep, Escape: clear)", id="lg-filter")
        yield FilterBar("search and highlight (Enter, then n / N)", id="lg-search")
        self._capacity = self.wbtui.log_capacity or DEFAULT_CAPACITY
        self._pending = Waiting(self._capacity)
        yield LogView(self._capacity, id="lg-view")

    @property
    def view(self) -> LogView:
        return self.query_one("#lg-view", LogView)

    def on_mount(self) -> None:
        self.update_status()
        self.watch(self.view, "follow", lambda _follow: self.update_status(), init=False)  # scrolled up, End
        if self.wbtui.background:
            self.start_stream()
            for name in ("loaded", "targeted", "deployed"):  # a new config, target or server: its log
                self.watch(self.app, name, lambda _value: self.start_stream(), init=False)

    def focus_default(self) -> None:
        self.view.focus()

    # ---- shown or not: no timers and no redraws while another pane is shown -----------------------------
    def on_show(self) -> None:
        self.shown = True
        self.flush()  # what arrived while hidden, drawn at once
        self.update_status()

    def on_hide(self) -> None:
        self.shown = False

    def on_key(self, event: events.Key) -> None:
        """A key (handled by the view or the pane): redraw promptly for a while, with the newest lines.

        Textual runs Pane.on_key too (handlers run along the MRO).
        """
        self.budget.input(time.monotonic())
        if self._pending:
            self.flush()

    @property
    def stream_state(self) -> str:
        return self._stream_state

    @stream_state.setter
    def stream_state(self, value: str) -> None:
        if value != self._stream_state:
            self._stream_state = value
            self.update_status()

    # ---- streaming ------------------------------------------------------------------------------------
    def start_stream(self) -> None:
        self._pending = Waiting(self._capacity)  # the old stream's lines (a new window, pod or target starts afresh)
        self.stream_state = "connecting"
        self._stream(self.tail, self.since)

    @work(exclusive=True, group="logs", exit_on_error=False, name="Log stream", description="Log stream")
    async def _stream(self, tail: int | None, since: datetime | None) -> None:
        """Follow the log; when it cannot (nothing deployed yet, daemon down) say why and retry.

        A retry resumes after the last line received, so nothing is shown twice.
        """
        from ...health.bounded import call_bounded_async

        session = self.wbtui.session
        redact = self._redact = masking.logs(session.saved, session.draft)
        timeout = max(10.0, 2 * self.wbtui.session.saved.app.timeout)
        last: datetime | None = None
        while True:
            try:
                runtime = await call_bounded_async(self.wbtui.core.runtime, timeout, "runtime")
                self.stream_state = "connected"
                resume = last + timedelta(microseconds=1) if last is not None else since
                stream = runtime.logs(follow=True, tail=None if last is not None else tail, since=resume,
                                      timestamps=False, pod=self.wbtui.core.log_pod)
                if isinstance(stream, ThreadStream):  # lines the ring would drop unseen are never read
                    stream.keep_newest(self._capacity)
                skipped = 0
                async with contextlib.aclosing(stream):
                    async for batch in batched(stream):
                        if isinstance(stream, ThreadStream) and stream.skipped != skipped:
                            self._pending.skipped += stream.skipped - skipped  # they came before this batch
                            skipped = stream.skipped
                        for line in reversed(batch):
                            if line.timestamp is not None and not (line.gap or line.restart):  # a marker's time
                                last = line.timestamp
                                break
                        self._pending.add([line.timestamp for line in batch], [line.text for line in batch])
                        if self._flush_timer is None:
                            self._schedule_flush()
                self.stream_state = f"ended; reconnecting in {RETRY_SECONDS:g}s"
            except Exception as exc:
                problem = Problem.from_exception(exc)
                fix = f" (fix: {problem.fix})" if problem.fix else ""
                self.stream_state = redact(f"stopped: {problem.message}{fix}; retrying in {RETRY_SECONDS:g}s")
            await asyncio.sleep(RETRY_SECONDS)

    def ingest(self, lines: Sequence[tuple[datetime | str | None, str]]) -> None:
        """Add ``(timestamp, text)`` lines as if they came from the stream (fixed data, benchmarks)."""
        self._pending.add([when for when, _ in lines], [text for _, text in lines])
        self.flush()

    def receive(self, lines: Sequence[tuple[datetime | str | None, str]]) -> None:
        """Add lines as the stream does: drawn when the frame budget allows (benchmarks)."""
        self._pending.add([when for when, _ in lines], [text for _, text in lines])
        if self._flush_timer is None:
            self._schedule_flush()

    def _schedule_flush(self) -> None:
        """One timer, only while lines wait: the next frame the budget allows (once a second when hidden)."""
        if self.shown:
            size = self.view.size
            delay = max(COALESCE_SECONDS, self.budget.wait(size.width, size.height, time.monotonic()))
        else:
            delay = HIDDEN_FLUSH_SECONDS
        self._flush_timer = self.set_timer(delay, self._flush_due, name="logs-flush")

    def _flush_due(self) -> None:
        self._flush_timer = None
        self.flush()

    def flush(self) -> None:
        """Move the lines that arrived into the ring: masked, and classified, only those it keeps.

        A window longer than the ring (``T all`` on a big log) is cut to its newest lines first: the others
        would fall off unseen, so they are counted as dropped, never masked or searched for errors. The rest
        go in slices, each let go once it is in the ring, so a window of 100k lines is not held twice.
        """
        if self._flush_timer is not None:
            self._flush_timer.stop()
            self._flush_timer = None
        if not self._pending:
            return
        whens, texts, skipped = self._pending.take()
        view, found = self.view, self._errors
        arrived = 0
        while texts:
            part = texts[:FLUSH_SLICE]
            stamps = whens[:FLUSH_SLICE]  # formatted when shown
            del texts[:FLUSH_SLICE], whens[:FLUSH_SLICE]
            part = self._masked(part)
            arrived += sum(map(len, part)) + 2 * len(part)
            view.append_columns(stamps, part, skipped)
            skipped = 0
            errors = last_errors(part, found.maxlen or 0)  # older ones would fall off the 20 kept
            if errors:
                found.extend(errors)
                self._errors_changed = True
        self.budget.arrived(arrived)
        if self.shown:
            self.budget.drew(time.monotonic())
            self.update_status()
        if self._errors_changed:
            self._post_errors()

    def _masked(self, texts: list[str]) -> list[str]:
        """The texts masked (the same objects when nothing in them is a secret), without a trailing newline."""
        redact = self._redact or self._masker()
        joined = "\n".join([text.rstrip("\n") for text in texts])
        masked = redact(joined)
        if masked is joined:
            return texts if all(text[-1:] != "\n" for text in texts) else joined.split("\n")
        shown = masked.split("\n")
        if len(shown) != len(texts):  # a mask changed the line count: one by one
            shown = [redact(text.rstrip("\n")) for text in texts]
        return shown

    def _masker(self) -> Callable[[str], str]:
        session = self.wbtui.session
        self._redact = masking.logs(session.saved, session.draft)
        return self._redact

    def _post_errors(self) -> None:
        """Diagnose the recent error lines, at most every ERRORS_EVERY seconds (a one-shot timer for the rest)."""
        now = time.monotonic()
        if not self._errors_changed:
            return
        wait = self._errors_posted + ERRORS_EVERY - now
        if wait > 0:
            if self._errors_timer is None:
                self._errors_timer = self.set_timer(wait, self._errors_due, name="logs-errors")
            return
        self._errors_changed = False
        self._errors_posted = now
        self._diagnose(list(self._errors), self.wbtui.server_status)

    def _errors_due(self) -> None:
        self._errors_timer = None
        self._post_errors()

    @work(thread=True, exclusive=True, group="diagnose", exit_on_error=False, name="Diagnosis", description="Diagnosis")
    def _diagnose(self, lines: list[str], status: Any) -> None:
        found = self.wbtui.core.diagnose(lines, status, [])
        items = []
        for line in lines[-4:]:
            match = next((d for d in found if d.evidence and (d.evidence in line or line in d.evidence)), None)
            items.append(Diagnosed(line, match.cause if match else "", match.fix if match else ""))
        self.post_message(ErrorLines(items, lines))

    # ---- the diagnose key ---------------------------------------------------------------------------------
    def action_diagnose_shown(self) -> None:
        """Diagnose the lines shown (after the filter) as `wbtui diagnose` would, and show the findings."""
        shown = self.view.texts()
        if not shown:
            self.notify("Nothing to diagnose: no lines shown (T picks the lines, / filters them).", markup=False)
            return
        self.notify(f"Diagnosing the {len(shown):,} shown lines…", markup=False)
        self._diagnose_shown(shown, self.wbtui.server_status)

    @work(thread=True, exclusive=True, group="diagnose-shown", exit_on_error=False, name="Diagnose shown lines",
          description="Diagnose shown lines")
    def _diagnose_shown(self, shown: list[str], status: Any) -> None:
        from ...ops.diagnose_log import bounded, clean_lines, diagnose_lines, redactor_for, report_lines

        session = self.wbtui.session
        kept, skipped = bounded(clean_lines(shown))
        result = diagnose_lines(kept, session.saved, status)
        redact = redactor_for(kept, session.saved, session.draft)
        head = f"{len(shown):,} shown lines" + (f" ({skipped:,} in the middle skipped)" if skipped else "")
        text = "\n".join([f"Diagnosis of the {head}", *report_lines(result, redact)])
        self.post_message(self.DiagnosisReady(text, len(result.root_causes())))

    class DiagnosisReady(Message):
        """The diagnose key's report, ready to show: its text and how many root causes it names."""

        def __init__(self, text: str, found: int) -> None:
            super().__init__()
            self.text = text
            self.found = found

    def on_logs_pane_diagnosis_ready(self, message: DiagnosisReady) -> None:
        from ..core import Rendered
        from ..widgets.text_screen import TextScreen

        text, found = message.text, message.found
        title = f"Diagnosis: {found} finding{'s' if found != 1 else ''} (s saves, Escape closes)" if found else (
            "Diagnosis: nothing known found (Escape closes)")
        name = f"wbtui-diagnosis-{datetime.now():%Y%m%d-%H%M%S}.txt"
        self.app.push_screen(TextScreen(title, [Rendered("Diagnosis", name, lambda: text)]))

    # ---- status line -----------------------------------------------------------------------------------------
    def update_status(self) -> None:
        stats = self.view.stats()
        if stats.paused:
            head = (f"❚❚ paused (+{stats.new_while_paused:,} new), follow {'on' if stats.follow else 'off'}",
                    "$warning bold")
        elif stats.follow:
            head = ("● following the end", "$success bold")
        else:
            head = ("○ follow off", "$text-muted bold")
        parts: list[str | tuple[str, str]] = [head, f"  {stats.shown:,} shown / {stats.held:,} held"]
        if stats.dropped:
            parts.append((f"  {stats.dropped:,} dropped (ring of {self.view.ring.capacity:,})", "$warning"))
        if self.filter_text:
            parts.append(f"  filter{' (regex)' if self.regex else ''}: {self.filter_text}")
        if self.search_text:
            parts.append(f"  search: {self.search_text}")
        if self._filter_note and not self.filter_text:
            parts.append(f"  {self._filter_note}")
        window = "all" if self.tail is None and self.since is None else (
            f"tail {self.tail}" if self.tail is not None else f"since {self.since:%Y-%m-%d %H:%M}")
        shown = f"time {'on' if self.view.show_timestamps else 'off'}, wrap {'on' if self.view.wrap else 'off'}"
        stream = styled((f"{window} · {shown} · stream {self.stream_state}", "$text-muted"))
        content = lines(styled(*parts), stream)
        key = (content.plain, tuple(content.spans))
        if key == self._status_shown:
            return  # redrawn only when it changed
        self._status_shown = key
        # One line per part, each cut to the width: the height only changes with the number of lines, so a
        # status refresh while 10k lines/s stream in does not re-lay out the screen.
        rows = len(content.plain.splitlines())
        self.query_one("#lg-status", Static).update(content, layout=rows != self._status_rows)
        self._status_rows = rows

    # ---- toggles -----------------------------------------------------------------------------------------------
    def action_pause(self) -> None:
        self.view.set_paused(not self.view.paused)
        self.update_status()

    def action_follow(self) -> None:
        self.view.follow = not self.view.follow
        self.update_status()

    def action_timestamps(self) -> None:
        self.view.show_timestamps = not self.view.show_timestamps
        self.update_status()

    def action_wrap(self) -> None:
        self.view.wrap = not self.view.wrap
        self.update_status()

    def action_regex(self) -> None:
        self.regex = not self.regex
        self._apply_filter(self.filter_text)
        self._apply_search(self.search_text)
        self.notify(f"Filter and search use {'regular expressions' if self.regex else 'plain text'}.",
                    markup=False)

    def action_clear(self) -> None:
        if not self.view.stats().held:
            self.notify("Nothing to clear: no lines held.", markup=False)
            return
        self.view.clear()
        self._errors.clear()
        self.update_status()

    # ---- filter and search ---------------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one("#lg-filter", FilterBar).open()

    def action_search(self) -> None:
        self.query_one("#lg-search", FilterBar).open()

    def on_filter_bar_applied(self, event: FilterBar.Applied) -> None:
        event.stop()
        if event.bar.id == "lg-filter":
            self._apply_filter(event.text)
        else:
            self._apply_search(event.text)
            if event.done and event.text:
                self.action_next_match()
        if event.done:
            self.view.focus()

    def action_clear_filter(self) -> None:
        """Escape in the log view: drop the filter (all lines shown again) and close its bar."""
        bar = self.query_one("#lg-filter", FilterBar)
        if not self.filter_text and not bar.display:
            self.notify("No filter to clear (/ filters the lines).", markup=False)
            return
        bar.action_close()

    def _apply_filter(self, text: str) -> None:
        try:
            self.view.set_filter(text, self.regex)
        except ValueError as exc:
            self.query_one("#lg-filter", FilterBar).set_class(True, "-invalid")
            self.notify(str(exc), severity="error", markup=False)
            return
        self.query_one("#lg-filter", FilterBar).set_class(False, "-invalid")
        self._filter_note = "filter cleared" if self.filter_text and not text else (
            "" if text else self._filter_note)
        self.filter_text = text
        self.update_status()

    def _apply_search(self, text: str) -> None:
        try:
            self.view.set_search(text, self.regex)
        except ValueError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.search_text = text
        self.update_status()

    def action_next_match(self) -> None:
        self._jump(self.view.next_match(True), "match")

    def action_previous_match(self) -> None:
        self._jump(self.view.next_match(False), "match")

    def action_next_error(self) -> None:
        self._jump(self.view.next_error(True), "error")

    def action_previous_error(self) -> None:
        self._jump(self.view.next_error(False), "error")

    def _jump(self, found: bool, what: str) -> None:
        if not found:
            self.notify(f"No further {what} in the shown lines.", markup=False)
        self.update_status()

    def action_pod(self) -> None:
        """Kubernetes: follow another pod of the Deployment (newest ready one by default)."""
        if self.wbtui.core.target_config().runtime.backend != "kubernetes":
            self.notify("The Docker runtime has one container; pods are for Kubernetes.", markup=False)
            return
        status = self.wbtui.server_status
        pods = [pod.name for pod in status.pods] if status is not None else []
        if not pods:
            self.notify("No pods known yet (see the Runtime pane).", severity="warning", markup=False)
            return
        self.app.push_screen(ChoiceScreen("Follow the log of", ["(newest ready pod)", *pods],
                                          self.wbtui.core.log_pod or "(newest ready pod)"), self._set_pod)

    def _set_pod(self, choice: str | None) -> None:
        if choice is None:
            return
        self.wbtui.core.log_pod = None if choice.startswith("(") else choice
        self.view.clear()
        self.start_stream()

    # ---- window and saving ------------------------------------------------------------------------------------------
    def action_window(self) -> None:
        current = "all" if self.tail is None and self.since is None else str(self.tail or "10m")
        self.prompt("Show which lines?", self._set_window, value=current,
                    help="500 = the last 500 lines, 10m / 2h / 1d = since then, 2024-05-01T10:00 (local time), "
                         "or all. The stream restarts.")

    def _set_window(self, text: str) -> None:
        try:
            self.tail, self.since = parse_window(text)
        except ValueError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.view.clear()
        self.start_stream()
        self.update_status()

    def action_save(self) -> None:
        name = f"wbtui-logs-{datetime.now():%Y%m%d-%H%M%S}.log"
        self.prompt("Save the shown lines to", lambda path: self._save(Path(path), self.view.texts()), value=name,
                    help="Writes the lines shown (after the filter), secrets already masked; mode 0600.")

    # ---- copy, and the pager --------------------------------------------------------------------------------------
    def action_yank(self) -> None:
        """Copy the mouse selection, else the line at the cursor (a jump's or a click's), else the screen's lines."""
        from ..clipboard import copy, lines_of

        view = self.view
        selection = view.text_selection
        picked = view.get_selection(selection) if selection is not None else None
        if picked is not None and picked[0]:
            copy(self, picked[0], f"the selection, {lines_of(picked[0])}")
            return
        line = view.cursor_line()
        if line is not None:
            copy(self, line, "the line at the cursor")
            return
        shown = view.screen_lines()
        if not shown:
            self.notify("Nothing to copy: no lines shown.", markup=False)
            return
        text = "\n".join(shown)
        copy(self, text, f"the {lines_of(text)} on screen (e, n or a click picks one; drag selects)")

    def action_pager(self) -> None:
        """The shown lines (filtered, masked) in $PAGER, from a private temporary file removed afterwards."""
        import os
        import tempfile

        from ..terminal import NO_TERMINAL, pager, run_suspended

        shown = self.view.texts()
        if not shown:
            self.notify("Nothing to page: no lines shown (T picks the lines, / filters them).", markup=False)
            return
        argv = pager()
        if argv is None:
            self.notify("No pager found: set PAGER (export PAGER=less) or install less.", severity="warning",
                        markup=False)
            return
        handle, name = tempfile.mkstemp(prefix="wbtui-logs-", suffix=".log")  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8", errors="surrogateescape") as out:
                out.write("\n".join(map(printable, shown)) + "\n")  # no terminal escapes reach the pager
            code = run_suspended(self.app, [*argv, name])
        except OSError as exc:
            self.notify(f"Cannot run the pager {argv[0]}: {exc.strerror or exc}", severity="error", markup=False)
            return
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
        if code is None:
            self.notify(f"Not paged: {NO_TERMINAL}. ctrl+s saves the lines to a file.", severity="warning",
                        markup=False)

    @work(thread=True, exclusive=True, group="save-logs", exit_on_error=False, name="Save logs",
          description="Save logs")
    def _save(self, path: Path, lines: list[str]) -> None:
        from ..widgets.text_screen import write_text_file

        written = write_text_file(path, "\n".join(lines) + ("\n" if lines else ""))
        self.post_message(Notice(f"Saved {len(lines):,} lines to {written}", "Saved"))
