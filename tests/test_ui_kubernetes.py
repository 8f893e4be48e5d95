"""The Runtime pane on Kubernetes (kmock's API emulator): deploy, pods, events, context and namespace pickers."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.test_k8s_backend import DB_PASSWORD, LICENSE, Emulator, fixture, make_config, play_controller

# The k8s backend's fixtures: kmock's API emulator, and a kubeconfig with contexts "emu" and "offline".
from tests.test_k8s_backend import emu as emu
from tests.test_k8s_backend import kubeconfig as kubeconfig
from tests.ui_support import make_app, ready, screen_text, wait_text, wait_until
from wbtui.runtime.kubernetes.backend import KubernetesRuntime
from wbtui.ui.panes.runtime import RuntimePane
from wbtui.ui.widgets.confirm import ChoiceScreen, ConfirmScreen, PromptScreen

pytestmark = pytest.mark.timeout(120)


async def test_deploy_pods_events_and_target_pickers(tmp_path: Path, emu: Emulator, kubeconfig: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))

    def factory(config):
        runtime = KubernetesRuntime(config, kubeconfig=str(kubeconfig))
        runtime.reconnect_delays = (0.05, 0.2)
        return runtime

    app = make_app(tmp_path, make_config(), runtime_factory=factory)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        pane = app.query_one(RuntimePane)
        await pilot.press("4", "g")
        await wait_text(pilot, "not deployed", "context emu", "namespace wandb")

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "the deploy confirmation")
        await wait_text(pilot, "Deployment wandb in namespace wandb")
        await pilot.press("y")
        await wait_text(pilot, "✔ Deploy", timeout=30)
        assert emu.get("apps/v1/deployments", "wandb") is not None

        play_controller(emu, "deployment_unavailable", "pod_crashloop")
        for event in fixture("events")["items"]:
            emu.put("v1/events", event)
        await pilot.press("g")
        await wait_until(pilot, lambda: pane.status is not None and pane.status.pods, 20, "the pods")
        await wait_text(pilot, "wandb-7d4f8b6c9d-x2kqp", "CrashLoopBackOff", "BackOff")
        assert pane.query_one("#rt-pods", DataTable).row_count == 1
        text = screen_text(app)
        assert LICENSE not in text and DB_PASSWORD not in text

        await pilot.press("slash", *"Scheduled")  # the filter applies to pods and events
        await wait_until(pilot, lambda: pane.query_one("#rt-events", DataTable).row_count == 1, 5, "one event")
        await pilot.press("escape")

        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), 10, "the context picker")
        await wait_text(pilot, "emu  (current)", "offline")
        await pilot.press("down", "enter")
        await wait_text(pilot, "context offline", "(picked here, not saved)")
        await pilot.press("g")
        await wait_text(pilot, "✘", "fix:", timeout=30)  # that cluster does not answer: said so, with the fix
        assert app.session.saved.kubernetes.context == "emu"  # a pick is not a config change

        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen), 5, "the namespace prompt")
        await pilot.press("ctrl+u", *"team-b", "enter")
        await wait_text(pilot, "namespace team-b")
