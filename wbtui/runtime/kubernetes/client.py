"""Talking to a Kubernetes API server: plain-JSON requests with timeouts, typed errors.

Requests return the API's JSON as dicts, so the status logic stays pure
(``status``). Every request has a connect and read timeout, and every
failure becomes a RuntimeProblem that says what to do: an unreachable API
server, rejected credentials, missing RBAC rights (with the role to grant),
objects that are not there, conflicts. The official client is imported inside
the functions that use it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from ..base import NameConflict, NotDeployed, PermissionDenied, RuntimeProblem, Unreachable
from .kubeconfig import load

Redact = Callable[[str], str]
Query = list[tuple[str, str]]
"""Query parameters in order (``KubeApi.list`` shadows the builtin inside the class)."""

RBAC_ROLE = (
    "kubectl create role wbtui -n {ns} --verb=get,list,watch,create,patch,delete "
    "--resource=deployments.apps,replicasets.apps,pods,pods/log,services,secrets,"
    "ingresses.networking.k8s.io,events,persistentvolumeclaims && "
    "kubectl create rolebinding wbtui -n {ns} --role=wbtui --user=YOUR_USER"
)

PATCH_TYPES = {"merge": "application/merge-patch+json", "json": "application/json-patch+json"}


def connect(context: str = "", *, kubeconfig: str | None = None, timeout: float = 5.0,
            redact: Redact | None = None) -> KubeApi:
    """A client for the kubeconfig context (empty: the current one), or the in-cluster service account.

    The kubeconfig and the context are chosen by ``kubeconfig.load``: kubectl's rule.
    """
    import urllib3
    from kubernetes import client

    cfg, context, namespace = load(context, kubeconfig)
    cfg.retries = urllib3.Retry(total=0, connect=0, read=0, redirect=0, status=0)
    return KubeApi(client.ApiClient(cfg), context=context, namespace=namespace, timeout=timeout, redact=redact)


def resource_path(api_version: str, plural: str, namespace: str | None = None, name: str | None = None,
                  subresource: str | None = None) -> str:
    """The REST path of a resource: /api/v1/... for the core group, /apis/GROUP/VERSION/... otherwise."""
    base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
    parts = [base] + (["namespaces", namespace] if namespace else []) + [plural]
    parts += [name] if name else []
    parts += [subresource] if subresource else []
    return "/".join(parts)


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


class KubeApi:
    """Raw JSON requests to one API server with timeouts and translated errors."""

    def __init__(self, api_client: Any, *, context: str, namespace: str = "", timeout: float = 5.0,
                 redact: Redact | None = None) -> None:
        self.api_client = api_client
        self.context = context
        self.namespace = namespace
        self.timeout = timeout
        self.redact: Redact = redact or (lambda text: text)

    @property
    def server(self) -> str:
        return str(self.api_client.configuration.host)

    def close(self) -> None:
        self.api_client.close()

    def _send(self, method: str, path: str, *, query: Query | None = None, body: Any = None,
              content_type: str | None = None, read_timeout: float | None = None) -> Any:
        """Send one request; the urllib3 response (body unread), or a RuntimeProblem."""
        headers = {"Accept": "application/json, */*"}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            method_, url, headers, body, _ = self.api_client.param_serialize(
                method, path, query_params=query or [], header_params=headers, body=body,
                auth_settings=["BearerToken"])
            response = self.api_client.call_api(
                method_, url, header_params=headers, body=body,
                _request_timeout=(self.timeout, self.timeout if read_timeout is None else read_timeout))
        except Exception as exc:
            raise self.translate_transport(exc) from None
        raw = response.response
        if not 200 <= raw.status <= 299:
            data = raw.data
            raw.release_conn()
            raise self.translate_status(raw.status, data, method, path)
        return raw

    def request(self, method: str, path: str, *, query: Query | None = None, body: Any = None,
                content_type: str | None = None) -> dict[str, Any]:
        raw = self._send(method, path, query=query, body=body, content_type=content_type)
        try:
            data = raw.data
        except Exception as exc:
            raise self.translate_transport(exc) from None
        return json.loads(data) if data else {}

    def get(self, path: str) -> dict[str, Any] | None:
        """The object, or None when it does not exist."""
        try:
            return self.request("GET", path)
        except NotDeployed:
            return None

    def list(self, path: str, *, label_selector: str = "", field_selector: str = "") -> list[dict[str, Any]]:
        query = [("labelSelector", label_selector)] if label_selector else []
        query += [("fieldSelector", field_selector)] if field_selector else []
        return self.request("GET", path, query=query).get("items") or []

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", path, body=body, content_type="application/json")

    def patch(self, path: str, body: Any, kind: Literal["merge", "json"] = "merge") -> dict[str, Any]:
        return self.request("PATCH", path, body=body, content_type=PATCH_TYPES[kind])

    def delete(self, path: str) -> bool:
        """Delete in the background (dependents are garbage-collected); False when already gone."""
        try:
            self.request("DELETE", path, body={"propagationPolicy": "Background"}, content_type="application/json")
        except NotDeployed:
            return False
        return True

    def stream(self, path: str, query: Query, read_timeout: float) -> Any:
        """A streaming GET (pod logs): the open urllib3 response, to read in chunks."""
        return self._send("GET", path, query=query, read_timeout=read_timeout)

    # --- errors ---------------------------------------------------------------------------

    def translate_transport(self, exc: BaseException) -> RuntimeProblem:
        """A failure below HTTP (refused, timeout, TLS, dropped connection) as a problem."""
        import urllib3.exceptions as ue

        cause: BaseException = exc
        if isinstance(exc, ue.MaxRetryError) and exc.reason is not None:
            cause = exc.reason
        where = f"Kubernetes API server {self.server} (context {self.context})"
        text = str(getattr(exc, "reason", None) or cause)
        if isinstance(cause, ue.SSLError) or "SSLError" in text or "CERTIFICATE_VERIFY_FAILED" in text:
            return Unreachable(f"{where}: TLS verification failed: {self.redact(str(cause))}",
                               "the kubeconfig's certificate-authority-data must match the cluster's CA; "
                               "refresh the kubeconfig from the cluster")
        if isinstance(cause, ue.NewConnectionError | ConnectionRefusedError):  # before timeouts: a subclass
            detail = "connection refused" if "refused" in str(cause).lower() else self.redact(str(cause))
        elif isinstance(cause, ue.ConnectTimeoutError | ue.ReadTimeoutError | TimeoutError):
            detail = f"no answer within {self.timeout:g}s"
        elif isinstance(cause, ue.ProtocolError):
            detail = "connection dropped"
        else:
            detail = self.redact(f"{type(cause).__name__}: {cause}")
        return Unreachable(f"{where} does not answer: {detail}",
                           f"check that the cluster is up and reachable from here "
                           f"(`kubectl --context {self.context} cluster-info`), and the VPN/firewall")

    def translate_status(self, status: int, body: bytes, method: str, path: str) -> RuntimeProblem:
        """An API error response (a Status object) as a typed problem with a fix."""
        try:
            info = json.loads(body or b"{}")
        except ValueError:
            info = {}
        if not isinstance(info, dict):
            info = {}
        message = self.redact(str(info.get("message") or body[:300].decode(errors="replace") or f"HTTP {status}"))
        reason = info.get("reason") or ""
        verb, resource, ns = _describe(method, path)
        ns = ns or self.namespace or "default"
        if status == 401:
            return PermissionDenied(f"the API server rejected the credentials of context {self.context} "
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
            return Unreachable(f"Kubernetes API server {self.server} is unavailable ({status} {reason}): {message}",
                               "wait for the control plane to recover, then retry")
        return RuntimeProblem(f"Kubernetes API error {status} {reason}: {message}".replace("  ", " "),
                              f"retry; if it persists check `kubectl get {resource.split('/')[0]} -n {ns}`")
