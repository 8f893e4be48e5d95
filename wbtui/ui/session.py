"""What the dashboard is editing: the saved config, the draft and the read-only rule.

The Config pane edits ``draft``; everything that acts on the server (checks,
deploy, probes) uses ``saved``, so an unsaved edit never reaches production by
accident. No Textual here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import store
from ..config.masking import Redactor, mask_value, screen
from ..config.model import FIELDS, Config, get_value


@dataclass
class Session:
    config_path: Path
    saved: Config
    read_only_flag: bool = False
    file_exists: bool = True
    draft: Config = field(init=False)

    def __post_init__(self) -> None:
        self.draft = self.saved.copy()

    @classmethod
    def open(cls, config_path: Path, read_only: bool = False) -> Session:
        """Load the config file (defaults when it does not exist yet)."""
        return cls(config_path, store.load(config_path), read_only, store.exists(config_path))

    @property
    def read_only(self) -> bool:
        return self.read_only_flag or self.saved.app.read_only

    @property
    def dirty(self) -> bool:
        return store.dumps(self.draft) != store.dumps(self.saved)

    def redactor(self) -> Redactor:
        """Scrubs the secrets of both the saved config and the draft."""
        return screen(self.saved, self.draft)

    def mark_saved(self, config: Config) -> None:
        """``config`` was written to the file (by a worker): it is what actions use from now on."""
        self.saved = config.copy()
        self.file_exists = True

    def revert(self) -> None:
        self.draft = self.saved.copy()


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


def draft_vs_running(session: Session, running: Config) -> list[str]:
    """How the draft differs from the configuration the running server was started with."""
    return settings_diff(raw_settings(running), raw_settings(session.draft), "running", "draft")
