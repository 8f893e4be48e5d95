"""The Logs pane's diagnose key (d): the shown lines through `wbtui diagnose`'s path, the findings on screen.

The log lines are real, copied from https://github.com/wandb/wandb/issues/2941 (as in tests/diagnosis_corpus);
the URL line is [shape], written to carry a password.
"""

from __future__ import annotations

from pathlib import Path

from tests.ui_support import make_app, noticed, ready, screen_text, wait_text, wait_until
from wbtui.ui.panes.logs import LogsPane
from wbtui.ui.widgets.text_screen import TextScreen

TS = "2021-11-19T12:22:39.000"
WANDB2941 = [
    "*** Running /etc/my_init.d/02_load-settings.sh...",
    "mkdir: cannot create directory ‘/vol/env’: Permission denied",
    "find: ‘/vol/env’: No such file or directory",
    "*** Loading settings...",
    "2021/11/19 12:22:39 Error adding user: open /vol/env/users.htpasswd: no such file or directory",
    "panic: Can't create default user",
]
PASSWORD = "Pane-diagnose-Canary-4z"
URL_LINE = f"dial mysql://wandb:{PASSWORD}@db.internal:3306/wandb_local: connection refused"  # [shape]


async def open_logs(pilot) -> LogsPane:
    await ready(pilot)
    await pilot.press("5")
    await pilot.pause()
    return pilot.app.query_one(LogsPane)


async def test_d_shows_the_findings_of_the_shown_lines(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest([(TS, line) for line in [URL_LINE, *WANDB2941]])
        await wait_text(pilot, "7 shown / 7 held")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, TextScreen), 10, "the diagnosis")
        text = await wait_text(pilot, "No permission to write the data volume", "follows from it")
        assert "Diagnosis of the 7 shown lines" in text
        assert PASSWORD not in text
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, TextScreen), 5, "the dialog closed")
        assert pane.view.stats().shown == 7  # the log is as it was


async def test_d_diagnoses_only_the_lines_the_filter_shows(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_logs(pilot)
        pane.ingest([(TS, line) for line in WANDB2941])
        await pilot.press("slash", *"Loading", "enter")
        await wait_text(pilot, "1 shown / 6 held")
        await pilot.press("d")
        await wait_text(pilot, "nothing known found", "No known failure in these lines")
        assert "No permission" not in screen_text(app)


async def test_d_with_no_lines_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await open_logs(pilot)
        await pilot.press("d")
        await wait_until(pilot, lambda: noticed(app, "Nothing to diagnose"), 5, "the explanation")
        assert not isinstance(app.screen, TextScreen)
