"""A container's CPU and memory from its cgroup files (v1 and v2) and the kept CPU reading, without a daemon.

The /proc/PID/cgroup texts are the shapes the kernel writes: v1 with Docker's cgroupfs driver (one line per
hierarchy, `/docker/ID`), v2 with the systemd driver (`0::/system.slice/docker-ID.scope`).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from wbtui.config.model import Config
from wbtui.runtime.docker import backend
from wbtui.runtime.docker.backend import DockerRuntime
from wbtui.runtime.docker.status import (
    CPU_MEASURING,
    CgroupFiles,
    cgroup_files,
    cpu_percent_between,
    cpu_usage_usec,
    memory_from_cgroup,
    stats_cpu_reading,
)

CID = "e98bc86e0d57257c89087ff2cb423d3952e1064966accf106ca7751b54c2f058"
V1 = "\n".join(f"{n}:{c}:/docker/{CID}" for n, c in (
    (9, "name=systemd"), (8, "pids"), (4, "memory"), (2, "cpu,cpuacct"), (0, ""))) + "\n"
V2 = f"0::/system.slice/docker-{CID}.scope\n"


def tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_cgroup_v1_files_are_found_from_the_init_process(tmp_path: Path) -> None:
    tree(tmp_path, {f"cpuacct/docker/{CID}/cpuacct.usage": "10591900125\n",
                    f"memory/docker/{CID}/memory.usage_in_bytes": "1171456\n",
                    f"memory/docker/{CID}/memory.limit_in_bytes": "268435456\n",
                    f"memory/docker/{CID}/memory.stat": "cache 0\ninactive_file 0\ntotal_inactive_file 262144\n"})
    files = cgroup_files(V1, CID, str(tmp_path))
    assert files == CgroupFiles(1, f"{tmp_path}/cpuacct/docker/{CID}", f"{tmp_path}/memory/docker/{CID}")
    assert cpu_usage_usec(files, lambda p: Path(p).read_text()) == 10591900
    assert memory_from_cgroup(files, lambda p: Path(p).read_text(), host_memory=8 << 30) == (909312, 268435456)


def test_cgroup_v2_files_and_an_unlimited_container(tmp_path: Path) -> None:
    scope = f"system.slice/docker-{CID}.scope"
    tree(tmp_path, {"cgroup.controllers": "cpu memory pids\n", f"{scope}/cpu.stat": "usage_usec 123456\n"
                    "user_usec 100000\nsystem_usec 23456\n", f"{scope}/memory.current": "5000000\n",
                    f"{scope}/memory.max": "max\n", f"{scope}/memory.stat": "anon 100\ninactive_file 1000000\n"})
    files = cgroup_files(V2, CID, str(tmp_path))
    assert files == CgroupFiles(2, f"{tmp_path}/{scope}", f"{tmp_path}/{scope}")
    assert cpu_usage_usec(files, lambda p: Path(p).read_text()) == 123456
    assert memory_from_cgroup(files, lambda p: Path(p).read_text(), host_memory=8 << 30) == (4000000, 8 << 30)


@pytest.mark.parametrize("text", [
    "0::/\n",  # a private cgroup namespace: the path says nothing
    "0::/docker/someoneelse\n4:memory:/docker/someoneelse\n",  # a PID from another PID namespace
    "",
])
def test_no_files_unless_the_path_names_the_container(tmp_path: Path, text: str) -> None:
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")
    assert cgroup_files(text, CID, str(tmp_path), exists=lambda _: True) is None


def test_cpu_percent_is_like_docker_stats() -> None:
    assert cpu_percent_between(1_000_000, 10.0, 1_500_000, 11.0) == 50.0  # half a CPU for a second
    assert cpu_percent_between(0, 10.0, 3_000_000, 11.5) == 200.0  # two CPUs busy
    assert cpu_percent_between(5, 10.0, 4, 11.0) is None and cpu_percent_between(0, 1.0, 1, 1.0) is None
    stats = {"cpu_stats": {"cpu_usage": {"total_usage": 7}, "system_cpu_usage": 9, "online_cpus": 2}}
    assert stats_cpu_reading(stats) == (7, 9, 2) and stats_cpu_reading({"cpu_stats": {}}) is None


class FakeAPI:
    api_version = "1.41"

    def __init__(self) -> None:
        self.total = 1_000_000_000
        self.system = 100_000_000_000
        self.stats_calls: list[dict[str, Any]] = []

    def _url(self, path: str) -> str:
        return path

    def _get(self, url: str) -> Any:
        """``/_ping`` as Docker answers it: the backend asks which engine this is from its headers."""
        assert url == "/_ping"
        return SimpleNamespace(headers={"Api-Version": "1.41", "Server": "Docker/24.0.7 (linux)", "Ostype": "linux"})

    def _raise_for_status(self, response: Any) -> None:
        pass

    def inspect_container(self, name: str) -> dict[str, Any]:
        return {"Id": CID, "Name": f"/{name}", "State": {"Status": "running", "Running": True, "Pid": 0},
                "Config": {"Labels": {"app.kubernetes.io/managed-by": "wbtui", "wbtui.name": name}}}

    def stats(self, container: str, **kwargs: Any) -> dict[str, Any]:
        self.stats_calls.append(kwargs)
        self.total += 500_000_000
        self.system += 2_000_000_000
        return {"cpu_stats": {"cpu_usage": {"total_usage": self.total}, "system_cpu_usage": self.system,
                              "online_cpus": 2},
                "memory_stats": {"usage": 2048, "limit": 4096, "stats": {"inactive_file": 48}}}


class FakeClient:
    def __init__(self) -> None:
        self.api = FakeAPI()

    def close(self) -> None:
        pass


def test_without_cgroup_files_the_one_shot_stats_answer_and_a_kept_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """A remote daemon (no PID here): one-shot stats, never the 1 s stream=False; CPU from the kept reading."""
    monkeypatch.setattr(backend, "is_ours", lambda labels, name: True)
    config = Config()
    rt = DockerRuntime(config)
    rt._client = FakeClient()
    first = rt.usage()
    assert first is not None and first.cpu_percent is None and first.cpu_note == CPU_MEASURING
    assert (first.memory_bytes, first.memory_limit_bytes, first.source) == (2000, 4096, "stats API (one-shot)")
    second = rt.usage()
    assert second is not None and second.cpu_percent == 50.0 and second.cpu_window is not None
    assert rt._client.api.stats_calls == [{"stream": False, "one_shot": True}] * 2
    rt._client.api.api_version = "1.40"  # older daemons: no one-shot, the classic call (it waits for a sample)
    rt._client.api.stats = lambda container, **kw: {
        "cpu_stats": {"cpu_usage": {"total_usage": 3}, "system_cpu_usage": 10, "online_cpus": 1},
        "precpu_stats": {"cpu_usage": {"total_usage": 1}, "system_cpu_usage": 6}, "memory_stats": {"usage": 5}}
    old = rt.usage()
    assert old is not None and old.cpu_percent == 50.0 and old.source == "stats API (stream=False)"


def test_a_status_inspect_serves_the_usage_read_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend, "is_ours", lambda labels, name: True)
    rt = DockerRuntime(Config())
    rt._client = FakeClient()
    calls: list[str] = []
    inspect = rt._client.api.inspect_container

    def counted(name: str) -> dict[str, Any]:
        calls.append(name)
        return inspect(name)

    rt._client.api.inspect_container = counted
    rt.status()
    rt.usage()
    assert len(calls) == 1
    rt.usage()  # no status() just before: it looks again
    assert len(calls) == 2
