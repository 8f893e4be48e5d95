"""The ``[backup]`` settings' own grammar: retention ("7d"), the schedule, where backups live by default and how
their files are named (read by ``ops.backup`` and by the backup-age check, which may not import it).

The schedule is written the way systemd's ``OnCalendar=`` reads it (``daily``, ``Mon..Fri 02:30``,
``*-*-* 03:00:00``), because the timer is the main consumer; the Kubernetes CronJob needs the same moments in
cron syntax, so only the part of systemd's calendar language that cron can express is accepted (no seconds
other than 0, no years, no time zones, no weekday together with a day of the month: cron ORs those, systemd
ANDs them). ``tests/test_backup_schedule.py`` compares what this accepts with ``systemd-analyze calendar``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from .model import Config

BACKUP_ID = re.compile(r"wbtui-[A-Za-z0-9_-]+-\d{8}T\d{6}Z")
"""``wbtui-DATABASE-20261202T042252Z``: every file of one backup starts with it."""
VOLUME_SUFFIXES = (".vol.tar.zst", ".vol.tar.gz")
"""A /vol volume backup's archive (embedded stores): it stands where a dump does."""
DUMP_SUFFIXES = (".sql.zst", ".sql.gz", *VOLUME_SUFFIXES)
MANIFEST_SUFFIX = ".manifest.json"
"""Written last: a dump without one is an incomplete backup."""
VERIFY_SUFFIX = ".verify.json"
DEFAULT_KEEP_DAYS = 7
DAILY = timedelta(hours=26)
"""The newest backup is too old after this: the guide asks for daily backups, and 26 hours leaves a timer's random
delay and a slow dump some room (the Newest-backup check, the Overview's backup line, the metrics' alert rule)."""
SCHEDULE_EXAMPLE = "daily, weekly, '*-*-* 03:00:00' or 'Mon..Fri 02:30'"
_KEEP = re.compile(r"(\d+)\s*([hdw]?)")
_UNIT = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1), "": timedelta(days=1)}
_MAX_KEEP = timedelta(days=3660)


def parse_keep(text: str) -> timedelta:
    """``7d``, ``36h``, ``2w`` or a number of days; ValueError says the form."""
    match = _KEEP.fullmatch(text.strip().lower())
    if match is None or int(match[1]) == 0 or int(match[1]) > 100_000:
        raise ValueError(f"{text!r} is not a retention: give hours, days or weeks, e.g. 36h, 7d, 2w")
    keep = int(match[1]) * _UNIT[match[2]]
    if keep > _MAX_KEEP:
        raise ValueError(f"{text!r} is more than ten years: give hours, days or weeks, e.g. 36h, 7d, 2w")
    return keep


def split_name(name: str) -> tuple[str, str] | None:
    """A backup file's (ID, suffix); None for a file that is not one of a backup's."""
    for suffix in (*DUMP_SUFFIXES, MANIFEST_SUFFIX, VERIFY_SUFFIX):
        if name.endswith(suffix) and BACKUP_ID.fullmatch(name[: -len(suffix)]):
            return name[: -len(suffix)], suffix
    return None


def default_directory() -> Path:
    """``$XDG_DATA_HOME/wbtui/backups`` (``~/.local/share/wbtui/backups``)."""
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "wbtui" / "backups"


def directory(config: Config) -> Path:
    """``backup.directory``, or the default when it is empty."""
    text = config.backup.directory.strip()
    return Path(text).expanduser() if text else default_directory()


@dataclass(frozen=True)
class Schedule:
    """One schedule in both forms: the timer's ``OnCalendar=`` and the CronJob's ``schedule``."""

    on_calendar: str
    cron: str


class ScheduleError(ValueError):
    """A schedule that systemd would not read, or that cron cannot express; the message says what to write."""


_SHORTHANDS = {
    "hourly": Schedule("hourly", "0 * * * *"),
    "daily": Schedule("daily", "0 0 * * *"),
    "weekly": Schedule("weekly", "0 0 * * 1"),
    "monthly": Schedule("monthly", "0 0 1 * *"),
    "quarterly": Schedule("quarterly", "0 0 1 1,4,7,10 *"),
    "semiannually": Schedule("semiannually", "0 0 1 1,7 *"),
    "yearly": Schedule("yearly", "0 0 1 1 *"),
    "annually": Schedule("annually", "0 0 1 1 *"),
}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # systemd's week: Monday first, Sunday last
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NAMES = {name: i for names in (_DAYS, _FULL_DAYS) for i, name in enumerate(names)}
_ITEM = re.compile(r"(\d{1,2})(?:\.\.(\d{1,2})|/(\d{1,2}))?")


def _field(text: str, low: int, high: int, what: str) -> str:
    """One calendar component (``*``, ``3``, ``1,15``, ``1..5``, ``0/15``) as cron writes it."""
    if text == "*":
        return "*"
    items = []
    for item in text.split(","):
        match = _ITEM.fullmatch(item)
        if match is None:
            raise ScheduleError(f"{what} {item!r} is not a number, a range (1..5) or a repetition (0/15)")
        first = int(match[1])
        last = int(match[2]) if match[2] is not None else first
        if not (low <= first <= high and low <= last <= high) or last < first:
            raise ScheduleError(f"{what} {item!r} is outside {low}..{high}")
        if match[3] is not None:
            step = int(match[3])
            if step == 0:
                raise ScheduleError(f"{what} {item!r} repeats every 0")
            items.append(f"{first}-{high}/{step}")
        else:
            items.append(str(first) if last == first else f"{first}-{last}")
    return ",".join(items)


def _weekdays(text: str) -> str:
    """``Mon..Fri,Sun`` as cron's day-of-week numbers (Sunday 0; 7 is not accepted by every cron parser)."""
    days: set[int] = set()
    for item in text.split(","):
        first, _, last = item.lower().partition("..")
        if first not in _DAY_NAMES or (last and last not in _DAY_NAMES):
            raise ScheduleError(f"{item!r} is not a weekday (Mon, Tue ... Sun, or a range Mon..Fri)")
        a, b = _DAY_NAMES[first], _DAY_NAMES[last or first]
        if b < a:
            raise ScheduleError(f"{item!r} runs backwards: the week starts on Monday (Mon..Fri, Fri..Sun)")
        days.update((i + 1) % 7 for i in range(a, b + 1))
    return _ranges(sorted(days))


def _ranges(numbers: list[int]) -> str:
    """``[0, 1, 2, 3, 6]`` as ``0-3,6``."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ",".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def parse_schedule(text: str) -> Schedule:
    """``daily`` and the other shorthands, or ``[WEEKDAYS] [[*-]MM-DD] [HH:MM[:00]]``; ScheduleError otherwise."""
    value = " ".join(text.split())
    if not value:
        raise ScheduleError("the schedule is empty")
    if value.lower() in _SHORTHANDS:
        return _SHORTHANDS[value.lower()]
    if value.lower() == "minutely":
        raise ScheduleError("minutely would start a backup every minute; give daily, or a time such as 03:00")
    parts = value.split(" ")
    weekdays = "*"
    if parts and parts[0][:1].isalpha():
        weekdays = _weekdays(parts.pop(0))
    month = day = "*"
    hour = minute = "0"
    if parts and "-" in parts[0]:
        date = parts.pop(0).split("-")
        if len(date) == 3:
            if date[0] != "*":
                raise ScheduleError("a year cannot be scheduled in cron: write the date as *-MM-DD")
            date = date[1:]
        if len(date) != 2:
            raise ScheduleError(f"{'-'.join(date)!r} is not a date: write *-MM-DD, e.g. *-*-01 for the 1st")
        if "~" in date[1]:
            raise ScheduleError("the last days of a month (~) cannot be expressed in cron")
        month, day = _field(date[0], 1, 12, "month"), _field(date[1], 1, 31, "day")
    if parts and ":" in parts[0]:
        clock = parts.pop(0).split(":")
        if len(clock) not in (2, 3):
            raise ScheduleError(f"{':'.join(clock)!r} is not a time: write HH:MM, e.g. 03:00")
        if len(clock) == 3 and clock[2] not in ("0", "00"):
            raise ScheduleError("seconds other than 00 cannot be expressed in cron: write HH:MM")
        hour, minute = _field(clock[0], 0, 23, "hour"), _field(clock[1], 0, 59, "minute")
    if parts:
        raise ScheduleError(f"{parts[0]!r} is not understood (time zones are not supported: the timer runs "
                            "in the host's local time)")
    if weekdays != "*" and day != "*":
        raise ScheduleError("a weekday together with a day of the month cannot be expressed in cron (it "
                            "means either there): give one of them")
    if minute == "*":
        raise ScheduleError("every minute of an hour is not a backup schedule: give a minute, e.g. 03:00")
    return Schedule(value, f"{minute} {hour} {day} {month} {weekdays}")
