"""The Health pane: /healthz and /ready over time, state changes, and the startup watch."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, ProgressBar, Sparkline, Static

from ...health.history import ENDPOINTS, Transition
from ..messages import ProbeNow, ProbeUpdate, StartupWatch, WatchUpdate
from ..text import cell, lines, styled
from ..widgets.filter_bar import FilterBar, row_matches
from ..widgets.front_door_line import FrontDoorLine
from .base import FilteredPane


class HealthPane(FilteredPane):
    DEFAULT_CSS = """
    HealthPane #hp-probes {
        height: auto;
    }

    HealthPane #hp-probes > .box {
        width: 1fr;
    }

    HealthPane #hp-watch {
        height: auto;
    }

    HealthPane #hp-tables {
        height: 1fr;
    }

    HealthPane #hp-transitions {
        width: 2fr;
    }

    HealthPane #hp-history {
        width: 3fr;
    }

    HealthPane Sparkline.probe-spark {
        height: 1;
        margin: 0 0 0 0;
    }

    HealthPane Sparkline.probe-spark > .sparkline--max-color {
        color: $warning;
    }

    HealthPane Sparkline.probe-spark > .sparkline--min-color {
        color: $success;
    }
    """

    PANE_ID = "health"
    TITLE = "Health"

    BINDINGS = [
        Binding("p", "probe", "Probe now", id="health.probe"),
        Binding("w", "watch", "Startup watch", id="health.watch"),
        Binding("slash", "filter", "Filter", id="health.filter"),
        Binding("y", "yank(False)", "Copy the fix", show=False, id="health.copy_fix"),
        Binding("Y", "yank(True)", "Copy the finding", show=False, id="health.copy_finding"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.samples: list[Any] = []
        self.transitions: list[Transition] = []
        self._shown = False
        self._stale: ProbeUpdate | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content("Probes start when the dashboard has a target (HOST or a deployed server)."),
                     id="hp-target", classes="pane-status")
        yield FrontDoorLine(detail=True, id="hp-front-door")
        with Horizontal(id="hp-probes"):
            for endpoint in ENDPOINTS:
                box = Vertical(id=f"hp-{endpoint}-box", classes="box")
                box.border_title = f"/{endpoint}"
                with box:
                    yield Static(Content("waiting…"), id=f"hp-{endpoint}")
                    yield Sparkline([], id=f"hp-{endpoint}-spark", classes="probe-spark")
        watch = Vertical(id="hp-watch", classes="box")
        watch.border_title = "Startup watch"
        with watch:
            yield ProgressBar(total=600, show_eta=False, id="hp-watch-bar")
            yield Static(Content(""), id="hp-watch-text")
        yield FilterBar(id="hp-filter")
        with Horizontal(id="hp-tables"):
            yield DataTable(id="hp-transitions", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="hp-history", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#hp-transitions", DataTable).add_columns("TIME", "CHANGE")
        self.query_one("#hp-history", DataTable).add_columns("TIME", "HEALTHZ", "READY", "MS")
        self.query_one("#hp-watch").display = False
        self.watch(self.app, "probes", self.show_update)
        self.watch(self.app, "startup", self.show_watch_update)

    # ---- hidden: nothing is redrawn (the tables are refilled from the whole history), shown: catch up ------
    def on_show(self) -> None:
        self._shown = True
        if self._stale is not None:
            update, self._stale = self._stale, None
            self.show_update(update)

    def on_hide(self) -> None:
        self._shown = False

    def focus_default(self) -> None:
        self.query_one("#hp-history", DataTable).focus()

    # ---- probing (by the app) -------------------------------------------------------------------------
    def action_probe(self) -> None:
        self.post_message(ProbeNow())

    def show_update(self, update: ProbeUpdate | None) -> None:
        if update is None:
            return
        if not self._shown:
            self._stale = update  # drawn when the pane is shown
            return
        if update.problem is not None:
            self.query_one("#hp-target", Static).update(styled(("✘ ", "$error"), update.problem.text()))
        else:
            self.show_sample(update.sample, update.latencies, update.transitions, update.samples)

    def show_sample(self, sample: Any, latencies: dict[str, list[float]], transitions: list[Transition],
                    samples: list[Any]) -> None:
        """Render a sample and the history (also used with fixed data by the snapshot tests)."""
        self._stale = None  # what is drawn now is newer than an update kept while hidden
        target = sample.target
        self.query_one("#hp-target", Static).update(
            styled(("probing ", "$text-muted"), (target.url, "bold"), f"  ({target.via}: {target.note})"))
        for endpoint in ENDPOINTS:
            result = getattr(sample, endpoint)
            icon, style = ("✔ ", "$success") if result.ok else ("✘ ", "$error")
            latency = f"  {result.latency * 1000:.0f} ms" if result.latency is not None else ""
            rows: list[Content | str] = [styled((icon, style), result.message, latency)]
            if not result.ok and result.fix:
                rows.append(styled(("fix: ", "$text-muted"), result.fix))
            self.query_one(f"#hp-{endpoint}", Static).update(lines(*rows))
            self.query_one(f"#hp-{endpoint}-spark", Sparkline).data = [v * 1000 for v in latencies[endpoint]][-60:]
        self.samples = samples
        self.transitions = transitions
        self.refill()

    def refill(self) -> None:
        app = self.app
        table = self.query_one("#hp-transitions", DataTable)
        table.clear()
        for t in reversed(self.transitions):
            if row_matches(self.row_filter, t.endpoint, t.message):
                table.add_row(cell(app, f"{t.time:%H:%M:%S}"),
                              cell(app, t.message, "$success" if t.after else "$error"))
        table = self.query_one("#hp-history", DataTable)
        table.clear()
        for s in reversed(self.samples):
            h, r = s.healthz, s.ready
            if not row_matches(self.row_filter, h.message, r.message):
                continue
            ms = f"{r.latency * 1000:.0f}" if r.latency is not None else "-"
            table.add_row(cell(app, f"{s.time:%H:%M:%S}"),
                          cell(app, ("✔ " if h.ok else "✘ ") + h.message, "$success" if h.ok else "$error"),
                          cell(app, ("✔ " if r.ok else "✘ ") + r.message, "$success" if r.ok else "$error"),
                          cell(app, ms))

    def first_finding(self) -> tuple[str, str, str] | None:
        """The first finding the pane shows with a fix, as (title, message, fix): the failed startup watch's
        cause, else the front door's first one to act on, else a failing probe's."""
        startup = self.wbtui.startup
        result = startup.result if startup is not None else None
        if result is not None and not result.ready and result.diagnosis:
            return result.diagnosis[0].cause, result.message, result.diagnosis[0].fix
        checked = self.wbtui.front_door
        door = checked.door if checked is not None else None
        for door_finding in door.findings if door is not None else []:
            if door_finding.severity != "ok" and door_finding.fix:
                return f"Front door: {door_finding.title}", door_finding.message, door_finding.fix
        probes = self.wbtui.probes
        sample = probes.sample if probes is not None else None
        for endpoint in ENDPOINTS if sample is not None else ():
            probe = getattr(sample, endpoint)
            if not probe.ok and probe.fix:
                return f"/{endpoint} failing", probe.message, probe.fix
        return None

    def action_yank(self, whole: bool) -> None:
        from ..clipboard import copy_finding

        copy_finding(self, self.first_finding(), whole,
                     "Nothing to copy: no finding with a fix on the Health pane now.")

    # ---- startup watch (run by the app) ----------------------------------------------------------------------
    def action_watch(self) -> None:
        self.post_message(StartupWatch())

    def show_watch_update(self, update: WatchUpdate | None) -> None:
        if update is None:
            return
        if update.result is not None:
            self.show_watch_result(update.result)
        elif update.progress is not None:
            self.show_watch_progress(update.progress)
        else:
            from ...health.watch import STARTUP_WINDOW

            self.query_one("#hp-watch").display = True
            self.query_one("#hp-watch-bar", ProgressBar).update(total=STARTUP_WINDOW, progress=0)
            self.query_one("#hp-watch-text", Static).update(Content("starting the watch…"))

    def show_watch_progress(self, progress: Any) -> None:
        self.query_one("#hp-watch-bar", ProgressBar).update(total=progress.timeout, progress=progress.elapsed)
        rows: list[Content | str] = [Content(progress.summary())]
        if progress.note:
            rows.append(styled((progress.note, "$text-muted")))
        self.query_one("#hp-watch-text", Static).update(lines(*rows))

    def show_watch_result(self, result: Any) -> None:
        bar = self.query_one("#hp-watch-bar", ProgressBar)
        if result.ready and bar.total is not None:
            bar.update(progress=bar.total)
        rows: list[Content | str] = [
            styled(("✔ " if result.ready else "✘ ", "$success bold" if result.ready else "$error bold"),
                   result.message)]
        for diagnosis in result.diagnosis[:3]:
            rows.append(styled(("→ ", "$text-muted"), diagnosis.cause))
            rows.append(styled(("  fix: ", "$text-muted"), diagnosis.fix))
        self.query_one("#hp-watch-text", Static).update(lines(*rows))
