"""What the setup tests share: a deployment target on the real services, and its cleanup.

Containers and volumes the setup creates carry the session's ``docker_labels`` and a
``wbtui-test-`` name (the runtime factory below puts the labels on them), are published
on 127.0.0.1 on a free port, and run the stand-in image; HOST is that port, so the
verification goes through it.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import free_port
from wbtui.config.model import Config
from wbtui.runtime.docker.backend import DockerRuntime
from wbtui.setup.state import SetupState, state_path


@dataclass
class Target:
    """Where one test deploys: container, volume, port and the bucket it may create."""

    name: str
    volume: str
    port: int
    bucket: str
    labels: dict[str, str]

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def runtime(self, config: Config) -> DockerRuntime:
        """The setup's runtime factory: never pulls, labels everything for the session cleanup."""
        return DockerRuntime(config, pull=False, labels=self.labels)

    def settings(self) -> dict[str, str]:
        """Runtime settings for the stand-in (the [server.settings] of an answers file)."""
        return {"runtime.bind_address": "127.0.0.1", "runtime.container_name": self.name,
                "runtime.volume": self.volume, "env.STANDIN_READY_DELAY": "0.5",
                "env.STANDIN_HEARTBEAT": "0"}

    def server_values(self) -> dict[str, Any]:
        return {"HOST": self.host, "runtime.image": "wbtui-test/local", "runtime.tag": "dev",
                "runtime.port": self.port, **self.settings()}


@pytest.fixture
def target(request: pytest.FixtureRequest, docker_client: Any, standin_image: str,
           docker_labels: dict[str, str]) -> Iterator[Target]:
    """A fresh deployment target; its container and volume (and bucket, in tests on radosgw) are removed after."""
    import docker

    token = secrets.token_hex(4)
    found = Target(f"wbtui-test-setup-{token}", f"wbtui-test-setup-vol-{token}", free_port(),
                   f"wbt-setup-{token}", docker_labels)
    yield found
    with contextlib.suppress(docker.errors.NotFound):
        docker_client.containers.get(found.name).remove(force=True, v=True)
    with contextlib.suppress(docker.errors.NotFound):
        docker_client.volumes.get(found.volume).remove(force=True)
    if "radosgw" in request.fixturenames:
        request.getfixturevalue("radosgw").delete_bucket(found.bucket)


def saved_state(config_path: Path) -> SetupState:
    return SetupState.load(state_path(config_path))


def s3_answers(radosgw: Any, bucket: str, host: str, **extra: Any) -> dict[str, Any]:
    return {"endpoint": radosgw.endpoint, "access_key": radosgw.access_key, "secret_key": radosgw.secret_key,
            "bucket": bucket, "region": radosgw.region, "host": host, **extra}


def cors_origins(radosgw: Any, bucket: str) -> list[str]:
    rules = radosgw.s3_client().get_bucket_cors(Bucket=bucket)["CORSRules"]
    return [origin for rule in rules for origin in rule["AllowedOrigins"]]
