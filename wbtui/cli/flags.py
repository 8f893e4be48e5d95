"""Options many commands share, declared once so their names and help read the same everywhere."""

from __future__ import annotations

import argparse

JSON_STEPS_HELP = ("JSON lines: one object per step as it happens ({step, status, message, at}), then "
                   '{"result": ...}; on failure {"error": ...}')


def add_json(parser: argparse.ArgumentParser, help: str = "machine-readable output") -> None:
    parser.add_argument("--json", action="store_true", help=help)


def add_kube(parser: argparse.ArgumentParser) -> None:
    """kubectl's --context and -n/--namespace: this run asks that context / namespace (the config keeps its own;
    Kubernetes backend only, ignored by Docker)."""
    parser.add_argument("--context", dest="kube_context", metavar="NAME",
                        help="Kubernetes: the kubeconfig context for this run (default: kubernetes.context)")
    parser.add_argument("-n", "--namespace", dest="kube_namespace", metavar="NS",
                        help="Kubernetes: the namespace for this run (default: kubernetes.namespace)")
