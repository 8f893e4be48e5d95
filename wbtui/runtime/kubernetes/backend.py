"""The Kubernetes backend: the rendered Secret/Deployment/Service/Ingress applied and watched.

Apply is create-or-patch: read each object, create it when missing, otherwise
send a merge patch only when the desired fields differ from the live ones (so a
second apply says "unchanged" and changes nothing).

Logs are followed by ``logs.follow_log`` in a reader thread; the apply
helpers are in ``apply``.

``local_url`` is None unless the Service is a NodePort served on an address of
this machine (wbtui runs on a node); health probes then go through HOST.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ...config import masking
from ..base import (
    LogLine,
    NotDeployed,
    PermissionDenied,
    ResourceUsage,
    Runtime,
    RuntimeEvent,
    ServerStatus,
    Unreachable,
)
from ..logstream import Sink, ThreadStream
from .apply import apply_patch, desired_state
from .client import KubeApi, connect, resource_path
from .logs import follow_log
from .status import (
    LogTarget,
    choose_log_pod,
    log_target_of,
    main_container,
    missing_status,
    owned,
    runtime_events,
    selector_string,
    server_status,
    usage_from_metrics,
)

if TYPE_CHECKING:
    from ...config.model import Config

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"

# kind -> (apiVersion, plural, kubectl's name for it)
KINDS = {
    "Secret": ("v1", "secrets", "secret"),
    "Deployment": ("apps/v1", "deployments", "deployment.apps"),
    "Service": ("v1", "services", "service"),
    "Ingress": ("networking.k8s.io/v1", "ingresses", "ingress.networking.k8s.io"),
    "PersistentVolumeClaim": ("v1", "persistentvolumeclaims", "persistentvolumeclaim"),
}



class KubernetesRuntime(Runtime):
    """W&B Server as a Deployment in ``kubernetes.namespace`` of the ``kubernetes.context`` cluster."""

    backend = "kubernetes"
    log_idle_timeout = 60.0  # a quiet follow stream is reopened (resumed) after this many seconds
    reconnect_delays = (0.5, 10.0)  # first and longest wait between reconnects

    def __init__(self, config: Config, *, pull: bool = True, kubeconfig: str | None = None) -> None:
        """``pull``: False deploys with imagePullPolicy Never (the image must be on the node already);
        ``kubeconfig``: this file instead of $KUBECONFIG / ~/.kube/config."""
        super().__init__(config, pull=pull)
        self.kubeconfig = kubeconfig
        self._api: KubeApi | None = None

    # --- plumbing ---------------------------------------------------------------------------

    @property
    def api(self) -> KubeApi:
        if self._api is None:
            self._api = connect(self.config.kubernetes.context, kubeconfig=self.kubeconfig,
                                timeout=self.config.app.timeout, redact=masking.logs(self.config))
        return self._api

    @property
    def namespace(self) -> str:
        return self.config.kubernetes.namespace or self.api.namespace or "default"

    @property
    def name(self) -> str:
        return self.config.kubernetes.name

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
            self._api = None

    def _path(self, kind: str, name: str | None = None) -> str:
        api_version, plural, _ = KINDS[kind]
        return resource_path(api_version, plural, self.namespace, name)

    def _names(self) -> dict[str, str]:
        from .render import names

        return names(self.config)

    def _deployment(self) -> dict[str, Any]:
        dep = self.api.get(self._path("Deployment", self.name))
        if dep is None:
            raise NotDeployed(f'no Deployment "{self.name}" in namespace {self.namespace}',
                              "deploy it first with `wbtui up`")
        return dep

    def _snapshot(self) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]] | None:
        """The Deployment with its ReplicaSets and Pods (by its selector), or None if not deployed."""
        dep = self.api.get(self._path("Deployment", self.name))
        if dep is None:
            return None
        selector = selector_string(dep.get("spec", {}).get("selector") or {})
        replicasets = self.api.list(resource_path("apps/v1", "replicasets", self.namespace), label_selector=selector)
        pods = self.api.list(resource_path("v1", "pods", self.namespace), label_selector=selector)
        return dep, replicasets, pods

    # --- lifecycle --------------------------------------------------------------------------

    def apply(self, objects: list[dict[str, Any]]) -> list[str]:
        """Create or patch each object; kubectl-style lines (created / configured / unchanged)."""
        lines = []
        for obj in objects:
            desired = desired_state(obj, self.namespace)
            kind, name = desired["kind"], desired["metadata"]["name"]
            label = f"{KINDS[kind][2]}/{name}"
            live = self.api.get(self._path(kind, name))
            if live is None:
                self.api.create(self._path(kind), desired)
                lines.append(f"{label} created")
                continue
            patch = apply_patch(desired, live)
            if patch is None:
                lines.append(f"{label} unchanged")
            else:
                self.api.patch(self._path(kind, name), patch)
                lines.append(f"{label} configured")
        return lines

    def _wanted(self) -> list[dict[str, Any]]:
        """The objects ``deploy`` applies, from the config."""
        from .render import objects

        wanted = objects(self.config)
        if not self.pull:
            for obj in wanted:
                for container in obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                    container["imagePullPolicy"] = "Never"
        return wanted

    def replaced_by_deploy(self) -> str:
        """Our name when pods run and the Deployment differs from the config (the apply rolls them)."""
        live = self.api.get(self._path("Deployment", self.name))
        if live is None or not (live.get("status") or {}).get("replicas"):
            return ""
        wanted = next(obj for obj in self._wanted() if obj["kind"] == "Deployment")
        return "" if apply_patch(desired_state(wanted, self.namespace), live) is None else self.name

    def deploy(self) -> str:
        return "\n".join(self.apply(self._wanted()))

    def scale(self, replicas: int) -> str:
        was = self._deployment().get("spec", {}).get("replicas")
        self.report(f"scaling deployment.apps/{self.name} from {was} to {replicas} replica(s)")
        self.api.patch(self._path("Deployment", self.name), {"spec": {"replicas": replicas}})
        return f"deployment.apps/{self.name} scaled to {replicas} (was {was})"

    def start(self) -> str:
        return self.scale(self.config.kubernetes.replicas)

    def stop(self, timeout: float = 30) -> str:
        """Scale to zero; the pods get their termination grace period (``timeout`` is Docker's)."""
        return self.scale(0)

    def restart(self) -> str:
        """``kubectl rollout restart``: a new pod template annotation starts a rolling update."""
        self._deployment()
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}}
        self.report(f"rollout restart of deployment.apps/{self.name}: setting {RESTARTED_AT}={now}")
        self.api.patch(self._path("Deployment", self.name), patch)
        self.report("rollout started: new pods replace the old ones one by one")
        return f"deployment.apps/{self.name} restarted (rollout at {now})"

    def upgrade(self, tag: str) -> str:
        """Point the W&B container at ``image:tag``; the volume (PVC) stays attached."""
        dep = self._deployment()
        containers = dep["spec"]["template"]["spec"]["containers"]
        main = main_container(dep)
        index = next(i for i, c in enumerate(containers) if c.get("name") == main.get("name"))
        image = f"{self.config.runtime.image}:{tag}"
        base = f"/spec/template/spec/containers/{index}"
        self.api.patch(self._path("Deployment", self.name), [
            {"op": "test", "path": f"{base}/name", "value": main.get("name")},
            {"op": "replace", "path": f"{base}/image", "value": image},
        ], kind="json")
        return f"deployment.apps/{self.name} image {main.get('image')} -> {image}"

    def remove(self, purge: bool = False) -> str:
        """Delete Ingress, Service, Deployment and Secret; the PVC only with ``purge``."""
        names = self._names()
        targets = [("Ingress", names["ingress"]), ("Service", names["service"]),
                   ("Deployment", names["deployment"]), ("Secret", names["secret"])]
        claim = self.config.kubernetes.volume_claim
        if purge and claim:
            targets.append(("PersistentVolumeClaim", claim))
        lines = [f"{KINDS[kind][2]}/{name} {'deleted' if self.api.delete(self._path(kind, name)) else 'not found'}"
                 for kind, name in targets]
        if claim and not purge:
            lines.append(f"persistentvolumeclaim/{claim} kept (its data stays; --purge deletes it)")
        return "\n".join(lines)

    # --- watching ---------------------------------------------------------------------------

    def status(self) -> ServerStatus:
        snap = self._snapshot()
        if snap is None:
            return missing_status(self.name)
        service = self.api.get(self._path("Service", self._names()["service"]))
        return server_status(*snap, service=service)

    def events(self, limit: int = 50) -> list[RuntimeEvent]:
        """Events of the Deployment, its live ReplicaSets and its Pods, oldest first."""
        snap = self._snapshot()
        names = {self.name}
        if snap is not None:
            mine = owned(*snap)
            live_sets = [rs for rs in mine.replicasets if rs is mine.current or (rs.get("spec") or {}).get("replicas")]
            names |= {o["metadata"]["name"] for o in live_sets + mine.pods}
        items: list[dict[str, Any]] = []
        for name in sorted(names):
            items += self.api.list(resource_path("v1", "events", self.namespace),
                                   field_selector=f"involvedObject.name={name}")
        return runtime_events(items, names, limit)

    def usage(self) -> ResourceUsage | None:
        """From metrics.k8s.io; None when metrics-server is absent or not allowed (not an error)."""
        snap = self._snapshot()
        if snap is None:
            return None
        dep = snap[0]
        pods = {p["metadata"]["name"] for p in owned(*snap).pods}
        try:
            items = self.api.list(resource_path("metrics.k8s.io/v1beta1", "pods", self.namespace),
                                  label_selector=selector_string(dep["spec"]["selector"]))
        except (NotDeployed, PermissionDenied, Unreachable):  # 404, 403 or 503 from the metrics API
            return None
        limit = (main_container(dep).get("resources") or {}).get("limits", {}).get("memory")
        return usage_from_metrics(items, pods, limit)

    def local_url(self) -> str | None:
        service = self.api.get(self._path("Service", self._names()["service"]))
        ports = [p.get("nodePort") for p in (service or {}).get("spec", {}).get("ports") or [] if p.get("nodePort")]
        snap = self._snapshot()
        if not ports or snap is None:
            return None
        for pod in owned(*snap).pods:
            ip = (pod.get("status") or {}).get("hostIP")
            if ip and _is_local_address(ip):
                return f"http://{f'[{ip}]' if ':' in ip else ip}:{ports[0]}"
        return None

    def running_config(self, base: Config) -> Config | None:
        """The live Deployment, with the Secrets its env refers to, read back over ``base``."""
        from .importer import import_objects

        deployment = self.api.get(self._path("Deployment", self.name))
        if deployment is None:
            return None
        docs = [deployment]
        secrets: set[str] = set()
        for container in deployment.get("spec", {}).get("template", {}).get("spec", {}).get("containers") or []:
            for env in container.get("env") or []:
                ref = (env.get("valueFrom") or {}).get("secretKeyRef") or {}
                if ref.get("name"):
                    secrets.add(ref["name"])
        for name in sorted(secrets):
            secret = self.api.get(self._path("Secret", name))
            if secret:
                docs.append(secret)
        return import_objects(docs, base, source="the live Deployment").config

    def describe(self) -> dict[str, str]:
        """The kubeconfig, context, API server and namespace (kubeconfig.load's choice; nothing is sent)."""
        from .kubeconfig import kubeconfig_path

        api = self.api
        return {"kubeconfig": kubeconfig_path(self.kubeconfig), "context": api.context, "server": api.server,
                "namespace": self.namespace, "deployment": self.name}

    def versions(self) -> dict[str, str]:
        info = self.api.request("GET", "/version")
        return {"kubernetes": f"{info.get('gitVersion', '?')} ({info.get('platform', '?')})"}

    # --- logs -------------------------------------------------------------------------------

    def log_target(self, chosen: str | None) -> LogTarget | None:
        """The pod and container to read: the chosen pod, else the newest ready one; None while there is none."""
        snap = self._snapshot()
        if snap is None:
            raise NotDeployed(f'no Deployment "{self.name}" in namespace {self.namespace}',
                              "deploy it first with `wbtui up`")
        pod = choose_log_pod(owned(*snap).pods, chosen)
        if pod is None and chosen:
            raise NotDeployed(f"no pod {chosen} of Deployment {self.name!r} in namespace {self.namespace}",
                              "pick one of the pods `wbtui status` lists")
        return log_target_of(pod, main_container(snap[0]).get("name", "")) if pod else None

    def logs(
        self,
        *,
        follow: bool = True,
        tail: int | None = 200,
        since: datetime | None = None,
        timestamps: bool = False,
        previous: bool = False,
        pod: str | None = None,
    ) -> ThreadStream[LogLine]:
        """Pod log lines (redacted); ``previous`` reads the crashed instance and is never followed.

        ``pod``: that pod's log (None: the newest ready pod, followed to its successor).
        Use it with ``async with`` (or ``aclose()``) so the reader thread stops at once.
        """
        def pump(sink: Sink[LogLine]) -> None:
            follow_log(self, sink, follow=follow and not previous, tail=tail, since=since, timestamps=timestamps,
                       previous=previous, chosen=pod)

        return ThreadStream(pump, name=f"wbtui-k8s-logs-{self.name}")

def _is_local_address(ip: str) -> bool:
    """Whether this machine owns the address (binding to it works); no traffic is sent."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((ip, 0))
        except OSError:
            return False
    return True

