"""The diagnosis corpus (tests/diagnosis_corpus/*.toml): real failure reports, loaded as cases.

Shared by the corpus test and benchmarks/diagnosis_score.py, so both score the
same thing the same way: through `wbtui diagnose`'s path (ops.diagnose_log).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from wbtui.config.model import Config
from wbtui.ops.diagnose_log import LogDiagnosis, diagnose_lines
from wbtui.runtime.base import ServerStatus

CORPUS = Path(__file__).with_name("diagnosis_corpus")
REQUIRED = ("source", "stores", "cause", "established", "fix", "lines")
STORES = ("embedded", "external", "unknown")
Outcome = Literal["right", "wrong", "unnamed"]


@dataclass(frozen=True)
class CorpusCase:
    name: str
    source: str
    stores: str
    cause: str
    established: str
    fix: str
    lines: list[str]
    config: dict[str, str] = field(default_factory=dict)
    status: dict[str, Any] = field(default_factory=dict)

    def server_config(self) -> Config | None:
        """The report's own settings when it gave them (else None: the stores are read from the log)."""
        if not self.config:
            return None
        config = Config()
        for key, value in self.config.items():
            setattr(config.server, key, value)
        return config

    def server_status(self) -> ServerStatus | None:
        if not self.status:
            return None
        values = {"exists": True, "state": "exited", **self.status}
        return ServerStatus("docker", "wandb-local", **values)

    def run(self) -> LogDiagnosis:
        return diagnose_lines(self.lines, self.server_config(), self.server_status())

    def outcome(self, result: LogDiagnosis | None = None) -> tuple[Outcome, str]:
        """right/wrong/unnamed and the top finding's rule id ("" when none)."""
        findings = (result or self.run()).findings
        if not findings:
            return "unnamed", ""
        top = findings[0].rule
        return ("right" if top == self.cause else "wrong"), top


def load(path: Path) -> CorpusCase:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    missing = [key for key in REQUIRED if not data.get(key)]
    if missing:
        raise ValueError(f"{path.name}: missing {', '.join(missing)}")
    if data["stores"] not in STORES:
        raise ValueError(f"{path.name}: stores must be one of {STORES}")
    lines = [line for line in data["lines"].splitlines() if line.strip()]
    return CorpusCase(path.stem, data["source"], data["stores"], data["cause"], data["established"], data["fix"],
                      lines, dict(data.get("config", {})), dict(data.get("status", {})))


def cases() -> list[CorpusCase]:
    return [load(path) for path in sorted(CORPUS.glob("*.toml"))]
