"""Rules import-linter cannot express: a CLI start without client libraries, panes apart, no Textual name shadowed."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wbtui"
HEAVY = ("boto3", "botocore", "docker", "kubernetes", "httpx", "pymysql", "textual")


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


PANES = PACKAGE / "ui" / "panes"


def test_no_pane_imports_another_pane() -> None:
    """Panes share state through the app's store and talk by messages, never by calling each other."""
    panes = {p.stem for p in PANES.glob("*.py")} - {"__init__", "base"}
    offenders = []
    for path in sorted(PANES.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level == 1:  # from .x import y / from . import x
                    names = [module.split(".")[0]] if module else [a.name for a in node.names]
                elif module.startswith("wbtui.ui.panes"):
                    names = [module.removeprefix("wbtui.ui.panes").lstrip(".").split(".")[0]]
            elif isinstance(node, ast.Import):
                names = [a.name.removeprefix("wbtui.ui.panes.").split(".")[0]
                         for a in node.names if a.name.startswith("wbtui.ui.panes.")]
            offenders += [f"{path.name} imports {name}" for name in names if name in panes and name != path.stem]
    assert offenders == []


# Names our DOM classes define on purpose where Textual has them: Textual's documented override points and
# settings it expects subclasses or __init__ to set. Anything else that matches a Textual name is a clash
# (a thread worker named ``_running`` replaced Textual's flag and crashed the app on ctrl+n).
DELIBERATE_OVERRIDES = frozenset({
    "BINDINGS", "CSS", "CSS_PATH", "DEFAULT_CSS", "COMPONENT_CLASSES", "TITLE", "SUB_TITLE", "AUTO_FOCUS",
    "COMMANDS", "SCREENS", "MODES", "ENABLE_COMMAND_PALETTE", "ALLOW_MAXIMIZE", "can_focus",
    "compose", "on_mount", "on_unmount", "render", "render_line", "render_lines", "check_action",
    "get_default_screen", "get_system_commands", "notify_style_update",
    "animation_level", "theme", "display", "cursor_blink",
})
# Widget-specific overrides: the log view replaces ScrollView's scrolling keys, and implements Textual's text
# selection API (what a mouse drag selected, and repainting it).
CLASS_OVERRIDES = {
    "LogView": frozenset({"action_page_up", "action_scroll_end", "action_scroll_home", "action_scroll_up",
                          "get_selection", "selection_updated"}),
}


def assigned_in_init(cls: type) -> set[str]:
    """Attribute names ``cls.__init__`` sets on ``self``."""
    import inspect
    import textwrap

    init = vars(cls).get("__init__")
    if init is None:
        return set()
    tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    names = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] \
            if isinstance(node, ast.AnnAssign) else []
        names |= {t.attr for t in targets if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name)
                  and t.value.id == "self"}
    return names


def textual_names(base: type, instances: dict[type, set[str]]) -> set[str]:
    """Every name Textual's classes in ``base``'s MRO define, plus what an instance of ``base`` sets."""
    if base not in instances:
        try:
            instances[base] = set(vars(base()))
        except Exception:  # a base that needs arguments: its class attributes still count
            instances[base] = set()
    return set().union(*(vars(b) for b in base.__mro__ if b.__module__.startswith("textual"))) | instances[base]


def clashes(cls: type, instances: dict[type, set[str]]) -> list[str]:
    base = next(b for b in cls.__mro__ if b.__module__.startswith("textual"))
    generated = set(vars(type("_Probe", (base,), {})))  # what Textual's metaclass adds to every subclass
    ours = (set(vars(cls)) | assigned_in_init(cls)) - generated
    allowed = DELIBERATE_OVERRIDES | CLASS_OVERRIDES.get(cls.__name__, frozenset())
    return sorted(n for n in ours & textual_names(base, instances)
                  if not n.startswith("__") and n not in allowed)


def test_no_name_of_ours_shadows_a_textual_attribute() -> None:
    import importlib
    import inspect
    import pkgutil

    from textual.dom import DOMNode

    import wbtui.ui

    instances: dict[type, set[str]] = {}
    found, checked = [], 0
    for info in pkgutil.walk_packages(wbtui.ui.__path__, "wbtui.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, DOMNode):
                checked += 1
                found += [f"{cls.__module__}.{cls.__name__}.{name}" for name in clashes(cls, instances)]
    assert checked >= 20  # the walk reached the panes, screens and widgets
    assert found == []


def test_the_shadow_scan_sees_methods_class_attributes_and_init_attributes() -> None:
    from textual.widget import Widget

    class Clashing(Widget):
        refresh_count = 0

        def __init__(self) -> None:
            super().__init__()
            self._running = True

        def _refresh_styles(self) -> None:
            pass

        def compose(self):  # a deliberate override
            return iter(())

    assert clashes(Clashing, {}) == ["_refresh_styles", "_running"]


def test_ui_workers_post_messages() -> None:
    """One worker style: a worker posts result messages; nothing in the UI calls back into the UI thread."""
    offenders = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        if any(isinstance(node, ast.Attribute) and node.attr == "call_from_thread" for node in ast.walk(tree)):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_every_work_decorator_names_its_worker() -> None:
    """Textual's @work without a description keeps the repr of the call's arguments as the worker's description
    (an admin URL, a config with its secrets); every worker of ours says what it is instead."""
    offenders = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "work"
                    and not any(k.arg == "description" for k in node.keywords)):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_binding_has_a_unique_readable_id() -> None:
    """Users remap keys by binding id (the config's [keys]): every binding of ours has one, PANE.ACTION, unique
    app-wide, and every class with bindings is one the keymap check knows (else a remap there goes unchecked)."""
    import importlib
    import pkgutil

    from textual.binding import Binding

    import wbtui.ui
    from wbtui.config.keynames import BINDING_ID
    from wbtui.ui.keymap import reaches

    checked = {id(b) for reach in reaches() for b in reach.bindings}
    problems, seen = [], {}
    for module in pkgutil.walk_packages(wbtui.ui.__path__, "wbtui.ui."):
        loaded = importlib.import_module(module.name)
        for cls in vars(loaded).values():
            if not (isinstance(cls, type) and cls.__module__ == module.name and "BINDINGS" in vars(cls)):
                continue
            for binding in (b for b in cls.BINDINGS if isinstance(b, Binding)):
                where = f"{cls.__qualname__} {binding.key!r} ({binding.action})"
                if binding.id is None or not BINDING_ID.fullmatch(binding.id):
                    problems.append(f"{where}: id {binding.id!r} is not PANE.ACTION")
                elif seen.setdefault(binding.id, binding) is not binding:
                    problems.append(f"{where}: id {binding.id} is also {seen[binding.id].action}'s")
                if id(binding) not in checked:
                    problems.append(f"{where}: not in wbtui.ui.keymap.reaches()")
    assert problems == []
    assert len(seen) > 90  # the walk found the dashboard's bindings
