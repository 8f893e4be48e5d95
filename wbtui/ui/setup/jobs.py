"""What a setup worker's function may do from its thread: post UI updates, notice cancellation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.worker import Worker


class JobCancelled(Exception):
    """The screen went away (or the app quits) while a job was running: stop at the next chance."""


class Job:
    """Handed to a job's function, which runs in a thread worker."""

    def __init__(self, app: App[Any], worker: Worker[Any]) -> None:
        self._app = app
        self._worker = worker

    @property
    def cancelled(self) -> bool:
        return self._worker.is_cancelled

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the UI thread and wait for it; dropped once the job is cancelled."""
        if not self.cancelled:
            self._app.call_from_thread(fn, *args)

    def stop_if_cancelled(self) -> None:
        if self.cancelled:
            raise JobCancelled
