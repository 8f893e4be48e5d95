"""The guided setup inside the dashboard: the setup screen, with a way back to the panes.

The setup flow saves the config and its progress after every step, so leaving
half way loses nothing; the dashboard reloads the file when the screen closes.
"""

from __future__ import annotations

from textual.binding import Binding

from .setup.screen import SetupScreen


class GuidedSetupScreen(SetupScreen):
    """``escape`` returns to the dashboard (``wbtui setup`` runs the same screen full-screen on its own)."""

    BINDINGS = [*SetupScreen.BINDINGS, Binding("escape", "leave", "Dashboard", id="setup.leave")]
