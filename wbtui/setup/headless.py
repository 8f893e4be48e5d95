"""`wbtui setup --answers FILE`: the guided setup driven by a file of answers.

For automation and tests. The file is TOML (or JSON) with one table per step;
every action that creates or changes something needs ``--yes`` (the file's
author has read the plan), and a failing step stops the run unless its table
says ``continue_anyway = true``.
"""

from __future__ import annotations

import asyncio
import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..checks.model import CheckResult
from .flow import SetupFlow, StepBlocked, StepReport
from .state import STEP_IDS, STEP_TITLES

EXAMPLE = """\
[where]
backend = "docker"            # or "kubernetes" (+ context, namespace)

[mysql]
url = "mysql://wandb_local:PASSWORD@db.example.com:3306/wandb_local"
admin_url = "mysql://root:ROOTPW@db.example.com:3306/mysql"   # optional: create user and database
continue_anyway = false

[s3]
endpoint = "minio.example.com:9000"
access_key = "KEY"
secret_key = "SECRET"
bucket = "wandb"
tls = true
region = "us-east-1"
create_bucket = true
apply_cors = true

[server]
host = "https://wandb.example.com"
license = "eyJ..."
tag = "0.60.0"

[review]
output_dir = "/etc/wbtui/generated"

[deploy]
timeout = 600

[verify]
wandb_verify = false
"""


class AnswersError(ValueError):
    """The answers file is missing a value or has one of the wrong kind."""


def load_answers(path: Path) -> dict[str, Any]:
    text = path.read_text()
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AnswersError(f"{path}: {exc}") from None
    unknown = set(data) - set(STEP_IDS)
    if unknown:
        raise AnswersError(f"{path}: unknown sections {', '.join(sorted(unknown))} "
                           f"(expected {', '.join(STEP_IDS)})")
    return data


def _need(section: dict[str, Any], key: str, step: str) -> Any:
    if key not in section:
        raise AnswersError(f"[{step}] needs {key!r}")
    return section[key]


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
            self.echo(f"  will: {line}")
        if not self.assume_yes:
            raise AnswersError("this step changes something; rerun with --yes to confirm the plan above")

    def run(self) -> int:
        """0 when every step finished (continued-anyway steps are listed), 1 when one is blocked."""
        flow = self.flow
        while True:
            step = flow.current
            section = self.answers.get(step, {})
            self.echo(f"\n== {STEP_IDS.index(step) + 1}/{len(STEP_IDS)} {STEP_TITLES[step]} ==")
            report = getattr(self, f"step_{step}")(section)
            if report is not None:
                for action in report.actions:
                    self.echo(f"  did: {action}")
                self.show(report.results)
            try:
                nxt = flow.advance(step, continue_anyway=bool(section.get("continue_anyway")))
            except StepBlocked as exc:
                self.echo(f"stopped: {exc}. Fix it and rerun, or set continue_anyway = true in [{step}].")
                return 1
            if step in flow.state.continued_anyway:
                self.echo(f"  continued anyway: {flow.state.continued_anyway[step]}")
            if step == STEP_IDS[-1] or nxt == step:
                return 0

    def step_where(self, a: dict[str, Any]) -> StepReport:
        return self.flow.where(a.get("backend", "docker"), context=a.get("context", ""),
                               namespace=a.get("namespace", ""))

    def step_mysql(self, a: dict[str, Any]) -> StepReport:
        flow, actions = self.flow, []
        flow.set("MYSQL", _need(a, "url", "mysql"))
        if a.get("admin_url"):
            plan = flow.plan_database(a["admin_url"])
            pending = [s for s in plan if s.pending]
            if pending:
                self.confirm([s.sql for s in pending])
                actions = flow.create_database(a["admin_url"], plan)
            else:
                actions = ["user, database and grant already present: nothing to do"]
        return flow.check_mysql(actions=actions)

    def step_s3(self, a: dict[str, Any]) -> StepReport:
        flow, actions = self.flow, []
        flow.set_bucket(_need(a, "endpoint", "s3"), _need(a, "access_key", "s3"), _need(a, "secret_key", "s3"),
                        _need(a, "bucket", "s3"), tls=bool(a.get("tls", False)), region=a.get("region", "us-east-1"))
        for flag, action in (("create_bucket", "create"), ("apply_cors", "cors")):
            if not a.get(flag):
                continue
            plan = flow.bucket_action(action, dry_run=True)
            if plan.changed:
                self.confirm(plan.changes or [plan.summary])
                actions.append(flow.bucket_action(action, dry_run=False).summary)
            else:
                actions.append(plan.summary)
        return flow.check_s3(actions=actions)

    def step_server(self, a: dict[str, Any]) -> StepReport:
        values = {"HOST": _need(a, "host", "server")}
        for key, field in (("license", "LICENSE"), ("image", "runtime.image"), ("tag", "runtime.tag"),
                           ("port", "runtime.port")):
            if key in a:
                values[field] = a[key]
        return self.flow.server(values)

    def step_review(self, a: dict[str, Any]) -> StepReport:
        report = self.flow.review()
        if a.get("output_dir"):
            for kind, path in self.flow.save_files(Path(a["output_dir"]), reveal=bool(a.get("reveal"))).items():
                self.echo(f"  wrote {kind}: {path}")
        for line in self.flow.open_warnings():
            self.echo(f"  open: {line}")
        return report

    def step_deploy(self, a: dict[str, Any]) -> StepReport:
        cfg = self.flow.config
        target = cfg.runtime.container_name if cfg.runtime.backend == "docker" else cfg.kubernetes.name
        self.confirm([f"deploy {cfg.runtime.image_ref} as {target} ({cfg.runtime.backend})"])
        self.echo(f"  {self.flow.deploy()}")
        last = [""]

        def progress(p: Any) -> None:
            line = p.summary()
            if line != last[0]:
                last[0] = line
                self.echo(f"  … {line}")

        return asyncio.run(self.flow.watch(timeout=float(a.get("timeout", 600)),
                                           interval=float(a.get("interval", 2.0)), on_progress=progress))

    def step_verify(self, a: dict[str, Any]) -> StepReport:
        report = self.flow.verify()
        if a.get("wandb_verify"):
            from .verify import stream_wandb_verify, wandb_cli

            if wandb_cli() is None:
                self.echo("  wandb is not installed: pip install wandb, then wandb verify --host HOST")
            else:
                for line in stream_wandb_verify(self.flow.config.server.HOST):
                    self.echo(f"  wandb: {line}")
        return report

    def step_next(self, _a: dict[str, Any]) -> None:
        for line in self.flow.next_steps():
            self.echo(f"  - {line}")
