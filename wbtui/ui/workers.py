"""The dashboard's shared workers: each runs in a thread worker and posts its results as messages.

The app starts them (``App.run_worker(..., thread=True)``) when a pane posts a request
or a timer fires; they never touch a widget, and stop posting once cancelled. The
store (``wbtui.ui.state``) keeps what they post.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.worker import get_current_worker

from .messages import (
    ChecksUpdate,
    ConfigFileRead,
    ProbeUpdate,
    Problem,
    RollbackPlanned,
    RuntimeActionUpdate,
    StatusUpdate,
    WatchUpdate,
)

if TYPE_CHECKING:
    from pathlib import Path

    from ..checks.model import CheckResult
    from ..config.model import Config
    from ..ops.upgrade import RollbackPlan, Watcher
    from ..runtime.base import Progress, ResourceUsage, Runtime, RuntimeEvent, ServerStatus
    from .core import Core

Post = Callable[[Message], object]
PROBE_HISTORY = 100


def call_limit(config: Config) -> float:
    """How long one runtime call may take before the dashboard says it hangs."""
    return max(10.0, 2 * config.app.timeout)


def posting(post: Post) -> Post:
    """``post``, silenced once the current worker is cancelled (a newer run replaced it, or the app quits)."""
    worker = get_current_worker()

    def post_unless_cancelled(message: Message) -> object:
        return None if worker.is_cancelled else post(message)

    return post_unless_cancelled


def poll_status(core: Core, post: Post) -> None:
    from ..health.bounded import call_bounded

    post = posting(post)
    limit = call_limit(core.session.saved)
    status: ServerStatus | None = None
    usage: ResourceUsage | None = None
    events: list[RuntimeEvent] = []
    problem: Problem | None = None
    try:
        runtime = call_bounded(core.runtime, limit, "runtime")
        status = call_bounded(runtime.status, limit, "status")
        if status.exists and status.state == "running":
            usage = call_bounded(runtime.usage, limit, "usage")
        events = call_bounded(lambda: runtime.events(limit=30), limit, "events")
    except Exception as exc:
        problem = Problem.from_exception(exc)
    post(StatusUpdate(status, usage, problem, events))


def run_checks(core: Core, config: Config, stores: tuple[str, ...], kept: Sequence[CheckResult], run: int,
               what: str, post: Post, quick: bool = False) -> None:
    """Check ``stores``; every result as it comes, after the kept results of the other stores, and at the end
    all of them by store, each store's in check order (the order they complete in changes from run to run)."""
    from ..checks.runner import STORES

    post = posting(post)
    started = time.monotonic()
    mine: list[CheckResult] = []

    def update(running: bool, **extra: Any) -> None:
        post(ChecksUpdate([*kept, *mine], running, stores=stores, run=run, what=what, quick=quick, **extra))

    def on_result(result: CheckResult) -> None:
        mine.append(result)
        update(True)

    try:
        ordered = core.run_checks(config, stores, on_result, quick=quick)
    except Exception as exc:
        update(False, problem=Problem.from_exception(exc))
        return
    rank = {store: i for i, store in enumerate(STORES)}
    everything = sorted([*kept, *ordered], key=lambda r: rank.get(r.store, len(rank)))  # stable: check order stays
    post(ChecksUpdate(everything, False, stores=stores, run=run, what=what, quick=quick,
                      took=time.monotonic() - started))


class Probing:
    """The prober for the current target, made on first use in a worker; one sample at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._prober: Any = None
        self._retired: list[Any] = []

    def forget(self) -> None:
        """The target changed: the next sample chooses it again (and starts a new history).

        Without the lock: the UI thread never waits for a sample under way (its one result is the last
        from the old target); the next sample closes the old prober's connections.
        """
        if self._prober is not None:
            self._retired.append(self._prober)
        self._prober = None

    def sample(self, core: Core, post: Post) -> None:
        from ..health.bounded import call_bounded
        from ..health.history import ENDPOINTS
        from ..health.probe import NoTarget, Prober

        post = posting(post)
        with self._lock:
            while self._retired:
                self._retired.pop().close()
            if self._prober is None:
                config = core.target_config()
                try:
                    runtime: Runtime | None = call_bounded(core.runtime, call_limit(config), "runtime")
                except Exception:  # no daemon/cluster: HOST can still be probed
                    runtime = None
                self._prober = Prober(config, runtime, history_size=PROBE_HISTORY)
            prober = self._prober
            try:
                sample = prober.sample_sync()
            except NoTarget as exc:
                post(ProbeUpdate(None, {}, Problem(str(exc), "set HOST in the Config pane, or deploy the server "
                                                             "(Runtime pane)")))
                return
            history = prober.history
            post(ProbeUpdate(sample, {e: history.latencies(e) for e in ENDPOINTS}, None,
                             list(history.transitions), list(history.samples)))


def act(core: Core, action: str, tag: str, post: Post) -> None:
    """Run one runtime action, posting each step as it happens (with when the action began) and how it ended."""
    from ..ops.lifecycle import run_action

    started = time.monotonic()
    try:
        outcome = run_action(core.runtime(), action, tag, progress=_steps(action, started, post))
    except Exception as exc:  # the action ends either way: the next one may run
        post(RuntimeActionUpdate(action, done=True, problem=Problem.from_exception(exc), started=started))
    else:
        post(RuntimeActionUpdate(action, done=True, outcome=str(outcome or "done"), started=started))


def _steps(action: str, started: float, post: Post) -> Callable[[Progress], None]:
    def say(progress: Progress) -> None:
        done = f" ({progress.current}/{progress.total})" if progress.total else ""
        post(RuntimeActionUpdate(action, progress.message + done, started=started))

    return say


def _telling(action: str, started: float, post: Post) -> Callable[[str], None]:
    """Each line the operation says becomes the action's latest step."""

    def say(text: str) -> None:
        post(RuntimeActionUpdate(action, text, started=started))

    return say


def _watcher(interval: float, post: Post) -> Watcher:
    """The startup watch inside an upgrade or rollback, reported as the Health pane's watch (WatchUpdate)."""
    from ..health.watch import STARTUP_WINDOW, run_startup_watch

    def watch(runtime: Runtime, config: Config) -> Any:
        post(WatchUpdate())
        result = run_startup_watch(runtime, config, timeout=STARTUP_WINDOW, interval=interval,
                                   on_progress=lambda progress: post(WatchUpdate(progress=progress)))
        post(WatchUpdate(result=result))
        return result

    return watch


ROLLBACK_HINT = "press b in the Runtime pane to roll back (the previous tag and the pre-upgrade backup), or run " \
    "wbtui rollback"


def upgrade(core: Core, tag: str, skip_reason: str | None, interval: float, post: Post) -> None:
    """`wbtui upgrade`'s operation: back up (unless ``skip_reason``), record, deploy, save the tag, watch."""
    from ..ops.upgrade import run_upgrade

    started = time.monotonic()
    progress = _steps("upgrade", started, post)
    config = core.target_config()
    try:
        result = run_upgrade(config, core.session.config_path, core.runtime(), tag, skip_reason=skip_reason,
                             watch=_watcher(interval, post), timeout=config.app.timeout,
                             say=_telling("upgrade", started, post), progress=progress)
    except Exception as exc:
        post(RuntimeActionUpdate("upgrade", done=True, problem=Problem.from_exception(exc), started=started))
        return
    if result.failed:
        post(RuntimeActionUpdate("upgrade", done=True, problem=Problem(result.failure(), ROLLBACK_HINT),
                                 started=started))
    else:
        post(RuntimeActionUpdate("upgrade", done=True, outcome=f"{result.image} is {result.record.outcome}",
                                 started=started))


def plan_rollback(core: Core, post: Post) -> None:
    """What a rollback would do (read from the upgrade record), for the confirmation."""
    from ..health.watch import STARTUP_WINDOW
    from ..ops.upgrade import rollback_plan

    try:
        plan = rollback_plan(core.target_config(), core.session.config_path, watch_timeout=STARTUP_WINDOW)
    except Exception as exc:
        post(RollbackPlanned(problem=Problem.from_exception(exc)))
        return
    post(RollbackPlanned(plan))


def rollback(core: Core, plan: RollbackPlan, interval: float, post: Post) -> None:
    """`wbtui rollback`'s operation: stop, restore the pre-upgrade backup, deploy the previous tag, watch."""
    import os

    from ..checks.mysql_connect import ADMIN_ENV
    from ..config.urls import MysqlURL
    from ..ops.upgrade import run_rollback

    started = time.monotonic()
    config = core.target_config()
    try:
        admin_url = os.environ.get(ADMIN_ENV, "") if plan.data else ""  # as `wbtui rollback` without --admin
        result = run_rollback(config, core.session.config_path, core.runtime(), plan, watch=_watcher(interval, post),
                              admin=MysqlURL.parse(admin_url) if admin_url else None,
                              timeout=config.app.timeout,
                              say=_telling("rollback", started, post), progress=_steps("rollback", started, post))
    except Exception as exc:
        post(RuntimeActionUpdate("rollback", done=True, problem=Problem.from_exception(exc), started=started))
        return
    what = "tag and data" if plan.data else "the tag only, the data was not restored"
    if result.ready:
        post(RuntimeActionUpdate("rollback", done=True, outcome=f"back on {result.image} ({what}), ready",
                                 started=started))
    else:
        message = result.watch.message if result.watch is not None else "not watched"
        post(RuntimeActionUpdate("rollback", done=True, started=started, problem=Problem(
            f"rolled back to {result.image} ({what}), but it is not ready: {message}",
            "see the Health pane's diagnosis and the Logs pane")))


def watch_startup(core: Core, interval: float, post: Post) -> None:
    """Follow the server's start until /ready passes, it fails, or the window ends."""
    from ..health.bounded import call_bounded
    from ..health.watch import STARTUP_WINDOW, run_startup_watch

    post = posting(post)
    config = core.target_config()
    runtime = call_bounded(core.runtime, call_limit(config), "runtime")
    result = run_startup_watch(runtime, config, timeout=STARTUP_WINDOW, interval=interval,
                               on_progress=lambda progress: post(WatchUpdate(progress=progress)))
    post(WatchUpdate(result=result))


def read_config(path: Path, announce: bool, post: Post) -> None:
    """Read the config file as it is now (another shell may have changed it)."""
    from ..config import environment, store
    from .session import file_stamp

    stamp = file_stamp(path)
    try:
        config, unknown = store.read(path)
        config = environment.overlay(config)  # as Session.open: WBTUI_<KEY> values over the file's
    except store.ConfigFileError as exc:
        post(ConfigFileRead(None, True, stamp, Problem.from_exception(exc), announce=announce))
        return
    post(ConfigFileRead(config, store.exists(path), stamp, announce=announce, unknown=unknown))
