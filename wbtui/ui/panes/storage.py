"""The Storage pane: the bucket's usage and growth, free space where W&B's data lands, warnings first.

It shows what `wbtui storage` prints, from the same ``monitor.storage.collect`` run in a thread worker
(``ui.storage_jobs``). Listing a bucket is not free, so it measures when shown (unless the figures are
younger than REFRESH_SECONDS), then every REFRESH_SECONDS while shown, never while hidden; ``g`` measures now.
"""

from __future__ import annotations

import time
from functools import partial

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static
from textual.worker import Worker

from ...monitor.storage import StorageReport, bucket_lines, space_lines
from ...monitor.storage_bucket import LIMIT_OBJECTS, LIMIT_SECONDS
from ...monitor.storage_space import CRITICAL_PERCENT, WARN_PERCENT
from ..storage_jobs import StorageMeasured, measure_storage
from ..text import lines, styled
from .base import Pane

REFRESH_SECONDS = 600.0
LEVEL_VARIABLE = {"ok": "$success", "warning": "$warning", "critical": "$error", "unknown": "$text-muted"}
GROUP = "storage-measure"


class StoragePane(Pane):
    DEFAULT_CSS = """
    StoragePane #sg-warnings {
        height: auto;
        padding: 0 1;
    }

    StoragePane #sg-body {
        height: 1fr;
        min-height: 3;
    }
    """

    PANE_ID = "storage"
    TITLE = "Storage"

    BINDINGS = [
        Binding("g", "measure", "Measure now", id="storage.measure"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: StorageReport | None = None
        self.measured_at = 0.0
        """When the shown figures arrived (monotonic; 0: never)."""
        self.measurements = 0
        """How many measurements have arrived (the tests wait on it)."""

    def compose(self) -> ComposeResult:
        yield Static(Content("Storage: not measured yet."), id="sg-status", classes="pane-status")
        yield Static(Content(""), id="sg-warnings")
        with VerticalScroll(id="sg-body"):
            yield Static(Content(""), id="sg-bucket", classes="box")
            yield Static(Content(""), id="sg-spaces", classes="box")

    def on_mount(self) -> None:
        self.query_one("#sg-warnings", Static).display = False
        self.query_one("#sg-bucket", Static).border_title = "Object store"
        self.query_one("#sg-spaces", Static).border_title = (
            f"Free space (warning below {WARN_PERCENT:g}%, critical below {CRITICAL_PERCENT:g}%)")
        self._cadence = self.set_interval(REFRESH_SECONDS, self.measure_now, pause=True)

    def focus_default(self) -> None:
        self.query_one("#sg-body", VerticalScroll).focus()

    def on_show(self) -> None:
        self._cadence.resume()
        if self.report is None or time.monotonic() - self.measured_at >= REFRESH_SECONDS:
            self.measure_now()

    def on_hide(self) -> None:
        self._cadence.pause()

    def measuring(self) -> bool:
        return any(w.group == GROUP and not w.is_finished for w in self.workers)

    def measure_now(self) -> None:
        if self.measuring():
            return
        self.run_worker(partial(measure_storage, self.wbtui.session.saved.copy(), self.post_message), thread=True,
                        group=GROUP, exit_on_error=False, name="Measure storage")
        self._show_status()

    def action_measure(self) -> None:
        running = self.measuring()
        self.measure_now()
        self.notify("Storage: already measuring…" if running else
                    f"Measuring the storage (the listing stops after {LIMIT_OBJECTS:,} objects or "
                    f"{LIMIT_SECONDS:g} s)…", markup=False, timeout=3)

    def on_storage_measured(self, message: StorageMeasured) -> None:
        message.stop()
        self.measurements += 1
        if message.problem is not None:
            self.query_one("#sg-warnings", Static).update(styled((message.problem.text(), "$error bold")))
            self.query_one("#sg-warnings", Static).display = True
            self._show_status()
            return
        self.report = message.report
        self.measured_at = time.monotonic()
        self.show_report()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The status line says "measuring…" exactly while a measurement runs."""
        if event.worker.group == GROUP:
            self._show_status()

    def show_report(self) -> None:
        report = self.report
        if report is None:
            return
        redact = self.wbtui.session.redactor()
        warnings = self.query_one("#sg-warnings", Static)
        rows: list[Content | str] = []
        for finding in report.findings:
            mark = "✘" if finding.level == "critical" else "⚠"
            rows.append(styled((redact(f"{mark} {finding.text}"), f"{LEVEL_VARIABLE[finding.level]} bold")))
            if finding.fix:
                rows.append(Content(redact(f"  Fix: {finding.fix}")))
        warnings.update(lines(*rows))
        warnings.display = bool(rows)
        self.query_one("#sg-bucket", Static).update(lines(*[Content(redact(x)) for x in bucket_lines(report)]))
        spaces: list[Content | str] = []
        for space in report.spaces:
            head, *rest = space_lines(space)
            spaces.append(styled((redact(head), LEVEL_VARIABLE[space.level])))
            spaces += [Content(redact(x)) for x in rest]
        self.query_one("#sg-spaces", Static).update(lines(*spaces) if spaces else Content("No place to measure."))
        self._show_status()

    def _show_status(self) -> None:
        report = self.report
        parts = []
        if report is None:
            parts.append("Storage: not measured yet")
        else:
            verdict = "ok" if report.ok else f"{len(report.findings)} to look at"
            parts.append(f"Storage: {verdict} · {time.strftime('%H:%M:%S UTC', time.gmtime(report.taken_at))}")
        parts.append("measuring…" if self.measuring() else f"every {REFRESH_SECONDS / 60:g} min while shown")
        parts.append("g now")
        self.query_one("#sg-status", Static).update(Content(" · ".join(parts)))
