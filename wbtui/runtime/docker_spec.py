"""The Docker container wbtui creates from a config, as plain data.

Pure functions: the backend passes the result to the SDK; tests read it
without a daemon. The spec's hash goes on the container as a label, so a later
deploy can tell whether the config changed and the container must be recreated.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import RuntimeProblem

if TYPE_CHECKING:
    from ..config.model import Config

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "wbtui"
NAME_LABEL = "wbtui.name"
HASH_LABEL = "wbtui.config-hash"
CONTAINER_PORT = "8080/tcp"
DATA_PATH = "/vol"

_DECIMAL = {"": 1, "k": 10**3, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18}
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_QUANTITY = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*")


def memory_bytes(quantity: str) -> int | None:
    """A memory quantity in bytes, Kubernetes style (4G = 4*10^9, 8Gi = 8*2^30); None when empty.

    The same value goes into the pod spec, so both backends read it the same way.
    """
    if not str(quantity).strip():
        return None
    m = _QUANTITY.fullmatch(str(quantity))
    factor = (_DECIMAL | _BINARY).get(m[2]) if m else None
    if m is None or factor is None:
        raise RuntimeProblem(f"runtime.memory_limit {quantity!r} is not a memory quantity",
                             "wbtui config set runtime.memory_limit 8G")
    return int(float(m[1]) * factor)


def nano_cpus(quantity: str) -> int | None:
    """A CPU quantity (4, 1.5, 500m) in Docker's units of 10^-9 CPUs; None when empty."""
    if not str(quantity).strip():
        return None
    m = _QUANTITY.fullmatch(str(quantity))
    if m is None or m[2] not in ("", "m"):
        raise RuntimeProblem(f"runtime.cpu_limit {quantity!r} is not a CPU quantity",
                             "wbtui config set runtime.cpu_limit 4")
    cores = float(m[1]) / (1000 if m[2] == "m" else 1)
    return int(cores * 10**9)


def is_host_path(volume: str) -> bool:
    """A host directory (bind mount) rather than a named Docker volume."""
    return volume.startswith(("/", ".", "~"))


def volume_source(volume: str) -> str:
    return str(Path(volume).expanduser().resolve()) if is_host_path(volume) else volume


def port_binding(config: Config) -> int | tuple[str, int]:
    r = config.runtime
    return (r.bind_address, r.port) if r.bind_address else r.port


def container_spec(config: Config, image: str | None = None, host_cpus: int | None = None) -> dict[str, Any]:
    """Keyword arguments for ``containers.create`` (labels without the hash).

    A CPU limit above the host's CPU count is capped to it (Docker refuses it,
    and the guide's 4 CPUs are a recommendation, not a requirement).
    """
    from ..config.model import container_env

    r = config.runtime
    spec: dict[str, Any] = {
        "image": image or r.image_ref,
        "name": r.container_name,
        "environment": container_env(config),
        "ports": {CONTAINER_PORT: port_binding(config)},
        "volumes": {volume_source(r.volume): {"bind": DATA_PATH, "mode": "rw"}},
        "restart_policy": {"Name": r.restart_policy or "no"},
        "labels": {MANAGED_BY: MANAGED_BY_VALUE, NAME_LABEL: r.container_name},
    }
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
