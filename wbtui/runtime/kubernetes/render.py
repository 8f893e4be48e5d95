"""Kubernetes manifests: Secret, Deployment, Service and Ingress from the guide's example.

Secrets (LICENSE, BUCKET, MYSQL and secret-looking extras) live only in the Secret and
reach the pod through ``secretKeyRef``, never as plain env. ``objects`` carries the real
values for the Kubernetes backend to apply; ``text`` masks them unless revealed.
"""

from __future__ import annotations

import copy
import ipaddress
from dataclasses import dataclass
from typing import Any

from ...config.model import Config, container_env
from ...config.urls import PLACEHOLDER_HOST, host_parts
from ...render.common import is_secret_env, shown_value

CONTAINER = "wandb"
MANAGED_BY = "wbtui"


@dataclass(frozen=True)
class Manifests:
    objects: list[dict[str, Any]]
    text: str


def names(config: Config) -> dict[str, str]:
    """Object names derived from ``kubernetes.name`` (the guide's wandb, wandb-service ...)."""
    base = config.kubernetes.name
    return {"deployment": base, "secret": f"{base}-secret", "service": f"{base}-service",
            "ingress": f"{base}-ingress"}


def _labels(config: Config) -> dict[str, str]:
    return {"app.kubernetes.io/name": config.kubernetes.name, "app.kubernetes.io/managed-by": MANAGED_BY}


def _meta(config: Config, name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "namespace": config.kubernetes.namespace, "labels": _labels(config), **extra}


def _selector(config: Config) -> dict[str, str]:
    return {"app.kubernetes.io/name": config.kubernetes.name}


def secret_values(config: Config) -> dict[str, str]:
    """The container variables that belong in the Secret."""
    return {k: v for k, v in container_env(config).items() if is_secret_env(k, v)}


def secret(config: Config) -> dict[str, Any] | None:
    values = secret_values(config)
    if not values:
        return None
    return {"apiVersion": "v1", "kind": "Secret", "metadata": _meta(config, names(config)["secret"]),
            "type": "Opaque", "stringData": values}


def _env(config: Config) -> list[dict[str, Any]]:
    secret_name = names(config)["secret"]
    out: list[dict[str, Any]] = []
    for name, value in container_env(config).items():
        if is_secret_env(name, value):
            out.append({"name": name,
                        "valueFrom": {"secretKeyRef": {"name": secret_name, "key": name}}})
        else:
            out.append({"name": name, "value": value})
    return out


def _probe(path: str, **extra: Any) -> dict[str, Any]:
    return {"httpGet": {"path": path, "port": "http"}, **extra}


def deployment(config: Config) -> dict[str, Any]:
    r, k = config.runtime, config.kubernetes
    container: dict[str, Any] = {
        "name": CONTAINER,
        "image": r.image_ref,
        "imagePullPolicy": "IfNotPresent",
        "env": _env(config),
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "volumeMounts": [{"name": "wandb", "mountPath": "/vol"}],
        "livenessProbe": _probe("/healthz"),
        "readinessProbe": _probe("/ready"),
        # The guide allows 10 minutes (60 x 10 s) for database migrations on start.
        "startupProbe": _probe("/ready", failureThreshold=60, periodSeconds=10),
        "resources": {
            "requests": {"cpu": r.cpu_request, "memory": r.memory_request},
            "limits": {"cpu": r.cpu_limit, "memory": r.memory_limit},
        },
    }
    volume: dict[str, Any] = {"name": "wandb"}
    if k.volume_claim:
        volume["persistentVolumeClaim"] = {"claimName": k.volume_claim}
    else:
        volume["emptyDir"] = {}
    pod: dict[str, Any] = {"containers": [container], "volumes": [volume]}
    if r.uid is not None:
        pod["securityContext"] = {"runAsUser": r.uid}
        if r.gid is not None:
            pod["securityContext"]["runAsGroup"] = r.gid
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(config, names(config)["deployment"]),
        "spec": {
            "replicas": k.replicas,
            "strategy": {"type": "RollingUpdate"},
            "selector": {"matchLabels": _selector(config)},
            "template": {"metadata": {"labels": _labels(config)}, "spec": pod},
        },
    }


def service(config: Config) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(config, names(config)["service"]),
        "spec": {
            "type": config.kubernetes.service_type,
            "selector": _selector(config),
            "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http"}],
        },
    }


def ingress_host(config: Config) -> str | None:
    """``kubernetes.dns_name``, else HOST's host name; None for IP addresses (not allowed)."""
    host = config.kubernetes.dns_name or host_parts(config.server.HOST).hostname
    if host == PLACEHOLDER_HOST:
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return host
    return None


def ingress(config: Config) -> dict[str, Any]:
    k = config.kubernetes
    backend = {"service": {"name": names(config)["service"], "port": {"number": 80}}}
    annotations = {"nginx.ingress.kubernetes.io/proxy-body-size": k.body_size or "0"}
    spec: dict[str, Any] = {}
    if k.ingress_class:
        spec["ingressClassName"] = k.ingress_class
    host = ingress_host(config)
    if host:
        spec["rules"] = [{"host": host, "http": {"paths": [
            {"path": "/", "pathType": "Prefix", "backend": backend}]}}]
        if k.tls_secret:
            spec["tls"] = [{"hosts": [host], "secretName": k.tls_secret}]
    else:
        spec["defaultBackend"] = backend
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": _meta(config, names(config)["ingress"], annotations=annotations), "spec": spec}


def objects(config: Config) -> list[dict[str, Any]]:
    """Every object, in apply order, with the real secret values."""
    out = [secret(config), deployment(config), service(config), ingress(config)]
    return [o for o in out if o is not None]


def _masked(obj: dict[str, Any]) -> dict[str, Any]:
    if obj["kind"] != "Secret":
        return obj
    shown = copy.deepcopy(obj)
    shown["stringData"] = {k: shown_value(k, v, False) for k, v in obj["stringData"].items()}
    return shown


def render(config: Config, reveal: bool = False) -> Manifests:
    """The objects (real values) and their multi-document YAML (masked unless ``reveal``)."""
    import yaml

    objs = objects(config)
    shown = objs if reveal else [_masked(o) for o in objs]
    header = "# W&B Server on Kubernetes, rendered by wbtui.\n"
    if not reveal and any(o["kind"] == "Secret" for o in objs):
        header += "# Secret values are masked (****): `wbtui render kubernetes --reveal` to apply by hand.\n"
    body = yaml.safe_dump_all(shown, sort_keys=False, default_flow_style=False, allow_unicode=True,
                              width=float("inf"))  # a value never folds over lines, so redaction finds it
    return Manifests(objs, header + body)


def render_yaml(config: Config, reveal: bool = False) -> str:
    return render(config, reveal).text
