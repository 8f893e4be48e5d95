"""Step 1: Docker on this host or a Kubernetes cluster, and whether the place is big enough."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.widget import Widget
from textual.widgets import Select

from ....setup.flow import StepReport
from ....setup.where import MIN_CPUS, MIN_MEMORY
from ..form import FormRow, text_input
from ..jobs import Job
from .base import StepPanel

BACKENDS = [("Docker on this host", "docker"), ("Kubernetes cluster", "kubernetes")]


class WherePanel(StepPanel):
    STEP = "where"
    CHECK_LABEL = "Detect"
    INTRO = (f"Docker on this host, or a Kubernetes context and namespace. The guide asks for at least "
             f"{MIN_CPUS} vCPU and {MIN_MEMORY // 10**9} GB of memory.")

    def form_rows(self) -> Iterable[Widget]:
        backend = Select(BACKENDS, value="docker", allow_blank=False, id="where-backend", compact=True)
        yield FormRow("Runs on", backend)
        yield FormRow("Context", text_input("where-context", placeholder="(current context)"))
        yield FormRow("Namespace", text_input("where-namespace", placeholder="default"))

    def load(self) -> None:
        config = self.flow.config
        self.set_field("where-backend", config.runtime.backend)
        self.set_field("where-context", config.kubernetes.context)
        self.set_field("where-namespace", config.kubernetes.namespace)
        self._show_kubernetes(config.runtime.backend == "kubernetes")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "where-backend":
            self._show_kubernetes(event.value == "kubernetes")

    def _show_kubernetes(self, shown: bool) -> None:
        for field_id in ("where-context", "where-namespace"):
            row = self.query_one(f"#{field_id}").parent
            if row is not None:
                row.display = shown

    def check(self, values: dict[str, Any], job: Job) -> StepReport:
        kubernetes = values["where-backend"] == "kubernetes"
        return self.flow.where(values["where-backend"], context=values["where-context"] if kubernetes else "",
                               namespace=values["where-namespace"] if kubernetes else "")

    def hint(self) -> str:
        return "Pick where it runs, then Detect (ctrl+r) or Next (ctrl+n)."
