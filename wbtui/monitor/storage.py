"""The Storage view's figures: bucket usage and growth, free space where W&B's data lands, what to do.

`wbtui storage` and the dashboard's Storage pane both call ``collect``: the bucket listing, the Docker
daemon and MySQL are asked in parallel threads, each bounded by its own timeouts, and the whole by a
deadline, so a store that does not answer is reported as such instead of holding the view.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config.model import Config
from ..present.durations import duration
from ..present.sizes import size
from . import storage_samples as samples
from . import storage_space as space
from .storage_bucket import LIMIT_OBJECTS, LIMIT_SECONDS, BucketUsage, measure_bucket
from .storage_space import CRITICAL, Space


@dataclass
class Finding:
    """One line for the top of the view: a threshold crossed or a store that did not answer."""

    level: str  # "critical", "warning"
    text: str
    fix: str


@dataclass
class StorageReport:
    bucket: BucketUsage | None  # None: BUCKET is empty (W&B keeps objects in /vol)
    growth: samples.Growth | None
    spaces: list[Space]
    taken_at: float
    samples_note: str = ""  # why growth is not known, or the samples file's problem
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "taken_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.taken_at)),
            "bucket": self.bucket.to_dict() if self.bucket else None,
            "growth": self.growth.to_dict() if self.growth else None,
            "growth_note": self.samples_note,
            "spaces": [s.to_dict() for s in self.spaces],
            "findings": [f.__dict__ for f in self.findings],
            "thresholds": {"warning_percent_free": space.WARN_PERCENT, "critical_percent_free": space.CRITICAL_PERCENT},
        }


def collect(config: Config, *, limit_objects: int = LIMIT_OBJECTS, limit_seconds: float = LIMIT_SECONDS,
            samples_path: Path | None = None, now: float | None = None) -> StorageReport:
    """Everything the view shows. ``now`` is the sample's time (the current time unless given)."""
    timeout = config.app.timeout
    parts: dict[str, Callable[[], Any]] = {}
    if config.server.BUCKET:
        parts["bucket"] = lambda: measure_bucket(config, limit_objects=limit_objects, limit_seconds=limit_seconds)
    if config.runtime.backend != "kubernetes":
        parts["docker"] = lambda: space.docker_root(timeout)
    parts["vol"] = lambda: space.vol(config, timeout)
    parts["mysql"] = lambda: space.mysql_datadir(config, timeout)
    deadline = limit_seconds + 3 * timeout + 1.0  # a listing's last page, the folder look-up, slack
    results = _run_all(parts, deadline)
    taken_at = time.time() if now is None else now

    bucket: BucketUsage | None = None
    if "bucket" in parts:
        got = results.get("bucket")
        bucket = got if isinstance(got, BucketUsage) else BucketUsage(
            "", "", "", error=_late("the object store", deadline, got), fix="run wbtui check s3 for a diagnosis")
    spaces: list[Space] = []
    for name, label in (("docker", "Docker data root"), ("vol", "/vol"), ("mysql", "MySQL data directory")):
        if name in parts and not (name == "mysql" and name in results and results[name] is None):  # None: not here
            spaces.append(_space(results.get(name), label, deadline))
    report = StorageReport(bucket, None, spaces, taken_at)
    _growth(report, samples_path)
    report.findings = _findings(report)
    return report


def _run_all(parts: dict[str, Callable[[], Any]], deadline: float) -> dict[str, Any]:
    """Each part in a daemon thread; what each returned (or the exception it raised) by the deadline."""
    results: dict[str, Any] = {}
    lock = threading.Lock()

    def run(name: str, fn: Callable[[], Any]) -> None:
        try:
            value = fn()
        except Exception as exc:
            value = exc
        with lock:
            results[name] = value

    threads = [threading.Thread(target=run, args=item, name=f"wbtui-storage-{item[0]}", daemon=True)
               for item in parts.items()]
    for t in threads:
        t.start()
    end = time.monotonic() + deadline
    for t in threads:
        t.join(max(0.0, end - time.monotonic()))
    with lock:
        return dict(results)


def _late(what: str, deadline: float, got: Any) -> str:
    if isinstance(got, Exception):
        return f"{what}: {type(got).__name__}: {got}"
    return f"{what} did not answer within {deadline:g}s"


def _space(got: Any, label: str, deadline: float) -> Space:
    if isinstance(got, Space):
        return got
    return Space(label, note=_late(label, deadline, got), fix="run wbtui doctor for a diagnosis")


def _growth(report: StorageReport, path: Path | None) -> None:
    usage = report.bucket
    if usage is None or usage.error:
        return
    try:
        kept = samples.record(usage.key, samples.Sample(report.taken_at, usage.objects, usage.bytes, usage.exact),
                              path)
    except samples.SamplesError as exc:
        report.samples_note = str(exc)
        return
    report.growth = samples.growth(kept)
    if report.growth is None:
        report.samples_note = (f"growth: known once samples {samples.MIN_SPAN / 60:g} minutes apart are kept (one "
                               "per run)")


def _findings(report: StorageReport) -> list[Finding]:
    out: list[Finding] = []
    if report.bucket is not None and report.bucket.error:
        out.append(Finding(CRITICAL, f"object store: {report.bucket.error}", report.bucket.fix))
    for s in sorted(report.spaces, key=lambda s: s.level != CRITICAL):
        if s.crossed:
            limit = space.CRITICAL_PERCENT if s.level == CRITICAL else space.WARN_PERCENT
            out.append(Finding(s.level, f"{s.what}: {s.percent_free:.1f}% free ({size(s.free)} of {size(s.total)}),"
                                        f" below {limit:g}%", s.fix))
    return out


def bucket_lines(report: StorageReport) -> list[str]:
    """The bucket's figures in lines of at most ~76 characters (long ones wrap at the caller)."""
    usage = report.bucket
    if usage is None:
        return ["BUCKET is empty: W&B keeps its objects in /vol (its free space is below)"]
    if usage.error:
        return [f"{usage.where or 'bucket'} on {usage.store or '?'}: no figures", f"  {usage.error}"]
    about = "" if usage.exact else "~"
    lines = [f"{usage.where} on {usage.store}",
             f"  {about}{usage.objects:,} objects, {about}{size(usage.bytes)}"
             + (f" ({usage.bytes:,} bytes)" if usage.bytes >= 1024 else ""),
             f"  {usage.how}, {usage.seconds:.1f} s"]
    g = report.growth
    if g is not None:
        sign = "+" if g.bytes_per_day >= 0 else "-"
        kind = "" if g.exact else " (between estimates)"
        lines.append(f"  growth {sign}{size(abs(g.bytes_per_day))}/day, {g.objects_per_day:+,.0f} objects/day over "
                     f"{duration(g.span_seconds)}, {g.samples} samples{kind}")
    elif report.samples_note:
        lines.append(f"  {report.samples_note}")
    return lines


MARK = {"ok": "✔", "warning": "⚠", "critical": "✘", "unknown": "-"}


def space_lines(s: Space) -> list[str]:
    """One place: its mark, name, percent free and sizes; then its path, or why it is not measured."""
    if s.percent_free is None:
        return [f"{MARK[s.level]} {s.what}", f"    {s.note}", *([f"    fix: {s.fix}"] if s.fix else [])]
    head = f"{MARK[s.level]} {s.what}: {s.percent_free:.1f}% free, {size(s.free)} of {size(s.total)}"
    return [head, f"    {s.path}"]
