"""An import-linter contract type the built-in ones cannot express: no client library at module level.

import-linter sees every import, wherever it stands; start-up needs only the ones that run
when a module is imported (not those inside functions or ``if TYPE_CHECKING:``), so this
contract reads each source module's syntax tree. Registered in pyproject.toml as
``module_level``; ``lint-imports`` runs it with the layer and textual contracts.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output
from importlinter.domain.helpers import module_expressions_to_modules


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


def module_level_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, package) of imports that run when the module is imported."""
    found: list[tuple[int, str]] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        found += [(node.lineno, name) for name in imported(node)]
        if isinstance(node, ast.If) and not is_type_checking(node):
            pending += node.body + node.orelse
        elif isinstance(node, ast.Try):
            pending += node.body + node.orelse + node.finalbody
            for handler in node.handlers:
                pending += handler.body
    return found


def source_file(module: str) -> Path | None:
    spec = importlib.util.find_spec(module)
    return Path(spec.origin) if spec is not None and spec.origin and spec.origin.endswith(".py") else None


class ModuleLevelContract(Contract):
    """The source modules import none of the forbidden packages when they are imported.

    Options:
        - source_modules: module expressions (``wbtui``, ``wbtui.**``).
        - forbidden_modules: top-level package names (``boto3``, ``docker``).
    """

    type_name = "module_level"

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    forbidden_modules = fields.SetField(subfield=fields.StringField())

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        forbidden = set(self.forbidden_modules)
        modules = sorted(m.name for m in module_expressions_to_modules(graph, self.source_modules))
        offenders = []
        for module in modules:
            path = source_file(module)
            if path is None:
                continue
            for line, name in module_level_imports(ast.parse(path.read_text(), str(path))):
                if name in forbidden:
                    offenders.append(f"{module}:{line} imports {name} at module level")
        return ContractCheck(kept=not offenders, metadata={"offenders": offenders})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for offender in check.metadata["offenders"]:
            output.print_error(f"- {offender}", bold=False)
        output.new_line()
        output.print("Import it inside the function that first needs it (start-up stays fast).")
