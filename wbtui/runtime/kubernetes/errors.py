"""Kubernetes API failures turned into typed, explained runtime problems.

Below HTTP (refused, timed out, TLS, dropped) and API error responses (401, 403
with the RBAC rights to grant, 404, 409, 422, 5xx): each says what went wrong and
what to do, in one line, with anything the server echoed redacted.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..base import NameConflict, NotDeployed, PermissionDenied, RuntimeProblem, Unreachable

if TYPE_CHECKING:
    from .client import KubeApi

RBAC_ROLE = (
    "kubectl create role wbtui -n {ns} --verb=get,list,watch,create,patch,delete "
    "--resource=deployments.apps,replicasets.apps,pods,pods/log,services,secrets,"
    "ingresses.networking.k8s.io,events,persistentvolumeclaims && "
    "kubectl create rolebinding wbtui -n {ns} --role=wbtui --user=YOUR_USER"
)


def _describe(method: str, path: str) -> tuple[str, str, str]:
    """(verb, resource, namespace) of a request path, for RBAC advice."""
    parts = path.split("?")[0].strip("/").split("/")
    group = "" if parts[0] == "api" else parts[1]
    rest = parts[2:] if parts[0] == "api" else parts[3:]
    namespace = ""
    if len(rest) >= 2 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if not rest:
        return method.lower(), "namespaces", namespace
    resource = rest[0] + (f".{group}" if group else "") + (f"/{rest[2]}" if len(rest) > 2 else "")
    verb = {"GET": "get" if len(rest) > 1 else "list", "POST": "create", "PATCH": "patch",
            "DELETE": "delete", "PUT": "update"}.get(method, method.lower())
    return verb, resource, namespace


def transport_problem(api: KubeApi, exc: BaseException) -> RuntimeProblem:
    """A failure below HTTP (refused, timeout, TLS, dropped connection) as a problem."""
    import urllib3.exceptions as ue

    cause: BaseException = exc
    if isinstance(exc, ue.MaxRetryError) and exc.reason is not None:
        cause = exc.reason
    where = f"Kubernetes API server {api.server} (context {api.context})"
    text = str(getattr(exc, "reason", None) or cause)
    if isinstance(cause, ue.SSLError) or "SSLError" in text or "CERTIFICATE_VERIFY_FAILED" in text:
        return Unreachable(f"{where}: TLS verification failed: {api.redact(str(cause))}",
                           "the kubeconfig's certificate-authority-data must match the cluster's CA; "
                           "refresh the kubeconfig from the cluster")
    if isinstance(cause, ue.NewConnectionError | ConnectionRefusedError):  # before timeouts: a subclass
        detail = "connection refused" if "refused" in str(cause).lower() else api.redact(str(cause))
    elif isinstance(cause, ue.ConnectTimeoutError | ue.ReadTimeoutError | TimeoutError):
        detail = f"no answer within {api.timeout:g}s"
    elif isinstance(cause, ue.ProtocolError):
        detail = "connection dropped"
    else:
        detail = api.redact(f"{type(cause).__name__}: {cause}")
    return Unreachable(f"{where} does not answer: {detail}",
                       f"check that the cluster is up and reachable from here "
                       f"(`kubectl --context {api.context} cluster-info`), and the VPN/firewall")

def status_problem(api: KubeApi, status: int, body: bytes, method: str, path: str) -> RuntimeProblem:
    """An API error response (a Status object) as a typed problem with a fix."""
    try:
        info = json.loads(body or b"{}")
    except ValueError:
        info = {}
    if not isinstance(info, dict):
        info = {}
    message = api.redact(str(info.get("message") or body[:300].decode(errors="replace") or f"HTTP {status}"))
    reason = info.get("reason") or ""
    verb, resource, ns = _describe(method, path)
    ns = ns or api.namespace or "default"
    if status == 401:
        return PermissionDenied(f"the API server rejected the credentials of context {api.context} "
                                f"(401 Unauthorized)",
                                "refresh the kubeconfig credentials (expired token or certificate): "
                                "log in again or re-run your cluster's get-credentials command")
    if status == 403:
        return PermissionDenied(f"Kubernetes RBAC: {message}",
                                f"`kubectl auth can-i {verb} {resource} -n {ns}` must say yes; "
                                f"a cluster admin can grant wbtui's rights with: {RBAC_ROLE.format(ns=ns)}")
    if status == 404:
        details = info.get("details") or {}
        if details.get("kind") == "namespaces":
            return NotDeployed(message, f"create the namespace: kubectl create namespace {details.get('name', ns)}")
        return NotDeployed(message, "deploy first with `wbtui up`")
    if status == 409:
        return NameConflict(f"conflict: {message}",
                            "another client changed or created this object at the same time; run the command "
                            "again, or pick another kubernetes.name")
    if status == 422:
        return RuntimeProblem(f"the API server rejected the object: {message}",
                              "check the settings with `wbtui validate`; immutable fields (the selector) "
                              "need `wbtui down` then `wbtui up`")
    if status in (502, 503, 504):
        return Unreachable(f"Kubernetes API server {api.server} is unavailable ({status} {reason}): {message}",
                           "wait for the control plane to recover, then retry")
    return RuntimeProblem(f"Kubernetes API error {status} {reason}: {message}".replace("  ", " "),
                          f"retry; if it persists check `kubectl get {resource.split('/')[0]} -n {ns}`")
