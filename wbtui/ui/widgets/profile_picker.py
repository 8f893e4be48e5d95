"""The profile picker: every config file of a named profile (staging, prod), its HOST and backend, the one the
dashboard is on marked; Enter on another switches the dashboard to it (the app asks first about unsaved edits).

The files are read in a thread worker: a profile on a slow home directory never holds a frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from .dialog import Dialog

CREATE_HINT = "A profile is a config file: `wbtui --profile NAME setup` (or `config set`) creates one."


@dataclass(frozen=True)
class ProfileRow:
    name: str
    path: Path
    host: str
    backend: str
    problem: str = ""
    """Why the file could not be read (its HOST and backend are unknown then)."""


def read_profiles() -> list[ProfileRow]:
    """Every profile with what its file says (blocking: run it in a thread)."""
    from ...config import store
    from ...config.profiles import list_profiles

    rows = []
    for profile in list_profiles():
        try:
            config, _ = store.read(profile.path)
        except store.ConfigFileError as exc:
            rows.append(ProfileRow(profile.name, profile.path, "", "", str(exc)))
            continue
        rows.append(ProfileRow(profile.name, profile.path, config.server.HOST, config.runtime.backend))
    return rows


def row_text(row: ProfileRow, current: bool, width: int) -> Text:
    text = Text("● " if current else "  ", style="bold" if current else "")
    text.append(row.name.ljust(width), style="bold")
    if row.problem:
        text.append(f"  unreadable: {row.problem}", style="red")
    else:
        text.append(f"  {row.host or '(no HOST)'}  ·  {row.backend}")
    if current:
        text.append("  (current)")
    return text


class ProfilePicker(Dialog[Path | None]):
    """Dismisses with the chosen profile's config file, or None (Escape, or the current one chosen)."""

    DEFAULT_CSS = """
    ProfilePicker #profiles {
        height: auto;
        max-height: 16;
    }

    ProfilePicker .dialog-help {
        color: $text-muted;
        padding: 1 0 0 0;
    }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="profiles.cancel")]

    class Read(Message):
        def __init__(self, rows: list[ProfileRow]) -> None:
            super().__init__()
            self.rows = rows

    def __init__(self, current: Path) -> None:
        super().__init__()
        self.current = current.expanduser().absolute()
        self.rows: list[ProfileRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(Text("Switch profile (Enter switches, Escape cancels)"), classes="dialog-title")
            yield OptionList(Option(Text("Reading the profiles…"), disabled=True), id="profiles")
            yield Static(Text(CREATE_HINT), classes="dialog-help")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.run_worker(self._read, thread=True, exclusive=True, group="profiles", exit_on_error=False,
                        name="Read profiles", description="Read profiles")

    def _read(self) -> None:
        self.post_message(self.Read(read_profiles()))

    def on_profile_picker_read(self, message: Read) -> None:
        self.rows = message.rows
        options = self.query_one(OptionList)
        options.clear_options()
        if not self.rows:
            options.add_option(Option(Text(f"No profiles yet; the dashboard is on {self.current}"), disabled=True))
            return
        width = max(len(row.name) for row in self.rows)
        options.add_options([Option(row_text(row, self._is_current(row), width), id=row.name,
                                    disabled=bool(row.problem)) for row in self.rows])
        current = next((i for i, row in enumerate(self.rows) if self._is_current(row)), 0)
        options.highlighted = current

    def _is_current(self, row: ProfileRow) -> bool:
        return row.path.expanduser().absolute() == self.current

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        row = next((r for r in self.rows if r.name == event.option.id), None)
        self.dismiss(None if row is None or self._is_current(row) else row.path)

    def action_cancel(self) -> None:
        self.dismiss(None)
