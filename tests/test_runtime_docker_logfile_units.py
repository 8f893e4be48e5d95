"""The json-file reader's edge cases, on records written as Docker's jsonlog writer writes them."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from wbtui.runtime.docker import logfile
from wbtui.runtime.docker.logfile import NotJsonFile, Segment, chunks, count_lines, fixed_stamp, records


def record(text: str, stamp: str = "2026-05-01T10:00:00.123456789Z", stream: str = "stdout",
           attrs: dict[str, str] | None = None) -> bytes:
    """One line of a json-file log, keys in Docker's order (log, stream, attrs, time), HTML escaped as Go does."""
    fields: dict[str, object] = {"log": text, "stream": stream}
    if attrs:
        fields["attrs"] = attrs
    fields["time"] = stamp
    encoded = json.dumps(fields, separators=(",", ":"), ensure_ascii=False)
    return encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode() + b"\n"


def test_docker_times_become_the_apis_fixed_width_stamps() -> None:
    assert fixed_stamp(b"2026-05-01T10:00:00.123456789Z") == b"2026-05-01T10:00:00.123456789Z"
    assert fixed_stamp(b"2026-05-01T10:00:00.1234Z") == b"2026-05-01T10:00:00.123400000Z"  # zeros cut by Go
    assert fixed_stamp(b"2026-05-01T10:00:00Z") == b"2026-05-01T10:00:00.000000000Z"
    with pytest.raises(NotJsonFile):  # Docker writes UTC only: another shape is not its file
        fixed_stamp(b"2026-05-01T10:00:00+02:00")


def test_lines_are_counted_exactly_when_docker_split_one_or_a_text_ends_in_a_backslash() -> None:
    whole = record("a\n") + record("b & <c>\n")
    assert count_lines(whole, None) == 2
    split = record("x" * 10) + record("y\n")  # one line in two pieces: the first has no newline
    assert count_lines(split, None) == 1
    literal = record("ends in backslash-n: \\n")  # a partial piece whose text ends in a literal \n
    assert count_lines(literal + record("rest\n"), None) == 1
    backslash = record("ends in a backslash\\\n")  # a whole line ending in a literal backslash
    assert count_lines(backslash, None) == 1


def test_since_counts_and_keeps_only_records_at_or_after_it() -> None:
    piece = b"".join(record(f"line {i}\n", f"2026-05-01T10:00:0{i}.5Z") for i in range(6))
    since = b"2026-05-01T10:00:03.500000000Z"
    assert count_lines(piece, since) == 3
    sources, stamps, texts = records(piece, 1, since)  # the first line at or after since left out
    assert texts == ["line 4\n", "line 5\n"]
    assert stamps == ["2026-05-01T10:00:04.500000000Z", "2026-05-01T10:00:05.500000000Z"]
    assert sources == ["stdout", "stdout"]


def test_records_decode_escapes_streams_and_attrs() -> None:
    piece = record('say "hi"\t\u00e9 & <b>\n', stream="stderr") + record("plain\n")
    assert records(piece, 0, None) == (["stderr", "stdout"],
                                       ["2026-05-01T10:00:00.123456789Z"] * 2,
                                       ['say "hi"\t\u00e9 & <b>\n', "plain\n"])
    labelled = record("with labels\n", attrs={"app": "wandb"}) + record("and again\n")  # --log-opt labels=...
    assert records(labelled, 0, None)[2] == ["with labels\n", "and again\n"]


def test_a_file_of_another_shape_is_refused() -> None:
    podman = b"2026-05-01T10:00:00.123456789+00:00 stdout F a podman k8s-file line\n"
    with pytest.raises(NotJsonFile):
        count_lines(podman, None)
    with pytest.raises(NotJsonFile):
        records(podman, 0, None)
    with pytest.raises(NotJsonFile):
        records(record("x\n", stream="journal"), 0, None)


def test_pieces_never_end_inside_a_split_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logfile, "CHUNK", 64)  # every read ends inside a record
    body = b"".join(record(f"{i:03d}" + ("\n" if i % 3 == 2 else "")) for i in range(30))
    path = tmp_path / "c-json.log"
    path.write_bytes(body + b'{"log":"being writ')  # the live file's last record is still being written
    with path.open("rb", buffering=0) as handle:
        pieces = list(chunks(Segment(str(path), handle, path.stat().st_size, False, live=True)))
    assert b"".join(piece for _, piece in pieces) == body
    assert all(count_lines(piece, None) >= 1 for _, piece in pieces)
    assert [offset for offset, _ in pieces] == [sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))]


def test_a_rotated_gzip_file_before_since_is_left_out_by_its_header(tmp_path: Path) -> None:
    live = tmp_path / "c-json.log"
    live.write_bytes(record("new\n", "2026-05-01T12:00:00Z"))
    old = gzip.compress(record("old\n", "2026-05-01T10:00:00Z"), mtime=0)
    extra = json.dumps({"lastTime": "2026-05-01T10:00:00Z"}).encode()
    header = bytearray(old[:10])
    header[3] |= 0x04  # FEXTRA, as Docker writes it
    (tmp_path / "c-json.log.1.gz").write_bytes(bytes(header) + len(extra).to_bytes(2, "little") + extra + old[10:])
    from datetime import UTC, datetime

    kept = logfile._open_all(str(live), datetime(2026, 5, 1, 11, 0, tzinfo=UTC))
    everything = logfile._open_all(str(live), None)
    assert kept is not None and everything is not None
    try:
        assert [s.name for s in kept] == [str(live)]
        assert [s.name for s in everything] == [f"{live}.1.gz", str(live)]
        assert [t for s in everything for _, piece in chunks(s) for t in records(piece, 0, None)[2]] == [
            "old\n", "new\n"]
    finally:
        for segment in [*kept, *everything]:
            segment.close()
