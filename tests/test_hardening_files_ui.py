"""The dashboard's save checks "changed on disk" and writes under the file's lock (issue 18, item 1).

Another shell holds the lock mid-edit while ctrl+s is pressed: the save waits for it, then sees the
other shell's change and asks, instead of writing over it (or being written over) unnoticed.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.ui_support import make_app, ready, wait_text, wait_until
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.ui.panes.config import ConfigPane
from wbtui.ui.widgets.confirm import ConfirmScreen

OLD_HOST, NEW_HOST = "https://old.example.com", "https://new.example.com"

_OTHER_SHELL = textwrap.dedent("""
    import sys
    from pathlib import Path
    from wbtui.config import store

    with store.editing(Path(sys.argv[1])) as edit:  # a read-modify-write, as `wbtui config set` does
        config = edit.loaded.copy()
        print("locked", flush=True)
        sys.stdin.readline()
        config.server.HOST = sys.argv[2]
        edit.config = config
""")


def _save_waits_for_the_lock(lock: Path) -> bool:
    """Whether some process waits for a flock on ``lock`` (a ``->`` line in /proc/locks)."""
    try:
        inode = os.stat(lock).st_ino
    except FileNotFoundError:
        return False
    return any("->" in line and "FLOCK" in line and line.split()[-3].endswith(f":{inode}")
               for line in Path("/proc/locks").read_text().splitlines())


async def test_a_save_pressed_while_another_shell_edits_waits_then_asks(tmp_path: Path) -> None:
    config = Config()
    config.server.HOST = OLD_HOST
    app = make_app(tmp_path, config)
    path = app.session.config_path
    other = subprocess.Popen([sys.executable, "-c", _OTHER_SHELL, str(path), NEW_HOST], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert other.stdout is not None and other.stdin is not None
        assert await asyncio.to_thread(other.stdout.readline) == "locked\n"
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            app.config_file_timer.pause()  # the save itself must notice the change
            await pilot.press("2")
            app.query_one(ConfigPane).edit("runtime.tag", "0.59.2")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: _save_waits_for_the_lock(store.lock_path(path)) or not app.session.dirty,
                             20, "the save to wait for the lock (or to finish)")
            other.stdin.write("\n")
            other.stdin.flush()
            assert await asyncio.to_thread(other.wait, 30) == 0
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen) or not app.session.dirty, 20,
                             "the save's answer")
            assert store.load(path).server.HOST == NEW_HOST  # the other shell's change is in the file ...
            assert isinstance(app.screen, ConfirmScreen), "saved without noticing the other shell's change"
            await wait_text(pilot, "changed on disk since it was loaded", f"-HOST = {NEW_HOST}")
            assert store.load(path).runtime.tag != "0.59.2"  # ... and the draft not written over it
            await pilot.press("n")  # Reload: take the file, keep the edit, then save both
            await wait_until(pilot, lambda: app.session.saved.server.HOST == NEW_HOST, 10, "the reload")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: not app.session.dirty, 10, "the save")
    finally:
        other.kill()
        other.wait(timeout=30)
    saved = store.load(path)
    assert (saved.server.HOST, saved.runtime.tag) == (NEW_HOST, "0.59.2")
