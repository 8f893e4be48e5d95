"""The support bundle: a tar.gz of the doctor report for W&B support or a colleague.

It holds the redacted config, the report as JSON, versions and the log lines.
Everything is redacted before it is written, then every member is scanned for
each secret of the config in every form masking knows (as written,
percent-encoded, JSON-escaped, base64 at any alignment, shell/SQL/YAML-quoted:
``masking.forms_of``); a hit aborts the bundle instead of shipping a secret. The
file is created mode 0600.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import tomli_w

from ..config import masking
from ..config.masking import mask_value
from ..config.model import FIELDS, Config
from ..config.store import write_private
from .doctor import DoctorReport, redact_data

if TYPE_CHECKING:
    from collections.abc import Callable

README = """W&B Server support bundle, written by wbtui {version} at {created}.

config.toml    the wbtui configuration, secrets masked (****)
report.json    doctor report: config findings, datastore checks, runtime status and
               events, /healthz and /ready probes, diagnosis, log lines
versions.json  wbtui, Python, OS, Docker engine / Kubernetes API server, server image
logs.txt       the server's last {lines} log lines

Passwords, secret keys, the license and secret environment values were removed
before writing; review the files before sending them anyway.
"""


class BundleLeak(Exception):
    """A secret survived redaction; the bundle was not written."""


def redacted_config(config: Config, redact: Callable[[str], str]) -> str:
    """The config as TOML with every secret field masked, then redacted as text too."""
    data = config.to_dict()
    for spec in FIELDS:
        if spec.secret:
            section = data["server"] if spec.section == "server" else data[spec.section]
            section[spec.attr] = mask_value(spec.key, section.get(spec.attr, ""))
    data["env"] = {name: mask_value(f"env.{name}", value) for name, value in config.env.items()}
    return redact(tomli_w.dumps(data))


def bundle_members(report: DoctorReport, config: Config) -> dict[str, str]:
    """File name → redacted text."""
    redact = masking.bundle(config)
    data = redact_data(report.to_dict(), redact)
    return {
        "README.txt": README.format(version=report.versions.get("wbtui", "?"), created=report.created.isoformat(),
                                    lines=len(report.logs)),
        "config.toml": redacted_config(config, redact),
        "report.json": redact(json.dumps(data, indent=2, default=str)) + "\n",
        "versions.json": redact(json.dumps(redact_data(report.versions, redact), indent=2)) + "\n",
        "logs.txt": "".join(redact(line) + "\n" for line in report.logs),
    }


def find_leaks(members: dict[str, str], config: Config) -> list[str]:
    """Names of members that still contain a secret in any of its forms."""
    forms = masking.bundle_forms(config)
    return [name for name, text in members.items() if any(form in text for form in forms)]


def bundle_name(report: DoctorReport) -> str:
    """The bundle's file name when the user picks only a directory: when the report was made."""
    return f"wbtui-bundle-{report.created:%Y%m%d-%H%M%S}.tar.gz"


def write_bundle(report: DoctorReport, config: Config, path: Path) -> Path:
    """Write the bundle atomically with mode 0600; raises BundleLeak rather than leak."""
    members = bundle_members(report, config)
    leaks = find_leaks(members, config)
    if leaks:
        raise BundleLeak(f"a secret survived redaction in {', '.join(leaks)}; no bundle written")
    root = f"wbtui-bundle-{report.created:%Y%m%d-%H%M%S}"
    buffer = io.BytesIO()
    now = time.time()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in members.items():
            payload = text.encode("utf-8")
            info = tarfile.TarInfo(f"{root}/{name}")
            info.size = len(payload)
            info.mtime = int(now)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(payload))
    path = path.expanduser()
    write_private(path, buffer.getvalue())
    return path
