"""Running the checks of several stores at once.

MySQL and the object store are independent, so they run in parallel threads:
``check all`` takes as long as the slowest store, not the sum. Results reach
``on_result`` one at a time (under a lock) as they complete, for live displays.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from ..config import masking
from ..config.model import Config
from .model import CheckResult, Status

STORES: tuple[str, ...] = ("mysql", "s3")
_ENTRY = {"mysql": "run_mysql_checks", "s3": "run_s3_checks"}

OnResult = Callable[[CheckResult], None]


def _store_runner(store: str) -> Callable[..., list[CheckResult]]:
    """The store's run function, imported only when that store is checked."""
    module = importlib.import_module(f"{__package__}.{store}")
    run: Callable[..., list[CheckResult]] = getattr(module, _ENTRY[store])
    return run


def run_checks(config: Config, stores: tuple[str, ...] | list[str] = STORES, *, timeout: float = 5.0,
               on_result: OnResult | None = None, cpu_window: float | None = None) -> list[CheckResult]:
    """Run the stores' checks concurrently; results in store order, each store's in check order.

    ``cpu_window`` (seconds) is how long MySQL's CPU is sampled when it runs on this host.
    """
    unknown = [s for s in stores if s not in _ENTRY]
    if unknown:
        raise ValueError(f"unknown store {unknown[0]!r} (known: {', '.join(STORES)})")
    lock = threading.Lock()

    def deliver(result: CheckResult) -> None:
        if on_result is not None:
            with lock:
                on_result(result)

    def one(store: str) -> list[CheckResult]:
        kwargs = {"cpu_window": cpu_window} if store == "mysql" and cpu_window is not None else {}
        try:
            return _store_runner(store)(config, timeout=timeout, on_result=deliver, **kwargs)
        except Exception as exc:  # a bug in one store must not hide the other's results
            result = CheckResult(f"{store}.internal", f"{store} checks", Status.FAIL,
                                 masking.screen(config)(f"internal error: {type(exc).__name__}: {exc}"), store=store)
        deliver(result)
        return [result]

    with ThreadPoolExecutor(max_workers=max(len(stores), 1), thread_name_prefix="wbtui-check") as pool:
        futures = [pool.submit(one, store) for store in dict.fromkeys(stores)]
        return [result for future in futures for result in future.result()]


def exit_code(results: list[CheckResult], strict: bool = False) -> int:
    """0 when nothing failed; 1 on a failure, or on a warning with ``strict``."""
    bad = {Status.FAIL, Status.WARN} if strict else {Status.FAIL}
    return 1 if any(r.status in bad for r in results) else 0
