"""One job at a time stops the server: a Backups restore or /vol archive waits for a running deploy, restart or
upgrade, and a runtime action waits for them. Before, the Backups pane started a restore while a restart ran."""

from __future__ import annotations

from pathlib import Path

from tests.ui_support import make_app, noticed, ready, wait_until
from wbtui.config.model import Config
from wbtui.ui.messages import RunRuntimeAction, RuntimeActionUpdate
from wbtui.ui.widgets.confirm import ConfirmScreen

SIZE = (80, 24)


async def test_restore_and_the_volume_archive_wait_for_a_running_restart(tmp_path: Path) -> None:
    app = make_app(tmp_path, Config())  # MYSQL empty on Docker: b archives /vol, stopping the server
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("7")
        await wait_until(pilot, lambda: app.active_pane == "backups", 10, "the Backups pane")
        app.runtime_action = RuntimeActionUpdate("restart")
        for key in ("r", "b"):
            app._notifications.clear()
            await pilot.press(key)
            await wait_until(pilot, lambda: noticed(app, "Restart (Runtime, 4) is still running"), 5,
                             f"{key} refused while the restart runs")
            assert not isinstance(app.screen, ConfirmScreen) and app.server_job == ""


async def test_a_runtime_action_waits_for_a_restore(tmp_path: Path) -> None:
    app = make_app(tmp_path, Config())
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.server_job = "Restore"
        app.post_message(RunRuntimeAction("restart"))
        await wait_until(pilot, lambda: noticed(app, "Restore (Backups, 7) is still running"), 5, "the refusal")
        assert not isinstance(app.screen, ConfirmScreen) and app.runtime_action is None
        app.server_job = ""
        app.post_message(RunRuntimeAction("restart"))
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the restart's confirmation")
