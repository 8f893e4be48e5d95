"""Step 1 of the setup: where the server will run, and whether that place is big enough.

The guide asks for at least 4 vCPU and 8 GB of memory for the container.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..config.validate import Finding
from ..runtime.base import RuntimeProblem

MIN_CPUS = 4
MIN_MEMORY = 8 * 10**9


@dataclass
class Place:
    """What the setup found about one place to run: reachable or why not, and its size."""

    backend: str
    reachable: bool
    summary: str
    fix: str = ""
    cpus: int | None = None
    memory_bytes: int | None = None
    contexts: list[str] = field(default_factory=list)
    current_context: str | None = None

    def advice(self) -> list[Finding]:
        """The guide's resource advice as findings about this place."""
        out: list[Finding] = []
        if self.cpus is not None and self.cpus < MIN_CPUS:
            out.append(Finding("runtime.cpu_limit", "warning",
                               f"{self.backend} has {self.cpus} CPUs; the guide asks for at least {MIN_CPUS} vCPU",
                               "run W&B Server on a host with at least 4 vCPU"))
        if self.memory_bytes is not None and self.memory_bytes < MIN_MEMORY * 0.95:
            gb = self.memory_bytes / 10**9
            out.append(Finding("runtime.memory_limit", "warning",
                               f"{self.backend} has {gb:.1f} GB of memory; the guide asks for at least 8 GB",
                               "run W&B Server on a host with at least 8 GB of memory"))
        return out


def host_memory() -> int | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def detect_docker(timeout: float = 5.0) -> Place:
    """Is the Docker daemon reachable by this user, and how big is the machine it runs on?"""
    from ..runtime.docker.connect import connect
    from ..runtime.docker.errors import translated

    try:
        client = connect(timeout)
        try:
            with translated("ask the Docker daemon about the host", timeout=timeout):
                info = client.info()
        finally:
            client.close()
    except RuntimeProblem as exc:
        return Place("docker", False, exc.message, exc.fix, os.cpu_count(), host_memory())
    version = info.get("ServerVersion", "?")
    return Place("docker", True, f"Docker {version} reachable", cpus=info.get("NCPU"),
                 memory_bytes=info.get("MemTotal"))


def detect_kubernetes() -> Place:
    """The kubeconfig's contexts (the cluster itself is reached only when deploying)."""
    from ..runtime.kubernetes.kubeconfig import list_contexts

    try:
        contexts, current = list_contexts()
    except RuntimeProblem as exc:
        return Place("kubernetes", False, exc.message, exc.fix)
    names = [c.name for c in contexts]
    return Place("kubernetes", bool(names), f"{len(names)} contexts in the kubeconfig"
                 + (f", current: {current}" if current else ""),
                 "" if names else "add a context to your kubeconfig", contexts=names, current_context=current)
