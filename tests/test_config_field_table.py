"""The README's field reference is generated from the model, so it lists every field with its rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from wbtui.config.model import FIELDS

ROOT = Path(__file__).resolve().parent.parent


def test_table_lists_every_field_with_a_rule() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_field_table.py")], capture_output=True,
                         text=True, check=True, timeout=60).stdout
    rows = [line for line in out.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == [spec.key for spec in FIELDS] + ["env.NAME"]
    assert all(row.count(" | ") == 3 and not row.endswith("|  |") for row in rows)
    assert all(spec.rule and spec.doc for spec in FIELDS)


def test_the_readme_holds_the_table_as_generated() -> None:
    """A new field or a changed rule reaches the README (run scripts/gen_field_table.py and paste it)."""
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_field_table.py")], capture_output=True,
                         text=True, check=True, timeout=60).stdout.strip("\n")
    assert out in (ROOT / "README.md").read_text(), "README's field reference is out of date"
