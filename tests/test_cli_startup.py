"""The dashboard's start skips the argument parser: it must read the same arguments the parser would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from wbtui.cli import build_parser, dashboard_args

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("argv", [
    [], ["dashboard"], ["--read-only"], ["--config", "c.toml"], ["--config=c.toml", "dashboard"],
    ["--read-only", "--config", "a.toml", "--config", "b.toml", "dashboard"], ["--config="], ["--config", ""],
    ["dashboard", "--read-only"], ["dashboard", "--config", "c.toml"], ["--profile", "prod"],
    ["--read-only", "dashboard", "--profile=staging"],
])
def test_a_dashboard_start_reads_what_the_parser_reads(argv: list[str]) -> None:
    fast = dashboard_args(argv)
    parsed = build_parser().parse_args(argv)
    assert fast is not None
    assert (fast.config, fast.profile, fast.read_only, fast.command) == (
        parsed.config, parsed.profile, parsed.read_only, parsed.command)


@pytest.mark.parametrize("argv", [
    ["--help"], ["-h"], ["--version"], ["status"], ["dashboard", "dashboard"],
    ["--config"], ["--config", "--read-only"], ["--read"], ["--", "dashboard"], ["serve"], ["-x"],
    ["--profile", "Bad"], ["--profile", "prod", "--config", "c.toml"], ["--profile"],
])
def test_anything_else_goes_to_the_parser(argv: list[str]) -> None:
    assert dashboard_args(argv) is None


def test_a_dashboard_start_imports_no_command_module(tmp_path: Path) -> None:
    """`wbtui dashboard` without a terminal: refused as before (exit 2), and no subcommand module, rich table,
    asyncio or even argparse was imported to say so."""
    code = (
        "import json, sys\n"
        "from wbtui.cli import main\n"
        f"code = main(['--config', {str(tmp_path / 'c.toml')!r}, 'dashboard'])\n"
        "mods = sorted(m for m in sys.modules if m.startswith('wbtui.cli.') and m.endswith('_cmd')"
        " and m != 'wbtui.cli.ui_cmd' or m in ('rich.table', 'asyncio', 'argparse'))\n"
        "print(json.dumps([code, mods]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL, check=True)
    assert json.loads(out.stdout.splitlines()[-1]) == [2, []]
    assert "needs a terminal" in out.stderr


def test_the_console_script_raises_the_gc_threshold_only_for_the_dashboard(tmp_path: Path) -> None:
    code = (
        "import gc, sys\n"
        "import wbtui.cli\n"
        "wbtui.cli.main = lambda argv=None: print(gc.get_threshold()[0]) or 0\n"
        "wbtui.cli.run()\n"
    )

    def threshold(*argv: str) -> int:
        out = subprocess.run([sys.executable, "-c", code, *argv], cwd=REPO, capture_output=True, text=True,
                             timeout=60, check=True)
        return int(out.stdout)

    from wbtui.cli import START_UP_GC_THRESHOLD

    assert threshold() == threshold("--read-only", "dashboard") == START_UP_GC_THRESHOLD
    default = int(subprocess.run([sys.executable, "-c", "import gc; print(gc.get_threshold()[0])"],
                                 capture_output=True, text=True, timeout=60, check=True).stdout)
    assert threshold("status") == threshold("--help") == default != START_UP_GC_THRESHOLD


def test_every_command_is_mapped_to_the_module_that_registers_it() -> None:
    import argparse
    import importlib

    from wbtui.cli import COMMAND_MODULES, COMMANDS

    registered = {}
    for name in COMMAND_MODULES:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"wbtui.cli.{name}").register(sub)
        registered.update(dict.fromkeys(sub.choices, name))
    assert registered == COMMANDS


@pytest.mark.parametrize(("argv", "module"), [
    (["status", "--json"], "runtime_cmd"), (["--config", "c.toml", "check", "all"], "check_cmd"),
    (["--read-only", "--config=c.toml", "db", "init"], "check_cmd"), (["--config", "status"], None),
    (["--help"], None), (["--version"], None), (["nosuch"], None), ([], None), (["--read", "status"], None),
])
def test_a_command_line_gets_the_parser_of_its_command_only(argv: list[str], module: str | None) -> None:
    from wbtui.cli import command_module

    assert command_module(argv) == module


def test_a_command_parses_alike_with_its_module_alone() -> None:
    from wbtui.cli import command_module

    for argv in (["--config", "c.toml", "status", "--json"], ["check", "mysql", "--json"], ["logs", "--tail", "5"]):
        whole, alone = build_parser().parse_args(argv), build_parser(command_module(argv)).parse_args(argv)
        assert vars(whole) == vars(alone)
