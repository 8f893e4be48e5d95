"""`wbtui config keys`: every dashboard key by binding id, with the config's remapped ones.

The ids and default keys come from the dashboard's own bindings, so Textual is imported here, inside the
command (a plain `wbtui config ...` never loads it). What the dashboard would leave out of the ``[keys]``
table (an id no binding has, a key another binding answers) is said here the same way.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from .context import EXIT_FINDINGS, EXIT_OK, Context

if TYPE_CHECKING:
    from pathlib import Path

    from ..config.model import Config
    from ..config.validate import Finding


def register(csub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = csub.add_parser("keys", help="every dashboard key by id, and how to remap one",
                        description="List every key binding of the dashboard: its id, the key it has now "
                        "(remapped in the config's [keys] table, or its default), where it works and what it "
                        "does. Exit 1 when the [keys] table has an error (the dashboard leaves that remap out).",
                        epilog="examples: wbtui config set keys.logs.pause p\n"
                        "          wbtui config unset keys.logs.pause",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_keys)


def binding_findings(config: Config, path: Path | None = None) -> list[Finding]:
    """What the dashboard says of the config's ``[keys]`` table (imports the dashboard's bindings)."""
    if not config.keys:
        return []
    from ..config.keynames import key_problem
    from ..ui.keymap import check

    named = {f"keys.{i}" for i, keys in config.keys.items() if key_problem(keys) is not None}
    return [f for f in check(config.keys, path).findings if f.field not in named]  # validate says those


def cmd_keys(ctx: Context, args: argparse.Namespace) -> int:
    from ..config.validate import validate
    from ..ui.keymap import check, every_binding, keys_of

    config = ctx.config()
    remap = check(config.keys, ctx.config_path)
    findings = [f for f in validate(config) if f.field.startswith("keys.")]
    findings += binding_findings(config, ctx.config_path)
    rows = [{"id": binding_id, "key": ",".join(keys_of(binding, remap.keymap)), "default": binding.key,
             "where": where, "description": binding.description}
            for binding_id, (where, binding) in every_binding().items()]
    code = EXIT_FINDINGS if any(f.severity == "error" for f in findings) else EXIT_OK
    if args.json:
        ctx.print_json({"path": str(ctx.config_path), "keys": rows, "findings": [f.to_dict() for f in findings]})
        return code
    table = Table(title=Text(f"Dashboard keys ([keys] in {ctx.config_path})"), title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("key", overflow="fold", max_width=16)
    table.add_column("where", overflow="fold", max_width=14)
    table.add_column("does", overflow="fold", ratio=1)
    for row in rows:
        key = Text(row["key"])
        if row["key"] != row["default"]:  # remapped: bold, with the default it replaces
            key.stylize("bold")
            key.append(f" (default {row['default']})", style="dim")
        table.add_row(Text(row["id"]), key, Text(row["where"]), Text(row["description"]))
    ctx.out.print(table)
    for f in findings:
        ctx.out.print(Text(f"{f.severity}: {f.field}: {f.message}", style="bold red" if f.severity == "error"
                           else "yellow"))
        if f.fix:
            ctx.out.print(Text(f"  fix: {f.fix}"))
    return code
