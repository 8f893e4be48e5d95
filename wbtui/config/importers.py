"""Adopt an existing install: read its settings from an env file, a container or a manifest.

Each importer starts from a base config (the current one, or defaults), overlays what
it finds and returns notes: one finding per setting imported (info) or skipped
(warning), never with the value itself, since most of them are secrets.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .model import Config, FieldError, set_value
from .validate import Finding

MAIN_KEYS = ("HOST", "LICENSE", "BUCKET", "BUCKET_QUEUE", "AWS_REGION", "MYSQL")

# Variables every base image or Docker itself sets: not part of the W&B configuration.
_IMAGE_ENV = frozenset({
    "PATH", "HOSTNAME", "HOME", "TERM", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "SHLVL",
    "PWD", "DEBIAN_FRONTEND", "container",
})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)")
_DOUBLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$", "`": "`"}


class ImportFailure(Exception):
    """The source cannot be read at all (no such container, not a manifest, ...)."""


@dataclass
class ImportResult:
    config: Config
    notes: list[Finding] = field(default_factory=list)
    source: str = ""

    def note(self, key: str, what: str) -> None:
        self.notes.append(Finding(key, "info", f"imported from {what}"))

    def skip(self, key: str, why: str, fix: str = "") -> None:
        self.notes.append(Finding(key, "warning", f"skipped: {why}", fix))

    def put(self, key: str, value: Any, what: str) -> None:
        """Set one field, noting a value the model refuses instead of failing the import."""
        try:
            set_value(self.config, key, value)
        except FieldError as exc:
            self.skip(key, exc.message, f"wbtui config set {key} ...")
        else:
            self.note(key, what)

    def put_env(self, env: dict[str, str], what: str) -> None:
        """Map the guide's variables to their fields and everything else to env.* extras."""
        for name, value in env.items():
            if name in MAIN_KEYS:
                self.put(name, value, what)
            elif name in _IMAGE_ENV:
                self.skip(f"env.{name}", "set by the image or Docker, not W&B configuration")
            elif not _ENV_NAME.fullmatch(name):
                self.skip(f"env.{name}", "not a valid variable name")
            else:
                self.put(f"env.{name}", value, what)


def _base(config: Config | None) -> Config:
    return config.copy() if config is not None else Config()


def _dict(value: Any) -> dict[str, Any]:
    """Malformed sources (a list where a mapping belongs) read as empty, never raise."""
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


# --- env files -------------------------------------------------------------------------


def parse_env_text(text: str) -> tuple[dict[str, str], list[Finding]]:
    """``KEY=VALUE`` lines as a shell would read them: comments, quotes, ``export``.

    Lines that are not assignments are reported by line number, never echoed (they may
    hold a secret).
    """
    env: dict[str, str] = {}
    notes: list[Finding] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.fullmatch(line)
        if match is None:
            notes.append(Finding(f"line {number}", "warning", "skipped: not a KEY=VALUE line"))
            continue
        try:
            env[match[1]] = _env_value(match[2])
        except ValueError as exc:
            notes.append(Finding(f"line {number}", "warning", f"skipped {match[1]}: {exc}"))
    return env, notes


def _env_value(text: str) -> str:
    text = text.strip()
    if text[:1] == "'":
        end = text.find("'", 1)
        if end == -1:
            raise ValueError("unterminated single quote")
        _only_comment_after(text[end + 1 :])
        return text[1:end]
    if text[:1] == '"':
        out: list[str] = []
        i = 1
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                nxt = text[i + 1]
                out.append(_DOUBLE_ESCAPES.get(nxt, "\\" + nxt))
                i += 2
                continue
            if ch == '"':
                _only_comment_after(text[i + 1 :])
                return "".join(out)
            out.append(ch)
            i += 1
        raise ValueError("unterminated double quote")
    # Unquoted: a '#' after whitespace starts a comment.
    return re.split(r"\s+#", text, maxsplit=1)[0].rstrip()


def _only_comment_after(rest: str) -> None:
    rest = rest.strip()
    if rest and not rest.startswith("#"):
        raise ValueError("text after the closing quote")


def import_env_text(text: str, base: Config | None = None, source: str = "env file") -> ImportResult:
    env, notes = parse_env_text(text)
    result = ImportResult(_base(base), notes, source)
    result.put_env(env, source)
    return result


# --- docker inspect --------------------------------------------------------------------


def split_image(ref: str) -> tuple[str, str]:
    """``repo[:tag][@digest]`` into (image, tag); a digest stays with the image, tag empty."""
    if "@" in ref:
        return ref, ""
    name, sep, tag = ref.rpartition(":")
    if sep and "/" not in tag:
        return name, tag
    return ref, "latest"


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
    result = ImportResult(_base(base), [], source)
    cfg, host = data["Config"], _dict(data.get("HostConfig"))
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
    _docker_port(result, host, _dict(_dict(data.get("NetworkSettings")).get("Ports")))
    binds = host.get("Binds") if isinstance(host.get("Binds"), list) else []
    _docker_volume(result, _dicts(data.get("Mounts")), [str(b) for b in binds])
    policy = _dict(host.get("RestartPolicy")).get("Name")
    if policy is not None:
        result.put("runtime.restart_policy", policy or "no", source)
    _docker_resources(result, host)
    _docker_user(result, str(cfg.get("User") or ""))
    return result


def _docker_port(result: ImportResult, host: dict[str, Any], live: dict[str, Any]) -> None:
    """The published port: as configured, or the one Docker picked when it was left random."""
    bindings = _dicts(_dict(host.get("PortBindings")).get("8080/tcp"))
    if not bindings:
        result.skip("runtime.port", "port 8080 is not published")
        return
    first = bindings[0]
    port = str(first.get("HostPort") or "").strip()
    if not port:
        actual = _dicts(live.get("8080/tcp"))
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


def import_docker_container(name: str, base: Config | None = None, timeout: float = 5.0) -> ImportResult:
    """Inspect a container through the Docker engine (the image's own env is left out)."""
    import docker
    from docker.errors import DockerException, NotFound

    try:
        client = docker.from_env(timeout=max(1, round(timeout)))
    except DockerException as exc:
        raise ImportFailure(f"cannot reach the Docker engine: {exc}") from None
    try:
        data = client.api.inspect_container(name)
        try:
            image_env = (client.api.inspect_image(data["Image"]).get("Config") or {}).get("Env") or []
        except NotFound:
            image_env = []
    except NotFound:
        raise ImportFailure(f"no container named {name!r}") from None
    except DockerException as exc:
        raise ImportFailure(f"docker inspect {name}: {exc}") from None
    finally:
        client.close()
    return import_docker_inspect(data, base, image_env, source=f"container {name}")


# --- Kubernetes manifests ----------------------------------------------------------------


def _documents(text: str) -> list[dict[str, Any]]:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            loaded: Any = json.loads(text)
        except ValueError as exc:
            raise ImportFailure(f"not valid JSON: {exc}") from None
        docs = loaded if isinstance(loaded, list) else [loaded]
    else:
        import yaml

        try:
            docs = list(yaml.safe_load_all(text))
        except yaml.YAMLError as exc:
            raise ImportFailure(f"not valid YAML: {exc}") from None
    out: list[dict[str, Any]] = []
    for doc in docs:
        if isinstance(doc, dict) and doc.get("kind") == "List":
            out.extend(_dicts(doc.get("items")))
        elif isinstance(doc, dict):
            out.append(doc)
    return out


def _secret_data(docs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Secrets in the same file, by name: their values resolve secretKeyRef entries."""
    secrets: dict[str, dict[str, str]] = {}
    for doc in docs:
        if doc.get("kind") != "Secret":
            continue
        values: dict[str, str] = {}
        for key, value in _dict(doc.get("data")).items():
            try:
                values[str(key)] = base64.b64decode(str(value), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                continue
        values.update({str(k): str(v) for k, v in _dict(doc.get("stringData")).items()})
        secrets[str(_dict(doc.get("metadata")).get("name", ""))] = values
    return secrets


def import_kubernetes(text: str, base: Config | None = None, source: str = "manifest") -> ImportResult:
    """Settings from a Deployment manifest (YAML or JSON, one or many documents).

    Plain ``value`` env entries are imported; ``secretKeyRef`` entries only when the Secret
    is in the same file, otherwise they are noted so the operator can set them by hand.
    A Service and Ingress in the same file fill the service type and ingress settings.
    """
    docs = _documents(text)
    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    if not deployments:
        raise ImportFailure("no Deployment in the manifest")
    result = ImportResult(_base(base), [], source)
    deployment = deployments[0]
    if len(deployments) > 1:
        result.skip("kubernetes.name", f"{len(deployments)} Deployments found; only the first is read")
    meta = _dict(deployment.get("metadata"))
    spec = _dict(deployment.get("spec"))
    pod = _dict(_dict(spec.get("template")).get("spec"))
    containers = _dicts(pod.get("containers"))
    if not containers:
        raise ImportFailure("the Deployment has no containers")
    container = next((c for c in containers if c.get("name") == "wandb"), containers[0])
    result.put("runtime.backend", "kubernetes", source)
    if meta.get("name"):
        result.put("kubernetes.name", meta["name"], source)
    if meta.get("namespace"):
        result.put("kubernetes.namespace", meta["namespace"], source)
    if spec.get("replicas") is not None:
        result.put("kubernetes.replicas", spec["replicas"], source)
    if container.get("image"):
        image, tag = split_image(str(container["image"]))
        result.put("runtime.image", image, source)
        result.put("runtime.tag", tag, source)
    _k8s_env(result, container, _secret_data(docs))
    _k8s_resources(result, _dict(container.get("resources")))
    _k8s_security(result, _dict(pod.get("securityContext")), _dict(container.get("securityContext")))
    _k8s_volume(result, container, _dicts(pod.get("volumes")))
    for doc in docs:
        if doc.get("kind") == "Service" and _dict(doc.get("spec")).get("type"):
            result.put("kubernetes.service_type", doc["spec"]["type"], source)
        elif doc.get("kind") == "Ingress":
            _k8s_ingress(result, doc)
    return result


def _k8s_env(result: ImportResult, container: dict[str, Any], secrets: dict[str, dict[str, str]]) -> None:
    env: dict[str, str] = {}
    for entry in _dicts(container.get("env")):
        name = str(entry.get("name", ""))
        key = name if name in MAIN_KEYS else f"env.{name}"
        if "value" in entry:
            env[name] = "" if entry["value"] is None else str(entry["value"])
            continue
        ref = _dict(_dict(entry.get("valueFrom")).get("secretKeyRef"))
        if ref:
            secret, secret_key = str(ref.get("name", "")), str(ref.get("key", ""))
            if secret_key in secrets.get(secret, {}):
                env[name] = secrets[secret][secret_key]
            else:
                result.skip(key, f"comes from Secret {secret!r} key {secret_key!r}, which is not in "
                             "this file", f"wbtui config set {key} -   (value on stdin)")
            continue
        result.skip(key, "its value comes from the cluster (valueFrom), not the manifest",
                     f"wbtui config set {key} ...")
    for source in _dicts(container.get("envFrom")):
        ref = _dict(source.get("secretRef") or source.get("configMapRef"))
        result.skip("env", f"envFrom {ref.get('name', '?')!r} is read by the cluster, not this file",
                     "set those variables with wbtui config set")
    result.put_env(env, result.source)


_RESOURCE_KEYS = {
    ("requests", "cpu"): "runtime.cpu_request", ("requests", "memory"): "runtime.memory_request",
    ("limits", "cpu"): "runtime.cpu_limit", ("limits", "memory"): "runtime.memory_limit",
}


def _k8s_resources(result: ImportResult, resources: dict[str, Any]) -> None:
    for (kind, resource), key in _RESOURCE_KEYS.items():
        value = _dict(resources.get(kind)).get(resource)
        if value is not None:
            result.put(key, str(value), result.source)


def _k8s_security(result: ImportResult, pod: dict[str, Any], container: dict[str, Any]) -> None:
    for attr, key in (("runAsUser", "runtime.uid"), ("runAsGroup", "runtime.gid")):
        value = container.get(attr, pod.get(attr))
        if value is not None:
            result.put(key, value, result.source)


def _k8s_volume(result: ImportResult, container: dict[str, Any], volumes: list[dict[str, Any]]) -> None:
    mount = next((m for m in _dicts(container.get("volumeMounts")) if m.get("mountPath") == "/vol"), None)
    if mount is None:
        result.skip("kubernetes.volume_claim", "nothing is mounted at /vol")
        return
    volume = next((v for v in volumes if v.get("name") == mount.get("name")), {})
    claim = _dict(volume.get("persistentVolumeClaim")).get("claimName")
    result.put("kubernetes.volume_claim", claim or "", result.source)


def _k8s_ingress(result: ImportResult, doc: dict[str, Any]) -> None:
    spec = _dict(doc.get("spec"))
    annotations = _dict(_dict(doc.get("metadata")).get("annotations"))
    ingress_class = spec.get("ingressClassName") or annotations.get("kubernetes.io/ingress.class")
    if ingress_class:
        result.put("kubernetes.ingress_class", ingress_class, result.source)
    hosts = [r["host"] for r in _dicts(spec.get("rules")) if r.get("host")]
    if hosts:
        result.put("kubernetes.dns_name", hosts[0], result.source)
    tls = [t for t in _dicts(spec.get("tls")) if t.get("secretName")]
    if tls:
        result.put("kubernetes.tls_secret", tls[0]["secretName"], result.source)
    size = annotations.get("nginx.ingress.kubernetes.io/proxy-body-size")
    if size is not None:
        result.put("kubernetes.body_size", str(size), result.source)


def detect_format(text: str) -> str:
    """Guess the source format: docker (inspect JSON), kubernetes (has a kind) or env."""
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        try:
            loaded = json.loads(text)
        except ValueError:
            return "env"
        first = loaded[0] if isinstance(loaded, list) and loaded else loaded
        if isinstance(first, dict) and "Config" in first and "HostConfig" in first:
            return "docker"
        return "kubernetes"
    if re.search(r"^\s*(apiVersion|kind)\s*:", text, re.MULTILINE):
        return "kubernetes"
    return "env"


def import_text(text: str, fmt: str, base: Config | None = None, source: str = "") -> ImportResult:
    """Import file contents in the given format (env, docker or kubernetes)."""
    if fmt == "env":
        return import_env_text(text, base, source or "env file")
    if fmt == "docker":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ImportFailure(f"not docker inspect JSON: {exc}") from None
        return import_docker_inspect(data, base, source=source or "docker inspect")
    if fmt == "kubernetes":
        return import_kubernetes(text, base, source or "manifest")
    raise ImportFailure(f"unknown format {fmt!r} (env, docker or kubernetes)")
