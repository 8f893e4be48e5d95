"""Kubernetes manifests: Secret, Deployment, Service and Ingress from the guide's example, and with a backup
schedule the backup CronJob and its volume claim (backup_job).

Secrets (LICENSE, BUCKET, MYSQL and secret-looking extras) live only in the Secret and
reach the pod through ``secretKeyRef``, never as plain env. ``objects`` carries the real
values for the Kubernetes backend to apply (the Deployment and what it needs: deploy does not
apply the backup objects); ``render`` adds the backup objects; ``text`` masks secrets unless revealed.
"""

from __future__ import annotations

import copy
import ipaddress
from dataclasses import dataclass
from typing import Any

from ...config.backup import Schedule, ScheduleError, parse_schedule
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


def backup(config: Config, schedule: Schedule | None) -> tuple[list[dict[str, Any]], str]:
    """The backup claim and CronJob for ``schedule`` (none without one), and a header line saying what they are
    or why there are none."""
    from . import backup_job

    if schedule is None:
        return [], ""
    why = backup_job.skipped(config)
    if why:
        return [], f"# No backup CronJob: {why}.\n"
    job = backup_job.cronjob(config, schedule, names(config)["secret"])
    claim = backup_job.claim(config)
    return [claim, job], (
        f"# Backups: CronJob {job['metadata']['name']} ({schedule.on_calendar}, cron {schedule.cron!r}) dumps "
        f"MYSQL's database into PersistentVolumeClaim {claim['metadata']['name']}; `wbtui up` does not apply these "
        "two, kubectl apply does.\n")


def configured_schedule(config: Config, given: str | None = None) -> Schedule | None:
    """``given`` (--backup-schedule), else ``backup.schedule``; None when neither is set. ScheduleError when bad."""
    text = given if given is not None else config.backup.schedule
    return parse_schedule(text) if text.strip() else None


def render(config: Config, reveal: bool = False, schedule: str | None = None) -> Manifests:
    """The objects (real values) and their multi-document YAML (masked unless ``reveal``); with ``schedule``
    (or ``backup.schedule``) the backup CronJob too. ScheduleError only for a bad ``schedule`` given here."""
    import yaml

    try:
        backup_objects, note = backup(config, configured_schedule(config, schedule))
    except ScheduleError as exc:
        if schedule is not None:
            raise
        backup_objects, note = [], f"# No backup CronJob: backup.schedule: {exc}.\n"
    objs = objects(config) + backup_objects
    shown = objs if reveal else [_masked(o) for o in objs]
    header = "# W&B Server on Kubernetes, rendered by wbtui.\n" + note
    if not reveal and any(o["kind"] == "Secret" for o in objs):
        header += "# Secret values are masked (****): `wbtui render kubernetes --reveal` to apply by hand.\n"
    body = yaml.dump_all(shown, Dumper=_dumper(), sort_keys=False, default_flow_style=False, allow_unicode=True,
                         width=float("inf"))  # a value never folds over lines, so redaction finds it
    return Manifests(objs, header + body)


def _dumper() -> Any:
    """PyYAML's safe dumper, writing multi-line text (the backup script) as a ``|`` block a person can read;
    every other value stays on one line (no setting may hold a newline)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: yaml.SafeDumper, value: str) -> Any:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)

    Dumper.add_representer(str, text)
    return Dumper


def render_yaml(config: Config, reveal: bool = False, schedule: str | None = None) -> str:
    return render(config, reveal, schedule).text
