"""Diagnose a log on its own: a log pasted into a ticket, `docker logs` output, a support bundle.

With no config, the stores the server used are read from the log itself
(wbtui.diagnosis.stores) and a stand-in config says so, so the rules' guards
(embedded vs external MySQL) decide as they do with the operator's config.
One path for `wbtui diagnose`, the Logs pane's diagnose key and the corpus test.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..config import masking
from ..diagnosis.engine import Diagnosis, diagnose, line_texts
from ..diagnosis.rules import Facts
from ..diagnosis.stores import StoresSeen, config_for, stores_from_log

if TYPE_CHECKING:
    from ..config.model import Config
    from ..runtime.base import LogLine, ServerStatus


@dataclass
class LogDiagnosis:
    """The findings for one log, and where the stores' modes came from."""

    lines: int
    seen: StoresSeen
    stores_from: str  # "config" (the operator's or the bundle's) or "log"
    findings: list[Diagnosis] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"lines": self.lines, "stores_from": self.stores_from,
                "stores": {"mysql": self.seen.mysql, "bucket": self.seen.bucket},
                "findings": [d.to_dict() for d in self.findings]}


def diagnose_lines(lines: Iterable[str | LogLine], config: Config | None = None,
                   status: ServerStatus | None = None) -> LogDiagnosis:
    """The diagnosis of these lines; ``config`` when the operator's (or a bundle's) is at hand."""
    texts = line_texts(lines)
    seen = stores_from_log(texts)
    used = config if config is not None else config_for(seen)
    findings = diagnose(Facts(lines=texts, status=status, config=used), redact=masking.logs(used))
    return LogDiagnosis(len(texts), seen, "config" if config is not None else "log", findings)
