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
ROWS = {"where-context": "kubernetes", "where-namespace": "kubernetes", "where-container": "docker",
        "where-volume": "docker"}
"""Each backend's own fields, and the backend that shows them."""


class WherePanel(StepPanel):
    STEP = "where"
    CHECK_LABEL = "Detect"
    INTRO = (f"Docker on this host (its container and data volume), or a Kubernetes context and namespace. "
             f"The guide asks for at least {MIN_CPUS} vCPU and {MIN_MEMORY // 10**9} GB of memory.")

    def form_rows(self) -> Iterable[Widget]:
        backend = Select(BACKENDS, value="docker", allow_blank=False, id="where-backend", compact=True)
        yield FormRow("Runs on", backend)
        yield FormRow("Context", text_input("where-context", placeholder="(current context)"))
        yield FormRow("Namespace", text_input("where-namespace", placeholder="default"))
        yield FormRow("Container", text_input("where-container", "wandb-local", placeholder="wandb-local"))
        yield FormRow("Data volume", text_input("where-volume", "wandb-data",
                                                placeholder="a volume name or an absolute host path"))

    def load(self) -> None:
        config = self.flow.config
        self.set_field("where-backend", config.runtime.backend)
        self.set_field("where-context", config.kubernetes.context)
        self.set_field("where-namespace", config.kubernetes.namespace)
        self.set_field("where-container", config.runtime.container_name)
        self.set_field("where-volume", config.runtime.volume)
        self._show_rows(config.runtime.backend)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "where-backend":
            self._show_rows(str(event.value))

    def _show_rows(self, backend: str) -> None:
        """Kubernetes asks for its context and namespace; Docker for the container's name and volume."""
        for field_id, shown_on in ROWS.items():
            row = self.query_one(f"#{field_id}").parent
            if row is not None:
                row.display = backend == shown_on

    def check(self, values: dict[str, Any], job: Job) -> StepReport:
        backend = values["where-backend"]
        if backend == "kubernetes":
            return self.flow.where(backend, context=values["where-context"], namespace=values["where-namespace"])
        return self.flow.where(backend, container_name=values["where-container"], volume=values["where-volume"])

    def hint(self) -> str:
        return "Pick where it runs, then Detect (ctrl+r) or Next (ctrl+n)."
