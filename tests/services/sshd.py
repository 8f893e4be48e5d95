"""A private OpenSSH server on 127.0.0.1 for Docker over SSH: ``sshd`` fixture.

Its own host key, sshd_config and authorized key, all in a temp directory, run as
``sshd -D -e -f CONFIG`` (never the system service). The "remote" host is this machine:
``docker system dial-stdio`` runs here, against the test engine.

OpenSSH reads ~/.ssh from the password database, not $HOME, so the client side is a
directory put first on PATH whose ``ssh`` runs the real one with ``-F`` and a config of
the test's (key, known_hosts, strict host key checking, the remote DOCKER_HOST). wbtui
runs ``ssh`` from PATH, as the docker CLI does, so this is exactly the operator's setup.
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.services.base import Process, free_port, require_binaries, unavailable, wait_for

SSHD = "/usr/sbin/sshd"
PRIVSEP_DIR = Path("/run/sshd")
"""sshd refuses to start without its privilege separation directory (the Debian unit makes it)."""


@dataclass
class SSHClientSide:
    """A PATH entry whose ``ssh`` uses this config; ``env`` is what a test sets to use it."""

    bin: Path
    config: Path

    @property
    def env(self) -> dict[str, str]:
        return {"PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"}


class Sshd:
    """``sshd`` on a free loopback port accepting ``user``'s test key, plus client sides to reach it."""

    def __init__(self, workdir: Path, docker_host: str) -> None:
        self.dir = workdir
        self.docker_host = docker_host
        self.port = free_port()
        self.user = getpass.getuser()
        self.key = self.dir / "client_key"
        self.stranger_key = self.dir / "stranger_key"
        """A key sshd does not accept."""
        self.process: Process | None = None

    @property
    def url(self) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}"

    def _keygen(self, name: str) -> Path:
        key = self.dir / name
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
                       check=True, capture_output=True, timeout=30)
        return key

    def start(self, timeout: float = 30) -> None:
        require_binaries("ssh", "ssh-keygen", SSHD)
        self.dir.mkdir(parents=True, exist_ok=True)
        host_key = self._keygen("host_key")
        self._keygen(self.key.name)
        self._keygen(self.stranger_key.name)
        authorized = self.dir / "authorized_keys"
        authorized.write_text(Path(f"{self.key}.pub").read_text())
        self.host_line = f"[127.0.0.1]:{self.port} " + " ".join(Path(f"{host_key}.pub").read_text().split()[:2])
        (self.dir / "sshd_config").write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {host_key}",
            f"PidFile {self.dir / 'sshd.pid'}", f"AuthorizedKeysFile {authorized}",
            "StrictModes no",  # the key lives under /tmp, which is world-writable
            "UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password", "AcceptEnv DOCKER_HOST", "",
        ]))
        PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        self.process = Process([SSHD, "-D", "-e", "-f", str(self.dir / "sshd_config")], self.dir / "sshd.log")
        client = self.client("ready")

        def answers() -> bool:
            if not self.process or not self.process.alive():
                raise RuntimeError(f"sshd exited:\n{self.process and self.process.tail()}")
            done = subprocess.run([str(client.bin / "ssh"), "-o", "BatchMode=yes", "-p", str(self.port),
                                   f"{self.user}@127.0.0.1", "true"], capture_output=True, timeout=10)
            return done.returncode == 0

        wait_for(answers, timeout, f"sshd on 127.0.0.1:{self.port}", interval=0.1)

    def client(self, name: str, *, key: Path | None = None, known: bool = True,
               remote_docker_host: str | None = None) -> SSHClientSide:
        """A client side: this test key (or ``key``), the host key known (or not), DOCKER_HOST over there."""
        home = self.dir / f"client-{name}"
        (home / "bin").mkdir(parents=True, exist_ok=True)
        known_hosts = home / "known_hosts"
        known_hosts.write_text(f"{self.host_line}\n" if known else "")
        config = home / "ssh_config"
        config.write_text("\n".join([
            "Host *", f"  IdentityFile {key or self.key}", "  IdentitiesOnly yes", "  IdentityAgent none",
            f"  UserKnownHostsFile {known_hosts}", "  GlobalKnownHostsFile /dev/null", "  StrictHostKeyChecking yes",
            f"  SetEnv DOCKER_HOST={remote_docker_host or self.docker_host}", "",
        ]))
        ssh = home / "bin" / "ssh"
        ssh.write_text(f'#!/bin/sh\nexec {shutil.which("ssh")} -F {config} "$@"\n')
        ssh.chmod(0o755)
        return SSHClientSide(home / "bin", config)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory, docker_host: str) -> Iterator[Sshd]:
    """A private sshd whose ``docker system dial-stdio`` reaches the test engine; its client side in ``.client``."""
    server = Sshd(tmp_path_factory.mktemp("sshd"), docker_host)
    try:
        server.start()
    except Exception as exc:  # whatever stopped it, the tests that need it cannot run
        server.stop()
        unavailable("sshd", exc)
    yield server
    server.stop()
