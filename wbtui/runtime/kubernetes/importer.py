"""A Kubernetes Deployment read back as settings: manifests (or live objects) to a config.

Plain ``value`` env entries are imported; ``secretKeyRef`` entries when their Secret is
among the objects; a Service and Ingress fill the service type and ingress settings.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ...config.importers import MAIN_KEYS, ImportFailure, ImportResult, as_dict, base_config, dicts, split_image
from ...config.model import Config


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
            out.extend(dicts(doc.get("items")))
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
        for key, value in as_dict(doc.get("data")).items():
            try:
                values[str(key)] = base64.b64decode(str(value), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                continue
        values.update({str(k): str(v) for k, v in as_dict(doc.get("stringData")).items()})
        secrets[str(as_dict(doc.get("metadata")).get("name", ""))] = values
    return secrets


def import_kubernetes(text: str, base: Config | None = None, source: str = "manifest") -> ImportResult:
    """Settings from a Deployment manifest (YAML or JSON, one or many documents).

    Plain ``value`` env entries are imported; ``secretKeyRef`` entries only when the Secret
    is in the same file, otherwise they are noted so the operator can set them by hand.
    A Service and Ingress in the same file fill the service type and ingress settings.
    """
    return import_objects(_documents(text), base, source)


def import_objects(docs: list[dict[str, Any]], base: Config | None = None,
                   source: str = "manifest") -> ImportResult:
    """Settings from Kubernetes objects already parsed (a live Deployment and its Secrets)."""
    deployments = [d for d in docs if d.get("kind") == "Deployment"]
    if not deployments:
        raise ImportFailure("no Deployment in the manifest")
    result = ImportResult(base_config(base), [], source)
    deployment = deployments[0]
    if len(deployments) > 1:
        result.skip("kubernetes.name", f"{len(deployments)} Deployments found; only the first is read")
    meta = as_dict(deployment.get("metadata"))
    spec = as_dict(deployment.get("spec"))
    pod = as_dict(as_dict(spec.get("template")).get("spec"))
    containers = dicts(pod.get("containers"))
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
    _k8s_resources(result, as_dict(container.get("resources")))
    _k8s_security(result, as_dict(pod.get("securityContext")), as_dict(container.get("securityContext")))
    _k8s_volume(result, container, dicts(pod.get("volumes")))
    for doc in docs:
        if doc.get("kind") == "Service" and as_dict(doc.get("spec")).get("type"):
            result.put("kubernetes.service_type", doc["spec"]["type"], source)
        elif doc.get("kind") == "Ingress":
            _k8s_ingress(result, doc)
    return result


def _k8s_env(result: ImportResult, container: dict[str, Any], secrets: dict[str, dict[str, str]]) -> None:
    env: dict[str, str] = {}
    for entry in dicts(container.get("env")):
        name = str(entry.get("name", ""))
        key = name if name in MAIN_KEYS else f"env.{name}"
        if "value" in entry:
            env[name] = "" if entry["value"] is None else str(entry["value"])
            continue
        ref = as_dict(as_dict(entry.get("valueFrom")).get("secretKeyRef"))
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
    for source in dicts(container.get("envFrom")):
        ref = as_dict(source.get("secretRef") or source.get("configMapRef"))
        result.skip("env", f"envFrom {ref.get('name', '?')!r} is read by the cluster, not this file",
                     "set those variables with wbtui config set")
    result.put_env(env, result.source)


_RESOURCE_KEYS = {
    ("requests", "cpu"): "runtime.cpu_request", ("requests", "memory"): "runtime.memory_request",
    ("limits", "cpu"): "runtime.cpu_limit", ("limits", "memory"): "runtime.memory_limit",
}


def _k8s_resources(result: ImportResult, resources: dict[str, Any]) -> None:
    for (kind, resource), key in _RESOURCE_KEYS.items():
        value = as_dict(resources.get(kind)).get(resource)
        if value is not None:
            result.put(key, str(value), result.source)


def _k8s_security(result: ImportResult, pod: dict[str, Any], container: dict[str, Any]) -> None:
    for attr, key in (("runAsUser", "runtime.uid"), ("runAsGroup", "runtime.gid")):
        value = container.get(attr, pod.get(attr))
        if value is not None:
            result.put(key, value, result.source)


def _k8s_volume(result: ImportResult, container: dict[str, Any], volumes: list[dict[str, Any]]) -> None:
    mount = next((m for m in dicts(container.get("volumeMounts")) if m.get("mountPath") == "/vol"), None)
    if mount is None:
        result.skip("kubernetes.volume_claim", "nothing is mounted at /vol")
        return
    volume = next((v for v in volumes if v.get("name") == mount.get("name")), {})
    claim = as_dict(volume.get("persistentVolumeClaim")).get("claimName")
    result.put("kubernetes.volume_claim", claim or "", result.source)


def _k8s_ingress(result: ImportResult, doc: dict[str, Any]) -> None:
    spec = as_dict(doc.get("spec"))
    annotations = as_dict(as_dict(doc.get("metadata")).get("annotations"))
    ingress_class = spec.get("ingressClassName") or annotations.get("kubernetes.io/ingress.class")
    if ingress_class:
        result.put("kubernetes.ingress_class", ingress_class, result.source)
    hosts = [r["host"] for r in dicts(spec.get("rules")) if r.get("host")]
    if hosts:
        result.put("kubernetes.dns_name", hosts[0], result.source)
    tls = [t for t in dicts(spec.get("tls")) if t.get("secretName")]
    if tls:
        result.put("kubernetes.tls_secret", tls[0]["secretName"], result.source)
    size = annotations.get("nginx.ingress.kubernetes.io/proxy-body-size")
    if size is not None:
        result.put("kubernetes.body_size", str(size), result.source)
