"""A follow stream across a dockerd restart, on a PRIVATE dockerd this test starts and kills.

The shared engine is never restarted: the test runs its own dockerd (own data root,
exec root, pid file, socket and cgroup parent; no bridge, no iptables; vfs storage so
a killed daemon leaves few mounts behind), loads the stand-in image into it, follows a
container's log, SIGKILLs the daemon and starts it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import Process, require_binaries, unavailable, wait_for
from wbtui.config.model import Config
from wbtui.runtime.base import LogLine
from wbtui.runtime.docker.backend import DockerRuntime
from wbtui.runtime.docker.spec import MANAGED_BY, MANAGED_BY_VALUE, NAME_LABEL

pytestmark = pytest.mark.docker


class PrivateDockerd:
    """A throwaway dockerd on its own socket; ``kill()`` and ``start()`` it at will."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "docker.sock"
        self.host = f"unix://{self.socket}"
        self.cgroup = f"wbtui-test-dd-{secrets.token_hex(3)}"
        self.processes: list[Process] = []

    @property
    def current(self) -> Process:
        return self.processes[-1]

    def start(self, timeout: float = 30) -> None:
        require_binaries("dockerd", "unshare")
        # Its own network namespace: a dockerd started with --bridge=none deletes the host's
        # docker0 bridge, which would take the shared engine's networking down with it.
        # unshare execs dockerd in place: the PID stays the daemon's.
        argv = ["unshare", "--net", "--", "dockerd",
                "--data-root", str(self.root / "data"), "--exec-root", str(self.root / "exec"),
                "--pidfile", str(self.root / "dockerd.pid"), "-H", self.host,
                "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
                "--storage-driver=vfs", f"--cgroup-parent={self.cgroup}"]
        self.processes.append(Process(argv, self.root / "dockerd.log"))

        def answers() -> bool:
            if not self.current.alive():
                raise RuntimeError(f"private dockerd exited:\n{self.current.tail()}")
            with contextlib.closing(self.client(timeout=2)) as client:
                return bool(client.ping())

        wait_for(answers, timeout, "private dockerd", interval=0.1)

    def client(self, timeout: int = 30) -> Any:
        import docker

        return docker.DockerClient(base_url=self.host, timeout=timeout)

    def kill(self) -> None:
        """SIGKILL the daemon, and its containerd with it (container shims live on).

        containerd gets SIGKILL from the kernel when dockerd dies, but until its new
        parent reaps it its PID still answers, and a restarted dockerd would wait for
        that dead containerd instead of starting a new one: so kill it ourselves and
        drop its pid file.
        """
        os.kill(self.current.pid, signal.SIGKILL)
        self.current.popen.wait(10)
        for pid in self._pids("exec/containerd/containerd.pid"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        (self.root / "exec/containerd/containerd.pid").unlink(missing_ok=True)

    def _pids(self, pattern: str) -> list[int]:
        pids = []
        for path in self.root.glob(pattern):
            with contextlib.suppress(OSError, ValueError):
                pids.append(int(path.read_text().strip()))
        return pids

    def close(self) -> None:
        with contextlib.suppress(Exception), contextlib.closing(self.client(timeout=10)) as client:
            for container in client.containers.list(all=True):
                container.remove(force=True)
        for process in reversed(self.processes):
            process.stop(timeout=20)
        # Whatever outlived the daemon (after a failed restart): container processes, then their shims.
        leftovers = [int(pid) for procs in Path("/sys/fs/cgroup").glob(f"*/{self.cgroup}/*/cgroup.procs")
                     for pid in procs.read_text().split()]
        for pid in [*leftovers, *self._pids("exec/containerd/daemon/*/*/*/shim.pid")]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()
                  if line.split()[1].startswith(str(self.root))]
        for mount in sorted(mounts, reverse=True):
            subprocess.run(["umount", "-l", mount], check=False, capture_output=True, timeout=10)
        shutil.rmtree(self.root, ignore_errors=True)
        for cgroup in Path("/sys/fs/cgroup").glob(f"*/{self.cgroup}"):
            for directory in sorted(cgroup.rglob("*/"), key=lambda p: len(p.parts), reverse=True):
                with contextlib.suppress(OSError):
                    directory.rmdir()
            with contextlib.suppress(OSError):
                cgroup.rmdir()


@pytest.fixture
def private_dockerd(docker_client: Any, standin_image: str) -> Iterator[PrivateDockerd]:
    daemon = PrivateDockerd(Path(tempfile.mkdtemp(prefix="wbtui-dd-", dir="/tmp")))  # short socket path
    try:
        try:
            daemon.start()
        except Exception as exc:  # cannot run a second engine here: like any test service
            unavailable("private dockerd", exc)
        with contextlib.closing(daemon.client()) as client:
            client.images.load(b"".join(docker_client.images.get(standin_image).save(named=True)))
        yield daemon
    finally:
        daemon.close()


def test_follow_resumes_across_a_dockerd_restart_and_marks_the_gap(private_dockerd: PrivateDockerd,
                                                                    standin_image: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    config = Config()
    name = f"wbtui-test-dd-{secrets.token_hex(3)}"
    config.runtime.container_name = name
    with contextlib.closing(private_dockerd.client()) as client:
        # No bridge on this daemon: the container runs without a network (logs are all we need).
        # create + start, never run: run would pull if the image were somehow missing.
        client.containers.create(standin_image, name=name, network_mode="none",
                                 restart_policy={"Name": "always"},
                                 environment={"STANDIN_HEARTBEAT": "0.1", "STANDIN_READY_DELAY": "0"},
                                 labels={MANAGED_BY: MANAGED_BY_VALUE, NAME_LABEL: name}).start()
    monkeypatch.setenv("DOCKER_HOST", private_dockerd.host)
    runtime = DockerRuntime(config)

    async def scenario() -> list[LogLine]:
        got: list[LogLine] = []
        stream = runtime.logs(follow=True, tail=None)

        async def read() -> None:
            async for line in stream:
                got.append(line)

        async def until(predicate: Any, timeout: float) -> None:
            async def poll() -> None:
                while not predicate():
                    await asyncio.sleep(0.05)

            await asyncio.wait_for(poll(), timeout)

        def beats() -> int:
            return sum("heartbeat" in x.text for x in got)

        reader = asyncio.create_task(read())
        try:
            await until(lambda: beats() >= 5, 15)
            await asyncio.to_thread(private_dockerd.kill)
            await asyncio.sleep(1.0)  # the reader is retrying with backoff meanwhile
            assert not any(x.gap for x in got)
            await asyncio.to_thread(private_dockerd.start)
            await until(lambda: any(x.gap for x in got), 30)

            def beats_of_second_run() -> int:
                starts = [i for i, x in enumerate(got) if "Starting W&B server" in x.text]
                return sum("heartbeat" in x.text for x in got[starts[1]:]) if len(starts) > 1 else 0

            await until(lambda: beats_of_second_run() >= 5, 30)
        finally:
            await stream.aclose()
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        assert stream.thread is not None and not stream.thread.is_alive()
        return got

    got = asyncio.run(scenario())
    gaps = [x for x in got if x.gap]
    assert len(gaps) == 1
    assert gaps[0].text.startswith("--- log stream interrupted: ") and "reconnected after" in gaps[0].text
    seconds = float(gaps[0].text.rsplit("after ", 1)[1].split("s")[0])
    assert 1.0 <= seconds < 30
    lines = [x for x in got if not x.gap]
    assert len({(x.timestamp, x.text) for x in lines}) == len(lines)  # resumed: nothing twice
    runs = [[]]
    for line in lines:
        if "Starting W&B server" in line.text and runs[-1]:
            runs.append([])
        runs[-1].append(line)
    assert len(runs) == 2  # the restarted daemon restarted the container (restart policy "always")
    for run in runs:  # each run's heartbeats arrive in order with none missing
        beats = [int(re.search(r"heartbeat (\d+)", x.text)[1]) for x in run if "heartbeat" in x.text]
        assert beats == list(range(1, len(beats) + 1)) and len(beats) >= 5
