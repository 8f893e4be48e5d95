"""Lifecycle commands under --json: JSON lines, one object per step as it happens, then the result.

Every line is one of three shapes, so a script can read them without knowing the command:

- ``{"step": NAME, "status": "started"|"progress"|"done"|"failed", "message": TEXT, "at": ISO-8601 UTC}``
  (a progress line may add ``current``/``total`` for byte counts, a watch line its ``phase``);
- ``{"result": {"ok": BOOL, "exit_code": N, "message": TEXT, ...}}``, the last line of a run that finished;
- ``{"error": {"message", "code", "kind", "fix"?}}``, the last line of a run that failed (Context.fail).

Step names are stable: deploy, remove, start, stop, restart, upgrade, rollback, watch, install.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..health.watch import WatchProgress, WatchResult
    from ..runtime.base import Progress, Runtime
    from .context import Context

T = TypeVar("T")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Steps:
    """Writes one command's step lines to stdout (masked, flushed as they happen)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.open: list[str] = []
        """Steps started and not yet done or failed, in order."""

    def emit(self, step: str, status: str, message: str = "", **extra: Any) -> None:
        if status == "started":
            self.open.append(step)
        elif status in ("done", "failed") and step in self.open:
            self.open.remove(step)
        self.ctx.print_json_line({"step": step, "status": status, "message": message, "at": _now(), **extra})

    def fail_open(self, exc: BaseException, redact: Callable[[str], str] = str) -> None:
        """An exception ended the run: every step still open failed with it (the error line follows)."""
        for step in reversed(self.open):
            self.emit(step, "failed", redact(str(exc) or type(exc).__name__))

    def progress(self, step: str) -> Callable[[Progress], None]:
        """A runtime progress callback reporting under ``step``; byte counts only when the percent moves."""
        last: list[int] = []

        def report(progress: Progress) -> None:
            if progress.total:
                percent = int(100 * (progress.current or 0) / progress.total)
                if last and last[-1] == percent:
                    return
                last.append(percent)
                self.emit(step, "progress", progress.message, current=progress.current, total=progress.total)
                return
            self.emit(step, "progress", progress.message)

        return report

    def run(self, step: str, message: str, work: Callable[[], T], runtime: Runtime | None = None) -> T:
        """``work`` as one step: started, its runtime's progress, then done (with what it returned) or failed."""
        self.emit(step, "started", message)
        before = None
        if runtime is not None:
            before, runtime.progress = runtime.progress, self.progress(step)
        try:
            value = work()
        except BaseException as exc:
            self.emit(step, "failed", str(exc) or type(exc).__name__)
            raise
        finally:
            if runtime is not None:
                runtime.progress = before
        self.emit(step, "done", value if isinstance(value, str) else "")
        return value

    def say(self, step: str) -> Callable[[str], None]:
        """A ``say`` callback (ops' free-text lines) reporting each line as progress of ``step``."""
        return lambda line: self.emit(step, "progress", line)

    def watch_progress(self) -> Callable[[WatchProgress], None]:
        """The startup watch's progress callback: a line each time the phase changes."""
        seen: list[str] = []

        def report(event: WatchProgress) -> None:
            if not seen or event.phase != seen[-1]:
                self.emit("watch", "progress", event.summary(), phase=event.phase)
            seen.append(event.phase)

        return report

    def watched(self, result: WatchResult) -> None:
        self.emit("watch", "done" if result.ready else "failed", result.message, phase=result.phase)

    def result(self, code: int, message: str, **data: Any) -> int:
        self.ctx.print_json_line({"result": {"ok": code == 0, "exit_code": code, "message": message, **data}})
        return code


def watch_data(result: WatchResult) -> dict[str, Any]:
    """What the result line says of a startup watch (the diagnosis with cause and fix, the last log lines)."""
    data = result.to_dict()
    data["last_lines"] = data["last_lines"][-15:]
    return data
