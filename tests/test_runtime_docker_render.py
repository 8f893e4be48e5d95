"""The docker run command: the guide's shape, quoting proven by bash and shlex, accepted by Docker."""

from __future__ import annotations

import contextlib
import secrets
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.config_samples import assert_no_canary, canary_config
from tests.services.base import free_port
from wbtui.config.importers import parse_env_text
from wbtui.config.model import Config, container_env, set_value
from wbtui.runtime.docker import render as docker
from wbtui.runtime.docker.importer import import_docker_container


def argv_of(text: str) -> list[str]:
    """What the shell passes to docker: continuations joined, comments dropped."""
    return shlex.split(text.replace("\\\n", " "), comments=True)


def env_args(argv: list[str]) -> dict[str, str]:
    values = [argv[i + 1] for i, a in enumerate(argv) if a == "-e"]
    return dict(v.split("=", 1) for v in values)


def test_guide_shape() -> None:
    text = docker.render_command(canary_config())
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines[0] == "docker run -d \\"
    assert "  -e HOST=https://wandb.example.com \\" in lines
    assert "  -e BUCKET_QUEUE=internal:// \\" in lines
    assert "  -p 8080:8080 \\" in lines
    assert lines[-2:] == ["  --name wandb-local \\", "  wandb/local:0.60.0"]
    assert all(line.endswith(" \\") for line in lines[:-1])


def test_shlex_round_trip_gives_back_exact_env() -> None:
    config = canary_config()
    config.env["WEIRD"] = "it's \"quoted\" $HOME `cmd` \\ back; & | * ? ~ #"
    argv = argv_of(docker.render_command(config, reveal=True))
    assert argv[:3] == ["docker", "run", "-d"]
    assert env_args(argv) == container_env(config)
    assert argv[-1] == "wandb/local:0.60.0"


@pytest.mark.tools
def test_bash_parses_and_passes_exact_arguments() -> None:
    """bash -n accepts it, and bash itself hands docker exactly our arguments."""
    config = canary_config()
    config.env["WEIRD"] = "it's \"quoted\" $HOME `cmd` \\ back; & | * ? ~ # é"
    for text in (docker.render_command(config, reveal=True), docker.render_command(config),
                 docker.render_env_file_command(config)):
        subprocess.run(["bash", "-n"], input=text, text=True, check=True, timeout=10)
    script = "docker() { printf '%s\\0' \"$@\"; }\n" + docker.render_command(config, reveal=True)
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True, timeout=10).stdout
    argv = out.split("\0")[:-1]
    assert env_args(["docker", *argv]) == container_env(config)


def test_secrets_masked_unless_revealed() -> None:
    config = canary_config()
    masked = docker.render_command(config)
    assert_no_canary(masked)
    assert "--reveal" in masked and "-e 'MYSQL=mysql://wandb_local:****@db.example.com:3306/wandb_local'" in masked
    assert_no_canary(docker.render_env_file_command(config))
    assert_no_canary(docker.render_env_file(config))
    with pytest.raises(AssertionError):
        assert_no_canary(docker.render_command(config, reveal=True))


def test_rm_and_restart_do_not_mix() -> None:
    config = canary_config()
    text = docker.render_command(config)
    assert "--rm" not in argv_of(text) and "--restart unless-stopped" in text
    assert "# The guide's --rm is left out" in text
    set_value(config, "runtime.restart_policy", "no")
    argv = argv_of(docker.render_command(config))
    assert argv[:4] == ["docker", "run", "--rm", "-d"] and "--restart" not in argv


def test_runtime_flags() -> None:
    config = Config()
    for key, value in (("runtime.cpu_limit", "2500m"), ("runtime.memory_limit", "16Gi"),
                       ("runtime.uid", "100000"), ("runtime.gid", "0"), ("runtime.bind_address", "::1"),
                       ("runtime.port", "9000"), ("runtime.volume", "/srv/w and b")):
        set_value(config, key, value)
    argv = argv_of(docker.render_command(config))
    pairs = {argv[i]: argv[i + 1] for i in range(len(argv) - 1) if argv[i].startswith("-")}
    assert pairs["--cpus"] == "2.5" and pairs["--memory"] == "16Gi"
    assert pairs["--user"] == "100000:0" and pairs["-p"] == "[::1]:9000:8080"
    assert pairs["-v"] == "/srv/w and b:/vol"
    set_value(config, "runtime.volume", "")
    set_value(config, "runtime.gid", "")
    argv = argv_of(docker.render_command(config))
    assert "-v" not in argv and argv[argv.index("--user") + 1] == "100000"


def test_env_file_round_trip() -> None:
    config = canary_config()
    env, notes = parse_env_text(docker.render_env_file(config, reveal=True))
    assert env == container_env(config) and notes == []
    form = docker.render_env_file_command(config, "/etc/wbtui/w.env")
    argv = argv_of(form)
    assert argv[argv.index("--env-file") + 1] == "/etc/wbtui/w.env" and "-e" not in argv


@pytest.mark.docker
def test_docker_accepts_the_command(docker_client, docker_host: str, standin_image: str,
                                    tmp_path: Path) -> None:
    """The revealed command, run by bash against the real engine, creates exactly our container."""
    if shutil.which("docker") is None:
        pytest.skip("docker CLI not installed")
    config = canary_config()
    image, tag = standin_image.split(":")
    name = f"wbtui-test-render-{secrets.token_hex(4)}"
    for key, value in (("runtime.image", image), ("runtime.tag", tag), ("runtime.container_name", name),
                       ("runtime.bind_address", "127.0.0.1"), ("runtime.port", str(free_port())),
                       ("runtime.volume", str(tmp_path)), ("runtime.cpu_limit", "1.5"),
                       ("runtime.memory_limit", "256Mi"), ("runtime.restart_policy", "on-failure")):
        set_value(config, key, value)
    try:
        subprocess.run(["bash", "-c", docker.render_command(config, reveal=True)], check=True,
                       capture_output=True, timeout=60, env={"DOCKER_HOST": docker_host, "PATH": "/usr/bin:/bin"})
        imported = import_docker_container(name, Config(), timeout=10).config
    finally:
        with contextlib.suppress(Exception):
            docker_client.containers.get(name).remove(force=True)
    assert container_env(imported) == container_env(config)
    assert imported.runtime == config.runtime


def test_decimal_memory_means_the_same_to_docker_as_to_kubernetes() -> None:
    config = Config()
    config.runtime.memory_limit = "8G"  # Docker alone would read 8G as 8 GiB
    args = docker.runtime_args(config)
    assert args[args.index("--memory") + 1] == "8000000000"
    config.runtime.memory_limit = "512Mi"
    args = docker.runtime_args(config)
    assert args[args.index("--memory") + 1] == "512Mi"
