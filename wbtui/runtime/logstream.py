"""An async stream of items fed by a blocking reader thread (backend-neutral).

Client libraries (docker, kubernetes) read log streams with blocking calls.
The reader runs in a thread and hands lines over in batches: it appends to a
shared buffer and wakes the event loop only when the buffer goes from empty to
non-empty, so a fast producer costs one loop wake-up per batch, not per line.
A slow consumer holds the producer back at a high-water mark, so memory stays
bounded. A consumer that takes whole batches (``batches()``) costs one step per batch
instead of one per item; one that keeps only the newest N items of what comes first (a
bounded ring) says so with ``keep_newest(N)``, and a producer that can count what it
leaves out unread (a log file it reads directly) skips the rest and says how many in
``skipped``. Closing the stream (``aclose``, leaving ``async with``, or cancelling
the task waiting on it) sets a flag and calls the producer's interrupt hook,
which closes the blocking socket so the thread ends promptly.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

HIGH_WATER = 50_000


class Sink(Generic[T]):
    """The producer's side: put batches, check for closing, sleep interruptibly."""

    def __init__(self, stream: ThreadStream[T]) -> None:
        self._stream = stream

    @property
    def closed(self) -> bool:
        return self._stream._closed

    @property
    def keep(self) -> int | None:
        """The consumer keeps only the newest ``keep`` items of what comes first (None: every item)."""
        return self._stream.keep

    def skip(self, count: int) -> None:
        """Say that ``count`` items before the first one put were left out (the consumer keeps fewer)."""
        stream = self._stream
        with stream._lock:
            if stream._started_putting:
                raise RuntimeError("skip() must come before the first item is put")
            stream.skipped += count

    def put_many(self, items: list[T]) -> None:
        """Hand items to the consumer; blocks while the consumer is far behind."""
        if items:
            self._stream._put(items)

    def put(self, item: T) -> None:
        self._stream._put([item])

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True as soon as the stream is closed."""
        return self._stream._closing.wait(seconds)

    def on_interrupt(self, hook: Callable[[], None] | None) -> None:
        """What unblocks the producer's current read when the stream closes (or None)."""
        stream = self._stream
        with stream._lock:
            stream._interrupt = hook
            closed = stream._closed
        if closed and hook is not None:
            _call_quietly(hook)


class ThreadStream(Generic[T]):
    """Async iterator over what ``produce(sink)`` puts, run in a daemon thread.

    The producer's exception (if any) is raised to the consumer after the items
    it put before failing.
    """

    def __init__(self, produce: Callable[[Sink[T]], None], name: str = "log-reader",
                 high_water: int = HIGH_WATER) -> None:
        self._produce = produce
        self._name = name
        self._high_water = high_water
        self._lock = threading.Lock()
        self._room = threading.Condition(self._lock)
        self._closing = threading.Event()
        self._buffer: list[T] = []
        self._local: list[T] = []
        self._pos = 0
        self._closed = False
        self._finished = False
        self._error: BaseException | None = None
        self._interrupt: Callable[[], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready: asyncio.Event | None = None
        self._done: asyncio.Future[None] | None = None
        self.thread: threading.Thread | None = None
        self.keep: int | None = None
        self.skipped = 0
        """Items the producer left out before its first one (``keep_newest``); set before that item comes."""
        self._started_putting = False

    def keep_newest(self, count: int) -> ThreadStream[T]:
        """A hint, before iterating: only the newest ``count`` items of the first window will be kept."""
        self.keep = max(1, count)
        return self

    async def batches(self) -> AsyncIterator[list[T]]:
        """The items as the producer handed them over, a list at a time (never empty)."""
        if self._pos < len(self._local):
            rest, self._local, self._pos = self._local[self._pos:], [], 0
            yield rest
        while True:
            try:
                batch = await self._next_batch()
            except StopAsyncIteration:
                return
            yield batch

    def __aiter__(self) -> ThreadStream[T]:
        return self

    async def __aenter__(self) -> ThreadStream[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def __anext__(self) -> T:
        if self._pos < len(self._local):
            item = self._local[self._pos]
            self._pos += 1
            return item
        return await self._refill()

    async def _refill(self) -> T:
        batch = await self._next_batch()
        self._local, self._pos = batch, 1
        return batch[0]

    async def _next_batch(self) -> list[T]:
        """What the producer put since the last call (waits for some); StopAsyncIteration at the end."""
        if self.thread is None:
            if self._closed:
                raise StopAsyncIteration
            self._start()
        assert self._ready is not None
        try:
            while True:
                self._ready.clear()
                with self._lock:
                    batch, self._buffer = self._buffer, []
                    finished, error = self._finished, self._error
                    self._room.notify_all()
                if batch:
                    return batch
                if finished or self._closed:
                    self._local, self._pos = [], 0
                    if error is not None and not self._closed:
                        self._error = None
                        raise error
                    raise StopAsyncIteration
                await self._ready.wait()
        except asyncio.CancelledError:
            self.close()
            raise

    def _start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._ready = asyncio.Event()
        self._done = self._loop.create_future()
        self.thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        error: BaseException | None = None
        try:
            self._produce(Sink(self))
        except BaseException as exc:  # handed to the consumer, raised there
            error = exc
        with self._lock:
            self._finished = True
            self._error = error
            self._interrupt = None
        self._wake()
        self._call_in_loop(self._mark_done)

    def _mark_done(self) -> None:
        if self._done is not None and not self._done.done():
            self._done.set_result(None)

    def _put(self, items: list[T]) -> None:
        with self._lock:
            while len(self._buffer) >= self._high_water and not self._closed:
                self._room.wait(0.5)
            if self._closed:
                return
            self._started_putting = True
            was_empty = not self._buffer
            self._buffer.extend(items)
        if was_empty:
            self._wake()

    def _wake(self) -> None:
        if self._ready is not None:
            self._call_in_loop(self._ready.set)

    def _call_in_loop(self, func: Callable[[], None]) -> None:
        if self._loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                self._loop.call_soon_threadsafe(func)

    def close(self) -> None:
        """Stop the producer now (non-blocking): flag it and interrupt its read."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            hook = self._interrupt
            self._buffer = []
            self._room.notify_all()
        self._closing.set()
        if hook is not None:
            _call_quietly(hook)
        self._wake()

    async def aclose(self, timeout: float = 5.0) -> None:
        """Close and wait (bounded) for the reader thread to end."""
        self.close()
        if self._done is not None and not self._done.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._done), timeout)
        if self._done is not None and self._done.done() and self.thread is not None:
            self.thread.join(1.0)  # it has signalled its very last step: this returns at once


async def batched(stream: Any) -> AsyncIterator[list[Any]]:
    """Lists of what ``stream`` yields: its own batches for a ThreadStream, one item a list otherwise."""
    if isinstance(stream, ThreadStream):
        async for batch in stream.batches():
            yield batch
        return
    async for item in stream:
        yield [item]


def _call_quietly(hook: Callable[[], None]) -> None:
    with contextlib.suppress(Exception):  # closing a broken connection may fail; the reader ends anyway
        hook()
