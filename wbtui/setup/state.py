"""Saved progress of the guided setup, so a dropped SSH session resumes where it was.

The file sits beside the config (``setup.json``), holds no secrets (those live in
the config itself) and is written atomically, mode 0600.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..config.store import write_private

STEPS: tuple[tuple[str, str], ...] = (
    ("where", "Where it runs"),
    ("mysql", "MySQL"),
    ("s3", "Object store"),
    ("server", "Server"),
    ("review", "Review"),
    ("deploy", "Deploy"),
    ("verify", "Verify"),
    ("next", "Next steps"),
)
STEP_IDS = tuple(step for step, _ in STEPS)
STEP_TITLES = dict(STEPS)


def state_path(config_path: Path) -> Path:
    return config_path.with_name("setup.json")


@dataclass
class SetupState:
    current: str = "where"
    done: list[str] = field(default_factory=list)
    continued_anyway: dict[str, str] = field(default_factory=dict)
    generated: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> SetupState:
        try:
            data = json.loads(path.read_text())
        except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
            return cls()
        state = cls()
        if data.get("current") in STEP_IDS:
            state.current = data["current"]
        state.done = [s for s in data.get("done", []) if s in STEP_IDS]
        state.continued_anyway = {k: str(v) for k, v in (data.get("continued_anyway") or {}).items()
                                  if k in STEP_IDS}
        state.generated = {str(k): str(v) for k, v in (data.get("generated") or {}).items()}
        return state

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_private(path, (json.dumps(asdict(self), indent=2) + "\n").encode())

    def finish(self, step: str, continued_reason: str = "") -> str:
        """Mark a step done and move to the next one; returns the new current step."""
        if step not in self.done:
            self.done.append(step)
        if continued_reason:
            self.continued_anyway[step] = continued_reason
        else:
            self.continued_anyway.pop(step, None)
        index = STEP_IDS.index(step)
        self.current = STEP_IDS[min(index + 1, len(STEP_IDS) - 1)]
        return self.current

    def can_visit(self, step: str) -> bool:
        """Any finished step, and the first unfinished one, can be visited."""
        if step in self.done or step == self.current:
            return True
        first_open = next((s for s in STEP_IDS if s not in self.done), STEP_IDS[-1])
        return step == first_open

    def go_to(self, step: str) -> None:
        if not self.can_visit(step):
            raise ValueError(f"finish the steps before {STEP_TITLES[step]!r} first")
        self.current = step
