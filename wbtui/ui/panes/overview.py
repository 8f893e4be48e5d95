"""The on-call view: is the server up, and if not, why and what to do."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content

from ...present.durations import ago, stale
from ...present.sizes import size
from ..fix_keys import keyed_fix
from ..messages import (
    ChecksUpdate,
    ErrorLines,
    Notice,
    ProbeNow,
    ProbeUpdate,
    RefreshStatus,
    RunRuntimeAction,
    StatusUpdate,
)
from ..spark_window import SparkWindow
from ..text import STATUS_VARIABLE, lines, sparkline, state_style, styled
from ..widgets.backup_line import BackupLine
from ..widgets.front_door_line import FrontDoorLine
from ..widgets.rows import Rows
from .base import Pane

if TYPE_CHECKING:
    from ...ops.verdict import Verdict

ENDPOINTS = ("healthz", "ready")
VERDICT_LOOK = {"good": ("✔", "$success"), "warn": ("!", "$warning"), "bad": ("✘", "$error"),
                "muted": ("…", "$text-muted")}
SPARK_WIDTH = 36
AGE_SECONDS = 10.0


class OverviewPane(Pane):
    DEFAULT_CSS = """
    OverviewPane .verdict {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }

    OverviewPane #ov-top {
        height: auto;
    }

    OverviewPane #ov-status {
        width: 1fr;
        min-height: 7;
    }

    OverviewPane #ov-probes {
        width: 1fr;
        min-height: 7;
    }

    OverviewPane #ov-checks {
        height: auto;
        max-height: 12;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }

    OverviewPane #ov-errors {
        height: auto;
        max-height: 12;
    }
    """

    PANE_ID = "overview"
    TITLE = "Overview"
    MUTATING = frozenset({"restart"})

    BINDINGS = [
        Binding("c", "checks", "Run checks", id="overview.checks"),
        Binding("r", "restart", "Restart", id="overview.restart"),
        Binding("l", "logs", "Logs", id="overview.logs"),
        Binding("b", "bundle", "Doctor bundle", id="overview.bundle"),
        Binding("g", "refresh", "Refresh", id="overview.refresh"),
        Binding("y", "yank(False)", "Copy the fix", show=False, id="overview.copy_fix"),
        Binding("Y", "yank(True)", "Copy the finding", show=False, id="overview.copy_finding"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._sparks = {endpoint: SparkWindow(SPARK_WIDTH) for endpoint in ENDPOINTS}

    def compose(self) -> ComposeResult:
        yield Rows(Content("… waiting for the first status"), id="ov-verdict", classes="verdict")
        yield Rows(Content(""), id="ov-verdict-fix", classes="verdict")
        with Horizontal(id="ov-top"):
            yield self._box("ov-status", "Server", "waiting for the first status…")
            yield self._box("ov-probes", "Probes", "/healthz  waiting…\n/ready    waiting…")
        yield self._box("ov-checks", "Datastores", "not checked yet (c runs the checks)")
        yield BackupLine(id="ov-backup")
        yield FrontDoorLine(detail=False, id="ov-front-door")
        yield self._box("ov-errors", "Recent errors", "no error lines seen")

    def on_mount(self) -> None:
        for name, show in (("server", self.show_status), ("probes", self.show_probe), ("checks", self.show_checks),
                           ("diagnosis", self.show_errors), ("verdict", self.show_verdict)):
            self.watch(self.app, name, show, init=False)
        self.watch(self.app, "loaded", lambda _config: self.show_checks(self.wbtui.checks), init=False)  # acks
        self.watch(self.app, "probes", lambda _probes: self.show_status(self.wbtui.server), init=False)  # /ready
        self._ages = self.set_interval(AGE_SECONDS, self.show_ages, pause=not self.display)
        self.ages_running = bool(self.display)

    def on_show(self) -> None:
        """Shown again: the ages catch up now, then every AGE_SECONDS (no timer runs while hidden)."""
        self.show_ages()
        self._ages.resume()
        self.ages_running = True

    def on_hide(self) -> None:
        self._ages.pause()
        self.ages_running = False

    @staticmethod
    def _box(box_id: str, title: str, text: str) -> Rows:
        """One bordered box; a single widget each keeps the first frame cheap."""
        box = Rows(Content(text), id=box_id, classes="box")
        box.border_title = title
        return box

    # ---- what the app's store holds ------------------------------------------------
    def show_verdict(self, verdict: Verdict | None) -> None:
        """The first lines of the first screen, whatever its size: up, or the cause, and the fix's first step
        (each one line, cut with … where the terminal is narrow)."""
        if verdict is None:
            return
        icon, style = VERDICT_LOOK[verdict.tone]
        self.query_one("#ov-verdict", Rows).update(styled((f"{icon} {verdict.title}", f"{style} bold")))
        fix = self.query_one("#ov-verdict-fix", Rows)
        fix.display = bool(verdict.fix)
        more = "  (6 Health: the whole fix)" if verdict.first_step != verdict.fix else ""
        fix.update(styled(("  fix: ", "$accent bold"), keyed_fix(verdict.first_step, self.PANE_ID),
                          (more, "$text-muted")))

    def show_status(self, message: StatusUpdate | None) -> None:
        if message is None:
            return
        box = self.query_one("#ov-status", Rows)
        if message.problem is not None:
            box.update(lines(styled(("✘ ", "$error bold"), message.problem.message),
                             styled(("fix: ", "$text-muted"), message.problem.fix) if message.problem.fix else ""))
            return
        status = message.status
        if status is None:
            return
        if not status.exists:
            box.update(lines(styled(("● not deployed", "$warning bold")),
                             styled(("fix: ", "$text-muted"), "d in the Runtime pane (4) deploys it")))
            return
        from ...present.restart_line import restart_count, started_ago

        # The last /ready probe says more than the runtime's state: "running" while /ready answers 503 is not up.
        probes = self.wbtui.probes
        probe = probes.sample.ready if probes is not None and probes.sample is not None else None
        health = f"  {status.health}" if status.health not in ("unknown", "") else ""  # no healthcheck: noise
        if probe is not None and not probe.ok and status.state == "running":
            answer = probe.status_code if probe.status_code is not None else probe.kind
            state = styled((f"● {status.state} · not ready (/ready {answer})", "$warning bold"), health)
        else:
            ready = probe.ok if probe is not None else status.ready
            state = styled((f"● {status.state}", f"{state_style(status.state)} bold"), health,
                           ("  ready" if ready else "  not ready") if ready is not None else "")
        rows = [state, Content(restart_count(status)), Content(started_ago(status)),  # a narrow box: one line each
                Content(f"image {status.image}" if status.image else "")]
        usage = message.usage
        if usage is not None:
            cpu = f"{usage.cpu_percent:.0f}%" if usage.cpu_percent is not None else "-"
            limit = f" / {size(usage.memory_limit_bytes)}" if usage.memory_limit_bytes else ""
            # one line in the box at 80x24 (36 cells) even at "1000.0 KiB": a wrap would lay the screen out again
            rows.append(Content(f"cpu {cpu} · mem {size(usage.memory_bytes)}{limit}"))
        if status.oom_killed:
            rows.append(styled(("killed: out of memory", "$error bold"), " (raise runtime.memory_limit)"))
        if status.reason or status.message:
            rows.append(styled((f"{status.reason} ", "$warning"), status.message))
        box.update(lines(*rows))

    def show_probe(self, message: ProbeUpdate | None) -> None:
        if message is None:
            return
        if message.problem is not None:
            self.query_one("#ov-probes", Rows).update(lines(styled(("✘ ", "$error"), message.problem.message),
                                                              styled(("fix: ", "$text-muted"), message.problem.fix)))
            return
        sample = message.sample
        if sample is None:
            return
        rows: list[Content] = []
        fixes: list[str] = []
        for endpoint in ENDPOINTS:
            result = getattr(sample, endpoint)
            latency = f"{result.latency * 1000:.0f} ms" if result.latency is not None else "-"
            icon, style = ("✔ ", "$success") if result.ok else ("✘ ", "$error")
            rows.append(styled((f"/{endpoint:<8}", "bold"), (icon, style), f"{result.message}  {latency}"))
            shown = self._sparks[endpoint].update(message.latencies.get(endpoint, []))
            rows.append(styled((sparkline(shown), "$accent")))
            if not result.ok and result.fix and result.fix not in fixes:
                fixes.append(result.fix)
        rows.extend(styled(("fix: ", "$text-muted"), fix) for fix in fixes)  # once, when both say the same
        self.query_one("#ov-probes", Rows).update(lines(*rows))

    def show_checks(self, message: ChecksUpdate | None) -> None:
        if message is None:
            return
        from ...checks.acknowledged import mark
        from ...checks.model import Status, worst

        saved = self.wbtui.session.saved
        by_store: dict[str, list[Any]] = {}
        for marked in mark(message.results, saved.acknowledged):
            by_store.setdefault(marked.result.store or "?", []).append(marked)
        rows: list[Content] = []
        now = time.time()
        for store, marks in sorted(by_store.items()):
            results = [m.result for m in marks]
            counted = [m.result for m in marks if not m.covered]  # an acknowledged finding is shown, not counted
            status = worst(counted)
            passed = sum(r.status == Status.PASS for r in results)
            bad = [r for r in counted if r.status in (Status.FAIL, Status.WARN)]
            acknowledged = len(results) - len(counted)
            line = styled((f"{store:<6}", "bold"), (f"{status.icon} ", STATUS_VARIABLE[status.value]),
                          f"{bad[0].title}: {bad[0].summary}  ·  " if bad else "",  # what is wrong comes first
                          f"{passed}/{len(results)} passed",
                          (f", {acknowledged} acknowledged" if acknowledged else "", "$text-muted"))
            rows.append(line + self._age(results, now, saved.app.recheck_minutes))  # one line: 3 has the rest
            if bad and bad[0].fix:
                rows.append(styled(("       fix: ", "$text-muted"), keyed_fix(bad[0].fix, self.PANE_ID)))
        if message.running:
            rows.append(styled(("checking…", "$text-muted")))
        self.query_one("#ov-checks", Rows).update(lines(*rows) if rows else Content("no results"))

    @staticmethod
    def _age(results: list[Any], now: float, minutes: float) -> Content:
        """`` · 3m ago`` for the store's oldest result, in warning colour once stale (as the Datastores pane)."""
        oldest = min((r.checked_at for r in results if r.checked_at), default=None)
        if oldest is None:
            return Content("")
        age = now - oldest
        old = stale(age, minutes)
        return styled((f"  ·  {'stale: ' if old else ''}{ago(age)}", "$warning" if old else "$text-muted"))

    def show_ages(self) -> None:
        """Keep the shown ages true while the results stay (every AGE_SECONDS, only while on screen)."""
        checks = self.wbtui.checks
        if self.display and checks is not None and not checks.running:
            self.show_checks(checks)

    def show_errors(self, message: ErrorLines | None) -> None:
        if message is None:
            return
        rows: list[Content] = []
        for item in message.items[-4:]:
            rows.append(styled(("✘ ", "$error"), item.line))
            if item.cause:
                rows.append(styled(("  → ", "$text-muted"), item.cause))
            if item.fix:
                rows.append(styled(("    fix: ", "$text-muted"), item.fix))
        self.query_one("#ov-errors", Rows).update(lines(*rows) if rows else Content("no error lines seen"))

    # ---- one-key actions -------------------------------------------------------------------
    def action_checks(self) -> None:
        self.request_checks(("mysql", "s3"))
        self.notify("Running the datastore checks (Datastores pane, 3, has details).", markup=False)

    def action_restart(self) -> None:
        if not self.refuse_read_only("restart"):
            self.post_message(RunRuntimeAction("restart"))

    def action_logs(self) -> None:
        self.wbtui.action_show_pane("logs")

    def action_refresh(self) -> None:
        self.post_message(RefreshStatus())
        self.post_message(ProbeNow())

    def action_yank(self, whole: bool) -> None:
        """The verdict's fix (the whole of it, not only the first step shown), or the verdict with its fix."""
        from ..clipboard import copy_finding

        verdict = self.wbtui.verdict
        finding = (verdict.title, verdict.why, verdict.fix) if verdict is not None and verdict.tone != "good" else None
        copy_finding(self, finding, whole, "Nothing to copy: no finding with a fix on the Overview now.")

    def action_bundle(self) -> None:
        self.notify("Writing the doctor bundle…", markup=False)
        self._bundle(Path.cwd())

    @work(thread=True, exclusive=True, group="bundle", exit_on_error=False, name="Doctor bundle",
          description="Doctor bundle")
    def _bundle(self, directory: Path) -> None:
        path = self.wbtui.core.doctor_bundle(directory)
        self.post_message(Notice(f"Support bundle (secrets redacted): {path}", "Doctor", timeout=15))
