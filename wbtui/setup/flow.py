"""The guided setup as plain Python: one method per thing a step does.

The dashboard's setup screen and `wbtui setup --answers FILE` both drive this
class, so they show the same results. Inputs are saved to the config as soon
as they are given, progress after each step; nothing is created (database
user, bucket, CORS rules, container) except by the explicit methods that do it
(``create_database``, ``bucket_action(dry_run=False)``, ``deploy_and_watch``),
which callers run only after showing the plan and getting a confirmation.
Failures of those actions come back as failing results with their fix, never
as tracebacks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..checks.model import CheckResult, Status
from ..config import masking, store
from ..config.masking import Redactor
from ..config.model import Config, FieldError, set_value
from ..config.urls import MYSQL_EXAMPLE, BucketURL, MysqlURL, URLError
from ..config.validate import Finding, validate
from .state import STEP_IDS, STEP_TITLES, SetupState, state_path

if TYPE_CHECKING:
    from ..checks.mysql_init import Step
    from ..checks.s3_bucket import ActionResult
    from ..health.watch import WatchProgress, WatchResult
    from ..runtime.base import Runtime
    from .where import Place

OnResult = Callable[[CheckResult], None] | None
RuntimeFactory = Callable[[Config], "Runtime"]

SERVER_FIELDS = ("HOST", "LICENSE", "runtime.image", "runtime.tag", "runtime.port")
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "where": ("runtime.backend", "runtime.cpu_limit", "runtime.memory_limit", "kubernetes.namespace",
              "kubernetes.context"),
    "mysql": ("MYSQL",),
    "s3": ("BUCKET", "BUCKET_QUEUE", "AWS_REGION"),
    "server": SERVER_FIELDS,
}
DOCKER_FIELDS = ("runtime.container_name", "runtime.volume")
"""Asked in step 1 when the server runs on Docker (Kubernetes names its objects after kubernetes.name)."""
CHECKED_STEPS = frozenset(STEP_IDS) - {"next"}
"""Steps whose checks must have run (in this session) before they can be finished."""


def default_runtime(config: Config) -> Runtime:
    """The backend the config names (the tests put their labels on Docker objects through this seam)."""
    from ..runtime.base import runtime_for

    return runtime_for(config)


class StepBlocked(Exception):
    """A step has failing results (or none yet); it advances only with an explicit "continue anyway"."""

    def __init__(self, step: str, failures: list[CheckResult], not_run: bool = False) -> None:
        if not_run:
            message = f"{STEP_TITLES[step]} has not been checked yet"
        else:
            message = f"{STEP_TITLES[step]} has failures: {', '.join(r.title for r in failures)}"
        super().__init__(message)
        self.step = step
        self.failures = failures
        self.not_run = not_run


def findings_as_results(findings: Iterable[Finding], store_name: str = "config") -> list[CheckResult]:
    """Config findings in the shape of check results, so a step shows one kind of table."""
    status = {"error": Status.FAIL, "warning": Status.WARN, "info": Status.PASS}
    return [CheckResult(f"config.{f.field}", f.field, status[f.severity], f.message, fix=f.fix, store=store_name)
            for f in findings]


def assemble_bucket_url(endpoint: str, access_key: str, secret_key: str, bucket: str, tls: bool) -> str:
    """BUCKET from form fields, credentials escaped; raises URLError naming the bad part.

    An endpoint pasted with a scheme is accepted: https:// turns TLS on.
    """
    endpoint = endpoint.strip().rstrip("/")
    scheme, sep, rest = endpoint.partition("://")
    if sep:
        endpoint, tls = rest, tls or scheme.lower() == "https"
    shape = BucketURL.parse(f"s3://k:s@{endpoint}/{quote(bucket.strip(), safe='')}")
    return BucketURL(access_key, secret_key, shape.host, shape.bucket, shape.port, tls).format()


def assemble_mysql_url(host: str, port: str | int | None, database: str, user: str, password: str) -> str:
    """MYSQL from form fields, credentials and database escaped; raises URLError naming the bad part."""
    hostport = f"{host.strip()}:{str(port).strip()}" if str(port or "").strip() else host.strip()
    if not user.strip():
        raise URLError("user", "the user name is empty", MYSQL_EXAMPLE)
    shape = MysqlURL.parse(f"mysql://u:p@{hostport}/{quote(database.strip(), safe='')}")
    return MysqlURL(user.strip(), password, shape.host, shape.database, shape.port).format()


def admin_url_for(mysql_url: str, user: str, password: str) -> str:
    """The admin account on MYSQL's server, as db init needs it (database ``mysql``)."""
    target = MysqlURL.parse(mysql_url)
    return MysqlURL(user.strip(), password, target.host, "mysql", target.port).format()


@dataclass
class StepReport:
    """What a step found: results (checks and config findings) and the actions it took."""

    step: str
    results: list[CheckResult] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == Status.FAIL]

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "results": [r.to_dict() for r in self.results], "actions": self.actions}


class SetupFlow:
    """The setup's state and operations for one config file.

    ``runtime_factory`` builds the Docker/Kubernetes backend for deploy and watch.
    """

    def __init__(self, config_path: Path, *, timeout: float | None = None,
                 runtime_factory: RuntimeFactory | None = None) -> None:
        self.config_path = config_path
        self.state_file = state_path(config_path)
        self.config: Config = store.load(config_path)
        self.state = SetupState.load(self.state_file)
        self.timeout = timeout if timeout is not None else self.config.app.timeout
        self.runtime_factory = runtime_factory or default_runtime
        self.reports: dict[str, StepReport] = {}

    # -- progress -----------------------------------------------------------------------------
    @property
    def current(self) -> str:
        return self.state.current

    def redactor(self) -> Redactor:
        return masking.screen(self.config)

    def save(self) -> None:
        """The progress (every setting was saved when it was set)."""
        self.state.save(self.state_file)

    def _store(self, values: dict[str, Any]) -> list[FieldError]:
        """Set ``values`` on the file as it is now, under its lock, and save: what another shell wrote since
        the setup read the file is kept (the setup used to save its own older copy over it)."""
        bad: list[FieldError] = []
        with store.editing(self.config_path) as edit:
            latest = edit.loaded.copy()
            for key, value in values.items():
                try:
                    set_value(latest, key, value)
                except FieldError as exc:
                    bad.append(exc)
            edit.config = latest
        self.config = latest
        return bad

    def set(self, key: str, value: Any) -> list[Finding]:
        """Store one input and return its findings; the config is saved at once."""
        bad = self._store({key: value})
        if bad:
            raise bad[0]
        return [f for f in validate(self.config) if f.field == key]

    def advance(self, step: str, *, continue_anyway: bool | Iterable[str] = False) -> str:
        """Finish ``step`` and save; the new current step.

        With failures (or when a checked step has not run) it advances only when the
        user chose to continue anyway: ``True`` for everything, or the ids of the
        failing checks accepted; the reason is kept for the summary.
        """
        report = self.reports.get(step)
        if report is None and step in CHECKED_STEPS:
            if continue_anyway is not True:
                raise StepBlocked(step, [], not_run=True)
            reason = "not checked"
        else:
            failures = report.failures if report else []
            accepted = continue_anyway is True or {r.id for r in failures} <= set(continue_anyway or ())
            if failures and not accepted:
                raise StepBlocked(step, failures)
            reason = "; ".join(f"{r.title}: {r.summary}" for r in failures)
        nxt = self.state.finish(step, reason)
        self.save()
        return nxt

    def go_to(self, step: str) -> None:
        self.state.go_to(step)
        self.state.save(self.state_file)

    def reset(self) -> None:
        self.state = SetupState()
        self.reports.clear()
        self.state.save(self.state_file)

    def _report(self, step: str, results: list[CheckResult], actions: list[str] | None = None) -> StepReport:
        report = StepReport(step, results, actions or [])
        self.reports[step] = report
        return report

    def failure(self, check_id: str, title: str, exc: BaseException, fix: str = "") -> CheckResult:
        """An action's error as a failing result (message and fix scrubbed of secrets)."""
        redact = self.redactor()
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        fix = getattr(exc, "fix", "") or fix
        return CheckResult(check_id, title, Status.FAIL, redact(str(message)), fix=redact(str(fix)),
                           store=check_id.split(".", 1)[0])

    def fail_step(self, step: str, result: CheckResult, actions: list[str] | None = None) -> StepReport:
        """Record a step that could not run its checks (an action failed first)."""
        return self._report(step, [result], actions)

    def findings_for(self, step: str, extra: Iterable[str] = ()) -> list[CheckResult]:
        fields = {*STEP_FIELDS.get(step, ()), *extra}
        return findings_as_results([f for f in validate(self.config) if f.field in fields])

    # -- 1. where it runs -------------------------------------------------------------------------
    def detect(self, backend: str) -> Place:
        from .where import detect_docker, detect_kubernetes

        return detect_docker(self.timeout) if backend == "docker" else detect_kubernetes()

    def where(self, backend: str, *, context: str = "", namespace: str = "", container_name: str | None = None,
              volume: str | None = None) -> StepReport:
        """Docker: the container's name and data volume (``None`` keeps the saved ones); Kubernetes: context
        and namespace. The place is detected and the names validated like every other setting."""
        try:
            self.set("runtime.backend", backend)
        except FieldError as exc:
            return self.fail_step("where", self.failure("where.backend", "Backend", exc,
                                                        "choose docker or kubernetes"))
        if backend == "kubernetes":
            if context:
                self.set("kubernetes.context", context)
            if namespace:
                self.set("kubernetes.namespace", namespace)
        else:
            for key, value in (("runtime.container_name", container_name), ("runtime.volume", volume)):
                if value is not None:
                    self.set(key, value.strip())
        place = self.detect(backend)
        status = Status.PASS if place.reachable else Status.FAIL
        results = [CheckResult("where.place", f"{backend} reachable", status, place.summary, fix=place.fix,
                               store="where")]
        results += findings_as_results(place.advice(), "where")
        results += self.findings_for("where", DOCKER_FIELDS if backend == "docker" else ())
        return self._report("where", results)

    # -- 2. MySQL -------------------------------------------------------------------------------
    def plan_database(self, admin_url: str, *, reset_password: bool = False) -> list[Step]:
        """What `db init` would do as the admin (nothing is changed); DbInitError explains a refusal."""
        from ..checks.mysql_init import plan_db_init

        return plan_db_init(self.config, admin_url, timeout=self.timeout, reset_password=reset_password)

    def create_database(self, admin_url: str, plan: list[Step]) -> list[str]:
        """Run the confirmed plan; one line per step with its outcome."""
        from ..checks.mysql_init import apply_db_init

        results = apply_db_init(self.config, admin_url, plan, timeout=self.timeout)
        return [f"{r.step.title}: {r.outcome}" + (f" ({r.message})" if r.message else "") for r in results]

    def check_mysql(self, on_result: OnResult = None, actions: list[str] | None = None) -> StepReport:
        from ..checks.mysql import run_mysql_checks

        results = self.findings_for("mysql") + run_mysql_checks(self.config, timeout=self.timeout,
                                                                on_result=on_result)
        return self._report("mysql", results, actions)

    # -- 3. object store ------------------------------------------------------------------------
    def set_bucket(self, endpoint: str, access_key: str, secret_key: str, bucket: str, *, tls: bool,
                   region: str, host: str = "") -> list[Finding]:
        """BUCKET from the form (URLError names a bad part); HOST too when given, for the CORS origin."""
        url = assemble_bucket_url(endpoint, access_key, secret_key, bucket, tls)
        values = {"AWS_REGION": region, "BUCKET_QUEUE": "internal://", **({"HOST": host} if host.strip() else {}),
                  "BUCKET": url}
        bad = self._store(values)
        if bad:
            raise bad[0]
        return [f for f in validate(self.config) if f.field == "BUCKET"]

    def bucket_action(self, action: str, *, dry_run: bool) -> ActionResult:
        """``create`` or ``cors``; a dry run says what would change. BucketActionError explains a refusal."""
        from ..checks.s3_bucket import apply_cors, create_bucket

        fn = create_bucket if action == "create" else apply_cors
        return fn(self.config, timeout=self.timeout, dry_run=dry_run)

    def check_s3(self, on_result: OnResult = None, actions: list[str] | None = None) -> StepReport:
        from ..checks.s3 import run_s3_checks

        results = self.findings_for("s3") + run_s3_checks(self.config, timeout=self.timeout, on_result=on_result)
        return self._report("s3", results, actions)

    # -- 4. server ------------------------------------------------------------------------------
    def server(self, values: dict[str, Any]) -> StepReport:
        """Store HOST, LICENSE, image, tag (and any other setting given) and validate them."""
        bad = [self.failure(f"config.{exc.key}", exc.key, exc, exc.example and f"e.g. {exc.example}")
               for exc in self._store(values)]
        self.save()
        return self._report("server", bad + self.findings_for("server", values))

    # -- 5. review ------------------------------------------------------------------------------
    def save_files(self, directory: Path, *, reveal: bool = False) -> dict[str, str]:
        """Write every generated file (secrets masked unless ``reveal``) and remember where."""
        from ..runtime.artifacts import ARTIFACTS, write_artifact

        paths = {a.kind: str(write_artifact(a, self.config, directory, reveal)) for a in ARTIFACTS}
        self.state.generated.update(paths)
        self.state.save(self.state_file)
        return paths

    def review(self) -> StepReport:
        """Every warning still open: config warnings, steps continued past failures, then errors (which block)."""
        results = findings_as_results([f for f in validate(self.config) if f.severity != "info"])
        continued = [CheckResult(f"review.{step}", f"{STEP_TITLES[step]} (continued anyway)", Status.WARN, why,
                                 fix=f"go back to {STEP_TITLES[step]}, fix it and check again", store="review")
                     for step, why in self.state.continued_anyway.items()]
        return self._report("review", [r for r in results if r.status != Status.FAIL] + continued +
                            [r for r in results if r.status == Status.FAIL])

    # -- 6. deploy ------------------------------------------------------------------------------
    def plan_deploy(self) -> list[str]:
        """Exactly what deploying will do, secrets masked: the command or the objects."""
        cfg = self.config
        if cfg.runtime.backend == "kubernetes":
            from ..runtime.kubernetes.render import render_yaml

            k = cfg.kubernetes
            where = f"context {k.context or '(current)'}, namespace {k.namespace}"
            return [f"create or update Deployment, Service and Ingress {k.name} ({where}) "
                    f"running {cfg.runtime.image_ref}:", render_yaml(cfg, False)]
        from ..runtime.docker.render import render_command

        return [f"create (or recreate, keeping the volume {cfg.runtime.volume or '(none)'}) and start the "
                f"container {cfg.runtime.container_name} from {cfg.runtime.image_ref}, as:",
                render_command(cfg).rstrip("\n")]

    def deploy_and_watch(self, *, timeout: float = 600, interval: float = 2.0,
                         on_line: Callable[[str], None] | None = None,
                         on_progress: Callable[[WatchProgress], None] | None = None) -> StepReport:
        """Deploy, then wait for /ready (the startup watch); one result either way.

        ``on_line`` hears the deploy's progress (an image pull); ``on_progress`` gets the
        watch's ticks. An exception from ``on_progress`` (a cancelled worker) stops the
        watch and propagates.
        """
        from ..health.bounded import run_sync
        from ..health.watch import startup_watch
        from ..runtime.base import RuntimeProblem

        runtime = self.runtime_factory(self.config)
        if on_line is not None:
            runtime.progress = lambda p: on_line(p.message)
        try:
            try:
                done = runtime.deploy()
            except RuntimeProblem as exc:
                return self.fail_step("deploy", self.failure("deploy.create", "Deploy", exc))
            result = run_sync(startup_watch(runtime, self.config, timeout=timeout, interval=interval,
                                            on_progress=on_progress))
        finally:
            runtime.close()
        return self._report("deploy", [watch_result(result)], [done])

    # -- 7. verify ------------------------------------------------------------------------------
    def verify(self, on_result: OnResult = None) -> StepReport:
        """Through HOST: scheme, DNS, probes, body size; the store's signed URLs and preflight for HOST."""
        from ..checks.s3 import run_s3_checks
        from .verify import verify_host

        results = verify_host(self.config, timeout=self.timeout, on_result=on_result)
        if self.config.server.BUCKET.strip():
            wanted = {"s3.signed_urls", "s3.cors_preflight"}
            for result in run_s3_checks(self.config, timeout=self.timeout):
                if result.id in wanted:
                    results.append(result)
                    if on_result is not None:
                        on_result(result)
        return self._report("verify", results)

    # -- 8. next steps --------------------------------------------------------------------------
    def next_steps(self) -> list[str]:
        return next_steps(self.config, self.state, self.config_path)


def watch_result(result: WatchResult) -> CheckResult:
    """The startup watch as one result: ready, or why not with the diagnosis."""
    details = "\n".join(result.last_lines[-15:])
    if result.ready:
        return CheckResult("deploy.ready", "Server ready", Status.PASS, result.message, details, store="deploy",
                           duration=result.elapsed)
    fix = "; ".join(d.fix for d in result.diagnosis) or "read the logs: wbtui logs --tail 200"
    return CheckResult("deploy.ready", "Server ready", Status.FAIL, result.message, details, fix,
                       duration=result.elapsed, store="deploy")


def next_steps(config: Config, state: SetupState, config_path: Path | None = None) -> list[str]:
    """The guide's operating advice, after a first install."""
    steps = [
        "Backups: back up MySQL daily to a separate facility, keeping at least a week "
        "(e.g. mysqldump --single-transaction nightly from cron, or your provider's snapshots).",
        "Monitoring: watch MySQL CPU (sustained > 40% for 5 minutes means it is starved), object-store "
        "capacity and availability; `wbtui check all --strict` and `wbtui probe` fit a cron job.",
        "TLS: terminate TLS at the load balancer with a trusted certificate (not self-signed); "
        "`wbtui render nginx` gives a config.",
        "Availability: a hot standby MySQL replica on another machine, streaming from the primary, to fail over to.",
        "Process manager: keep the container running across crashes and reboots (`wbtui render systemd`).",
        "On-call: `wbtui` opens the dashboard; `wbtui doctor --bundle FILE` collects a redacted support bundle.",
    ]
    if not config.server.HOST.startswith("https://"):
        steps.insert(2, "HOST is http://: switch to https:// once the load balancer terminates TLS.")
    if config_path is not None:
        steps.append(f"Configuration: {config_path}")
    for kind, path in sorted(state.generated.items()):
        steps.append(f"Generated {kind}: {path}")
    return steps


__all__ = ["STEP_IDS", "STEP_TITLES", "SetupFlow", "StepBlocked", "StepReport", "assemble_bucket_url",
           "assemble_mysql_url"]
