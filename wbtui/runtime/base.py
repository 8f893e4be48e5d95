"""The runtime interface both backends implement, and the types they return.

Methods that talk to the daemon or API server block; callers in the UI run
them in thread workers. Logs are an async stream of lines that survives the
container restarting and the daemon going away (with the gap marked).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..config.model import Config


class RuntimeProblem(Exception):
    """A typed, explained runtime error: what went wrong and what to do next."""

    kind = "error"

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message} (fix: {self.fix})" if self.fix else self.message


class Unreachable(RuntimeProblem):
    """The Docker daemon or Kubernetes API server does not answer."""

    kind = "unreachable"


class PermissionDenied(RuntimeProblem):
    kind = "permission-denied"


class ImageMissing(RuntimeProblem):
    kind = "image-missing"


class NameConflict(RuntimeProblem):
    kind = "name-conflict"


class PortInUse(RuntimeProblem):
    kind = "port-in-use"


class NotDeployed(RuntimeProblem):
    """Nothing of ours exists yet (no container, no Deployment)."""

    kind = "not-deployed"


@dataclass
class PodStatus:
    """One pod of the Deployment (Kubernetes only)."""

    name: str
    phase: str
    ready: bool
    restarts: int
    reason: str = ""
    message: str = ""
    node: str = ""
    started_at: datetime | None = None
    exit_code: int | None = None
    oom_killed: bool = False


@dataclass
class ServerStatus:
    """What `wbtui status` shows: state, health, restarts, uptime, image, ports, exit reason."""

    backend: str
    name: str
    exists: bool
    state: str = "missing"
    health: str = "unknown"
    ready: bool | None = None
    restart_count: int = 0
    started_at: datetime | None = None
    uptime_seconds: float | None = None
    image: str = ""
    ports: list[str] = field(default_factory=list)
    exit_code: int | None = None
    reason: str = ""
    message: str = ""
    oom_killed: bool = False
    pods: list[PodStatus] = field(default_factory=list)
    engine: str = ""
    """The engine that answered (Docker backend): ``Podman 4.3.1 (Docker-compatible API 1.41)``."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ResourceUsage:
    cpu_percent: float | None
    memory_bytes: int | None
    memory_limit_bytes: int | None = None
    cpu_note: str = ""
    """Why there is no CPU percentage yet (e.g. "measuring": the first of two readings)."""


@dataclass
class RuntimeEvent:
    time: datetime | None
    type: str
    reason: str
    message: str
    object: str = ""


@dataclass
class LogLine:
    """One log line. ``gap`` marks a synthetic line where the stream was interrupted, ``restart`` one
    where a new instance of the container begins (its lines follow)."""

    text: str
    timestamp: datetime | None = None
    source: str = ""
    gap: bool = False
    restart: bool = False


@dataclass
class Progress:
    """One step of a long operation as it happens (an image pull; a stop waiting out its timeout before
    SIGKILL, then the start), for progress displays: the CLI prints each, the dashboard shows the latest."""

    message: str
    current: int | None = None
    total: int | None = None


ProgressCallback = Callable[[Progress], None]


class LogStream(Protocol):
    """What ``Runtime.logs`` returns: lines as they come, and ``aclose`` to stop reading (as ``aclosing`` wants)."""

    def __aiter__(self) -> LogStream: ...

    async def __anext__(self) -> LogLine: ...

    async def aclose(self) -> None: ...


class Runtime(ABC):
    """Deploy, operate and watch the W&B server from a config.

    Everything a caller needs goes through these methods, so no caller reaches into
    a backend's client: lifecycle, status, events, logs (of a chosen pod), the
    settings the live server runs with, and which daemon or cluster is asked.
    """

    backend: str
    progress: ProgressCallback | None = None
    """Set by callers that show long operations; called from the thread doing the work."""

    def __init__(self, config: Config, *, pull: bool = True) -> None:
        """``pull``: fetch a missing image from its registry; False fails instead (air-gapped hosts)."""
        self.config = config
        self.pull = pull

    @property
    @abstractmethod
    def name(self) -> str:
        """The container's or the Deployment's name."""

    @abstractmethod
    def deploy(self) -> str:
        """Create or update the server from the config; returns what was done."""

    @abstractmethod
    def replaced_by_deploy(self) -> str:
        """The running server's name when ``deploy`` would replace it (the caller asks first); "" otherwise."""

    @abstractmethod
    def start(self) -> str: ...

    @abstractmethod
    def stop(self, timeout: float = 30) -> str:
        """Stop the server; the steps (SIGTERM, the wait, how it ended) go to ``progress`` as they happen."""

    @abstractmethod
    def restart(self) -> str:
        """Restart the server, its steps (stopping, stopped, starting, started) reported to ``progress``."""

    @abstractmethod
    def remove(self, purge: bool = False) -> str:
        """Remove the server; its data volume is kept unless ``purge``."""

    @abstractmethod
    def upgrade(self, tag: str) -> str:
        """Move to another image tag, keeping the data volume."""

    @abstractmethod
    def status(self) -> ServerStatus: ...

    @abstractmethod
    def usage(self) -> ResourceUsage | None: ...

    @abstractmethod
    def events(self, limit: int = 50) -> list[RuntimeEvent]: ...

    @abstractmethod
    def logs(
        self,
        *,
        follow: bool = True,
        tail: int | None = 200,
        since: datetime | None = None,
        timestamps: bool = False,
        previous: bool = False,
        pod: str | None = None,
    ) -> LogStream:
        """Lines of the server's log; with ``follow`` it reconnects and marks gaps.

        ``pod``: whose log (Kubernetes; None: the newest ready pod). Docker has one
        container, so it has no pods to choose from.
        """

    @abstractmethod
    def local_url(self) -> str | None:
        """A URL on this host that reaches the server's port 8080, for probes."""

    @abstractmethod
    def running_config(self, base: Config) -> Config | None:
        """The settings the live server was started with, read back over ``base``; None when not deployed.

        What the backend cannot report (a Secret it may not read, a value it never
        sees) keeps ``base``'s value.
        """

    @abstractmethod
    def describe(self) -> dict[str, str]:
        """Which daemon or cluster this runtime asks, resolved without asking it (for doctor and status)."""

    @abstractmethod
    def versions(self) -> dict[str, str]:
        """The Docker engine's or the Kubernetes API server's version (asks it)."""

    def report(self, message: str, current: int | None = None, total: int | None = None) -> None:
        """Tell the caller how a long operation is going (no-op without a callback)."""
        if self.progress is not None:
            self.progress(Progress(message, current, total))

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release client connections."""


def runtime_for(config: Config, *, pull: bool = True) -> Runtime:
    """The backend the config asks for (imports its client library only now)."""
    if config.runtime.backend == "kubernetes":
        from .kubernetes.backend import KubernetesRuntime

        return KubernetesRuntime(config, pull=pull)
    from .docker.backend import DockerRuntime

    return DockerRuntime(config, pull=pull)
