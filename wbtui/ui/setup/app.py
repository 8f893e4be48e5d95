"""`wbtui setup` on a terminal: the setup screen in an app of its own (the dashboard pushes the same screen)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterable
from pathlib import Path

from textual.app import App, SystemCommand
from textual.screen import Screen

from ...setup.flow import RuntimeFactory, SetupFlow
from ..messages import Notice
from .screen import SetupScreen

FALLBACK_THEME = "textual-dark"


class SetupApp(App[int]):
    """Runs the setup until it is finished (exit 0) or the user quits (progress is kept either way)."""

    TITLE = "wbtui setup"

    def __init__(self, config_path: Path, *, read_only: bool = False, restart: bool = False,
                 flow: SetupFlow | None = None, runtime_factory: RuntimeFactory | None = None,
                 deploy_timeout: float = 600.0, watch_interval: float = 2.0) -> None:
        super().__init__()
        self.animation_level = "none"  # deterministic screens, less to send over SSH
        self._screen = SetupScreen(config_path, flow=flow, read_only=read_only, restart=restart,
                                   runtime_factory=runtime_factory, deploy_timeout=deploy_timeout,
                                   watch_interval=watch_interval)
        theme = self._screen.flow.config.app.theme
        self.theme = theme if theme in self.available_themes else FALLBACK_THEME

    @property
    def setup_screen(self) -> SetupScreen:
        return self._screen

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's common commands (quit, theme, keys, screenshot), then the setup's own."""
        yield from super().get_system_commands(screen)
        if isinstance(screen, SetupScreen):
            yield from screen.palette_commands()

    def on_notice(self, message: Notice) -> None:
        message.show(self)

    def on_mount(self) -> None:
        if not self.is_headless:
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGHUP, signal.SIGTERM):  # a dropped SSH session: leave quietly, progress is saved
                loop.add_signal_handler(signum, self.exit, 0)
        self.push_screen(self._screen, lambda finished: self.exit(0 if finished else 1))


def run_setup(config_path: Path, read_only: bool = False, restart: bool = False) -> int:
    """Open the setup on this terminal; the CLI's exit code."""
    from ...config.store import ConfigFileError

    try:
        app = SetupApp(config_path, read_only=read_only, restart=restart)
    except ConfigFileError as exc:
        import sys

        print(f"wbtui: {exc}", file=sys.stderr)
        return 1
    return int(app.run() or 0)
