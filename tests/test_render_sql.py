"""The MySQL bootstrap SQL: the guide's statements with literals and identifiers escaped right."""

from __future__ import annotations

from tests.config_samples import MYSQL_PASSWORD, assert_no_canary, canary_config
from tests.test_config_sql_quoting import decode_literal
from wbtui.config.model import Config, set_value
from wbtui.config.sql_quoting import sql_string
from wbtui.config.urls import MysqlURL
from wbtui.render.sql import render_sql


def config_with(password: str, user: str = "wandb_local", database: str = "wandb_local") -> Config:
    config = Config()
    set_value(config, "MYSQL", MysqlURL(user, password, "db.example.com", database).format())
    return config


def statements(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith("--")]


def test_guide_statements() -> None:
    text = render_sql(config_with("SOME_PASSWORD"), reveal=True)
    assert statements(text) == [
        "CREATE USER 'wandb_local'@'%' IDENTIFIED BY 'SOME_PASSWORD';",
        "CREATE DATABASE `wandb_local` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;",
        "GRANT ALL ON `wandb\\_local`.* TO 'wandb_local'@'%' WITH GRANT OPTION;",
    ]


def test_idempotent_variant_and_account_host() -> None:
    text = render_sql(config_with("pw"), reveal=True, if_not_exists=True, user_host="10.0.%")
    assert statements(text)[:2] == [
        "CREATE USER IF NOT EXISTS 'wandb_local'@'10.0.%' IDENTIFIED BY 'pw';",
        "CREATE DATABASE IF NOT EXISTS `wandb_local` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;",
    ]


def test_password_masked_unless_revealed() -> None:
    config = canary_config()
    masked = render_sql(config)
    assert_no_canary(masked)
    assert "IDENTIFIED BY '****';" in masked
    revealed = render_sql(config, reveal=True)
    assert sql_string(MYSQL_PASSWORD) in revealed
    assert "NO_BACKSLASH_ESCAPES" in revealed
    nbe = render_sql(config, reveal=True, no_backslash_escapes=True)
    assert sql_string(MYSQL_PASSWORD, True) in nbe


def split_statements(text: str) -> list[str]:
    """Statements as MySQL (default mode) reads them: ';' and '--' count only outside quotes."""
    out, current, quote, i = [], [], "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\" and quote == "'":
                current.append(text[i + 1])
                i += 1
            elif ch == quote and text[i + 1 : i + 2] == quote:
                current.append(ch)
                i += 1
            elif ch == quote:
                quote = ""
        elif text.startswith("--", i):
            i = text.index("\n", i)
        elif ch == ";":
            out.append("".join(current).strip())
            current = []
        else:
            quote = ch if ch in "'`" else ""
            current.append(ch)
        i += 1
    assert "".join(current).strip() == "" and not quote
    return out


def test_names_cannot_break_out_of_comments_or_statements() -> None:
    user, database = "x'\n; DROP DATABASE y; -- \\", "db`\nDROP;"
    text = render_sql(config_with("p'w;--", user=user, database=database), reveal=True)
    create_user, create_db, grant = split_statements(text)
    assert create_user.startswith("CREATE USER") and create_user.endswith("IDENTIFIED BY 'p''w;--'")
    assert decode_literal(create_user.split("@")[0].removeprefix("CREATE USER ")) == user
    assert create_db.startswith("CREATE DATABASE `db``\nDROP;` CHARACTER SET")
    assert grant.startswith("GRANT ALL ON")


def test_empty_or_broken_mysql() -> None:
    assert render_sql(Config()).startswith("-- MYSQL is empty")
    config = Config()
    set_value(config, "MYSQL", "mysql://u:p@")
    text = render_sql(config)
    assert text.startswith("-- MYSQL is not usable (host") and text.count("\n") == 1
