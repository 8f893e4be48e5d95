"""The newest `wbtui check` run of each config file, kept so `wbtui status --all` can say every profile's last check.

One small JSON file per config file, ``$XDG_STATE_HOME/wbtui/checks/HASH.json`` (HASH: of the config file's
absolute path), mode 0600, written atomically (``store.write_private``). It holds when, which stores, the
worst status not covered by an acknowledgement and the count of each status: no message, so no secret.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..config.store import write_private
from .acknowledged import Marked
from .model import Status

ORDER = (Status.FAIL, Status.WARN, Status.PASS, Status.SKIPPED)


@dataclass(frozen=True)
class LastRun:
    at: datetime
    stores: tuple[str, ...]
    status: str
    """The worst status of a result no acknowledgement covers (fail, warn, pass; skipped when nothing ran)."""
    counts: dict[str, int]

    def age(self, now: datetime | None = None) -> float:
        return ((now or datetime.now(UTC)) - self.at).total_seconds()


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "wbtui" / "checks"


def record_path(config_path: Path) -> Path:
    key = hashlib.sha256(str(config_path.expanduser().absolute()).encode("utf-8", "surrogateescape")).hexdigest()
    return state_dir() / f"{key[:32]}.json"


def summarize(marked: Sequence[Marked], stores: Sequence[str], now: datetime | None = None) -> LastRun:
    counts = {status.value: 0 for status in ORDER}
    counts["acknowledged"] = 0
    for item in marked:
        counts["acknowledged" if item.covered else item.result.status.value] += 1
    worst = next((s.value for s in ORDER if counts[s.value]), Status.PASS.value if marked else Status.SKIPPED.value)
    return LastRun((now or datetime.now(UTC)).replace(microsecond=0), tuple(stores), worst, counts)


def record(config_path: Path, run: LastRun) -> Path:
    """Keep ``run`` as the newest of ``config_path`` (the directory is made private when created)."""
    path = record_path(config_path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    body = {"config": str(config_path.expanduser().absolute()), "at": run.at.isoformat(), "stores": list(run.stores),
            "status": run.status, "counts": run.counts}
    write_private(path, (json.dumps(body, indent=2) + "\n").encode("utf-8"))
    return path


def newest(config_path: Path) -> LastRun | None:
    """The newest run kept for ``config_path``; None when there is none or it cannot be read as ours."""
    try:
        data: Any = json.loads(record_path(config_path).read_text(encoding="utf-8"))
        at = datetime.fromisoformat(data["at"])
        return LastRun(at if at.tzinfo else at.replace(tzinfo=UTC), tuple(data["stores"]), str(data["status"]),
                       {str(k): int(v) for k, v in data["counts"].items()})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
