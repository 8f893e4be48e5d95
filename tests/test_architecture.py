"""Architecture rules: only wbtui/ui imports textual; the CLI starts without heavy client libraries."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wbtui"
HEAVY = ("boto3", "botocore", "docker", "kubernetes", "httpx", "pymysql", "textual")


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def imported(node: ast.AST) -> list[str]:
    """Top-level package names an import statement brings in (relative imports excluded)."""
    if isinstance(node, ast.Import):
        return [alias.name.split(".")[0] for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module.split(".")[0]]
    return []


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def module_level_imports(tree: ast.Module) -> list[str]:
    """Imports that run when the module is imported (not in functions or TYPE_CHECKING blocks)."""
    names: list[str] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        names += imported(node)
        if isinstance(node, ast.If) and not is_type_checking(node):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            for handler in node.handlers:
                pending += handler.body
    return names


def test_only_the_ui_imports_textual() -> None:
    offenders = []
    for path in modules():
        if (PACKAGE / "ui") in path.parents:
            continue
        tree = ast.parse(path.read_text(), str(path))
        if any("textual" in imported(node) for node in ast.walk(tree)):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_heavy_clients_are_imported_inside_functions() -> None:
    offenders = []
    for path in modules():
        tree = ast.parse(path.read_text(), str(path))
        heavy = [name for name in module_level_imports(tree) if name in HEAVY and name != "textual"]
        if heavy:
            offenders.append(f"{path.relative_to(ROOT)}: {', '.join(heavy)}")
    assert offenders == []


def test_cli_start_up_loads_no_client_library() -> None:
    """Importing the CLI and building every command's parser loads none of the heavy libraries."""
    code = (
        "import json, sys\n"
        "import wbtui.cli\n"
        "wbtui.cli.build_parser()\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {list(HEAVY)!r})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert json.loads(out) == []


def test_the_import_scan_sees_what_it_must() -> None:
    tree = ast.parse(
        "import os\nimport boto3.session\nfrom docker import errors\nfrom . import textual\n"
        "try:\n    import httpx\nexcept ImportError:\n    pass\n"
        "if TYPE_CHECKING:\n    import kubernetes\n"
        "def f():\n    import pymysql\n"
    )
    assert sorted(module_level_imports(tree)) == ["boto3", "docker", "httpx", "os"]
    assert "pymysql" in [n for node in ast.walk(tree) for n in imported(node)]
