"""What every step panel shares: title and why, a form, the results, and a check that runs in a worker."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Static

from ....setup.flow import SetupFlow, StepReport
from ....setup.state import STEP_IDS, STEP_TITLES
from ..form import FormRow, value_of
from ..jobs import Job
from ..keys import key_label
from ..results import ResultsView

if TYPE_CHECKING:
    from ..screen import SetupScreen


class StepPanel(VerticalScroll):
    """One step. Subclasses give the form (``form_rows``), fill it (``load``) and check it (``check``).

    ``check`` runs in a thread worker with the form's values read on the UI thread;
    it streams rows through ``job.post`` and returns the step's report.
    """

    DEFAULT_CSS = """
    StepPanel {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }

    StepPanel .step-title {
        height: 1;
    }

    StepPanel .step-intro {
        color: $text-muted;
        margin: 0 0 1 0;
    }

    StepPanel .step-actions {
        height: 1;
        margin: 1 0 0 0;
    }

    StepPanel .step-actions Checkbox {
        width: auto;
    }

    StepPanel .step-actions Button {
        width: auto;
        min-width: 0;
        margin: 0 2 0 0;
    }

    StepPanel .step-note {
        width: 1fr;
        color: $text-muted;
    }

    StepPanel .step-warning {
        color: $warning;
        height: auto;
    }

    StepPanel .setup-log {
        height: 6;
        border: round $primary-darken-1;
        margin: 1 0 0 0;
    }
    """

    STEP: ClassVar[str] = ""
    INTRO: ClassVar[str] = ""
    CHECK_LABEL: ClassVar[str] = "Check"
    CAN_CHECK: ClassVar[bool] = True
    NEXT_CHECKS: ClassVar[bool] = True
    """Next runs the check first when it has not run for these values (not so for deploying)."""
    ACTION_KEYS: ClassVar[dict[str, tuple[str, str]]] = {}
    """The step's action buttons' hotkeys: button id -> (key, footer description). The screen binds them, so
    they work wherever the focus is except in a field being typed in."""

    def __init__(self, flow: SetupFlow) -> None:
        super().__init__(id=f"step-{self.STEP}")
        self.flow = flow
        self.can_focus = False

    @property
    def setup(self) -> SetupScreen:
        return self.screen  # type: ignore[return-value]

    @property
    def title(self) -> str:
        return f"{STEP_IDS.index(self.STEP) + 1}. {STEP_TITLES[self.STEP]}"

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(self.title, "bold $accent"), classes="step-title")
        yield Static(Content(self.INTRO), classes="step-intro")
        yield from self.form_rows()
        yield from self.extra()
        if self.CAN_CHECK:
            yield ResultsView(self.redact, id=f"results-{self.STEP}")

    def form_rows(self) -> Iterable[Widget]:
        return ()

    def extra(self) -> Iterable[Widget]:
        """Widgets after the form: action buttons, previews, live logs."""
        return ()

    def action_button(self, button_id: str, label: str) -> Button:
        """One of the step's action buttons, its label after its hotkey (``b Create bucket…``)."""
        return Button(key_label(self.app, self.ACTION_KEYS[button_id][0], label), id=button_id, compact=True)

    def redact(self, text: str) -> str:
        return self.flow.redactor()(text)

    @property
    def results(self) -> ResultsView:
        return self.query_one(ResultsView)

    # -- form ----------------------------------------------------------------------------------
    def load(self) -> None:
        """Fill the form from the saved config (called each time the step is shown)."""

    def values(self) -> dict[str, Any]:
        """The form's values by editor id (read on the UI thread)."""
        return {editor.id: value_of(editor) for row in self.query(FormRow) for editor in row.editors if editor.id}

    def set_field(self, field_id: str, value: Any) -> None:
        editor = self.query_one(f"#{field_id}")
        if hasattr(editor, "value"):
            editor.value = value

    def unavailable(self, button_id: str) -> str:
        """Why this step's action button cannot act, whatever runs ("" when it can); the button says it."""
        return ""

    # -- checking ------------------------------------------------------------------------------
    def start_check(self) -> None:
        """The Check button: most steps just check; creating steps confirm first."""
        self.setup.run_check()

    def check(self, values: dict[str, Any], job: Job) -> StepReport:
        """Apply the values to the flow and run the step's checks (in a thread)."""
        raise NotImplementedError

    def stream(self, job: Job) -> Any:
        """An ``on_result`` for the flow's checks: each row appears as it completes."""
        return lambda result: job.post(self.results.add, result)

    def show_report(self, report: StepReport | None) -> None:
        if not self.CAN_CHECK:
            return
        if report is None:
            self.results.clear()
            return
        self.results.show(report.results)
        self.results.select_first_problem()

    def hint(self) -> str:
        """What to do on this step before anything ran."""
        return "Fill in the form, then Check (ctrl+r), or Next (ctrl+n) to check and go on."
