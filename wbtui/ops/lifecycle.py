"""Runtime actions both faces run: what each will do (for the confirmation), then doing it.

``action_steps`` is the "what will happen" list the dashboard's confirmation dialog and
the CLI's prompt both show; ``run_action`` runs one action on a Runtime, telling its
``progress`` callback each step as it happens (the CLI prints them, the dashboard shows
the latest with the time since the start); ``upgrade``
also returns the config with the new tag, which the caller saves (so a later deploy
keeps the upgraded image).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ..config.model import Config

if TYPE_CHECKING:
    from pathlib import Path

    from ..runtime.base import ProgressCallback, Runtime

Action = Literal["deploy", "start", "stop", "restart", "upgrade", "remove"]

ACTION_TITLES = {"deploy": "Deploy", "start": "Start", "stop": "Stop", "restart": "Restart",
                 "upgrade": "Upgrade", "remove": "Remove", "rollback": "Roll back"}
"""Every runtime action the dashboard runs; "rollback" is ops.upgrade's (its steps come from there)."""


def action_steps(config: Config, action: str, tag: str = "", *, purge: bool = False) -> list[str]:
    """Exactly what an action will do to the running server, for the confirmation.

    ``purge`` (remove only): the data volume or claim is deleted too.
    """
    r, k = config.runtime, config.kubernetes
    if config.runtime.backend == "kubernetes":
        where = f"Deployment {k.name} in namespace {k.namespace} (context {k.context or 'current'})"
        return {
            "deploy": [f"apply the Secret, Deployment, Service and Ingress for {where}",
                       f"image {r.image_ref}, {k.replicas} replica(s); pods are replaced one by one",
                       "preview them with ctrl+t in the Config pane"],
            "start": [f"scale {where} to {k.replicas} replica(s)"],
            "stop": [f"scale {where} to 0 replicas: the server is down until started"],
            "restart": [f"rollout restart of {where}: new pods replace the old ones",
                        "the server may be unavailable until /ready passes (migrations may run)"],
            "upgrade": [f"change the image of {where} to {r.image}:{tag}", "pods are replaced by a rolling update",
                        "the new version runs its database migrations on start"],
            "remove": [f"delete the Deployment, Service, Ingress and Secret of {k.name} in {k.namespace}",
                       f"the PersistentVolumeClaim {k.volume_claim} (data) is DELETED: this cannot be undone"
                       if purge and k.volume_claim else "the PersistentVolumeClaim (data) is kept"],
        }[action]
    where = f"container {r.container_name}"
    return {
        "deploy": [f"create {where} from {r.image_ref} (an existing one is replaced; its volume is kept)",
                   f"publish {(r.bind_address + ':') if r.bind_address else ''}{r.port} -> 8080, "
                   f"volume {r.volume} at /vol, restart policy {r.restart_policy}",
                   f"cpus {r.cpu_limit}, memory {r.memory_limit}; environment from the saved config",
                   "preview the docker run command with ctrl+t in the Config pane"],
        "start": [f"start {where}"],
        "stop": [f"stop {where} (SIGTERM, then SIGKILL after 30s): the server is down until started"],
        "restart": [f"restart {where}", "the server is unavailable until /ready passes again"],
        "upgrade": [f"pull {r.image}:{tag} if it is not present", f"replace {where} with {r.image}:{tag}, "
                    f"keeping volume {r.volume}", "the new version runs its database migrations on start"],
        "remove": [f"remove {where}", f"the volume {r.volume} (data) is DELETED: this cannot be undone"
                   if purge else f"the volume {r.volume} (data) is kept"],
    }[action]


def run_action(runtime: Runtime, action: str, tag: str = "", *, purge: bool = False,
               stop_timeout: float = 30, progress: ProgressCallback | None = None) -> str:
    """Run one action; what the backend says it did. ``progress`` hears each step while it runs."""
    before, runtime.progress = runtime.progress, progress or runtime.progress
    try:
        return _run(runtime, action, tag, purge, stop_timeout)
    finally:
        runtime.progress = before


def _run(runtime: Runtime, action: str, tag: str, purge: bool, stop_timeout: float) -> str:
    if action == "deploy":
        return runtime.deploy()
    if action == "start":
        return runtime.start()
    if action == "stop":
        return runtime.stop(timeout=stop_timeout)
    if action == "restart":
        return runtime.restart()
    if action == "remove":
        return runtime.remove(purge=purge)
    if action == "upgrade":
        return runtime.upgrade(tag)
    raise ValueError(f"unknown runtime action {action!r}")


def save_tag(path: Path, tag: str) -> None:
    """After an upgrade: ``runtime.tag`` in the file as it is now (under its lock), so the next deploy keeps
    the new image and nothing another shell wrote meanwhile is reverted."""
    from ..config import store

    with store.editing(path) as edit:
        config = edit.loaded.copy()
        config.runtime.tag = tag
        edit.config = config
