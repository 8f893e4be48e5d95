"""The guide's MySQL bootstrap: CREATE USER, CREATE DATABASE utf8mb4, GRANT ALL.

Literals and identifiers are quoted by config/sql_quoting, as the checks quote theirs.
"""

from __future__ import annotations

from ..config.masking import MASK
from ..config.model import Config
from ..config.sql_quoting import grant_database, sql_identifier, sql_string
from ..config.urls import MysqlURL, URLError


def _comment(text: str) -> str:
    """Text safe inside a ``--`` comment: no line break can end it early."""
    return " ".join(text.split())


def render_sql(config: Config, reveal: bool = False, if_not_exists: bool = False,
               user_host: str = "%", no_backslash_escapes: bool = False) -> str:
    """The three statements for MYSQL's user and database; password masked unless ``reveal``."""
    if not config.server.MYSQL.strip():
        return "-- MYSQL is empty: the container's embedded MySQL is used; no database to create.\n"
    try:
        url = MysqlURL.parse(config.server.MYSQL)
    except URLError as exc:
        return (f"-- MYSQL is not usable ({exc.part}: {_comment(exc.message)}); "
                f"set it first, e.g. wbtui config set MYSQL '{exc.example}'\n")
    password = url.password if reveal else MASK
    nbe = no_backslash_escapes
    account = f"{sql_string(url.user, nbe)}@{sql_string(user_host, nbe)}"
    exists = " IF NOT EXISTS" if if_not_exists else ""
    lines = [f"-- W&B Server database {_comment(url.database)} for user {_comment(url.user)}, rendered by wbtui."]
    if not reveal:
        lines.append("-- The password is masked (****): render with --reveal to run it.")
    if not nbe:
        lines.append("-- Assumes the default sql_mode (backslash escapes on; no NO_BACKSLASH_ESCAPES).")
    lines += [
        f"CREATE USER{exists} {account} IDENTIFIED BY {sql_string(password, nbe)};",
        f"CREATE DATABASE{exists} {sql_identifier(url.database)} "
        "CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;",
        f"GRANT ALL ON {grant_database(url.database)}.* TO {account} WITH GRANT OPTION;",
    ]
    return "\n".join(lines) + "\n"
