"""The Logs pane's ring buffer: bounded, counted drops, filter views that survive drops."""

from __future__ import annotations

import gc

import pytest

from wbtui.ui.logring import LogRing, is_error, level_of, printable


def lines(start: int, count: int) -> list[tuple[str, str]]:
    return [("", f"line {i}" + (" ERROR boom" if i % 10 == 0 else "")) for i in range(start, start + count)]


def test_ring_keeps_the_newest_lines_and_counts_the_dropped_ones() -> None:
    ring = LogRing(capacity=100)
    ring.extend(lines(0, 250))
    assert ring.total == 100
    assert ring.dropped == 150
    assert ring.entry(0).text.startswith("line 150")
    assert ring.entry(99).text == "line 249"
    assert ring.next_seq == 250


def test_held_lines_are_nothing_the_garbage_collector_scans() -> None:
    """100k held lines as tracked tuples would make every young collection walk them once."""
    ring = LogRing(capacity=20_000)
    gc.collect()
    gc.disable()  # a collection would untrack the batch's tuples and hide what the ring keeps
    try:
        before = len(gc.get_objects(generation=0))
        batch = [(f"2024-05-01T10:00:{i % 60:02d}", f"line {i}") for i in range(10_000)]
        ring.extend(batch)
        del batch
        assert len(gc.get_objects(generation=0)) - before < 100
    finally:
        gc.enable()
    assert ring.entry(9_999).text == "line 9999" and ring.entry(0).timestamp == "2024-05-01T10:00:00"


def test_filter_view_drops_lines_that_fell_off_the_ring() -> None:
    ring = LogRing(capacity=100)
    ring.extend(lines(0, 50))
    ring.set_filter("error")
    assert ring.count() == 5
    ring.extend(lines(50, 100))  # lines 0..49 fall off
    assert [ring.entry(i).text for i in range(ring.count())] == [f"line {i} ERROR boom" for i in range(50, 150, 10)]


def test_regex_filter_and_bad_regex() -> None:
    ring = LogRing(capacity=10)
    ring.extend([("", "GET /ready 503"), ("", "GET /healthz 200"), ("", "POST /graphql 200")])
    ring.set_filter(r"^GET .* 200$", regex=True)
    assert ring.count() == 1
    with pytest.raises(ValueError, match="regular expression"):
        ring.set_filter("(unclosed", regex=True)
    ring.set_filter("(unclosed", regex=False)  # plain text: parentheses are just characters
    assert ring.count() == 0
    ring.set_filter("")
    assert ring.count() == 3


def test_paused_count_and_find_respect_the_limit() -> None:
    ring = LogRing(capacity=1000)
    ring.extend(lines(0, 30))
    limit = ring.next_seq
    ring.extend(lines(30, 30))
    assert ring.count(limit) == 30
    assert ring.find(0, True, is_error, limit) == 10
    assert ring.find(25, True, is_error, limit) is None
    assert ring.find(25, False, is_error, limit) == 20


def test_printable_never_lets_a_line_drive_the_terminal() -> None:
    raw = "a\x1b[31mred\x1b[0m\tb\x00c\x1b]0;title\x07d [b]not markup[/b]\r"
    assert printable(raw) == "ared    b\ufffdcd [b]not markup[/b]\ufffd"


@pytest.mark.parametrize(("text", "level"), [
    ("ERROR: lost connection to MySQL server", "error"),
    ('{"level":"error","msg":"x"}', "error"),
    ("level=warn msg=slow", "warning"),
    ("Warning: deprecated flag", "warning"),
    ("error_count=0 all good", ""),
    ("0 errors", ""),
])
def test_level_of(text: str, level: str) -> None:
    assert level_of(text) == level
