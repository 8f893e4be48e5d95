"""Concurrent `wbtui config set` in real processes: no update is lost (issue 18, item 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from wbtui.config import store

PAIRS = 100
AT_ONCE = 10  # pairs started together: 20 processes racing on 10 files


def _set(path: Path, key: str, value: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "wbtui", "--config", str(path), "config", "set", key, value],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "200"})


def test_concurrent_sets_of_different_keys_keep_both(tmp_path: Path) -> None:
    lost: list[str] = []
    for batch in range(PAIRS // AT_ONCE):
        runs = []
        for pair in range(AT_ONCE):
            path = tmp_path / f"pair-{batch}-{pair}" / "config.toml"
            store.save(store.load(path), path)  # an existing file, as on a configured host
            runs.append((path, _set(path, "env.FIRST", "one"), _set(path, "env.SECOND", "two")))
        for path, *procs in runs:
            for proc in procs:
                _, err = proc.communicate(timeout=60)
                assert proc.returncode == 0, err.decode()
            env = store.load(path).env
            if env.get("FIRST") != "one" or env.get("SECOND") != "two":
                lost.append(f"{path.parent.name}: {env}")
    assert lost == [], f"{len(lost)} of {PAIRS} pairs lost an update: {lost[:3]}"
