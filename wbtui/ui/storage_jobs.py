"""The Storage pane's measuring job, run in a thread worker that posts one message.

It calls the same ``monitor.storage.collect`` as `wbtui storage` (the bucket listing, the Docker daemon
and MySQL asked in parallel, bounded by their timeouts) and never touches a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from .messages import Problem
from .workers import posting

if TYPE_CHECKING:
    from ..config.model import Config
    from ..monitor.storage import StorageReport

Post = Callable[[Message], object]


class StorageMeasured(Message):
    """The figures, or ``problem``: why there are none."""

    def __init__(self, report: StorageReport | None, problem: Problem | None = None) -> None:
        super().__init__()
        self.report = report
        self.problem = problem


def measure_storage(config: Config, post: Post) -> None:
    """What `wbtui storage` measures, with its default limits (one sample added to the samples file)."""
    from ..monitor.storage import collect

    post = posting(post)
    try:
        report = collect(config)
    except Exception as exc:  # a failure collect does not classify: said, not raised
        post(StorageMeasured(None, Problem(f"cannot measure the storage: {exc}", "run wbtui storage to see more")))
        return
    post(StorageMeasured(report))
