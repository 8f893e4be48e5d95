"""A bulk log window read straight from the container's json-file log, not through the daemon.

The daemon's logs endpoint sends about 50k lines a second, so a window of 1M lines (``T all``,
``--since 1d``) takes 20 s through it. On this host, as root, with the json-file driver, the same
lines are in files the daemon names in ``docker inspect`` (``LogPath``, rotated to ``LogPath.1`` ...
``LogPath.N``, gzip-compressed as ``.N.gz`` with ``compress=true``): one JSON record a line,
``{"log":"text\\n","stream":"stdout","time":"RFC 3339 nanoseconds"}``. This module reads those
records and hands them to the same ``LineAssembler`` as the API's frames, so both paths give the
same lines: long lines that Docker split into 16 KiB pieces are joined, and
secrets are masked, alike.

A consumer that keeps only the newest N lines (the Logs pane's ring) gets only those: the older
lines are counted (newlines and a few byte counts per MiB) but never decoded or masked.

``window_files`` returns None whenever the file is not the way to read (another driver, a remote
daemon, a path this process cannot open or that is not this container's, a podman-style file);
a record that is not the json-file shape raises ``NotJsonFile`` before anything of it is used. The
caller then reads through the API, as it always could.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from .connect import docker_host

CHUNK = 1 << 20  # bytes read at a time: about 7k lines, a few ms of work, a small buffer
_PREFIX = b'{"log":"'
_SEP = b'","stream":"'
_TIME = b'"time":"'
_DONE = b'\\n' + _SEP  # a record whose text ends with a newline: a complete line
_AMBIGUOUS = b'\\\\n' + _SEP  # ...or with a literal backslash and n: looked at record by record
_SECONDS = re.compile(rb'"time":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)')


class NotJsonFile(Exception):
    """A record that is not Docker's json-file shape: read the window through the API instead."""


@dataclass
class Segment:
    """One file of the log, opened: the oldest rotated one first, the live file last."""

    name: str
    handle: IO[bytes]
    size: int  # bytes to read: the live file is cut where it ended when the window began
    compressed: bool
    live: bool = False

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.handle.close()


def is_local_daemon(host: str | None = None) -> bool:
    """The daemon runs on this host (a unix socket): its log files are ours to read, if permitted."""
    return (host or docker_host()).startswith("unix://")


def window_files(attrs: dict[str, Any], since: datetime | None) -> list[Segment] | None:
    """The opened files of the container's log a window reads, oldest first, or None (use the API).

    Rotation can rename the files while they are opened: the set is taken again until the live file
    is still the one opened first and no file was opened twice (a few tries, then None).
    """
    if not is_local_daemon():
        return None
    config = (attrs.get("HostConfig") or {}).get("LogConfig") or {}
    path = attrs.get("LogPath") or ""
    container_id = attrs.get("Id") or ""
    if config.get("Type") != "json-file" or not path or not container_id or container_id not in path:
        return None
    for _ in range(5):
        try:
            segments = _open_all(path, since)
        except OSError:
            return None  # not readable here (not root, another mount namespace, a daemon in a VM)
        if segments is not None:
            return segments
    return None


def _open_all(path: str, since: datetime | None) -> list[Segment] | None:
    """Every file of the window opened, the live one last; None when rotation moved them meanwhile."""
    live = open(path, "rb", buffering=0)  # noqa: SIM115 (closed by the caller, or below)
    opened: list[Segment] = []
    try:
        live_stat = os.fstat(live.fileno())
        inodes = {live_stat.st_ino}
        for number in _rotated_numbers(path):
            segment = _open_rotated(f"{path}.{number}", since)
            if segment is None:
                continue
            opened.append(segment)
            inode = os.fstat(segment.handle.fileno()).st_ino
            if inode in inodes:
                raise _Rotated
            inodes.add(inode)
        if os.stat(path).st_ino != live_stat.st_ino:
            raise _Rotated
    except BaseException as exc:
        live.close()
        for segment in opened:
            segment.close()
        if isinstance(exc, _Rotated):
            return None
        raise
    opened.append(Segment(path, live, live_stat.st_size, False, live=True))
    return opened


class _Rotated(Exception):
    """The files were renamed while they were opened (the daemon rotated the log): take the set again."""


def _rotated_numbers(path: str) -> list[int]:
    """The rotated files' numbers, the oldest (highest) first."""
    folder, base = os.path.split(path)
    numbers = set()
    for name in os.listdir(folder or "."):
        if name.startswith(base + "."):
            number = name[len(base) + 1:].removesuffix(".gz")
            if number.isdigit():
                numbers.add(int(number))
    return sorted(numbers, reverse=True)


def _open_rotated(name: str, since: datetime | None) -> Segment | None:
    """``name`` itself if it is there (being compressed: complete), else ``name.gz``.

    None: a compressed file whose header says its last line came before ``since``, left out as the
    daemon does. Neither file there any more: the log rotated meanwhile (``_Rotated``).
    """
    with contextlib.suppress(FileNotFoundError):
        handle = open(name, "rb", buffering=0)  # noqa: SIM115 (closed by the caller)
        return Segment(name, handle, os.fstat(handle.fileno()).st_size, False)
    try:
        raw = open(name + ".gz", "rb")  # noqa: SIM115 (closed by the caller)
    except FileNotFoundError:
        raise _Rotated from None
    if since is not None:
        last = _gzip_last_time(raw)
        if last is not None and last < since_stamp(since):
            raw.close()
            return None
        raw.seek(0)
    return Segment(name + ".gz", gzip.GzipFile(fileobj=raw, mode="rb"), -1, True)  # type: ignore[arg-type]


def _gzip_last_time(raw: IO[bytes]) -> bytes | None:
    """The ``lastTime`` Docker writes into a rotated file's gzip header (its FEXTRA field)."""
    head = raw.read(12)
    if len(head) < 12 or head[:2] != b"\x1f\x8b" or not head[3] & 0x04:
        return None
    extra = raw.read(int.from_bytes(head[10:12], "little"))
    try:
        return fixed_stamp(json.loads(extra)["lastTime"].encode("ascii"))
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeError, NotJsonFile):
        return None


def fixed_stamp(value: bytes) -> bytes:
    """Docker's RFC 3339 time (UTC, trailing zeros of the fraction cut) as the API prints it: fixed width."""
    if len(value) == 30 and value[29:] == b"Z":
        return value
    if value[-1:] != b"Z" or len(value) < 20 or len(value) > 30 or value[19:20] not in (b".", b"Z"):
        raise NotJsonFile(value)  # Docker writes UTC only: another offset is not its file
    fraction = value[20:-1]
    return value[:19] + b"." + fraction + b"0" * (9 - len(fraction)) + b"Z"


def since_stamp(since: datetime) -> bytes:
    """``since`` as a fixed-width stamp, to compare with the records' (as the API's since does)."""
    if since.tzinfo is None:
        since = since.astimezone()
    since = since.astimezone(UTC)
    return f"{since:%Y-%m-%dT%H:%M:%S}.{since.microsecond:06d}000Z".encode("ascii")


# ---- records ------------------------------------------------------------------------------------------


def chunks(segment: Segment, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """(offset, whole records) of ``segment`` from byte ``start``, each piece ending after a complete line.

    A piece never ends inside a line that Docker split (a record without a newline at the end of its
    text), so a piece's lines can be counted and parsed on their own; only a rotated file's last piece
    may end so (the line goes on in the next file). The live file ends where it ended when it was
    opened, at its last whole record: the rest is still being written.
    """
    handle = segment.handle
    handle.seek(start)
    offset, carry = start, b""
    remaining = segment.size - start if segment.size >= 0 else -1
    while remaining != 0:
        data = handle.read(CHUNK if remaining < 0 else min(CHUNK, remaining))
        if not data:
            break
        if remaining > 0:
            remaining -= len(data)
        if carry:
            data = carry + data
        cut = _last_line_end(data)
        if cut <= 0:
            carry = data
            continue
        yield offset, data if cut == len(data) else data[:cut]
        offset += cut
        carry = data[cut:]
    if not segment.live and carry:
        newline = carry.rfind(b"\n") + 1
        if newline:
            yield offset, carry[:newline]


def _last_line_end(data: bytes) -> int:
    """Just after the last record that ends a line (0: none in ``data``)."""
    end = len(data)
    while True:
        newline = data.rfind(b"\n", 0, end)
        if newline < 0:
            return 0
        start = data.rfind(b"\n", 0, newline) + 1
        if _complete(data[start:newline]):
            return newline + 1
        end = newline


def _complete(record: bytes) -> bool:
    """The record's text ends with a newline (it ends a line), exactly: a literal backslash-n does not."""
    sep = record.find(_SEP)
    if sep < 0 or not record.startswith(_PREFIX):
        raise NotJsonFile(record[:80])
    if record[sep - 1:sep] != b"n":
        return False
    at = sep - 2
    while at >= 8 and record[at] == 92:  # the backslashes before the n: an odd number escape it
        at -= 1
    return (sep - 2 - at) % 2 == 1


def count_lines(piece: bytes, since: bytes | None) -> int:
    """How many lines ``piece`` ends (records ending a line, at or after ``since`` when given).

    The fast way, byte counts over the whole piece, is exact when every record ends a line and none
    ends in a backslash; otherwise, and where ``since`` falls inside the piece, record by record.
    """
    records = piece.count(b"\n")
    if since is not None:
        seconds = _SECONDS.findall(piece)
        if len(seconds) == records and seconds and max(seconds) < since[:19]:
            return 0
        if len(seconds) != records or not seconds or min(seconds) <= since[:19]:
            return sum(1 for record in piece.split(b"\n")[:-1]
                       if _complete(record) and _stamp_of(record) >= since)
    if piece.count(_DONE) == records and _AMBIGUOUS not in piece:
        return records
    return sum(1 for record in piece.split(b"\n")[:-1] if _complete(record))


def _stamp_of(record: bytes) -> bytes:
    at = record.rfind(_TIME)
    close = record.find(b'"', at + 8)
    if at < 0 or close < 0:
        raise NotJsonFile(record[:80])
    return fixed_stamp(record[at + 8:close])


def records(piece: bytes, skip_lines: int, since: bytes | None) -> tuple[list[str], list[str], list[str]]:
    """The records of ``piece`` decoded: (stream, fixed-width stamp, text ending in a newline when it
    ends a line) each, the first ``skip_lines`` lines (with their split pieces) and records before
    ``since`` left out.

    The whole piece is decoded in one call: its records rewritten as JSON arrays (the keys' bytes
    cannot occur inside an escaped text) and read as one list; a piece of another shape (``attrs``
    from log options) is read record by record.
    """
    data = piece
    for old, new in _AS_ARRAYS:
        data = data.replace(old, new)
    try:
        rows = json.loads(b"[" + data[:-1] + b"]")
    except ValueError:
        rows = None
    if rows is None or len(rows) != piece.count(b"\n") or not all(len(row) == 3 for row in rows):
        rows = [_one_record(record) for record in piece.split(b"\n")[:-1]]
    if not rows:
        return [], [], []
    texts, sources, whens = map(list, zip(*rows, strict=True))
    if not _SOURCES.keys() >= set(sources):
        raise NotJsonFile(piece[:80])
    sources = list(map(_SOURCES.__getitem__, sources))
    fix = _fixed_text
    if not all(type(when) is str for when in whens) or not all(type(text) is str for text in texts):
        raise NotJsonFile(piece[:80])
    stamps = [when if len(when) == 30 else fix(when) for when in whens]
    if since is not None:
        cut = since.decode("ascii")
        if min(stamps) < cut:
            kept = [at for at, stamp in enumerate(stamps) if stamp >= cut]
            texts, sources, stamps = [texts[at] for at in kept], [sources[at] for at in kept], \
                [stamps[at] for at in kept]
    if skip_lines:
        start = 0
        while skip_lines and start < len(texts):
            if texts[start].endswith("\n"):
                skip_lines -= 1
            start += 1
        texts, sources, stamps = texts[start:], sources[start:], stamps[start:]
    return sources, stamps, texts


def _fixed_text(when: str) -> str:
    return fixed_stamp(when.encode("ascii")).decode("ascii")


_AS_ARRAYS = ((b'{"log":', b"["), (b',"stream":', b","), (b',"time":', b","), (b"}\n", b"],"))
_SOURCES = {"stdout": "stdout", "stderr": "stderr"}  # one string each, not one a line


def _one_record(record: bytes) -> tuple[str, str, str]:
    try:
        fields = json.loads(record)
        return fields["log"], fields["stream"], fields["time"]
    except (ValueError, KeyError, TypeError):
        raise NotJsonFile(record[:80]) from None


# ---- a window -----------------------------------------------------------------------------------------


def read_window(segments: list[Segment], emit: Callable[[list[str], list[str], list[str]], None], *,
                since: datetime | None, tail: int | None, keep: int | None,
                skipped: Callable[[int], None], closed: Callable[[], bool]) -> None:
    """Emit the window's records (the newest ``tail`` lines, at or after ``since``), oldest first.

    ``keep``: only the newest ``keep`` lines are emitted; ``skipped`` is told, before the first emit,
    how many lines of the window came before them (counted, never parsed). Without ``tail`` or
    ``keep`` every record is parsed, once.
    """
    stamp = since_stamp(since) if since is not None else None
    if tail is None and keep is None:
        for segment in segments:
            for _, piece in chunks(segment):
                if closed():
                    return
                emit(*records(piece, 0, stamp))
        return
    counted: list[tuple[int, int, int]] = []  # (segment, offset, lines ended) of every piece
    for index, segment in enumerate(segments):
        for offset, piece in chunks(segment):
            if closed():
                return
            counted.append((index, offset, count_lines(piece, stamp)))
    total = sum(lines for _, _, lines in counted)
    window = min(total, tail) if tail is not None else total
    emitted = min(window, keep) if keep is not None else window
    skip = total - emitted  # lines before the first one emitted
    first = 0
    while first < len(counted) and skip >= counted[first][2]:
        skip -= counted[first][2]
        first += 1
    if window > emitted:
        skipped(window - emitted)
    if first == len(counted):
        return
    while skip == 0 and first > 0 and counted[first - 1][2] == 0 and counted[first - 1][0] != counted[first][0]:
        first -= 1  # a rotated file's last piece, the start of a line that ends in the next file
    index, offset, _ = counted[first]
    for number in range(index, len(segments)):
        for _, piece in chunks(segments[number], offset if number == index else 0):
            if closed():
                return
            emit(*records(piece, skip, stamp))
            skip = 0
