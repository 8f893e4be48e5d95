"""Following a container's log through restarts and daemon outages.

A reader thread asks the daemon for the log with timestamps (always: they are
the resume point), decodes the HTTP chunked body and Docker's multiplexed
frames itself from large reads (the SDK reads each frame with two small reads,
too slow for a server that logs a lot), and hands lines to a ThreadStream in
batches, redacted.

With ``follow`` the stream outlives its container and its daemon:

- the daemon ends a follow stream when the container stops: the reader polls
  until it runs again (or was recreated under the same name), then asks for
  the log since the last line it delivered and drops the lines it already
  delivered (timestamps are fixed-width nanoseconds; a count handles equal
  stamps), so nothing is duplicated or missed; a restart line marks where the
  new instance's lines begin (``── container restarted 10:05:02 UTC (restart 3) ──``,
  in UTC like Docker's timestamps);
- when the daemon goes away the reader retries with exponential backoff
  (capped at a few seconds), then emits a gap line saying how long it was gone
  and resumes the same way.

``previous``: Docker keeps one log per container across restarts, so the
previous instance is the part of that log written before the current instance
started; when the container is not running it is the run that ended last.
"""

from __future__ import annotations

import socket
import struct
import time
import zlib
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..base import LogLine, NotDeployed, RuntimeProblem, Unreachable
from ..logstream import Sink
from .engine import is_podman, ping_headers
from .errors import connection_problem, translated

if TYPE_CHECKING:
    from ...config.masking import Redactor
    from .backend import DockerRuntime

TS_LEN = 30  # "2006-01-02T15:04:05.000000000Z", Docker's fixed-width RFC3339Nano
READ_SIZE = 256 * 1024
FILE_TAIL_MIN = 10_000  # a shorter tail is quick through the API (the daemon reads the file backwards)
SOURCES = {1: "stdout", 2: "stderr"}
STREAM_NUMBERS = {"stdout": 1, "stderr": 2}
_FRAME_HEADER = struct.Struct(">BxxxL")


class ChunkedDecoder:
    """HTTP/1.1 chunked transfer decoding over arbitrary pieces of the body."""

    def __init__(self) -> None:
        self._buf = b""
        self._data = 0  # data bytes of the current chunk still to come
        self._crlf = 0  # bytes of the CRLF closing the current chunk still to come
        self.done = False

    def feed(self, data: bytes) -> bytes:
        buf = self._buf + data if self._buf else data
        out: list[bytes] = []
        pos, end = 0, len(buf)
        while pos < end and not self.done:
            if self._data:
                take = min(self._data, end - pos)
                out.append(buf[pos:pos + take])
                pos += take
                self._data -= take
                self._crlf = 0 if self._data else 2
                continue
            if self._crlf:
                take = min(self._crlf, end - pos)
                pos += take
                self._crlf -= take
                continue
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                break
            size = int(buf[pos:eol].split(b";", 1)[0], 16)
            pos = eol + 2
            if size == 0:
                self.done = True
            elif pos + size + 2 <= end:  # the whole chunk is here: the common case
                out.append(buf[pos:pos + size])
                pos += size + 2
            else:
                self._data = size
        self._buf = buf[pos:] if not self.done else b""
        return b"".join(out)


class FrameDecoder:
    """Docker's multiplexed stream: a header (stream, 0, 0, 0, size) then the payload."""

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> tuple[list[int], list[bytes]]:
        """(stream of each frame: 1 stdout, 2 stderr; payload of each frame)."""
        buf = self._buf + data if self._buf else data
        streams: list[int] = []
        payloads: list[bytes] = []
        pos, end = 0, len(buf)
        unpack = _FRAME_HEADER.unpack_from
        while end - pos >= 8:
            stream, size = unpack(buf, pos)
            stop = pos + 8 + size
            if stop > end:
                break
            streams.append(stream)
            payloads.append(buf[pos + 8:stop])
            pos = stop
        self._buf = buf[pos:]
        return streams, payloads


class LineAssembler:
    """Frames to LogLines: timestamps split off, partial lines joined, resume duplicates dropped.

    The resume point is the stamp of the last record (piece) of the last line delivered and how many
    records delivered carried it: a line Docker split resumes after its last piece, not its first.

    Fast path (almost every batch): whole lines, each stamped, not resuming: the batch
    is decoded, split and redacted as one string, leaving little per-line work.
    """

    def __init__(self, redact: Callable[[str], str], keep_timestamps: bool) -> None:
        self._redact = redact
        self._keep_timestamps = keep_timestamps
        self._partial: tuple[int, bytes | None, bytes, list[bytes | None]] | None = None
        self.last_ts: bytes | None = None
        self.last_count = 0
        self._resume: tuple[bytes, int] | None = None

    def resume(self) -> None:
        """The next stream starts at ``last_ts`` again: drop what was already delivered."""
        self._partial = None
        self._resume = (self.last_ts, self.last_count) if self.last_ts is not None else None

    def lines(self, streams: list[int], payloads: list[bytes]) -> list[LogLine]:
        if not payloads:
            return []
        if self._resume is None and self._partial is None:
            fast = self._fast(streams, payloads)
            if fast is not None:
                return fast
        return self._careful(streams, payloads)

    def _fast(self, streams: list[int], payloads: list[bytes]) -> list[LogLine] | None:
        if not all(payload[-1:] == b"\n" for payload in payloads):
            return None  # a partial line (Docker splits lines longer than 16 KiB)
        rows = b"".join(payloads).decode("utf-8", "replace").split("\n")
        if len(rows) != len(payloads) + 1:
            return None
        rows.pop()
        if not all(row[TS_LEN - 1:TS_LEN + 1] == "Z " for row in rows):
            return None
        texts = self._redact("\n".join([row[TS_LEN + 1:] for row in rows])).split("\n")
        if len(texts) != len(rows):
            return None
        self._remember(rows)
        parse = datetime.fromisoformat
        sources = SOURCES
        if self._keep_timestamps:
            return [LogLine(f"{row[:TS_LEN]} {text}", parse(row[:TS_LEN]), sources.get(stream, ""), False)
                    for row, text, stream in zip(rows, texts, streams, strict=True)]
        return [LogLine(text, parse(row[:TS_LEN]), sources.get(stream, ""), False)
                for row, text, stream in zip(rows, texts, streams, strict=True)]

    def decoded(self, sources: list[str], stamps: list[str], texts: list[str]) -> list[LogLine]:
        """Records decoded already (the log file's: source, fixed-width stamp, text with its newline when
        it ends a line): the same lines as ``lines`` gives for the API's frames of them."""
        if not texts:
            return []
        joined = "".join(texts)
        if self._resume is not None or self._partial is not None or joined.count("\n") != len(texts):
            streams = [STREAM_NUMBERS[source] for source in sources]
            return self._careful(streams, [f"{stamp} {text}".encode("utf-8", "surrogatepass")
                                           for stamp, text in zip(stamps, texts, strict=True)])
        shown = self._redact(joined[:-1]).split("\n")
        if len(shown) != len(texts):
            shown = [self._redact(text[:-1]) for text in texts]
        self._remember(stamps)
        parse = datetime.fromisoformat
        if self._keep_timestamps:
            return [LogLine(f"{stamp} {text}", parse(stamp), source, False)
                    for stamp, text, source in zip(stamps, shown, sources, strict=True)]
        return [LogLine(text, parse(stamp), source, False)
                for stamp, text, source in zip(stamps, shown, sources, strict=True)]

    def _remember(self, rows: list[str]) -> None:
        """Track the last stamp delivered and how many lines carried it (equal stamps are possible)."""
        last = rows[-1][:TS_LEN].encode("ascii")
        count = 0
        for row in reversed(rows):
            if row[:TS_LEN].encode("ascii") != last:
                break
            count += 1
        if count == len(rows) and last == self.last_ts:
            count += self.last_count
        self.last_ts, self.last_count = last, count

    def _careful(self, streams: list[int], payloads: list[bytes]) -> list[LogLine]:
        stamps: list[bytes | None] = []
        texts: list[bytes] = []
        sources: list[int] = []
        last_ts, last_count, resume = self.last_ts, self.last_count, self._resume
        for stream, payload in zip(streams, payloads, strict=True):
            if len(payload) > TS_LEN and payload[TS_LEN] == 32 and payload[TS_LEN - 1] == 90:
                ts, text = payload[:TS_LEN], payload[TS_LEN + 1:]
            else:
                ts, text = None, payload
            if ts is not None and resume is not None:  # drop what was delivered before, record by record
                if ts < resume[0]:
                    continue
                if ts == resume[0] and resume[1] > 0:
                    resume = (resume[0], resume[1] - 1)
                    continue
                resume = None
            pieces = [ts]
            if self._partial is not None:  # Docker splits long lines; each piece has its own stamp
                stream, first_ts, head, before = self._partial
                pieces = [*before, ts]
                ts, text, self._partial = first_ts, head + text, None
            if not text.endswith(b"\n"):
                self._partial = (stream, ts, text, pieces)
                continue
            for piece in pieces:  # the resume point: the last record of a delivered line, and its equals
                if piece is None:
                    continue
                if piece == last_ts:
                    last_count += 1
                else:
                    last_ts, last_count = piece, 1
            stamps.append(ts)
            texts.append(text[:-1])
            sources.append(stream)
        self.last_ts, self.last_count, self._resume = last_ts, last_count, resume
        if not texts:
            return []
        decoded = self._redact(b"\n".join(texts).decode("utf-8", "replace")).split("\n")
        if len(decoded) != len(texts):  # a redaction changed the line count: redact one by one
            decoded = [self._redact(t.decode("utf-8", "replace")) for t in texts]
        out = []
        for ts, line, stream in zip(stamps, decoded, sources, strict=True):
            source = SOURCES.get(stream, "")
            if ts is None:
                out.append(LogLine(line, None, source, False))
                continue
            stamp = ts.decode("ascii")
            out.append(LogLine(f"{stamp} {line}" if self._keep_timestamps else line,
                               datetime.fromisoformat(stamp), source, False))
        return out


def restart_marker(old: dict[str, Any] | None, new: dict[str, Any]) -> LogLine:
    """The line between two instances' lines: when the new one started (UTC, as the timestamps), Docker's count."""
    state = new.get("State") or {}
    started = state.get("StartedAt") or ""
    when = datetime.now(UTC)
    if started and not started.startswith("0001"):
        head, _, frac = started.rstrip("Z").partition(".")
        when = datetime.fromisoformat(head).replace(tzinfo=UTC, microsecond=int((frac + "000000")[:6]))
    what = "restarted" if old is not None and old.get("Id") == new.get("Id") else "recreated"
    count = new.get("RestartCount") or 0
    extra = f" (restart {count})" if count else ""
    return LogLine(f"── container {what} {when:%H:%M:%S} UTC{extra} ──", when, restart=True)


def api_time(value: datetime | str) -> str:
    """A time as the logs API's since/until wants it: seconds.nanoseconds, exact."""
    if isinstance(value, str):  # Docker's own RFC 3339 (StartedAt): keep every digit
        head, _, frac = value.rstrip("Z").partition(".")
        seconds = int(datetime.fromisoformat(head).replace(tzinfo=UTC).timestamp())
        return f"{seconds}.{(frac + '000000000')[:9]}"
    if value.tzinfo is None:
        value = value.astimezone()
    whole = int(value.timestamp())
    return f"{whole}.{value.microsecond:06d}000"


class DockerLogReader:
    """The producer behind ``DockerRuntime.logs``: runs in the ThreadStream's thread."""

    def __init__(self, runtime: DockerRuntime, redactor: Redactor, *, follow: bool, tail: int | None,
                 since: datetime | None, timestamps: bool, previous: bool,
                 backoff_cap: float = 4.0, poll_cap: float = 1.0) -> None:
        self._runtime = runtime
        self._follow = follow and not previous
        self._tail = tail
        self._since = since
        self._previous = previous
        self._backoff_cap = backoff_cap
        self._poll_cap = poll_cap
        self._assembler = LineAssembler(redactor, timestamps)
        self._opened_at = datetime.now(UTC)
        self._widen = False
        """Podman's stamps are brought to Docker's fixed width (see ``fixed_width``)."""

    def __call__(self, sink: Sink[LogLine]) -> None:
        client = self._runtime.new_client()
        try:
            with translated("ask the daemon which engine it is", timeout=self._runtime.timeout):
                self._widen = is_podman(ping_headers(client))
            attrs = self._runtime.inspect(client)
            if attrs is None:
                raise NotDeployed(f"no container {self._runtime.name} to read logs from", "deploy it: wbtui up")
            if self._previous:
                self._read_previous(sink, client, attrs)
                return
            from_file = self._bulk() and self._read_files(sink, attrs)
            if from_file is None and not sink.closed:  # the file broke off: the rest from the API
                self._assembler.resume()
                if not self._follow:
                    self._read(sink.put_many, client, attrs["Id"], self._params(first=False), sink)
            if self._follow:
                self._follow_forever(sink, client, attrs, first=from_file is False)
            elif not from_file:
                self._read(sink.put_many, client, attrs["Id"], self._params(first=True), sink)
        finally:
            client.close()

    def _bulk(self) -> bool:
        """A window worth reading from the log file: all of it (since a time or not), or a long tail."""
        return self._tail is None or self._tail >= FILE_TAIL_MIN

    def _read_files(self, sink: Sink[LogLine], attrs: dict[str, Any]) -> bool | None:
        """The window from the container's json-file log, if it can be read here (see logfile.py).

        True: the window came from the file (a follow goes on from its last line through the API).
        False: nothing was read, use the API. None: the file broke off after some lines (a record not
        Docker's shape, a file gone): the API goes on from the last line delivered, so none is lost.
        """
        from .logfile import NotJsonFile, read_window, window_files

        segments = window_files(attrs, self._since)
        if segments is None:
            return False
        assembler, used = self._assembler, False

        def emit(sources: list[str], stamps: list[str], texts: list[str]) -> None:
            nonlocal used
            used = True
            lines = assembler.decoded(sources, stamps, texts)
            if lines:
                sink.put_many(lines)

        try:
            read_window(segments, emit, since=self._since, tail=self._tail, keep=sink.keep,
                        skipped=sink.skip, closed=lambda: sink.closed)
        except (NotJsonFile, OSError, EOFError, zlib.error):  # gzip's BadGzipFile is an OSError
            return None if used else False
        finally:
            for segment in segments:
                segment.close()
        return True

    def _params(self, first: bool) -> dict[str, Any]:
        params: dict[str, Any] = {"stdout": 1, "stderr": 1, "timestamps": 1, "follow": int(self._follow)}
        if first:
            params["tail"] = "all" if self._tail is None else str(max(self._tail, 0))
            if self._since is not None:
                params["since"] = api_time(self._since)
        elif self._assembler.last_ts is not None:
            params["since"] = api_time(self._assembler.last_ts.decode("ascii"))
        else:
            params["since"] = api_time(self._opened_at)
        return params

    def _read_previous(self, sink: Sink[LogLine], client: Any, attrs: dict[str, Any]) -> None:
        state = attrs.get("State") or {}
        params = {"stdout": 1, "stderr": 1, "timestamps": 1, "follow": 0, "tail": "all"}
        started = state.get("StartedAt") or ""
        if started.startswith("0001"):
            return
        if state.get("Running"):
            params["until"] = api_time(started)
        else:
            params["since"] = api_time(started)
            finished = state.get("FinishedAt") or ""
            if not finished.startswith("0001"):
                params["until"] = api_time(finished)
        keep: deque[LogLine] = deque(maxlen=self._tail if self._tail is not None else None)
        self._read(keep.extend, client, attrs["Id"], params, sink)
        sink.put_many(list(keep))

    def _follow_forever(self, sink: Sink[LogLine], client: Any, attrs: dict[str, Any] | None,
                        first: bool = True) -> None:
        """Follow the log; ``first`` False: the window was read already, go on after its last line."""
        while not sink.closed:
            try:
                if attrs is not None:
                    params = self._params(first)
                    if not first:
                        self._assembler.resume()
                    first = False  # from here on, a new request resumes (even if this one breaks off)
                    self._read(sink.put_many, client, attrs["Id"], params, sink)
                    if sink.closed:
                        return
                    old = attrs
                    started = (attrs.get("State") or {}).get("StartedAt")
                    attrs = self._runtime.inspect(client)
                    if attrs is not None and (attrs.get("State") or {}).get("StartedAt") == started:
                        attrs = self._wait_running(sink, client, started)
                    if attrs is not None and (attrs.get("State") or {}).get("StartedAt") != started:
                        sink.put(restart_marker(old, attrs))
                else:
                    attrs = self._wait_running(sink, client, None)
                    if attrs is not None:
                        sink.put(restart_marker(None, attrs))
            except NotDeployed:
                attrs = None  # removed: wait for it to be created again (wbtui up / upgrade)
            except Unreachable as exc:
                if sink.closed:
                    return
                attrs = self._reconnect(sink, client, exc)

    def _wait_running(self, sink: Sink[LogLine], client: Any, old_start: str | None) -> dict[str, Any] | None:
        """Poll until the container runs a new instance (or ran one we have not read yet)."""
        delay, waited = 0.05, False
        while not sink.closed:
            attrs = self._runtime.inspect(client)
            if attrs is not None:
                state = attrs.get("State") or {}
                if state.get("StartedAt") != old_start and (state.get("Running") or state.get("Restarting")
                                                            or state.get("Status") in ("exited", "dead")):
                    return attrs
                if state.get("Running") and old_start is not None and waited:
                    return attrs  # the same instance still runs: the daemon closed the stream; reopen
            if sink.wait(delay):
                break
            waited = True
            delay = min(delay * 2, self._poll_cap)
        return None

    def _reconnect(self, sink: Sink[LogLine], client: Any, problem: RuntimeProblem) -> dict[str, Any] | None:
        """Retry with exponential backoff until the daemon answers; then mark the gap."""
        began = time.monotonic()
        delay = 0.1
        while not sink.closed:
            if sink.wait(delay):
                return None
            delay = min(delay * 2, self._backoff_cap)
            try:
                attrs = self._runtime.inspect(client)
            except (Unreachable, NotDeployed):
                continue
            elapsed = time.monotonic() - began
            sink.put(LogLine(f"--- log stream interrupted: {problem.message}; reconnected after {elapsed:.1f}s ---",
                             datetime.now(UTC), "", True))
            return attrs
        return None

    def _read(self, emit: Callable[[list[LogLine]], None], client: Any, container_id: str,
              params: dict[str, Any], sink: Sink[LogLine]) -> None:
        """One logs request, read to its end (or until the stream is closed)."""
        import docker.errors
        import requests

        api = client.api
        url = f"{api.base_url}/v{api.api_version}/containers/{container_id}/logs"
        with translated("read the container log", timeout=self._runtime.timeout):
            resp = api.get(url, params=params, stream=True, timeout=(self._runtime.timeout, None))
            try:
                resp.raise_for_status()
            except requests.HTTPError as exc:
                resp.close()
                if exc.response is not None and exc.response.status_code == 404:
                    raise NotDeployed(f"container {self._runtime.name} is gone", "deploy it: wbtui up") from None
                raise docker.errors.create_api_error_from_http_exception(exc) from None
        sock = getattr(getattr(resp.raw, "connection", None), "sock", None)
        sink.on_interrupt(lambda: sock.shutdown(socket.SHUT_RDWR) if sock is not None else resp.close())
        try:
            self._pump(emit, resp)
        except Exception as exc:
            if sink.closed:
                return
            problem = connection_problem(exc, self._runtime.timeout)
            if problem is None:
                raise
            raise Unreachable(problem.message, problem.fix) from exc
        finally:
            sink.on_interrupt(None)
            resp.close()

    def _pump(self, emit: Callable[[list[LogLine]], None], resp: Any) -> None:
        # The body is read straight from http.client's buffered socket file: its own
        # read1 returns one chunk (one log line) per call, which is far too slow here.
        pump_body(resp.raw._fp.fp, resp.headers, self._assembler, emit, widen=self._widen)


def fixed_width(payload: bytes) -> bytes:
    """A frame's stamp in Docker's fixed width (the resume point compares stamps as bytes).

    Podman 4.3 stamps whole seconds (``2026-12-02T13:00:27Z``), Go's RFC3339Nano trims trailing zeros
    (``...27.5814984Z``): the fraction is padded to nanoseconds. Equal stamps are counted on resume, so
    whole seconds resume exactly too.
    """
    end = payload.find(b"Z ", 19, TS_LEN + 1)
    if end < 0 or end == TS_LEN - 1 or payload[10:11] != b"T":
        return payload
    fraction = payload[20:end] if payload[19:20] == b"." else b""
    return payload[:19] + b"." + fraction.ljust(9, b"0") + payload[end:]


def pump_body(body: Any, headers: Any, assembler: LineAssembler, emit: Callable[[list[LogLine]], None],
              widen: bool = False) -> None:
    """Read a logs response body (chunked, sized or up to EOF) and emit its lines batch by batch.

    ``body`` needs ``read1``; a connection that ends before the body does raises ConnectionError.
    ``widen``: the stamps are Podman's (``fixed_width``).
    """
    chunked = headers.get("Transfer-Encoding", "").lower() == "chunked"
    dechunk = ChunkedDecoder() if chunked else None
    length = headers.get("Content-Length")
    remaining = int(length) if length is not None and not chunked else None
    frames = FrameDecoder()
    while remaining != 0:
        data = body.read1(READ_SIZE if remaining is None else min(READ_SIZE, remaining))
        if not data:
            if (dechunk is not None and not dechunk.done) or remaining:
                raise ConnectionError("the Docker daemon closed the log stream mid-transfer")
            return
        if remaining is not None:
            remaining -= len(data)
        if dechunk is not None:
            data = dechunk.feed(data)
        streams, payloads = frames.feed(data)
        lines = assembler.lines(streams, [fixed_width(p) for p in payloads] if widen else payloads)
        if lines:
            emit(lines)
        if dechunk is not None and dechunk.done:
            return
