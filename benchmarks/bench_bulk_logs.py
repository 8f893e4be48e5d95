"""A bulk window: 1M log lines, the time until the last one is on screen, against toolong and raw `docker logs`.

A stand-in container (``STANDIN_BURST_LINES=1000000``, see tests/standin/README.md) logs 1M lines; then, in
rounds that alternate:

* ``docker logs``: the raw log through Docker, read to its end (the floor for anything that reads it);
* toolong (``tl``, a Textual log viewer) on the same lines saved to a file, in a pty: until the last line
  is on screen. Installed only for this benchmark, never a project dependency:
  ``python3 -m venv /tmp/toolong-venv && /tmp/toolong-venv/bin/pip install toolong`` (skipped if missing);
* the dashboard in a pty: the Logs pane, ``T``, ``all``, Enter: until the status line says the whole log
  arrived (``900,000 dropped``: the ring keeps 100k) with the last line on screen; the process's peak RSS
  (VmHWM) then, with the real stream (the Docker reader's own batches). As root on this host the window
  comes from the container's json-file log (wbtui/runtime/docker/logfile.py), as toolong reads its file;
  with a remote daemon it would come through the daemon's stream, which ``docker logs`` measures.

``--before DIR`` adds the dashboard from another checkout (``git archive HEAD wbtui css | tar -x -C DIR``).
Goals (issue 17): last line on screen <= 1.2x toolong, >= 0.9x the speed of raw ``docker logs``; peak RSS
<= 120 MB.

    python3 benchmarks/bench_bulk_logs.py [--rounds 3] [--lines 1000000] [--before /tmp/wbtui-before]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_terminal import IMAGE, WBTUI, Term, ensure_image, free_port, write_config  # noqa: E402

ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]")
TOOLONG = Path(os.environ.get("TOOLONG", "/tmp/toolong-venv/bin/tl"))


def wait_for(term: Term, needle: bytes, since: int, timeout: float) -> float | None:
    """Monotonic time when ``needle`` first appeared in what the terminal received after byte ``since``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if term.proc.poll() is not None:
            return None
        if term.found_at(needle, since) is not None:
            return term.found_at(needle, since)
        time.sleep(0.005)
    return None


class Recording(Term):
    """A Term that keeps everything it received, with the time each chunk came."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.chunks: list[tuple[int, float, bytes]] = []  # (offset, time, bytes)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def _drain(self) -> None:
        import select

        while not self._done.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 1 << 20)
                except OSError:
                    return
                if not chunk:
                    return
                self.chunks.append((self.bytes, time.monotonic(), chunk))
                self.bytes += len(chunk)
                self.first_output.set()

    def found_at(self, needle: bytes, since: int) -> float | None:
        """When ``needle`` showed, as text (escape sequences between its characters removed)."""
        tail = b""
        for offset, when, chunk in list(self.chunks):
            if offset + len(chunk) < since:
                continue
            joined = tail + chunk
            if needle in ESCAPES.sub(b"", joined):
                return when
            tail = joined[-512:]
        return None

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def docker_logs(name: str) -> float:
    began = time.monotonic()
    proc = subprocess.Popen(["docker", "logs", name], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    while proc.stdout.read(1 << 20):
        pass
    proc.wait()
    return time.monotonic() - began


def toolong(path: Path, last: bytes) -> float | None:
    began = time.monotonic()
    term = Recording([str(TOOLONG), str(path)], (120, 40))
    try:
        seen = wait_for(term, last, 0, 120)
    finally:
        term.close()
    return None if seen is None else seen - began


def wbtui(repo: Path, config: Path, last: bytes, dropped: bytes, tmp: Path) -> tuple[float, float] | None:
    env = {"PYTHONPYCACHEPREFIX": str(tmp / "pycache" / repo.name), "XDG_STATE_HOME": str(tmp / "state"),
           "XDG_CACHE_HOME": str(tmp / "cache")}
    term = Recording([sys.executable, "-c", WBTUI.format(repo=str(repo)), "--config", str(config)], (120, 40), env)
    try:
        if wait_for(term, b"Overview", 0, 60) is None:
            return None
        time.sleep(1.0)
        term.write(b"5")
        if wait_for(term, last, 0, 60) is None:  # the default window (tail 500) is on screen
            return None
        time.sleep(1.0)
        term.write(b"T")
        if wait_for(term, b"Show which lines", 0, 30) is None:
            return None
        time.sleep(0.3)
        term.write(b"\x7f" * 12 + b"all")  # backspaces clear the field ("500"), then the window
        time.sleep(0.3)
        mark = term.bytes
        began = time.monotonic()
        term.write(b"\r")
        done = wait_for(term, dropped, mark, 120)
        if done is None:
            return None
        shown = wait_for(term, last, mark, 30)
        rss = term.peak_rss_mb()
        return max(done, shown or done) - began, rss
    finally:
        term.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--before", type=Path, help="a checkout of the dashboard to compare with")
    args = parser.parse_args()
    ensure_image()
    variants = {"after": REPO} if args.before is None else {"before": args.before.resolve(), "after": REPO}
    name, port = f"wbtui-bench-bulk-{os.getpid()}", free_port()
    print(f"bench_bulk_logs {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} CPUs, "
          f"{args.lines:,} lines, {args.rounds} rounds")
    subprocess.run(["docker", "run", "-d", "--name", name, "-p", f"127.0.0.1:{port}:8080",
                    "--label", "app.kubernetes.io/managed-by=wbtui", "--label", f"wbtui.name={name}",
                    "-e", f"STANDIN_BURST_LINES={args.lines}", "-e", "STANDIN_HEARTBEAT=0",
                    "-e", "STANDIN_READY_DELAY=0.5", IMAGE], check=True, capture_output=True)
    try:
        deadline = time.monotonic() + 300
        burst_end = f"log line {args.lines:06d}".encode()
        while b"migrations complete" not in subprocess.run(["docker", "logs", "--tail", "20", name],
                                                           capture_output=True).stdout:
            if time.monotonic() > deadline:
                raise SystemExit("the burst did not finish")
            time.sleep(0.5)
        time.sleep(2.0)  # the ready lines after the burst
        with tempfile.TemporaryDirectory(prefix="wbtui-bench-bulk-") as tmpname:
            tmp = Path(tmpname)
            config = write_config(tmp, name, port)
            log = tmp / "burst.log"
            with log.open("wb") as out:
                subprocess.run(["docker", "logs", name], stdout=out, check=True)
            rows = log.read_bytes().splitlines()
            if burst_end not in rows[-20:][0] and not any(burst_end in row for row in rows[-20:]):
                raise SystemExit("the burst's last line is missing")
            last = rows[-1][:50]  # the log's own last line (after the burst: the ready lines), as shown
            dropped = f"{len(rows) - 100_000:,} dropped".encode()  # the ring holds 100k: the rest were counted
            if not TOOLONG.exists():
                print(f"toolong: not installed at {TOOLONG}, baseline skipped (python3 -m venv /tmp/toolong-venv "
                      "&& /tmp/toolong-venv/bin/pip install toolong)")
            times: dict[str, list[float]] = {}
            rss: dict[str, list[float]] = {}
            for _ in range(args.rounds):
                times.setdefault("docker logs", []).append(docker_logs(name))
                if TOOLONG.exists():
                    seen = toolong(log, last)
                    if seen is not None:
                        times.setdefault("toolong", []).append(seen)
                for variant, repo in variants.items():
                    result = wbtui(repo, config, last, dropped, tmp)
                    if result is None:
                        print(f"  wbtui {variant}: the whole log was not on screen within 120 s", flush=True)
                        continue
                    times.setdefault(f"wbtui {variant}", []).append(result[0])
                    rss.setdefault(f"wbtui {variant}", []).append(result[1])
                    print(f"  (round) wbtui {variant}: {result[0]:.2f} s, peak RSS {result[1]:.0f} MB", flush=True)
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
    base = {k: statistics.median(v) for k, v in times.items()}
    for key, values in times.items():
        med = base[key]
        ratios = []
        if key.startswith("wbtui"):
            if "toolong" in base:
                ratios.append(f"{med / base['toolong']:.2f}x toolong (goal <= 1.2)")
            ratios.append(f"{base['docker logs'] / med:.2f}x the speed of docker logs (goal >= 0.9)")
            ratios.append(f"peak RSS {statistics.median(rss[key]):.0f} MB (goal <= 120)")
        what = "read to its end" if key == "docker logs" else "last line on screen"
        print(f"  {key:<14} {what:<19} {med:6.2f} s (min {min(values):.2f}, max {max(values):.2f})"
              + ("   " + ", ".join(ratios) if ratios else ""))


if __name__ == "__main__":
    main()
