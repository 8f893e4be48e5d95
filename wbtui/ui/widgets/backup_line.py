"""The Overview's one line about the newest backup: ``Backup: 3h ago, 12.4 MiB, local (verified)``.

It follows the app's store (``backups``, listed by the Backups pane or by this line) and the status cadence:
each status update brings the age up to date from the backups already listed (no I/O), and lists them again
in a thread worker when the last list is older than ``LIST_SECONDS``. It repaints only when its text changes.
What it lists with is imported on the first status, not on the way to the dashboard's first frame.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.widget import Widget

from ..text import TONE_VARIABLE, styled

if TYPE_CHECKING:
    from ..app import WbtuiApp

LIST_SECONDS = 300.0
"""How often the line looks for backups made elsewhere (a timer, another shell) while the dashboard is open."""


class BackupLine(Widget):
    DEFAULT_CSS = """
    BackupLine {
        height: 1;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[str, str] = ("Backup: not listed yet (7 lists them)", "muted")
        self._listed = 0.0
        """When the line last asked for a list (time.monotonic; 0: never)."""

    @property
    def wbtui(self) -> WbtuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def said(self) -> tuple[str, str]:
        """What the line says now, and its tone (good, warn, bad, muted or "")."""
        return self._shown

    def render(self) -> Content:
        text, tone = self._shown
        variable = TONE_VARIABLE[tone or "plain"]
        return styled((text, variable)) if variable else Content(text)

    def on_mount(self) -> None:
        self.watch(self.app, "backups", self._listed_now, init=False)
        self.watch(self.app, "server", self._status_tick, init=False)
        self.watch(self.app, "loaded", self._forget, init=False)

    def _listed_now(self, _listed: Any) -> None:
        self._listed = time.monotonic()
        self.show_backups()

    def _forget(self, _config: Any) -> None:
        """Another config (MYSQL, BUCKET, backup.directory may differ): listed again on the next status."""
        self._listed = 0.0

    def _status_tick(self, _update: Any) -> None:
        """The status cadence: the age moves on; the list is read again now and then (only with the refreshers:
        tests that feed fixed data list nothing behind their back)."""
        from ..backup_jobs import list_backups

        app = self.wbtui
        if app.background and (not self._listed or time.monotonic() - self._listed > LIST_SECONDS) and \
                not any(w.group == "backup-list" and w.is_running for w in app.workers):
            self._listed = time.monotonic()
            self.run_worker(partial(list_backups, app.session.saved.copy(), self.post_message), thread=True,
                            group="backup-list", exit_on_error=False, name="List backups")
        self.show_backups()

    def show_backups(self) -> None:
        from ...ops.backup.manifest import now
        from ..backup_text import overview_line

        listed = self.wbtui.backups
        cell = overview_line(listed.entries if listed is not None else None, listed.errors if listed else [],
                             bool(listed.embedded) if listed is not None else False, now())
        if (cell.text, cell.tone) != self._shown:
            self._shown = (cell.text, cell.tone)
            self.refresh()
