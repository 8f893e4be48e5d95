"""Step 2: MYSQL from its parts; optionally create the user and database as an admin (the guide's SQL, shown first)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Static

from ....checks.model import Status
from ....config.urls import MysqlURL, URLError
from ....setup.flow import StepReport, admin_url_for, assemble_mysql_url
from ...text import styled
from ...widgets.confirm import ConfirmScreen
from ..form import FormRow, text_input
from ..jobs import FieldProblem, Job
from .base import StepPanel

if TYPE_CHECKING:
    from ....checks.mysql_init import Step

FORM_FIX = "check the server, port and database fields"
UNSUPPORTED = "Not a supported MySQL: W&B needs MySQL 5.7 or 8. Continue anyway (ctrl+o) records it."


class MysqlPanel(StepPanel):
    DEFAULT_CSS = """
    MysqlPanel #mysql-port {
        width: 8;
    }
    """

    STEP = "mysql"
    INTRO = ("MYSQL: the W&B user's account. Give an admin account too and the user and database are created "
             "(the SQL is shown first).")
    ACTION_KEYS = {"mysql-create": ("i", "Create DB+user")}

    def form_rows(self) -> Iterable[Widget]:
        yield FormRow("Server", text_input("mysql-host", placeholder="db.example.com"),
                      text_input("mysql-port", "3306", placeholder="3306"))
        yield FormRow("Database", text_input("mysql-database", "wandb_local"))
        yield FormRow("User", text_input("mysql-user", "wandb_local"))
        yield FormRow("Password", text_input("mysql-password", password=True, placeholder="the W&B user's"))
        yield FormRow("Admin", text_input("mysql-admin-user", "root", placeholder="admin user (optional)"),
                      text_input("mysql-admin-password", password=True, placeholder="admin password"))

    def extra(self) -> Iterable[Widget]:
        with Horizontal(classes="step-actions"):
            yield self.action_button("mysql-create", "Create user and database…")
        yield Static(Content(""), id="mysql-verdict", classes="step-warning")

    def load(self) -> None:
        try:
            url = MysqlURL.parse(self.flow.config.server.MYSQL)
        except URLError:
            return
        self.set_field("mysql-host", url.host)
        self.set_field("mysql-port", str(url.port or ""))
        self.set_field("mysql-database", url.database)
        self.set_field("mysql-user", url.user)
        self.set_field("mysql-password", url.password)

    @staticmethod
    def url(values: dict[str, Any]) -> str:
        return assemble_mysql_url(values["mysql-host"], values["mysql-port"], values["mysql-database"],
                                  values["mysql-user"], values["mysql-password"])

    def check(self, values: dict[str, Any], job: Job) -> StepReport:
        try:
            self.flow.set("MYSQL", self.url(values))
        except URLError as exc:
            return self.flow.fail_step("mysql", self.flow.failure("mysql.config", "MySQL configured", exc, FORM_FIX))
        return self.flow.check_mysql(on_result=self.stream(job))

    def show_report(self, report: StepReport | None) -> None:
        super().show_report(report)
        unsupported = report is not None and any(r.id == "mysql.server" and r.status is Status.FAIL
                                                 for r in report.results)
        verdict = self.query_one("#mysql-verdict", Static)
        verdict.display = unsupported
        verdict.update(styled(("! ", "$warning bold"), UNSUPPORTED) if unsupported else Content(""))

    # -- create the user and database -------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "mysql-create":
            event.stop()
            self.start_create()

    def start_create(self) -> None:
        values = self.values()
        if not values["mysql-admin-user"].strip():
            self.notify("Give the admin user (and password) that may CREATE USER and GRANT.", severity="warning",
                        markup=False)
            return
        flow = self.flow

        def plan(_job: Job) -> tuple[str, list[Step]]:
            try:
                url = self.url(values)
            except URLError as exc:
                raise FieldProblem(exc, FORM_FIX) from exc
            flow.set("MYSQL", url)
            admin = admin_url_for(url, values["mysql-admin-user"], values["mysql-admin-password"])
            return admin, flow.plan_database(admin)

        self.setup.run_job("Reading the database server as admin", plan,
                           lambda planned: self.confirm_create(values, *planned))

    def confirm_create(self, values: dict[str, Any], admin: str, plan: list[Step]) -> None:
        pending = [s for s in plan if s.pending]
        shown = [f"As {values['mysql-admin-user']} on {values['mysql-host']}:{values['mysql-port'] or 3306}, run:"]
        shown += [s.sql for s in pending]
        shown += [f"(already there: {s.title}: {s.note})" for s in plan if s.action == "none"]
        shown += [f"(cannot: {s.title}: {s.note})" for s in plan if s.action == "blocked"]
        if not pending:
            self.notify("The user, database and grant need no change.", markup=False)
            self.setup.run_check()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.setup.run_job("Creating the user and database", lambda job: self.create(admin, plan, job),
                                   lambda report: self.setup.checked_report(self, values, report))

        self.setup.ask(ConfirmScreen("Create the W&B database user and database?", shown, confirm_label="Run the SQL"),
                       answered)

    def create(self, admin: str, plan: list[Step], job: Job) -> StepReport:
        actions = self.flow.create_database(admin, plan)
        job.post(self.results.clear, "Checking…")
        return self.flow.check_mysql(on_result=self.stream(job), actions=actions)
