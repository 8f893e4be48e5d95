"""Start-up to first frame: the dashboard vs a bare Textual app, in the same run.

Each sample is a fresh Python process (imports included) that records the time
from interpreter start to the end of its first screen refresh, then exits. The
two apps alternate so machine noise hits both alike. Target: median ratio <= 1.3.

Both apps run from cached bytecode, as after a pip install (which byte-compiles
every module): the children write and read their .pyc files under a private
PYTHONPYCACHEPREFIX even where PYTHONDONTWRITEBYTECODE is set, so wbtui is not
charged for compiling its sources while Textual's come precompiled.

    python3 benchmarks/bench_ui_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHILD = r"""
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


def sample(kind: str, config: Path) -> float:
    code = CHILD.format(repo=str(REPO), kind=kind, config=str(config))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(config.parent / "pycache")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
                         env=env)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from wbtui.config import store
    from wbtui.config.model import Config

    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        store.save(Config(), config)
        sample("bare", config), sample("wbtui", config)  # warm the disk cache and .pyc files
        bare, ours = [], []
        for _ in range(args.runs):
            bare.append(sample("bare", config))
            ours.append(sample("wbtui", config))
    b, o = statistics.median(bare), statistics.median(ours)
    print(f"bare Textual app : median {b * 1000:7.1f} ms  (min {min(bare) * 1000:.1f})")
    print(f"wbtui dashboard  : median {o * 1000:7.1f} ms  (min {min(ours) * 1000:.1f})")
    print(f"ratio            : {o / b:.2f}x median, {min(ours) / min(bare):.2f}x best  (target <= 1.3x)")


if __name__ == "__main__":
    main()
