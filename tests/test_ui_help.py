"""The `?` help screen: every WHERE, KEY and ACTION readable in full at every size."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.ui_support import make_app, ready, screen_text, wait_until
from wbtui.ui.widgets.help import HelpScreen


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_help_shows_whole_texts_at_every_size(tmp_path: Path, size: tuple[int, int]) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "the help screen")
        table = app.screen.query_one(DataTable)
        await wait_until(pilot, lambda: table.row_count > 0, 5, "the key table to fill")
        await pilot.pause()
        text = screen_text(app)
        assert re.search(r"Global\s+ctrl\+p\s+command palette", text), text
        assert re.search(r"Global\s+S\s+Guided setup", text), text
        # The longest KEY and ACTION of all: scroll to it, every word of both shows.
        rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
        longest = max(range(len(rows)), key=lambda i: len(rows[i][1]) + len(rows[i][2]))
        where, key, action = rows[longest]
        await pilot.press(*["down"] * longest)
        await wait_until(pilot, lambda: table.cursor_row == longest, 5, "the cursor on the longest row")
        await pilot.pause()
        text = screen_text(app)
        assert re.search(re.escape(where) + r"\s+" + re.escape(key), text), (where, key, text)
        for word in action.split():
            assert word in text, (word, text)
