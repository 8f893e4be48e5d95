"""The one place the dashboard calls into the core modules.

Every method here may block (network, daemons, files): panes call them from
thread workers only. Client libraries (docker, kubernetes, pymysql, boto3,
httpx) are imported by the core modules inside these calls, never at import.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import store
from ..config.model import Config
from .session import Session

if TYPE_CHECKING:
    from ..checks.model import CheckResult
    from ..diagnosis.engine import Diagnosis
    from ..runtime.base import Runtime, ServerStatus


@dataclass(frozen=True)
class Rendered:
    """One text to show: its label, suggested file name and how to produce it."""

    label: str
    file_name: str
    render: Callable[[], str]


@dataclass
class FixPlan:
    """A fix action as planned: exactly what it will do (secrets masked), and how to do it."""

    action: str
    store: str
    title: str
    steps: list[str]
    pending: bool
    apply: Callable[[], list[str]]


class Core:
    """Lazily built runtime for the saved config (plus the Runtime pane's context/namespace choice).

    ``runtime_factory`` defaults to ``runtime_for``; tests pass one that labels what it creates.
    """

    def __init__(self, session: Session, runtime_factory: Callable[[Config], Runtime] | None = None) -> None:
        self.session = session
        self._factory = runtime_factory
        self.overrides: dict[str, str] = {}
        self._lock = threading.Lock()
        self._runtime: Runtime | None = None
        self._runtime_key = ""
        self.log_pod: str | None = None

    @property
    def runtime_factory(self) -> Callable[[Config], Runtime] | None:
        return self._factory

    def target_config(self) -> Config:
        """The saved config with the Runtime pane's context/namespace picks applied."""
        from ..config.model import set_value

        config = self.session.saved.copy()
        for key, value in self.overrides.items():
            set_value(config, key, value)
        return config

    def runtime(self) -> Runtime:
        """The backend for the target config, rebuilt when that config changes."""
        config = self.target_config()
        key = store.dumps(config)
        with self._lock:
            if self._runtime is None or key != self._runtime_key:
                from ..runtime.base import runtime_for

                if self._runtime is not None:
                    self._runtime.close()
                self._runtime = (self._factory or runtime_for)(config)
                self._runtime_key = key
            if self._runtime.backend == "kubernetes":
                self._runtime.pod = self.log_pod  # type: ignore[attr-defined]  # whose log the Logs pane follows
            return self._runtime

    def close(self) -> None:
        with self._lock:
            if self._runtime is not None:
                self._runtime.close()
                self._runtime = None

    # ---- checks ----------------------------------------------------------------
    def run_checks(self, config: Config, stores: Sequence[str],
                   on_result: Callable[[CheckResult], None]) -> list[CheckResult]:
        from ..checks.runner import run_checks

        return run_checks(config, stores=tuple(stores), timeout=config.app.timeout, on_result=on_result)

    def plan_fix(self, action: str, config: Config, admin_url: str = "") -> FixPlan:
        """Inspect the store and plan a fix action; nothing changes until ``apply`` is called."""
        if action == "db_init":
            return _plan_db_init(config, admin_url)
        return _plan_bucket(action, config)

    # ---- diagnosis ---------------------------------------------------------------
    def diagnose(self, lines: list[str], status: ServerStatus | None,
                 checks: Sequence[CheckResult]) -> list[Diagnosis]:
        from ..diagnosis.engine import diagnose, facts_from

        config = self.session.saved
        return diagnose(facts_from(lines=lines, status=status, checks=checks, config=config))

    # ---- config vs running -----------------------------------------------------------
    def running_config(self, draft: Config) -> Config | None:
        """The settings the running server was started with, or None when nothing is deployed.

        Read back by the config importers over ``draft`` with its server settings and
        extras cleared, so settings a backend cannot report compare equal.
        """
        from ..config.model import ServerSettings

        runtime = self.runtime()
        if not runtime.status().exists:
            return None
        base = draft.copy()
        base.server = ServerSettings()
        base.env = {}
        if runtime.backend == "kubernetes":
            return _running_kubernetes(runtime, base)
        from ..config.importers import import_docker_container

        return import_docker_container(runtime.config.runtime.container_name, base, runtime.config.app.timeout).config

    # ---- previews ------------------------------------------------------------------------
    @staticmethod
    def previews(config: Config) -> list[Rendered]:
        """Every file the renderers produce, masked (the same text as `wbtui render KIND`)."""
        from ..render import cors, docker, kubernetes, mc, nginx, sql, systemd

        return [
            Rendered("docker run", "docker-run.sh", lambda: docker.render_command(config)),
            Rendered("docker env file", "wandb.env", lambda: docker.render_env_file(config)),
            Rendered("Kubernetes manifests", "wandb.yaml", lambda: kubernetes.render_yaml(config)),
            Rendered("nginx", "wandb-nginx.conf", lambda: nginx.render_nginx(config)),
            Rendered("systemd unit", "wandb-local.service", lambda: systemd.render_unit(config)),
            Rendered("MySQL SQL", "wandb.sql", lambda: sql.render_sql(config)),
            Rendered("mc commands", "mc.sh", lambda: mc.render_mc(config)),
            Rendered("CORS (JSON)", "cors.json", lambda: cors.render_json(config)),
            Rendered("CORS commands", "cors.sh", lambda: cors.render_commands(config)),
        ]

    # ---- doctor bundle ------------------------------------------------------------------
    def doctor_bundle(self, directory: Path) -> Path:
        """Run the doctor and write its redacted support bundle into ``directory``."""
        from ..ops.bundle import write_bundle
        from ..ops.doctor import run_doctor

        config = self.target_config()
        report = run_doctor(config, runtime=self.runtime())
        return write_bundle(report, config, directory / f"wbtui-bundle-{report.created:%Y%m%d-%H%M%S}.tar.gz")

    # ---- Kubernetes pickers ----------------------------------------------------------------
    @staticmethod
    def contexts() -> tuple[list[str], str | None]:
        """kubeconfig context names and the current one."""
        from ..runtime.kubernetes.kubeconfig import list_contexts

        found, current = list_contexts()
        return [c.name for c in found], current

    def set_target(self, key: str, value: str) -> None:
        """Point the runtime at another context/namespace (not saved to the config file)."""
        if value == getattr(self.session.saved.kubernetes, key.split(".", 1)[1]):
            self.overrides.pop(key, None)
        else:
            self.overrides[key] = value


def _plan_db_init(config: Config, admin_url: str) -> FixPlan:
    from ..checks.mysql_init import apply_db_init, plan_db_init

    timeout = config.app.timeout
    steps = plan_db_init(config, admin_url, timeout=timeout)
    shown = []
    for step in steps:
        line = f"{step.title}: {step.action}" + (f" ({step.note})" if step.note else "")
        shown.append(line + (f"\n    {step.sql}" if step.sql and step.pending else ""))

    def apply() -> list[str]:
        results = apply_db_init(config, admin_url, steps, timeout=timeout)
        return [f"{r.step.title}: {r.outcome}" + (f" ({r.message})" if r.message else "") for r in results]

    return FixPlan("db_init", "mysql", "Create the database and user", shown, any(s.pending for s in steps), apply)


def _running_kubernetes(runtime: Runtime, base: Config) -> Config:
    """The live Deployment (with the Secrets its env refers to) read back as settings."""
    import json

    from ..config.importers import import_kubernetes
    from ..runtime.kubernetes.client import resource_path

    api = runtime.api  # type: ignore[attr-defined]
    namespace = runtime.namespace  # type: ignore[attr-defined]
    deployment = api.get(resource_path("apps/v1", "deployments", namespace, runtime.name))  # type: ignore[attr-defined]
    docs = [deployment] if deployment else []
    names = set()
    for container in ((deployment or {}).get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []):
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("name"):
                names.add(ref["name"])
    for name in sorted(names):
        secret = api.get(resource_path("v1", "secrets", namespace, name))
        if secret:
            docs.append(secret)
    return import_kubernetes(json.dumps(docs), base, source="the live Deployment").config


def _plan_bucket(action: str, config: Config) -> FixPlan:
    """Create the bucket or apply its CORS rules: a dry run first shows what would change."""
    from ..checks import s3_bucket as bucket_actions

    do = {"bucket": bucket_actions.create_bucket, "cors": bucket_actions.apply_cors}[action]
    timeout = config.app.timeout
    preview = do(config, timeout=timeout, dry_run=True)

    def apply() -> list[str]:
        return [do(config, timeout=timeout).summary]

    title = "Create the bucket" if action == "bucket" else "Apply CORS rules"
    return FixPlan(action, "s3", title, preview.changes or [preview.summary], preview.changed, apply)
