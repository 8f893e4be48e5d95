"""The package lists every subpackage, declares every third-party module it imports, and pins them all.

The wheel itself is built, installed and run by tests/test_wheel.py."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "wbtui").rglob("__init__.py")}
    assert on_disk | {"wbtui._css"} == listed


def _pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pins = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    assert all(len(pin) == 2 for pin in pins), "every constraint is an exact pin: name==version"
    return {_normal(name): version for name, version in pins}


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def test_constraints_pin_every_dependency_of_pyproject() -> None:
    import re

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"], *[d for extra in project["optional-dependencies"].values() for d in extra]]
    names = {_normal(re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0]) for dep in wanted}
    assert names - set(_pins()) == set()


def test_the_installed_versions_are_the_pinned_ones() -> None:
    """What this run tests is what constraints.txt promises (scripts/test.sh installs with it)."""
    from importlib.metadata import distributions

    installed = {_normal(d.metadata["Name"]): d.version for d in distributions()}
    differ = {name: (pinned, installed.get(name)) for name, pinned in _pins().items()
              if installed.get(name) != pinned}
    assert differ == {}, "run scripts/update-constraints.sh, or reinstall with -c constraints.txt"


def _imported_top_level_modules() -> set[str]:
    """Every module wbtui imports by absolute name (at any depth: client libraries are imported inside
    functions), top level only."""
    import ast

    names = set()
    for path in (ROOT / "wbtui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.partition(".")[0])
    return names - set(sys.stdlib_module_names) - {"wbtui"}


def test_every_imported_third_party_module_is_a_declared_dependency() -> None:
    """Importing a library that arrives only as another's dependency (PyYAML through kubernetes, requests
    through docker) works until that one drops it; wbtui declares what it imports. textual-serve is the
    `serve` extra's, imported only by `wbtui serve`."""
    import re
    from importlib.metadata import packages_distributions

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {_normal(re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0])
                for dep in [*project["dependencies"], *project["optional-dependencies"]["serve"]]}
    providers = packages_distributions()
    imported = _imported_top_level_modules()
    assert {"yaml", "textual", "botocore"} <= imported  # imported inside functions too
    unknown = {module for module in imported if module not in providers}
    assert unknown == set(), "imported but installed by no distribution"
    undeclared = {module: providers[module] for module in imported
                  if not {_normal(dist) for dist in providers[module]} & declared}
    assert undeclared == {}, "add them to [project] dependencies in pyproject.toml (and pin them)"
