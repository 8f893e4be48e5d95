"""The backup schedule: what it accepts is what systemd reads, the cron form fires at the same moments as the
timer (compared with `systemd-analyze calendar`), and the rendered timer and one-shot service pass
`systemd-analyze verify`, hold no secret and are installed and enabled by `wbtui service install --backup`."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.config_samples import assert_no_canary, canary_config
from tests.test_runtime_systemd_render import verify
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.backup import ScheduleError, parse_schedule
from wbtui.runtime.docker import systemd_unit as systemd

BASE = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
ITERATIONS = 4
ACCEPTED = ("daily", "hourly", "weekly", "monthly", "quarterly", "semiannually", "yearly", "annually",
            "Mon..Fri 02:30", "*-*-* 03:00:00", "Sat,Sun 4:00", "Fri..Sun 1:00", "*-*-1/2 4:00", "*:0/15",
            "*-1,15 02:00", "mon 03:00", "Monday 1:00", "Mon,Wed..Fri 23:59", "*-*-* 0/6:00", "*-*-* 1..3:00",
            "*-07-04 12:00", "Sun")
NOT_CRON = ("*-*-* 03:00:30", "03:00 UTC", "Mon *-*-01 00:00", "2027-*-* 01:00", "*-*~01 00:00", "minutely")
NOT_SYSTEMD = ("1,15 02:00", "*-*-* */15:00", "bogus", "Sun..Sat 1:00", "Sat..Mon 1:00", "*-*-* 24:00",
               "*-13-01 1:00", "*-*-* 1:60")


def analyze_calendar(expression: str) -> list[datetime] | None:
    """The timer's next elapses after BASE, from systemd itself; None when systemd refuses the expression."""
    binary = shutil.which("systemd-analyze")
    if binary is None:
        pytest.fail("systemd-analyze is not installed; run scripts/test.sh (installs systemd)")
    done = subprocess.run([binary, "calendar", f"--iterations={ITERATIONS}", "--base-time=2026-01-01 00:00:00",
                           expression], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "TZ": "UTC", "SYSTEMD_COLORS": "0", "SYSTEMD_PAGER": ""})
    if done.returncode != 0:
        return None
    stamps = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC", done.stdout)
    return [datetime.fromisoformat(s).replace(tzinfo=UTC) for s in stamps]


def _cron_values(field: str, low: int, high: int) -> set[int]:
    out: set[int] = set()
    for item in field.split(","):
        span, _, step = item.partition("/")
        if span == "*":
            first, last = low, high
        else:
            first, _, end = span.partition("-")
            first, last = int(first), int(end or first)
        out.update(range(int(first), last + 1, int(step or 1)))
    return out


def cron_elapses(cron: str, start: datetime, count: int) -> list[datetime]:
    """The next ``count`` moments after ``start`` a standard 5-field cron line fires at (day by day, then by minute)."""
    minute, hour, day, month, weekday = cron.split()
    minutes, hours = sorted(_cron_values(minute, 0, 59)), sorted(_cron_values(hour, 0, 23))
    days, months, weekdays = _cron_values(day, 1, 31), _cron_values(month, 1, 12), _cron_values(weekday, 0, 6)
    assert "*" in (day, weekday), "cron ORs a day of the month with a weekday: never rendered"
    out: list[datetime] = []
    date = start.replace(hour=0, minute=0)
    while len(out) < count and date < start + timedelta(days=5 * 366):
        if date.day in days and date.month in months and date.isoweekday() % 7 in weekdays:
            out += [m for h in hours for mi in minutes if (m := date.replace(hour=h, minute=mi)) > start]
        date += timedelta(days=1)
    return out[:count]


@pytest.mark.tools
@pytest.mark.parametrize("expression", ACCEPTED)
def test_the_cron_form_fires_when_the_timer_does(expression: str) -> None:
    schedule = parse_schedule(expression)
    assert schedule.on_calendar == " ".join(expression.split())
    elapses = analyze_calendar(expression)
    assert elapses, f"systemd refuses {expression!r}"
    assert cron_elapses(schedule.cron, BASE, len(elapses)) == elapses, schedule.cron


@pytest.mark.tools
@pytest.mark.parametrize("expression", NOT_CRON)
def test_what_cron_cannot_say_is_refused_with_the_reason(expression: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression)
    assert re.search(r"cron|every minute|time zones", str(caught.value)), caught.value
    if expression != "minutely":
        assert analyze_calendar(expression) is not None  # systemd reads it: only cron cannot


@pytest.mark.tools
@pytest.mark.parametrize("expression", NOT_SYSTEMD)
def test_what_systemd_refuses_is_refused(expression: str) -> None:
    assert analyze_calendar(expression) is None
    with pytest.raises(ScheduleError):
        parse_schedule(expression)


@pytest.mark.tools
@pytest.mark.parametrize("schedule", ["daily", "Mon..Fri 02:30"])
def test_the_backup_units_verify_and_hold_no_secret(schedule: str, tmp_path: Path) -> None:
    config = canary_config()
    config.runtime.container_name = "w-and-b"
    config.backup.directory = "/srv/w and b%x/backups"
    units = systemd.render_units(config, Path("/etc/wbtui/config.toml"), parse_schedule(schedule))
    assert list(units) == ["w-and-b.service", "w-and-b-backup.service", "w-and-b-backup.timer"]
    for name, text in units.items():
        assert_no_canary(text)
        (tmp_path / name).write_text(text)
    for name in units:
        result = verify(units[name], name, tmp_path)
        assert result.returncode == 0 and result.stderr.strip() == "", f"{name}: {result.stderr}"
    service = units["w-and-b-backup.service"].splitlines()
    (start,) = [line for line in service if line.startswith("ExecStart=")]
    assert start == f"ExecStart={' '.join(systemd.wbtui_command())} --config /etc/wbtui/config.toml backup"
    assert "Type=oneshot" in service and "UMask=0077" in service and "NoNewPrivileges=yes" in service
    assert not any(line.startswith("Environment=") for line in service)  # backup.directory is set: nothing to say
    timer = units["w-and-b-backup.timer"].splitlines()
    assert f"OnCalendar={schedule}" in timer and "Persistent=true" in timer and "Unit=w-and-b-backup.service" in timer
    assert any(line.startswith("RandomizedDelaySec=") for line in timer) and "WantedBy=timers.target" in timer


@pytest.mark.tools
def test_a_broken_timer_fails_verify(tmp_path: Path) -> None:
    config = canary_config()
    text = systemd.render_backup_timer(config, parse_schedule("daily")).replace("OnCalendar=daily", "OnCalendar=bogus")
    (tmp_path / "wandb-local-backup.service").write_text(systemd.render_backup_service(config, Path("/c.toml")))
    assert verify(text, "wandb-local-backup.timer", tmp_path).returncode != 0


def test_the_default_directory_is_the_renderers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data home"))
    text = systemd.render_backup_service(canary_config(), Path("/etc/wbtui/config.toml"), ["/usr/bin/wbtui"])
    assert f'Environment="XDG_DATA_HOME={tmp_path}/data home"' in text.splitlines()


def test_render_systemd_with_backup_prints_and_writes_all_three(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    store.save(canary_config(), path)
    assert main(["--config", str(path), "render", "systemd", "--backup", "daily", "--wbtui", "/usr/bin/wbtui"]) == 0
    out = capsys.readouterr().out
    for name in ("wandb-local.service", "wandb-local-backup.service", "wandb-local-backup.timer"):
        assert f"# ==> /etc/systemd/system/{name} <==" in out
    assert f"ExecStart=/usr/bin/wbtui --config {path} backup" in out
    unit = tmp_path / "out" / "wandb-local.service"
    unit.parent.mkdir()
    assert main(["--config", str(path), "render", "systemd", "--backup", "weekly", "-o", str(unit)]) == 0
    assert "ExecStart=/usr/bin/docker run" in unit.read_text() and "==>" not in unit.read_text()
    assert "OnCalendar=weekly" in (unit.parent / "wandb-local-backup.timer").read_text()
    assert "Type=oneshot" in (unit.parent / "wandb-local-backup.service").read_text()
    capsys.readouterr()
    # no --backup and no backup.schedule: the container's unit alone, as before
    assert main(["--config", str(path), "render", "systemd", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "units" not in data and "backup" not in data["text"]


def test_render_systemd_uses_the_configured_schedule_and_refuses_a_bad_one(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    config = canary_config()
    config.backup.schedule = "Sat,Sun 4:00"
    store.save(config, path)
    assert main(["--config", str(path), "render", "systemd", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "OnCalendar=Sat,Sun 4:00" in data["units"]["wandb-local-backup.timer"]
    assert main(["--config", str(path), "render", "systemd", "--backup", ""]) == 0
    assert "backup" not in capsys.readouterr().out  # '' turns the configured schedule off
    assert main(["--config", str(path), "render", "systemd", "--backup", "03:00 UTC"]) == 2
    err = capsys.readouterr().err
    assert "--backup" in err and "time zones" in err and "daily" in err


def test_service_install_backup_writes_and_enables_the_timer(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = canary_config()
    path = tmp_path / "config.toml"
    store.save(config, path)
    root = tmp_path / "root"
    assert main(["--config", str(path), "service", "install", "--backup", "daily", "--root", str(root), "--yes"]) == 0
    out = capsys.readouterr().out
    units = root / "etc/systemd/system"
    service, timer = units / "wandb-local-backup.service", units / "wandb-local-backup.timer"
    for unit in (service, timer, units / "wandb-local.service"):
        assert stat.S_IMODE(unit.stat().st_mode) == 0o644
        assert_no_canary(unit.read_text())
    assert f"--config {path} backup" in service.read_text() and "OnCalendar=daily" in timer.read_text()
    wants = units / "timers.target.wants/wandb-local-backup.timer"
    assert wants.is_symlink() and os.readlink(wants) == "/etc/systemd/system/wandb-local-backup.timer"
    assert (units / "multi-user.target.wants/wandb-local.service").is_symlink()
    assert f"backup:   {service}" in out and "backups daily by wandb-local-backup.timer" in out
    assert "enabled them for boot, but did not start them" in out
    assert_no_canary(out)


def test_service_install_refuses_a_bad_schedule_before_writing(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    config = canary_config()
    config.backup.schedule = "*-*-* 03:00:30"
    path = tmp_path / "config.toml"
    store.save(config, path)
    root = tmp_path / "root"
    assert main(["--config", str(path), "service", "install", "--root", str(root), "--yes"]) == 2
    assert "backup.schedule" in capsys.readouterr().err and not root.exists()
