"""The dashboard: six panes in tabs, keyboard first, every I/O call in a worker.

Panes own their workers (cancelled when the pane goes away) and post results
as messages; the app forwards what the Overview needs and reports any worker
failure as a notification with its fix, never a traceback.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import signal
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Static
from textual.worker import Worker, WorkerState

from .core import Core
from .messages import ChecksUpdate, ConfigSaved, ErrorLines, ProbeUpdate, Problem, StatusUpdate
from .panes.base import Pane
from .panes.overview import OverviewPane
from .paths import first_frame_css, later_css
from .session import Session
from .textual_compat import draw_without_skipping, exit_requested, keep_strips_acyclic

if TYPE_CHECKING:
    from ..config.model import Config
    from ..runtime.base import Runtime

# (id, title, module): the Overview is drawn first; the other panes are imported and mounted
# right after the first frame, so the dashboard appears as fast as a bare Textual app.
PANE_SPECS: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", "overview"), ("config", "Config", "config"),
    ("datastores", "Datastores", "datastores"), ("runtime", "Runtime", "runtime"),
    ("logs", "Logs", "logs"), ("health", "Health", "health"),
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
SETUP_CHOICE = "Start the guided setup (recommended)"


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


class WbtuiApp(App[int]):
    """``background=False`` starts no refreshers (status, probes, logs): tests feed fixed data.

    ``log_capacity`` sizes the Logs pane's ring (default: the ring's 100k lines). ``tune_gc`` is for
    the dashboard's own process (see ``tune_gc()``), not for tests that run many apps in one process.
    """

    TITLE = "wbtui"
    CSS_PATH = first_frame_css()
    BINDINGS = [
        *[Binding(str(n), f"show_pane('{pid}')", title, show=False) for n, (pid, title, _) in enumerate(PANE_SPECS, 1)],
        Binding("question_mark", "help", "Help"),
        Binding("S", "setup", "Guided setup", show=False),
        Binding("q", "request_quit", "Quit"),
        Binding("ctrl+q", "request_quit", "Quit", show=False, priority=True),
    ]

    def __init__(self, session: Session, *, background: bool = True, log_capacity: int | None = None,
                 runtime_factory: Callable[[Config], Runtime] | None = None, tune_gc: bool = False) -> None:
        super().__init__()
        keep_strips_acyclic()
        self._tune_gc = tune_gc
        self.session = session
        self.core = Core(session, runtime_factory)
        self.background = background
        self.log_capacity = log_capacity
        self._wanted_pane = ""
        self.panes_mounted = asyncio.Event()
        self.animation_level = "none"  # no animations: less to send over SSH, deterministic screens
        theme = session.saved.app.theme
        self.theme = theme if theme in self.available_themes else FALLBACK_THEME

    def get_default_screen(self) -> Screen:
        return DashboardScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="topbar")
        yield Static(self._tabs_content("overview"), id="tabbar")
        with ContentSwitcher(initial="pane-overview", id="panes"):
            yield OverviewPane()
        yield Footer()

    def on_mount(self) -> None:
        self._update_topbar()
        if not self.is_headless:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(signum, self._hang_up)
        self.call_after_refresh(self._mount_panes)
        if not self.session.file_exists:
            self.call_after_refresh(self._first_launch)

    async def _mount_panes(self) -> None:
        """Load the other stylesheets and mount the panes behind the Overview once it is on screen."""
        if exit_requested(self):
            return
        self.stylesheet.read_all(later_css())
        self.refresh_css(animate=False)
        switcher = self.query_one("#panes", ContentSwitcher)
        for pane_cls in pane_classes():
            if pane_cls.PANE_ID != "overview" and switcher.is_attached and not exit_requested(self):
                pane = pane_cls()
                pane.display = False
                await switcher.mount(pane)
        self.panes_mounted.set()
        if self._tune_gc:
            tune_gc()
        self.dirty_changed()
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
        self._reload_config()

    @work(thread=True, exclusive=True, group="reload-config", exit_on_error=False, name="Reload config")
    def _reload_config(self) -> None:
        """The setup saved the config file: read it again and let every pane follow."""
        from ..config import store

        saved = store.load(self.session.config_path)
        self.call_from_thread(self._config_reloaded, saved, store.exists(self.session.config_path))

    def _config_reloaded(self, saved: Config, exists: bool) -> None:
        keep_draft = self.session.dirty  # unsaved edits made before the setup stay a draft
        self.session.saved = saved
        self.session.file_exists = exists
        if not keep_draft:
            self.session.revert()
        self.post_message(ConfigSaved())

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

    def _tabs_content(self, active: str) -> Content:
        """The pane bar: number keys, titles, the unsaved mark on Config; clickable (mouse optional)."""
        parts = []
        for number, (pane_id, title, _) in enumerate(PANE_SPECS, 1):
            mark = " ●" if pane_id == "config" and self.session.dirty else ""
            style = "reverse bold" if pane_id == active else ""
            parts.append(f"[{style} @click=app.show_pane('{pane_id}')] {number} {title}{mark} [/]")
        return Content.from_markup("".join(parts))  # titles are constants: no outside text in this markup

    def _update_tabs(self) -> None:
        for bar in self.query("#tabbar").results(Static):
            bar.update(self._tabs_content(self.active_pane))

    # ---- messages from panes ---------------------------------------------------------------
    @property
    def overview(self) -> OverviewPane:
        return self.query_one(OverviewPane)

    def on_status_update(self, message: StatusUpdate) -> None:
        self.overview.show_status(message)

    def on_probe_update(self, message: ProbeUpdate) -> None:
        self.overview.show_probe(message)

    def on_checks_update(self, message: ChecksUpdate) -> None:
        self.overview.show_checks(message)

    def on_error_lines(self, message: ErrorLines) -> None:
        self.overview.show_errors(message)

    def on_config_saved(self, message: ConfigSaved) -> None:
        theme = self.session.saved.app.theme
        if theme in self.available_themes:
            self.theme = theme
        for pane in self.query(Pane):
            pane.config_saved()
        self.dirty_changed()

    def dirty_changed(self) -> None:
        """Mark unsaved changes in the top bar and on the Config tab."""
        self._update_tabs()
        self._update_topbar()

    def runtime_changed(self) -> None:
        """A runtime action finished (new container or pods): follow the new log at once."""
        from .panes.logs import LogsPane

        if self.background:
            self.query_one(LogsPane).start_stream()

    def retargeted(self) -> None:
        """The Runtime pane picked another context/namespace: streams and probes follow it."""
        self._update_topbar()
        for pane_id in ("logs", "health"):
            self.pane(pane_id).config_saved()

    def _update_topbar(self) -> None:
        session = self.session
        target = self.core.target_config()
        backend = target.runtime.backend
        where = (f"{target.kubernetes.context or 'current context'}/{target.kubernetes.namespace}"
                 if backend == "kubernetes" else target.runtime.container_name)
        parts: list[str | tuple[str, str]] = [("wbtui ", "bold"), f"{session.config_path}  ·  {backend}: {where}"]
        if session.read_only:
            parts.append(("  ·  READ-ONLY", "$warning bold"))
        if session.dirty:
            parts.append(("  ·  ● unsaved", "$warning"))
        self.query_one("#topbar", Static).update(Content.assemble(*parts))

    # ---- errors --------------------------------------------------------------------------------
    def show_problem(self, problem: Problem, title: str = "Error") -> None:
        """A failure as a notification with its fix; secrets scrubbed, text never parsed as markup."""
        redact = self.session.redactor()
        self.notify(redact(problem.text()), title=title, severity="error", timeout=10, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.show_problem(Problem.from_exception(event.worker.error), event.worker.name or "Error")

    # ---- help, palette, quit ----------------------------------------------------------------------
    def binding_sections(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """Every binding, for the help screen: global keys first, then each pane's."""
        from .widgets.confirm import ConfirmScreen, PromptScreen
        from .widgets.filter_bar import FilterBar
        from .widgets.text_screen import TextScreen

        def rows(bindings: Iterable[object]) -> list[tuple[str, str]]:
            out = []
            for binding in bindings:
                if isinstance(binding, Binding) and binding.description:
                    keys = ", ".join(self.get_key_display(Binding(k, "")) for k in binding.key.split(","))
                    out.append((keys, binding.description))
            return out

        sections = [("Global", [("1-6", "switch pane"), *rows(self.BINDINGS), ("ctrl+p", "command palette")])]
        for pane in pane_classes():
            sections.append((pane.TITLE, rows(pane.BINDINGS)))
            for extra_title, extra in pane.extra_bindings():
                sections.append((f"{pane.TITLE}: {extra_title}", rows(extra)))
        sections.append(("Dialogs", rows([*ConfirmScreen.BINDINGS, *PromptScreen.BINDINGS])))
        sections.append(("Filter line", rows(FilterBar.BINDINGS)))
        sections.append(("Text views", rows(TextScreen.BINDINGS)))
        return sections

    def action_help(self) -> None:
        from .widgets.help import HelpScreen

        self.push_screen(HelpScreen(self.binding_sections()))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every pane and every pane action."""
        yield from super().get_system_commands(screen)
        for number, pane_cls in enumerate(pane_classes(), 1):
            yield SystemCommand(f"Show {pane_cls.TITLE}", f"Switch to the {pane_cls.TITLE} pane (key {number})",
                                lambda pid=pane_cls.PANE_ID: self.action_show_pane(pid))
        yield SystemCommand("Help: keys", "List every key binding (?)", self.action_help)
        yield SystemCommand("Guided setup", "Step by step from nothing to a verified server (S)", self.action_setup)
        for pane_cls in pane_classes():
            for binding in pane_cls.BINDINGS:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                action = binding.action
                disabled = action.split("(")[0] in pane_cls.MUTATING and self.session.read_only
                help_text = f"{pane_cls.TITLE} pane, key {binding.key.split(',')[0]}"
                if disabled:
                    help_text += " (disabled: read-only)"
                yield SystemCommand(f"{pane_cls.TITLE}: {binding.description}", help_text,
                                    lambda pid=pane_cls.PANE_ID, act=action: self._run_pane_action(pid, act))

    def _run_pane_action(self, pane_id: str, action: str) -> None:
        self.action_show_pane(pane_id)
        self.call_after_refresh(self.pane(pane_id).run_action, action)

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
