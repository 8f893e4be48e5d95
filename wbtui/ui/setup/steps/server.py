"""Step 4: HOST (why it must match), LICENSE (shape and expiry), the image tag and where the port is published."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Static

from ....config.model import Config
from ....config.validate import check_license
from ....setup.flow import StepReport
from ...text import STATUS_VARIABLE, styled
from ..form import FormRow, text_input
from ..jobs import Job
from .base import StepPanel

FIELDS = {"server-host": "HOST", "server-license": "LICENSE", "server-image": "runtime.image",
          "server-tag": "runtime.tag", "server-bind": "runtime.bind_address", "server-port": "runtime.port"}
_SEVERITY = {"error": "fail", "warning": "warn", "info": "pass"}


def license_line(text: str) -> Content:
    """The license's shape and expiry as the user types (unverified claims, never the license itself)."""
    config = Config()
    config.server.LICENSE = text
    finding = next(iter(check_license(config)))
    return styled(("License: ", "bold"), (finding.message, STATUS_VARIABLE[_SEVERITY[finding.severity]]))


class ServerPanel(StepPanel):
    DEFAULT_CSS = """
    ServerPanel #server-port {
        width: 8;
    }

    ServerPanel #server-tag {
        width: 14;
    }

    ServerPanel #server-license-info {
        height: auto;
    }
    """

    STEP = "server"
    INTRO = ("HOST must be exactly the address browsers and training machines use: W&B puts it in every link "
             "and signed URL.")

    def form_rows(self) -> Iterable[Widget]:
        yield FormRow("HOST", text_input("server-host", placeholder="https://wandb.example.com"))
        yield FormRow("License", text_input("server-license", password=True, placeholder="from W&B"))
        yield FormRow("Image : tag", text_input("server-image", "wandb/local"),
                      text_input("server-tag", placeholder="0.60.0"))
        yield FormRow("Publish on", text_input("server-bind", placeholder="all addresses"),
                      text_input("server-port", "8080"))

    def extra(self) -> Iterable[Widget]:
        yield Static(Content(""), id="server-license-info")

    def load(self) -> None:
        config = self.flow.config
        self.set_field("server-host", config.server.HOST)
        self.set_field("server-license", config.server.LICENSE)
        self.set_field("server-image", config.runtime.image)
        self.set_field("server-tag", config.runtime.tag)
        self.set_field("server-bind", config.runtime.bind_address)
        self.set_field("server-port", str(config.runtime.port))
        self.query_one("#server-license-info", Static).update(license_line(config.server.LICENSE))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "server-license":
            self.query_one("#server-license-info", Static).update(license_line(event.value))

    def check(self, values: dict[str, Any], job: Job) -> StepReport:
        return self.flow.server({FIELDS[field_id]: value for field_id, value in values.items()})
