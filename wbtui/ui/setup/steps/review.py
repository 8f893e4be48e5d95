"""Step 5: the generated files (docker run or manifests, nginx, systemd ...), each viewable and savable,
and every warning still open."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Checkbox

from ....setup.flow import StepReport
from ...core import Core
from ...text import styled
from ...widgets.confirm import PromptScreen
from ...widgets.text_screen import TextScreen
from ..jobs import Job
from .base import StepPanel


class ReviewPanel(StepPanel):
    STEP = "review"
    CHECK_LABEL = "Review"
    INTRO = ("What will run, secrets masked: docker run (or manifests), nginx, systemd. Below: every warning "
             "still open.")
    ACTION_KEYS = {"review-preview": ("p", "Preview files"), "review-save": ("s", "Save files")}

    def extra(self) -> Iterable[Widget]:
        with Horizontal(classes="step-actions"):
            yield self.action_button("review-preview", "Preview files…")
            yield self.action_button("review-save", "Save files…")
            yield Checkbox("real secrets", id="review-reveal", compact=True)

    def values(self) -> dict[str, Any]:
        return {}

    def check(self, values: dict[str, Any], job: Job) -> StepReport:
        return self.flow.review()

    def hint(self) -> str:
        return "Preview or save the files; Review (ctrl+r) lists what is still open, Next (ctrl+n) goes on."

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "review-preview":
            event.stop()
            items = Core.previews(self.flow.config.copy())
            self.app.push_screen(TextScreen("Generated files (secrets masked; s saves the shown one)", items))
        elif event.button.id == "review-save":
            event.stop()
            default = str(self.flow.config_path.parent / "generated")
            self.app.push_screen(PromptScreen("Save every generated file into a directory", value=default,
                                              help="Secrets are masked unless 'real secrets' is ticked; files "
                                                   "holding real secrets are written with mode 0600."),
                                 self.save)

    def save(self, directory: str | None) -> None:
        if not directory:
            return
        reveal = self.query_one("#review-reveal", Checkbox).value

        def saved(paths: dict[str, str]) -> None:
            self.setup.set_status(styled(("Saved: ", "$success bold"), ", ".join(Path(p).name for p in paths.values()),
                                         f" in {directory}"))

        self.setup.run_job("Saving the generated files",
                           lambda _job: self.flow.save_files(Path(directory).expanduser(), reveal=reveal), saved)
