"""`wbtui status --json` on a running container against its floor, in the same run.

The floor is the least a status with CPU and memory can do, bare, in one fresh Python
process: import the Docker SDK and look the daemon up (``docker.from_env()``: the API
version), then the 2 probes: ``inspect_container`` (state, PID, ID) and the usage
read, from the container's cgroup files as wbtui reads them (memory once, the CPU
counter twice, --window seconds apart: a percentage needs two readings). A second
ratio is printed against the floor without that window (the lookup and the inspect
only), so what the window costs is plain. Target: `wbtui status` <= 1.5x the floor.

Also timed in the same run (interleaved, fresh processes, medians): with --before DIR,
the same command from an older checkout (``git archive HEAD wbtui css | tar -x -C DIR``);
and the dashboard's usage read (``DockerRuntime.usage()`` on a kept runtime, the call its
5 s refresh makes: it must never wait on stats).

The container is the W&B stand-in (``wbtui-test/local:dev``, built by the test services'
code), made here on a loopback port and removed at the end.

    python3 benchmarks/bench_status.py [--runs 15] [--window 0.15] [--before DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FLOOR = r"""
import json, sys, time
import docker

name, window, with_usage = sys.argv[1], float(sys.argv[2]), sys.argv[3] == "1"
client = docker.from_env()
attrs = client.api.inspect_container(name)
out = {"state": attrs["State"]["Status"]}
if with_usage:
    cid, pid = attrs["Id"], attrs["State"]["Pid"]
    paths = dict(line.split(":", 2)[1:] for line in open(f"/proc/{pid}/cgroup").read().splitlines())
    if "" in paths and "cpuacct" not in " ".join(paths):  # cgroup v2
        base = "/sys/fs/cgroup" + paths[""]
        def cpu():
            stat = dict(line.split() for line in open(base + "/cpu.stat"))
            return int(stat["usage_usec"])
        memory = int(open(base + "/memory.current").read())
    else:  # cgroup v1
        key = next(k for k in paths if "cpuacct" in k.split(","))
        cpu_path = f"/sys/fs/cgroup/cpuacct{paths[key]}/cpuacct.usage"
        def cpu():
            return int(open(cpu_path).read()) // 1000
        memory = int(open(f"/sys/fs/cgroup/memory{paths['memory']}/memory.usage_in_bytes").read())
    first, began = cpu(), time.monotonic()
    time.sleep(window)
    out["cpu_percent"] = (cpu() - first) / ((time.monotonic() - began) * 1e6) * 100
    out["memory_bytes"] = memory
print(json.dumps(out))
"""

DASHBOARD_READ = r"""
import json, sys, time
sys.path.insert(0, {repo!r})
from wbtui.config import store
from wbtui.runtime.docker.backend import DockerRuntime

runtime = DockerRuntime(store.load({config!r}))
times, usage = [], None
for _ in range(6):  # what the 5 s refresh calls: status, then usage (the first says "measuring")
    runtime.status()
    began = time.perf_counter()
    usage = runtime.usage()
    times.append(time.perf_counter() - began)
    time.sleep(0.2)
print(json.dumps({{"first": times[0], "later": sorted(times[1:])[len(times[1:]) // 2], "source": usage.source,
                  "cpu_percent": usage.cpu_percent, "window": usage.cpu_window}}))
"""

OLD_CLI = "import sys; sys.path.insert(0, sys.argv.pop(1)); from wbtui.cli import run; sys.argv[0] = 'wbtui'; run()"


def timed(argv: list[str], env: dict[str, str], expect: str = "") -> tuple[float, str]:
    began = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env, cwd=tempfile.gettempdir())
    took = time.perf_counter() - began
    if out.returncode != 0 or expect not in out.stdout:
        raise RuntimeError(f"{argv[:3]} exited {out.returncode}: {out.stderr[-600:]}")
    return took, out.stdout


@contextlib.contextmanager
def standin(workdir: Path) -> Iterator[Path]:
    """A running stand-in container wbtui can see as its own; its config file."""
    import docker

    from tests.services.docker_engine import ensure_standin_image
    from tests.services.docker_fixtures import standin_config
    from wbtui.config import store
    from wbtui.runtime.docker.backend import DockerRuntime

    client = docker.from_env()
    ensure_standin_image(client)
    config = standin_config("wbtui-test/local:dev", prefix="bench-status", secret="bench-secret",
                            ready_delay="0.2", heartbeat="1")
    path = workdir / "config.toml"
    store.save(config, path)
    runtime = DockerRuntime(config, pull=False)
    try:
        runtime.deploy()
        yield path
    finally:
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()
        client.close()


def med(values: list[float]) -> str:
    return (f"median {statistics.median(values) * 1000:7.1f} ms  (min {min(values) * 1000:.1f}, "
            f"max {max(values) * 1000:.1f}, n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--window", type=float, default=None,
                        help="the floor's CPU window (default: wbtui's own, runtime_cmd.STATUS_CPU_WINDOW)")
    parser.add_argument("--before", metavar="DIR", help="also time an older checkout's wbtui (its wbtui/ in DIR)")
    args = parser.parse_args()
    from wbtui.cli.runtime_cmd import STATUS_CPU_WINDOW

    window = STATUS_CPU_WINDOW if args.window is None else args.window
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    print(f"CPUs: {os.cpu_count()}, load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="wbtui-bench-status-") as tmp, standin(Path(tmp)) as config:
        env["PYTHONPYCACHEPREFIX"] = f"{tmp}/pycache"  # cached bytecode, as after a pip install
        name = json.loads(subprocess.run([str(Path(sys.executable).parent / "wbtui"), "--config", str(config),
                                          "status", "--json"], capture_output=True, text=True, env=env,
                                         check=True).stdout)["name"]
        cases: dict[str, list[str]] = {
            "floor (lookup + inspect + cgroup usage)": [sys.executable, "-c", FLOOR, name, str(window), "1"],
            "floor without the CPU window": [sys.executable, "-c", FLOOR, name, "0", "0"],
            "wbtui status --json": [str(Path(sys.executable).parent / "wbtui"), "--config", str(config), "status",
                                    "--json"],
        }
        if args.before:
            cases["before: wbtui status --json"] = [sys.executable, "-c", OLD_CLI, args.before, "--config",
                                                    str(config), "status", "--json"]
        times: dict[str, list[float]] = {k: [] for k in cases}
        outputs: dict[str, str] = {}
        for argv in cases.values():  # warm-up: disk cache, .pyc files
            timed(argv, env)
        for _ in range(args.runs):
            for label, argv in cases.items():
                took, outputs[label] = timed(argv, env, '"state"')
                times[label].append(took)
        dash = json.loads(timed([sys.executable, "-c", DASHBOARD_READ.format(repo=str(REPO), config=str(config))],
                                env)[1])
    floor = statistics.median(times["floor (lookup + inspect + cgroup usage)"])
    strict = statistics.median(times["floor without the CPU window"])
    ours = statistics.median(times["wbtui status --json"])
    for label, values in times.items():
        print(f"  {label:42} {med(values)}")
    usage = json.loads(outputs["wbtui status --json"]).get("usage") or {}
    print(f"  wbtui's usage: source {usage.get('source')}, cpu {usage.get('cpu_percent')}% over "
          f"{usage.get('cpu_window_seconds')}s (the floor's window: {window:g}s)")
    ratio = ours / floor
    print(f"  ratio wbtui / floor = {ratio:.2f}x  (target <= 1.5x: {'met' if ratio <= 1.5 else 'MISSED'}); "
          f"/ floor without the window = {ours / strict:.2f}x")
    if args.before:
        before = statistics.median(times["before: wbtui status --json"])
        print(f"  before / floor = {before / floor:.2f}x; before -> after {before * 1000:.0f} -> {ours * 1000:.0f} ms")
    print(f"dashboard usage read (kept runtime, after its status()): first {dash['first'] * 1000:.1f} ms "
          f"(\"measuring\"), later median {dash['later'] * 1000:.1f} ms, source {dash['source']}, "
          f"cpu {dash['cpu_percent']}% over {dash['window']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
