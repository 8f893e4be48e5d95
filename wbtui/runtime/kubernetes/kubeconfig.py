"""Which cluster wbtui talks to: kubectl's kubeconfig rule, in one place for every caller.

The kubeconfig is the one given (``KubernetesRuntime(kubeconfig=...)``), else every
file of ``$KUBECONFIG`` merged (colon-separated), else ``~/.kube/config``; the context
is ``kubernetes.context``, else the current context, where the first file of a
KUBECONFIG list that sets one wins, as with kubectl (the Python client would let the
last win). The backend, doctor, status, the dashboard's context picker and the setup
all go through here, so they ask the same cluster.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..base import RuntimeProblem


class KubeconfigProblem(RuntimeProblem):
    """No usable kubeconfig or context (nothing was sent to a cluster)."""

    kind = "kubeconfig"


@dataclass(frozen=True)
class KubeContext:
    """One kubeconfig context, as shown in pickers."""

    name: str
    cluster: str = ""
    user: str = ""
    namespace: str = ""


def kubeconfig_path(path: str | None = None) -> str:
    """The kubeconfig to read: explicit, else $KUBECONFIG (may list several files), else ~/.kube/config."""
    return path or os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")


def _kubeconfig_exists(path: str) -> bool:
    return any(os.path.exists(os.path.expanduser(p)) for p in path.split(os.pathsep) if p)


def list_contexts(kubeconfig: str | None = None) -> tuple[list[KubeContext], str | None]:
    """The contexts of the kubeconfig and the name of the current one (for pickers)."""
    from kubernetes import config as untyped

    config: Any = untyped  # the client library has no type annotations
    path = kubeconfig_path(kubeconfig)
    if not _kubeconfig_exists(path):
        raise KubeconfigProblem(f"no kubeconfig at {path}",
                                "set KUBECONFIG or copy your cluster's kubeconfig to ~/.kube/config")
    documents = _documents(path)  # our own reading first: the client library crashes on a malformed file
    try:
        contexts, current = config.list_kube_config_contexts(path)
    except (config.ConfigException, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise KubeconfigProblem(f"cannot read kubeconfig {path}: {_one_line(exc)}",
                                "check it with `kubectl config get-contexts`") from None
    found = [
        KubeContext(name=c["name"], cluster=(c.get("context") or {}).get("cluster", ""),
                    user=(c.get("context") or {}).get("user", ""),
                    namespace=(c.get("context") or {}).get("namespace", ""))
        for c in contexts or []
    ]
    first = next((str(d["current-context"]) for d in documents if d.get("current-context")), None)
    return found, first or (current or {}).get("name")


_LISTS = ("clusters", "contexts", "users")


def _documents(path: str) -> list[dict[str, Any]]:
    """Every existing file of a KUBECONFIG list, parsed, in order; a file that is no kubeconfig raises
    KubeconfigProblem naming it and what is wrong.

    The order matters for kubectl's rule: the first file that sets current-context wins (the Python
    client lets the last one win).
    """
    import yaml

    fix = "repair or replace it (`kubectl config view` reads it), or point KUBECONFIG at another file"
    documents = []
    for part in path.split(os.pathsep):
        part = os.path.expanduser(part)
        if not (part and os.path.exists(part)):
            continue
        try:
            with open(part, encoding="utf-8") as f:
                data = yaml.safe_load(f) or {}
        except OSError as exc:
            raise KubeconfigProblem(f"cannot read kubeconfig {part}: {exc.strerror}", fix) from None
        except UnicodeDecodeError:
            raise KubeconfigProblem(f"kubeconfig {part} is not UTF-8 text", fix) from None
        except yaml.YAMLError as exc:
            raise KubeconfigProblem(f"kubeconfig {part} is not valid YAML: {_one_line(exc)}", fix) from None
        if not isinstance(data, dict):
            raise KubeconfigProblem(f"kubeconfig {part} is not a mapping of settings", fix)
        for key in _LISTS:
            entries = data.get(key) or []
            if not (isinstance(entries, list) and all(isinstance(e, dict) and e.get("name") for e in entries)):
                raise KubeconfigProblem(f"kubeconfig {part}: {key} must be a list of entries with a name", fix)
        documents.append(data)
    return documents


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def load(context: str = "", kubeconfig: str | None = None) -> tuple[Any, str, str]:
    """(client Configuration, context name, its namespace) by kubectl's rule; nothing is sent.

    The kubeconfig is ``kubeconfig_path(kubeconfig)`` (every file of a KUBECONFIG list
    merged); the context is ``context``, else the current one (the first file that sets
    it wins). Without any kubeconfig, inside a pod, the service account is used.
    """
    from kubernetes import client
    from kubernetes import config as untyped

    config: Any = untyped  # the client library has no type annotations
    cfg = client.Configuration()
    path = kubeconfig_path(kubeconfig)
    namespace = ""
    try:
        if _kubeconfig_exists(path):
            contexts, current = list_contexts(path)
            chosen = context or (current or "")
            match = next((c for c in contexts if c.name == chosen), None)
            if match is None:
                names = ", ".join(c.name for c in contexts) or "none"
                raise KubeconfigProblem(f"context {chosen!r} is not in the kubeconfig {path} (contexts: {names})",
                                        "set kubernetes.context to one of them (`wbtui config set kubernetes.context`)")
            config.load_kube_config(config_file=path, context=match.name, client_configuration=cfg,
                                    persist_config=False)
            context, namespace = match.name, match.namespace
        elif os.environ.get("KUBERNETES_SERVICE_HOST"):
            config.load_incluster_config(client_configuration=cfg)
            context = "in-cluster"
        else:
            raise KubeconfigProblem(f"no kubeconfig at {path} and not running inside a cluster",
                                    "set KUBECONFIG or copy your cluster's kubeconfig to ~/.kube/config")
    except (config.ConfigException, TypeError, ValueError, KeyError, AttributeError) as exc:
        raise KubeconfigProblem(f"cannot use kubeconfig context {context or '(current)'}: {_one_line(exc)}",
                                "check it with `kubectl config view --minify`") from None
    return cfg, context, namespace
