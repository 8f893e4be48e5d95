"""Copy to the terminal's clipboard (OSC 52, which also crosses SSH): what is on screen, masked.

``y`` copies in every view that shows something worth pasting elsewhere: the log line at the cursor or the
selected lines, a fix's command, a finding, a rendered file. The text goes through the session's redactor
whatever the caller passes, so a secret never reaches the clipboard unmasked, even when the Config pane
reveals it on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.widget import Widget

MAX_BYTES = 1_000_000
"""Terminals drop a longer OSC 52 sequence silently (xterm, tmux and kitty limit it): refused with a way out."""
VIA = "terminal clipboard, OSC 52: the terminal must allow it"


def lines_of(text: str) -> str:
    """``1 line`` / ``3 lines``: how much was copied."""
    count = len(text.splitlines()) or 1
    return f"{count:,} line{'s' if count != 1 else ''}"


def finding_text(title: str, message: str = "", fix: str = "") -> str:
    """A finding as it reads when pasted into a ticket or a chat: title, what was seen, the fix."""
    return "\n".join(part for part in (title, message, f"Fix: {fix}" if fix else "") if part)


def copy(node: Widget, text: str, what: str) -> bool:
    """Copy ``text`` (masked) and say ``Copied WHAT`` and how; False (and why) when there is nothing to copy
    or it is too long for a terminal to take."""
    app = node.app
    masked = app.session.redactor()(text)  # type: ignore[attr-defined]
    size = len(masked.encode("utf-8"))
    if not masked.strip():
        node.notify("Nothing to copy here.", markup=False)
        return False
    if size * 4 // 3 > MAX_BYTES:
        node.notify(f"Not copied: {what} is {size:,} bytes, more than a terminal's clipboard takes. "
                    "Save it to a file instead (ctrl+s in the Logs pane, s in a text view).",
                    severity="warning", markup=False)
        return False
    app.copy_to_clipboard(masked)
    node.notify(f"Copied {what} ({VIA})", title="Copied", markup=False)
    return True


def copy_finding(node: Widget, finding: tuple[str, str, str] | None, whole: bool, none: str) -> bool:
    """``y``: the fix of ``finding`` (title, message, fix); ``Y`` (``whole``): the finding with its fix. ``none``
    says why there is nothing to copy."""
    if finding is None or not (finding[2] or whole):
        node.notify(none, markup=False)
        return False
    if whole:
        return copy(node, finding_text(*finding), f"the finding ({finding[0]})")
    return copy(node, finding[2], "the fix")
