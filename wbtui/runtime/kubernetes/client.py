"""Talking to a Kubernetes API server: plain-JSON requests with timeouts, typed errors.

Requests return the API's JSON as dicts, so the status logic stays pure
(``status``). Every request has a connect and read timeout, and every failure
becomes a RuntimeProblem that says what to do (``errors``). The cluster is the
one ``kubeconfig.load`` picks. The official client is imported inside the
functions that use it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from ..base import NotDeployed, RuntimeProblem
from .errors import status_problem, transport_problem
from .kubeconfig import load

Redact = Callable[[str], str]
Query = list[tuple[str, str]]
"""Query parameters in order (``KubeApi.list`` shadows the builtin inside the class)."""

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

    # --- errors (explained in errors.py) ----------------------------------------------------

    def translate_transport(self, exc: BaseException) -> RuntimeProblem:
        return transport_problem(self, exc)

    def translate_status(self, status: int, body: bytes, method: str, path: str) -> RuntimeProblem:
        return status_problem(self, status, body, method, path)
