"""Fixtures: the Docker engine (``docker_client``, ``docker_host``), the W&B stand-in image
(``standin_image``) and containers of it (``run_standin``).

Containers and volumes the tests create carry ``docker_labels`` (``wbtui-test=1`` plus
this session's id) and a ``wbtui-test-`` name; the session removes its own at the end.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from tests.services.base import IN_CI, free_port, unavailable, wait_for
from tests.services.docker_engine import (
    NAME_PREFIX,
    SESSION_LABEL,
    STANDIN_TAG,
    TEST_LABEL,
    DockerEngine,
    ensure_standin_image,
    remove_test_objects,
)
from wbtui.config.model import Config

if TYPE_CHECKING:
    import docker

    from wbtui.runtime.docker.backend import DockerRuntime

SESSION = f"{os.getpid()}-{secrets.token_hex(4)}"
STARTUP: dict[str, float] = {}
HEALTHZ_TIMES: list[float] = []


@pytest.fixture(scope="session")
def _docker_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerEngine]:
    engine = DockerEngine(tmp_path_factory.mktemp("dockerd"))
    try:
        engine.start()
    except Exception as exc:  # whatever stopped it, the tests that need it cannot run
        engine.stop()
        unavailable("Docker engine", exc)
    STARTUP["docker engine" + (" (dockerd started)" if engine.started_here else "")] = (
        engine.startup_seconds or 0.0
    )
    yield engine
    engine.stop()


@pytest.fixture(scope="session")
def docker_host(_docker_engine: DockerEngine) -> str:
    """The DOCKER_HOST the tests use, e.g. ``unix:///var/run/docker.sock``."""
    return _docker_engine.host


@pytest.fixture(scope="session")
def docker_labels() -> dict[str, str]:
    """Labels for every container/volume a test creates, so the session can clean up."""
    return {TEST_LABEL: "1", SESSION_LABEL: SESSION}


@pytest.fixture(scope="session")
def docker_client(_docker_engine: DockerEngine) -> Iterator[docker.DockerClient]:
    client = _docker_engine.client()
    yield client
    remove_test_objects(client, SESSION, include_unowned=IN_CI)
    client.close()


@pytest.fixture(scope="session")
def standin_image(docker_client: docker.DockerClient) -> str:
    """Tag of the W&B stand-in image (built only when tests/standin/ changed)."""
    began = time.monotonic()
    try:
        _, built = ensure_standin_image(docker_client)
    except Exception as exc:  # whatever stopped it, the tests that need it cannot run
        unavailable("W&B stand-in image", exc)
    STARTUP["stand-in image " + ("build" if built else "check")] = time.monotonic() - began
    return STANDIN_TAG


@dataclass
class Standin:
    """A running stand-in container published on a loopback port."""

    container: Any
    port: int | None  # None if it exited before Docker published the port
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def status(self, path: str) -> int:
        """HTTP status of ``GET path`` (2 s timeout)."""
        import httpx

        return httpx.get(self.url + path, timeout=2).status_code


@pytest.fixture
def run_standin(docker_client: docker.DockerClient, standin_image: str,
                docker_labels: dict[str, str]) -> Iterator[Callable[..., Standin]]:
    """Factory: ``run_standin(env={...}, wait_healthz=True, **run_kwargs) -> Standin``.

    The container is named ``wbtui-test-...``, labelled, published on a free loopback
    port chosen by Docker, and removed when the test ends.
    """
    started: list[Any] = []

    def run(env: dict[str, str] | None = None, wait_healthz: bool = True,
            **kwargs: Any) -> Standin:
        began = time.monotonic()
        container = docker_client.containers.run(
            standin_image, detach=True, environment=env or {},
            name=kwargs.pop("name", f"{NAME_PREFIX}standin-{secrets.token_hex(4)}"),
            labels={**docker_labels, **kwargs.pop("labels", {})},
            ports={"8080/tcp": ("127.0.0.1", None)}, **kwargs,
        )
        started.append(container)
        container.reload()
        published = container.ports.get("8080/tcp")
        port = int(published[0]["HostPort"]) if published else None
        standin = Standin(container, port, dict(env or {}))
        if wait_healthz:
            wait_for(lambda: standin.status("/healthz") == 200, 10, f"{container.name} /healthz",
                     interval=0.05)
            HEALTHZ_TIMES.append(time.monotonic() - began)
        return standin

    yield run
    import docker

    for container in started:
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True, v=True)


@pytest.fixture
def docker_runtimes(docker_client: docker.DockerClient,
                    docker_labels: dict[str, str]) -> Iterator[Callable[..., DockerRuntime]]:
    """Factory: ``docker_runtimes(config, **kwargs) -> DockerRuntime`` labelled for this session.

    Whatever each runtime deployed is removed when the test ends, its volume included.
    """
    from wbtui.runtime.docker.backend import DockerRuntime

    made: list[DockerRuntime] = []

    def make(config: Config, **kwargs: Any) -> DockerRuntime:
        runtime = DockerRuntime(config, labels=docker_labels, **kwargs)
        made.append(runtime)
        return runtime

    yield make
    import docker

    for runtime in made:
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()
        with contextlib.suppress(docker.errors.NotFound):
            docker_client.volumes.get(runtime.config.runtime.volume).remove(force=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for name, seconds in STARTUP.items():
        terminalreporter.write_line(f"test service start-up: {name} {seconds:.1f}s")
    if HEALTHZ_TIMES:
        terminalreporter.write_line(
            f"stand-in container run -> /healthz 200: min {min(HEALTHZ_TIMES):.2f}s "
            f"max {max(HEALTHZ_TIMES):.2f}s over {len(HEALTHZ_TIMES)} containers"
        )


def standin_config(image: str, *, prefix: str, secret: str, ready_delay: str, heartbeat: str,
                   **env: str) -> Config:
    """A config that runs the stand-in on a free loopback port with its own container and volume.

    HOST is unreachable on purpose: probes go to the published port. MYSQL carries ``secret``
    so tests can check it never shows.
    """
    config = Config()
    name = f"wbtui-test-{prefix}-{secrets.token_hex(4)}"
    r = config.runtime
    r.image, _, r.tag = image.rpartition(":")
    r.container_name, r.volume = name, f"{name}-data"
    r.bind_address, r.port = "127.0.0.1", free_port()
    r.cpu_limit, r.memory_limit = "1", "256Mi"
    config.server.HOST = "http://127.0.0.1:1"
    config.server.MYSQL = f"mysql://wandb:{secret}@db.internal:3306/wandb"
    config.env.update({"STANDIN_READY_DELAY": ready_delay, "STANDIN_HEARTBEAT": heartbeat, **env})
    return config
