"""The Runtime pane: run the server on Docker or Kubernetes, see its state, pods and events."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import DataTable, Static

from ...ops.lifecycle import ACTION_TITLES
from ...present.status import status_lines
from ...runtime.base import ResourceUsage, RuntimeEvent, ServerStatus
from ...runtime.docker.connect import endpoint
from ...runtime.docker.contexts import DEFAULT_HOST
from ..messages import Problem, RefreshStatus, Retarget, RunRuntimeAction, RuntimeActionUpdate, StatusUpdate
from ..text import cell, lines, styled, tone_line
from ..widgets.confirm import ChoiceScreen
from ..widgets.filter_bar import FilterBar, row_matches
from .base import FilteredPane

if TYPE_CHECKING:
    from ...runtime.shell import ShellCommand


class ShellFound(Message):
    """What `e` runs to enter the server (``wbtui.runtime.shell``), or why there is nothing to enter."""

    def __init__(self, shell: ShellCommand | None, problem: Problem | None) -> None:
        super().__init__()
        self.shell = shell
        self.problem = problem


class ContextsRead(Message):
    """The kubeconfig's context names and its current one, read by a worker."""

    def __init__(self, contexts: list[str], current: str | None) -> None:
        super().__init__()
        self.contexts = contexts
        self.current = current


def newest_first(events: list[RuntimeEvent]) -> list[RuntimeEvent]:
    """The latest event on the first row (what happened last is what an on-call engineer looks for)."""
    return sorted(reversed(events), key=lambda e: (e.time is not None, e.time.timestamp() if e.time else 0.0),
                  reverse=True)


class RuntimePane(FilteredPane):
    DEFAULT_CSS = """
    RuntimePane #rt-status-box {
        height: auto;
    }

    RuntimePane #rt-pods {
        height: auto;
        max-height: 8;
    }

    RuntimePane #rt-events {
        height: 1fr;
    }
    """

    PANE_ID = "runtime"
    TITLE = "Runtime"
    MUTATING = frozenset({"act", "upgrade", "rollback", "shell"})
    KUBERNETES_ONLY = frozenset({"context", "namespace"})
    EVENT_COLUMNS = {"kubernetes": ("TIME", "TYPE", "REASON", "OBJECT", "MESSAGE"),
                     "docker": ("TIME", "EVENT", "MESSAGE")}

    BINDINGS = [
        Binding("d", "act('deploy')", "Deploy", id="runtime.deploy"),
        Binding("s", "act('start')", "Start", id="runtime.start"),
        Binding("x", "act('stop')", "Stop", id="runtime.stop"),
        Binding("r", "act('restart')", "Restart", id="runtime.restart"),
        Binding("u", "upgrade", "Upgrade", id="runtime.upgrade"),
        Binding("b", "rollback", "Roll back", id="runtime.rollback"),
        Binding("X", "act('remove')", "Remove", id="runtime.remove"),
        Binding("c", "context", "Context", id="runtime.context"),
        Binding("n", "namespace", "Namespace", id="runtime.namespace"),
        Binding("g", "refresh", "Refresh", id="runtime.refresh"),
        Binding("slash", "filter", "Filter", id="runtime.filter"),
        Binding("e", "shell", "Shell", show=False, id="runtime.shell"),  # the footer is full: ? and ctrl+p list it
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status: ServerStatus | None = None
        self.events: list[RuntimeEvent] = []
        self.events_backend = ""
        self.acting: RuntimeActionUpdate | None = None
        """The action under way, whose elapsed time ticks on the action line."""
        self._shown = False
        self._stale: StatusUpdate | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="rt-target", classes="pane-status")
        status = Vertical(id="rt-status-box", classes="box")
        status.border_title = "Status"
        with status:
            yield Static(Content("waiting for the first status…"), id="rt-status")
        yield Static(Content(""), id="rt-action", classes="pane-status")
        yield FilterBar(id="rt-filter")
        yield DataTable(id="rt-pods", cursor_type="row", zebra_stripes=True)
        yield DataTable(id="rt-events", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#rt-pods", DataTable).add_columns("POD", "PHASE", "READY", "RESTARTS", "REASON", "NODE")
        self._show_target()
        self._show_action(Content(""))
        self.action_clock = self.set_interval(1.0, self._tick_action, pause=True)
        self.watch(self.app, "server", self.show_update)
        self.watch(self.app, "runtime_action", self.show_action_update)
        self.watch(self.app, "loaded", lambda _config: self._show_target(), init=False)
        self.watch(self.app, "targeted", lambda _count: self._show_target(), init=False)

    def focus_default(self) -> None:
        self.query_one("#rt-events", DataTable).focus()

    @property
    def on_kubernetes(self) -> bool:
        return self.wbtui.core.target_config().runtime.backend == "kubernetes"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Context and namespace keys exist only on Kubernetes: hidden from the footer on Docker."""
        if action in self.KUBERNETES_ONLY and not self.on_kubernetes:
            return False
        return super().check_action(action, parameters)

    def unavailable_reason(self, action: str) -> str:
        if action in self.KUBERNETES_ONLY:
            return (f"The runtime is Docker: {action}s apply to Kubernetes only (set runtime.backend = kubernetes "
                    "in the Config pane to use them).")
        return super().unavailable_reason(action)

    def _show_target(self) -> None:
        config = self.wbtui.core.target_config()
        r, k = config.runtime, config.kubernetes
        kube = r.backend == "kubernetes"
        self._set_event_columns("kubernetes" if kube else "docker")
        self.refresh_bindings()
        if kube:
            text = styled(("kubernetes", "bold"), f"  context {k.context or '(current)'}  ·  namespace {k.namespace}"
                          f"  ·  deployment {k.name}  ·  {r.image_ref}")
        else:
            text = styled(("docker", "bold"), f"  container {r.container_name}  ·  {r.image_ref}  ·  port {r.port}")
            where = endpoint()  # two small local files (config.json, a context's meta.json): no worker needed
            if where.host != DEFAULT_HOST or where.context_note:  # another daemon than this host's: say which
                text = text + styled(f"  ·  engine {where.shown or f'context {where.context} (cannot be used)'}")
        if self.wbtui.core.overrides:
            text = text + styled(("  (picked here, not saved)", "$warning"))
        self.query_one("#rt-target", Static).update(text)
        self.query_one("#rt-pods", DataTable).display = kube

    # ---- status (polled by the app) ---------------------------------------------------------------
    def action_refresh(self) -> None:
        self.post_message(RefreshStatus())
        self.notify("Reading the status and events again…", markup=False, timeout=2)

    # ---- hidden: the status is kept, not drawn (a redraw lays out the screen), shown: catch up -------
    def on_show(self) -> None:
        self._shown = True
        if self._stale is not None:
            update, self._stale = self._stale, None
            self.show_update(update)

    def on_hide(self) -> None:
        self._shown = False

    def show_update(self, update: StatusUpdate | None) -> None:
        if update is None:
            return
        if not self._shown:
            self._stale = update  # drawn when the pane is shown
            if update.status is not None:
                self.status = update.status  # the keys act on the latest state even before it is drawn
            return
        self.show(update.status, update.usage, update.events, update.problem)

    def show(self, status: ServerStatus | None, usage: ResourceUsage | None, events: list[RuntimeEvent],
             problem: Problem | None) -> None:
        """Render a status (also used with fixed data by the snapshot tests)."""
        self._stale = None  # what is drawn now is newer than an update kept while hidden
        box = self.query_one("#rt-status", Static)
        if problem is not None:
            box.update(lines(styled(("✘ ", "$error bold"), problem.message),
                             styled(("fix: ", "$text-muted"), problem.fix) if problem.fix else ""))
        elif status is not None:
            self.status = status
            box.update(self._status_content(status, usage))
        if status is not None or problem is None:
            self.events = events
        self.refill()

    @staticmethod
    def _status_content(status: ServerStatus, usage: ResourceUsage | None) -> Content:
        """The lines `wbtui status` prints, without pods (the table below lists them)."""
        rows: list[Content | str] = [tone_line(line) for line in status_lines(status, usage, pods=False)]
        if not status.exists:
            rows.append(styled(("fix: ", "$text-muted"), "d deploys it from the saved configuration"))
        return lines(*rows)

    def _set_event_columns(self, backend: str) -> None:
        """Kubernetes events carry a type and an object; a Docker container's are its actions."""
        if backend == self.events_backend:
            return
        self.events_backend = backend
        table = self.query_one("#rt-events", DataTable)
        table.clear(columns=True)
        table.add_columns(*self.EVENT_COLUMNS[backend])
        self.refill()

    def refill(self) -> None:
        app = self.app
        pods = self.query_one("#rt-pods", DataTable)
        pods.clear()
        for pod in self.status.pods if self.status is not None else []:
            if row_matches(self.row_filter, pod.name, pod.phase, pod.reason, pod.node):
                pods.add_row(cell(app, pod.name), cell(app, pod.phase, "$success" if pod.phase == "Running" else
                                                       "$warning"),
                             cell(app, "yes" if pod.ready else "no", "" if pod.ready else "$warning"),
                             cell(app, str(pod.restarts), "$error" if pod.restarts else ""),
                             cell(app, pod.reason or pod.message), cell(app, pod.node), key=pod.name)
        events = self.query_one("#rt-events", DataTable)
        events.clear()
        kube = self.events_backend == "kubernetes"
        for event in newest_first(self.events):
            when = event.time.strftime("%m-%d %H:%M:%S") if event.time else "-"
            tone = "$warning" if event.type == "Warning" else ""
            if not row_matches(self.row_filter, event.type, event.reason, event.object, event.message):
                continue
            if kube:
                events.add_row(cell(app, when), cell(app, event.type, tone), cell(app, event.reason),
                               cell(app, event.object), cell(app, event.message))
            else:
                events.add_row(cell(app, when), cell(app, event.reason, tone), cell(app, event.message))

    # ---- actions (confirmed and run by the app) ------------------------------------------------------------
    def action_act(self, action: str) -> None:
        if not self.refuse_read_only(ACTION_TITLES[action].lower()):
            self.post_message(RunRuntimeAction(action))

    def action_upgrade(self) -> None:
        if self.refuse_read_only("upgrade"):
            return
        config = self.wbtui.core.target_config()
        self.prompt("Image tag to move to", lambda tag: self.post_message(RunRuntimeAction("upgrade", tag)),
                    value=config.runtime.tag,
                    help="An external MYSQL is backed up first; the data volume is kept. Pin a release such as "
                    "0.59.2 rather than latest.")

    def action_rollback(self) -> None:
        """Undo the last upgrade (`wbtui rollback`): the app reads the record and asks with the steps."""
        if not self.refuse_read_only("roll back"):
            self.post_message(RunRuntimeAction("rollback"))

    def show_action_update(self, update: RuntimeActionUpdate | None) -> None:
        """The action's latest step and how long it has run (ticking each second until it ends), or its end."""
        self.acting = update if update is not None and not update.done else None
        if self.acting is not None:
            self.action_clock.resume()
        else:
            self.action_clock.pause()
        if update is None:
            return
        title = ACTION_TITLES[update.action]
        if not update.done:
            self._show_step(update)
        elif update.problem is not None:
            problem = update.problem
            self._show_action(lines(styled((f"✘ {title} failed: ", "$error bold"), problem.message),
                                    styled(("fix: ", "$text-muted"), problem.fix) if problem.fix else ""))
        else:
            self._show_action(styled((f"✔ {title}: ", "$success bold"), update.outcome or ""))

    def _show_step(self, update: RuntimeActionUpdate) -> None:
        elapsed = f"  {time.monotonic() - update.started:.0f} s"
        self._show_action(styled((f"{ACTION_TITLES[update.action]}… ", "$warning bold"), update.text,
                                 (elapsed, "$text-muted")))

    def _tick_action(self) -> None:
        if self.acting is not None:
            self._show_step(self.acting)

    def _show_action(self, content: Content) -> None:
        widget = self.query_one("#rt-action", Static)
        widget.update(content)
        widget.display = bool(content.plain)

    # ---- a shell in the server: found in a worker, run with the dashboard suspended ------------------------
    def action_shell(self) -> None:
        if self.refuse_read_only("a shell in the server"):
            return
        self.notify("Finding the running server to open a shell in…", markup=False, timeout=3)
        self._find_shell()

    @work(thread=True, exclusive=True, group="shell", exit_on_error=False, name="Find the shell",
          description="Find the shell")
    def _find_shell(self) -> None:
        from ...runtime.base import RuntimeProblem
        from ...runtime.shell import shell_command

        try:
            self.post_message(ShellFound(shell_command(self.wbtui.core.runtime(), tty=True), None))
        except RuntimeProblem as exc:
            self.post_message(ShellFound(None, Problem.from_exception(exc)))

    def on_shell_found(self, message: ShellFound) -> None:
        from ...runtime.shell import exit_status
        from ..terminal import NO_TERMINAL, run_suspended

        message.stop()
        shell = message.shell
        if shell is None:
            if message.problem is not None:
                self.wbtui.show_problem(message.problem, "Shell")
            return
        try:
            code = run_suspended(self.app, shell.argv)
        except OSError as exc:
            self.notify(f"Cannot run {shell.argv[0]}: {exc.strerror or exc}", severity="error", markup=False)
            return
        if code is None:
            self.notify(f"No shell: {NO_TERMINAL}. Run wbtui shell in a terminal on this host.", title="Shell",
                        severity="warning", markup=False)
            return
        self.notify(f"Shell ended (exit {exit_status(code)}): {shell.target}.", title="Shell", markup=False)
        self.post_message(RefreshStatus())

    # ---- Kubernetes target pickers -----------------------------------------------------------------------
    def action_context(self) -> None:
        self._contexts()

    @work(thread=True, exclusive=True, group="contexts", exit_on_error=False, name="Kubernetes contexts",
          description="Kubernetes contexts")
    def _contexts(self) -> None:
        self.post_message(ContextsRead(*self.wbtui.core.contexts()))

    def on_contexts_read(self, message: ContextsRead) -> None:
        message.stop()
        contexts, kube_current = message.contexts, message.current
        if not contexts:
            self.notify("No contexts in the kubeconfig.", severity="warning", markup=False)
            return
        current = self.wbtui.core.target_config().kubernetes.context or kube_current or ""
        self.app.push_screen(ChoiceScreen("Kubernetes context", contexts, current),
                             lambda choice: self._retarget("kubernetes.context", choice))

    def action_namespace(self) -> None:
        config = self.wbtui.core.target_config()
        self.prompt("Namespace", lambda ns: self._retarget("kubernetes.namespace", ns),
                    value=config.kubernetes.namespace)

    def _retarget(self, key: str, value: str | None) -> None:
        if value:
            self.post_message(Retarget(key, value))
