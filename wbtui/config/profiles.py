"""Named profiles: one config file per W&B Server an operator runs (staging, prod).

The default config (``$XDG_CONFIG_HOME/wbtui/config.toml``) is the profile ``default``; every other profile
is ``$XDG_CONFIG_HOME/wbtui/profiles/NAME.toml``, a config file like any other (same format, same 0600 and
locking rules), so `wbtui --config` and `wbtui --profile` reach the same files.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .store import default_path

DEFAULT = "default"
CONFIG_VARIABLE = "WBTUI_CONFIG"
PROFILE_VARIABLE = "WBTUI_PROFILE"
NAME_RULE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
"""Lower-case letters, digits, '-' and '_', at most 63: safe as a file name and as a systemd unit suffix."""


class ProfileError(ValueError):
    """A profile name that cannot be one (the message says the rule)."""


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path

    @property
    def exists(self) -> bool:
        return self.path.is_file()


def profiles_dir() -> Path:
    return default_path().parent / "profiles"


def check_name(name: str) -> str:
    if not NAME_RULE.fullmatch(name):
        raise ProfileError(f"profile name {name!r}: use lower-case letters, digits, '-' and '_' "
                           "(at most 63, starting with a letter or digit)")
    return name


def profile_path(name: str) -> Path:
    """The config file of profile ``name`` (it need not exist yet)."""
    if check_name(name) == DEFAULT:
        return default_path()
    return profiles_dir() / f"{name}.toml"


def list_profiles() -> list[Profile]:
    """``default`` first when its file exists, then every ``profiles/*.toml`` with a valid name, by name."""
    found = [Profile(DEFAULT, default_path())] if default_path().is_file() else []
    folder = profiles_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            if path.stem != DEFAULT and NAME_RULE.fullmatch(path.stem) and path.is_file():
                found.append(Profile(path.stem, path))
    return found


def name_of(path: Path) -> str | None:
    """The profile a config path is, or None for a file outside the profiles (``--config /etc/...``)."""
    resolved = path.expanduser().absolute()
    if resolved == default_path().absolute():
        return DEFAULT
    if resolved.parent == profiles_dir().absolute() and resolved.suffix == ".toml" and \
            NAME_RULE.fullmatch(resolved.stem):
        return resolved.stem
    return None


@dataclass(frozen=True)
class Selection:
    """Which config file this run uses, and what chose it (for `profile list` and error messages)."""

    path: Path
    profile: str | None
    """The profile that file is (None for a file outside the profiles)."""
    source: str
    """``--config``, ``--profile``, ``WBTUI_CONFIG``, ``WBTUI_PROFILE`` or ``default``."""


def select(config: str | None = None, profile: str | None = None,
           environ: Mapping[str, str] | None = None) -> Selection:
    """The config file of this run: ``--config``, else ``--profile``, else $WBTUI_CONFIG, else $WBTUI_PROFILE,
    else the default. Both options, or both variables (with neither option), is ambiguous: ProfileError."""
    environ = os.environ if environ is None else environ
    if config and profile:
        raise ProfileError("give either --config or --profile, not both")
    if config:
        path = Path(config).expanduser()
        return Selection(path, name_of(path), "--config")
    if profile:
        return Selection(profile_path(profile), profile, "--profile")
    from_env, named = environ.get(CONFIG_VARIABLE), environ.get(PROFILE_VARIABLE)
    if from_env and named:
        raise ProfileError(f"both {CONFIG_VARIABLE} and {PROFILE_VARIABLE} are set: unset one (or pass --config "
                           "or --profile)")
    if from_env:
        path = Path(from_env).expanduser()
        return Selection(path, name_of(path), CONFIG_VARIABLE)
    if named:
        try:
            return Selection(profile_path(named), named, PROFILE_VARIABLE)
        except ProfileError as exc:
            raise ProfileError(f"{PROFILE_VARIABLE}: {exc}") from None
    return Selection(default_path(), DEFAULT, "default")
