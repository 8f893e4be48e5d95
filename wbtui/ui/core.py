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
    from ..ops.fixes import FixAction, FixPlan
    from ..runtime.base import Runtime, ServerStatus


@dataclass(frozen=True)
class Rendered:
    """One text to show: its label, suggested file name and how to produce it."""

    label: str
    file_name: str
    render: Callable[[], str]


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
            return self._runtime

    def close(self) -> None:
        with self._lock:
            if self._runtime is not None:
                self._runtime.close()
                self._runtime = None

    # ---- checks ----------------------------------------------------------------
    def run_checks(self, config: Config, stores: Sequence[str],
                   on_result: Callable[[CheckResult], None], quick: bool = False) -> list[CheckResult]:
        from ..checks.runner import run_checks

        return run_checks(config, stores=tuple(stores), timeout=config.app.timeout, on_result=on_result,
                          quick=quick)

    def plan_fix(self, action: FixAction, config: Config, admin_url: str = "", *,
                 reset_password: bool = False) -> FixPlan:
        """Inspect the store and plan a fix action; nothing changes until ``apply`` is called."""
        from ..ops.fixes import plan_fix

        return plan_fix(action, config, admin_url, reset_password=reset_password)

    # ---- diagnosis ---------------------------------------------------------------
    def diagnose(self, lines: list[str], status: ServerStatus | None,
                 checks: Sequence[CheckResult]) -> list[Diagnosis]:
        from ..diagnosis.engine import diagnose, facts_from

        config = self.session.saved
        return diagnose(facts_from(lines=lines, status=status, checks=checks, config=config))

    # ---- config vs running -----------------------------------------------------------
    def running_config(self, draft: Config) -> Config | None:
        """The settings the running server was started with, or None when nothing is deployed."""
        from ..ops.running import running_config

        return running_config(self.runtime(), draft)

    # ---- previews ------------------------------------------------------------------------
    @staticmethod
    def previews(config: Config) -> list[Rendered]:
        """Every generated file (the artifact catalog the setup writes), masked."""
        from ..runtime.artifacts import ARTIFACTS, Artifact

        def masked(artifact: Artifact) -> Callable[[], str]:
            return lambda: artifact.render(config, False)

        return [Rendered(a.title, a.filename(config), masked(a)) for a in ARTIFACTS]

    # ---- doctor bundle ------------------------------------------------------------------
    def doctor_bundle(self, directory: Path) -> Path:
        """Run the doctor and write its redacted support bundle into ``directory``."""
        from ..ops.bundle import bundle_name, write_bundle
        from ..ops.doctor import run_doctor

        config = self.target_config()
        report = run_doctor(config, runtime=self.runtime())
        return write_bundle(report, config, directory / bundle_name(report))

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
