"""What the dashboard costs in a real terminal (a pty), each figure against its baseline in the same run.

* idle: 120 s on the Overview of a running stand-in container (heartbeat every 5 s, probes on a published
  port): the dashboard's CPU and the bytes it writes to the terminal, vs a bare Textual app with a 1 s clock.
  The window opens 20 s after the first output (``IDLE_SETTLE``): what start-up does after its first frame
  (client libraries imported on first use, the first checks and their toast) took 5-10 s on this loaded
  machine and is the start-up case's, not the idle one's.
* logs: the Logs pane following a container that logs at a steady 100 and 1,000 lines/s (the stand-in image
  with its entrypoint replaced by a busybox awk loop: ``STANDIN_*`` has no steady rate), at 80x24 and
  200x50, vs ``docker logs -f`` of the same container in the same kind of terminal.
* overview+stream: the Overview shown while the 100 lines/s log streams behind it, vs the idle dashboard.
* keys: key-to-frame p95 while 1,000 lines/s stream in (``t`` pressed every 50-150 ms, measured inside the
  app from the key event's creation to the end of the first frame written after it was handled).
* start-up: ``benchmarks/bench_ui_startup.py`` run as it is (its own baseline), its lines printed.

The programs of one case run at the same time, each in its own pty, reading the same container: machine
noise hits them alike. ``--before DIR`` adds the dashboard from another checkout (e.g. ``git archive HEAD
wbtui css | tar -x -C DIR``) to every case, so before and after are measured in one run.
CPU is the process's own user+system time (the Docker daemon's is not counted, for either side).

    python3 benchmarks/bench_terminal.py [--quick] [--rounds 3] [--before /tmp/wbtui-before]
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import pty
import random
import secrets
import select
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

IMAGE = "wbtui-test/local:dev"
IDLE_SETTLE = 20.0
"""Seconds from the first output to the idle window (start-up's own work after the first frame is over)."""
TICKS = os.sysconf("SC_CLK_TCK")
LINE = ('{"level":"info","ts":"2026-12-02T03:40:00Z","logger":"gorilla","msg":"handled request",'
        '"method":"POST","path":"/graphql","status":200,"ms":12,"seq":%d}')  # [shape] a wandb/local JSON line
RATE_SCRIPT = (  # one awk as PID 1: `rate` lines a second in 10 batches, flushed; usleep between batches
    "exec awk -v r={rate} 'BEGIN {{ b = int(r / 10); if (b < 1) b = 1; i = 0; while (1) {{ "
    "for (k = 0; k < b; k++) {{ i++; printf \"{line}\\n\", i }} fflush(); system(\"usleep 100000\") }} }}'"
)

CLOCK_APP = r"""
from datetime import datetime
from textual.app import App
from textual.widgets import Footer, Static

class Clock(App):
    def compose(self):
        yield Static(id="clock")
        yield Footer()

    def on_mount(self):
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self):
        self.query_one("#clock", Static).update(f"{datetime.now():%H:%M:%S}")

Clock().run()
"""

WBTUI = "import sys; sys.path.insert(0, {repo!r}); from wbtui.cli import run; sys.exit(run())"

# The dashboard, instrumented for key-to-frame times (as benchmarks/bench_ui_logs.py does), on the real stream.
KEYS_CHILD = r"""
import sys, json, time
sys.path.insert(0, {repo!r})
from pathlib import Path
from textual import events
from wbtui.ui.app import WbtuiApp
from wbtui.ui.session import Session

RESULT = Path({result!r})


class Bench(WbtuiApp):
    def on_mount(self):
        self.handled, self.seen, self.latencies = [], set(), []
        self.run_worker(self.begin())

    async def begin(self):
        await self.panes_mounted.wait()
        self.action_show_pane("logs")
        Path(str(RESULT) + ".ready").touch()

    async def on_event(self, event):
        await super().on_event(event)
        if isinstance(event, events.Key) and event.key == "t" and event.time not in self.seen:
            self.seen.add(event.time)
            self.handled.append(event.time)
        elif isinstance(event, events.Key) and event.key == "z":
            RESULT.write_text(json.dumps({{"latencies": self.latencies}}))
            self.exit()

    def _display(self, screen, renderable):
        super()._display(screen, renderable)
        if renderable is not None and self.handled:
            now = time.monotonic()
            self.latencies.extend(now - t for t in self.handled)
            self.handled.clear()


Bench(Session.open(Path({config!r})), tune_gc=True).run()
"""


# ---- a terminal that reads everything ---------------------------------------------------------------------
class Term:
    """A child process on a pty of the given size; counts the bytes it writes, reads its CPU time."""

    def __init__(self, argv: Sequence[str], size: tuple[int, int], env: dict[str, str] | None = None) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
                    "COLUMNS": str(size[0]), "LINES": str(size[1]), **(env or {})}
        self.proc = subprocess.Popen(list(argv), stdin=slave, stdout=slave, stderr=slave, env=full_env,
                                     start_new_session=True)
        os.close(slave)
        self.bytes = 0
        self.first_output = threading.Event()
        self.tail = bytearray()
        self._done = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while not self._done.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(self.master, 1 << 20)
                except OSError:
                    return
                if not chunk:
                    return
                self.bytes += len(chunk)
                self.first_output.set()
                self.tail.extend(chunk[-2048:])
                del self.tail[:-2048]

    def cpu(self) -> float:
        """User + system seconds of the process (and its waited-for children)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(v) for v in fields[11:15]) / TICKS

    def write(self, data: bytes) -> None:
        os.write(self.master, data)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._done.set()
        self._reader.join(timeout=5)
        os.close(self.master)


@dataclass
class Sample:
    cpu: float  # percent of one core
    bps: float  # bytes written to the terminal per second


def measure(terms: dict[str, Term], seconds: float) -> dict[str, Sample]:
    """CPU and bytes of every terminal over the same window."""
    start = {name: (t.cpu(), t.bytes) for name, t in terms.items()}
    began = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - began
    out = {}
    for name, term in terms.items():
        if term.proc.poll() is not None:
            raise SystemExit(f"{name} exited ({term.proc.returncode}); last output: {bytes(term.tail)[-400:]!r}")
        cpu0, bytes0 = start[name]
        out[name] = Sample(100 * (term.cpu() - cpu0) / wall, (term.bytes - bytes0) / wall)
    return out


# ---- containers and configs -------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_image() -> None:
    import docker

    from tests.services.docker_engine import ensure_standin_image

    client = docker.from_env()
    try:
        ensure_standin_image(client)
    finally:
        client.close()


@contextlib.contextmanager
def container(rate: int | None) -> Iterator[tuple[str, int]]:
    """The stand-in (``rate`` None: its normal start-up and heartbeat) or a steady-rate logger; (name, port)."""
    name, port = f"wbtui-bench-term-{secrets.token_hex(4)}", free_port()
    argv = ["docker", "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8080", "--memory", "256m",
            "--label", "app.kubernetes.io/managed-by=wbtui", "--label", f"wbtui.name={name}"]  # wbtui's own
    if rate is None:
        argv += ["-e", "STANDIN_READY_DELAY=0.5", "-e", "STANDIN_HEARTBEAT=5", IMAGE]
    else:
        line = LINE.replace('"', '\\"')
        argv += ["--entrypoint", "/bin/sh", IMAGE, "-c", RATE_SCRIPT.format(rate=rate, line=line)]
    subprocess.run(argv, check=True, capture_output=True)
    try:
        yield name, port
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)


def write_config(directory: Path, name: str, port: int, mysql: str = "") -> Path:
    from wbtui.config import store
    from wbtui.config.model import Config

    config = Config()
    config.server.MYSQL = mysql
    config.runtime.image, config.runtime.tag = IMAGE.split(":")
    config.runtime.container_name, config.runtime.volume = name, f"{name}-data"
    config.runtime.bind_address, config.runtime.port = "127.0.0.1", port
    config.server.HOST = "http://127.0.0.1:1"  # unreachable on purpose: probes go to the published port
    config.app.recheck_minutes = 0
    path = directory / f"{name}.toml"
    store.save(config, path)
    return path


def dashboard(repo: Path, config: Path, size: tuple[int, int], tmp: Path) -> Term:
    env = {"PYTHONPYCACHEPREFIX": str(tmp / "pycache" / repo.name), "XDG_STATE_HOME": str(tmp / "state"),
           "XDG_CACHE_HOME": str(tmp / "cache")}
    return Term([sys.executable, "-c", WBTUI.format(repo=str(repo)), "--config", str(config)], size, env)


def started(terms: dict[str, Term], settle: float) -> None:
    deadline = time.monotonic() + 60
    for name, term in terms.items():
        while not term.first_output.wait(0.1):
            if time.monotonic() > deadline or term.proc.poll() is not None:
                raise SystemExit(f"{name} did not start; last output: {bytes(term.tail)[-400:]!r}")
    time.sleep(settle)


# ---- the cases --------------------------------------------------------------------------------------------
@dataclass
class Case:
    title: str
    baseline: str
    rows: dict[str, list[Sample]] = field(default_factory=dict)

    def add(self, samples: dict[str, Sample]) -> None:
        for name, sample in samples.items():
            self.rows.setdefault(name, []).append(sample)


def med(values: list[float]) -> str:
    m = statistics.median(values)
    spread = f" ({min(values):.3g}-{max(values):.3g})" if len(values) > 1 else ""
    return f"{m:.3g}{spread}"


def report(case: Case) -> None:
    print(f"\n{case.title}")
    base = case.rows[case.baseline]
    b_cpu, b_bps = statistics.median(s.cpu for s in base), statistics.median(s.bps for s in base)
    for name, samples in case.rows.items():
        cpu = statistics.median(s.cpu for s in samples)
        bps = statistics.median(s.bps for s in samples)
        inf = float("inf")
        ratio = "" if name == case.baseline else (
            f"   {cpu / b_cpu if b_cpu else inf:.2f}x CPU, {bps / b_bps if b_bps else inf:.2f}x bytes")
        print(f"  {name:<22} CPU {med([s.cpu for s in samples]):>18} %   "
              f"{med([s.bps / 1000 for s in samples]):>18} KB/s{ratio}")


def run_idle(args: argparse.Namespace, variants: dict[str, Path], tmp: Path) -> Case:
    case = Case(f"idle on the Overview, {args.idle:g} s from {args.idle_settle:g} s after start, 80x24 "
                f"(median (min-max) of {args.rounds} rounds)",
                "bare Textual + clock")
    with container(None) as (name, port):
        config = write_config(tmp, name, port)
        for _ in range(args.rounds):
            terms = {"bare Textual + clock": Term([sys.executable, "-c", CLOCK_APP], (80, 24))}
            terms.update({f"wbtui {v}": dashboard(repo, config, (80, 24), tmp) for v, repo in variants.items()})
            try:
                started(terms, args.idle_settle)
                case.add(measure(terms, args.idle))
            finally:
                for term in terms.values():
                    term.close()
    return case


def run_logs(args: argparse.Namespace, variants: dict[str, Path], tmp: Path, rate: int,
             size: tuple[int, int]) -> Case:
    case = Case(f"Logs pane following {rate:,} lines/s, {size[0]}x{size[1]}, {args.window:g} s windows "
                f"(median (min-max) of {args.rounds} rounds)", "docker logs -f")
    with container(rate) as (name, port):
        config = write_config(tmp, name, port)
        for _ in range(args.rounds):
            terms = {"docker logs -f": Term(["docker", "logs", "-f", "--tail", "500", name], size)}
            terms.update({f"wbtui {v}": dashboard(repo, config, size, tmp) for v, repo in variants.items()})
            try:
                started(terms, 3.0)
                for v in variants:
                    terms[f"wbtui {v}"].write(b"5")  # the Logs pane
                time.sleep(args.settle)
                case.add(measure(terms, args.window))
            finally:
                for term in terms.values():
                    term.close()
    return case


def run_overview_streaming(args: argparse.Namespace, variants: dict[str, Path], tmp: Path) -> Case:
    case = Case(f"Overview shown, 100 lines/s streaming behind it, 80x24, {args.window:g} s windows",
                "wbtui after, idle")
    with container(100) as (name, port), container(None) as (idle_name, idle_port):
        config = write_config(tmp, name, port)
        idle_config = write_config(tmp, idle_name, idle_port)
        for _ in range(args.rounds):
            terms = {"wbtui after, idle": dashboard(REPO, idle_config, (80, 24), tmp)}
            terms.update({f"wbtui {v}": dashboard(repo, config, (80, 24), tmp) for v, repo in variants.items()})
            try:
                started(terms, args.settle)
                case.add(measure(terms, args.window))
            finally:
                for term in terms.values():
                    term.close()
    return case


def run_database(args: argparse.Namespace, variants: dict[str, Path], tmp: Path) -> Case:
    """The Database pane open (sampling every 3 s) vs the same dashboard idle on the Overview, both watching
    the W&B-like database of benchmarks/bench_db_status.py."""
    from benchmarks.bench_db_status import wandb_database

    case = Case(f"Database pane open vs idle on the Overview, 80x24, {args.window * 3:g} s windows "
                f"(median (min-max) of {args.rounds} rounds)", "wbtui after, Overview")
    with container(None) as (name, port), wandb_database() as (mysql, _):
        config = write_config(tmp, name, port, mysql)
        for _ in range(args.rounds):
            terms = {"wbtui after, Overview": dashboard(REPO, config, (80, 24), tmp)}
            terms.update({f"wbtui {v}, Database": dashboard(repo, config, (80, 24), tmp)
                          for v, repo in variants.items()})
            try:
                started(terms, 3.0)
                for v in variants:
                    terms[f"wbtui {v}, Database"].write(b"8")
                time.sleep(args.settle)
                case.add(measure(terms, args.window * 3))
            finally:
                for term in terms.values():
                    term.close()
    return case


def run_keys(args: argparse.Namespace, variants: dict[str, Path], tmp: Path) -> None:
    print(f"\nkey-to-frame while 1,000 lines/s stream into the Logs pane, 120x40, {args.keys} keys "
          "(target p95 <= 50 ms)")
    with container(1000) as (name, port):
        config = write_config(tmp, name, port)
        for variant, repo in variants.items():
            result = tmp / f"keys-{variant}.json"
            code = KEYS_CHILD.format(repo=str(repo), result=str(result), config=str(config))
            term = Term([sys.executable, "-c", code], (120, 40),
                        {"PYTHONPYCACHEPREFIX": str(tmp / "pycache" / repo.name)})
            try:
                deadline = time.monotonic() + 60
                while not Path(str(result) + ".ready").exists() and time.monotonic() < deadline:
                    time.sleep(0.05)
                time.sleep(3.0)  # the stream settles
                pause = random.Random(6).uniform
                for _ in range(args.keys):
                    term.write(b"t")
                    time.sleep(pause(0.05, 0.15))
                term.write(b"z")
                term.proc.wait(timeout=30)
            finally:
                term.close()
            if not result.exists():
                print(f"  wbtui {variant}: no result; last output {bytes(term.tail)[-300:]!r}")
                continue
            ms = sorted(x * 1000 for x in json.loads(result.read_text())["latencies"])
            p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
            print(f"  wbtui {variant:<16} {len(ms)} keys: p50 {statistics.median(ms):.1f} ms, p95 {p95:.1f} ms, "
                  f"max {ms[-1]:.1f} ms")


def run_startup(args: argparse.Namespace) -> None:
    print("\nstart-up (benchmarks/bench_ui_startup.py, run as it is)")
    out = subprocess.run([sys.executable, str(REPO / "benchmarks" / "bench_ui_startup.py"),
                          "--runs", str(3 if args.quick else 15)], capture_output=True, text=True, timeout=900)
    for line in (out.stdout or out.stderr).strip().splitlines():
        print(f"  {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short windows, one round (development)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a checkout of the dashboard to compare with (its wbtui/, css/)")
    parser.add_argument("--only", default="idle,logs,overview,keys,startup",
                        help="comma-separated cases: idle, logs, overview, keys, startup, database")
    parser.add_argument("--sizes", default="80x24,200x50")
    parser.add_argument("--rates", default="100,1000")
    args = parser.parse_args()
    args.idle, args.window, args.settle, args.idle_settle, args.keys = 120.0, 20.0, 5.0, IDLE_SETTLE, 100
    if args.quick:
        args.idle, args.window, args.settle, args.idle_settle, args.keys, args.rounds = 15.0, 8.0, 3.0, 10.0, 40, 1
    variants = {"after": REPO}
    if args.before is not None:
        variants = {"before": args.before.resolve(), "after": REPO}
    only = set(args.only.split(","))
    ensure_image()
    print(f"bench_terminal {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}; before = {args.before or '-'}")
    with tempfile.TemporaryDirectory(prefix="wbtui-bench-term-") as name:
        tmp = Path(name)
        if "logs" in only:
            for rate in (int(r) for r in args.rates.split(",")):
                for size in args.sizes.split(","):
                    w, h = (int(v) for v in size.split("x"))
                    report(run_logs(args, variants, tmp, rate, (w, h)))
        if "overview" in only:
            report(run_overview_streaming(args, variants, tmp))
        if "idle" in only:
            report(run_idle(args, variants, tmp))
        if "keys" in only:
            run_keys(args, variants, tmp)
        if "database" in only:
            report(run_database(args, variants, tmp))
    if "startup" in only:
        run_startup(args)


if __name__ == "__main__":
    main()
