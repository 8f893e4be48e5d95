"""Step 3: BUCKET from its parts; create the bucket and apply the CORS rules for HOST, each after a dry run."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Checkbox

from ....config.model import FieldError
from ....config.urls import BucketURL, URLError
from ....setup.flow import StepReport
from ...widgets.confirm import ConfirmScreen
from ..form import FormRow, text_input
from ..jobs import FieldProblem, Job
from .base import StepPanel

if TYPE_CHECKING:
    from ....checks.s3_bucket import ActionResult

FORM_FIX = "check the endpoint (HOST[:PORT]) and the bucket"
ACTIONS = {"create": ("Create the bucket?", "Create bucket", "Creating the bucket"),
           "cors": ("Apply the CORS rules?", "Apply CORS", "Applying the CORS rules")}


class S3Panel(StepPanel):
    DEFAULT_CSS = """
    S3Panel #s3-region {
        width: 14;
    }
    """

    STEP = "s3"
    INTRO = ("BUCKET: an S3-compatible store. HOST is the origin its CORS rules must allow, for uploads from "
             "browsers.")
    ACTION_KEYS = {"s3-create": ("b", "Create bucket"), "s3-cors": ("o", "Apply CORS")}

    def form_rows(self) -> Iterable[Widget]:
        tls = Checkbox("TLS", id="s3-tls", compact=True)
        yield FormRow("Endpoint", text_input("s3-endpoint", placeholder="minio.example.com:9000"), tls)
        yield FormRow("Access key", text_input("s3-access-key"))
        yield FormRow("Secret key", text_input("s3-secret-key", password=True))
        yield FormRow("Bucket", text_input("s3-bucket", placeholder="wandb-files"),
                      text_input("s3-region", "us-east-1", placeholder="region"))
        yield FormRow("HOST", text_input("s3-host", placeholder="https://wandb.example.com"))

    def extra(self) -> Iterable[Widget]:
        with Horizontal(classes="step-actions"):
            yield self.action_button("s3-create", "Create bucket…")
            yield self.action_button("s3-cors", "Apply CORS…")

    def load(self) -> None:
        config = self.flow.config
        self.set_field("s3-region", config.server.AWS_REGION or "us-east-1")
        self.set_field("s3-host", config.server.HOST)
        try:
            url = BucketURL.parse(config.server.BUCKET)
        except URLError:
            return
        self.set_field("s3-endpoint", f"{url.host}:{url.port}" if url.port is not None else url.host)
        self.set_field("s3-tls", url.tls)
        self.set_field("s3-access-key", url.access_key)
        self.set_field("s3-secret-key", url.secret_key)
        self.set_field("s3-bucket", url.bucket)

    def apply(self, values: dict[str, Any]) -> None:
        """Save BUCKET, AWS_REGION and HOST from the form (URLError names a bad part)."""
        self.flow.set_bucket(values["s3-endpoint"], values["s3-access-key"], values["s3-secret-key"],
                             values["s3-bucket"], tls=bool(values["s3-tls"]), region=values["s3-region"],
                             host=values["s3-host"])

    def check(self, values: dict[str, Any], job: Job) -> StepReport:
        try:
            self.apply(values)
        except (URLError, FieldError) as exc:
            return self.flow.fail_step("s3", self.flow.failure("s3.config", "BUCKET setting", exc, FORM_FIX))
        return self.flow.check_s3(on_result=self.stream(job))

    # -- create the bucket / apply CORS -------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = {"s3-create": "create", "s3-cors": "cors"}.get(event.button.id or "")
        if action:
            event.stop()
            self.start_action(action)

    def start_action(self, action: str) -> None:
        values = self.values()

        def dry_run(_job: Job) -> ActionResult:
            try:
                self.apply(values)
            except (URLError, FieldError) as exc:
                raise FieldProblem(exc, FORM_FIX) from exc
            return self.flow.bucket_action(action, dry_run=True)

        self.setup.run_job(f"Looking at the bucket ({ACTIONS[action][1]})", dry_run,
                           lambda plan: self.confirm_action(action, values, plan))

    def confirm_action(self, action: str, values: dict[str, Any], plan: ActionResult) -> None:
        title, label, doing = ACTIONS[action]
        if not plan.changed:
            self.notify(plan.summary, title="Nothing to change", markup=False)
            self.setup.run_check()
            return
        shown = [plan.summary, *(change for change in plan.changes if change != plan.summary)]
        if action == "cors":
            shown += ["The bucket's whole CORS configuration afterwards:", json.dumps(plan.data["cors"], indent=2)]

        def answered(yes: bool | None) -> None:
            if yes:
                self.setup.run_job(doing, lambda job: self.apply_action(action, job),
                                   lambda report: self.setup.checked_report(self, values, report))

        self.setup.ask(ConfirmScreen(title, shown, confirm_label=label), answered)

    def apply_action(self, action: str, job: Job) -> StepReport:
        done = self.flow.bucket_action(action, dry_run=False)
        job.post(self.results.clear, "Checking…")
        return self.flow.check_s3(on_result=self.stream(job), actions=[done.summary])
