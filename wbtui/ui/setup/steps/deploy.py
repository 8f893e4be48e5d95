"""Step 6: deploy (after a dialog with the exact docker run or manifests), then the startup watch with live logs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Log, ProgressBar, Static

from ....checks.model import Status
from ....setup.flow import StepReport
from ...widgets.confirm import ConfirmScreen
from ..jobs import Job
from .base import StepPanel

if TYPE_CHECKING:
    from ....health.watch import WatchProgress


def new_lines(seen: list[str], window: list[str]) -> tuple[list[str], bool]:
    """The lines of ``window`` (the log's latest lines) not already at the end of ``seen``, and whether
    some may have been missed (no overlap with what was seen)."""
    for overlap in range(min(len(seen), len(window)), 0, -1):
        if seen[-overlap:] == window[:overlap]:
            return window[overlap:], False
    return window, bool(seen) and bool(window)


class DeployPanel(StepPanel):
    DEFAULT_CSS = """
    DeployPanel #deploy-progress {
        margin: 1 0 0 0;
    }

    DeployPanel #deploy-phase {
        height: auto;
    }

    DeployPanel #deploy-what {
        height: auto;
    }
    """

    STEP = "deploy"
    CHECK_LABEL = "Deploy…"
    NEXT_CHECKS = False
    INTRO = ("Shows exactly what it runs, then waits for /ready: the first start runs migrations (up to 10 "
             "minutes).")

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._seen: list[str] = []

    def extra(self) -> Iterable[Widget]:
        yield Static(Content(""), id="deploy-what")
        yield ProgressBar(total=1, show_eta=False, id="deploy-progress")
        yield Static(Content("Not deployed in this session yet."), id="deploy-phase")
        yield Log(max_lines=500, id="deploy-log", classes="setup-log")

    def load(self) -> None:
        cfg = self.flow.config
        if cfg.runtime.backend == "kubernetes":
            what = (f"Deployment {cfg.kubernetes.name} in namespace {cfg.kubernetes.namespace} "
                    f"({cfg.kubernetes.context or 'current context'}) from {cfg.runtime.image_ref}")
        else:
            bind = cfg.runtime.bind_address or "all addresses"
            what = (f"Container {cfg.runtime.container_name} from {cfg.runtime.image_ref}, port "
                    f"{cfg.runtime.port} on {bind}, data in {cfg.runtime.volume or '(no volume)'}")
        self.query_one("#deploy-what", Static).update(Content(what))

    def values(self) -> dict[str, Any]:
        return {}

    def hint(self) -> str:
        return "Deploy (ctrl+r) shows the command first; Continue anyway (ctrl+o) if the server runs elsewhere."

    def start_check(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.setup.run_check()

        self.setup.ask(ConfirmScreen("Deploy W&B Server?", self.flow.plan_deploy(), confirm_label="Deploy"), answered)

    def check(self, values: dict[str, Any], job: Job) -> StepReport:
        timeout = self.setup.deploy_timeout
        job.post(self.started, timeout)
        return self.flow.deploy_and_watch(timeout=timeout, interval=self.setup.watch_interval,
                                          on_line=lambda line: job.post(self.write_lines, [line]),
                                          on_progress=self.progress(job))

    def progress(self, job: Job) -> Callable[[WatchProgress], None]:
        def tick(progress: WatchProgress) -> None:
            job.stop_if_cancelled()
            job.post(self.show_progress, progress)
        return tick

    def started(self, timeout: float) -> None:
        self._seen = []
        self.query_one("#deploy-log", Log).clear()
        self.query_one("#deploy-progress", ProgressBar).update(total=timeout, progress=0)
        self.query_one("#deploy-phase", Static).update(Content("deploying…"))

    def show_progress(self, progress: WatchProgress) -> None:
        self.query_one("#deploy-progress", ProgressBar).update(progress=progress.elapsed)
        self.query_one("#deploy-phase", Static).update(Content(progress.summary()))
        fresh, gap = new_lines(self._seen, progress.lines)
        self.write_lines(["…", *fresh] if gap else fresh)
        self._seen = (self._seen + fresh)[-50:]

    def write_lines(self, lines: list[str]) -> None:
        log = self.query_one("#deploy-log", Log)
        for line in lines:
            log.write_line(self.redact(line))

    def show_report(self, report: StepReport | None) -> None:
        super().show_report(report)
        ready = report.results[0] if report is not None and report.results else None
        if ready is not None and ready.id == "deploy.ready":
            self.write_lines(new_lines(self._seen, ready.details.splitlines())[0])  # the final log lines
            self.query_one("#deploy-progress", ProgressBar).update(total=1, progress=1 if ready.status is Status.PASS
                                                                   else 0)
            self.query_one("#deploy-phase", Static).update(Content(ready.summary))
