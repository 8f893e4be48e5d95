"""The Datastores pane: run the MySQL and object-store checks, read the fix, apply fix actions."""

from __future__ import annotations

import time
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from ...checks.model import CheckResult, Status
from ..core import FixPlan
from ..messages import ChecksUpdate, Problem
from ..text import STATUS_VARIABLE, cell, lines, status_cell, styled
from ..widgets.filter_bar import FilterBar, row_matches
from .base import Pane

STORES = {"all": ("mysql", "s3"), "mysql": ("mysql",), "s3": ("s3",)}
FIX_TITLES = {"db_init": "Create the database and user", "bucket": "Create the bucket", "cors": "Apply CORS rules"}


class DatastoresPane(Pane):
    PANE_ID = "datastores"
    TITLE = "Datastores"
    MUTATING = frozenset({"fix"})

    BINDINGS = [
        Binding("a", "run('all')", "Check all"),
        Binding("m", "run('mysql')", "Check MySQL"),
        Binding("s", "run('s3')", "Check S3"),
        Binding("i", "fix('db_init')", "Create DB+user"),
        Binding("b", "fix('bucket')", "Create bucket"),
        Binding("o", "fix('cors')", "Apply CORS"),
        Binding("slash", "filter", "Filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.results: list[CheckResult] = []
        self._run_id = 0
        self._started = 0.0
        self.checking = False
        self._filter = ""

    def compose(self) -> ComposeResult:
        yield Static(Content("Not checked yet: a checks everything, m MySQL, s the object store."),
                     id="ds-status", classes="pane-status")
        yield FilterBar(id="ds-filter")
        yield DataTable(id="ds-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="ds-details", classes="box"):
            yield Static(Content("Select a result to see its details and fix."), id="ds-details-text")

    def on_mount(self) -> None:
        self.query_one("#ds-table", DataTable).add_columns("STORE", "CHECK", "STATUS", "TIME", "SUMMARY")
        if self.wbtui.background and self.wbtui.session.file_exists:
            self.action_run("all")

    def focus_default(self) -> None:
        self.query_one("#ds-table", DataTable).focus()

    # ---- running checks ---------------------------------------------------------------------
    def action_run(self, which: str) -> None:
        stores = STORES[which]
        self._run_id += 1
        self._started = time.monotonic()
        self.checking = True
        self.results = [r for r in self.results if r.store not in stores]
        self._refill()
        config = self.wbtui.session.draft.copy()
        what = "the draft (unsaved)" if self.wbtui.session.dirty else "the saved configuration"
        self._set_status(styled((f"Checking {', '.join(stores)}…", "$warning"), f"  (testing {what})"))
        self._check(config, stores, self._run_id)

    @work(thread=True, exclusive=True, group="checks", exit_on_error=False, name="Checks")
    def _check(self, config: Any, stores: tuple[str, ...], run_id: int) -> None:
        worker = get_current_worker()

        def on_result(result: CheckResult) -> None:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._add, run_id, result)

        try:
            self.wbtui.core.run_checks(config, stores, on_result)
        except Exception as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, run_id, Problem.from_exception(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._done, run_id, time.monotonic() - self._started)

    def _add(self, run_id: int, result: CheckResult) -> None:
        if run_id != self._run_id:
            return
        self.results.append(result)
        self._add_row(len(self.results) - 1, result)
        self.post_message(ChecksUpdate(list(self.results), running=True))

    def _done(self, run_id: int, took: float) -> None:
        if run_id != self._run_id:
            return
        self.checking = False
        counts = {status: sum(r.status == status for r in self.results) for status in Status}
        parts: list[str | tuple[str, str]] = [f"{len(self.results)} checks in {took:.1f}s: "]
        for status in Status:
            if counts[status]:
                parts.append((f"{counts[status]} {status.value}  ", STATUS_VARIABLE[status.value]))
        self._set_status(styled(*parts))
        self.post_message(ChecksUpdate(list(self.results), running=False))
        self._show_details()

    def _failed(self, run_id: int, problem: Problem) -> None:
        if run_id != self._run_id:
            return
        self.checking = False
        self._set_status(lines(styled(("✘ checks could not run: ", "$error bold"), problem.message),
                               styled(("fix: ", "$text-muted"), problem.fix) if problem.fix else ""))

    def _set_status(self, content: Content) -> None:
        self.query_one("#ds-status", Static).update(content)

    # ---- table ---------------------------------------------------------------------------------
    def _add_row(self, index: int, result: CheckResult) -> None:
        if not row_matches(self._filter, result.store, result.title, result.status.value, result.summary):
            return
        app = self.app
        self.query_one("#ds-table", DataTable).add_row(
            cell(app, result.store), cell(app, result.title),
            status_cell(app, result.status.value, f"{result.status.icon} {result.status.value}"),
            cell(app, f"{result.duration:.2f}s"), cell(app, result.summary), key=str(index))

    def _refill(self) -> None:
        self.query_one("#ds-table", DataTable).clear()
        for index, result in enumerate(self.results):
            self._add_row(index, result)
        self._show_details()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "ds-table":
            self._show_details()

    def selected(self) -> CheckResult | None:
        table = self.query_one("#ds-table", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.results[int(str(row_key.value))]

    def _show_details(self) -> None:
        result = self.selected()
        text = self.query_one("#ds-details-text", Static)
        if result is None:
            text.update(Content("Select a result to see its details and fix."))
            return
        rows: list[Content | str] = [
            styled((f"{result.status.icon} {result.title}", f"{STATUS_VARIABLE[result.status.value]} bold"),
                   f"  ({result.store}, {result.duration:.2f}s)"),
            result.summary,
        ]
        if result.details:
            rows.append(result.details)
        if result.fix:
            rows.append(styled(("Fix: ", "$accent bold"), result.fix))
        text.update(lines(*rows))

    # ---- filter -------------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one("#ds-filter", FilterBar).open()

    def on_filter_bar_applied(self, event: FilterBar.Applied) -> None:
        event.stop()
        self._filter = event.text
        self._refill()
        if event.done:
            self.focus_default()

    # ---- fix actions -------------------------------------------------------------------------------
    def action_fix(self, action: str) -> None:
        if self.refuse_read_only(FIX_TITLES[action].lower()):
            return
        config = self.wbtui.session.draft.copy()
        if action == "db_init":
            self.prompt("MySQL admin URL (used once, never saved)", lambda url: self._plan(action, config, url),
                        placeholder="mysql://root:PASSWORD@db.example.com:3306/",
                        help="An account allowed to create users and databases. The plan is shown before "
                             "anything changes.", password=True)
        else:
            self._plan(action, config, "")

    @work(thread=True, exclusive=True, group="fix", exit_on_error=False, name="Fix action")
    def _plan(self, action: str, config: Any, admin_url: str) -> None:
        self.app.call_from_thread(self._set_status, styled((f"{FIX_TITLES[action]}: inspecting…", "$warning")))
        try:
            plan = self.wbtui.core.plan_fix(action, config, admin_url)
        except Exception as exc:
            self.app.call_from_thread(self._fix_failed, action, Problem.from_exception(exc))
            return
        self.app.call_from_thread(self._confirm_plan, plan)

    def _confirm_plan(self, plan: FixPlan) -> None:
        if not plan.pending:
            self._set_status(styled(("✔ ", "$success"), f"{plan.title}: nothing to do"))
            self.notify("\n".join(plan.steps), title=f"{plan.title}: nothing to do", markup=False)
            return
        self._set_status(Content(f"{plan.title}: waiting for confirmation"))
        self.confirm(plan.title, plan.steps, lambda: self._apply(plan), confirm_label="Apply")

    @work(thread=True, exclusive=True, group="fix", exit_on_error=False, name="Fix action")
    def _apply(self, plan: FixPlan) -> None:
        self.app.call_from_thread(self._set_status, styled((f"{plan.title}: applying…", "$warning")))
        try:
            outcome = plan.apply()
        except Exception as exc:
            self.app.call_from_thread(self._fix_failed, plan.action, Problem.from_exception(exc))
            return
        self.app.call_from_thread(self._applied, plan, outcome)

    def _applied(self, plan: FixPlan, outcome: list[str]) -> None:
        self.notify("\n".join(outcome), title=plan.title, markup=False, timeout=10)
        self.action_run(plan.store)

    def _fix_failed(self, action: str, problem: Problem) -> None:
        self._set_status(lines(styled((f"✘ {FIX_TITLES[action]} failed: ", "$error bold"), problem.message),
                               styled(("fix: ", "$text-muted"), problem.fix) if problem.fix else ""))
        self.wbtui.show_problem(problem, FIX_TITLES[action])
