"""The [backup] config section: set and validated like every setting, shown in the Config pane, and the defaults
`wbtui backup` uses when no flag is given (flags still win)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.test_backup_fixtures import build, write_config
from tests.ui_support import make_app, ready, wait_text
from wbtui.cli import main
from wbtui.config import backup, store
from wbtui.config.model import Config, set_value
from wbtui.config.validate import validate
from wbtui.ops.backup import retention

REPO = Path(__file__).resolve().parent.parent


def run(path: Path, *args: str) -> int:
    return main(["--config", str(path), *args])


def test_config_set_saves_and_reads_back_every_backup_setting(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    for key, value in (("backup.keep", "14d"), ("backup.directory", str(tmp_path / "b")), ("backup.prefix", "db/"),
                       ("backup.schedule", "Mon..Fri 02:30"), ("backup.image", "mysql:8.4"),
                       ("backup.claim_size", "50Gi")):
        assert run(path, "config", "set", key, value) == 0, capsys.readouterr().err
    saved = store.load(path)
    assert (saved.backup.keep, saved.backup.prefix, saved.backup.schedule) == ("14d", "db/", "Mon..Fri 02:30")
    assert backup.directory(saved) == tmp_path / "b"
    assert "[backup]" in path.read_text()
    capsys.readouterr()
    assert run(path, "config", "show", "--json") == 0
    shown = json.dumps(json.loads(capsys.readouterr().out))
    assert "backup.keep" in shown and "14d" in shown
    assert run(path, "config", "unset", "backup.keep") == 0
    assert store.load(path).backup.keep == "7d"


@pytest.mark.parametrize(("key", "value", "said"), [
    ("backup.keep", "soon", "give hours, days or weeks, e.g. 36h, 7d, 2w"),
    ("backup.schedule", "03:00 UTC", "time zones are not supported"),
    ("backup.schedule", "Mon *-*-01 03:00", "cannot be expressed in cron"),
    ("backup.schedule", "*-*-* 03:00:30", "seconds other than 00"),
    ("backup.directory", "relative/dir", "is relative"),
    ("backup.prefix", "/abs", "is not a key prefix"),
    ("backup.image", "mysql", "with a tag"),
])
def test_a_bad_value_is_refused_with_what_to_write(key: str, value: str, said: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    assert run(path, "config", "set", key, value) == 1
    err = capsys.readouterr().err
    assert said in err and f"wbtui config set {key}" in err
    assert not path.exists() or getattr(store.load(path).backup, key.split(".")[1]) != value


def test_a_short_retention_warns_and_to_bucket_needs_a_bucket() -> None:
    config = Config()
    set_value(config, "backup.keep", "2d")
    set_value(config, "backup.to_bucket", "true")
    found = {f.field: f for f in validate(config) if f.field.startswith("backup.")}
    assert found["backup.keep"].severity == "warning" and "week" in found["backup.keep"].message
    assert found["backup.to_bucket"].severity == "error" and "BUCKET" in found["backup.to_bucket"].fix
    assert [f for f in validate(Config()) if f.field.startswith("backup.")] == []


def test_unknown_backup_keys_are_named_with_the_closest() -> None:
    unknown = store.unknown_keys({"backup": {"kepe": "7d"}})
    assert [(u.key, u.closest) for u in unknown] == [("backup.kepe", "backup.keep")]


def test_the_retention_parser_is_one() -> None:
    assert retention.parse_keep is backup.parse_keep
    assert backup.parse_keep("36h") == timedelta(hours=36) and backup.parse_keep("2w") == timedelta(weeks=2)
    for bad in ("0d", "7x", "", "99999w"):
        with pytest.raises(ValueError):
            backup.parse_keep(bad)


def test_the_default_directory_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert backup.directory(Config()) == tmp_path / "wbtui" / "backups"
    config = Config()
    config.backup.directory = "~/bk"
    assert backup.directory(config) == Path(os.path.expanduser("~/bk"))


async def test_the_config_pane_shows_the_backup_section(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("end")  # the last section: Backup
        await wait_text(pilot, "Backup", "backup.keep", "backup.schedule", "7d", "wbtui-backups/")


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wbtui", "--config", str(config), *args], capture_output=True,
                          text=True, cwd=REPO, timeout=120)


@pytest.mark.mysql
def test_wbtui_backup_uses_the_configured_directory_and_keep_and_flags_win(mariadb: Any, mysql_scratch: Any,
                                                                          tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    config = db.config()
    config.backup.directory = str(tmp_path / "configured")
    config.backup.keep = "soon"  # refused only when used: the flag below overrides it
    path = write_config(tmp_path / "config.toml", config)
    bad = _cli(path, "backup")
    assert bad.returncode == 2 and "backup.keep" in bad.stderr and "7d" in bad.stderr
    made = _cli(path, "backup", "--json", "--keep", "3d")
    assert made.returncode == 0, made.stderr
    report = json.loads(made.stdout)
    assert report["stored"] == [f"{tmp_path / 'configured'}/{report['manifest']['file']}"]
    listed = json.loads(_cli(path, "backup", "list", "--json").stdout)
    assert [b["id"] for b in listed["backups"]] == [report["id"]]
    other = _cli(path, "backup", "--json", "--keep", "3d", "--to", str(tmp_path / "flag"))
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout)["stored"][0].startswith(f"{tmp_path / 'flag'}/")
