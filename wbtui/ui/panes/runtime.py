"""The Runtime pane: run the server on Docker or Kubernetes, see its state, pods and events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from ...config.model import Config
from ...present.status import status_lines
from ...runtime.base import Progress, ResourceUsage, RuntimeEvent, ServerStatus
from ..messages import Problem, StatusUpdate
from ..text import cell, lines, styled, tone_line
from ..widgets.confirm import ChoiceScreen
from ..widgets.filter_bar import FilterBar, row_matches
from .base import Pane
from .health import HealthPane

REFRESH_SECONDS = 5.0
ACTION_TITLES = {"deploy": "Deploy", "start": "Start", "stop": "Stop", "restart": "Restart",
                 "upgrade": "Upgrade", "remove": "Remove"}


def action_steps(config: Config, action: str, tag: str = "") -> list[str]:
    """Exactly what an action will do to the running server, for the confirmation dialog."""
    r, k = config.runtime, config.kubernetes
    if config.runtime.backend == "kubernetes":
        where = f"Deployment {k.name} in namespace {k.namespace} (context {k.context or 'current'})"
        return {
            "deploy": [f"apply the Secret, Deployment, Service and Ingress for {where}",
                       f"image {r.image_ref}, {k.replicas} replica(s); pods are replaced one by one",
                       "preview them with ctrl+t in the Config pane"],
            "start": [f"scale {where} to {k.replicas} replica(s)"],
            "stop": [f"scale {where} to 0 replicas: the server is down until started"],
            "restart": [f"rollout restart of {where}: new pods replace the old ones",
                        "the server may be unavailable until /ready passes (migrations may run)"],
            "upgrade": [f"change the image of {where} to {r.image}:{tag}", "pods are replaced by a rolling update",
                        "database migrations run on start; back up MySQL first"],
            "remove": [f"delete the Deployment, Service, Ingress and Secret of {k.name} in {k.namespace}",
                       "the PersistentVolumeClaim (data) is kept"],
        }[action]
    where = f"container {r.container_name}"
    return {
        "deploy": [f"create {where} from {r.image_ref} (an existing one is replaced; its volume is kept)",
                   f"publish {(r.bind_address + ':') if r.bind_address else ''}{r.port} -> 8080, "
                   f"volume {r.volume} at /vol, restart policy {r.restart_policy}",
                   f"cpus {r.cpu_limit}, memory {r.memory_limit}; environment from the saved config",
                   "preview the docker run command with ctrl+t in the Config pane"],
        "start": [f"start {where}"],
        "stop": [f"stop {where} (SIGTERM, then SIGKILL after 30s): the server is down until started"],
        "restart": [f"restart {where}", "the server is unavailable until /ready passes again"],
        "upgrade": [f"pull {r.image}:{tag} if it is not present", f"replace {where} with {r.image}:{tag}, "
                    f"keeping volume {r.volume}", "database migrations run on start; back up MySQL first"],
        "remove": [f"remove {where}", f"the volume {r.volume} (data) is kept"],
    }[action]


class RuntimePane(Pane):
    PANE_ID = "runtime"
    TITLE = "Runtime"
    MUTATING = frozenset({"act", "upgrade"})

    BINDINGS = [
        Binding("d", "act('deploy')", "Deploy"),
        Binding("s", "act('start')", "Start"),
        Binding("x", "act('stop')", "Stop"),
        Binding("r", "act('restart')", "Restart"),
        Binding("u", "upgrade", "Upgrade"),
        Binding("X", "act('remove')", "Remove"),
        Binding("c", "context", "Context"),
        Binding("n", "namespace", "Namespace"),
        Binding("g", "refresh", "Refresh"),
        Binding("slash", "filter", "Filter"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status: ServerStatus | None = None
        self.events: list[RuntimeEvent] = []
        self._filter = ""
        self._refreshing = False
        self._acting = ""

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
        self.query_one("#rt-events", DataTable).add_columns("TIME", "TYPE", "REASON", "OBJECT", "MESSAGE")
        self._show_target()
        self._show_action(Content(""))
        if self.wbtui.background:
            self.action_refresh()
            self.set_interval(REFRESH_SECONDS, self.action_refresh)

    def focus_default(self) -> None:
        self.query_one("#rt-events", DataTable).focus()

    def config_saved(self) -> None:
        self._show_target()
        if self.wbtui.background:
            self.action_refresh()

    def _show_target(self) -> None:
        config = self.wbtui.core.target_config()
        r, k = config.runtime, config.kubernetes
        kube = r.backend == "kubernetes"
        if kube:
            text = styled(("kubernetes", "bold"), f"  context {k.context or '(current)'}  ·  namespace {k.namespace}"
                          f"  ·  deployment {k.name}  ·  {r.image_ref}")
        else:
            text = styled(("docker", "bold"), f"  container {r.container_name}  ·  {r.image_ref}  ·  port {r.port}")
        if self.wbtui.core.overrides:
            text = text + styled(("  (picked here, not saved)", "$warning"))
        self.query_one("#rt-target", Static).update(text)
        self.query_one("#rt-pods", DataTable).display = kube

    # ---- status polling ----------------------------------------------------------------------------
    def action_refresh(self) -> None:
        if not self._refreshing:
            self._refreshing = True
            self._poll()

    @work(thread=True, exclusive=True, group="status", exit_on_error=False, name="Status")
    def _poll(self) -> None:
        from ...health.bounded import call_bounded

        worker = get_current_worker()
        limit = max(10.0, 2 * self.wbtui.session.saved.app.timeout)
        status: ServerStatus | None = None
        usage: ResourceUsage | None = None
        events: list[RuntimeEvent] = []
        problem: Problem | None = None
        try:
            runtime = call_bounded(self.wbtui.core.runtime, limit, "runtime")
            status = call_bounded(runtime.status, limit, "status")
            if status.exists and status.state == "running":
                usage = call_bounded(runtime.usage, limit, "usage")
            events = call_bounded(lambda: runtime.events(limit=30), limit, "events")
        except Exception as exc:
            problem = Problem.from_exception(exc)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._polled, status, usage, events, problem)

    def _polled(self, status: ServerStatus | None, usage: ResourceUsage | None, events: list[RuntimeEvent],
                problem: Problem | None) -> None:
        self._refreshing = False
        self.show(status, usage, events, problem)
        self.post_message(StatusUpdate(status, usage, problem))

    def show(self, status: ServerStatus | None, usage: ResourceUsage | None, events: list[RuntimeEvent],
             problem: Problem | None) -> None:
        """Render a status (also used with fixed data by the snapshot tests)."""
        box = self.query_one("#rt-status", Static)
        if problem is not None:
            box.update(lines(styled(("✘ ", "$error bold"), problem.message),
                             styled(("fix: ", "$text-muted"), problem.fix) if problem.fix else ""))
        elif status is not None:
            self.status = status
            box.update(self._status_content(status, usage))
        if status is not None or problem is None:
            self.events = events
        self._fill_tables()

    @staticmethod
    def _status_content(status: ServerStatus, usage: ResourceUsage | None) -> Content:
        """The lines `wbtui status` prints, without pods (the table below lists them)."""
        rows: list[Content | str] = [tone_line(line) for line in status_lines(status, usage, pods=False)]
        if not status.exists:
            rows.append(styled(("fix: ", "$text-muted"), "d deploys it from the saved configuration"))
        return lines(*rows)

    def _fill_tables(self) -> None:
        app = self.app
        pods = self.query_one("#rt-pods", DataTable)
        pods.clear()
        for pod in self.status.pods if self.status is not None else []:
            if row_matches(self._filter, pod.name, pod.phase, pod.reason, pod.node):
                pods.add_row(cell(app, pod.name), cell(app, pod.phase, "$success" if pod.phase == "Running" else
                                                       "$warning"),
                             cell(app, "yes" if pod.ready else "no", "" if pod.ready else "$warning"),
                             cell(app, str(pod.restarts), "$error" if pod.restarts else ""),
                             cell(app, pod.reason or pod.message), cell(app, pod.node), key=pod.name)
        events = self.query_one("#rt-events", DataTable)
        events.clear()
        for event in self.events:
            when = event.time.strftime("%m-%d %H:%M:%S") if event.time else "-"
            if row_matches(self._filter, event.type, event.reason, event.object, event.message):
                events.add_row(cell(app, when), cell(app, event.type, "$warning" if event.type == "Warning" else ""),
                               cell(app, event.reason), cell(app, event.object), cell(app, event.message))

    # ---- actions -----------------------------------------------------------------------------------------
    def action_act(self, action: str) -> None:
        if self.refuse_read_only(ACTION_TITLES[action].lower()):
            return
        if self._acting:
            self.notify(f"{self._acting} is still running; wait for it to finish.", severity="warning", markup=False)
            return
        config = self.wbtui.core.target_config()
        if action == "start":
            self._run(action, config)
            return
        self.confirm(f"{ACTION_TITLES[action]} the server?", action_steps(config, action),
                     lambda: self._run(action, config), confirm_label=ACTION_TITLES[action],
                     danger=action in ("stop", "remove", "restart"))

    def action_upgrade(self) -> None:
        if self.refuse_read_only("upgrade"):
            return
        config = self.wbtui.core.target_config()

        def got_tag(tag: str) -> None:
            self.confirm(f"Upgrade to {config.runtime.image}:{tag}?", action_steps(config, "upgrade", tag),
                         lambda: self._run("upgrade", config, tag), confirm_label="Upgrade", danger=True)

        self.prompt("Image tag to move to", got_tag, value=config.runtime.tag,
                    help="The data volume is kept; pin a release such as 0.59.2 rather than latest.")

    def _run(self, action: str, config: Config, tag: str = "") -> None:
        self._acting = ACTION_TITLES[action]
        self._show_action(styled((f"{self._acting}…", "$warning bold")))
        self._act(action, tag)

    @work(thread=True, exclusive=True, group="runtime-action", exit_on_error=False, name="Runtime action")
    def _act(self, action: str, tag: str) -> None:
        runtime = self.wbtui.core.runtime()

        def say(progress: Progress) -> None:
            self.app.call_from_thread(self._progress, progress)

        runtime.progress = say
        try:
            call: Callable[[], Any] = {"deploy": runtime.deploy, "start": runtime.start, "stop": runtime.stop,
                                       "restart": runtime.restart, "remove": runtime.remove,
                                       "upgrade": lambda: runtime.upgrade(tag)}[action]
            outcome = call()
        except Exception as exc:
            self.app.call_from_thread(self._acted, action, None, Problem.from_exception(exc))
        else:
            self.app.call_from_thread(self._acted, action, str(outcome or "done"), None)
        finally:
            runtime.progress = None

    def _progress(self, progress: Progress) -> None:
        done = f" ({progress.current}/{progress.total})" if progress.total else ""
        self._show_action(styled((f"{self._acting}… ", "$warning bold"), progress.message + done))

    def _acted(self, action: str, outcome: str | None, problem: Problem | None) -> None:
        self._acting = ""
        title = ACTION_TITLES[action]
        if problem is not None:
            self._show_action(lines(styled((f"✘ {title} failed: ", "$error bold"), problem.message),
                                    styled(("fix: ", "$text-muted"), problem.fix) if problem.fix else ""))
            self.wbtui.show_problem(problem, f"{title} failed")
        else:
            self._show_action(styled((f"✔ {title}: ", "$success bold"), outcome or ""))
            self.notify(outcome or "done", title=title, markup=False)
            if action in ("deploy", "restart", "upgrade", "start"):
                self.wbtui.runtime_changed()
                self.wbtui.query_one(HealthPane).action_watch()
        self._refreshing = False
        self.action_refresh()

    def _show_action(self, content: Content) -> None:
        widget = self.query_one("#rt-action", Static)
        widget.update(content)
        widget.display = bool(content.plain)

    # ---- Kubernetes target pickers -----------------------------------------------------------------------
    def action_context(self) -> None:
        if self.wbtui.core.target_config().runtime.backend != "kubernetes":
            self.notify("The runtime is Docker; set runtime.backend = kubernetes in the Config pane to use "
                        "contexts.", markup=False)
            return
        self._contexts()

    @work(thread=True, exclusive=True, group="contexts", exit_on_error=False, name="Kubernetes contexts")
    def _contexts(self) -> None:
        contexts = self.wbtui.core.contexts()
        self.app.call_from_thread(self._pick_context, contexts)

    def _pick_context(self, found: tuple[list[str], str | None]) -> None:
        contexts, kube_current = found
        if not contexts:
            self.notify("No contexts in the kubeconfig.", severity="warning", markup=False)
            return
        current = self.wbtui.core.target_config().kubernetes.context or kube_current or ""
        self.app.push_screen(ChoiceScreen("Kubernetes context", contexts, current),
                             lambda choice: self._retarget("kubernetes.context", choice))

    def action_namespace(self) -> None:
        config = self.wbtui.core.target_config()
        if config.runtime.backend != "kubernetes":
            self.notify("The runtime is Docker: namespaces apply to Kubernetes only.", markup=False)
            return
        self.prompt("Namespace", lambda ns: self._retarget("kubernetes.namespace", ns),
                    value=config.kubernetes.namespace)

    def _retarget(self, key: str, value: str | None) -> None:
        if not value:
            return
        self.wbtui.core.set_target(key, value)
        self._show_target()
        self.wbtui.retargeted()
        self._refreshing = False
        self.action_refresh()

    # ---- filter -------------------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.query_one("#rt-filter", FilterBar).open()

    def on_filter_bar_applied(self, event: FilterBar.Applied) -> None:
        event.stop()
        self._filter = event.text
        self._fill_tables()
        if event.done:
            self.focus_default()
