"""Datastore checks: do the two stores really run concurrently, and do timeouts hold?

Prints, in one run:

- the wall time of `check all` (MySQL and S3 in parallel) against the slowest single
  store alone, median of --repeat runs (target <= 1.3x);
- the time to fail against an endpoint that accepts TCP and never answers, against
  the configured timeout, for each store and for both (target 1.0-1.1x).

    python3 benchmarks/bench_checks.py [--mysql URL] [--bucket URL --region R] [--repeat 5]

Without --mysql (or $WBTUI_BENCH_MYSQL) a private MariaDB is started and
`db init` creates the W&B user and database; without --bucket (or
$WBTUI_BENCH_BUCKET) a private Ceph radosgw is started with a fresh bucket. Both are
the test-suite servers (tests/services), stopped and removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

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


def concurrency(config: Config, args: argparse.Namespace) -> None:
    def run(stores: tuple[str, ...]) -> Callable[[], list[CheckResult]]:
        return lambda: run_checks(config, stores, timeout=args.timeout, cpu_window=args.cpu_window)

    for stores in (("mysql",), ("s3",)):  # warm-up: client library imports are not what we measure
        run(stores)()
    times: dict[str, list[float]] = {"mysql": [], "s3": [], "all": []}
    last: dict[str, list[CheckResult]] = {}
    for _ in range(args.repeat):
        for name, stores in (("mysql", ("mysql",)), ("s3", ("s3",)), ("all", ("mysql", "s3"))):
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
        for stores in (("mysql",), ("s3",), ("mysql", "s3")):
            run_checks(config, stores, timeout=0.2)  # warm-up
            samples = []
            for _ in range(args.repeat):
                seconds, results = timed(lambda s=stores: run_checks(config, s, timeout=args.silent_timeout))
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
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}, load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="wbtui-bench-") as tmp, services(args, Path(tmp)) as config:
        concurrency(config, args)
    unresponsive(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
