"""The setup wizard: a step list on the left, the current step's panel, and Check / Continue anyway / Back / Next.

Every call that may block (checks, creating things, deploying, saving progress)
runs in a thread worker; the panel shows rows as they arrive. Progress is saved
by the flow after each step, so a new screen (a dropped SSH session, a quit)
opens at the same step. Nothing is created before a dialog has shown exactly
what will happen.

The config file may change under the setup (a `wbtui config set` from another
shell): a stat every 1.5 s notices it, the flow takes the file and the shown form
follows it except where the user typed; a job that would save is refused until
the change has been taken in and shown, so nothing from the shell is reverted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, ContentSwitcher, Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...config import store
from ...config.keynames import id_for
from ...setup.flow import RuntimeFactory, SetupFlow, StepBlocked, StepReport
from ...setup.state import STEP_IDS, STEP_TITLES
from ..messages import Problem
from ..session import file_stamp, raw_settings, settings_diff
from ..text import lines, styled
from ..widgets.confirm import ConfirmScreen
from .display import tilde
from .jobs import Job, JobCancelled, JobUpdate
from .keys import NAV_KEYS, key_label
from .results import counts_line
from .steps import PANELS
from .steps.base import StepPanel

if TYPE_CHECKING:
    from textual.timer import Timer

T = TypeVar("T")
CONFIG_FILE_SECONDS = 1.5
NAV_BUTTONS = {"btn-check": "ctrl+r", "btn-anyway": "ctrl+o", "btn-back": "ctrl+b", "btn-next": "ctrl+n"}
STEP_OF_BUTTON = {button_id: panel.STEP for panel in PANELS for button_id in panel.ACTION_KEYS}


class SetupScreen(Screen[bool]):
    """The guided setup for one config file; dismissed with True when the last step is finished."""

    DEFAULT_CSS = """
    SetupScreen {
        layout: vertical;
    }

    SetupScreen #setup-top {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }

    SetupScreen #setup-body {
        height: 1fr;
    }

    SetupScreen #setup-steps {
        width: 20;
        height: 1fr;
        border: none;
        border-right: vkey $primary-darken-1;
        padding: 0;
    }

    SetupScreen #setup-main {
        width: 1fr;
        height: 1fr;
    }

    SetupScreen #setup-panels {
        height: 1fr;
    }

    SetupScreen #setup-status {
        height: auto;
        max-height: 3;
        padding: 0 1;
        background: $boost;
    }

    SetupScreen #setup-buttons {
        height: 1;
        padding: 0 1;
    }

    SetupScreen #setup-buttons Button {
        width: auto;
        min-width: 0;
        margin: 0 2 0 0;
    }

    /* The focused button is solid accent (Next's primary colour too): Textual's reverse-with-a-tint was
       hard to find at a glance. The id outranks the variants' classes. */
    SetupScreen #setup-main Button:focus {
        background: $accent;
        color: auto 90%;
        text-style: bold;
    }
    """

    BINDINGS = [
        # Tab moves the focus before the keys typed behind it are delivered: as a plain binding it ran only once
        # it had bubbled up from the field, so "user<Tab>password" typed in one go (a slow SSH link, typing
        # ahead of a busy UI) put the password into the user field, in clear.
        Binding("tab", "app.focus_next", "Focus Next", show=False, priority=True, id="setup.focus_next"),
        Binding("shift+tab", "app.focus_previous", "Focus Previous", show=False, priority=True,
                id="setup.focus_previous"),
        *(Binding(key, action, description, show=False, id=f"setup.{action}")
          for key, action, description, _ in NAV_KEYS),
        *(Binding(key, f"step_button({button_id!r})", description, id=id_for("setup", description))
          for panel in PANELS for button_id, (key, description) in panel.ACTION_KEYS.items()),
    ]
    """Check, Continue anyway, Back and Next say their keys on their buttons; the footer shows the step's own."""

    def __init__(self, config_path: Path, *, flow: SetupFlow | None = None, read_only: bool = False,
                 restart: bool = False, runtime_factory: RuntimeFactory | None = None,
                 deploy_timeout: float = 600.0, watch_interval: float = 2.0) -> None:
        super().__init__(classes="setup-screen")  # the dashboard's config-file watch leaves the file to us
        self.flow = flow or SetupFlow(config_path, runtime_factory=runtime_factory)
        if restart:
            self.flow.reset()
        self.read_only = read_only
        self.deploy_timeout = deploy_timeout
        self.watch_interval = watch_interval
        self.busy = False
        self.doing = ""
        """What the running job does, said by the buttons it disables."""
        self.moving = False
        """The panel scrolls to new results at the next refresh: a click now could land on what moves away."""
        self.awaiting_answer = False
        """A dialog was answered but its answer has not been handled yet (Textual delivers it later)."""
        self.checked: dict[str, dict[str, Any]] = {}
        self.shown = self.flow.current
        self.loaded_values: dict[str, Any] = {}
        """The shown form as filled from the config: what differs from it now, the user typed."""
        self.file_stamp = file_stamp(self.flow.config_path)
        self.config_file_timer: Timer | None = None
        """Notices a change of the config file on disk (tests pause it to change the file between two ticks)."""

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="setup-top")
        with Horizontal(id="setup-body"):
            yield OptionList(id="setup-steps")
            with Vertical(id="setup-main"):
                with ContentSwitcher(id="setup-panels", initial=f"step-{self.shown}"):
                    for panel in PANELS:
                        yield panel(self.flow)
                yield Static(Content(""), id="setup-status")
                with Horizontal(id="setup-buttons"):
                    yield Button(self.nav_label("btn-check", "Check"), id="btn-check", compact=True)
                    yield Button(self.nav_label("btn-anyway", "Continue anyway"), id="btn-anyway", compact=True)
                    yield Button(self.nav_label("btn-back", "Back"), id="btn-back", compact=True)
                    yield Button(self.nav_label("btn-next", "Next"), id="btn-next", variant="primary", compact=True)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.show_step(self.shown)
        self.config_file_timer = self.set_interval(CONFIG_FILE_SECONDS, self._check_config_file)
        if self.read_only:
            self.set_status(styled(("Read-only mode: ", "$warning bold"), "the setup can look but not save, "
                                   "create or deploy anything (start wbtui without --read-only)."))

    # -- panels ----------------------------------------------------------------------------------
    def panel(self, step: str | None = None) -> StepPanel:
        return self.query_one(f"#step-{step or self.shown}", StepPanel)

    def nav_label(self, button_id: str, label: str) -> Content:
        return key_label(self.app, NAV_BUTTONS[button_id], label)

    def show_step(self, step: str) -> None:
        self.shown = step
        self.refresh_bindings()  # the footer shows this step's keys
        self.query_one(ContentSwitcher).current = f"step-{step}"
        panel = self.panel()
        panel.load()
        self.loaded_values = panel.values()
        report = self.flow.reports.get(step)
        panel.show_report(report)
        self.set_status(self.report_status(panel, report))
        self.refresh_chrome()
        panel.scroll_home(animate=False)
        self.call_after_refresh(self._focus_panel)

    def _focus_panel(self) -> None:
        focusable = [w for w in self.panel().query("Input, Select, Checkbox, Button") if w.focusable]
        if focusable:
            focusable[0].focus()
        else:
            self.query_one("#btn-next", Button).focus()

    def report_status(self, panel: StepPanel, report: StepReport | None) -> Content:
        if report is None:
            return Content(panel.hint())
        # What to do next comes before what was done: at 80x24 a long "Done:" list fills the status rows
        parts: list[Content | str] = [counts_line(report.results)]
        if report.failures:
            parts.append(styled(("Fix it and Retry (ctrl+r), or Continue anyway (ctrl+o).", "$warning")))
        elif panel.STEP != "next":
            parts.append(Content("Next (ctrl+n) to go on."))
        if report.actions:
            parts.append(Content("Done: " + "; ".join(self.flow.redactor()(a) for a in report.actions)))
        return Content("  ").join(Content(p) if isinstance(p, str) else p for p in parts)

    def set_status(self, content: Content) -> None:
        self.query_one("#setup-status", Static).update(content)

    def refresh_chrome(self) -> None:
        """Top bar, step list marks, and which buttons apply."""
        step, state = self.shown, self.flow.state
        number = STEP_IDS.index(step) + 1
        self.query_one("#setup-top", Static).update(styled(
            ("wbtui setup", "bold"), ("  ·  READ-ONLY", "$warning bold") if self.read_only else "",
            f"  ·  step {number} of {len(STEP_IDS)}: {STEP_TITLES[step]}  ·  ", tilde(str(self.flow.config_path))))
        steps = self.query_one("#setup-steps", OptionList)
        highlighted = STEP_IDS.index(step)
        steps.clear_options()
        for index, sid in enumerate(STEP_IDS):
            if sid in state.continued_anyway:
                mark, style = "!", "$warning"
            elif sid in state.done:
                mark, style = "✔", "$success"
            elif sid == state.current:
                mark, style = "▸", "$accent"
            else:
                mark, style = " ", "$text-muted"
            prompt = styled((mark, style), f" {index + 1} {STEP_TITLES[sid]}")
            steps.add_option(Option(prompt, id=sid, disabled=not state.can_visit(sid)))
        steps.highlighted = highlighted
        panel = self.panel()
        report = self.flow.reports.get(step)
        check = self.query_one("#btn-check", Button)
        check.display = panel.CAN_CHECK
        check.label = self.nav_label("btn-check", "Retry" if report is not None and report.failures
                                     else panel.CHECK_LABEL)
        check.refresh(layout=True)  # a label change alone keeps the old width: "^r Deploy…" showed as "^r"
        self.query_one("#btn-next", Button).label = self.nav_label("btn-next", "Finish" if step == STEP_IDS[-1]
                                                                   else "Next")
        self.query_one("#btn-anyway", Button).display = step != STEP_IDS[-1]
        wait = f"Wait: {self.doing} is running." if self.busy else ""
        for button in self.query("#setup-buttons Button"):
            button.disabled = self.busy or (button.id == "btn-back" and STEP_IDS.index(step) == 0)
            button.tooltip = wait or None
        for button in self.query(".step-actions Button"):
            why = wait or button.query_ancestor(StepPanel).unavailable(button.id or "")
            button.disabled = bool(why)
            button.tooltip = why or None

    @property
    def settled(self) -> bool:
        """Nothing runs, nothing moves and no answer waits to be handled: every button that applies can act."""
        return not self.busy and not self.moving and not self.awaiting_answer

    def ask(self, dialog: ConfirmScreen, answered: Callable[[bool | None], None]) -> None:
        """Show a confirmation; the screen is not settled from the answer until it has been handled."""
        def handle(yes: bool | None) -> None:
            self.awaiting_answer = False
            answered(yes)

        self.awaiting_answer = True
        self.app.push_screen(dialog, handle)

    # -- the config file, changed from another shell --------------------------------------------
    def _check_config_file(self) -> None:
        if not self.busy:  # a job may be writing the file: look again once it is done
            self.take_file_changes()

    def take_file_changes(self) -> bool:
        """When another program changed the config file: take it, keep what was typed, say what changed.

        A stat and, when it changed, a read of one small local file: cheap enough for the UI thread.
        """
        path = self.flow.config_path
        stamp = file_stamp(path)
        if stamp == self.file_stamp:
            return False
        self.file_stamp = stamp
        try:
            disk = store.load(path)
        except store.ConfigFileError as exc:
            self.notify(str(exc), title="Config file unreadable", severity="error", markup=False)
            return False
        if store.dumps(disk) == store.dumps(self.flow.config):
            return False  # our own save
        changes = [line for line in settings_diff(raw_settings(self.flow.config), raw_settings(disk), "loaded",
                                                  "on disk")[2:] if not line.startswith("@@")]
        panel = self.panel()
        typed = {key: value for key, value in panel.values().items() if value != self.loaded_values.get(key)}
        self.flow.config = disk
        panel.load()
        self.loaded_values = panel.values()
        for field_id, value in typed.items():
            panel.set_field(field_id, value)
        text = [f"{tilde(str(path))} changed on disk; the setup uses it now:", *changes[:6]]
        if typed:
            text.append("Kept what you typed in: " + ", ".join(sorted(typed)))
        self.notify("\n".join(text), title="Config reloaded", timeout=10, markup=False)
        self.refresh_chrome()
        return True

    # -- jobs ------------------------------------------------------------------------------------
    def run_job(self, what: str, fn: Callable[[Job], T], done: Callable[[T], None]) -> bool:
        """Run ``fn`` in a thread worker, then ``done(value)`` here; one job at a time. False when refused.

        Refused too when the config file changed on disk since it was read: the change is taken in and
        shown first, so a job's save never silently reverts it.
        """
        if self.busy:
            self.notify("Wait for the running step to finish.", severity="warning", markup=False)
            return False
        if self.read_only:
            self.notify("Read-only mode: the setup cannot save, create or deploy anything.", title="Read-only",
                        severity="warning", markup=False)
            return False
        if self.take_file_changes():
            self.set_status(styled(("The config file changed on disk and was reloaded (see the notice): ",
                                    "$warning bold"), f"nothing saved. {what} again to go on with it."))
            return False
        self.busy = True
        self.doing = what
        self.set_status(styled((f"{what}…", "$warning")))
        self.refresh_chrome()
        self._job(what, fn, done)
        return True

    @work(thread=True, group="setup", exit_on_error=False, name="setup", description="setup")
    def _job(self, what: str, fn: Callable[[Job], T], done: Callable[[T], None]) -> None:
        job = Job(self, get_current_worker())
        try:
            value = fn(job)
        except JobCancelled:
            return
        except Exception as exc:  # shown with its fix, never as a traceback
            job.post(self._job_failed, what, Problem.from_exception(exc))
            return
        job.post(self._job_done, done, value)

    def on_job_update(self, message: JobUpdate) -> None:
        message.stop()
        message.fn(*message.args)

    def _job_done(self, done: Callable[[T], None], value: T) -> None:
        self.busy = False
        done(value)
        self.refresh_chrome()

    def _job_failed(self, what: str, problem: Problem) -> None:
        self.busy = False
        redact = self.flow.redactor()
        self.set_status(lines(styled((f"✘ {what} failed: ", "$error bold"), redact(problem.message)),
                              styled(("Fix: ", "$accent bold"), redact(problem.fix)) if problem.fix else ""))
        self.refresh_chrome()

    # -- checking and moving on ------------------------------------------------------------------
    def run_check(self, then: str = "") -> None:
        """Check the shown step; ``then`` "advance" goes on when nothing failed, "anyway" asks to accept failures."""
        panel = self.panel()
        values = panel.values()
        step = panel.STEP

        def fn(job: Job) -> StepReport:
            job.post(panel.results.clear, "Checking…")
            return panel.check(values, job)

        def done(report: StepReport) -> None:
            self.checked_report(panel, values, report)
            if then == "advance" and not report.failures:
                self.advance(step)
            elif then == "anyway":
                self.confirm_continue(step)

        label = panel.CHECK_LABEL.rstrip("…")
        self.run_job(label if label == STEP_TITLES[step] else f"{label} {STEP_TITLES[step]}", fn, done)

    def checked_report(self, panel: StepPanel, values: dict[str, Any], report: StepReport) -> None:
        """Show a finished report (its step may no longer be the shown one); Next reuses it for these values."""
        self.checked[panel.STEP] = values
        panel.show_report(report)
        if panel.CAN_CHECK:
            self.moving = True
            self.call_after_refresh(self._scroll_to_results, panel)
        if self.shown == panel.STEP:
            self.set_status(self.report_status(panel, report))

    def _scroll_to_results(self, panel: StepPanel) -> None:
        panel.scroll_to_widget(panel.results, animate=False)
        self.call_after_refresh(setattr, self, "moving", False)

    def needs_check(self, panel: StepPanel) -> bool:
        step = panel.STEP
        return step not in self.flow.reports or self.checked.get(step) != panel.values()

    def advance(self, step: str, continue_anyway: bool = False) -> None:
        def fn(_job: Job) -> str | StepBlocked:
            try:
                return self.flow.advance(step, continue_anyway=continue_anyway)
            except StepBlocked as exc:
                return exc

        def done(result: str | StepBlocked) -> None:
            if isinstance(result, StepBlocked):
                self.set_status(styled((f"{result}. ", "$error"),
                                       "Fix it and Retry (ctrl+r), or Continue anyway (ctrl+o)."))
                return
            if step == STEP_IDS[-1]:
                self.dismiss(True)
                return
            self.show_step(result)

        self.run_job(f"Saving {STEP_TITLES[step]}", fn, done)

    def confirm_continue(self, step: str) -> None:
        report = self.flow.reports.get(step)
        failures = report.failures if report else []
        if report is not None and not failures:
            self.advance(step)
            return
        shown = [f"✘ {r.title}: {self.flow.redactor()(r.summary)}" for r in failures] or \
                [f"{STEP_TITLES[step]} has not been run."]
        shown.append("The setup goes on, and the review lists this step as continued anyway.")

        def answered(yes: bool | None) -> None:
            if yes:
                self.advance(step, continue_anyway=True)

        self.ask(ConfirmScreen(f"Continue past {STEP_TITLES[step]} anyway?", shown,
                               confirm_label="Continue anyway", danger=True), answered)

    def go_to(self, step: str) -> None:
        if step == self.shown:
            return
        if not self.flow.state.can_visit(step):
            self.notify(f"Finish the steps before {STEP_TITLES[step]} first.", severity="warning", markup=False)
            return

        def fn(_job: Job) -> str:
            self.flow.go_to(step)
            return step

        self.run_job(f"Opening {STEP_TITLES[step]}", fn, self.show_step)

    # -- actions ---------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A step's action key applies on its own step only (elsewhere it is not in the footer)."""
        if action == "step_button":
            return STEP_OF_BUTTON.get(str(parameters[0])) == self.shown
        return True

    def action_step_button(self, button_id: str) -> None:
        """A step's hotkey presses its button, or says why the button cannot act (its tooltip)."""
        button = self.panel().query_one(f"#{button_id}", Button)
        if button.disabled:
            self.notify(str(button.tooltip or "That button cannot act now."), severity="warning", markup=False)
            return
        button.press()

    def action_leave(self) -> None:
        """Close the setup unfinished: progress is saved, and it opens at this step next time."""
        self.dismiss(False)

    def palette_commands(self) -> Iterable[SystemCommand]:
        """The command palette inside the setup: the shown step's actions, moving between steps, leaving.

        The app adds its common commands (quit, theme, keys) and none of the dashboard's panes.
        """
        panel = self.panel()
        for key, action, description, help_text in NAV_KEYS:
            yield SystemCommand(f"Setup: {description}", f"{help_text} ({key})", getattr(self, f"action_{action}"))
        for button_id, (key, description) in panel.ACTION_KEYS.items():
            yield SystemCommand(f"{STEP_TITLES[panel.STEP]}: {description}", f"The step's button (key {key})",
                                lambda bid=button_id: self.action_step_button(bid))
        for number, step in enumerate(STEP_IDS, 1):
            if step != self.shown and self.flow.state.can_visit(step):
                yield SystemCommand(f"Go to step {number}: {STEP_TITLES[step]}", "A finished step, or the first "
                                    "open one", lambda sid=step: self.go_to(sid))
        yield SystemCommand("Leave the setup", "Progress is saved; the setup opens at this step next time",
                            self.action_leave)

    def action_check(self) -> None:
        panel = self.panel()
        if panel.CAN_CHECK:
            panel.start_check()

    def action_next(self) -> None:
        panel = self.panel()
        if STEP_IDS[-1] == panel.STEP:
            self.advance(panel.STEP)
        elif not panel.NEXT_CHECKS and panel.STEP not in self.flow.reports:
            self.set_status(styled((f"{panel.CHECK_LABEL.rstrip('…')} first (ctrl+r)", "$warning"),
                                   ", or Continue anyway (ctrl+o) if that is done elsewhere."))
        elif panel.NEXT_CHECKS and self.needs_check(panel):
            self.run_check(then="advance")
        else:
            self.advance(panel.STEP)

    def action_continue_anyway(self) -> None:
        panel = self.panel()
        if panel.NEXT_CHECKS and self.needs_check(panel):
            self.run_check(then="anyway")
        else:
            self.confirm_continue(panel.STEP)

    def action_back(self) -> None:
        index = STEP_IDS.index(self.shown)
        if index > 0:
            self.go_to(STEP_IDS[index - 1])

    def on_button_pressed(self, event: Button.Pressed) -> None:
        actions = {"btn-check": self.action_check, "btn-next": self.action_next, "btn-back": self.action_back,
                   "btn-anyway": self.action_continue_anyway}
        if event.button.id in actions:
            event.stop()
            actions[event.button.id]()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "setup-steps" and event.option.id:
            event.stop()
            self.go_to(event.option.id)
