"""What the dashboard is editing: the saved config, the draft and the read-only rule.

The Config pane edits ``draft``; everything that acts on the server (checks,
deploy, probes) uses ``saved``, so an unsaved edit never reaches production by
accident. ``saved`` is the file as last read or written; ``stamp`` tells when the
file changed since (a `wbtui config set` from another shell), and ``rebase`` takes
such a change while keeping the draft's own edits. No Textual here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from ..config import environment, store
from ..config.masking import Redactor, mask_value, screen
from ..config.model import FIELDS, Config, get_value, is_env_key, spec_for

Stamp = tuple[int, int, int] | None
"""A file's (mtime_ns, size, inode), or None when there is no file: cheap to read, changes on every write."""


def file_stamp(path: Path) -> Stamp:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


@dataclass
class Rebased:
    """What taking a newer file changed: the keys it changed, the draft edits kept over it, the masked diff."""

    changed: list[str]
    kept: list[str]
    conflicts: list[str]
    """Kept edits of keys the file changed too: the draft wins until saved or reverted."""
    diff: list[str]


@dataclass
class Session:
    config_path: Path
    saved: Config
    read_only_flag: bool = False
    file_exists: bool = True
    stamp: Stamp = None
    draft: Config = field(init=False)
    unknown: list[store.UnknownKey] = field(init=False, default_factory=list)
    """Keys in the file no setting reads (a typo such as HSOT), as last read: the dashboard warns of them."""
    kept_over_file: list[str] = field(init=False, default_factory=list)
    """Draft edits kept over a newer value in the file (see ``rebase``); cleared by a save or revert."""
    overrides: list[environment.Override] = field(default_factory=list)
    """The WBTUI_<KEY> variables of this process: ``saved`` and ``draft`` hold their values, the file never."""

    def __post_init__(self) -> None:
        self.draft = self.saved.copy()

    @classmethod
    def open(cls, config_path: Path, read_only: bool = False) -> Session:
        """Load the config file (defaults when it does not exist yet)."""
        stamp = file_stamp(config_path)
        config, unknown = store.read(config_path)
        found = environment.overrides()  # a bad value: EnvironmentValueError, a ConfigFileError naming the variable
        session = cls(config_path, environment.apply(config, found), read_only, store.exists(config_path), stamp,
                      overrides=found)
        session.unknown = unknown
        return session

    def effective(self, disk: Config) -> Config:
        """The file's config as this dashboard uses it: with the environment's values over it."""
        return environment.apply(disk, self.overrides)

    def for_file(self, config: Config, disk: Config) -> Config:
        """What a save writes of ``config`` over the file now holding ``disk``: the environment's values left out."""
        return environment.file_values(config, disk, self.overrides)

    def from_environment(self) -> dict[str, str]:
        """Setting key -> the WBTUI_<KEY> variable that gives its value."""
        return environment.sources(self.overrides)

    @property
    def read_only(self) -> bool:
        return self.read_only_flag or self.saved.app.read_only

    @property
    def dirty(self) -> bool:
        return store.dumps(self.draft) != store.dumps(self.saved)

    def redactor(self) -> Redactor:
        """Scrubs the secrets of both the saved config and the draft."""
        return screen(self.saved, self.draft)

    def mark_saved(self, config: Config, stamp: Stamp = None) -> None:
        """``config`` was written to the file (by a worker): it is what actions use from now on."""
        self.saved = config.copy()
        self.file_exists = True
        self.stamp = stamp
        self.kept_over_file = []

    def revert(self) -> None:
        self.draft = self.saved.copy()
        self.kept_over_file = []

    def edited_keys(self) -> set[str]:
        """Settings (and ``env.NAME`` keys) where the draft differs from the saved config."""
        saved, draft = raw_settings(self.saved), raw_settings(self.draft)
        return {key for key in saved.keys() | draft.keys() if saved.get(key) != draft.get(key)}

    def rebase(self, disk: Config, exists: bool, stamp: Stamp) -> Rebased:
        """The file now holds ``disk``: take it as saved, and as the draft except where the draft was edited."""
        before, after = raw_settings(self.saved), raw_settings(disk)
        changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
        edited = self.edited_keys()
        draft = disk.copy()
        for key in edited:
            if is_env_key(key):
                name = key[4:]
                if name in self.draft.env:
                    draft.env[name] = self.draft.env[name]
                else:
                    draft.env.pop(name, None)
            else:
                spec = spec_for(key)
                assert spec is not None
                value = copy.deepcopy(getattr(getattr(self.draft, spec.section), spec.attr))
                setattr(getattr(draft, spec.section), spec.attr, value)
        conflicts = sorted(edited & set(changed))
        self.saved, self.draft, self.file_exists, self.stamp = disk, draft, exists, stamp
        self.kept_over_file = sorted((set(self.kept_over_file) | set(conflicts)) & self.edited_keys())
        return Rebased(changed, sorted(edited), conflicts, settings_diff(before, after, "loaded", "on disk"))


def raw_settings(config: Config) -> dict[str, str]:
    """Every setting and extra env variable by key, as text (secrets still in clear)."""
    out: dict[str, str] = {}
    for spec in FIELDS:
        value = get_value(config, spec.key)
        out[spec.key] = "" if value is None else str(value)
    for name, value in config.env.items():
        out[f"env.{name}"] = value
    return out


def settings_diff(old: dict[str, str], new: dict[str, str], old_label: str, new_label: str) -> list[str]:
    """A unified diff of ``key = value`` lines with secrets masked.

    A secret that changed but masks the same is marked ``(secret changed)``, so
    the diff never hides a change and never shows the secret.
    """
    def shown(values: dict[str, str], before: dict[str, str] | None = None) -> list[str]:
        lines = []
        for key, value in sorted(values.items()):
            masked = mask_value(key, value)
            if before is not None and key in before and before[key] != value \
                    and masked == mask_value(key, before[key]):
                masked += " (secret changed)"
            lines.append(f"{key} = {masked}")
        return lines

    import difflib

    return list(difflib.unified_diff(shown(old), shown(new, old), old_label, new_label, lineterm="", n=0))


def draft_vs_saved(session: Session) -> list[str]:
    return settings_diff(raw_settings(session.saved), raw_settings(session.draft), "saved", "draft")


def draft_vs_file(session: Session, disk: Config) -> list[str]:
    """How the draft differs from the config file as it is on disk now."""
    return settings_diff(raw_settings(disk), raw_settings(session.draft), "on disk", "draft")


def draft_vs_running(session: Session, running: Config) -> list[str]:
    """How the draft differs from the configuration the running server was started with."""
    return settings_diff(raw_settings(running), raw_settings(session.draft), "running", "draft")
