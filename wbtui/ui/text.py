"""Styled text without markup: untrusted strings (log lines, error messages) are never parsed.

Styles are theme variables (``$error``), so every theme, including the 16-colour
``ansi-dark``, colours them its own way.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import App
from textual.color import Color, ColorParseError
from textual.content import Content

from ..checks.model import CheckResult, Status
from ..present.status import Line, state_tone

STATUS_VARIABLE = {
    "pass": "$success", "warn": "$warning", "fail": "$error", "skipped": "$text-muted",
    "ok": "$success", "error": "$error", "warning": "$warning", "info": "$text-muted",
}

# A line's tone (see present/status) as a theme variable.
TONE_VARIABLE = {"plain": "", "good": "$success", "warn": "$warning", "bad": "$error", "muted": "$text-muted"}

Part = str | tuple[str, str]


def state_style(state: str) -> str:
    """Theme variable for a container/Deployment state: running is good, anything unknown is bad."""
    return TONE_VARIABLE[state_tone(state)]


def tone_line(line: Line) -> Content:
    """A present/status line in the theme's colours (bold when the line is strong)."""
    style = " ".join(x for x in (TONE_VARIABLE[line.tone], "bold" if line.strong else "") if x)
    return styled((line.text, style)) if style else Content(line.text)


def styled(*parts: Part) -> Content:
    """Content from plain strings and ``(text, "$variable bold")`` pairs."""
    return Content.assemble(*parts)


def lines(*rows: Content | str) -> Content:
    """Join rows into one multi-line Content, leaving out empty rows."""
    return Content("\n").join(row if isinstance(row, Content) else Content(row) for row in rows if row)


def cell(app: App, text: str, variable: str = "") -> Text:
    """A DataTable cell: plain Text (never markup), coloured by a theme variable."""
    if not variable:
        return Text(text)
    try:
        colour = Color.parse(app.theme_variables.get(variable.lstrip("$"), "")).rich_color
    except ColorParseError:  # contrast values such as "auto 60%" (muted text): dim instead
        return Text(text, style="dim")
    return Text(text, style=Style(color=colour))


def status_cell(app: App, status: str, label: str | None = None) -> Text:
    return cell(app, label if label is not None else status, STATUS_VARIABLE.get(status, ""))


_BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float]) -> str:
    """Latencies as one line of bar characters, scaled from the lowest to the highest."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return "".join(_BARS[min(7, int((v - low) / span * 7.999))] for v in values)


def fix_line(result: CheckResult, fix: str) -> Content | str:
    """A result's fix under its details: "Fix:" where it failed or warns, "Tip:" for advice on a pass."""
    if not fix:
        return ""
    label = "Fix: " if result.status in (Status.FAIL, Status.WARN) else "Tip: "
    return styled((label, "$accent bold"), fix)
