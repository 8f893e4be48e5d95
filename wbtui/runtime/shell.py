"""A shell (or one command) in the running server: what `docker exec -it` / `kubectl exec -it` to run.

The docker and kubectl command-line tools run it, not the client libraries: they do the terminal's work
(raw mode, window size, signals, the detach keys) the way operators know. The docker CLI picks the daemon
by the rule wbtui follows too (DOCKER_HOST, DOCKER_CONTEXT, the current context: ``docker.contexts``), TLS
and SSH included, so it enters the container wbtui inspected; kubectl is told the kubeconfig, context and
namespace wbtui resolved. This module finds what to enter (the
container, or the newest ready pod and W&B's container in it, in the config's context and namespace),
refuses with the fix when it is not running, and builds the command line; `wbtui shell` runs it in the
foreground, the dashboard with its screen suspended.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .base import NotDeployed, RuntimeProblem

if TYPE_CHECKING:
    from .base import Runtime
    from .docker.backend import DockerRuntime
    from .kubernetes.backend import KubernetesRuntime

LOGIN_SHELL = ("sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi")
"""No command given: bash where the image has it (W&B's does), else sh (busybox images, the test stand-in)."""


class NotRunning(RuntimeProblem):
    """The container or pod exists but runs nothing a shell could enter."""

    kind = "not-running"


class ToolMissing(RuntimeProblem):
    """The docker or kubectl command is not installed on this host."""

    kind = "tool-missing"


@dataclass(frozen=True)
class ShellCommand:
    """The command line to run in the foreground (in this process's environment) and what it enters."""

    argv: list[str]
    target: str


def docker_exec_argv(docker: str, container: str, command: Sequence[str], *, tty: bool) -> list[str]:
    """`docker exec -i [-t] NAME COMMAND...` (the login shell when ``command`` is empty)."""
    return [docker, "exec", "-i", *(["-t"] if tty else []), container, *(command or LOGIN_SHELL)]


def kubectl_exec_argv(kubectl: str, *, kubeconfig: str, context: str, namespace: str, pod: str, container: str,
                      command: Sequence[str], tty: bool) -> list[str]:
    """`kubectl --kubeconfig F --context C -n NS exec -i [-t] POD -c CONTAINER -- COMMAND...`."""
    where = [*(["--kubeconfig", kubeconfig] if kubeconfig else []), *(["--context", context] if context else []),
             "-n", namespace]
    return [kubectl, *where, "exec", "-i", *(["-t"] if tty else []), pod, *(["-c", container] if container else []),
            "--", *(command or LOGIN_SHELL)]


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ToolMissing(f"the {name} command is not installed on this host (wbtui shell runs `{name} exec`)",
                          f"install it ({package}) or open the shell by hand where it is installed")
    return found


def shell_command(runtime: Runtime, command: Sequence[str] = (), *, tty: bool) -> ShellCommand:
    """What to run to enter the running server (asks the daemon or the cluster: blocks)."""
    if runtime.backend == "kubernetes":
        return _kubernetes(runtime, command, tty)  # type: ignore[arg-type]
    return _docker(runtime, command, tty)  # type: ignore[arg-type]


def _docker(runtime: DockerRuntime, command: Sequence[str], tty: bool) -> ShellCommand:
    name = runtime.name
    attrs = runtime.inspect()
    if attrs is None:
        raise NotDeployed(f"no container {name} on this host", "deploy it: wbtui up")
    state = attrs.get("State") or {}
    if not state.get("Running") or state.get("Restarting"):
        status = "restarting" if state.get("Restarting") else state.get("Status") or "not running"
        raise NotRunning(f"the container {name} is {status}: there is nothing to open a shell in",
                         "start it: wbtui start (wbtui status and wbtui logs say why it stopped)")
    docker = _tool("docker", "the Docker CLI: apt install docker.io, or docker-ce-cli")
    return ShellCommand(docker_exec_argv(docker, name, command, tty=tty), f"container {name}")


def _kubernetes(runtime: KubernetesRuntime, command: Sequence[str], tty: bool) -> ShellCommand:
    from .kubernetes.kubeconfig import kubeconfig_path

    target = runtime.log_target(None)  # the newest ready pod (else the newest), W&B's container in it
    namespace = runtime.namespace
    if target is None:
        raise NotRunning(f"no pod of Deployment {runtime.name!r} in namespace {namespace}",
                         "deploy or start it: wbtui up / wbtui start (wbtui status says more)")
    pod = next((p for p in runtime.status().pods if p.name == target.pod), None)
    if pod is not None and (pod.phase != "Running" or pod.reason not in ("", "Running")):  # waiting, terminated
        reason = f" ({pod.reason})" if pod.reason not in ("", pod.phase) else ""
        raise NotRunning(f"pod {pod.name} is {pod.phase}{reason}: there is nothing to open a shell in",
                         "wbtui status and wbtui logs say why; wbtui restart replaces the pod")
    kubectl = _tool("kubectl", "https://kubernetes.io/docs/tasks/tools/, or apt install kubectl")
    context = runtime.api.context
    argv = kubectl_exec_argv(kubectl, kubeconfig=kubeconfig_path(runtime.kubeconfig), context=context,
                             namespace=namespace, pod=target.pod, container=target.container, command=command,
                             tty=tty)
    return ShellCommand(argv, f"pod {target.pod} (namespace {namespace}, context {context or 'current'})")


def exit_status(returncode: int) -> int:
    """A child's return code as a shell reports it: 128 + N for a child killed by signal N."""
    return 128 - returncode if returncode < 0 else returncode
