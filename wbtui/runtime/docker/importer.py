"""A Docker container read back as settings: ``docker inspect`` output to a config.

The running container's env, image, name, port, volume, restart policy, resources and
user, over a base config; what the image itself sets is not configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...config.importers import MAIN_KEYS, ImportFailure, ImportResult, as_dict, base_config, dicts, split_image
from ...config.model import Config, set_value
from ...config.validate import Finding


def _memory_text(n: int) -> str:
    for suffix, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if n % size == 0:
            return f"{n // size}{suffix}"
    return str(n)


def import_docker_inspect(data: Any, base: Config | None = None, image_env: Iterable[str] = (),
                          source: str = "docker inspect") -> ImportResult:
    """Settings of one container from ``docker inspect`` output (the list or one object).

    ``image_env`` holds the image's own ``KEY=VALUE`` entries: those are not configuration.
    """
    if isinstance(data, list):
        if len(data) != 1:
            raise ImportFailure(f"expected one container in the inspect output, found {len(data)}")
        data = data[0]
    if not isinstance(data, dict) or not isinstance(data.get("Config"), dict):
        raise ImportFailure("not docker inspect output for a container (no Config section)")
    result = ImportResult(base_config(base), [], source)
    cfg, host = data["Config"], as_dict(data.get("HostConfig"))
    defaults = set(image_env)
    env: dict[str, str] = {}
    for entry in cfg.get("Env") if isinstance(cfg.get("Env"), list) else []:
        name, sep, value = str(entry).partition("=")
        if not sep:
            continue
        if entry in defaults and name not in MAIN_KEYS:
            result.skip(f"env.{name}", "set by the image, not W&B configuration")
            continue
        env[name] = value
    result.put_env(env, source)
    result.put("runtime.backend", "docker", source)
    if cfg.get("Image"):
        image, tag = split_image(str(cfg["Image"]))
        result.put("runtime.image", image, source)
        result.put("runtime.tag", tag, source)
    if data.get("Name"):
        result.put("runtime.container_name", str(data["Name"]).lstrip("/"), source)
    _docker_port(result, host, as_dict(as_dict(data.get("NetworkSettings")).get("Ports")))
    binds = host.get("Binds")
    _docker_volume(result, dicts(data.get("Mounts")), [str(b) for b in binds] if isinstance(binds, list) else [])
    policy = as_dict(host.get("RestartPolicy")).get("Name")
    if policy is not None:
        result.put("runtime.restart_policy", policy or "no", source)
    _docker_resources(result, host)
    _docker_user(result, str(cfg.get("User") or ""))
    return result


def _docker_port(result: ImportResult, host: dict[str, Any], live: dict[str, Any]) -> None:
    """The published port: as configured, or the one Docker picked when it was left random."""
    bindings = dicts(as_dict(host.get("PortBindings")).get("8080/tcp"))
    if not bindings:
        result.skip("runtime.port", "port 8080 is not published")
        return
    first = bindings[0]
    port = str(first.get("HostPort") or "").strip()
    if not port:
        actual = dicts(live.get("8080/tcp"))
        port = str(actual[0].get("HostPort") or "") if actual else ""
        if not port:
            result.skip("runtime.port", "8080 is published on a random host port")
            return
        result.notes.append(Finding("runtime.port", "warning", f"Docker picked port {port} at random; "
                                    "it is now pinned in the configuration"))
    result.put("runtime.port", port, result.source)
    addr = str(first.get("HostIp") or "")
    result.put("runtime.bind_address", "" if addr in ("0.0.0.0", "::") else addr, result.source)


def _docker_volume(result: ImportResult, mounts: list[dict[str, Any]], binds: list[str]) -> None:
    for mount in mounts:
        if mount.get("Destination") == "/vol":
            source = mount.get("Name") if mount.get("Type") == "volume" else mount.get("Source")
            if source:
                result.put("runtime.volume", source, result.source)
                return
    for bind in binds:
        src, _, rest = bind.partition(":")
        if rest.split(":", 1)[0] == "/vol":
            result.put("runtime.volume", src, result.source)
            return
    set_value(result.config, "runtime.volume", "")
    result.skip("runtime.volume", "the container has no volume at /vol (its data dies with it)",
                "wbtui config set runtime.volume wandb-data")


def _docker_resources(result: ImportResult, host: dict[str, Any]) -> None:
    nano, quota, period = (_number(host.get(k)) for k in ("NanoCpus", "CpuQuota", "CpuPeriod"))
    cpus = nano / 1e9 if nano > 0 else (quota / period if quota > 0 and period > 0 else 0)
    if cpus:
        result.put("runtime.cpu_limit", f"{cpus:g}", result.source)
    else:
        result.skip("runtime.cpu_limit", "the container has no CPU limit; kept the configured one")
    memory = _number(host.get("Memory"))
    if memory > 0:
        result.put("runtime.memory_limit", _memory_text(int(memory)), result.source)
    else:
        result.skip("runtime.memory_limit", "the container has no memory limit; kept the configured one")


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _docker_user(result: ImportResult, user: str) -> None:
    if not user:
        return
    uid, _, gid = user.partition(":")
    if not uid.isdecimal() or (gid and not gid.isdecimal()):
        result.skip("runtime.uid", "the container runs as a named user; only numeric UID:GID is kept")
        return
    result.put("runtime.uid", uid, result.source)
    if gid:
        result.put("runtime.gid", gid, result.source)


def image_env(client: Any, image: str) -> list[str]:
    """The image's own ``KEY=VALUE`` entries (not configuration); empty when the image is gone."""
    from docker.errors import NotFound

    try:
        return list((client.api.inspect_image(image).get("Config") or {}).get("Env") or [])
    except NotFound:
        return []


def import_docker_container(name: str, base: Config | None = None, timeout: float = 5.0) -> ImportResult:
    """Inspect any container (ours or not) through the daemon the backend uses; the image's env is left out."""
    from docker.errors import DockerException, NotFound

    from ..base import RuntimeProblem
    from .connect import connect

    try:
        client = connect(timeout)
    except RuntimeProblem as exc:
        raise ImportFailure(f"cannot reach the Docker engine: {exc}") from None
    try:
        data = client.api.inspect_container(name)
        defaults = image_env(client, data["Image"])
    except NotFound:
        raise ImportFailure(f"no container named {name!r}") from None
    except DockerException as exc:
        raise ImportFailure(f"docker inspect {name}: {exc}") from None
    finally:
        client.close()
    return import_docker_inspect(data, base, defaults, source=f"container {name}")
