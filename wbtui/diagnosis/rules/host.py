"""The machine the container runs on: its CPU architecture and its Docker daemon.

wandb/local is published for linux/amd64. On an arm64 host (Apple silicon, Raspberry Pi, Graviton)
Docker either refuses the image or runs it under emulation (qemu or Rosetta), which is slow and can
crash. A Docker daemon that is down or not ours to talk to is its own finding: nothing else can be
checked until it answers.
"""

from __future__ import annotations

from .facts import Facts, Rule

_ARM_FIX = (
    "Run W&B Server on an x86_64 (amd64) machine, as the guide's hardware section assumes; the clients on "
    "ARM machines only need to reach it. On Apple silicon, Docker Desktop can run the amd64 image under "
    "emulation (`docker run --platform linux/amd64 ...`, with Rosetta enabled in Docker Desktop's settings), "
    "slowly and not for production."
)


def _docker_problem(facts: Facts, kind: str, marker: str) -> str | None:
    for problem_kind, message in facts.problems:
        if problem_kind == kind and marker in message:
            return message
    return None


def docker_socket_denied(facts: Facts) -> str | None:
    return _docker_problem(facts, "permission-denied", "Docker socket")


def docker_daemon_down(facts: Facts) -> str | None:
    """The runtime's own report that the Docker daemon does not answer (wbtui.runtime.docker.errors)."""
    return _docker_problem(facts, "unreachable", "Docker daemon")


RULES: tuple[Rule, ...] = (
    Rule(
        "docker-daemon-down", "The Docker daemon is not running or not reachable", "critical",
        "Nothing answers on the Docker daemon's socket or pipe: the daemon (dockerd, or Docker Desktop on "
        "macOS/Windows) is not running, or DOCKER_HOST / the docker context points somewhere else. No "
        "container can be created, started or inspected until it answers.",
        "Start Docker: `sudo systemctl start docker` (and `sudo systemctl enable docker` so it starts at boot), "
        "or start Docker Desktop and wait until it says the engine is running. Check `docker info` works, and "
        "that DOCKER_HOST is unset or right (`docker context ls`). Then `wbtui up`.",
        patterns=(r"Cannot connect to the Docker daemon at (?P<where>\S+?)\.? Is the docker daemon running\?",
                  r"error during connect: .*(?:docker_engine|docker\.sock)",
                  r"This error may indicate that the docker daemon is not running"),
        predicate=docker_daemon_down,
    ),
    Rule(
        "docker-socket-denied", "Not allowed to use the Docker daemon", "critical",
        "The Docker daemon is running but this user may not open its socket (/var/run/docker.sock is owned "
        "by root and the docker group).",
        "Add the user to the docker group: `sudo usermod -aG docker $USER`, then log out and in again (or "
        "`newgrp docker`); check with `docker info`. Or run wbtui as root, or use rootless Docker. Do not "
        "chmod the socket open to everyone: access to it is root on the host.",
        patterns=(r"permission denied while trying to connect to the Docker daemon socket",
                  r"dial unix /var/run/docker\.sock: connect: permission denied"),
        predicate=docker_socket_denied,
    ),
    Rule(
        "emulation-crash", "The amd64 image crashed under CPU emulation", "critical",
        "This host's CPU is not x86_64 and Docker runs the amd64 image under emulation (qemu), which "
        "crashed a process of the server ({line}). Such crashes are emulator bugs, not W&B ones, and "
        "recur.",
        "In Docker Desktop on Apple silicon enable \"Use Rosetta for x86_64/amd64 emulation\" (Settings > "
        "General), which replaces qemu, then recreate the container (`wbtui down`, `wbtui up`). " + _ARM_FIX,
        patterns=(r"(?P<line>qemu: uncaught target signal \d+ \([^)]*\))",),
        explains=("host-arch-mismatch", "restart-loop"),
    ),
    Rule(
        "host-arch-unsupported", "The image is not built for this host's CPU", "critical",
        "wandb/local is published for linux/amd64, and this host is not x86_64 (arm64: Apple silicon, "
        "Raspberry Pi, Graviton) with no emulation set up, so Docker cannot run it ({line}).",
        _ARM_FIX,
        patterns=(r"(?P<line>platform linux/arm64(?:/v8)? not supported)",
                  r"(?P<line>no matching manifest for linux/arm64)",
                  r"(?P<line>exec (?:user process caused:? )?\"?exec format error)",
                  r"(?P<line>exec /\S+: exec format error)"),
        explains=("host-arch-mismatch", "restart-loop"),
    ),
    Rule(
        "host-arch-mismatch", "The image is for another CPU than this host's", "warning",
        "Docker warned that the image's platform (linux/amd64) does not match this host's (linux/arm64): "
        "the image is not built for this CPU, so it either runs under emulation (qemu or Rosetta: several "
        "times slower, and emulator crashes happen) or does not run at all.",
        _ARM_FIX,
        patterns=(r"requested image's platform \(linux/amd64\) does not match the detected host platform "
                  r"\(linux/arm64",),
    ),
)
