"""Datastore checks: do the two stores really run concurrently, and do timeouts hold?

Prints, in one run:

- `check all` against the same network operations done bare in one script (target
  <= 1.3x): each run of wbtui's checks is recorded at the client libraries (every
  PyMySQL connection and query, boto3 client and API call, httpx request and Docker
  API request, by thread), then replayed at once with plain clients, each store's
  operations in order in a thread of its own, beside a thread that only waits out the
  MySQL CPU window (the least a CPU sample of that window can cost). Paired runs,
  medians and spread. With --before DIR, the same checks from an older checkout
  (``git archive HEAD wbtui | tar -x -C DIR``) are timed in a child process alongside;
- the wall time of `check all` (MySQL and S3 in parallel) against the slowest single
  store alone, median of --repeat runs (target <= 1.3x);
- the time to fail against an endpoint that accepts TCP and never answers, against
  the configured timeout, for each store and for both (target 1.0-1.1x).

    python3 benchmarks/bench_checks.py [--mysql URL] [--bucket URL --region R] [--repeat 5] [--before DIR]

Without --mysql (or $WBTUI_BENCH_MYSQL) a private MariaDB is started and
`db init` creates the W&B user and database; without --bucket (or
$WBTUI_BENCH_BUCKET) a private Ceph radosgw is started with a fresh bucket. Both are
the test-suite servers (tests/services), stopped and removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.services.base import silent_endpoint
from wbtui.checks.model import CheckResult, Status
from wbtui.checks.mysql_init import apply_db_init, plan_db_init
from wbtui.checks.runner import run_checks
from wbtui.config.model import Config


def timed(fn: Callable[[], list[CheckResult]]) -> tuple[float, list[CheckResult]]:
    started = time.monotonic()
    results = fn()
    return time.monotonic() - started, results


def tally(results: list[CheckResult]) -> str:
    counts = {s: sum(1 for r in results if r.status is s) for s in Status}
    return " ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])


@contextlib.contextmanager
def services(args: argparse.Namespace, workdir: Path) -> Iterator[Config]:
    """A config for MySQL and S3: given URLs, or private test servers started here."""
    config = Config()
    config.server.AWS_REGION = args.region
    stack = contextlib.ExitStack()
    with stack:
        config.server.MYSQL = args.mysql or os.environ.get("WBTUI_BENCH_MYSQL", "")
        if not config.server.MYSQL:
            from tests.services.mariadb import MariaDB

            began = time.monotonic()
            db = MariaDB(workdir / "mariadb")
            stack.callback(db.stop, remove_data=True)
            db.start()
            token = secrets.token_hex(4)
            config.server.MYSQL = db.url(f"bench_{token}", secrets.token_urlsafe(16), f"bench_{token}")
            apply_db_init(config, db.admin_url, plan_db_init(config, db.admin_url))
            print(f"started MariaDB on 127.0.0.1:{db.port} in {time.monotonic() - began:.1f}s")
        config.server.BUCKET = args.bucket or os.environ.get("WBTUI_BENCH_BUCKET", "")
        if not config.server.BUCKET:
            from tests.services.ceph import CephCluster

            began = time.monotonic()
            ceph = CephCluster(workdir / "ceph", region=args.region)
            stack.callback(ceph.remove_data)
            stack.callback(ceph.stop)
            ceph.start()
            bucket = f"bench-{secrets.token_hex(4)}"
            ceph.s3_client().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": args.region})
            stack.callback(ceph.delete_bucket, bucket)
            config.server.BUCKET = ceph.bucket_url(bucket)
            print(f"started Ceph radosgw at {ceph.endpoint} in {time.monotonic() - began:.1f}s")
        yield config


# ---- check all vs the same operations done bare ----------------------------------------------------------

Op = tuple[str, tuple[Any, ...], dict[str, Any]]


class Recorder:
    """Every network operation the checks make, by thread, through the client libraries (patched in place)."""

    def __init__(self) -> None:
        self.ops: dict[str, list[Op]] = {}
        self.active = False
        self._lock = threading.Lock()

    def add(self, kind: str, *args: object, **kwargs: object) -> None:
        if self.active:
            with self._lock:
                self.ops.setdefault(threading.current_thread().name, []).append((kind, args, kwargs))

    def install(self) -> None:
        import boto3.session
        import botocore.client
        import docker.api.client
        import httpx
        import pymysql.connections

        rec = self
        conn_init = pymysql.connections.Connection.__init__
        query = pymysql.connections.Connection.query
        api_call = botocore.client.BaseClient._make_api_call
        session_client = boto3.session.Session.client
        send = httpx.Client.send
        docker_request = docker.api.client.APIClient.request

        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            rec.add("mysql.connect", id(self), *args, **kwargs)
            conn_init(self, *args, **kwargs)

        def run_query(self: Any, sql: Any, unbuffered: bool = False) -> Any:
            rec.add("mysql.query", id(self), sql)
            return query(self, sql, unbuffered)

        def make_api_call(self: Any, operation: str, params: dict[str, Any]) -> Any:
            body = params.get("Body")
            if body is not None and hasattr(body, "read"):
                at = body.tell()
                params = {**params, "Body": body.read()}
                body.seek(at)
            answer = api_call(self, operation, params)
            rec.add("s3.call", id(self), operation, params, upload_id=answer.get("UploadId"))
            return answer

        def client(self: Any, *args: Any, **kwargs: Any) -> Any:
            made = session_client(self, *args, **kwargs)
            rec.add("s3.client", id(made), *args, **kwargs)
            return made

        def http_send(self: Any, request: Any, **kwargs: Any) -> Any:
            rec.add("http", request.method, str(request.url), dict(request.headers), request.content)
            return send(self, request, **kwargs)

        def docker_call(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            rec.add("docker", self.base_url, method, url, {k: v for k, v in kwargs.items() if k != "timeout"})
            return docker_request(self, method, url, *args, **kwargs)

        pymysql.connections.Connection.__init__ = init
        pymysql.connections.Connection.query = run_query
        botocore.client.BaseClient._make_api_call = make_api_call
        boto3.session.Session.client = client
        httpx.Client.send = http_send  # type: ignore[method-assign]
        docker.api.client.APIClient.request = docker_call
        self.originals = (conn_init, query, api_call, session_client, send, docker_request)


def replay(ops: list[Op], originals: tuple[Any, ...]) -> None:
    """One thread's recorded operations again, in order, with plain clients (and the unpatched libraries)."""
    import boto3.session
    import docker
    import httpx
    import pymysql.connections

    conn_init, query, api_call, session_client, send, _ = originals
    conns: dict[object, Any] = {}
    clients: dict[object, Any] = {}
    uploads: dict[str, str] = {}
    http = httpx.Client(timeout=30)
    dockers: dict[Any, Any] = {}
    try:
        for kind, args, kwargs in ops:
            if kind == "mysql.connect":
                conn = pymysql.connections.Connection.__new__(pymysql.connections.Connection)
                with contextlib.suppress(pymysql.err.MySQLError):  # it failed the same way for the checks
                    conn_init(conn, *args[1:], **kwargs)
                conns[args[0]] = conn
            elif kind == "mysql.query":
                with contextlib.suppress(pymysql.err.MySQLError):
                    query(conns[args[0]], args[1])
            elif kind == "s3.client":
                clients[args[0]] = session_client(boto3.session.Session(), *args[1:], **kwargs)
            elif kind == "s3.call":
                operation, params = args[1], dict(args[2])
                if "UploadId" in params:
                    params["UploadId"] = uploads.get(params["UploadId"], params["UploadId"])
                with contextlib.suppress(Exception):
                    answer = api_call(clients[args[0]], operation, params)
                    if kwargs.get("upload_id"):
                        uploads[str(kwargs["upload_id"])] = answer["UploadId"]
            elif kind == "http":
                method, url, headers, content = args
                with contextlib.suppress(httpx.HTTPError):
                    send(http, http.build_request(method, url, headers=headers, content=content))
            elif kind == "docker":
                base, method, url, extra = args  # url is whole (http+docker://...): any client for DOCKER_HOST
                with contextlib.suppress(Exception):
                    if base not in dockers:
                        dockers[base] = docker.from_env().api
                    dockers[base].request(method, url, **extra)
    finally:
        http.close()
        for conn in conns.values():
            with contextlib.suppress(Exception):
                conn.close()
        for made in dockers.values():
            made.close()


def bare_run(recorded: dict[str, list[Op]], originals: tuple[Any, ...], cpu_window: float) -> float:
    """All recorded threads replayed at once, plus the CPU window waited out beside them; the wall time."""
    lanes = [threading.Thread(target=replay, args=(ops, originals)) for ops in recorded.values() if ops]
    lanes.append(threading.Thread(target=time.sleep, args=(cpu_window,)))
    started = time.monotonic()
    for lane in lanes:
        lane.start()
    for lane in lanes:
        lane.join()
    return time.monotonic() - started


def plain_originals() -> tuple[Any, ...]:
    """The unpatched library functions replay() calls (in a process that patched nothing)."""
    import boto3.session
    import botocore.client
    import docker.api.client
    import httpx
    import pymysql.connections

    return (pymysql.connections.Connection.__init__, pymysql.connections.Connection.query,
            botocore.client.BaseClient._make_api_call, boto3.session.Session.client, httpx.Client.send,
            docker.api.client.APIClient.request)


def bare_script(ops_file: Path, cpu_window: float) -> str:
    """A whole bare program: the client libraries, the recorded operations from ``ops_file``, nothing of wbtui."""
    import inspect

    parts = [inspect.getsource(f) for f in (plain_originals, replay, bare_run)]
    return ("from __future__ import annotations\nimport contextlib, pickle, threading, time\nfrom typing import Any\n"
            "Op = Any\n" + "\n\n".join(parts) +
            f"\nbare_run(pickle.loads(open({str(ops_file)!r}, 'rb').read()), plain_originals(), {cpu_window!r})\n")


def whole_programs(config: Config, args: argparse.Namespace, workdir: Path, recorded: dict[str, list[Op]]) -> None:
    """End to end, fresh processes: `wbtui check all --json` against the bare program replaying one run."""
    import pickle

    from wbtui.config import store as config_store

    saved = workdir / "e2e-config.toml"
    config_store.save(config, saved)
    ops_file = workdir / "ops.pickle"
    try:
        ops_file.write_bytes(pickle.dumps(recorded))
    except Exception as exc:  # an operation's argument that does not pickle: say so, skip the line
        print(f"  (end to end: the recorded operations do not pickle: {exc})")
        return
    script = workdir / "bare_checks.py"
    script.write_text(bare_script(ops_file, args.cpu_window))
    wbtui = str(Path(sys.executable).parent / "wbtui")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    programs = {"wbtui check all --json": [wbtui, "--config", str(saved), "check", "all", "--json",
                                           "--cpu-window", str(args.cpu_window)],
                "bare program": [sys.executable, str(script)]}
    if args.before:
        programs["before: wbtui check all --json"] = [
            sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); from wbtui.cli import run; run()",
            args.before, "--config", str(saved), "check", "all", "--json", "--cpu-window", str(args.cpu_window)]
    times: dict[str, list[float]] = {name: [] for name in programs}
    for argv in programs.values():
        subprocess.run(argv, capture_output=True, env=env, timeout=300)  # warm-up: .pyc files
    for _ in range(args.repeat):
        for name, argv in programs.items():
            began = time.monotonic()
            done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=300)
            times[name].append(time.monotonic() - began)
            if done.returncode not in (0, 1):
                raise RuntimeError(f"{name} exited {done.returncode}: {done.stderr[-500:]}")
    med = {name: statistics.median(values) for name, values in times.items()}
    print("  end to end (fresh processes, imports included):")
    for name, values in times.items():
        print(f"    {name:32} {med[name]:6.2f}s   runs: {', '.join(f'{t:.2f}' for t in values)}")
    ratio = med["wbtui check all --json"] / med["bare program"]
    print(f"    wbtui / bare program = {ratio:.2f}x  (target <= 1.3x: {'met' if ratio <= 1.3 else 'MISSED'})")
    if args.before:
        print(f"    before / bare program = {med['before: wbtui check all --json'] / med['bare program']:.2f}x")


BEFORE_CHILD = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from wbtui.checks.runner import run_checks
from wbtui.config import store
config = store.load(sys.argv[2])
timeout, window, repeat = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
run_checks(config, ("mysql", "s3"), timeout=timeout, cpu_window=window)
times = []
for _ in range(repeat):
    began = time.monotonic()
    run_checks(config, ("mysql", "s3"), timeout=timeout, cpu_window=window)
    times.append(time.monotonic() - began)
print(json.dumps(times))
"""


def versus_bare(config: Config, args: argparse.Namespace, workdir: Path) -> None:
    recorder = Recorder()
    recorder.install()
    stores = ("mysql", "s3")
    run_checks(config, stores, timeout=args.timeout, cpu_window=args.cpu_window)  # warm-up: imports
    ours: list[float] = []
    bare: list[float] = []
    network: list[float] = []
    counts = ""
    last: list[CheckResult] = []
    for _ in range(args.repeat):
        recorder.ops, recorder.active = {}, True
        seconds, last = timed(lambda: run_checks(config, stores, timeout=args.timeout, cpu_window=args.cpu_window))
        recorder.active = False
        ours.append(seconds)
        bare.append(bare_run(recorder.ops, recorder.originals, args.cpu_window))
        network.append(bare_run(recorder.ops, recorder.originals, 0.0))
        counts = ", ".join(f"{name}: {len(ops)}" for name, ops in sorted(recorder.ops.items()))
    before: list[float] = []
    if args.before:
        from wbtui.config import store as config_store

        saved = workdir / "before-config.toml"
        config_store.save(config, saved)
        out = subprocess.run([sys.executable, "-c", BEFORE_CHILD, args.before, str(saved), str(args.timeout),
                              str(args.cpu_window), str(args.repeat)], capture_output=True, text=True, timeout=600,
                             check=True)
        before = json.loads(out.stdout.strip().splitlines()[-1])
    o, b = statistics.median(ours), statistics.median(bare)
    ratios = [x / y for x, y in zip(ours, bare, strict=True)]
    print(f"\n== check all vs the same network operations done bare (median of {args.repeat} paired runs; "
          f"cpu window {args.cpu_window:g}s)")
    print(f"  operations recorded per thread: {counts}")
    print(f"  wbtui check all   {o:6.2f}s   runs: {', '.join(f'{t:.2f}' for t in ours)}   results: {tally(last)}")
    print(f"  (not passing: {', '.join(f'{r.id} {r.status.value}' for r in last if r.status is not Status.PASS)})")
    print(f"  bare replay       {b:6.2f}s   runs: {', '.join(f'{t:.2f}' for t in bare)}")
    n = statistics.median(network)
    print(f"  (the network operations alone, no CPU window: {n:.2f}s; wbtui's time over them is the window: "
          f"{o - n:.2f}s of {args.cpu_window:g}s)")
    if before:
        print(f"  before (older checkout) {statistics.median(before):6.2f}s   runs: "
              f"{', '.join(f'{t:.2f}' for t in before)}   = {statistics.median(before) / b:.2f}x bare")
    print(f"  check all / bare = {o / b:.2f}x (paired: median {statistics.median(ratios):.2f}x, "
          f"{min(ratios):.2f}-{max(ratios):.2f})  (target <= 1.3x: {'met' if o / b <= 1.3 else 'MISSED'})")
    whole_programs(config, args, workdir, recorder.ops)


def concurrency(config: Config, args: argparse.Namespace) -> None:
    def run(stores: tuple[str, ...]) -> Callable[[], list[CheckResult]]:
        return lambda: run_checks(config, stores, timeout=args.timeout, cpu_window=args.cpu_window)

    singles: tuple[tuple[str, ...], ...] = (("mysql",), ("s3",))
    for stores in singles:  # warm-up: client library imports are not what we measure
        run(stores)()
    times: dict[str, list[float]] = {"mysql": [], "s3": [], "all": []}
    last: dict[str, list[CheckResult]] = {}
    for _ in range(args.repeat):
        named: tuple[tuple[str, tuple[str, ...]], ...] = (("mysql", ("mysql",)), ("s3", ("s3",)),
                                                          ("all", ("mysql", "s3")))
        for name, stores in named:
            seconds, results = timed(run(stores))
            times[name].append(seconds)
            last[name] = results
    med = {k: statistics.median(v) for k, v in times.items()}
    slowest = max(med["mysql"], med["s3"])
    print(f"\n== check all vs the slowest store (median of {args.repeat}; timeout {args.timeout:g}s, "
          f"cpu window {args.cpu_window:g}s)")
    for name in ("mysql", "s3", "all"):
        runs = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"  {name:5} {med[name]:6.2f}s   runs: {runs}   results: {tally(last[name])}")
    ratio = med["all"] / slowest
    print(f"  all / slowest store = {ratio:.2f}x  (target <= 1.3x: {'met' if ratio <= 1.3 else 'MISSED'})")


def unresponsive(args: argparse.Namespace) -> None:
    print(f"\n== time to fail against a silent endpoint (timeout {args.silent_timeout:g}s, median of {args.repeat})")
    with silent_endpoint() as port:
        config = Config()
        config.server.MYSQL = f"mysql://wandb_local:bench-password@127.0.0.1:{port}/wandb_local"
        config.server.BUCKET = f"s3://BENCHKEY:bench-secret@127.0.0.1:{port}/wandb"
        cases: tuple[tuple[str, ...], ...] = (("mysql",), ("s3",), ("mysql", "s3"))
        for stores in cases:
            run_checks(config, stores, timeout=0.2)  # warm-up
            samples = []
            for _ in range(args.repeat):
                seconds, results = timed(partial(run_checks, config, stores, timeout=args.silent_timeout))
                samples.append(seconds)
            seconds = statistics.median(samples)
            ratio = seconds / args.silent_timeout
            verdict = "met" if 1.0 <= ratio <= 1.1 else "MISSED"
            failed = next((r for r in results if r.status is Status.FAIL), None)
            why = f"{failed.id}: {failed.summary}" if failed else "no failure?"
            print(f"  {'+'.join(stores):10} {seconds:5.2f}s = {ratio:.2f}x timeout (target 1.0-1.1x: {verdict})"
                  f"   runs: {', '.join(f'{t:.2f}' for t in samples)}")
            print(f"             {why[:110]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mysql", help="MYSQL URL of a prepared W&B user (default: start MariaDB)")
    parser.add_argument("--bucket", help="BUCKET URL of an existing bucket (default: start Ceph radosgw)")
    parser.add_argument("--region", default="us-east-1", help="AWS_REGION of the bucket (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=5.0, help="check timeout (default %(default)s)")
    parser.add_argument("--cpu-window", type=float, default=2.0,
                        help="MySQL CPU sample when local, as `wbtui check` (default %(default)s)")
    parser.add_argument("--silent-timeout", type=float, default=2.0,
                        help="timeout for the silent-endpoint runs (default %(default)s)")
    parser.add_argument("--before", metavar="DIR", help="also time an older checkout's checks (its wbtui/ in DIR)")
    parser.add_argument("--only-bare", action="store_true", help="only the comparison with the bare replay")
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}, load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="wbtui-bench-") as tmp, services(args, Path(tmp)) as config:
        versus_bare(config, args, Path(tmp))
        if not args.only_bare:
            concurrency(config, args)
    if not args.only_bare:
        unresponsive(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
