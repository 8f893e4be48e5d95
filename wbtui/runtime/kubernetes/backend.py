"""The Kubernetes backend: the rendered Secret/Deployment/Service/Ingress applied and watched.

Apply is create-or-patch: read each object, create it when missing, otherwise
send a JSON merge patch only when the desired fields differ from the live ones
(so a second apply says "unchanged" and changes nothing). Fields wbtui set
before and no longer renders are removed with the help of a last-applied
annotation, as ``kubectl apply`` does (never on the Secret, whose values must
not be copied into an annotation).

Logs are followed from the newest ready pod (or a chosen one) in a reader
thread (``logstream.ThreadStream``); when the stream ends or breaks (container
restarted, pod replaced, API server gone) it reopens with backoff, resumes with
``sinceTime`` from the last line's timestamp and drops the lines it already
gave out. An API server outage is marked by a gap line when it comes back.

``local_url`` is None unless the Service is a NodePort served on an address of
this machine (wbtui runs on a node); health probes then go through HOST.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
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
    RuntimeProblem,
    ServerStatus,
    Unreachable,
)
from ..logstream import Sink, ThreadStream
from .client import KubeApi, connect, resource_path
from .kubeconfig import KubeconfigProblem
from .status import (
    choose_log_pod,
    main_container,
    missing_status,
    owned,
    parse_quantity,
    runtime_events,
    selector_string,
    server_status,
    usage_from_metrics,
)

if TYPE_CHECKING:
    from ...config.model import Config

LAST_APPLIED = "wbtui/last-applied-configuration"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"

# kind -> (apiVersion, plural, kubectl's name for it)
KINDS = {
    "Secret": ("v1", "secrets", "secret"),
    "Deployment": ("apps/v1", "deployments", "deployment.apps"),
    "Service": ("v1", "services", "service"),
    "Ingress": ("networking.k8s.io/v1", "ingresses", "ingress.networking.k8s.io"),
    "PersistentVolumeClaim": ("v1", "persistentvolumeclaims", "persistentvolumeclaim"),
}

_LOG_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}) ")

LogKey = tuple[int, int]  # (epoch seconds, nanoseconds) of a log line


# --- apply: pure helpers -----------------------------------------------------------------

def _same(desired: Any, live: Any, quantities: bool = False) -> bool:
    """Whether the live value holds everything desired (extra server defaults allowed)."""
    if isinstance(desired, dict):
        return isinstance(live, dict) and all(
            _same(v, live.get(k), quantities or k == "resources") for k, v in desired.items())
    if isinstance(desired, list):
        return isinstance(live, list) and len(live) == len(desired) and all(
            _same(d, x, quantities) for d, x in zip(desired, live, strict=True))
    if quantities and isinstance(desired, str | int) and isinstance(live, str | int) and desired != live:
        try:
            return parse_quantity(desired) == parse_quantity(live)
        except ValueError:
            return False
    return bool(desired == live)


def _removed(before: Any, after: Any) -> dict[str, Any]:
    """A merge patch deleting what ``before`` had and ``after`` no longer has (dicts only)."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return {}
    out: dict[str, Any] = {}
    for key, old in before.items():
        if key not in after:
            out[key] = None
        else:
            sub = _removed(old, after[key])
            if sub:
                out[key] = sub
    return out


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _secret_data(obj: dict[str, Any]) -> dict[str, str]:
    """A Secret's values base64-encoded, as the API server stores them."""
    data = dict(obj.get("data") or {})
    for key, value in (obj.get("stringData") or {}).items():
        data[key] = base64.b64encode(value.encode()).decode()
    return data


def desired_state(obj: dict[str, Any], namespace: str) -> dict[str, Any]:
    """The object as sent: in our namespace; Secret values as ``data``; others with a last-applied note."""
    obj = copy.deepcopy(obj)
    obj.setdefault("metadata", {})["namespace"] = namespace
    if obj["kind"] == "Secret":
        obj["data"] = _secret_data(obj)
        obj.pop("stringData", None)
        return obj
    note = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    obj["metadata"].setdefault("annotations", {})[LAST_APPLIED] = note
    return obj


def apply_patch(desired: dict[str, Any], live: dict[str, Any]) -> dict[str, Any] | None:
    """The merge patch that makes ``live`` as desired, or None when nothing would change."""
    if desired["kind"] == "Secret":
        gone = {k: None for k in (live.get("data") or {}) if k not in desired.get("data", {})}
        if _same(desired, live) and not gone:
            return None
        return _merge(desired, {"data": gone}) if gone else desired
    if _same(desired, live):
        return None
    try:
        before = json.loads((live.get("metadata", {}).get("annotations") or {}).get(LAST_APPLIED, "{}"))
    except ValueError:
        before = {}
    after = json.loads(desired["metadata"]["annotations"][LAST_APPLIED])
    return _merge(_removed(before, after), desired)


# --- logs: pure helpers ------------------------------------------------------------------

def split_timestamp(line: str) -> tuple[LogKey | None, datetime | None, str]:
    """A kubelet log line with ``timestamps=true``: its exact sort key, its time and its text."""
    m = _LOG_TIME.match(line)
    if m is None:
        return None, None, line
    zone = "+00:00" if m[3] == "Z" else m[3]
    whole = datetime.fromisoformat(m[1] + zone).astimezone(UTC)
    nanos = int((m[2] or "0").ljust(9, "0"))
    return (int(whole.timestamp()), nanos), whole.replace(microsecond=nanos // 1000), line[m.end():]


def _key_of(when: datetime) -> LogKey:
    when = when.astimezone(UTC)
    return int(when.replace(microsecond=0).timestamp()), when.microsecond * 1000


def _since_time(key: LogKey) -> str:
    """``sinceTime`` for a resume: the API takes whole seconds, so the overlap is deduplicated."""
    return datetime.fromtimestamp(key[0], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class LogCursor:
    """Where a followed stream is, so a reconnect neither repeats nor loses lines."""

    pod: str = ""
    last: LogKey | None = None
    at_last: set[str] = field(default_factory=set)
    skip_until: LogKey | None = None
    skip_texts: set[str] = field(default_factory=set)

    def resume(self, pod: str) -> str | None:
        """Prepare to reconnect to ``pod``; the ``sinceTime`` to ask for, if any."""
        if pod == self.pod and self.last is not None:
            self.skip_until, self.skip_texts = self.last, set(self.at_last)
        elif pod != self.pod and self.pod:
            self.skip_until, self.skip_texts = None, set()
        self.pod = pod
        return _since_time(self.last) if self.last else None

    def accept(self, key: LogKey | None, text: str) -> bool:
        """Whether a line is new (not given out before this reconnect), remembering it."""
        if key is None:
            return True
        if self.skip_until is not None and (key < self.skip_until or
                                            (key == self.skip_until and text in self.skip_texts)):
            return False
        if self.last is None or key > self.last:
            self.last, self.at_last = key, {text}
        elif key == self.last:
            self.at_last.add(text)
        return True


def _line_batches(response: Any, size: int = 65536) -> Iterator[list[str]]:
    """Whole lines from a streaming HTTP response, one list per chunk read."""
    rest = b""
    for chunk in response.stream(size, decode_content=True):
        rest += chunk
        *lines, rest = rest.split(b"\n")
        if lines:
            yield [x.rstrip(b"\r").decode("utf-8", "replace") for x in lines]
    if rest:
        yield [rest.decode("utf-8", "replace")]


class _NoPodYet(NotDeployed):
    """The Deployment exists but has no pod to read from (yet)."""


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

    def deploy(self) -> str:
        from .render import objects

        wanted = objects(self.config)
        if not self.pull:
            for obj in wanted:
                for container in obj.get("spec", {}).get("template", {}).get("spec", {}).get("containers", []):
                    container["imagePullPolicy"] = "Never"
        return "\n".join(self.apply(wanted))

    def scale(self, replicas: int) -> str:
        was = self._deployment().get("spec", {}).get("replicas")
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
        self.api.patch(self._path("Deployment", self.name), patch)
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

    def _log_target(self, chosen: str | None) -> tuple[str, str] | None:
        """(pod, container) to read: the chosen pod, else the newest ready one; None while there is none."""
        snap = self._snapshot()
        if snap is None:
            raise NotDeployed(f'no Deployment "{self.name}" in namespace {self.namespace}',
                              "deploy it first with `wbtui up`")
        pod = choose_log_pod(owned(*snap).pods, chosen)
        if pod is None and chosen:
            raise NotDeployed(f"no pod {chosen} of Deployment {self.name!r} in namespace {self.namespace}",
                              "pick one of the pods `wbtui status` lists")
        return (pod["metadata"]["name"], main_container(snap[0]).get("name", "")) if pod else None

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
            self._pump(sink, follow=follow and not previous, tail=tail, since=since, timestamps=timestamps,
                       previous=previous, chosen=pod)

        return ThreadStream(pump, name=f"wbtui-k8s-logs-{self.name}")

    def _pump(self, sink: Sink[LogLine], *, follow: bool, tail: int | None, since: datetime | None,
              timestamps: bool, previous: bool, chosen: str | None) -> None:
        """The blocking log loop: read, and with ``follow`` reopen after every end or break.

        A stream that ends (container stopped, pod replaced) is reopened quietly: ``sinceTime``
        and the cursor make it seamless. When the API server goes away the first line after
        it comes back is a gap line saying what happened and for how long.
        """
        import urllib3.exceptions as ue

        redact = self.api.redact
        cursor = LogCursor()
        if since is not None:
            cursor.skip_until = _key_of(since)
        first, delay = True, self.reconnect_delays[0]
        opened_at: datetime | None = None
        outage: tuple[str, float] | None = None  # what broke the stream, and when
        while not sink.closed:
            response = None
            try:
                target = self._log_target(chosen)
                if target is None:
                    raise _NoPodYet(f'no pod of Deployment "{self.name}" is running yet')
                pod, container = target
                resume = cursor.resume(pod)
                query = [("container", container), ("timestamps", "true")]
                query += [("follow", "true")] if follow else []
                query += [("previous", "true")] if previous else []
                if first:
                    query += [("tailLines", str(tail))] if tail is not None else []
                    query += [("sinceTime", _since_time(_key_of(since)))] if since else []
                elif resume or opened_at:  # nothing read yet: from when the first stream opened
                    query.append(("sinceTime", resume or _since_time(_key_of(opened_at or datetime.now(UTC)))))
                response = self.api.stream(
                    resource_path("v1", "pods", self.namespace, pod, "log"), query,
                    read_timeout=self.log_idle_timeout if follow else self.config.app.timeout)
                sink.on_interrupt(response.shutdown)
                first, opened_at = False, opened_at or datetime.now(UTC)
                if outage is not None:
                    sink.put(LogLine(f"--- log stream interrupted: {outage[0]}; reconnected after "
                                     f"{time.monotonic() - outage[1]:.1f}s ---", datetime.now(UTC), pod, True))
                    outage = None
                for raw_lines in _line_batches(response):
                    batch = []
                    for raw in raw_lines:
                        key, when, text = split_timestamp(raw)
                        if cursor.accept(key, text):
                            batch.append(LogLine(redact(raw if timestamps and key else text), when, pod))
                    if batch:
                        delay = self.reconnect_delays[0]
                        sink.put_many(batch)
                    if sink.closed:
                        return
                if not follow:
                    return
            except (PermissionDenied, KubeconfigProblem):
                raise
            except RuntimeProblem as exc:
                # No Deployment, no chosen pod, or no API server before anything streamed: an answer, not a gap.
                missing = isinstance(exc, NotDeployed) and not isinstance(exc, _NoPodYet)
                if not follow or (missing and (first or chosen)) or (first and isinstance(exc, Unreachable)):
                    raise
                if isinstance(exc, Unreachable) and opened_at and outage is None:
                    outage = (exc.message, time.monotonic())
            except (ue.HTTPError, OSError) as exc:
                if sink.closed:
                    return
                if not follow:
                    raise self.api.translate_transport(exc) from None
                if isinstance(exc, ue.ReadTimeoutError):  # a quiet stream: reopen at once, nothing was lost
                    continue
                outage = outage or (self.api.translate_transport(exc).message, time.monotonic())
            finally:
                sink.on_interrupt(None)
                if response is not None:
                    response.close()
            if sink.wait(delay):
                return
            delay = min(delay * 2, self.reconnect_delays[1])


def _is_local_address(ip: str) -> bool:
    """Whether this machine owns the address (binding to it works); no traffic is sent."""
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((ip, 0))
        except OSError:
            return False
    return True

