"""The Database pane's worker: one step of the core MysqlWatch in a thread, its result as a message.

The watch (``monitor.mysql_watch``) is the one `wbtui db status` uses; the pane keeps it and hands it to
each step. A step never touches a widget; the figures or the failure (cause and fix) come back as
``DatabaseUpdate``. A watch whose MYSQL changed is closed here, in the thread, not on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

from .messages import Problem
from .workers import posting

if TYPE_CHECKING:
    from ..config.model import Config
    from ..monitor.mysql_status import DbStatus
    from ..monitor.mysql_watch import MysqlWatch

Post = Callable[[Message], object]


class DatabaseUpdate(Message):
    """A step's figures, or why there are none (``problem``)."""

    def __init__(self, status: DbStatus | None, problem: Problem | None, watch: MysqlWatch | None,
                 source: str) -> None:
        super().__init__()
        self.status = status
        self.problem = problem
        self.watch = watch
        """The watch to step next time (a new one when MYSQL changed)."""
        self.source = source
        """The MYSQL text the watch was made from."""


def step_watch(watch: MysqlWatch | None, source: str, config: Config, tables: bool, post: Post) -> None:
    """Step ``watch`` (made from ``config`` first when missing or made from another MYSQL)."""
    from ..checks.model import CheckFailed
    from ..monitor.mysql_watch import watch_from_config

    post = posting(post)
    wanted = config.server.MYSQL.strip()
    if watch is not None and source != wanted:
        watch.close()
        watch = None
    try:
        if watch is None:
            watch = watch_from_config(config, config.app.timeout)
        if tables:
            watch.read_tables_next()
        post(DatabaseUpdate(watch.step(), None, watch, wanted))
    except CheckFailed as exc:
        post(DatabaseUpdate(None, Problem(exc.summary, exc.fix), watch, wanted))
    except Exception as exc:  # anything else is still shown with what to do, never a traceback
        post(DatabaseUpdate(None, Problem(f"the database view failed: {exc}",
                                          "Check MYSQL (wbtui config show) and run wbtui db status for details."),
                            watch, wanted))
