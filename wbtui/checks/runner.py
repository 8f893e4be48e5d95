"""Running the checks of several stores at once.

MySQL and the object store are independent, so they run in parallel threads:
``check all`` takes as long as the slowest store, not the sum. Results reach
``on_result`` one at a time (under a lock) as they complete, for live displays.
The threads are daemons the caller never waits for once interrupted (Ctrl-C): it
closes the connections they opened and goes, rather than sitting out their timeouts.
MySQL's CPU sample (when the database runs on this host) begins with the run, so its
window overlaps the other checks instead of adding to them (``mysql_host.early_sample``).
"""

from __future__ import annotations

import contextlib
import importlib
import threading
import time
from collections.abc import Callable

from ..config import masking
from ..config.model import Config
from .model import CheckResult, Status

STORES: tuple[str, ...] = ("mysql", "s3")
_ENTRY = {"mysql": "run_mysql_checks", "s3": "run_s3_checks"}
QUICK_CPU_WINDOW = 0.5  # seconds: enough to see a database pegged at 100%, cheap every few minutes

SETTINGS: dict[str, tuple[str, ...]] = {
    "mysql": ("MYSQL",),
    "s3": ("HOST", "BUCKET", "BUCKET_QUEUE", "AWS_REGION"),  # HOST: signed URLs and the CORS origin
}
"""The settings each store's checks read (with app.timeout, read by both)."""

OnResult = Callable[[CheckResult], None]


def stores_changed(old: Config, new: Config) -> tuple[str, ...]:
    """The stores whose checks could now answer differently: their results are out of date."""
    if old.app.timeout != new.app.timeout:
        return STORES
    return tuple(store for store, keys in SETTINGS.items()
                 if any(getattr(old.server, key) != getattr(new.server, key) for key in keys))


def _store_runner(store: str) -> Callable[..., list[CheckResult]]:
    """The store's run function, imported only when that store is checked."""
    module = importlib.import_module(f"{__package__}.{store}")
    run: Callable[..., list[CheckResult]] = getattr(module, _ENTRY[store])
    return run


def run_checks(config: Config, stores: tuple[str, ...] | list[str] = STORES, *, timeout: float = 5.0,
               on_result: OnResult | None = None, cpu_window: float | None = None,
               quick: bool = False) -> list[CheckResult]:
    """Run the stores' checks concurrently; results in store order, each store's in check order.

    ``cpu_window`` (seconds) is how long MySQL's CPU is sampled when it runs on this host. ``quick``: the
    cheap form for a schedule (no 10 MiB upload, a short CPU glimpse).
    """
    unknown = [s for s in stores if s not in _ENTRY]
    if unknown:
        raise ValueError(f"unknown store {unknown[0]!r} (known: {', '.join(STORES)})")
    lock = threading.Lock()
    abandoned = threading.Event()
    closers: list[Callable[[], None]] = []
    outcomes: dict[str, list[CheckResult]] = {}

    def deliver(result: CheckResult) -> None:
        if on_result is not None and not abandoned.is_set():
            with lock:
                on_result(result)

    def one(store: str) -> None:
        kwargs: dict[str, object] = {"closers": closers}
        if store == "mysql" and (cpu_window is not None or quick):
            kwargs["cpu_window"] = QUICK_CPU_WINDOW if cpu_window is None else cpu_window
        if store == "s3" and quick:
            kwargs["quick"] = True
        try:
            if store == "mysql":  # the CPU sample begins now and its window passes while the other checks run
                from .mysql_host import early_sample

                with early_sample(config.server.MYSQL):
                    outcomes[store] = _store_runner(store)(config, timeout=timeout, on_result=deliver, **kwargs)
            else:
                outcomes[store] = _store_runner(store)(config, timeout=timeout, on_result=deliver, **kwargs)
            return
        except Exception as exc:  # a bug in one store must not hide the other's results
            result = CheckResult(f"{store}.internal", f"{store} checks", Status.FAIL,
                                 masking.screen(config)(f"internal error: {type(exc).__name__}: {exc}"), store=store,
                                 checked_at=time.time())
        deliver(result)
        outcomes[store] = [result]

    wanted = list(dict.fromkeys(stores))
    threads = [threading.Thread(target=one, args=(store,), name=f"wbtui-check-{store}", daemon=True)
               for store in wanted]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # KeyboardInterrupt: leave the threads to die with the process
        abandoned.set()
        _close_all(closers)
        raise
    return [result for store in wanted for result in outcomes[store]]


def _close_all(closers: list[Callable[[], None]]) -> None:
    """Close the stores' connections, best effort: a thread may be using one right now."""
    for close in list(closers):
        with contextlib.suppress(Exception):  # the run is being abandoned: a failed close changes nothing
            close()


def exit_code(results: list[CheckResult], strict: bool = False) -> int:
    """0 when nothing failed; 1 on a failure, or on a warning with ``strict``."""
    bad = {Status.FAIL, Status.WARN} if strict else {Status.FAIL}
    return 1 if any(r.status in bad for r in results) else 0
