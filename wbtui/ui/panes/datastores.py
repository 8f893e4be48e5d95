"""The Datastores pane: run the MySQL and object-store checks, read the fix, apply fix actions."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from ...checks.acknowledged import Marked, mark
from ...checks.model import CheckResult, Status
from ...ops.fixes import FixAction, FixPlan
from ...present.durations import ago, stale
from ..fix_keys import keyed_fix
from ..messages import ChecksUpdate, Problem
from ..text import STATUS_VARIABLE, cell, fix_line, lines, status_cell, styled
from ..widgets.filter_bar import FilterBar, row_matches
from .base import FilteredPane

STORES = {"all": ("mysql", "s3"), "mysql": ("mysql",), "s3": ("s3",)}
FIX_TITLES: dict[FixAction, str] = {"db_init": "Create the database and user", "bucket": "Create the bucket",
                                     "cors": "Apply CORS rules"}


class FixPlanned(Message):
    """A fix action was inspected: its plan, to confirm (or nothing to do); ``reset`` plans it again with
    the password reset (db init, when the user exists with another password)."""

    def __init__(self, plan: FixPlan, reset: Callable[[], None]) -> None:
        super().__init__()
        self.plan = plan
        self.reset = reset


class Acknowledged(Message):
    """An acknowledgement was stored or removed (``text`` says which), or ``problem`` why not."""

    def __init__(self, problem: Problem | None, text: str) -> None:
        super().__init__()
        self.problem = problem
        self.text = text


class FixApplied(Message):
    def __init__(self, plan: FixPlan, outcome: list[str]) -> None:
        super().__init__()
        self.plan = plan
        self.outcome = outcome


class FixFailed(Message):
    def __init__(self, action: FixAction, problem: Problem) -> None:
        super().__init__()
        self.action = action
        self.problem = problem


class DatastoresPane(FilteredPane):
    DEFAULT_CSS = """
    DatastoresPane #ds-table {
        height: 1fr;
    }

    DatastoresPane #ds-details {
        height: 8;
    }
    """

    PANE_ID = "datastores"
    TITLE = "Datastores"
    MUTATING = frozenset({"fix", "acknowledge"})

    BINDINGS = [
        Binding("a", "run('all')", "Check all", id="datastores.check_all"),
        Binding("m", "run('mysql')", "Check MySQL", id="datastores.check_mysql"),
        Binding("s", "run('s3')", "Check S3", id="datastores.check_object_store"),
        Binding("i", "fix('db_init')", "Create DB+user", id="datastores.fix_db_init"),
        Binding("b", "fix('bucket')", "Create bucket", id="datastores.fix_bucket"),
        Binding("o", "fix('cors')", "Apply CORS", id="datastores.fix_cors"),
        Binding("k", "acknowledge", "Acknowledge", id="datastores.acknowledge"),
        Binding("slash", "filter", "Filter", id="datastores.filter"),
        Binding("y", "yank(False)", "Copy the fix", show=False, id="datastores.copy_fix"),
        Binding("Y", "yank(True)", "Copy the finding", show=False, id="datastores.copy_finding"),
    ]
    LASTING = {"Until removed (k again removes it)": None, "1 day": timedelta(days=1),
               "7 days": timedelta(days=7), "30 days": timedelta(days=30), "90 days": timedelta(days=90)}
    """How long an acknowledgement made here covers its finding (``wbtui ack --for`` takes any period)."""

    AGE_SECONDS = 10.0
    """How often the shown ages are brought up to date (they are coarse: see ``present.durations.ago``)."""

    def __init__(self) -> None:
        super().__init__()
        self._shown_run = -1
        self._shown: list[CheckResult] = []
        """The results the table shows (row keys index it): a quick re-check replaces them only when it ends."""
        self._keep = ""
        """The id of the result selected when a run began: selected again when the run ends."""
        self._age_column: Any = None
        self._told_run = -1
        self._marks: dict[int, Marked] = {}
        """Each shown result's acknowledgement (by index), from the config as loaded."""

    def compose(self) -> ComposeResult:
        yield Static(Content("Not checked yet: a checks everything, m MySQL, s the object store."),
                     id="ds-status", classes="pane-status")
        yield FilterBar(id="ds-filter")
        yield DataTable(id="ds-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="ds-details", classes="box"):
            yield Static(Content("Select a result to see its details and fix."), id="ds-details-text")

    def on_mount(self) -> None:
        columns = self.query_one("#ds-table", DataTable).add_columns("STORE", "CHECK", "STATUS", "AGE", "SUMMARY")
        self._age_column = columns[3]
        self.watch(self.app, "checks", self.show_checks)
        self.watch(self.app, "loaded", self.show_acknowledged, init=False)
        self.set_interval(self.AGE_SECONDS, self.show_ages)

    def focus_default(self) -> None:
        self.query_one("#ds-table", DataTable).focus()

    # ---- checks (run by the app; results in its store) ------------------------------------------------
    @property
    def results(self) -> list[CheckResult]:
        """The results on screen."""
        return self._shown

    @property
    def checking(self) -> bool:
        checks = self.wbtui.checks
        return checks is not None and checks.running

    def action_run(self, which: str) -> None:
        self.request_checks(STORES[which])

    def show_checks(self, update: ChecksUpdate | None) -> None:
        if update is None:
            return
        new_run = update.run != self._shown_run
        if new_run:
            self._shown_run = update.run
            chosen = self.selected()
            self._keep = chosen.id if chosen is not None else ""
        if update.quick and update.running:
            pass  # a scheduled re-check: the rows stay still (and selectable) until it ends
        elif new_run or not update.running or len(update.results) < len(self._shown):
            self.refill(update.results, self._keep)
            if not update.running:
                self._keep = ""
        else:
            for index in range(len(self._shown), len(update.results)):
                self._shown.append(update.results[index])
                self._add_row(index, update.results[index])
        if update.problem is not None:
            problem = update.problem
            self._set_status(lines(styled(("✘ checks could not run: ", "$error bold"), problem.message),
                                   styled(("fix: ", "$text-muted"), problem.fix) if problem.fix else ""))
        elif update.running:
            self._set_status(styled((f"Checking {', '.join(update.stores)}…", "$warning"),
                                    f"  (testing {update.what})"))
        elif update.took is not None:
            self._show_summary(update)
            self._show_details()
            if not update.quick and self._told_run != update.run:  # asked for (or a config change): say it ended
                self._told_run = update.run
                failed = sum(r.status == Status.FAIL for r in update.results if r.store in update.stores)
                self.notify(f"{', '.join(update.stores)} checked in {update.took:.1f}s: "
                            + (f"{failed} failed (3 Datastores)" if failed else "nothing failed"),
                            title="Datastore checks", severity="warning" if failed else "information",
                            markup=False, timeout=4)

    def _show_summary(self, update: ChecksUpdate) -> None:
        """Counts, how old the results are and when they are checked again (stale ones in warning colour)."""
        marks = mark(update.results, self.wbtui.session.saved.acknowledged)
        counts = {status: sum(m.result.status == status and not m.covered for m in marks) for status in Status}
        acknowledged = sum(m.covered for m in marks)
        took = f", {update.took:.1f}s" if update.took is not None else ""
        parts: list[str | tuple[str, str]] = [f"{len(update.results)} checks{took}:"]
        for status in Status:
            if counts[status]:
                parts.append((f" {counts[status]} {status.value}", STATUS_VARIABLE[status.value]))
        if acknowledged:
            parts.append((f" {acknowledged} acknowledged", "$text-muted"))
        oldest = min((r.checked_at for r in update.results if r.checked_at), default=None)
        if oldest is not None:
            minutes = self.wbtui.session.saved.app.recheck_minutes
            age = time.time() - oldest
            old = stale(age, minutes)
            parts.append((f" · {'stale: ' if old else ''}{ago(age)}", "$warning" if old else "$text-muted"))
            parts.append((f" · re-check every {minutes:g}m" if minutes else " · no re-check", "$text-muted"))
        self._set_status(styled(*parts))

    def show_ages(self) -> None:
        """Bring the AGE cells and the summary up to date (only the cells whose text changed are redrawn)."""
        update = self.wbtui.checks
        if not self.display or update is None or update.running or update.problem is not None:
            return
        table = self.query_one("#ds-table", DataTable)
        now = time.time()
        for row_key in list(table.rows):
            result = self.results[int(str(row_key.value))]
            text = self._age(result, now)
            if str(table.get_cell(row_key, self._age_column)) != text:
                table.update_cell(row_key, self._age_column, cell(self.app, text))
        self._show_summary(update)

    @staticmethod
    def _age(result: CheckResult, now: float) -> str:
        return ago(now - result.checked_at) if result.checked_at else "-"

    def _set_status(self, content: Content) -> None:
        self.query_one("#ds-status", Static).update(content)

    # ---- table ---------------------------------------------------------------------------------
    def _add_row(self, index: int, result: CheckResult) -> None:
        marked = self._marks.get(index) or Marked(result)
        label = f"{result.status.icon} {result.status.value}" + (" (ack)" if marked.covered else "")
        if not row_matches(self.row_filter, result.store, result.title, label, result.summary):
            return
        app = self.app
        self.query_one("#ds-table", DataTable).add_row(
            cell(app, result.store), cell(app, result.title),
            cell(app, label, "$text-muted") if marked.covered else status_cell(app, result.status.value, label),
            cell(app, self._age(result, time.time())), cell(app, result.summary), key=str(index))

    def refill(self, results: list[CheckResult] | None = None, keep: str = "") -> None:
        """Show ``results`` (default: those shown: the filter or the acknowledgements changed) with the result
        ``keep`` names still selected (default: the one selected now)."""
        if not keep:
            chosen = self.selected()
            keep = chosen.id if chosen is not None else ""
        if results is not None:
            self._shown = list(results)
        self._marks = dict(enumerate(mark(self._shown, self.wbtui.session.saved.acknowledged)))
        table = self.query_one("#ds-table", DataTable)
        table.clear()
        for index, result in enumerate(self._shown):
            self._add_row(index, result)
        if keep:
            for row, row_key in enumerate(table.rows):
                if self._shown[int(str(row_key.value))].id == keep:
                    table.move_cursor(row=row)
                    break
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
        checked = f", checked {ago(time.time() - result.checked_at)}" if result.checked_at else ""
        rows: list[Content | str] = [
            styled((f"{result.status.icon} {result.title}", f"{STATUS_VARIABLE[result.status.value]} bold"),
                   f"  ({result.store}, took {result.duration:.2f}s{checked})"),
            result.summary,
            # the fix right under the summary: long details scroll in the box, the next step never does
            fix_line(result, keyed_fix(result.fix, self.PANE_ID)),
        ]
        note = self._marked(result).note
        if note:
            rows.append(styled((note, "$text-muted")))
        if result.details:
            rows.append(result.details)
        text.update(lines(*rows))

    def show_acknowledged(self, _config: object) -> None:
        """The config was (re)loaded: its acknowledgements may have changed what the rows and counts say."""
        self.refill()
        update = self.wbtui.checks
        if update is not None and not update.running and update.problem is None and update.results:
            self._show_summary(update)

    def _marked(self, result: CheckResult) -> Marked:
        return next((m for m in self._marks.values() if m.result is result), Marked(result))

    # ---- acknowledging -----------------------------------------------------------------------------
    def action_acknowledge(self) -> None:
        """Accept the selected finding (why, then for how long), or remove its acknowledgement."""
        result = self.selected()
        if self.refuse_read_only("acknowledging a finding"):
            return
        if result is None:
            self.notify("Select a failed or warning result first (run the checks: a).", markup=False)
            return
        marked = self._marked(result)
        if marked.covered:
            self.confirm(f"Remove the acknowledgement of {result.id}?",
                         [marked.note, "Its finding counts again: in exit codes, the verdict and cron alarms."],
                         lambda: self._unacknowledge(result.id), confirm_label="Remove")
            return
        if result.status not in (Status.FAIL, Status.WARN):
            self.notify(f"{result.title} is {result.status.value}: only a failure or a warning can be "
                        "acknowledged.", markup=False)
            return
        self.prompt(f"Acknowledge {result.id}: why is this accepted?", lambda why: self._ask_lasting(result, why),
                    placeholder="e.g. MariaDB by decision, ticket OPS-12",
                    help=f"Stored in {self.wbtui.session.config_path.name} with your user name and the time. It "
                         "covers this finding only while the check says the same; any other finding still counts.")

    def _ask_lasting(self, result: CheckResult, why: str) -> None:
        from ..widgets.confirm import ChoiceScreen

        def chosen(choice: str | None) -> None:
            if choice is not None:
                self._set_status(styled((f"Acknowledging {result.id}…", "$warning")))
                self._acknowledge(result, why, self.LASTING[choice])

        self.app.push_screen(ChoiceScreen("For how long?", list(self.LASTING)), chosen)

    @work(thread=True, exclusive=True, group="acknowledge", exit_on_error=False, name="Acknowledge",
          description="Acknowledge")
    def _acknowledge(self, result: CheckResult, why: str, lasting: timedelta | None) -> None:
        from ...ops.acknowledging import acknowledge_in_file

        try:
            done = acknowledge_in_file(self.wbtui.session.config_path, result, why, lasting=lasting)
        except Exception as exc:
            self.post_message(Acknowledged(Problem.from_exception(exc), f"Acknowledging {result.id} failed"))
            return
        until = f" until {done.ack.until:%Y-%m-%d}" if done.ack.until else ""
        self.post_message(Acknowledged(None, f"{result.id} acknowledged{until}: it no longer counts while the "
                                             f"check says the same. k again removes it."))

    @work(thread=True, exclusive=True, group="acknowledge", exit_on_error=False, name="Acknowledge",
          description="Acknowledge")
    def _unacknowledge(self, check_id: str) -> None:
        from ...ops.acknowledging import unacknowledge_in_file

        try:
            removed = unacknowledge_in_file(self.wbtui.session.config_path, check_id)
        except Exception as exc:
            self.post_message(Acknowledged(Problem.from_exception(exc), f"Removing {check_id}'s acknowledgement "
                                                                         "failed"))
            return
        self.post_message(Acknowledged(None, f"{check_id}: acknowledgement removed; its finding counts again."
                                       if removed else f"{check_id} was not acknowledged in the file."))

    def on_acknowledged(self, message: Acknowledged) -> None:
        """Saved (or not): the file is read again at once, so every pane shows the change."""
        message.stop()
        if message.problem is not None:
            self._set_status(styled(("✘ ", "$error bold"), message.text))
            self.wbtui.show_problem(message.problem, message.text)
            return
        self.notify(message.text, title="Acknowledged findings", markup=False)
        self.wbtui.read_config_file(announce=False)

    def action_yank(self, whole: bool) -> None:
        """The selected result's fix as the check wrote it (the CLI command), or the whole result with it."""
        from ..clipboard import copy_finding

        result = self.selected()
        finding = None if result is None else (
            f"{result.status.icon} {result.title} ({result.store})", result.summary, result.fix)
        copy_finding(self, finding, whole, "Nothing to copy: select a result with a fix (a runs the checks).")

    # ---- fix actions -------------------------------------------------------------------------------
    def action_fix(self, name: str) -> None:
        action = next(a for a in FIX_TITLES if a == name)  # the binding's name, as the fix action it names
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

    def _plan(self, action: FixAction, config: Any, admin_url: str, reset_password: bool = False) -> None:
        self._set_status(styled((f"{FIX_TITLES[action]}: inspecting…", "$warning")))
        self._inspect(action, config, admin_url, reset_password)

    @work(thread=True, exclusive=True, group="fix", exit_on_error=False, name="Fix action", description="Fix action")
    def _inspect(self, action: FixAction, config: Any, admin_url: str, reset_password: bool) -> None:
        try:
            plan = self.wbtui.core.plan_fix(action, config, admin_url, reset_password=reset_password)
            self.post_message(FixPlanned(plan, lambda: self._plan(action, config, admin_url, reset_password=True)))
        except Exception as exc:
            self.post_message(FixFailed(action, Problem.from_exception(exc)))

    def on_fix_planned(self, message: FixPlanned) -> None:
        message.stop()
        plan = message.plan
        if plan.resets_password:  # first, since the other steps cannot help a login that fails
            self._set_status(styled(("✘ ", "$error bold"), f"{plan.title}: the user exists with another password"))
            self.confirm("Reset the W&B user's password?",
                         [*plan.blocked, "Reset plans ALTER USER to the password in MYSQL; the plan is shown "
                          "before anything changes."], message.reset, confirm_label="Plan the reset")
            return
        if plan.blocked and not plan.pending:
            self._set_status(styled(("✘ ", "$error bold"), f"{plan.title}: cannot: ", "; ".join(plan.blocked)))
            return
        if not plan.pending:
            self._set_status(styled(("✔ ", "$success"), f"{plan.title}: nothing to do"))
            self.notify("\n".join(plan.steps), title=f"{plan.title}: nothing to do", markup=False)
            return
        self._set_status(Content(f"{plan.title}: waiting for confirmation"))
        self.confirm(plan.title, plan.steps, lambda: self._apply(plan), confirm_label="Apply")

    def _apply(self, plan: FixPlan) -> None:
        self._set_status(styled((f"{plan.title}: applying…", "$warning")))
        self._run_fix(plan)

    @work(thread=True, exclusive=True, group="fix", exit_on_error=False, name="Fix action", description="Fix action")
    def _run_fix(self, plan: FixPlan) -> None:
        try:
            self.post_message(FixApplied(plan, plan.apply()))
        except Exception as exc:
            self.post_message(FixFailed(plan.action, Problem.from_exception(exc)))

    def on_fix_applied(self, message: FixApplied) -> None:
        message.stop()
        self.notify("\n".join(message.outcome), title=message.plan.title, markup=False, timeout=10)
        self.request_checks(STORES[message.plan.store])

    def on_fix_failed(self, message: FixFailed) -> None:
        message.stop()
        self._fix_failed(message.action, message.problem)

    def _fix_failed(self, action: FixAction, problem: Problem) -> None:
        self._set_status(lines(styled((f"✘ {FIX_TITLES[action]} failed: ", "$error bold"), problem.message),
                               styled(("fix: ", "$text-muted"), problem.fix) if problem.fix else ""))
        self.wbtui.show_problem(problem, FIX_TITLES[action])
