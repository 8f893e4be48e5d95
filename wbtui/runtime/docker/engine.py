"""Which engine answers on DOCKER_HOST: Docker, or Podman's Docker-compatible API (rootful or rootless).

Podman serves the same API (``podman system service``) with differences wbtui has to know about,
each seen on a real Podman 4.3 (Debian 12): its ``/_ping`` carries ``Libpod-Api-Version``;
``/info`` says ``Rootless``; image names come back fully qualified (``docker.io/wandb/local``);
a container between two runs of its restart policy reads "stopped", not "restarting"; the events
endpoint answers nothing when ``until`` is already past; its log timestamps are whole seconds;
rootless on cgroup v1 drops memory and CPU limits and its stats are the whole session's, not the
container's; and nothing starts its containers after a reboot unless a unit does
(``podman-restart.service`` starts only those with restart policy ``always``). Pure functions over
the API's answers, so each is tested on the real answers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

REBOOT_POLICY = "always"
"""The only restart policy podman-restart.service starts at boot (``--filter restart-policy=always``)."""


@dataclass(frozen=True)
class Engine:
    """The engine behind the socket, as it identified itself."""

    kind: str
    """``docker`` or ``podman``."""
    version: str
    api_version: str
    platform: str = ""
    rootless: bool = False
    cgroup_version: str = ""

    @property
    def podman(self) -> bool:
        return self.kind == "podman"

    @property
    def label(self) -> str:
        """``Podman 4.3.1 (Docker-compatible API 1.41, rootless)``, ``Docker 24.0.5 (API 1.43)``."""
        api = f"Docker-compatible API {self.api_version}" if self.podman else f"API {self.api_version}"
        return f"{self.kind.capitalize()} {self.version} ({api}{', rootless' if self.rootless else ''})"

    def version_entry(self) -> tuple[str, str]:
        """``versions()``'s entry: ``("podman", "4.3.1 (Docker-compatible API 1.41, linux/amd64, rootful)")``."""
        api = f"Docker-compatible API {self.api_version}" if self.podman else f"API {self.api_version}"
        mode = (", rootless" if self.rootless else ", rootful") if self.podman else (
            ", rootless" if self.rootless else "")
        return self.kind, f"{self.version} ({api}, {self.platform or '?'}{mode})"

    @property
    def limits_apply(self) -> bool:
        """False where the engine drops memory and CPU limits: rootless Podman on cgroup v1 (no delegation)."""
        return not (self.podman and self.rootless and self.cgroup_version == "1")

    def reboot_note(self, restart_policy: str) -> str:
        """What brings the container back after a reboot, when the engine itself does not ('' when it does)."""
        if not self.podman:
            return ""
        if restart_policy == REBOOT_POLICY:
            user = " --user" if self.rootless else ""
            return (f"Podman starts it after a reboot only with podman-restart.service enabled "
                    f"(systemctl{user} enable podman-restart.service), or run it from a unit: wbtui service install")
        return (f"Podman does not start it after a reboot (restart policy {restart_policy or 'no'}: "
                f"podman-restart.service starts only '{REBOOT_POLICY}'): run it from a unit (wbtui service install) "
                f"or wbtui config set runtime.restart_policy {REBOOT_POLICY} and enable podman-restart.service")


def ping_headers(client: Any) -> Any:
    """The headers of the engine's ``/_ping`` answer (the SDK's ``ping()`` keeps only the body)."""
    response = client.api._get(client.api._url("/_ping"))
    client.api._raise_for_status(response)
    return response.headers


def is_podman(headers: Any) -> bool:
    return any(str(k).lower() == "libpod-api-version" for k in dict(headers or {}))


def local_info(host: str, cgroup_root: str = "/sys/fs/cgroup") -> dict[str, Any] | None:
    """``/info``'s Rootless and CgroupVersion for a Podman on this host's unix socket, without asking it
    (Podman's ``/info`` takes a second: it sums up its storage). A rootless service's socket belongs to its
    user, a rootful one's to root; the cgroup version is this host's. None when the socket is not local."""
    if not host.startswith("unix://"):
        return None
    try:
        owner = os.stat(host[len("unix://"):]).st_uid
    except OSError:
        return None
    cgroup = "2" if os.path.exists(os.path.join(cgroup_root, "cgroup.controllers")) else "1"
    return {"Rootless": owner != 0, "CgroupVersion": cgroup}


def identify(ping_headers: Any, info: dict[str, Any] | None = None) -> Engine:
    """The engine from the headers of its ``/_ping`` answer (Podman adds ``Libpod-Api-Version``) and, for
    Podman, ``/info``'s (rootless, cgroup version). ``/version`` would say it too but takes Podman 1-2 s
    (it runs ``runc --version`` and ``conmon --version``); ``/_ping`` takes milliseconds."""
    headers = {str(k).lower(): str(v) for k, v in dict(ping_headers or {}).items()}
    info = info or {}
    api = headers.get("api-version") or "?"
    server = headers.get("server", "")
    if is_podman(headers):
        return Engine("podman", headers["libpod-api-version"], api, rootless=bool(info.get("Rootless")),
                      cgroup_version=str(info.get("CgroupVersion") or ""))
    version = server.partition("/")[2].partition(" ")[0] if server.startswith("Docker/") else "?"
    return Engine("docker", version, api, platform=headers.get("ostype", ""))


def with_platform(engine: Engine, version: dict[str, Any]) -> Engine:
    """``engine`` with ``os/arch`` from its ``/version`` answer (doctor's versions line)."""
    os_arch = "/".join(str(version.get(k)) for k in ("Os", "Arch") if version.get(k))
    return replace(engine, platform=os_arch or engine.platform)


def short_image(ref: str) -> str:
    """An image name as Docker shows it: Podman answers ``docker.io/wandb/local:latest`` for ``wandb/local``."""
    for prefix in ("docker.io/library/", "docker.io/"):
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref
