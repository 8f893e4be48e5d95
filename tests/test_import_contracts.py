"""The import-linter contracts in pyproject.toml: kept by wbtui, and broken by a tree that breaks them."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import tomli_w

from tests.import_contracts import module_level_imports

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("cli", "ui", "ops", "setup", "metrics", "health", "monitor", "diagnosis", "present", "checks", "runtime",
            "render", "config")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": f"{cwd}{os.pathsep}{ROOT}"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_wbtui_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_each_contract_fails_on_a_violation(tmp_path: Path) -> None:
    """A stand-in wbtui with one violation of each contract, checked with wbtui's own contract definitions."""
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (tmp_path / "pyproject.toml").write_text(tomli_w.dumps({"tool": {"importlinter": settings}}))
    package = tmp_path / "wbtui"
    for name in PACKAGES:
        (package / name).mkdir(parents=True)
        (package / name / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text("from wbtui import cli\n")
    (package / "config" / "store.py").write_text("from wbtui.ui import app\n")  # a floor importing a face
    (package / "ui" / "app.py").write_text("")
    (package / "checks" / "probe.py").write_text("def run():\n    import textual\n")  # textual outside the ui
    (package / "runtime" / "client.py").write_text(  # a client library at import time (inside a function is fine)
        "import docker\n\ndef connect():\n    import kubernetes\n")

    result = lint_imports(tmp_path)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "3 broken" in out, out
    assert "wbtui.config.store -> wbtui.ui.app" in out
    assert "wbtui.checks.probe -> textual" in out
    assert "wbtui.runtime.client:1 imports docker at module level" in out
    assert "kubernetes" not in out.split("Client libraries are imported")[-1]


def test_the_module_level_scan_sees_what_runs_at_import() -> None:
    tree = ast.parse(
        "import os\nimport boto3.session\nfrom docker import errors\nfrom . import textual\n"
        "try:\n    import httpx\nexcept ImportError:\n    pass\n"
        "if TYPE_CHECKING:\n    import kubernetes\n"
        "def f():\n    import pymysql\n"
    )
    assert sorted(name for _line, name in module_level_imports(tree)) == ["boto3", "docker", "httpx", "os"]
