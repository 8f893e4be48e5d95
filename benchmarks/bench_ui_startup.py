"""Start-up to the first full frame: the `wbtui` command vs a bare Textual app, in the same run.

1. Real start-up (the figure that counts): the installed `wbtui` console script (the
   venv's `bin/wbtui`, as an operator types it) and a bare Textual app script, each a
   fresh process in a pty of --size with a temporary HOME holding a default config.
   The clock runs from just before the process is spawned until the terminal has
   received a full frame: every cell of every row written since the start (a small
   VT parser follows the cursor moves, so a frame that arrives in several reads is
   complete only when its last cell is). Target: median ratio <= 1.2x.
2. Headless (second line): interpreter start to the end of the first refresh inside
   the process, `run(headless=True)`, with the app object built by hand (no CLI).

The two apps alternate so machine noise hits both alike; medians and spreads are
printed. Both run from cached bytecode, as after a pip install (which byte-compiles
every module): the children write and read their .pyc files under a private
PYTHONPYCACHEPREFIX even where PYTHONDONTWRITEBYTECODE is set, so wbtui is not charged
for compiling its sources while Textual's come precompiled. DOCKER_HOST points at a
socket that does not exist (no daemon is asked anything; pass --docker to keep the
real one).

    python3 benchmarks/bench_ui_startup.py [--runs 15] [--size 80x24] [--docker]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BARE_APP = r"""
from textual.app import App
from textual.widgets import Footer, Static


class Bare(App):
    def compose(self):
        yield Static("hello")
        yield Footer()


Bare().run()
"""

HEADLESS_CHILD = r"""
import sys, time
started = time.perf_counter()
sys.path.insert(0, {repo!r})
kind = {kind!r}
if kind == "bare":
    from textual.app import App
    from textual.widgets import Footer, Static

    class Bench(App):
        def compose(self):
            yield Static("hello")
            yield Footer()

        def on_mount(self):
            self.call_after_refresh(self.first_frame)

        def first_frame(self):
            print(time.perf_counter() - started)
            self.exit()

    app = Bench()
else:
    from pathlib import Path
    from wbtui.ui.app import WbtuiApp
    from wbtui.ui.session import Session

    class Bench(WbtuiApp):
        def on_mount(self):  # runs before WbtuiApp.on_mount (Textual calls handlers along the MRO)
            self.call_after_refresh(self.first_frame)  # so this is queued before the app's after-frame work

        def first_frame(self):
            print(time.perf_counter() - started)
            self.exit()

    app = Bench(Session.open(Path({config!r})), background=False)
app.run(headless=True, size=(80, 24))
"""

_ESCAPE = re.compile(rb"\x1b\[([0-9;?>=<$]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]")
_TEXT = re.compile(rb"[^\x00-\x1f\x1b]+")


def _utf8_length(lead: int) -> int:
    return 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


class Screen:
    """Which cells of a width x height terminal have been written: enough VT to know when a frame is whole."""

    def __init__(self, width: int, height: int) -> None:
        from rich.cells import cell_len

        self.cell_len = cell_len
        self.width, self.height = width, height
        self.rows = [bytearray(width) for _ in range(height)]
        self.missing = width * height
        self.x = self.y = 0
        self.pending = b""

    def feed(self, data: bytes) -> bool:
        """Take what the terminal received; True once every cell has been written."""
        data = self.pending + data
        self.pending = b""
        pos = 0
        while pos < len(data):
            byte = data[pos]
            if byte == 0x1B:
                match = _ESCAPE.match(data, pos)
                if match is None:
                    if len(data) - pos < 256:  # an escape sequence cut in two by the read
                        self.pending = data[pos:]
                        break
                    pos += 1
                    continue
                pos = match.end()
                if match.group(2) == b"H":
                    params = (match.group(1) or b"").split(b";")
                    self.y = int(params[0] or 1) - 1
                    self.x = int(params[1] or 1) - 1 if len(params) > 1 and params[1] else 0
            elif byte == 0x0D:
                self.x, pos = 0, pos + 1
            elif byte == 0x0A:
                self.y, pos = self.y + 1, pos + 1
            elif byte < 0x20:
                pos += 1
            else:
                match = _TEXT.match(data, pos)
                assert match is not None
                chunk = match.group(0)
                text = chunk.decode(errors="ignore")
                if match.end() == len(data):  # the last character may be cut in two by the read
                    cut = len(chunk)
                    while cut > 0 and chunk[cut - 1] & 0xC0 == 0x80:
                        cut -= 1
                    lead = cut - 1
                    if lead >= 0 and chunk[lead] >= 0xC0 and len(chunk) - lead < _utf8_length(chunk[lead]):
                        self.pending = chunk[lead:]
                        text = chunk[:lead].decode(errors="ignore")
                self.paint(self.cell_len(text))
                pos = match.end()
        return self.missing == 0

    def paint(self, cells: int) -> None:
        if not 0 <= self.y < self.height:
            self.x += cells
            return
        row = self.rows[self.y]
        for x in range(max(self.x, 0), min(self.x + cells, self.width)):
            if not row[x]:
                row[x] = 1
                self.missing -= 1
        self.x += cells


def pty_sample(argv: list[str], env: dict[str, str], size: tuple[int, int], timeout: float = 60.0) -> float:
    """Seconds from spawning argv in a pty to the terminal holding a whole first frame."""
    width, height = size
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))
    screen = Screen(width, height)
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
                            cwd=env["HOME"])
    os.close(slave)
    received = b""
    try:
        while True:
            left = started + timeout - time.perf_counter()
            if left <= 0:
                raise RuntimeError(f"{argv[-1]}: no full frame in {timeout:g}s; got {received[-400:]!r}")
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                data = os.read(master, 1 << 16)
            except OSError:
                data = b""
            if not data:
                raise RuntimeError(f"{argv[-1]} ended before a full frame (rc {proc.wait()}): {received[-400:]!r}")
            received = (received + data)[-4000:]
            if screen.feed(data):
                return time.perf_counter() - started
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        os.close(master)


def headless_sample(kind: str, config: Path, env: dict[str, str]) -> float:
    code = HEADLESS_CHILD.format(repo=str(REPO), kind=kind, config=str(config))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
                         env=env)
    return float(out.stdout.strip().splitlines()[-1])


def wbtui_command() -> Path:
    command = Path(sys.executable).parent / "wbtui"
    if not command.exists():
        sys.exit(f"no {command}: install wbtui into this venv (pip install -e .) first")
    return command


def spread(values: list[float]) -> str:
    return (f"median {statistics.median(values) * 1000:7.1f} ms  (min {min(values) * 1000:.1f}, "
            f"max {max(values) * 1000:.1f}, n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--size", default="80x24", help="pty size WIDTHxHEIGHT (default %(default)s)")
    parser.add_argument("--docker", action="store_true", help="keep DOCKER_HOST (default: a socket that is absent)")
    parser.add_argument("--no-headless", action="store_true", help="only the pty figure")
    parser.add_argument("--before", metavar="DIR", help="also time an older checkout's wbtui (its wbtui/ and css/ "
                        "in DIR, e.g. git archive HEAD wbtui css | tar -x -C DIR) as a third program")
    args = parser.parse_args()
    size = tuple(int(n) for n in args.size.lower().split("x"))
    from wbtui.config import store
    from wbtui.config.model import Config

    command = wbtui_command()
    with tempfile.TemporaryDirectory(prefix="wbtui-startup-") as tmp:
        home = Path(tmp) / "home"
        config = home / ".config" / "wbtui" / "config.toml"
        config.parent.mkdir(parents=True)
        store.save(Config(), config)
        bare_script = Path(tmp) / "bare_app.py"
        bare_script.write_text(BARE_APP)
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "TEXTUAL_DRIVER")}
        env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), TERM="xterm-256color",
                   PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"), COLUMNS=str(size[0]), LINES=str(size[1]))
        if not args.docker:
            env["DOCKER_HOST"] = f"unix://{tmp}/no-docker.sock"
        programs = {"bare": [sys.executable, str(bare_script)], "wbtui": [str(command)]}
        if args.before:
            old_script = Path(tmp) / "before_wbtui.py"  # what the console script does, from the older checkout
            old_script.write_text(f"import sys\nsys.path.insert(0, {args.before!r})\nfrom wbtui.cli import run\n"
                                  "sys.exit(run())\n")
            programs["before"] = [sys.executable, str(old_script)]
        for _ in range(2):  # warm the disk cache and write the .pyc files
            for argv in programs.values():
                pty_sample(argv, env, size)  # type: ignore[arg-type]
        times: dict[str, list[float]] = {name: [] for name in programs}
        for _ in range(args.runs):
            for name, argv in programs.items():
                times[name].append(pty_sample(argv, env, size))  # type: ignore[arg-type]
        bare, ours = times["bare"], times["wbtui"]
        hbare: list[float] = []
        hours: list[float] = []
        if not args.no_headless:
            headless_sample("bare", config, env), headless_sample("wbtui", config, env)
            for _ in range(args.runs):
                hbare.append(headless_sample("bare", config, env))
                hours.append(headless_sample("wbtui", config, env))
    print(f"CPUs: {os.cpu_count()}, load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
          f"pty {size[0]}x{size[1]}")
    ratios = [o / b for o, b in zip(ours, bare, strict=True)]
    print(f"pty, to the first full frame: bare Textual app {spread(bare)}")
    print(f"                              `wbtui` command  {spread(ours)}")
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"  ratio {ratio:.2f}x median (paired runs: median {statistics.median(ratios):.2f}x, "
          f"{min(ratios):.2f}-{max(ratios):.2f})  target <= 1.2x: {'met' if ratio <= 1.2 else 'MISSED'}")
    if args.before:
        before = times["before"]
        print(f"                              before (older)   {spread(before)}")
        print(f"  before ratio {statistics.median(before) / statistics.median(bare):.2f}x median")
    if hours:
        print(f"headless, to the end of the first refresh: bare {spread(hbare)}")
        print(f"                                           wbtui {spread(hours)}")
        print(f"  ratio {statistics.median(hours) / statistics.median(hbare):.2f}x median")


if __name__ == "__main__":
    main()
