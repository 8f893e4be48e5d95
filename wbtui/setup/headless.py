"""`wbtui setup --answers FILE`: the guided setup driven by a file of answers.

For automation and tests. The file is TOML (or JSON) with one table per step;
every action that creates or changes something prints its plan and needs
``--yes`` (the file's author has read the plan), and a failing step stops the
run unless its table says ``continue_anyway = true`` (or lists the ids of the
failing checks it accepts). A rerun resumes at the step that stopped.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..checks.model import CheckResult
from ..config.model import FieldError
from ..config.urls import URLError
from .flow import SetupFlow, StepBlocked, StepReport
from .state import STEP_IDS, STEP_TITLES

EXAMPLE = """\
# wbtui setup --answers FILE --yes: one table per step; a rerun resumes where it stopped.

[where]
backend = "docker"            # or "kubernetes" (+ context, namespace)
container_name = "wandb-local"  # Docker: the container's name
volume = "wandb-data"         # Docker: the volume (or an absolute host path) mounted at /vol

[mysql]
url = "mysql://wandb_local:PASSWORD@db.example.com:3306/wandb_local"
admin_url = "mysql://root:ROOTPW@db.example.com:3306/mysql"   # optional: create user and database
reset_password = false        # with admin_url: ALTER USER when the user exists with another password
continue_anyway = false       # true, or the ids of failing checks you accept: ["mysql.server"]

[s3]
endpoint = "minio.example.com:9000"
access_key = "KEY"
secret_key = "SECRET"
bucket = "wandb"
tls = true
region = "us-east-1"
host = "https://wandb.example.com"   # the CORS origin; defaults to [server] host
create_bucket = true
apply_cors = true

[server]
host = "https://wandb.example.com"
license = "eyJ..."
image = "wandb/local"
tag = "0.60.0"
port = 8080

[server.settings]             # any other setting, as with `wbtui config set KEY VALUE`
"runtime.restart_policy" = "unless-stopped"

[review]
output_dir = "/etc/wbtui/generated"
reveal = false                # true writes files with the real secrets (mode 0600)

[deploy]
timeout = 600                 # the startup watch: seconds until /ready must answer 200

[verify]
wandb_verify = false          # run `wandb verify --host HOST` when the wandb package is installed
"""

STOP_HINTS = {
    "s3.bucket": "create_bucket = true in [s3] creates it",
    "s3.cors": "apply_cors = true in [s3] sets the rules",
    "s3.cors_preflight": "apply_cors = true in [s3] sets the rules",
    "mysql.connect": "admin_url in [mysql] creates the user and database",
}


class AnswersError(ValueError):
    """The answers file is missing a value or has one of the wrong kind."""


def load_answers(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise AnswersError(f"cannot read {path}: {exc.strerror}; give the path of a readable answers file") \
            from None
    except UnicodeDecodeError as exc:
        raise AnswersError(f"{path} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
                           "save it as UTF-8") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AnswersError(f"{path}: {exc}") from None
    if not isinstance(data, dict):
        raise AnswersError(f"{path}: expected a table per step")
    unknown = set(data) - set(STEP_IDS)
    if unknown:
        raise AnswersError(f"{path}: unknown sections {', '.join(sorted(unknown))} "
                           f"(expected {', '.join(STEP_IDS)})")
    for step, section in data.items():
        if not isinstance(section, dict):
            raise AnswersError(f"{path}: {step} must be a table of answers")
    return data


def _need(section: dict[str, Any], key: str, step: str) -> Any:
    if key not in section:
        raise AnswersError(f"the answers have no {step}.{key} (add {key} = ... to [{step}])")
    return section[key]


def _text(section: dict[str, Any], key: str, step: str) -> str:
    value = section[key]
    if not isinstance(value, str):
        raise AnswersError(f"{step}.{key} must be a string in quotes, e.g. {key} = \"name\"")
    return value


def _accepts(section: dict[str, Any], step: str) -> bool | list[str]:
    value = section.get("continue_anyway", False)
    if isinstance(value, bool):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise AnswersError(f"{step}.continue_anyway must be true, false or a list of check ids")


class HeadlessSetup:
    """Runs the steps from the current one on; prints through ``echo`` and ``show``."""

    def __init__(self, flow: SetupFlow, answers: dict[str, Any], *, assume_yes: bool,
                 echo: Callable[[str], None], show: Callable[[list[CheckResult]], None]) -> None:
        self.flow = flow
        self.answers = answers
        self.assume_yes = assume_yes
        self.echo = echo
        self.show = show

    def confirm(self, plan: list[str]) -> None:
        for line in plan:
            self.echo("  will: " + line.replace("\n", "\n        "))
        if not self.assume_yes:
            raise AnswersError("this step creates or changes something: read the plan above and rerun "
                               "with --yes to confirm it")

    def run(self) -> int:
        """0 when every step finished (continued-anyway steps are listed), 1 when one is blocked."""
        flow = self.flow
        while True:
            step = flow.current
            section = self.answers.get(step, {})
            accepts = _accepts(section, step)
            self.echo(f"\n== {STEP_IDS.index(step) + 1}/{len(STEP_IDS)} {STEP_TITLES[step]} ==")
            report = getattr(self, f"step_{step}")(section)
            if report is not None:
                for action in report.actions:
                    self.echo(f"  did: {action}")
                self.show(report.results)
            try:
                nxt = flow.advance(step, continue_anyway=accepts)
            except StepBlocked as exc:
                self._stopped(step, exc)
                return 1
            if step in flow.state.continued_anyway:
                self.echo(f"  continued anyway: {flow.state.continued_anyway[step]}")
            if step == STEP_IDS[-1] or nxt == step:
                self._summary()
                return 0

    def _stopped(self, step: str, exc: StepBlocked) -> None:
        self.echo(f"\nstopped: {exc}.")
        for result in exc.failures:
            hint = STOP_HINTS.get(result.id)
            self.echo(f"  ✘ {result.title}: {result.summary}" + (f"\n    fix: {result.fix}" if result.fix else "")
                      + (f"\n    or: {hint}" if hint else ""))
        self.echo(f"Fix it and rerun (the setup resumes at {STEP_TITLES[step]}), or accept the failures with "
                  f"continue_anyway = true in [{step}].")

    def _summary(self) -> None:
        continued = self.flow.state.continued_anyway
        self.echo("\nSummary:")
        self.echo(f"  {len(self.flow.state.done)}/{len(STEP_IDS)} steps done")
        for step, why in continued.items():
            self.echo(f"  continued anyway at {STEP_TITLES[step]}: {why}")
        if not continued:
            self.echo("  no step was continued past a failure")

    def step_where(self, a: dict[str, Any]) -> StepReport:
        names = {key: _text(a, key, "where") for key in ("container_name", "volume") if key in a}
        return self.flow.where(a.get("backend", "docker"), context=a.get("context", ""),
                               namespace=a.get("namespace", ""), **names)

    def step_mysql(self, a: dict[str, Any]) -> StepReport:
        from ..checks.mysql_init import DbInitError

        flow, actions = self.flow, []
        flow.set("MYSQL", _need(a, "url", "mysql"))
        if a.get("admin_url"):
            try:
                plan = flow.plan_database(a["admin_url"], reset_password=bool(a.get("reset_password")))
            except DbInitError as exc:
                return flow.fail_step("mysql", flow.failure("mysql.db_init", "Create user and database", exc,
                                                            "check admin_url: an account that may CREATE USER "
                                                            "and GRANT"))
            for step in plan:
                if step.action == "blocked":
                    self.echo(f"  cannot: {step.title}: {step.note}")
            pending = [s for s in plan if s.pending]
            if pending:
                self.confirm([s.sql for s in pending])
                actions = flow.create_database(a["admin_url"], plan)
            else:
                actions = ["user, database and grant: nothing to create"]
        return flow.check_mysql(actions=actions)

    def step_s3(self, a: dict[str, Any]) -> StepReport:
        from ..checks.s3_bucket import BucketActionError

        flow, actions = self.flow, []
        host = a.get("host") or self.answers.get("server", {}).get("host", "")
        try:
            flow.set_bucket(_need(a, "endpoint", "s3"), _need(a, "access_key", "s3"), _need(a, "secret_key", "s3"),
                            _need(a, "bucket", "s3"), tls=bool(a.get("tls", False)),
                            region=a.get("region", "us-east-1"), host=host)
        except (URLError, FieldError) as exc:
            return flow.fail_step("s3", flow.failure("s3.config", "BUCKET setting", exc,
                                                     "check endpoint (HOST[:PORT]) and bucket in [s3]"))
        for flag, action, title in (("create_bucket", "create", "Create bucket"), ("apply_cors", "cors", "Apply CORS")):
            if not a.get(flag):
                continue
            try:
                plan = flow.bucket_action(action, dry_run=True)
                if plan.changed:
                    self.confirm(plan.changes or [plan.summary])
                    actions.append(flow.bucket_action(action, dry_run=False).summary)
                else:
                    actions.append(plan.summary)
            except BucketActionError as exc:
                return flow.fail_step("s3", flow.failure(f"s3.{action}_action", title, exc), actions)
        return flow.check_s3(actions=actions)

    def step_server(self, a: dict[str, Any]) -> StepReport:
        values: dict[str, Any] = {"HOST": _need(a, "host", "server")}
        for key, field in (("license", "LICENSE"), ("image", "runtime.image"), ("tag", "runtime.tag"),
                           ("port", "runtime.port")):
            if key in a:
                values[field] = a[key]
        settings = a.get("settings", {})
        if not isinstance(settings, dict):
            raise AnswersError("server.settings must be a table of KEY = VALUE")
        values.update(settings)
        return self.flow.server(values)

    def step_review(self, a: dict[str, Any]) -> StepReport:
        report = self.flow.review()
        if a.get("output_dir"):
            for kind, path in self.flow.save_files(Path(a["output_dir"]), reveal=bool(a.get("reveal"))).items():
                self.echo(f"  wrote {kind}: {path}")
        return report

    def step_deploy(self, a: dict[str, Any]) -> StepReport:
        self.confirm(self.flow.plan_deploy())
        last = [""]

        def progress(p: Any) -> None:
            line = p.summary()
            if line != last[0]:
                last[0] = line
                self.echo(f"  … {line}")

        return self.flow.deploy_and_watch(timeout=float(a.get("timeout", 600)), interval=float(a.get("interval", 2.0)),
                                          on_line=lambda line: self.echo(f"  … {line}"), on_progress=progress)

    def step_verify(self, a: dict[str, Any]) -> StepReport:
        report = self.flow.verify()
        if a.get("wandb_verify"):
            from .verify import stream_wandb_verify, wandb_cli

            if wandb_cli() is None:
                self.echo("  wandb is not installed: pip install wandb, then wandb verify --host HOST")
            else:
                redact = self.flow.redactor()
                for line in stream_wandb_verify(self.flow.config.server.HOST):
                    self.echo(f"  wandb: {redact(line)}")
        return report

    def step_next(self, _a: dict[str, Any]) -> None:
        for line in self.flow.next_steps():
            self.echo(f"  - {line}")
