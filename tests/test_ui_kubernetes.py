"""The Runtime pane on Kubernetes (kmock's API emulator): deploy, pods, events, context and namespace pickers."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from tests.test_k8s_backend import (
    DB_PASSWORD,
    LICENSE,
    LOG_PATH,
    NS,
    Emulator,
    fixture,
    hold,
    log_lines,
    make_config,
    play_controller,
)

# The k8s backend's fixtures: kmock's API emulator, and a kubeconfig with contexts "emu" and "offline".
from tests.test_k8s_backend import emu as emu
from tests.test_k8s_backend import kubeconfig as kubeconfig
from tests.ui_support import make_app, ready, screen_text, wait_text, wait_until
from wbtui.runtime.kubernetes.backend import KubernetesRuntime
from wbtui.ui.panes.logs import LogsPane
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


async def test_a_pod_container_restart_shows_a_marker_between_the_old_and_the_new_lines(
        tmp_path: Path, emu: Emulator, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Docker's log had a restart line; a pod's container restarting went by unmarked."""
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))

    def factory(config):
        runtime = KubernetesRuntime(config, kubeconfig=str(kubeconfig))
        runtime.reconnect_delays = (0.05, 0.2)
        return runtime

    config = make_config()
    deploying = factory(config)
    deploying.deploy()
    deploying.close()
    play_controller(emu, "deployment_available", "pod_running_ready")
    pod = fixture("pod_running_ready")["metadata"]["name"]
    requests: list[object] = []

    def session(request: object) -> object:
        requests.append(request)
        if len(requests) == 1:  # the container exits (the kubelet ends the stream) and the kubelet restarts it
            emu.kmock.objects["v1/pods", NS, pod].patch({"status": {"containerStatuses": [{
                "name": "wandb", "ready": True, "restartCount": 1,
                "state": {"running": {"startedAt": "2024-05-14T09:21:40Z"}}}]}})
            return tuple(log_lines(("2024-05-14T09:20:30Z", "panic: dirty database version 64")))
        return (*log_lines(("2024-05-14T09:21:40Z", "*** Starting W&B server again")), hold)

    emu.react(LOG_PATH, session)
    app = make_app(tmp_path, config, background=True, runtime_factory=factory)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        pane = app.query_one(LogsPane)
        await wait_text(pilot, "Starting W&B server again", timeout=30)
        texts = pane.view.texts()
        crash, again = texts.index("panic: dirty database version 64"), texts.index("*** Starting W&B server again")
        markers = [i for i, t in enumerate(texts) if t.startswith("── container restarted")]
        assert len(markers) == 1 and crash < markers[0] < again, texts
        assert texts[markers[0]] == "── container restarted 09:21:40 UTC (restart 1) ──"
        await wait_text(pilot, "── container restarted 09:21:40 UTC (restart 1) ──")
