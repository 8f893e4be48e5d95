"""Real failures replayed by the stand-in: a corpus case's log lines, through Docker, into the doctor.

``STANDIN_SCENARIO=NAME`` makes the stand-in print the case's lines verbatim
(tests/diagnosis_corpus/NAME.toml) and exit 1, as the real server did. One case
per rule family goes through the whole path an operator's does: the container,
`docker logs`, the runtime's status and the doctor's diagnosis.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator

import pytest

from tests.corpus import CorpusCase, cases
from tests.services.base import free_port
from wbtui.config.model import Config
from wbtui.ops.doctor import run_doctor
from wbtui.runtime.docker.backend import DockerRuntime

pytestmark = pytest.mark.docker


def one_per_family() -> list[CorpusCase]:
    """The first case (by name) of each family prefix: volume-, mysql-, storage- ..."""
    chosen: dict[str, CorpusCase] = {}
    for case in cases():
        chosen.setdefault(case.name.split("-", 1)[0], case)
    return list(chosen.values())


def scenario_config(case: CorpusCase, image: str) -> Config:
    """The stand-in with the case's scenario, and the stores as the report had them."""
    config = case.server_config() or Config()
    if not case.config:
        config.server.HOST = "http://127.0.0.1:1"
        config.server.MYSQL = "" if case.stores == "embedded" else "mysql://wandb:pw@db.internal:3306/wandb"
    name = f"wbtui-test-scenario-{secrets.token_hex(4)}"
    r = config.runtime
    r.image, _, r.tag = image.rpartition(":")
    r.container_name, r.volume = name, f"{name}-data"
    r.bind_address, r.port, r.restart_policy = "127.0.0.1", free_port(), "no"
    r.cpu_limit, r.memory_limit = "1", "256Mi"
    config.env.update({"STANDIN_SCENARIO": case.name, "STANDIN_HEARTBEAT": "0"})
    return config


@pytest.fixture
def runtimes(docker_host: str, docker_labels: dict[str, str],
             monkeypatch: pytest.MonkeyPatch) -> Iterator[list[DockerRuntime]]:
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    made: list[DockerRuntime] = []
    yield made
    for runtime in made:
        runtime.remove(purge=True)
        runtime.close()


def exited(runtime: DockerRuntime, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while runtime.status().state != "exited":
        assert time.monotonic() < deadline, f"{runtime.config.runtime.container_name} still {runtime.status().state}"
        time.sleep(0.1)


@pytest.mark.parametrize("case", one_per_family(), ids=lambda c: c.name)
def test_a_replayed_real_failure_is_diagnosed_through_docker(case: CorpusCase, standin_image: str,
                                                             docker_labels: dict[str, str],
                                                             runtimes: list[DockerRuntime]) -> None:
    runtime = DockerRuntime(scenario_config(case, standin_image), pull=False, labels=docker_labels)
    runtimes.append(runtime)
    runtime.deploy()
    exited(runtime)
    report = run_doctor(runtime.config, runtime=runtime, timeout=15)
    assert report.status is not None and report.status.exit_code == 1
    assert report.logs == case.lines  # verbatim, through Docker's log driver
    assert report.diagnosis and report.diagnosis[0].rule == case.cause, [d.rule for d in report.diagnosis]


def test_an_unknown_scenario_says_so_and_exits_2(standin_image: str, docker_labels: dict[str, str],
                                                 runtimes: list[DockerRuntime]) -> None:
    [case] = one_per_family()[:1]
    config = scenario_config(case, standin_image)
    config.env["STANDIN_SCENARIO"] = "no-such-case"
    runtime = DockerRuntime(config, pull=False, labels=docker_labels)
    runtimes.append(runtime)
    runtime.deploy()
    exited(runtime)
    assert runtime.status().exit_code == 2
