"""What each source samples, as metric values: thin readers over the functions the CLI's commands use.

Each source keeps what must outlive one sample (the runtime's client, the prober's chosen target, the database
watch whose consecutive samples give the rates) and reads on the sampler's thread; none of them is ever called
by a scrape. A source that cannot answer raises SourceDown (or any exception); one that answered in part
returns its values with the problems.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..config.model import Config

if TYPE_CHECKING:
    from ..checks.model import CheckResult
    from ..runtime.base import Runtime

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Value:
    name: str
    value: float
    labels: Labels = ()


def value(name: str, number: float | bool, **labels: str) -> Value:
    return Value(name, float(number), tuple(sorted(labels.items())))


@dataclass
class Reading:
    values: list[Value] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """What did not answer: the source counts as down while its other values are still served."""


class SourceDown(Exception):
    """The source could not be read; the message says why and what to do."""


class Source(ABC):
    """One thing sampled on its own cadence; ``deadline`` bounds one sample."""

    name = ""
    cadence = 60.0

    def __init__(self, config: Config) -> None:
        self.config = config
        self.timeout = config.app.timeout

    @property
    def deadline(self) -> float:
        return 2 * self.timeout + 1.0

    @abstractmethod
    def read(self) -> Reading:
        """One sample (on the sampler's thread)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release clients."""


def _runtime(config: Config) -> Runtime | None:
    from ..runtime.base import runtime_for

    try:
        return runtime_for(config)
    except Exception:  # the client library is missing or the config names no backend it can build
        return None


class ServerSource(Source):
    """The runtime's status: running, restarts, uptime."""

    name = "server"
    cadence = 30.0

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.runtime: Runtime | None = None

    def read(self) -> Reading:
        from ..runtime.base import RuntimeProblem

        if self.runtime is None:
            self.runtime = _runtime(self.config)
        if self.runtime is None:
            raise SourceDown(f"no runtime for backend {self.config.runtime.backend!r} (wbtui status says why)")
        try:
            status = self.runtime.status()
        except RuntimeProblem as exc:
            raise SourceDown(str(exc)) from None
        out = [value("wbtui_server_running", status.exists and status.state == "running")]
        if status.exists:
            out.append(value("wbtui_server_restarts", status.restart_count))
            if status.uptime_seconds is not None:
                out.append(value("wbtui_server_uptime_seconds", status.uptime_seconds))
        return Reading(out)

    def close(self) -> None:
        if self.runtime is not None:
            with contextlib.suppress(Exception):  # closing a client whose daemon went away
                self.runtime.close()


class ProbeSource(Source):
    """/healthz and /ready, where `wbtui probe` probes them (HOST, else the published port)."""

    name = "probe"
    cadence = 15.0

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.prober: Any = None

    @property
    def deadline(self) -> float:
        return 4 * self.timeout + 2.0  # choosing the target (HOST, the local URL), both probes, the status asked

    def read(self) -> Reading:
        from ..health.probe import NoTarget, Prober

        if self.prober is None:
            self.prober = Prober(self.config, _runtime(self.config), timeout=self.timeout)
        try:
            sample = self.prober.sample_sync()
        except NoTarget as exc:
            raise SourceDown(str(exc)) from None
        out = [value("wbtui_server_up", sample.healthz.ok), value("wbtui_server_ready", sample.ready.ok)]
        for result in (sample.healthz, sample.ready):
            if result.answered:
                out.append(value("wbtui_probe_latency_seconds", result.latency or 0.0, endpoint=result.endpoint))
                out.append(value("wbtui_probe_http_status", result.status_code or 0, endpoint=result.endpoint))
        return Reading(out)

    def close(self) -> None:
        if self.prober is not None:
            self.prober.close()
        runtime = getattr(self.prober, "runtime", None)
        if runtime is not None:
            with contextlib.suppress(Exception):
                runtime.close()


SEVERITIES = ("pass", "warn", "fail", "skipped")


def check_values(results: list[CheckResult], config: Config) -> list[Value]:
    """One series per check and severity: 1 for the result's, 0 for the others (a state set)."""
    from ..checks.acknowledged import mark

    out = []
    for marked in mark(results, config.acknowledged):
        result = marked.result
        for severity in SEVERITIES:
            out.append(value("wbtui_check_result", result.status.value == severity, id=result.id,
                             store=result.store, severity=severity, acknowledged=str(marked.covered).lower()))
    return out


def check_stores(config: Config) -> tuple[str, ...]:
    """The stores W&B uses outside its container: those are checked (the embedded ones cannot be)."""
    return tuple(store for store, setting in (("mysql", config.server.MYSQL), ("s3", config.server.BUCKET))
                 if setting.strip())


class ChecksSource(Source):
    """`wbtui check`'s results, in the cheap form a schedule runs (no 10 MiB upload, a short CPU glimpse)."""

    name = "checks"
    cadence = 300.0

    @property
    def deadline(self) -> float:
        return 6 * self.timeout + 5.0  # each store's chain stops at its first timeout; the CPU glimpse

    def read(self) -> Reading:
        from ..checks.runner import run_checks

        results = run_checks(self.config, check_stores(self.config), timeout=self.timeout, quick=True)
        return Reading(check_values(results, self.config))


class MysqlSource(Source):
    """The database view's figures (`wbtui db status`): consecutive samples of one watch give the rates."""

    name = "mysql"
    cadence = 15.0

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.watch: Any = None

    def read(self) -> Reading:
        from ..checks.model import CheckFailed
        from ..monitor.mysql_watch import watch_from_config

        try:
            if self.watch is None:
                self.watch = watch_from_config(self.config, self.timeout)
            status = self.watch.step()
        except CheckFailed as exc:
            raise SourceDown(f"{exc.summary} (fix: {exc.fix})" if exc.fix else exc.summary) from None
        out = [value("wbtui_mysql_connections", status.connections),
               value("wbtui_mysql_max_connections", status.max_connections),
               value("wbtui_mysql_threads_running", status.threads_running),
               value("wbtui_mysql_uptime_seconds", status.uptime)]
        names = {"queries": "queries", "commits": "commits", "transactions": "transactions", "slow": "slow_queries",
                 "row_lock_waits": "row_lock_waits"}
        for key, metric in names.items():
            rate = status.rates.get(key)
            if rate is not None:
                out.append(value(f"wbtui_mysql_{metric}_per_second", rate))
        if status.buffer_pool_hit is not None:
            out.append(value("wbtui_mysql_buffer_pool_hit_ratio", status.buffer_pool_hit / 100))
        replica = status.replication.replica
        if replica is not None:
            running = replica.io_running == "Yes" and replica.sql_running == "Yes"
            out.append(value("wbtui_mysql_replica_running", running))
            if replica.lag is not None:
                out.append(value("wbtui_mysql_replica_lag_seconds", replica.lag))
        cpu = status.cpu
        if cpu is not None and cpu.percent is not None:
            out.append(value("wbtui_mysql_cpu_percent", cpu.percent))
            out.append(value("wbtui_mysql_cpu_starved", cpu.alert))
        return Reading(out)

    def close(self) -> None:
        if self.watch is not None:
            with contextlib.suppress(Exception):
                self.watch.close()


class StorageSource(Source):
    """`wbtui storage`'s figures: the bucket's usage (bounded listing or radosgw's statistics), free space."""

    name = "storage"
    cadence = 600.0

    def __init__(self, config: Config, samples_path: Any = None) -> None:
        super().__init__(config)
        self.samples_path = samples_path

    @property
    def deadline(self) -> float:
        from ..monitor.storage_bucket import LIMIT_SECONDS

        return LIMIT_SECONDS + 3 * self.timeout + 3.0  # collect's own deadline, and some slack

    def read(self) -> Reading:
        from ..monitor.storage import collect

        report = collect(self.config, samples_path=self.samples_path)
        out: list[Value] = []
        problems: list[str] = []
        bucket = report.bucket
        if bucket is not None and bucket.error:
            problems.append(f"object store: {bucket.error}" + (f" (fix: {bucket.fix})" if bucket.fix else ""))
        elif bucket is not None:
            out += [value("wbtui_storage_bucket_objects", bucket.objects, bucket=bucket.where),
                    value("wbtui_storage_bucket_bytes", bucket.bytes, bucket=bucket.where),
                    value("wbtui_storage_bucket_exact", bucket.exact, bucket=bucket.where)]
            if report.growth is not None:
                out.append(value("wbtui_storage_bucket_growth_bytes_per_day", report.growth.bytes_per_day,
                                 bucket=bucket.where))
        for space in report.spaces:
            ratio = space.percent_free
            if ratio is None or space.total is None or space.free is None:
                if space.note:
                    problems.append(f"{space.what}: {space.note}")
                continue
            out += [value("wbtui_storage_free_bytes", space.free, place=space.what, path=space.path),
                    value("wbtui_storage_size_bytes", space.total, place=space.what, path=space.path),
                    value("wbtui_storage_free_ratio", ratio / 100, place=space.what, path=space.path)]
        return Reading(out, problems)


class BackupSource(Source):
    """The newest complete, not failed backup, found where the *Newest backup* check looks (mysql.backup)."""

    name = "backup"
    cadence = 300.0

    def read(self) -> Reading:
        from ..checks.mysql_backup import NewestBackup

        look = NewestBackup(self.config, self.timeout).start()
        look.result()  # waits for the look, bounded by the timeout
        found = list(look.found)
        if not found:
            if look.problems:
                raise SourceDown("; ".join(look.problems))
            return Reading([value("wbtui_backup_found", False)])
        newest = max(found, key=lambda f: f.created)
        return Reading([value("wbtui_backup_found", True),
                        value("wbtui_backup_newest_timestamp_seconds", newest.created.timestamp())],
                       list(look.problems))


class CertificateSource(Source):
    """HOST's certificate (one verifying handshake, and a reading one when it is refused)."""

    name = "certificate"
    cadence = 3600.0

    def read(self) -> Reading:
        from ..health.certificate import inspect_certificate

        parts = urlsplit(self.config.server.HOST.strip())
        try:
            port = parts.port or 443
        except ValueError:
            raise SourceDown(f"HOST {self.config.server.HOST!r} has no usable port "
                             "(wbtui config set HOST https://NAME[:PORT])") from None
        check = inspect_certificate(parts.hostname or "", port, timeout=self.timeout)
        if check.error or check.fields is None:
            raise SourceDown(f"{check.error} (fix: {check.error_fix})" if check.error_fix else check.error)
        return Reading([value("wbtui_certificate_expiry_timestamp_seconds",
                              check.fields.not_after.astimezone(UTC).timestamp()),
                        value("wbtui_certificate_trusted", check.trusted),
                        value("wbtui_certificate_name_matches", check.name_matches)])


def _https_host(config: Config) -> bool:
    try:
        parts = urlsplit(config.server.HOST.strip())
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname)


KINDS: dict[str, tuple[type[Source], Callable[[Config], bool]]] = {
    "server": (ServerSource, lambda c: True),
    "probe": (ProbeSource, lambda c: True),
    "checks": (ChecksSource, lambda c: bool(check_stores(c))),
    "mysql": (MysqlSource, lambda c: bool(c.server.MYSQL.strip())),
    "storage": (StorageSource, lambda c: True),
    "backup": (BackupSource, lambda c: bool(c.server.MYSQL.strip())),
    "certificate": (CertificateSource, _https_host),
}
"""Every source and when it applies: the database's only with MYSQL set (the embedded one lives in /vol), the
certificate's only for an https HOST."""


def sources_for(config: Config) -> list[Source]:
    """The sources that apply to this config, in KINDS' order."""
    return [kind(config) for kind, applies in KINDS.values() if applies(config)]
