"""Adopting a Docker install: ``docker inspect`` output and a live container read back as settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.config_samples import LICENSE, MYSQL_PASSWORD, assert_no_canary
from wbtui.config.importers import ImportFailure
from wbtui.runtime.docker.importer import import_docker_container, import_docker_inspect


def inspect_output(**overrides: object) -> list[dict]:
    """Trimmed real `docker inspect` output for `docker run ... wandb/local:0.60.0`."""
    data = {
        "Name": "/wandb-local",
        "Image": "sha256:abc",
        "Config": {
            "User": "100000:0",
            "Env": ["HOST=https://wandb.example.com", f"LICENSE={LICENSE}",
                    f"MYSQL=mysql://wandb_local:{MYSQL_PASSWORD}@db/wandb_local",
                    "GORILLA_X=1", "PATH=/usr/local/sbin:/usr/bin", "NOEQUALS"],
            "Image": "registry.example.com:5000/wandb/local:0.60.0",
        },
        "HostConfig": {
            "PortBindings": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8081"}]},
            "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0},
            "NanoCpus": 4_000_000_000, "Memory": 8 * 2**30,
            "Binds": ["/srv/wandb:/vol:rw"],
        },
        "Mounts": [{"Type": "bind", "Source": "/srv/wandb", "Destination": "/vol"}],
    }
    data.update(overrides)
    return [data]


def test_docker_inspect_json() -> None:
    result = import_docker_inspect(inspect_output())
    c = result.config
    assert (c.runtime.image, c.runtime.tag) == ("registry.example.com:5000/wandb/local", "0.60.0")
    assert (c.runtime.container_name, c.runtime.port, c.runtime.bind_address) == ("wandb-local", 8081, "127.0.0.1")
    assert (c.runtime.restart_policy, c.runtime.cpu_limit, c.runtime.memory_limit) == ("always", "4", "8Gi")
    assert (c.runtime.volume, c.runtime.uid, c.runtime.gid) == ("/srv/wandb", 100000, 0)
    assert c.server.LICENSE == LICENSE and c.env == {"GORILLA_X": "1"}
    skipped = {n.field for n in result.notes if n.severity == "warning"}
    assert "env.PATH" in skipped
    assert_no_canary(json.dumps([n.to_dict() for n in result.notes]))


def test_docker_inspect_without_limits_ports_or_volume() -> None:
    host = {"PortBindings": {}, "RestartPolicy": {"Name": ""}, "NanoCpus": 0, "Memory": 0}
    result = import_docker_inspect(inspect_output(HostConfig=host, Mounts=[])[0])
    c = result.config
    assert c.runtime.restart_policy == "no" and c.runtime.volume == ""
    assert (c.runtime.cpu_limit, c.runtime.memory_limit) == ("4", "8G")  # kept
    assert {"runtime.port", "runtime.volume", "runtime.cpu_limit"} <= {
        n.field for n in result.notes if n.severity == "warning"}


@pytest.mark.parametrize("data", [[], [{}, {}], {"Config": None}, "text"])
def test_docker_inspect_rejects_other_json(data: object) -> None:
    with pytest.raises(ImportFailure):
        import_docker_inspect(data)


@pytest.mark.docker
def test_live_container(run_standin, tmp_path: Path) -> None:
    standin = run_standin(env={"HOST": "https://wandb.example.com", "BUCKET_QUEUE": "internal://",
                               "OIDC_ISSUER": "https://sso.example.com"},
                          wait_healthz=False, nano_cpus=1_500_000_000, mem_limit="512m",
                          restart_policy={"Name": "unless-stopped"},
                          volumes={str(tmp_path): {"bind": "/vol", "mode": "rw"}})
    result = import_docker_container(standin.container.name, timeout=10)
    c = result.config
    assert c.server.HOST == "https://wandb.example.com"
    assert c.env == {"OIDC_ISSUER": "https://sso.example.com"}  # the image's PATH is left out
    assert c.runtime.container_name == standin.container.name
    assert (c.runtime.port, c.runtime.bind_address) == (standin.port, "127.0.0.1")
    assert (c.runtime.cpu_limit, c.runtime.memory_limit) == ("1.5", "512Mi")
    assert (c.runtime.restart_policy, c.runtime.volume) == ("unless-stopped", str(tmp_path))


@pytest.mark.docker
def test_missing_container(docker_client) -> None:
    with pytest.raises(ImportFailure, match="no container named"):
        import_docker_container("wbtui-test-does-not-exist", timeout=10)
