"""The dashboard: six panes in tabs, keyboard first, every I/O call in a worker.

Panes show what the app's store holds (``state.DashboardState``) and post requests
(RunChecks, RunRuntimeAction, ...); the app answers each with a thread worker
(``workers``) whose result messages update the store, and reports any worker failure
as a notification with its fix, never a traceback. No pane calls another.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import signal
from collections.abc import Callable, Iterable
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static
from textual.worker import Worker, WorkerState

from . import workers
from .core import Core
from .keymap import Remap, check, key_display, keys_of
from .messages import (
    ChecksUpdate,
    ConfigFileRead,
    ConfigSaved,
    Notice,
    ProbeNow,
    Problem,
    RefreshStatus,
    Retarget,
    RollbackPlanned,
    RunChecks,
    RunRuntimeAction,
    RuntimeActionUpdate,
    StartupWatch,
    WatchUpdate,
)
from .panes.base import Pane
from .panes.overview import OverviewPane
from .paths import app_css
from .session import Session
from .state import DashboardState
from .textual_compat import (
    draw_without_skipping,
    exit_requested,
    keep_strips_acyclic,
    render_only_what_changed,
    repaint_what_a_reflow_removes,
    write_only_what_changed,
)
from .widgets.pane_bar import PaneBar

if TYPE_CHECKING:
    from textual.timer import Timer

    from ..config.model import Config
    from ..runtime.base import Runtime

# (id, title, module): the Overview is drawn first; the other panes are imported and mounted
# right after the first frame, so the dashboard appears as fast as a bare Textual app.
PANE_SPECS: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", "overview"), ("config", "Config", "config"),
    ("datastores", "Datastores", "datastores"), ("runtime", "Runtime", "runtime"),
    ("logs", "Logs", "logs"), ("health", "Health", "health"), ("backups", "Backups", "backups"),
    ("database", "Database", "database"),
    ("storage", "Storage", "storage"),
)


@cache
def pane_classes() -> tuple[type[Pane], ...]:
    """The pane classes in tab order (imported on first use)."""
    classes = []
    for pane_id, _, module in PANE_SPECS:
        loaded = importlib.import_module(f"{__package__}.panes.{module}")
        classes.append(next(c for c in vars(loaded).values()
                            if isinstance(c, type) and issubclass(c, Pane) and pane_id == c.PANE_ID))
    return tuple(classes)


FALLBACK_THEME = "textual-dark"
STATUS_SECONDS = 5.0
CONFIG_FILE_SECONDS = 1.5
PROBE_SECONDS = 5.0
WATCH_INTERVAL = 2.0
SETUP_CHOICE = "Start the guided setup (recommended)"


class ProfileOpened(Message):
    """The profile picked in the picker, read (``session``) or not (``problem``)."""

    def __init__(self, path: Path, session: Session | None, problem: str = "") -> None:
        super().__init__()
        self.path, self.session, self.problem = path, session, problem


def open_profile(path: Path, read_only: bool, post: Callable[[Message], object]) -> None:
    """Thread worker: read the picked profile's file as the dashboard opens one at start."""
    from ..config.store import ConfigFileError

    try:
        post(ProfileOpened(path, Session.open(path, read_only)))
    except ConfigFileError as exc:
        post(ProfileOpened(path, None, str(exc)))


def tune_gc() -> None:
    """Keep key-to-frame latency low while logs stream in.

    Freezing what start-up built keeps the long-lived widgets out of every collection, and a larger
    young generation makes the collections that remain (rendering still leaves some cycles) rarer.
    """
    gc.set_threshold(10_000, 50, 10)
    gc.freeze()


class DashboardScreen(Screen):
    """The dashboard's own screen: prompt frames, and nothing takes focus before the first one.

    Focusing the Overview during mount would make the footer compose its keys before anything is
    drawn; the active pane takes focus once the other panes are mounted, right after the first frame.
    """

    AUTO_FOCUS = ""

    def on_mount(self) -> None:
        draw_without_skipping(self)


# App first: Textual takes a class's CSS type names from its first base, and with the state mixin first
# App.DEFAULT_CSS (the text colour every widget inherits) no longer applied.
class WbtuiApp(App[int], DashboardState):
    """``background=False`` starts no refreshers (status, probes, logs): tests feed fixed data.

    ``log_capacity`` sizes the Logs pane's ring (default: the ring's 100k lines). ``tune_gc`` is for
    the dashboard's own process (see ``tune_gc()``), not for tests that run many apps in one process.
    """

    TITLE = "wbtui"
    CSS_PATH = app_css()
    BINDINGS = [
        *[Binding(str(n), f"show_pane('{pid}')", title, show=False, id=f"app.show_{pid}")
          for n, (pid, title, _) in enumerate(PANE_SPECS, 1)],
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("S", "setup", "Guided setup", show=False, id="app.setup"),
        Binding("W", "switch_profile", "Switch profile", show=False, id="app.switch_profile"),
        Binding("q", "request_quit", "Quit", id="app.quit"),
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True, id="app.quit_now"),
    ]

    def __init__(self, session: Session, *, background: bool = True, log_capacity: int | None = None,
                 runtime_factory: Callable[[Config], Runtime] | None = None, tune_gc: bool = False) -> None:
        super().__init__()
        keep_strips_acyclic()
        repaint_what_a_reflow_removes()
        write_only_what_changed()
        render_only_what_changed()
        self._tune_gc = tune_gc
        self.session = session
        self.core = Core(session, runtime_factory)
        self.background = background
        self.log_capacity = log_capacity
        self._wanted_pane = ""
        self._check_run = 0
        self.config_file_timer: Timer | None = None
        """Notices a change of the config file on disk (tests pause it to change the file between two ticks)."""
        self.recheck_timer: Timer | None = None
        """Re-runs the quick datastore checks every ``app.recheck_minutes`` (None: never)."""
        self.probing = workers.Probing()
        self.key_remap = Remap()
        """The config's ``[keys]`` as applied (``keymap``) and what was left out of it (``findings``)."""
        self.panes_mounted = asyncio.Event()
        self.animation_level = "none"  # no animations: less to send over SSH, deterministic screens
        theme = session.saved.app.theme
        self.theme = theme if theme in self.available_themes else FALLBACK_THEME

    def get_default_screen(self) -> Screen:
        return DashboardScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="topbar")
        bar = PaneBar([(pane_id, title) for pane_id, title, _ in PANE_SPECS], id="tabbar")
        bar.active, bar.dirty = "overview", self.session.dirty
        yield bar
        with ContentSwitcher(initial="pane-overview", id="panes"):
            yield OverviewPane()
        yield Footer()

    def on_mount(self) -> None:
        self.loaded = self.session.saved
        self._update_topbar()
        self.warn_unknown_keys()
        if not self.is_headless:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(signum, self._hang_up)
        self.call_after_refresh(self._mount_panes)
        if not self.session.file_exists:
            self.call_after_refresh(self._first_launch)

    async def _mount_panes(self) -> None:
        """Mount the other panes behind the Overview once it is on screen (each brings its own styles)."""
        if exit_requested(self):
            return
        switcher = self.query_one("#panes", ContentSwitcher)
        for pane_cls in pane_classes():
            if pane_cls.PANE_ID != "overview" and switcher.is_attached and not exit_requested(self):
                pane = pane_cls()
                pane.display = False
                await switcher.mount(pane)
        self.apply_keys()  # after the first frame: checking a remap imports every pane's bindings
        self.panes_mounted.set()
        if self._tune_gc:
            tune_gc()
        self.dirty_changed()
        self.config_file_timer = self.set_interval(CONFIG_FILE_SECONDS, self._check_config_file)
        if self.background:
            self._start_background()
        if self._wanted_pane and not exit_requested(self):
            self.action_show_pane(self._wanted_pane)
        self.focus_active_pane()

    def _hang_up(self) -> None:
        """SSH dropped (SIGHUP) or we were asked to stop (SIGTERM): leave without a traceback."""
        self.exit(0)

    def _first_launch(self) -> None:
        from .widgets.confirm import ChoiceScreen

        choices = [SETUP_CHOICE, "Open the Config pane", "Not now"]

        def answered(choice: str | None) -> None:
            if choice == SETUP_CHOICE:
                self.action_setup()
            elif choice == choices[1]:
                self.action_show_pane("config")

        self.push_screen(ChoiceScreen(f"Welcome: no configuration at {self.session.config_path} yet", choices),
                         answered)

    def action_setup(self) -> None:
        """The guided setup (the same screen as `wbtui setup`); escape comes back here."""
        from .guided import GuidedSetupScreen

        self.push_screen(GuidedSetupScreen(self.session.config_path, read_only=self.session.read_only,
                                           runtime_factory=self.core.runtime_factory), self._setup_closed)

    def _setup_closed(self, finished: bool | None) -> None:
        self.read_config_file(announce=False)  # the setup saved it: no news, but every pane follows

    # ---- the config file, as it is on disk ---------------------------------------------------
    def _check_config_file(self) -> None:
        """Timer: a stat of the file; when it changed since it was read or written, read it again.

        Not while the guided setup is open: it takes such changes itself, and the dashboard reads the
        file when the setup closes.
        """
        from .session import file_stamp

        if not self.screen.has_class("setup-screen") and file_stamp(self.session.config_path) != self.session.stamp:
            self.read_config_file()

    def read_config_file(self, announce: bool = True) -> None:
        if not any(w.group == "config-file" and w.is_running for w in self.workers):
            self.run_worker(partial(workers.read_config, self.session.config_path, announce, self.post_message),
                            thread=True, group="config-file", exit_on_error=False, name="Read config")

    def on_config_file_read(self, message: ConfigFileRead) -> None:
        """Take a newer file: what the draft did not edit follows it, the edits stay (and are named)."""
        from ..config import store

        session = self.session
        if message.problem is not None:
            session.stamp = message.stamp  # said once, not on every tick
            self.show_problem(message.problem, "Config file unreadable")
            return
        if message.unknown != session.unknown:
            session.unknown = message.unknown
            self.warn_unknown_keys()
        if store.dumps(message.config) == store.dumps(session.saved):
            session.stamp, session.file_exists = message.stamp, message.exists
            return
        rebased = session.rebase(message.config, message.exists, message.stamp)
        if message.announce:
            changes = [line for line in rebased.diff[2:] if not line.startswith("@@")]
            shown = changes[:6] + (["…"] if len(changes) > 6 else [])
            text = [f"{session.config_path} changed on disk; reloaded:", *shown]
            if rebased.kept:
                text.append("Kept your unsaved edits: " + ", ".join(rebased.kept))
            if rebased.conflicts:
                text.append("The file changed " + ", ".join(rebased.conflicts) + " too: ctrl+o in the Config pane "
                            "shows the difference.")
            self.notify("\n".join(text), title="Config reloaded", severity="warning" if rebased.conflicts
                        else "information", timeout=10, markup=False)
        self.post_message(ConfigSaved())

    # ---- background refreshers (after the first frame) -----------------------------------------
    def _start_background(self) -> None:
        """Status and probes on timers; the datastore checks once when there is a config file, then the quick
        ones on a schedule (results go out of date: CORS deleted, grants revoked)."""
        from ..checks.runner import STORES

        self.set_interval(STATUS_SECONDS, self.refresh_status)
        self.set_interval(PROBE_SECONDS, self.probe)
        self.refresh_status()
        self.probe()
        if self.session.file_exists:
            self.post_message(RunChecks(STORES, self.session.saved.copy(), "the saved configuration"))
        self._schedule_rechecks()

    def _schedule_rechecks(self) -> None:
        minutes = self.session.saved.app.recheck_minutes
        if self.recheck_timer is not None:
            self.recheck_timer.stop()
        self.recheck_timer = self.set_interval(minutes * 60, self.recheck) if minutes > 0 else None

    def recheck(self) -> None:
        """The schedule's quick re-check of the saved config; skipped while a run is under way."""
        from ..checks.runner import STORES

        checks = self.checks
        if self.session.file_exists and not (checks is not None and checks.running):
            self.post_message(RunChecks(STORES, self.session.saved.copy(), "the saved configuration (scheduled)",
                                        quick=True))

    def refresh_status(self, now: bool = False) -> None:
        """Read the status (``now``: even while a read is under way, which then posts nothing)."""
        if now or not any(w.group == "status" and w.is_running for w in self.workers):
            self.run_worker(partial(workers.poll_status, self.core, self.post_message), thread=True,
                            exclusive=True, group="status", exit_on_error=False, name="Status")

    def probe(self) -> None:
        if not any(w.group == "probes" and w.is_running for w in self.workers):
            self.run_worker(partial(self.probing.sample, self.core, self.post_message), thread=True,
                            group="probes", exit_on_error=False, name="Probes")

    async def on_unmount(self) -> None:
        await asyncio.to_thread(self.core.close)

    # ---- panes -----------------------------------------------------------------------
    def pane(self, pane_id: str) -> Pane:
        return self.query_one(f"#pane-{pane_id}", Pane)

    @property
    def active_pane(self) -> str:
        return (self.query_one("#panes", ContentSwitcher).current or "pane-overview").removeprefix("pane-")

    def action_show_pane(self, pane_id: str) -> None:
        if not self.query(f"#pane-{pane_id}"):
            self._wanted_pane = pane_id  # still mounting: shown as soon as it is there
            return
        self.query_one("#panes", ContentSwitcher).current = f"pane-{pane_id}"
        self._update_tabs()
        self.focus_active_pane()

    def focus_active_pane(self) -> None:
        """Keys go to the shown pane (its bindings appear in the footer)."""
        for switcher in self.query("#panes").results(ContentSwitcher):  # none while shutting down
            for pane in switcher.query(f"#{switcher.current}").results(Pane):
                pane.focus_default()

    def _update_tabs(self) -> None:
        for bar in self.query("#tabbar").results(PaneBar):
            bar.active, bar.dirty = self.active_pane, self.session.dirty

    # ---- requests from panes --------------------------------------------------------------
    @property
    def overview(self) -> OverviewPane:
        return self.query_one(OverviewPane)

    def on_refresh_status(self, message: RefreshStatus) -> None:
        self.refresh_status(now=True)

    def on_probe_now(self, message: ProbeNow) -> None:
        self.probe()

    def on_run_checks(self, message: RunChecks) -> None:
        """Re-check ``message.stores``; the other stores' results stay as they are."""
        self._check_run += 1
        kept = [r for r in (self.checks.results if self.checks else []) if r.store not in message.stores]
        self.checks = ChecksUpdate(kept, True, stores=message.stores, run=self._check_run, what=message.what,
                                   quick=message.quick)
        self.run_worker(partial(workers.run_checks, self.core, message.config, message.stores, kept, self._check_run,
                                message.what, self.post_message, message.quick),
                        thread=True, exclusive=True, group="checks", exit_on_error=False, name="Checks")

    def on_run_runtime_action(self, message: RunRuntimeAction) -> None:
        """Confirm (showing exactly what will happen), then run the action; one at a time."""
        from ..ops.lifecycle import ACTION_TITLES, action_steps
        from .widgets.confirm import ConfirmScreen

        action, tag = message.action, message.tag
        title = ACTION_TITLES[action]
        running = self.runtime_action
        if running is not None and not running.done:
            self.notify(f"{ACTION_TITLES[running.action]} is still running; wait for it to finish.",
                        severity="warning", markup=False)
            return
        if self.server_job:
            self.notify(f"{self.server_job} (Backups, 7) is still running and has the server stopped; wait for it "
                        "to finish.", severity="warning", markup=False)
            return
        if action == "start":
            self._act(action, tag)
            return
        if action == "upgrade":
            self._confirm_upgrade(tag)
            return
        if action == "rollback":  # the record is read in a worker; on_rollback_planned asks
            self.run_worker(partial(workers.plan_rollback, self.core, self.post_message), thread=True,
                            exclusive=True, group="rollback-plan", exit_on_error=False, name="Rollback plan")
            return
        config = self.core.target_config()

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(action, tag)

        self.push_screen(ConfirmScreen(f"{title} the server?", action_steps(config, action, tag), confirm_label=title,
                                       danger=action in ("stop", "remove", "restart")), answered)

    def _confirm_upgrade(self, tag: str) -> None:
        """The steps of `wbtui upgrade` (ops.upgrade): back up first, record, deploy, save the tag, watch."""
        from ..health.watch import STARTUP_WINDOW
        from ..ops.upgrade import EMBEDDED, backup_covered, upgrade_steps
        from .widgets.confirm import ConfirmScreen

        config = self.core.target_config()
        skip = None if backup_covered(config) else EMBEDDED
        question = f"Upgrade to {config.runtime.image}:{tag}?"
        if skip is not None:
            question += " There will be NO database backup first (MYSQL is empty)."

        def answered(yes: bool | None) -> None:
            if yes:
                self.runtime_action = RuntimeActionUpdate("upgrade")
                self.run_worker(partial(workers.upgrade, self.core, tag, skip, WATCH_INTERVAL, self.post_message),
                                thread=True, exclusive=True, group="runtime-action", exit_on_error=False,
                                name="Upgrade")

        steps = upgrade_steps(config, tag, skip_reason=skip, watch_timeout=STARTUP_WINDOW)
        self.push_screen(ConfirmScreen(question, steps, confirm_label="Upgrade", danger=True), answered)

    def on_rollback_planned(self, message: RollbackPlanned) -> None:
        """Ask with the rollback's steps (or say why there is nothing to roll back), then run it."""
        from .widgets.confirm import ConfirmScreen

        if message.problem is not None:
            self.notify(message.problem.text(), title="Roll back", severity="warning", markup=False, timeout=10)
            return
        plan = message.plan

        def answered(yes: bool | None) -> None:
            if yes:
                self.runtime_action = RuntimeActionUpdate("rollback")
                self.run_worker(partial(workers.rollback, self.core, plan, WATCH_INTERVAL, self.post_message),
                                thread=True, exclusive=True, group="runtime-action", exit_on_error=False,
                                name="Roll back")

        self.push_screen(ConfirmScreen(plan.question, plan.steps, confirm_label="Roll back", danger=True), answered)

    def _act(self, action: str, tag: str) -> None:
        self.runtime_action = RuntimeActionUpdate(action)
        self.run_worker(partial(workers.act, self.core, action, tag, self.post_message), thread=True,
                        exclusive=True, group="runtime-action", exit_on_error=False, name="Runtime action")

    def watch_runtime_action(self, update: RuntimeActionUpdate | None) -> None:
        """An action ended: say how; after a new or restarted server, follow its log and watch it start (an upgrade
        or a rollback watched it already, and saved runtime.tag)."""
        from ..ops.lifecycle import ACTION_TITLES

        if update is None or not update.done:
            return
        title = ACTION_TITLES[update.action]
        if update.action in ("upgrade", "rollback"):
            self.deployed += 1
            self.read_config_file(announce=False)
        if update.problem is not None:
            self.show_problem(update.problem, f"{title} failed")
        else:
            self.notify(update.outcome or "done", title=title, markup=False)
            if update.action in ("deploy", "restart", "start"):
                self.deployed += 1
                self.post_message(StartupWatch())
        self.refresh_status(now=True)

    def on_startup_watch(self, message: StartupWatch) -> None:
        self.startup = WatchUpdate()
        self.run_worker(partial(workers.watch_startup, self.core, WATCH_INTERVAL, self.post_message), thread=True,
                        exclusive=True, group="startup-watch", exit_on_error=False, name="Startup watch")

    def watch_startup(self, update: WatchUpdate | None) -> None:
        result = update.result if update is not None else None
        if result is None:
            return
        if result.ready:
            self.notify(result.message, title="Server ready", markup=False)
        else:
            fix = f"\nFix: {result.diagnosis[0].fix}" if result.diagnosis else ""
            self.notify(result.message + fix, title="Start-up failed", severity="error", markup=False, timeout=15)

    def on_retarget(self, message: Retarget) -> None:
        """The Runtime pane picked another context/namespace: status, probes and streams follow it."""
        self.core.set_target(message.key, message.value)
        self._update_topbar()
        self._target_changed()
        self.targeted += 1

    def _target_changed(self) -> None:
        self.probing.forget()
        if self.background:
            self.refresh_status(now=True)
            self.probe()

    def on_config_saved(self, message: ConfigSaved) -> None:
        """A saved or reloaded config: the target, the theme, the schedule and the checks it changed follow."""
        from ..checks.runner import stores_changed

        saved, before = self.session.saved, self.loaded
        if saved.app.theme in self.available_themes:
            self.theme = saved.app.theme
        self._target_changed()
        self.loaded = saved
        if before is not None and before.keys != saved.keys:
            self.apply_keys()
        self.judge()  # the verdict reads the config (its acknowledgements)
        self.dirty_changed()
        if before is None:
            return
        if self.background and before.app.recheck_minutes != saved.app.recheck_minutes:
            self._schedule_rechecks()
        stale = stores_changed(before, saved)
        if stale and (self.checks is not None or self.background):  # results on screen are out of date now
            self.post_message(RunChecks(stale, saved.copy(), "the changed configuration"))

    def dirty_changed(self) -> None:
        """Mark unsaved changes in the top bar and on the Config tab."""
        self._update_tabs()
        self._update_topbar()

    def _update_topbar(self) -> None:
        from ..config.profiles import DEFAULT, name_of

        session = self.session
        target = self.core.target_config()
        backend = target.runtime.backend
        where = (f"{target.kubernetes.context or 'current context'}/{target.kubernetes.namespace}"
                 if backend == "kubernetes" else target.runtime.container_name)
        parts: list[str | tuple[str, str]] = [("wbtui ", "bold")]
        profile = name_of(session.config_path)
        if profile not in (None, DEFAULT):
            parts.append((f"{profile}  ·  ", "$accent bold"))
        parts.append(f"{session.config_path}  ·  {backend}: {where}")
        if session.read_only:
            parts.append(("  ·  READ-ONLY", "$warning bold"))
        if session.dirty:
            parts.append(("  ·  ● unsaved", "$warning"))
        self.query_one("#topbar", Static).update(Content.assemble(*parts))

    # ---- errors --------------------------------------------------------------------------------
    def warn_unknown_keys(self) -> None:
        """Say which keys of the file no setting reads (they are ignored), each with what to do."""
        if not self.session.unknown:
            return  # the usual case, before the first frame: no import of the validators (7 ms)
        from ..config.validate import unknown_key_findings

        findings = unknown_key_findings(self.session.unknown, self.session.config_path)
        if findings:
            self.notify("\n".join(f"{f.message}: {f.fix}" for f in findings), title="Unknown settings",
                        severity="warning", timeout=15, markup=False)

    def apply_keys(self) -> None:
        """The config's remapped keys, checked against the bindings, as Textual's keymap (the footer follows)."""
        self.key_remap = check(self.session.saved.keys, self.session.config_path)
        self.set_keymap(self.key_remap.keymap)
        if self.key_remap.findings:
            errors = any(f.severity == "error" for f in self.key_remap.findings)
            self.notify("\n".join(f"{f.field}: {f.message}. {f.fix}" for f in self.key_remap.findings),
                        title="Keys", severity="error" if errors else "warning", timeout=15, markup=False)

    def show_problem(self, problem: Problem, title: str = "Error") -> None:
        """A failure as a notification with its fix; secrets scrubbed, text never parsed as markup."""
        redact = self.session.redactor()
        self.notify(redact(problem.text()), title=title, severity="error", timeout=10, markup=False)

    def on_notice(self, message: Notice) -> None:
        message.show(self)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_problem(Problem.from_exception(event.worker.error), event.worker.name or "Error")

    # ---- help, palette, quit ----------------------------------------------------------------------
    def binding_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every binding, for the help screen: global keys first, then each pane's, then the setup's."""
        from .guided import GuidedSetupScreen
        from .widgets.confirm import ConfirmScreen, PromptScreen
        from .widgets.filter_bar import FilterBar
        from .widgets.text_screen import TextScreen

        keymap = self.key_remap.keymap

        def rows(bindings: Iterable[object]) -> list[tuple[str, str]]:
            out = []
            for binding in bindings:
                if isinstance(binding, Binding) and binding.description:
                    out.append((key_display(self, keys_of(binding, keymap)), binding.description))
            return out

        own = [b for b in self.BINDINGS if not (isinstance(b, Binding) and b.action.startswith("show_pane("))]
        sections = [("Global", [(f"1-{len(PANE_SPECS)}", "switch pane"), *rows(own),  # 1-9 stands for each number
                                ("ctrl+p", "command palette")])]
        for pane in pane_classes():
            sections.append((pane.TITLE, rows(pane.BINDINGS)))
            for extra_title, extra in pane.extra_bindings():
                sections.append((f"{pane.TITLE}: {extra_title}", rows(extra)))
        sections.append(("Guided setup (S)", rows(GuidedSetupScreen.BINDINGS)))
        sections.append(("Dialogs", rows([*ConfirmScreen.BINDINGS, *PromptScreen.BINDINGS])))
        sections.append(("Filter line", rows(FilterBar.BINDINGS)))
        sections.append(("Text views", rows(TextScreen.BINDINGS)))
        return sections

    def action_help(self) -> None:
        from .widgets.help import HelpScreen

        self.push_screen(HelpScreen(self.binding_sections()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every pane and every pane action; in the guided setup, the setup's own."""
        yield from super().get_system_commands(screen)
        setup_commands = getattr(screen, "palette_commands", None)
        if setup_commands is not None:  # the guided setup: its commands, none of the panes'
            yield from setup_commands()
            return
        for number, pane_cls in enumerate(pane_classes(), 1):
            yield SystemCommand(f"Show {pane_cls.TITLE}", f"Switch to the {pane_cls.TITLE} pane (key {number})",
                                lambda pid=pane_cls.PANE_ID: self.action_show_pane(pid))
        yield SystemCommand("Help: keys", "List every key binding (?)", self.action_help)
        yield SystemCommand("Guided setup", "Step by step from nothing to a verified server (S)", self.action_setup)
        yield SystemCommand("Switch profile", "Put the dashboard on another profile's config file (W)",
                            self.action_switch_profile)
        for pane_cls in pane_classes():
            for binding in pane_cls.BINDINGS:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                action = binding.action
                disabled = action.split("(")[0] in pane_cls.MUTATING and self.session.read_only
                help_text = f"{pane_cls.TITLE} pane, key {keys_of(binding, self.key_remap.keymap)[0]}"
                if disabled:
                    help_text += " (disabled: read-only)"
                yield SystemCommand(f"{pane_cls.TITLE}: {binding.description}", help_text,
                                    lambda pid=pane_cls.PANE_ID, act=action: self._run_pane_action(pid, act))

    def _run_pane_action(self, pane_id: str, action: str) -> None:
        self.action_show_pane(pane_id)
        self.call_after_refresh(self.pane(pane_id).run_or_refuse, action)

    # ---- profiles -------------------------------------------------------------------------------
    def action_switch_profile(self) -> None:
        """The profile picker; the one picked is read in a worker, after asking about unsaved edits."""
        from .widgets.profile_picker import ProfilePicker

        self.push_screen(ProfilePicker(self.session.config_path), self._profile_picked)

    def _profile_picked(self, path: Path | None) -> None:
        if path is None:
            return
        if not self.session.dirty:
            self._open_profile(path)
            return
        from .session import draft_vs_saved
        from .widgets.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._open_profile(path)

        self.push_screen(ConfirmScreen(f"Switch to {path} and lose unsaved changes?",
                                       [*draft_vs_saved(self.session), "(ctrl+s in the Config pane saves them)"],
                                       confirm_label="Switch without saving", danger=True), answered)

    def _open_profile(self, path: Path) -> None:
        self.run_worker(partial(open_profile, path, self.session.read_only_flag, self.post_message), thread=True,
                        exclusive=True, group="profile", exit_on_error=False, name="Open profile")

    def on_profile_opened(self, message: ProfileOpened) -> None:
        """Every pane follows the new file as it follows a reload: the saved config, the target, the keys."""
        from ..config.profiles import name_of

        if message.session is None:
            self.notify(f"Still on {self.session.config_path}: {message.problem}", title="Profile not switched",
                        severity="error", timeout=10, markup=False)
            return
        self.session = self.core.session = message.session
        self.core.overrides.clear()  # the Runtime pane's context/namespace pick was for the other server
        self.core.log_pod = None
        self.warn_unknown_keys()
        self.post_message(ConfigSaved())
        self.targeted += 1
        self.notify(f"Now on {name_of(message.path) or message.path} ({message.path})", title="Profile",
                    markup=False)

    def action_request_quit(self) -> None:
        if not self.session.dirty:
            self.exit(0)
            return
        from .session import draft_vs_saved
        from .widgets.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit(0)

        self.push_screen(ConfirmScreen("Quit and lose unsaved changes?",
                                       [*draft_vs_saved(self.session), "(ctrl+s in the Config pane saves them)"],
                                       confirm_label="Quit without saving", danger=True), answered)


def run_dashboard(config_path: Path, read_only: bool) -> int:
    """Open the dashboard on a terminal; returns the exit code for the CLI."""
    from ..config.store import ConfigFileError

    try:
        session = Session.open(config_path, read_only)
    except ConfigFileError as exc:
        import sys

        print(f"wbtui: {exc}", file=sys.stderr)
        return 1
    app = WbtuiApp(session, tune_gc=True)
    result = app.run()
    return int(result or 0)
