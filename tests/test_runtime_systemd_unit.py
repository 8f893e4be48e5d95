"""A container run by the rendered systemd unit: wbtui watches it but leaves its lifecycle to systemd."""

from __future__ import annotations

import secrets
import shlex
from typing import Any

import pytest

from wbtui.config.model import Config
from wbtui.runtime.base import RuntimeProblem
from wbtui.runtime.docker.backend import DockerRuntime
from wbtui.runtime.docker.systemd_unit import render_unit, unit_name


def unit_labels(config: Config) -> dict[str, str]:
    """The --label arguments of the unit's ExecStart, as Docker would apply them."""
    exec_start = next(line for line in render_unit(config).splitlines() if line.startswith("ExecStart="))
    argv = shlex.split(exec_start.removeprefix("ExecStart="))
    return dict(argv[i + 1].split("=", 1) for i, arg in enumerate(argv) if arg == "--label")


def test_the_unit_labels_its_container_as_wbtuis_and_names_the_unit() -> None:
    config = Config()
    labels = unit_labels(config)
    assert labels["app.kubernetes.io/managed-by"] == "wbtui"
    assert labels["wbtui.name"] == config.runtime.container_name
    assert labels["wbtui.unit"] == unit_name(config)


@pytest.mark.docker
def test_status_works_but_changes_point_to_systemctl(docker_client: Any, standin_image: str,
                                                     docker_labels: dict[str, str]) -> None:
    config = Config()
    config.runtime.container_name = f"wbtui-test-unit-{secrets.token_hex(3)}"
    config.runtime.image, config.runtime.tag = standin_image.split(":")
    container = docker_client.containers.run(standin_image, detach=True, name=config.runtime.container_name,
                                             labels={**docker_labels, **unit_labels(config)})
    runtime = DockerRuntime(config)
    try:
        assert runtime.status().state == "running"
        for action in (runtime.restart, runtime.stop, runtime.deploy, runtime.remove):
            with pytest.raises(RuntimeProblem) as caught:
                action()
            assert "systemctl" in caught.value.fix and unit_name(config) in caught.value.fix
        assert runtime.status().state == "running"
    finally:
        runtime.close()
        container.remove(force=True)
