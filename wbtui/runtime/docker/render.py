"""The guide's ``docker run`` command, filled in and shell-quoted, plus its env-file form."""

from __future__ import annotations

import shlex

from ...config.model import Config, container_env
from ...config.quantities import cpu_cores, memory_bytes
from ...render.common import shown_env

DEFAULT_ENV_FILE = "/etc/wbtui/wandb.env"
CONTAINER_PORT = 8080


def publish_arg(config: Config) -> str:
    """``-p`` value: ``[ADDRESS:]PORT:8080`` (IPv6 addresses in brackets)."""
    r = config.runtime
    bind = r.bind_address
    if bind and ":" in bind:
        bind = f"[{bind}]"
    return f"{bind}:{r.port}:{CONTAINER_PORT}" if bind else f"{r.port}:{CONTAINER_PORT}"


def docker_cpus(value: str) -> str:
    """``--cpus`` takes decimal cores; Kubernetes-style 500m becomes 0.5."""
    cores = cpu_cores(value)
    return f"{cores:g}" if cores is not None else value


def docker_memory(value: str) -> str:
    """``--memory`` in the config's meaning: Docker reads ``8G`` as 8 GiB, Kubernetes and wbtui as 8*10^9.

    Binary quantities (8Gi) mean the same to both and stay readable; decimal ones become bytes.
    """
    if value.endswith("i"):
        return value
    size = memory_bytes(value)
    return str(int(size)) if size is not None else value


def user_arg(config: Config) -> str | None:
    r = config.runtime
    if r.uid is None:
        return None
    return f"{r.uid}:{r.gid}" if r.gid is not None else str(r.uid)


def runtime_args(config: Config) -> list[str]:
    """Port, volume, resources and user: shared by ``docker run`` and the systemd unit."""
    r = config.runtime
    args = ["-p", publish_arg(config)]
    if r.volume:
        args += ["-v", f"{r.volume}:/vol"]
    if r.cpu_limit:
        args += ["--cpus", docker_cpus(r.cpu_limit)]
    if r.memory_limit:
        args += ["--memory", docker_memory(r.memory_limit)]
    user = user_arg(config)
    if user:
        args += ["--user", user]
    return args


def _lines(groups: list[list[str]]) -> str:
    """One option per line with `` \\`` continuations, like the guide."""
    quoted = ["  " + " ".join(shlex.quote(a) for a in group) for group in groups]
    return " \\\n".join(quoted).lstrip() + "\n"


def _run_groups(config: Config, env_groups: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    r = config.runtime
    notes: list[str] = []
    head = ["docker", "run", "-d"]
    if r.restart_policy == "no":
        head.insert(2, "--rm")
    else:
        notes.append(f"# The guide's --rm is left out: Docker refuses --rm together with "
                     f"--restart {r.restart_policy}.")
    groups = [head, *env_groups]
    rest = runtime_args(config)
    groups += [rest[i : i + 2] for i in range(0, len(rest), 2)]
    if r.restart_policy != "no":
        groups.append(["--restart", r.restart_policy])
    groups.append(["--name", r.container_name])
    groups.append([r.image_ref])
    return groups, notes


def render_command(config: Config, reveal: bool = False) -> str:
    """``docker run -d -e HOST=... ... IMAGE``; secrets masked unless ``reveal``."""
    env = shown_env(config, reveal)
    groups, notes = _run_groups(config, [["-e", f"{k}={v}"] for k, v in env.items()])
    if not reveal and env != container_env(config):
        notes.insert(0, "# Secrets are masked (****). Use `wbtui render docker --reveal` for a runnable "
                     "command, or the --env-file form to keep them out of shell history.")
    return "\n".join(notes) + ("\n" if notes else "") + _lines(groups)


def render_env_file_command(config: Config, env_file: str = DEFAULT_ENV_FILE) -> str:
    """``docker run --env-file PATH ...``: no secret on the command line at all."""
    groups, notes = _run_groups(config, [["--env-file", env_file]])
    notes.insert(0, f"# Write the environment first: wbtui render docker-env --reveal -o {env_file}")
    return "\n".join(notes) + "\n" + _lines(groups)


def render_env_file(config: Config, reveal: bool = False) -> str:
    """The container environment as a Docker ``--env-file``: ``KEY=value``, taken literally."""
    env = shown_env(config, reveal)
    header = "# W&B Server environment for `docker run --env-file` (values are literal: no quotes)\n"
    if env != container_env(config):
        header += "# Secrets are masked (****): render with --reveal to write the real values.\n"
    return header + "".join(f"{k}={v}\n" for k, v in env.items())
