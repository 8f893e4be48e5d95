"""Deadlines for calls we do not control (daemon clients, datastore checks).

A blocking call that hangs (a dead Docker socket, a firewalled database) must
not hang the CLI or the dashboard: it runs in a daemon thread and we stop
waiting at the deadline. The thread is abandoned, never joined, so neither
interpreter exit nor an event loop's shutdown waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Coroutine
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Deadline(TimeoutError):
    """The call did not finish in time (it may still be running in its thread)."""


class Pending(Generic[T]):
    """A call started in a daemon thread; collect it with ``result(timeout)``.

    Start several, then collect each against one deadline: they run in parallel.
    """

    def __init__(self, fn: Callable[[], T], what: str = "call") -> None:
        self.what = what
        self._box: dict[str, Any] = {}
        self._done = threading.Event()
        threading.Thread(target=self._run, args=(fn,), name=f"wbtui-{what}", daemon=True).start()

    def _run(self, fn: Callable[[], T]) -> None:
        try:
            self._box["value"] = fn()
        except BaseException as exc:
            self._box["error"] = exc
        finally:
            self._done.set()

    def result(self, timeout: float) -> T:
        """The value, the call's own exception, or Deadline when it is not done in ``timeout``."""
        if not self._done.wait(max(0.0, timeout)):
            raise Deadline(f"{self.what}: no answer within {timeout:g}s")
        if "error" in self._box:
            raise self._box["error"]
        return self._box["value"]


def call_bounded(fn: Callable[[], T], timeout: float, what: str = "call") -> T:
    """Run ``fn`` in a daemon thread; its result, its exception, or Deadline after ``timeout``."""
    return Pending(fn, what).result(timeout)


async def call_bounded_async(fn: Callable[[], T], timeout: float, what: str = "call") -> T:
    """The async form of :func:`call_bounded`: awaits a daemon thread, not the loop's executor."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: Any = None, error: BaseException | None = None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def target() -> None:
        try:
            value = fn()
        except BaseException as exc:
            with contextlib.suppress(RuntimeError):  # loop already closed: nobody waits any more
                loop.call_soon_threadsafe(settle, None, exc)
        else:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(settle, value)

    threading.Thread(target=target, name=f"wbtui-{what}", daemon=True).start()
    try:
        return await asyncio.wait_for(future, timeout)
    except TimeoutError:
        raise Deadline(f"{what}: no answer within {timeout:g}s") from None


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a fresh loop in this thread (CLI, thread workers).

    Unlike ``asyncio.run`` it does not wait forever for executor threads that a
    client library left blocked: they get five seconds.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coro)
    finally:
        try:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            with contextlib.suppress(TimeoutError):
                loop.run_until_complete(asyncio.wait_for(loop.shutdown_default_executor(), 5))
        finally:
            loop.close()
