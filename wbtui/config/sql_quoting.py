"""SQL string literals and identifiers, quoted one way for the rendered bootstrap and the checks.

A string literal doubles its quotes (``''`` works in every sql_mode) and its
backslashes, which is right unless the server runs with NO_BACKSLASH_ESCAPES (then
pass ``no_backslash_escapes=True``). Identifiers are backquoted; the database in
GRANT also escapes ``_`` and ``%`` so they are not wildcards.
"""

from __future__ import annotations


def sql_string(value: str, no_backslash_escapes: bool = False) -> str:
    """A single-quoted SQL string literal holding exactly ``value``."""
    if not no_backslash_escapes:
        value = value.replace("\\", "\\\\").replace("\0", "\\0")
    return "'" + value.replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """A backquoted identifier (a backquote inside is doubled)."""
    return "`" + name.replace("`", "``") + "`"


def grant_database(name: str) -> str:
    """The database in ``GRANT ... ON db.*``, with the LIKE wildcards ``_`` and ``%`` escaped."""
    return sql_identifier(name.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%"))
