"""Full-screen text views: diffs and rendered files, each savable to a file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from ..core import Rendered
from ..messages import Notice
from .confirm import PromptScreen
from .dialog import Dialog


def write_text_file(path: Path, text: str) -> Path:
    """Write a file only its owner can read (a rendered file may be revealed one day)."""
    from ...config.store import write_private

    path = path.expanduser()
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory: give a file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path.resolve(), text.encode("utf-8"))
    return path


def diff_content(text: str) -> Content:
    """A unified diff coloured by theme variables (never markup)."""
    parts: list[Content] = []
    for line in text.splitlines():
        if line.startswith(("+++", "---")):
            parts.append(Content.styled(line, "bold"))
        elif line.startswith("+"):
            parts.append(Content.styled(line, "$success"))
        elif line.startswith("-"):
            parts.append(Content.styled(line, "$error"))
        elif line.startswith("@@"):
            parts.append(Content.styled(line, "$text-muted"))
        else:
            parts.append(Content(line))
    return Content("\n").join(parts)


class TextScreen(Dialog[None]):
    """Texts (rendered files, diffs) with a picker when there are several; ``s`` saves the shown one."""

    DEFAULT_CSS = """
    TextScreen .text-box {
        width: 100%;
        height: 100%;
        border: thick $primary;
        background: $surface;
    }

    TextScreen .preview-body {
        height: 1fr;
    }

    TextScreen #preview-list {
        width: 24;
        height: 1fr;
    }

    TextScreen .text-body {
        height: 1fr;
        padding: 0 1;
    }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="text.close"),
        Binding("s", "save", "Save to file", id="text.save"),
        Binding("y", "yank", "Copy", id="text.copy"),
    ]

    def __init__(self, title: str, items: list[Rendered], styler: Callable[[str], Content] = Content) -> None:
        super().__init__()
        self._title = title
        self._items = items
        self._styler = styler
        self._texts: dict[int, str] = {}
        self._index = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="text-box"):
            yield Label(Content(self._title), classes="dialog-title")
            with Horizontal(classes="preview-body"):
                if len(self._items) > 1:
                    yield OptionList(*[Option(Content(item.label), id=str(i)) for i, item in enumerate(self._items)],
                                     id="preview-list")
                with VerticalScroll(classes="text-body"):
                    yield Static(Content(""), id="preview-text", classes="text-content")
            yield Footer()

    def on_mount(self) -> None:
        if len(self._items) > 1:
            self.query_one(OptionList).highlighted = 0
        if self._items:
            self._show(0)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show(event.option_index)

    def _show(self, index: int) -> None:
        self._index = index
        text = self.query_one("#preview-text", Static)
        if index not in self._texts:
            try:
                self._texts[index] = self._items[index].render()
            except Exception as exc:  # a renderer refusing an invalid config explains why
                self._texts[index] = ""
                text.update(Content.styled(f"Cannot render: {getattr(exc, 'message', None) or exc}", "$error"))
                return
        text.update(self._styler(self._texts[index]))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        text = self._texts.get(self._index, "")
        if not text:
            self.notify("Nothing to save.", severity="warning", markup=False)
            return
        name = self._items[self._index].file_name

        def answered(path: str | None) -> None:
            if path:
                self._save(Path(path), text)

        self.app.push_screen(PromptScreen("Save to file", value=name, help="Path of the file to write (mode 0600)."),
                             answered)

    def action_yank(self) -> None:
        """The shown text as shown (a rendered file's secrets stay masked: the preview renders them so)."""
        from ..clipboard import copy, lines_of

        text = self._texts.get(self._index, "")
        if not text:
            self.notify("Nothing to copy.", severity="warning", markup=False)
            return
        copy(self, text, f"{self._items[self._index].label}, {lines_of(text)}")

    @work(thread=True, exclusive=True, group="save-file", exit_on_error=False, description="Save file")
    def _save(self, path: Path, text: str) -> None:
        written = write_text_file(path, text)
        self.post_message(Notice(f"Saved {written}", "Saved"))
