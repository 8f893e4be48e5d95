#!/usr/bin/env python3
"""`wbtui backup` throughput against the bare dump tool, wbtui's peak memory during a large dump, and the
restore's throughput against the bare client.

    python benchmarks/bench_backup.py            # a ~300 MB database (the default)
    python benchmarks/bench_backup.py --mb 1000  # 1 GB: slower to build here (2 shared cores)

Starts a private MariaDB (tests/services), fills a W&B-like table with ``--mb`` MB of rows (text that
compresses like W&B's JSON configs and summaries, plus hex digests that do not), then times, alternately and
``--rounds`` times each, the bare client tool with the very argv wbtui uses writing to /dev/null, the same
through ``cat`` (the floor for anything that keeps the dump: the tool, CPU-bound on one core, pays for every
write into a pipe; /dev/null takes them for free), the same through zstd, and
``wbtui backup --to DIR --no-prune`` (dump, zstd, sha256, the inventory with COUNT(*) and CHECKSUM TABLE on a
second connection, the manifest, fsync). The best run of each is compared. wbtui's peak RSS is its own
process's (ru_maxrss of the wbtui process; the dump tool and zstd are separate processes).
Then the restore of the last backup, alternately ``--rounds`` times each: the bare client fed through the same
decompression (``zstd -dc FILE | mariadb ... DB``, wbtui's client argv) against wbtui's ``restore_database``
(size and sha256, the read of the whole dump, emptying the database, the load, COUNT(*) and CHECKSUM TABLE of
every table), each into the same database; the restore's peak RSS too.
Goals: throughput >= 0.9x the bare tool; peak RSS < 100 MB (the dump streams).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.services.mariadb import MariaDB  # noqa: E402
from wbtui.config import store  # noqa: E402
from wbtui.config.model import Config  # noqa: E402
from wbtui.config.urls import MysqlURL  # noqa: E402
from wbtui.ops.backup.dump import MAX_PACKET, ZSTD_ARGS, connection_args, dump_command, private_dir, write_defaults  # noqa: E402
from wbtui.ops.backup.tools import CLIENT_NAMES, DUMP_NAMES, child_env, choose  # noqa: E402

ROW_BYTES = 1100
WRAPPER = ("import resource, sys; from wbtui.cli import main; rc = main(sys.argv[1:]); "
           "print('MAXRSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)")


def fill(server: MariaDB, mb: int) -> int:
    server.execute("CREATE DATABASE wandb_bench CHARACTER SET utf8mb4")
    server.execute("CREATE USER 'wandb'@'%' IDENTIFIED BY 'bench-Pa55'")
    server.execute("GRANT ALL ON wandb_bench.* TO 'wandb'@'%'")
    server.execute("CREATE TABLE wandb_bench.runs (id BIGINT PRIMARY KEY, name VARCHAR(128), config TEXT, "
                   "summary TEXT, digest CHAR(64)) ENGINE=InnoDB")
    rows = mb * 1_000_000 // ROW_BYTES
    step = 50_000
    for start in range(0, rows, step):
        n = min(step, rows - start)
        server.execute(
            "INSERT INTO wandb_bench.runs SELECT seq, CONCAT('run-', seq, ' 🚀'), "
            "CONCAT('{\"lr\": 0.', seq MOD 997, ', \"batch\": ', seq MOD 512, ', \"opt\": \"adam\", \"tags\": [', "
            "REPEAT(CONCAT('\"t', seq MOD 13, '\",'), 20), '\"x\"]}'), "
            "CONCAT(REPEAT(MD5(seq MOD 1000), 8), SHA2(seq, 512), SHA2(seq + 1, 512)), SHA2(seq, 256) "
            f"FROM wandb_bench.seq_{start + 1}_to_{start + n}")
    return rows


def bare(server: MariaDB, url: MysqlURL, pipe: str = "") -> tuple[float, int]:
    """The bare tool with wbtui's argv to /dev/null (``pipe``: through that command first); seconds and bytes."""
    choice = choose(DUMP_NAMES, "mariadb", "the benchmark")
    with private_dir() as home:
        defaults = write_defaults(home, url)
        argv = dump_command(choice, url, defaults, "mariadb")
        began = time.monotonic()
        if pipe:
            subprocess.run(f"{shlex.join(argv)} | {pipe} > /dev/null", shell=True, check=True,
                           env=child_env(str(home)))
            return time.monotonic() - began, 0
        with open("/dev/null", "wb") as sink:
            subprocess.run(argv, stdout=sink, check=True, env=child_env(str(home)))
        seconds = time.monotonic() - began
        size = int(subprocess.run(f"{' '.join(argv)} | wc -c", shell=True, capture_output=True, text=True,
                                  check=True, env=child_env(str(home))).stdout)
    return seconds, size


def cached_bytecode(tmp: Path) -> dict[str, str]:
    """The children's environment: they write and read .pyc files under a private prefix even where
    PYTHONDONTWRITEBYTECODE is set, as after a pip install (which byte-compiles every module); otherwise each
    run would charge wbtui ~130 ms of compiling its own sources, which the bare tool never pays."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    return env


def wbtui(config: Path, out: Path, env: dict[str, str]) -> tuple[float, int, dict[str, object]]:
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", WRAPPER, "--config", str(config), "backup", "--to", str(out),
                           "--no-prune", "--json"], capture_output=True, text=True, cwd=REPO, check=False, env=env)
    seconds = time.monotonic() - began
    if done.returncode != 0:
        raise SystemExit(f"wbtui backup failed: {done.stderr}")
    rss = int(done.stderr.rsplit("MAXRSS_KB", 1)[1].split()[0])
    return seconds, rss, json.loads(done.stdout)


RESTORE = ("import resource, sys; from wbtui.config import store; from wbtui.ops.backup.destinations import Local; "
           "from wbtui.ops.backup.restore import restore_database; from pathlib import Path; "
           "r = restore_database(store.load(Path(sys.argv[1])), sys.argv[2], [Local(Path(sys.argv[3]))], timeout=30); "
           "print(r.rows, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")


def bare_restore(url: MysqlURL, dump: Path) -> float:
    """The bare client with wbtui's argv, fed by ``zstd -dc``: seconds."""
    choice = choose(CLIENT_NAMES, "mariadb", "the benchmark")
    with private_dir() as home:
        defaults = write_defaults(home, url)
        argv = [choice.tool.path, f"--defaults-extra-file={defaults}", *connection_args(url),
                "--default-character-set=utf8mb4", "--binary-mode", MAX_PACKET, url.database]
        began = time.monotonic()
        subprocess.run(f"zstd -q -dc {shlex.quote(str(dump))} | {shlex.join(argv)}", shell=True, check=True,
                       env=child_env(str(home)))
        return time.monotonic() - began


def wbtui_restore(config: Path, backup: str, directory: Path, env: dict[str, str]) -> tuple[float, int]:
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", RESTORE, str(config), backup, str(directory)], capture_output=True,
                          text=True, cwd=REPO, check=False, env=env)
    seconds = time.monotonic() - began
    if done.returncode != 0:
        raise SystemExit(f"wbtui restore failed: {done.stderr}")
    return seconds, int(done.stdout.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=300, help="database size in MB (default 300)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wbtui-bench-backup-") as tmp:
        server = MariaDB(Path(tmp) / "mariadb")
        server.start()
        try:
            began = time.monotonic()
            rows = fill(server, args.mb)
            print(f"filled wandb_bench.runs: {rows:,} rows in {time.monotonic() - began:.0f}s")
            url = MysqlURL("wandb", "bench-Pa55", server.host, "wandb_bench", server.port)
            config = Config()
            config.server.MYSQL = url.format()
            path = Path(tmp) / "config.toml"
            store.save(config, path)
            env = cached_bytecode(Path(tmp))
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "wbtui")], env=env, check=True,
                           stdout=subprocess.DEVNULL)
            bare_times, cat_times, zstd_times, wbtui_times, rss_kb, stage_times = [], [], [], [], [], []
            zstd_cmd = shlex.join(["zstd", "-q", "-c", *ZSTD_ARGS])
            size = 0
            manifest: dict[str, object] = {}
            for i in range(args.rounds):
                seconds, size = bare(server, url)
                bare_times.append(seconds)
                cat_times.append(bare(server, url, "cat")[0])
                zstd_times.append(bare(server, url, zstd_cmd)[0])
                out = Path(tmp) / f"out{i}"
                seconds, rss, report = wbtui(path, out, env)
                wbtui_times.append(seconds)
                rss_kb.append(rss)
                manifest = report["manifest"]  # type: ignore[assignment]
                stage_times.append(float(manifest["seconds"]))  # type: ignore[arg-type]
                if i < args.rounds - 1:
                    for f in out.iterdir():
                        f.unlink()
            b, w = min(bare_times), min(wbtui_times)
            mb = size / 1e6
            print(f"dump: {mb:,.0f} MB of SQL; compressed {int(manifest['size']) / 1e6:,.0f} MB "  # type: ignore[call-overload]
                  f"({manifest['compression']})")
            print(f"bare {DUMP_NAMES[0]} > /dev/null: best {b:.2f}s ({mb / b:,.0f} MB/s) of "
                  f"{', '.join(f'{t:.2f}' for t in bare_times)}")
            c = min(cat_times)
            print(f"bare tool | cat > /dev/null: best {c:.2f}s ({mb / c:,.0f} MB/s) of "
                  f"{', '.join(f'{t:.2f}' for t in cat_times)}: {b / c:.2f}x the tool to /dev/null, the ceiling "
                  "of any consumer of its output on this host")
            z = min(zstd_times)
            print(f"bare tool | {zstd_cmd} > /dev/null: best {z:.2f}s ({mb / z:,.0f} MB/s) of "
                  f"{', '.join(f'{t:.2f}' for t in zstd_times)}")
            print(f"wbtui backup:                 best {w:.2f}s ({mb / w:,.0f} MB/s) of "
                  f"{', '.join(f'{t:.2f}' for t in wbtui_times)}")
            stage = min(stage_times)
            print(f"wbtui's dump stage (dump | zstd | sha256 | file, the manifest's seconds): best {stage:.2f}s "
                  f"({mb / stage:,.0f} MB/s); the rest is start-up, the inventory's end and the manifest")
            ratio = b / w
            peak = max(rss_kb) / 1024
            print(f"throughput ratio: {ratio:.2f}x the bare tool to /dev/null (goal >= 0.9x): "
                  f"{'ok' if ratio >= 0.9 else 'MISSED'}; {z / w:.2f}x the bare tool piped through zstd "
                  "(what wbtui adds beyond the compression: the inventory, sha256, the file, start-up)")
            print(f"wbtui peak RSS: {peak:.0f} MB (goal < 100 MB): {'ok' if peak < 100 else 'MISSED'}")
            last = Path(tmp) / f"out{args.rounds - 1}"
            dump = last / str(manifest["file"])
            bare_loads, wbtui_loads, restore_rss = [], [], []
            for _ in range(args.rounds):
                bare_loads.append(bare_restore(url, dump))
                seconds, rss = wbtui_restore(path, str(manifest["id"]), last, env)
                wbtui_loads.append(seconds)
                restore_rss.append(rss)
            bl, wl = min(bare_loads), min(wbtui_loads)
            print(f"bare zstd -dc | {CLIENT_NAMES[0]}: best {bl:.2f}s ({mb / bl:,.0f} MB/s of SQL) of "
                  f"{', '.join(f'{t:.2f}' for t in bare_loads)}")
            print(f"wbtui restore_database:    best {wl:.2f}s ({mb / wl:,.0f} MB/s of SQL) of "
                  f"{', '.join(f'{t:.2f}' for t in wbtui_loads)}")
            print(f"restore throughput ratio: {bl / wl:.2f}x the bare client (goal >= 0.9x): "
                  f"{'ok' if bl / wl >= 0.9 else 'MISSED'}; wbtui's peak RSS {max(restore_rss) / 1024:.0f} MB")
        finally:
            server.stop(remove_data=True)


if __name__ == "__main__":
    main()
