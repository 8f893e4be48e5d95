#!/usr/bin/env python3
"""Print the README's reference table of every config field, generated from wbtui's model.

Usage: python3 scripts/gen_field_table.py > table.md   (the table is pasted into README.md)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wbtui.config.model import FIELDS, FieldSpec


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def default_text(spec: FieldSpec) -> str:
    value = spec.default
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return str(value).lower()
    return f"`{value}`"


def table() -> str:
    lines = ["| Key | Meaning | Default | Validation |", "|---|---|---|---|"]
    for spec in FIELDS:
        meaning = spec.doc + (" **Secret:** masked in all output." if spec.secret else "")
        lines.append(f"| `{spec.key}` | {cell(meaning)} | {cell(default_text(spec))} | {cell(spec.rule)} |")
    lines.append("| `env.NAME` | Extra container environment variable (OIDC_\\*, REDIS, GORILLA_\\*, "
                 "LOCAL_RESTORE, SMTP ...). Names containing PASSWORD, SECRET, TOKEN, LICENSE, PRIVATE, "
                 "CREDENTIAL or _KEY, and URL passwords, are treated as secrets. | (none) | a valid variable "
                 "name (at most 255 characters), not one of the main settings; the value at most 32768 characters, "
                 "no control characters |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(table())
