"""The wheel carries every subpackage and the stylesheets."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "wbtui").rglob("__init__.py")}
    assert on_disk | {"wbtui._css"} == listed


@pytest.mark.tools
def test_wheel_contains_the_css_and_the_ui(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, timeout=240)
    wheel = next(tmp_path.glob("wbtui-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    css = {f"wbtui/_css/{p.name}" for p in (ROOT / "css").glob("*.tcss")}
    assert css and css <= names
    assert "wbtui/ui/app.py" in names and "wbtui/cli/__init__.py" in names
