"""What every pane shares: read-only gating, confirmations and explained errors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.containers import Vertical

from ..widgets.filter_bar import FilterBar

if TYPE_CHECKING:
    from ..app import WbtuiApp


class Pane(Vertical, can_focus=True):
    """A dashboard pane. Actions named in ``MUTATING`` are disabled (and shown so) when read-only."""

    DEFAULT_CSS = """
    Pane {
        height: 1fr;
    }

    Pane:focus {
        background-tint: $foreground 0%;
    }

    Pane .pane-status {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-muted;
    }

    Pane .box {
        border: round $primary-darken-1;
        border-title-color: $foreground;
        height: auto;
        padding: 0 1;
    }

    Pane .box:focus-within {
        border: round $accent;
    }

    Pane DataTable {
        height: 1fr;
        min-height: 3;
    }
    """

    PANE_ID: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    MUTATING: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        super().__init__(id=f"pane-{self.PANE_ID}")

    @property
    def wbtui(self) -> WbtuiApp:
        return self.app  # type: ignore[return-value]

    @property
    def read_only(self) -> bool:
        return self.wbtui.session.read_only

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """None greys the key out in the footer: the action exists but read-only mode forbids it."""
        if action in self.MUTATING and self.read_only:
            return None
        return True

    def on_key(self, event: events.Key) -> None:
        """A key whose action is disabled or hidden now says why: Textual drops such a key silently.

        Not when another binding takes the key (a field's own key, or the app's): then it is no refusal.
        """
        from ..keymap import keys_of

        keys, keymap = {event.key, *event.aliases}, self.wbtui.key_remap.keymap
        binding = next((b for b in self.BINDINGS if isinstance(b, Binding) and set(keys_of(b, keymap)) & keys), None)
        if binding is None:
            return
        name = binding.action.split("(")[0]
        allowed = self.check_action(name, ())
        if allowed:
            return
        taken = self.screen.active_bindings.get(event.key)
        if taken is not None and taken.enabled:
            return
        event.stop()
        self.refuse(name, binding.description)

    def refuse(self, action: str, description: str) -> None:
        """Say why ``action`` does nothing now: read-only mode, or the pane's reason it is hidden."""
        if self.check_action(action, ()) is None and action in self.MUTATING:
            self.refuse_read_only(description.lower() or action)
        else:
            self.notify(self.unavailable_reason(action), markup=False)

    async def run_or_refuse(self, action: str) -> None:
        """Run ``action`` as its key would (the palette); a disabled one says why instead of doing nothing."""
        name = action.split("(")[0]
        if self.check_action(name, ()):
            await self.run_action(action)
        else:
            self.refuse(name, next((b.description for b in self.BINDINGS
                                    if isinstance(b, Binding) and b.action == action), name))

    def unavailable_reason(self, action: str) -> str:
        """Why ``check_action`` hides ``action`` now (panes that hide actions say more)."""
        return f"{self.TITLE}: that action is not available here now."

    def refuse_read_only(self, what: str) -> bool:
        """True (and a notification saying why and how to change it) when read-only forbids ``what``."""
        if not self.read_only:
            return False
        self.notify(f"Read-only mode: {what} is disabled.\nStart wbtui without --read-only and set "
                    "app.read_only = false to allow changes.", title="Read-only", severity="warning", markup=False)
        return True

    def confirm(self, title: str, steps: list[str], then: Callable[[], object], *,
                confirm_label: str = "Do it", danger: bool = False) -> None:
        """Show exactly what will happen; run ``then`` only on yes."""
        from ..widgets.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmScreen(title, steps, confirm_label=confirm_label, danger=danger), answered)

    def prompt(self, title: str, then: Callable[[str], object], *, value: str = "", placeholder: str = "",
               help: str = "", password: bool = False) -> None:
        from ..widgets.confirm import PromptScreen

        def answered(text: str | None) -> None:
            if text:
                then(text)

        self.app.push_screen(PromptScreen(title, value=value, placeholder=placeholder, help=help,
                                          password=password), answered)

    @classmethod
    def extra_bindings(cls) -> list[tuple[str, Sequence[BindingType]]]:
        """Keys of widgets inside the pane, for the help screen."""
        return []

    def focus_default(self) -> None:
        """Put keyboard focus where the pane's keys work (called when the pane is shown)."""
        self.focus()

    def request_checks(self, stores: tuple[str, ...]) -> None:
        """Ask the app to check ``stores`` against the draft (what the Config pane shows)."""
        from ..messages import RunChecks

        session = self.wbtui.session
        what = "the draft (unsaved)" if session.dirty else "the saved configuration"
        self.post_message(RunChecks(stores, session.draft.copy(), what))


class FilteredPane(Pane):
    """A pane whose tables show only the rows matching its filter bar (``/`` opens it)."""

    def __init__(self) -> None:
        super().__init__()
        self.row_filter = ""

    def action_filter(self) -> None:
        self.query_one(FilterBar).open()

    def on_filter_bar_applied(self, event: FilterBar.Applied) -> None:
        event.stop()
        self.row_filter = event.text
        self.refill()
        if event.done:
            self.focus_default()

    def refill(self) -> None:
        """Fill the tables again from what the pane holds, through ``row_filter``."""
        raise NotImplementedError
