"""A real Podman for the tests: ``podman system service`` on a private socket with private storage,
rootful (as root) and rootless (as a test user made here), with the W&B stand-in built in it.

Nothing of the host's own Podman is used: the storage, run root, volumes, network configs and event log
live in a directory of this session (``CONTAINERS_CONF`` / ``CONTAINERS_STORAGE_CONF`` point there), and
the session removes it at the end. What this sandbox needed, each found by a failed start:

- rootful: the container's ``nofile`` and ``nproc`` limits are set to what this process may give
  (Podman asks for 1048576 and 4194304, and without CAP_SYS_RESOURCE runc fails with "error setting
  rlimit type 7: operation not permitted"; Podman lowers its own ``nproc`` to 32768 first, seen with strace);
- rootless: a user with /etc/subuid and /etc/subgid ranges (useradd adds them), XDG_RUNTIME_DIR in
  /run/user/UID (elsewhere: "failed to mount runtime directory for rootless netns"), and /dev/net/tun
  readable by the user for slirp4netns ("open("/dev/net/tun"): Permission denied"): this sandbox has no
  udev, whose default rule makes it 0666, so it is set to that and left so.

Networking: Debian 12's Podman 4.3 uses CNI (rootful: a bridge; rootless: slirp4netns), no netavark or
pasta; both publish ports on 127.0.0.1. The stand-in is built through the API from the same context as
Docker's (FROM scratch, never pulled).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import resource
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.services.base import Process, ServiceError, require_binaries, unavailable, wait_for

if TYPE_CHECKING:
    import docker

ROOTLESS_USER = "wbtui-podman"
TUN = Path("/dev/net/tun")
PODMAN_OWN_NPROC = 32768
"""The nproc limit Podman sets on itself before it starts a container (its containers cannot have more)."""


def _ulimits() -> str:
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    nproc = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    nproc = PODMAN_OWN_NPROC if nproc == resource.RLIM_INFINITY else min(nproc, PODMAN_OWN_NPROC)
    nofile = 1048576 if nofile == resource.RLIM_INFINITY else nofile
    return f'default_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]'


def ensure_rootless_user(name: str = ROOTLESS_USER) -> pwd.struct_passwd:
    """The test user rootless Podman runs as, with its subordinate ID ranges."""
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        require_binaries("useradd", "newuidmap", "newgidmap")
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True,
                       capture_output=True, timeout=60)
        user = pwd.getpwnam(name)
    for path in ("/etc/subuid", "/etc/subgid"):
        lines = Path(path).read_text().splitlines() if Path(path).exists() else []
        if not any(line.split(":")[0] == name for line in lines):
            raise ServiceError(f"{name} has no range in {path}: usermod --add-subuids/--add-subgids")
    return user


class PodmanService:
    """``podman system service --time=0`` on a private socket; rootless as ``ROOTLESS_USER``."""

    def __init__(self, workdir: Path, rootless: bool = False) -> None:
        self.rootless = rootless
        self.user = ensure_rootless_user() if rootless else None
        if self.user is not None:  # the user must own its storage: not under root's 0700 pytest directory
            self.dir = Path(tempfile.mkdtemp(prefix="wbtui-podman-rootless-"))
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
            self.runtime_dir = Path(f"/run/user/{self.user.pw_uid}")
        else:
            self.dir = Path(workdir)
            self.dir.mkdir(parents=True, exist_ok=True)
            self.runtime_dir = self.dir / "run"
        self.socket = (self.runtime_dir if rootless else self.dir) / "wbtui-test-podman.sock"
        self.host = f"unix://{self.socket}"
        self.process: Process | None = None
        self.startup_seconds: float | None = None

    @property
    def env(self) -> dict[str, str]:
        """What points the podman command (and its service) at this private setup."""
        env = {"CONTAINERS_CONF": str(self.dir / "containers.conf"),
               "CONTAINERS_STORAGE_CONF": str(self.dir / "storage.conf")}
        if self.user is not None:
            env.update(HOME=str(self.dir), XDG_RUNTIME_DIR=str(self.runtime_dir), USER=self.user.pw_name)
        return env

    def command(self, *argv: str) -> list[str]:
        """``podman ARGV`` as this service's user, with its environment."""
        env = [f"{k}={v}" for k, v in self.env.items()]
        if self.user is None:
            return ["env", *env, "podman", *argv]
        return ["runuser", "-u", self.user.pw_name, "--", "env", *env, "podman", *argv]

    def _write_config(self) -> None:
        d = self.dir
        rootful_only = "" if self.rootless else f"{_ulimits()}\n"
        runroot = self.runtime_dir / "wbtui-test-containers" if self.rootless else d / "runroot"
        files = {
            "storage.conf": f'[storage]\ndriver = "overlay"\ngraphroot = "{d}/root"\nrunroot = "{runroot}"\n'
                            f'rootless_storage_path = "{d}/root"\n',
            "containers.conf": (
                f"[containers]\n{rootful_only}"
                f'[engine]\nevents_logger = "file"\nevents_logfile_path = "{d}/events.log"\n'
                f'cgroup_manager = "cgroupfs"\nstatic_dir = "{d}/root/libpod"\nvolume_path = "{d}/root/volumes"\n'
                + ("" if self.rootless else f'tmp_dir = "{d}/tmp"\n')
                + f'[network]\nnetwork_config_dir = "{d}/net"\n'),
        }
        for name in ("net", "tmp"):
            (d / name).mkdir(exist_ok=True)
        for name, text in files.items():
            (d / name).write_text(text)
        if self.user is not None:
            self.runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            for path in (self.runtime_dir, d, *d.iterdir()):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)

    def start(self, timeout: float = 60) -> None:
        began = time.monotonic()
        require_binaries("podman", "conmon", "runc")
        if self.rootless:
            require_binaries("slirp4netns", "runuser")
            if TUN.exists() and stat.S_IMODE(TUN.stat().st_mode) != 0o666:
                TUN.chmod(0o666)
        self._write_config()
        with contextlib.suppress(FileNotFoundError):
            self.socket.unlink()
        self.process = Process(self.command("system", "service", "--time=0", self.host),
                               self.dir / "podman-service.log")

        def ready() -> bool:
            if not self.process or not self.process.alive():
                raise ServiceError(f"podman system service exited:\n{self.process and self.process.tail()}")
            with contextlib.closing(self.client(timeout=5)) as client:
                return bool(client.ping())

        wait_for(ready, timeout, f"podman system service on {self.host}", interval=0.2)
        self.startup_seconds = time.monotonic() - began

    def client(self, timeout: int = 120) -> docker.DockerClient:
        import docker

        return docker.DockerClient(base_url=self.host, timeout=timeout)

    def run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """The podman command against this setup (as the rootless user for a rootless service)."""
        return subprocess.run(self.command(*argv), capture_output=True, text=True, timeout=timeout, check=False)

    def stop(self) -> None:
        """Remove every container (conmon outlives the service), stop the service and the rootless pause
        process, unmount what the storage mounted, and remove the private directory."""
        if self.process is not None and self.process.alive():
            with contextlib.suppress(Exception), contextlib.closing(self.client(timeout=60)) as client:
                for container in client.containers.list(all=True):
                    with contextlib.suppress(Exception):
                        container.remove(force=True, v=True)
        if self.process is not None:
            self.process.stop(timeout=30)
            self.process = None
        if self.rootless:
            self._stop_pause_process()
        self._stop_leftovers()
        self._unmount()
        shutil.rmtree(self.dir, ignore_errors=True)
        if self.rootless:  # the test user's runtime directory: what its Podman kept there
            for name in ("wbtui-test-containers", "containers", "libpod", "netns", "runc"):
                shutil.rmtree(self.runtime_dir / name, ignore_errors=True)

    def _stop_pause_process(self) -> None:
        """Rootless Podman keeps its user namespace in a pause process; it started with our service."""
        for pid_file in (self.runtime_dir / "libpod" / "tmp" / "pause.pid", self.dir / "tmp" / "pause.pid"):
            with contextlib.suppress(OSError, ValueError):
                os.kill(int(pid_file.read_text().strip()), 15)
                pid_file.unlink()

    def _stop_leftovers(self) -> None:
        """conmon of an exec session waits 300 s for its exit code to be asked (``--exit-delay``), and on SIGTERM
        runs ``podman container cleanup``, which makes the storage directories again: every process of ours
        (its command line names our directory) gets SIGKILL until none is left."""
        needle = str(self.dir).encode()

        def ours() -> list[int]:
            pids = []
            for entry in Path("/proc").iterdir():
                with contextlib.suppress(OSError):
                    if entry.name.isdigit() and needle in (entry / "cmdline").read_bytes():
                        pids.append(int(entry.name))
            return pids

        def gone() -> bool:
            for pid in ours():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
            return not ours()

        with contextlib.suppress(ServiceError):
            wait_for(gone, 30, "the test Podman's leftover processes", interval=0.1)

    def _unmount(self) -> None:
        """containers/storage bind-mounts its overlay directory privately: unmount what is under ours."""
        mounts: list[str] = []
        with contextlib.suppress(OSError):
            for line in Path("/proc/self/mountinfo").read_text().splitlines():
                point = line.split()[4]
                if point.startswith(str(self.dir) + "/"):
                    mounts.append(point)
        for point in sorted(mounts, key=len, reverse=True):
            subprocess.run(["umount", "-l", point], capture_output=True, timeout=30, check=False)


def built_standin(service: PodmanService) -> tuple[Any, float]:
    """The stand-in image built in ``service`` (through its API, like Docker's); (image, seconds)."""
    from tests.services.docker_engine import ensure_standin_image

    began = time.monotonic()
    with contextlib.closing(service.client(timeout=600)) as client:
        image, _ = ensure_standin_image(client)
    return image, time.monotonic() - began


@pytest.fixture(scope="session", params=["rootful", "rootless"])
def podman(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PodmanService]:
    """A running Podman service with the stand-in image, rootful and rootless (each test runs on both)."""
    from tests.services.docker_fixtures import STARTUP

    rootless = request.param == "rootless"
    try:
        service = PodmanService(tmp_path_factory.mktemp(f"podman-{request.param}"), rootless=rootless)
    except Exception as exc:  # no user could be made: its tests cannot run
        unavailable(f"Podman ({request.param})", exc)
    try:
        service.start()
        _, seconds = built_standin(service)
    except Exception as exc:  # whatever stopped it, the tests that need it cannot run
        service.stop()
        unavailable(f"Podman ({request.param})", exc)
    STARTUP[f"podman {request.param} service"] = service.startup_seconds or 0.0
    STARTUP[f"podman {request.param} stand-in image"] = seconds
    yield service
    service.stop()


@pytest.fixture
def podman_host(podman: PodmanService, monkeypatch: pytest.MonkeyPatch) -> str:
    """DOCKER_HOST set to the Podman service for this test (what an operator does to use Podman)."""
    monkeypatch.setenv("DOCKER_HOST", podman.host)
    monkeypatch.delenv("DOCKER_CONTEXT", raising=False)
    return podman.host
