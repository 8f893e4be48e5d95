"""Profiles are config files under the XDG config dir: names checked, listed default first, found back."""

from __future__ import annotations

from pathlib import Path

import pytest

from wbtui.config import profiles


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    return tmp_path / "wbtui"


def test_paths_and_the_list(config_home: Path) -> None:
    assert profiles.profile_path("default") == config_home / "config.toml"
    assert profiles.profile_path("prod") == config_home / "profiles" / "prod.toml"
    assert profiles.list_profiles() == []
    (config_home / "profiles").mkdir(parents=True)
    for name in ("staging", "prod", "Bad Name", "default"):
        (config_home / "profiles" / f"{name}.toml").write_text("")
    (config_home / "config.toml").write_text("")
    assert [p.name for p in profiles.list_profiles()] == ["default", "prod", "staging"]
    assert profiles.name_of(config_home / "profiles" / "prod.toml") == "prod"
    assert profiles.name_of(config_home / "config.toml") == "default"
    assert profiles.name_of(Path("/etc/wbtui/config.toml")) is None


@pytest.mark.parametrize("name", ["", "../etc", "Prod", "a/b", "-x", "x" * 64, "prod.toml"])
def test_a_name_that_cannot_be_a_file_is_refused(config_home: Path, name: str) -> None:
    with pytest.raises(profiles.ProfileError, match="lower-case letters"):
        profiles.profile_path(name)
