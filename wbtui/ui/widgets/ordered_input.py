"""An Input whose editing keys act in the order they were typed (Textualize/textual#6605).

Textual (8.2.8) inserts a typed character in the Input's own key handler but runs a bound key only
once its event has bubbled up to the app: keys that arrive together (fast typing over a slow SSH link,
typing ahead while the UI is busy) are then applied out of order, so ``abc`` + backspace + ``d``
gives ``bd``, and ``ctrl+u`` then ``secret`` leaves an empty password field. Found driving the guided
setup in a real terminal (tests/test_terminal_tmux.py).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from ..textual_compat import own_bindings


class OrderedInput(Input):
    """Runs its own non-priority bindings in its key handler, in turn with the typed keys.

    The bindings that run are the ones the app would have found first (the focused widget's own), so
    a key does the same as before, only in its place in the sequence.
    """

    async def on_key(self, event: events.Key) -> None:
        """Called before Input's own key handler; a key run here does not reach it (nor bubble on)."""
        if event.is_printable:
            return
        for binding in own_bindings(self, event.key):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
