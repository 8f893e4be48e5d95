"""What a setup worker's function may do from its thread: post UI updates, notice cancellation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker


class JobCancelled(Exception):
    """The screen went away (or the app quits) while a job was running: stop at the next chance."""


class FieldProblem(Exception):
    """A job could not use the form (a field does not parse): the field's error and what to check, shown
    as the job's failure with its fix."""

    def __init__(self, error: Exception, fix: str) -> None:
        super().__init__(str(error))
        self.message = str(error)
        self.fix = fix


class JobUpdate(Message):
    """From a job's thread: run ``fn(*args)`` on the UI thread (a result row, a log line, the job's end)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        super().__init__()
        self.fn = fn
        self.args = args


class Job:
    """Handed to a job's function, which runs in a thread worker; its updates reach ``screen`` as messages."""

    def __init__(self, screen: MessagePump, worker: Worker[Any]) -> None:
        self._screen = screen
        self._worker = worker

    @property
    def cancelled(self) -> bool:
        return self._worker.is_cancelled

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """Have ``fn(*args)`` run on the UI thread, in order with the job's other updates; dropped once cancelled."""
        if not self.cancelled:
            self._screen.post_message(JobUpdate(fn, args))

    def stop_if_cancelled(self) -> None:
        if self.cancelled:
            raise JobCancelled
