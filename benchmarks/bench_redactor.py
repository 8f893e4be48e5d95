"""The log redactor alone: what the Logs pane and `wbtui logs` spend per line, without Docker.

Redacts N typical server log lines (default 300k, about one in a thousand holding a
secret in some form) with ``masking.logs`` of a config holding every kind of secret
(license, bucket key, MySQL password, secret env values), one line at a time as the
Logs pane does and in batches of 2000 as the Docker stream does, and prints
lines/s for both and the time to build the redactor.

    python3 benchmarks/bench_redactor.py [--lines 300000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import base64
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.config_samples import BUCKET_SECRET, MYSQL_PASSWORD, canary_config
from wbtui.config import masking

TEXT = ('{"level":"info","ts":"2024-05-01T12:00:%02d.123Z","logger":"gorilla","msg":"request served",'
        '"method":"GET","path":"/api/v1/runs/%06d","status":200,"duration_ms":12.5}')
SECRET_LINES = (f"dial mysql://wandb_local:{quote(MYSQL_PASSWORD, safe='')}@db:3306 failed",
                f"Authorization: Basic {base64.b64encode(f'admin:{BUCKET_SECRET}'.encode()).decode()}")


def lines(count: int) -> list[str]:
    return [SECRET_LINES[i % 2] if i % 1000 == 999 else TEXT % (i % 60, i) for i in range(count)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds (best is kept)")
    args = parser.parse_args()
    config, text = canary_config(), lines(args.lines)
    began = time.perf_counter()
    redact = masking.logs(config)
    built = time.perf_counter() - began
    per_line = batched = float("inf")
    for _ in range(args.rounds):
        began = time.perf_counter()
        for line in text:
            redact(line)
        per_line = min(per_line, time.perf_counter() - began)
        began = time.perf_counter()
        for i in range(0, len(text), 2000):
            redact("\n".join(text[i:i + 2000])).split("\n")
        batched = min(batched, time.perf_counter() - began)
    n = args.lines
    print(f"redactor built in {built * 1000:.1f} ms")
    print(f"per line          {per_line:6.2f}s  {n / per_line:>12,.0f} lines/s")
    print(f"batches of 2000   {batched:6.2f}s  {n / batched:>12,.0f} lines/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
