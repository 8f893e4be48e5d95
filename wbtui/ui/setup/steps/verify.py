"""Step 7: end-to-end through HOST, and `wandb verify --host HOST` streamed when the wandb package is installed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Log, Static

from ....setup.flow import StepReport
from ....setup.verify import stream_wandb_verify, wandb_cli
from ..jobs import Job
from .base import StepPanel


class VerifyPanel(StepPanel):
    STEP = "verify"
    CHECK_LABEL = "Verify"
    INTRO = ("Through HOST: scheme, DNS, /healthz, /ready, a 10 MB upload past the proxy, the store's signed "
             "URLs and CORS.")
    ACTION_KEYS = {"verify-wandb": ("w", "wandb verify")}

    def extra(self) -> Iterable[Widget]:
        with Horizontal(classes="step-actions"):
            yield self.action_button("verify-wandb", "Run wandb verify")
            yield Static(Content(""), id="verify-wandb-note", classes="step-note")
        log = Log(max_lines=1000, id="verify-log", classes="setup-log")
        log.display = False
        yield log

    def on_mount(self) -> None:
        self.query_one("#verify-wandb-note", Static).update(Content(
            "streams `wandb verify --host HOST`" if wandb_cli() is not None else "the wandb package is not "
            "installed here (pip install wandb, then wandb login --host HOST)"))

    def unavailable(self, button_id: str) -> str:
        """Looked up each time: a wandb installed from another shell enables the button."""
        if button_id == "verify-wandb" and wandb_cli() is None:
            return "The wandb package is not installed here: pip install wandb, then wandb login --host HOST."
        return ""

    def values(self) -> dict[str, Any]:
        return {}

    def check(self, values: dict[str, Any], job: Job) -> StepReport:
        return self.flow.verify(on_result=self.stream(job))

    def hint(self) -> str:
        return "Verify (ctrl+r) checks the server through HOST; Next (ctrl+n) verifies and goes on."

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "verify-wandb":
            event.stop()
            log = self.query_one("#verify-log", Log)
            log.display = True
            log.clear()
            host = self.flow.config.server.HOST
            self.setup.run_job("Running wandb verify", lambda job: self.stream_wandb(host, job),
                               lambda code: self.setup.set_status(Content(code)))

    def stream_wandb(self, host: str, job: Job) -> str:
        last = ""
        for line in stream_wandb_verify(host):
            job.stop_if_cancelled()
            last = self.redact(line)
            job.post(self.query_one("#verify-log", Log).write_line, last)
        return last
