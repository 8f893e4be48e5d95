"""`wbtui doctor`: everything about one deployment in one report.

Config findings, datastore checks, runtime status and events, the recent log
lines, a probe of /healthz and /ready, and the diagnosis of all of it. Every
part runs in parallel with its own deadline and fails soft: a dead Docker
daemon or a firewalled database becomes a line in the report, not a traceback.
A check finding the config acknowledges is listed as such and is not a problem
(wbtui.checks.acknowledged); every other finding still is.
"""

from __future__ import annotations

import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..config import masking
from ..config.masking import Redactor
from ..config.validate import Finding, validate
from ..diagnosis.engine import Diagnosis, diagnose, facts_from
from ..health.bounded import Deadline, Pending, run_sync
from ..health.front_door import STYLES, FrontDoor, check_front_door, report_lines
from ..health.history import plain
from ..health.probe import NoTarget, Prober, Sample
from ..present.durations import duration
from ..runtime.base import RuntimeProblem, Unreachable

if TYPE_CHECKING:
    from rich.console import Console

    from ..checks.acknowledged import Marked
    from ..checks.model import CheckResult
    from ..config.model import Acknowledgement, Config
    from ..runtime.base import Runtime, RuntimeEvent, ServerStatus

ChecksFn = Callable[..., "list[CheckResult]"]


@dataclass
class PartOutcome:
    """How one part of the report went: done, failed (and why) or out of time."""

    name: str
    ok: bool
    seconds: float
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "seconds": round(self.seconds, 3), "error": self.error}


@dataclass
class DoctorReport:
    created: datetime
    backend: str
    versions: dict[str, str] = field(default_factory=dict)
    target: dict[str, str] = field(default_factory=dict)
    """Which daemon or cluster was asked (``Runtime.describe``): the same one `wbtui status` asks."""
    findings: list[Finding] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    acknowledged: list[Acknowledgement] = field(default_factory=list)
    """The config's acknowledgements when the report was made (judged at ``created``)."""
    status: ServerStatus | None = None
    events: list[RuntimeEvent] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    sample: Sample | None = None
    front_door: FrontDoor | None = None
    """HOST's certificate and upload findings (None: HOST not set, or the part failed)."""
    diagnosis: list[Diagnosis] = field(default_factory=list)
    parts: dict[str, PartOutcome] = field(default_factory=dict)
    unreachable: str = ""
    """Why the Docker daemon or Kubernetes API server was not reached ("" when it answered): the server's state
    is then unknown, which the CLI's exit code tells apart from findings."""

    @property
    def marked_checks(self) -> list[Marked]:
        """The checks, each with the acknowledgement that covers it (or the earlier one that no longer does)."""
        from ..checks.acknowledged import mark

        return mark(self.checks, self.acknowledged, self.created)

    @property
    def problems(self) -> list[str]:
        """One line per thing that needs attention (what the exit code reflects); acknowledged checks are not."""
        out = [f"config {f.field}: {f.message}" for f in self.findings if f.severity == "error"]
        out += [f"check {m.result.title}: {m.result.summary}" for m in self.marked_checks
                if m.result.status.value == "fail" and not m.covered]
        out += [f"{d.title}" for d in self.diagnosis if d.severity in ("critical", "error")]
        if self.sample is not None and not self.sample.ready.ok:
            out.append(f"/ready: {self.sample.ready.message}")
        if self.front_door is not None:
            out += [f"front door {f.title}: {f.message}" for f in self.front_door.critical]
        failed: dict[str, list[str]] = {}  # one line per distinct error (status, events and logs share one)
        for part in self.parts.values():
            if not part.ok and part.name not in ("versions", "target"):  # informational
                failed.setdefault(part.error, []).append(part.name)
        out += [f"{', '.join(names)}: {error}" for error, names in failed.items()]
        return out

    @property
    def healthy(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": self.created.isoformat(),
            "backend": self.backend,
            "healthy": self.healthy,
            "problems": self.problems,
            "versions": self.versions,
            "target": self.target,
            "findings": [f.to_dict() for f in self.findings],
            "checks": [m.to_dict() for m in self.marked_checks],
            "status": plain(self.status.to_dict()) if self.status else None,
            "events": [_event_dict(e) for e in self.events],
            "probe": self.sample.to_dict() if self.sample else None,
            "front_door": self.front_door.to_dict() if self.front_door else None,
            "diagnosis": [d.to_dict() for d in self.diagnosis],
            "logs": self.logs,
            "parts": {name: p.to_dict() for name, p in self.parts.items()},
            "unreachable": self.unreachable,
        }


def _event_dict(event: RuntimeEvent) -> dict[str, Any]:
    return {"time": event.time.isoformat() if event.time else None, "type": event.type,
            "reason": event.reason, "message": event.message, "object": event.object}


def redact_data(value: Any, redact: Callable[[str], str]) -> Any:
    """Redact every string inside nested dicts and lists (before JSON escapes hide secrets)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_data(k, redact): redact_data(v, redact) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(v, redact) for v in value]
    return plain(value)


async def _tail(runtime: Runtime, lines: int) -> list[str]:
    from ..diagnosis.engine import line_texts

    return line_texts([line async for line in runtime.logs(follow=False, tail=lines)])


def _stores(config: Config) -> tuple[str, ...]:
    stores = []
    if config.server.MYSQL.strip():
        stores.append("mysql")
    if config.server.BUCKET.strip():
        stores.append("s3")
    return tuple(stores)


def _default_checks() -> ChecksFn:
    from ..checks.runner import run_checks

    return run_checks


def run_doctor(config: Config, *, runtime: Runtime | None = None, checks_fn: ChecksFn | None = None,
               log_lines: int = 200, timeout: float | None = None, checks_timeout: float = 60.0,
               url: str | None = None, on_part: Callable[[PartOutcome], None] | None = None) -> DoctorReport:
    """Collect the report; no part takes longer than its deadline, no failure escapes.

    ``runtime`` defaults to the config's backend; ``checks_fn`` to the datastore check
    runner (``run_checks(config, stores, *, timeout, on_result)``).
    """
    redact = masking.bundle(config)
    part_timeout = timeout if timeout is not None else max(10.0, 2 * config.app.timeout)
    report = DoctorReport(datetime.now(UTC), config.runtime.backend,
                          {"wbtui": __version__, "python": platform.python_version(), "os": platform.platform()})
    problems: list[RuntimeProblem] = []
    started = time.monotonic()

    def record(name: str, ok: bool, error: str = "", since: float = started) -> None:
        outcome = PartOutcome(name, ok, time.monotonic() - since, redact(error))
        report.parts[name] = outcome
        if on_part is not None:
            on_part(outcome)

    report.findings = validate(config)
    report.acknowledged = list(config.acknowledged)
    record("config", True)

    owned = runtime is None
    if runtime is None:
        try:
            from ..runtime.base import runtime_for  # imports the backend's client library

            runtime = Pending(lambda: runtime_for(config), "runtime").result(part_timeout)
        except Exception as exc:
            record("runtime", False, _explain(exc, part_timeout))
            if isinstance(exc, Unreachable):
                report.unreachable = redact(str(exc))

    collected: list[CheckResult] = []
    jobs: dict[str, tuple[Pending[Any], float]] = {}
    stores = _stores(config)
    if stores:
        try:
            fn = checks_fn or _default_checks()
        except ImportError as exc:
            record("checks", False, f"datastore checks are not available ({exc})")
        else:
            jobs["checks"] = (Pending(lambda: fn(config, stores, timeout=config.app.timeout,
                                                 on_result=collected.append), "checks"), checks_timeout)
    prober = Prober(config, runtime, url=url, timeout=config.app.timeout)
    jobs["probe"] = (Pending(lambda: run_sync(prober.sample()), "probe"), part_timeout)
    if config.server.HOST.strip():
        jobs["front_door"] = (Pending(lambda: check_front_door(config, timeout=config.app.timeout), "front door"),
                              part_timeout)
    if runtime is not None:
        rt = runtime
        jobs["target"] = (Pending(rt.describe, "target"), part_timeout)
        jobs["versions"] = (Pending(rt.versions, "versions"), part_timeout)
        jobs["status"] = (Pending(rt.status, "status"), part_timeout)
        jobs["events"] = (Pending(lambda: rt.events(limit=20), "events"), part_timeout)
        jobs["logs"] = (Pending(lambda: run_sync(_bounded_tail(rt, log_lines, part_timeout)), "logs"),
                        part_timeout)

    launched = time.monotonic()
    for name, (pending, limit) in jobs.items():
        try:
            value = pending.result(limit - (time.monotonic() - launched))
        except Exception as exc:
            if isinstance(exc, RuntimeProblem):
                problems.append(exc)
            if isinstance(exc, Unreachable) and name == "status" and not report.unreachable:
                report.unreachable = redact(str(exc))
            record(name, False, _explain(exc, limit), launched)
            continue
        _store(report, name, value, redact)
        record(name, True, since=launched)
    if "checks" in jobs and not report.checks:
        report.checks = list(collected)  # what finished before the deadline
    if owned and runtime is not None:
        runtime.close()
    report.diagnosis = diagnose(facts_from(lines=report.logs, status=report.status, checks=report.checks,
                                           config=config, problems=problems, events=report.events),
                                redact=redact)
    return report


async def _bounded_tail(runtime: Runtime, lines: int, timeout: float) -> list[str]:
    import asyncio

    return await asyncio.wait_for(_tail(runtime, lines), timeout)


def _explain(exc: BaseException, limit: float) -> str:
    if isinstance(exc, Deadline | TimeoutError):
        return f"no answer within {limit:g}s"
    if isinstance(exc, NoTarget):
        return str(exc)
    return str(exc) or type(exc).__name__


def _store(report: DoctorReport, name: str, value: Any, redact: Redactor) -> None:
    if name == "checks":
        report.checks = list(value)
    elif name == "versions":
        report.versions.update(value)
    elif name == "target":
        report.target = dict(value)
    elif name == "probe":
        report.sample = value
    elif name == "front_door":
        report.front_door = value
    elif name == "status":
        report.status = value
        if value.image:
            report.versions["server_image"] = value.image
    elif name == "events":
        report.events = list(value)
    elif name == "logs":
        report.logs = [redact(line) for line in value]


_SEVERITY_STYLE = {"critical": "bold red", "error": "red", "warning": "yellow", "info": "cyan"}


def render(report: DoctorReport, console: Console, redact: Callable[[str], str], *, log_lines: int = 20) -> None:
    """The report for people: one section per part, problems first in each."""
    from rich.markup import escape
    from rich.table import Table

    def say(text: str = "", style: str = "") -> None:
        safe = escape(redact(text))
        console.print(f"[{style}]{safe}[/]" if style and safe else safe)

    say(f"W&B Server doctor · {report.created:%Y-%m-%d %H:%M:%S} UTC · backend {report.backend}", "bold")
    say(" · ".join(f"{k} {v}" for k, v in report.versions.items()), "dim")
    if report.target:
        say("asked: " + " · ".join(f"{k} {v}" for k, v in report.target.items()), "dim")

    say("\nConfiguration", "bold")
    if not report.findings:
        say("  no findings")
    for f in report.findings:
        say(f"  {f.severity:<7} {f.field}: {f.message}" + (f" → {f.fix}" if f.fix else ""),
            _SEVERITY_STYLE.get(f.severity, ""))

    say("\nServer", "bold")
    status = report.status
    if status is None:
        say(f"  status unknown: {_part_error(report, 'runtime', 'status')}", "red")
    elif not status.exists:
        say(f"  {status.name}: not deployed", "yellow")
    else:
        up = f", up {duration(status.uptime_seconds)}" if status.uptime_seconds is not None else ""
        exit_info = f", exit code {status.exit_code}" if status.exit_code is not None else ""
        say(f"  {status.name}: {status.state} (health {status.health}, {status.restart_count} restarts{up}"
            f"{exit_info})")
        say(f"  image {status.image or '?'} · ports {', '.join(status.ports) or 'none'}")
        if status.reason or status.message:
            say(f"  {status.reason} {status.message}".rstrip(), "yellow")
    for event in report.events[-5:]:
        say(f"  event {event.type} {event.reason}: {event.message}", "dim")

    say("\nProbe", "bold")
    if report.sample is None:
        say(f"  not probed: {_part_error(report, 'probe')}", "red")
    else:
        target = report.sample.target
        say(f"  {target.url} ({target.via}{': ' + target.note if target.note else ''})", "dim")
        for result in (report.sample.healthz, report.sample.ready):
            latency = f" {result.latency * 1000:.0f} ms" if result.latency is not None else ""
            say(f"  {'✔' if result.ok else '✘'} /{result.endpoint}: {result.message}{latency}",
                "green" if result.ok else "red")
            if result.fix and not result.ok:
                say(f"      fix: {result.fix}")

    if report.front_door is not None or _part_error(report, "front_door"):
        say("\nFront door", "bold")
        if report.front_door is None:
            say(f"  not checked: {_part_error(report, 'front_door')}", "red")
        else:
            for severity, text in report_lines(report.front_door):
                say(f"  {text}", STYLES[severity])

    say("\nDatastore checks", "bold")
    if not report.checks:
        say(f"  {_part_error(report, 'checks') or 'not run: MYSQL and BUCKET are empty (embedded stores)'}")
    else:
        table = Table(box=None, show_header=False, padding=(0, 1))
        for m in report.marked_checks:
            c = m.result
            text = c.summary + (f" → {c.fix}" if c.fix and c.status.value != "pass" else "")
            table.add_row(c.status.icon, escape(redact(c.store)), escape(redact(c.title)),
                          escape(redact(text + (f" · {m.note}" if m.note else ""))),
                          style="dim" if m.covered else "")
        console.print(table)

    say("\nDiagnosis", "bold")
    if not report.diagnosis:
        say("  nothing recognised in the logs and state")
    for d in report.diagnosis:
        say(f"  {d.severity.upper()} {d.title}", _SEVERITY_STYLE.get(d.severity, ""))
        say(f"      cause: {d.cause}")
        say(f"      fix:   {d.fix}")
        say(f"      seen:  {d.evidence}" + (f" (x{d.count})" if d.count > 1 else ""), "dim")

    say(f"\nLast log lines ({min(log_lines, len(report.logs))} of {len(report.logs)})", "bold")
    if not report.logs:
        say(f"  none: {_part_error(report, 'runtime', 'logs') or 'the server printed nothing'}")
    for line in report.logs[-log_lines:]:
        say(f"  {line}", "dim")

    slow = [p for p in report.parts.values() if not p.ok]
    covered = sum(1 for m in report.marked_checks if m.covered)
    accepted = f" ({covered} acknowledged finding(s): wbtui ack --list)" if covered else ""
    say("")
    if report.healthy:
        say("healthy: no problems found" + accepted, "bold green")
    else:
        say(f"{len(report.problems)} problem(s)" + (f"; {len(slow)} part(s) failed" if slow else "") + accepted,
            "bold red")


def _part_error(report: DoctorReport, *names: str) -> str:
    for name in names:
        part = report.parts.get(name)
        if part is not None and not part.ok:
            return part.error
    return ""
