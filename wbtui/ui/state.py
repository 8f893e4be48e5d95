"""The dashboard's one store: the latest status, probes, checks, diagnosis, watch and action, and the config.

Mixed into the app. Workers post result messages (``wbtui.ui.messages``); the handlers
here keep the latest of each, and every pane that shows one watches it
(``self.watch(self.app, "server", self.show_status)``), so a result is drawn wherever it
appears without anyone calling a pane.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode
from textual.reactive import var

from .messages import ChecksUpdate, ErrorLines, ProbeUpdate, RuntimeActionUpdate, StatusUpdate, WatchUpdate

if TYPE_CHECKING:
    from ..config.model import Config
    from ..ops.verdict import Verdict
    from ..runtime.base import ServerStatus
    from .backup_jobs import BackupsListed
    from .widgets.front_door_line import FrontDoorChecked


class DashboardState(DOMNode):
    """Reactive attributes of the app (a DOMNode, as reactives need): set only by the handlers below and by
    the app's config loading and requests."""

    server: var[StatusUpdate | None] = var(None, always_update=True, init=False)
    """The runtime's last status and events (or why they could not be read)."""
    probes: var[ProbeUpdate | None] = var(None, always_update=True, init=False)
    checks: var[ChecksUpdate | None] = var(None, always_update=True, init=False)
    diagnosis: var[ErrorLines | None] = var(None, always_update=True, init=False)
    """The recent error lines of the server log, explained."""
    verdict: var[Verdict | None] = var(None, init=False)
    """One line: up, or why not and what to do (``ops.verdict``), judged again whenever one of the above changes."""
    startup: var[WatchUpdate | None] = var(None, always_update=True, init=False)
    runtime_action: var[RuntimeActionUpdate | None] = var(None, always_update=True, init=False)
    server_job: var[str] = var("", init=False)
    """A Backups pane job that stops or replaces the server now ("Restore", "Archive /vol"), or "": runtime
    actions wait for it, as it waits for them."""
    loaded: var[Config | None] = var(None, always_update=True, init=False)
    """The config file as last read or written (the session's ``saved``); set again on every load."""
    targeted: var[int] = var(0, init=False)
    """Bumped when the runtime target changes without a new config (a picked context or namespace)."""
    deployed: var[int] = var(0, init=False)
    """Bumped when a runtime action replaced the server's container or pods: log streams follow the new one."""
    backups: var[BackupsListed | None] = var(None, always_update=True, init=False)
    """The backups last listed (local and bucket), for the Backups pane and the Overview's backup line."""
    front_door: var[FrontDoorChecked | None] = var(None, always_update=True, init=False)
    """HOST's certificate and upload findings, last checked (the Overview's and the Health pane's front door)."""

    @property
    def server_status(self) -> ServerStatus | None:
        """The last ServerStatus that could be read (kept while a later read fails)."""
        return self._last_status

    _last_status: ServerStatus | None = None

    def on_status_update(self, message: StatusUpdate) -> None:
        if message.status is not None:
            self._last_status = message.status
        self.server = message
        self.judge()

    def on_probe_update(self, message: ProbeUpdate) -> None:
        self.probes = message
        self.judge()

    def on_checks_update(self, message: ChecksUpdate) -> None:
        if self.checks is None or message.run >= self.checks.run:  # late news from a replaced run is dropped
            self.checks = message
            self.judge()

    def on_error_lines(self, message: ErrorLines) -> None:
        self.diagnosis = message
        self.judge()

    def judge(self) -> None:
        """The verdict from the store as it is now (rules over a few held lines: no I/O, well under a frame)."""
        from ..ops.verdict import verdict

        server, probes = self.server, self.probes
        sample = probes.sample if probes is not None else None
        self.verdict = verdict(
            config=self.loaded,
            status=server.status if server is not None else None,
            events=server.events if server is not None else (),
            lines=self.diagnosis.lines if self.diagnosis is not None else (),
            checks=self.checks.results if self.checks is not None else (),
            unreachable=(server.problem.message, server.problem.fix) if server is not None and server.problem
            else None,
            ready=(sample.ready.ok, sample.ready.message, sample.ready.fix) if sample is not None else None)

    def on_watch_update(self, message: WatchUpdate) -> None:
        self.startup = message

    def on_runtime_action_update(self, message: RuntimeActionUpdate) -> None:
        self.runtime_action = message

    def on_backups_listed(self, message: BackupsListed) -> None:
        self.backups = message

    def on_front_door_checked(self, message: FrontDoorChecked) -> None:
        self.front_door = message
