"""The Runtime pane at 80x24 with fixed data: newest events first, no Kubernetes-only header or keys on Docker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.ui_support import make_app, noticed, ready, screen_text, wait_until
from wbtui.config.model import Config
from wbtui.runtime.base import RuntimeEvent, ServerStatus
from wbtui.ui.app import WbtuiApp
from wbtui.ui.messages import StatusUpdate

T0 = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)


def many_events() -> list[RuntimeEvent]:
    """Thirty container events, oldest first as the backends read them; the last one is the crash."""
    events = [RuntimeEvent(T0 + timedelta(minutes=i), "Normal", "start", f"container started #{i:02d}",
                           "container/wandb-local") for i in range(29)]
    events.append(RuntimeEvent(T0 + timedelta(minutes=29), "Warning", "die", "exit code 1 (latest-crash)",
                               "container/wandb-local"))
    return events


def running(backend: str) -> ServerStatus:
    return ServerStatus(backend, "wandb-local", True, "running", "healthy", True, 1, T0, 60.0,
                        "wandb/local:0.59.2", [])


async def show_runtime(app: WbtuiApp, pilot: object, backend: str) -> str:
    app.server = StatusUpdate(running(backend), None, None, many_events())
    await pilot.press("4")  # type: ignore[attr-defined]
    await wait_until(pilot, lambda: "latest-crash" in screen_text(app), 10, "the events on screen")
    return screen_text(app)


async def test_docker_events_newest_first_without_kubernetes_columns_or_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        text = await show_runtime(app, pilot, "docker")
        rows = [line for line in text.splitlines() if "container started" in line or "latest-crash" in line]
        assert "latest-crash" in rows[0] and "#28" in rows[1], text
        header = next(line for line in text.splitlines() if "TIME" in line and "MESSAGE" in line)
        assert "TYPE" not in header and "OBJECT" not in header, header
        footer = text.splitlines()[-1]
        assert "Context" not in footer and "Namespace" not in footer, footer
        assert "Deploy" in footer
        await pilot.press("c")  # hidden on Docker: no context picker opens
        await pilot.pause()
        assert app.screen is app.screen_stack[0]


async def test_kubernetes_keeps_its_event_columns_and_context_key(tmp_path: Path) -> None:
    config = Config()
    config.runtime.backend = "kubernetes"
    app = make_app(tmp_path, config)
    async with app.run_test(size=(120, 30)) as pilot:
        await ready(pilot)
        text = await show_runtime(app, pilot, "kubernetes")
        header = next(line for line in text.splitlines() if "TIME" in line and "MESSAGE" in line)
        assert "TYPE" in header and "OBJECT" in header, header
        assert "c Context" in text.splitlines()[-1]


async def test_the_palette_context_command_on_docker_says_why_it_does_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Runtime: Context")
        await wait_until(pilot, lambda: "Runtime: Context" in screen_text(app), 5, "the palette to list it")
        await pilot.press("enter")
        await wait_until(pilot, lambda: noticed(app, "The runtime is Docker: contexts apply to Kubernetes only"), 5,
                         "the reason")
        assert app.active_pane == "runtime"
