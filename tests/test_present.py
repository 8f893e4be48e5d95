"""The wording the CLI and the dashboard share: sizes, durations, status lines and log windows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.timezones import host_timezone
from wbtui.present.durations import ago, duration, stale
from wbtui.present.sizes import size
from wbtui.present.status import Line, state_tone, status_lines
from wbtui.present.windows import parse_since, parse_window
from wbtui.runtime.base import PodStatus, ResourceUsage, ServerStatus

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def new_york() -> Iterator[None]:
    """The host's local time is New York (UTC-4 in May), so local and UTC readings differ."""
    with host_timezone("America/New_York"):
        yield


@pytest.mark.parametrize(("num", "text"), [(None, "-"), (0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"),
                                           (8 * 2**30, "8.0 GiB"), (3 * 2**40, "3.0 TiB"), (2**50, "1024.0 TiB")])
def test_size(num: int | None, text: str) -> None:
    assert size(num) == text


@pytest.mark.parametrize(("seconds", "text"), [(None, "-"), (0, "0s"), (59.4, "59s"), (192, "3m12s"),
                                               (7500, "2h05m"), (93_784, "1d02h"), (-3, "0s")])
def test_duration(seconds: float | None, text: str) -> None:
    assert duration(seconds) == text


@pytest.mark.parametrize(("seconds", "text"), [(None, "-"), (-5, "just now"), (9.9, "just now"), (47, "40s ago"),
                                               (61, "1m ago"), (3599, "59m ago"), (7300, "2h ago"),
                                               (4 * 86400 + 5, "4d ago")])
def test_ago_is_coarse_so_a_shown_age_changes_rarely(seconds: float | None, text: str) -> None:
    assert ago(seconds) == text


def test_state_tones() -> None:
    assert [state_tone(s) for s in ("running", "restarting", "pending", "exited", "dead", "whatever")] == \
        ["good", "warn", "warn", "bad", "bad", "bad"]


def test_status_lines_of_a_running_container() -> None:
    status = ServerStatus("docker", "wandb-local", True, "running", "healthy", True, 1,
                          datetime(2024, 5, 1, 9, 0, tzinfo=UTC), 11_040.0, "wandb/local:0.59.2",
                          ["127.0.0.1:8080->8080/tcp"])
    rows = status_lines(status, ResourceUsage(37.5, 2 * 2**30, 8 * 2**30))
    assert rows == [
        Line("wandb-local (docker): running, up 3h04m, 1 restart (automatic)", "good"),
        Line("  image    wandb/local:0.59.2"),
        Line("  ports    127.0.0.1:8080->8080/tcp"),
        Line("  health   healthy, ready"),
        Line("  started  2024-05-01 09:00:00 UTC (3h04m ago)"),
        Line("  cpu      37.5%   memory 2.0 GiB / 8.0 GiB"),
    ]
    unknown = status_lines(status, ResourceUsage(None, None))[-1]
    assert unknown == Line("  cpu      -   memory -")


def test_status_lines_of_an_ended_server_with_pods() -> None:
    status = ServerStatus("kubernetes", "wandb", True, "crashloop", exit_code=137, reason="OOMKilled",
                          message="back-off restarting", oom_killed=True, restart_count=4,
                          pods=[PodStatus("wandb-1", "Running", False, 4, "CrashLoopBackOff")])
    rows = status_lines(status)
    assert rows[0] == Line("wandb (kubernetes): crashloop, 4 restarts (automatic)", "bad", strong=True)
    assert Line("  reason   OOMKilled, exit code 137", "warn") in rows
    assert Line("  message  back-off restarting", "warn") in rows
    assert rows[-2].tone == "bad" and "raise runtime.memory_limit" in rows[-2].text
    assert rows[-1] == Line("  pod wandb-1: Running, 4 restarts CrashLoopBackOff")
    assert all("pod" not in row.text for row in status_lines(status, pods=False))


def test_status_lines_of_nothing_deployed() -> None:
    status = ServerStatus("docker", "wandb-local", False, message="no container 'wandb-local' (run `wbtui up`)")
    assert status_lines(status) == [Line("wandb-local (docker): not deployed", "warn", strong=True),
                                    Line("  no container 'wandb-local' (run `wbtui up`)")]


@pytest.mark.parametrize(("text", "back"), [("90s", 90), ("10m", 600), ("10M", 600), ("2h", 7200), ("1d", 86400),
                                            ("1h30m", 5400), ("1.5h", 5400), (" 2d ", 172_800)])
def test_durations_count_back_from_now(text: str, back: float) -> None:
    assert parse_since(text, NOW) == NOW - timedelta(seconds=back)


def test_times_with_a_zone_keep_it(new_york: None) -> None:
    assert parse_since("2024-05-01T10:00Z") == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert parse_since("2024-05-01t10:00+02:00") == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert parse_since("2024-05-01T10:00+02:00").utcoffset() == timedelta(hours=2)


def test_a_time_without_a_zone_is_local(new_york: None) -> None:
    """As docker logs --since and journalctl --since read it: 10:00 in New York is 14:00 UTC."""
    for text in ("2024-05-01T10:00", "2024-05-01 10:00", "2024-05-01t10:00:00"):
        since = parse_since(text)
        assert since == datetime(2024, 5, 1, 14, 0, tzinfo=UTC)
        assert since.utcoffset() == timedelta(hours=-4)
    assert parse_window("2024-05-01T10:00") == (None, datetime(2024, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=-4))))


def test_windows() -> None:
    assert parse_window("all") == (None, None) and parse_window(" ALL ") == (None, None)
    assert parse_window("500") == (500, None)
    assert parse_window("10m", NOW) == (None, NOW - timedelta(minutes=10))
    assert parse_window("1h30m", NOW) == (None, NOW - timedelta(minutes=90))


@pytest.mark.parametrize("text", ["", "soon", "10x", "5 minutes", "2024-13-01", "m10"])
def test_nonsense_is_refused_with_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError, match="neither a duration"):
        parse_since(text)
    with pytest.raises(ValueError, match=r"a line count \(500\), a window"):
        parse_window(text)


def test_a_count_is_no_moment() -> None:
    with pytest.raises(ValueError):
        parse_since("500")


def test_since_durations_and_times() -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_since("10m", now) == now - timedelta(minutes=10)
    assert parse_since("1h30m", now) == now - timedelta(hours=1, minutes=30)
    assert parse_since("2d", now) == now - timedelta(days=2)
    assert parse_since("2026-05-01T10:00:00+00:00") == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert parse_since("2026-05-01T10:00").tzinfo is not None
    with pytest.raises(ValueError, match="neither a duration"):
        parse_since("yesterday")


def test_parse_window(new_york: None) -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_window("500", now) == (500, None)
    assert parse_window("10m", now) == (None, now - timedelta(minutes=10))
    assert parse_window("all", now) == (None, None)
    assert parse_window("2024-05-01T10:00", now) == (None, datetime(2024, 5, 1, 14, 0, tzinfo=UTC))  # local
    with pytest.raises(ValueError, match="line count"):
        parse_window("yesterday", now)


def test_a_result_is_stale_after_two_missed_rechecks_or_a_quarter_hour_without_a_schedule() -> None:
    assert not stale(11 * 60, 5) and stale(11 * 60 + 1, 5)
    assert not stale(15 * 60, 0) and stale(15 * 60 + 1, 0)
