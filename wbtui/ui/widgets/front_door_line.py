"""HOST's front door on the dashboard: one line on the Overview, one line per finding on the Health pane.

Both follow the app's store (``front_door``). The check (two TLS handshakes and one 1.1 MB POST, see
``wbtui.health.front_door``) runs in a thread worker on the status cadence, at most once every
``CHECK_SECONDS`` (a certificate's days left move slowly), and again after the config changes; whichever line
sees the status first starts it. The line stays hidden until there is something to say (HOST set and checked).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from ..text import lines, styled

if TYPE_CHECKING:
    from ...config.model import Config
    from ...health.front_door import FrontDoor
    from ..app import WbtuiApp

CHECK_SECONDS = 3600.0
GROUP = "front-door"
LOOK = {"ok": ("✔", "$success"), "unknown": ("…", "$text-muted"), "warn": ("!", "$warning"),
        "critical": ("✘", "$error bold")}


class FrontDoorChecked(Message):
    """A front-door check finished (``door`` None: HOST is not set); ``loaded`` is the app's config as loaded
    when the check started, so a later load is checked again."""

    def __init__(self, door: FrontDoor | None, loaded: Config | None) -> None:
        super().__init__()
        self.door = door
        self.loaded = loaded
        self.at = time.monotonic()


def check_in_thread(config: Config, loaded: Config | None, post: Any) -> None:
    from ...health.front_door import check_front_door

    post(FrontDoorChecked(check_front_door(config), loaded))


class FrontDoorLine(Widget):
    DEFAULT_CSS = """
    FrontDoorLine {
        height: auto;
        padding: 0 1;
    }

    FrontDoorLine.-short {
        height: 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, *, detail: bool, id: str | None = None) -> None:
        super().__init__(id=id, classes="" if detail else "-short")
        self.detail = detail
        self.display = False
        self._said = Content("")

    @property
    def wbtui(self) -> WbtuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def said(self) -> str:
        """What the line says now, as plain text."""
        return self._said.plain

    def render(self) -> Content:
        return self._said

    def on_mount(self) -> None:
        self.watch(self.app, "front_door", self.show_door, init=True)
        self.watch(self.app, "server", self._status_tick, init=False)

    def _status_tick(self, _update: Any) -> None:
        """Check when never checked, when the last check is older than CHECK_SECONDS, or after a config load
        (only with the refreshers: tests that feed fixed data check nothing behind their back)."""
        if not self.wbtui.background:
            return
        checked = self.wbtui.front_door
        if checked is None or checked.loaded is not self.wbtui.loaded or \
                time.monotonic() - checked.at > CHECK_SECONDS:
            self.check_now()

    def check_now(self) -> None:
        """Start a check in a thread worker unless one is running."""
        app = self.wbtui
        if any(w.group == GROUP and w.is_running for w in app.workers):
            return
        config, loaded = app.session.saved.copy(), app.loaded
        self.run_worker(lambda: check_in_thread(config, loaded, self.post_message), thread=True, group=GROUP,
                        exit_on_error=False, name="Check the front door")

    def show_door(self, checked: FrontDoorChecked | None) -> None:
        door = checked.door if checked is not None else None
        if door is None:
            self.display = False
            return
        icon, style = LOOK[door.severity]
        head = styled(("Front door: ", "$text-muted"), (f"{icon} {door.severity} ", style), door.summary())
        if self.detail:  # what needs doing in full, what is fine by title only (80x24 leaves room for little)
            rows: list[Content | str] = [styled(("Front door: ", "$text-muted"), (f"{icon} {door.severity}", style),
                                                (f"  {door.host}", "$text-muted"))]
            for finding in door.findings:
                if finding.severity == "ok":
                    continue
                mark, tone = LOOK[finding.severity]
                rows.append(styled("  ", (f"{mark} ", tone), f"{finding.title}: {finding.message}"))
                if finding.fix:
                    rows.append(styled(("    fix: ", "$text-muted"), finding.fix))
            fine = [f.title for f in door.findings if f.severity == "ok"]
            if fine:
                rows.append(styled("  ", ("✔ ", "$success"), "ok: " + ", ".join(fine)))
            said = lines(*rows)
        else:
            said = head
        self.display = True
        if said != self._said:
            self._said = said
            self.refresh(layout=True)
