"""The Docker container wbtui creates from a config, as plain data.

Pure functions: the backend passes the result to the SDK; tests read it
without a daemon. The spec's hash goes on the container as a label, so a later
deploy can tell whether the config changed and the container must be recreated.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ..base import RuntimeProblem

if TYPE_CHECKING:
    from ...config.model import Config

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "wbtui"
NAME_LABEL = "wbtui.name"
HASH_LABEL = "wbtui.config-hash"
UNIT_LABEL = "wbtui.unit"  # set by the rendered systemd unit: systemd owns the lifecycle
CONTAINER_PORT = "8080/tcp"
DATA_PATH = "/vol"

def memory_bytes(quantity: str) -> int | None:
    """A memory quantity in bytes as validation reads it (8G = 8*10^9, 8Gi = 8*2^30); None when empty."""
    from ...config.quantities import memory_bytes as parse

    if not str(quantity).strip():
        return None
    value = parse(str(quantity).strip())
    if value is None:
        raise RuntimeProblem(f"runtime.memory_limit {quantity!r} is not a memory quantity",
                             "wbtui config set runtime.memory_limit 8G")
    return int(value)


def nano_cpus(quantity: str) -> int | None:
    """A CPU quantity (4, 1.5, 500m) in Docker's units of 10^-9 CPUs; None when empty."""
    from ...config.quantities import cpu_cores

    if not str(quantity).strip():
        return None
    cores = cpu_cores(str(quantity).strip())
    if cores is None:
        raise RuntimeProblem(f"runtime.cpu_limit {quantity!r} is not a CPU quantity",
                             "wbtui config set runtime.cpu_limit 4")
    return int(cores * 10**9)


def is_host_path(volume: str) -> bool:
    """A host directory (bind mount) rather than a named Docker volume (validation wants it absolute)."""
    return volume.startswith("/")


def port_binding(config: Config) -> int | tuple[str, int]:
    r = config.runtime
    return (r.bind_address, r.port) if r.bind_address else r.port


def container_spec(config: Config, image: str | None = None, host_cpus: int | None = None) -> dict[str, Any]:
    """Keyword arguments for ``containers.create`` (labels without the hash).

    A CPU limit above the host's CPU count is capped to it (Docker refuses it,
    and the guide's 4 CPUs are a recommendation, not a requirement).
    """
    from ...config.model import container_env

    r = config.runtime
    spec: dict[str, Any] = {
        "image": image or r.image_ref,
        "name": r.container_name,
        "environment": container_env(config),
        "ports": {CONTAINER_PORT: port_binding(config)},
        "restart_policy": {"Name": r.restart_policy or "no"},
        "labels": {MANAGED_BY: MANAGED_BY_VALUE, NAME_LABEL: r.container_name},
    }
    if r.volume:
        spec["volumes"] = {r.volume: {"bind": DATA_PATH, "mode": "rw"}}
    cpus, mem = nano_cpus(r.cpu_limit), memory_bytes(r.memory_limit)
    if cpus and host_cpus:
        cpus = min(cpus, host_cpus * 10**9)
    if cpus:
        spec["nano_cpus"] = cpus
    if mem:
        spec["mem_limit"] = mem
    if r.uid is not None:
        spec["user"] = f"{r.uid}:{r.gid}" if r.gid is not None else str(r.uid)
    return spec


def spec_hash(spec: dict[str, Any]) -> str:
    """A short digest of everything that needs a new container when it changes."""
    data = {k: v for k, v in spec.items() if k != "labels"}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
    return digest[:16]


def labelled_spec(config: Config, image: str | None = None, host_cpus: int | None = None) -> dict[str, Any]:
    """The spec with its hash label, ready for ``containers.create``."""
    spec = container_spec(config, image, host_cpus)
    spec["labels"][HASH_LABEL] = spec_hash(spec)
    return spec


def is_ours(labels: dict[str, str] | None, name: str) -> bool:
    labels = labels or {}
    return labels.get(MANAGED_BY) == MANAGED_BY_VALUE and labels.get(NAME_LABEL) == name
