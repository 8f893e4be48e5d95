"""What one refresh of the database view costs the server, against a bare ``SELECT 1`` in the same run.

A private MariaDB (the test services' class) holds a W&B-like database (a few tables with rows); the
watched account has PROCESS, so a refresh runs every query it can. Rounds alternate: R refreshes of
``MysqlWatch.step()`` (as `wbtui db status --watch` and the Database pane run them), then the same number
of bare ``SELECT 1`` round trips on another connection. Per refresh: queries, wall time on the client,
and the server's own CPU time (mariadbd's threads' schedstat in /proc); each against one ``SELECT 1`` and against as
many ``SELECT 1`` as the refresh sends queries. The refresh that also reads the table sizes (once a minute)
is measured apart.

    python3 benchmarks/bench_db_status.py [--refreshes 200] [--rounds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

USER, PASSWORD, DATABASE = "wandb_local", "bench-db-status", "wandb_local"


@contextlib.contextmanager
def wandb_database() -> Iterator[tuple[str, int]]:
    """A private MariaDB with a W&B-like database; (MYSQL URL of the W&B account, mariadbd's pid)."""
    from tests.services.mariadb import MariaDB

    with tempfile.TemporaryDirectory(prefix="wbtui-bench-db-") as workdir:
        server = MariaDB(Path(workdir))
        server.start()
        try:
            server.create_database(DATABASE)
            server.create_user(USER, PASSWORD)
            server.grant("ALL", f"`{DATABASE}`.*", USER)
            server.grant("PROCESS, SLAVE MONITOR, REPLICATION MASTER ADMIN", "*.*", USER)  # every query runs
            for table in ("runs", "history", "files", "artifacts"):
                server.execute(f"CREATE TABLE {DATABASE}.{table} (id INT PRIMARY KEY, body TEXT)")
                server.execute(f"INSERT INTO {DATABASE}.{table} SELECT seq, REPEAT('x', 500) FROM "
                               f"{DATABASE}.seq_1_to_5000")
            assert server.process is not None
            yield server.url(USER, PASSWORD, DATABASE), server.process.pid
        finally:
            server.stop(remove_data=True)


def server_cpu(pid: int) -> float:
    """Seconds on a CPU of all of mariadbd's threads (schedstat: nanoseconds, finer than stat's ticks)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):  # a thread that just ended
            continue
    return total / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refreshes", type=int, default=200, help="refreshes (and SELECT 1s) per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import pymysql

    from wbtui.config.urls import MysqlURL
    from wbtui.monitor.mysql_watch import MysqlWatch

    with wandb_database() as (text, pid):
        url = MysqlURL.parse(text)
        watch = MysqlWatch(url, 5.0, tables_every=86400)
        bare = pymysql.connect(host=url.host, port=url.effective_port, user=url.user, password=url.password,
                               database=url.database, autocommit=True)
        watch.step()  # connected, the first table reading done
        refresh_ms, refresh_cpu, select_ms, select_cpu, queries, table_ms = [], [], [], [], [], []
        try:
            for _ in range(args.rounds):
                cpu0, t0 = server_cpu(pid), time.perf_counter()
                for _ in range(args.refreshes):
                    queries.append(watch.step().queries)
                refresh_ms.append((time.perf_counter() - t0) * 1000 / args.refreshes)
                refresh_cpu.append((server_cpu(pid) - cpu0) * 1000 / args.refreshes)
                cpu0, t0 = server_cpu(pid), time.perf_counter()
                with bare.cursor() as cur:
                    for _ in range(args.refreshes):
                        cur.execute("SELECT 1")
                        cur.fetchall()
                select_ms.append((time.perf_counter() - t0) * 1000 / args.refreshes)
                select_cpu.append((server_cpu(pid) - cpu0) * 1000 / args.refreshes)
                watch.read_tables_next()
                t0 = time.perf_counter()
                watch.step()
                table_ms.append((time.perf_counter() - t0) * 1000)
        finally:
            bare.close()
            watch.close()
    per = statistics.median(queries)
    r_ms, s_ms = statistics.median(refresh_ms), statistics.median(select_ms)
    r_cpu, s_cpu = statistics.median(refresh_cpu), statistics.median(select_cpu)
    print(f"bench_db_status {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"{args.rounds} rounds of {args.refreshes} (medians; min-max of rounds)")
    print(f"  queries per refresh      {per:g}")
    print(f"  time per refresh         {r_ms:.2f} ms ({min(refresh_ms):.2f}-{max(refresh_ms):.2f})")
    print(f"  SELECT 1 round trip      {s_ms:.3f} ms ({min(select_ms):.3f}-{max(select_ms):.3f})")
    print(f"  refresh / SELECT 1       {r_ms / s_ms:.1f}x wall, {r_ms / (s_ms * per):.2f}x of {per:g} SELECT 1s")
    print(f"  server CPU per refresh   {r_cpu:.3f} ms vs {s_cpu:.4f} ms per SELECT 1: "
          f"{r_cpu / s_cpu if s_cpu else float('inf'):.1f}x")
    print(f"  refresh with table sizes {statistics.median(table_ms):.2f} ms (once a minute)")


if __name__ == "__main__":
    main()
