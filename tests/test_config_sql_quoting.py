"""SQL literals and identifiers: what the server reads back is exactly the value, in both sql_modes."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tests.config_samples import MYSQL_PASSWORD
from wbtui.config.sql_quoting import grant_database, sql_identifier, sql_string
from wbtui.config.urls import MysqlURL

_BACKSLASH = {"0": "\0", "'": "'", '"': '"', "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "\\": "\\"}


def decode_literal(text: str, no_backslash_escapes: bool = False) -> str:
    """How MySQL's lexer reads a single-quoted literal (default mode or NO_BACKSLASH_ESCAPES)."""
    assert text[0] == "'" and text[-1] == "'"
    out, i, body = [], 0, text[1:-1]
    while i < len(body):
        ch = body[i]
        if ch == "\\" and not no_backslash_escapes:
            nxt = body[i + 1]
            out.append(_BACKSLASH.get(nxt, nxt))
            i += 2
        elif ch == "'":
            assert body[i + 1] == "'", "a lone quote would end the literal"
            out.append("'")
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


PASSWORDS = st.text(st.characters(blacklist_categories=("Cs",)))


@given(PASSWORDS, st.booleans())
@example("it's a \\' trick \\\\'; DROP USER root; --", False)
@example("\\", True)
def test_literal_decodes_to_the_value(value: str, nbe: bool) -> None:
    if nbe and "\0" in value:
        return
    assert decode_literal(sql_string(value, nbe), nbe) == value


def test_literal_escapes() -> None:
    assert sql_string("a'b\\c") == "'a''b\\\\c'"
    assert sql_string("a'b\\c", no_backslash_escapes=True) == "'a''b\\c'"
    assert sql_string("nul\0") == "'nul\\0'"


def test_identifiers() -> None:
    assert sql_identifier("wandb_local") == "`wandb_local`"
    assert sql_identifier("we`ird") == "`we``ird`"
    assert grant_database("wandb_local") == "`wandb\\_local`"
    assert grant_database("a%b`c") == "`a\\%b``c`"


@pytest.mark.mysql
@pytest.mark.parametrize("mode", ["", "NO_BACKSLASH_ESCAPES"])
def test_server_reads_the_literal_back(mariadb, mode: str) -> None:
    """The real server's lexer gives back exactly the password, in both sql_modes."""
    import pymysql

    admin = MysqlURL.parse(mariadb.admin_url)
    conn = pymysql.connect(host=admin.host, port=admin.effective_port, user=admin.user,
                           password=admin.password, connect_timeout=5, read_timeout=10, charset="utf8mb4")
    try:
        with conn.cursor() as cur:
            cur.execute(f"SET SESSION sql_mode = '{mode}'")
            for value in (MYSQL_PASSWORD, "a\\'b\\\\c''d", "nul\0byte" if not mode else "tab\tü😀"):
                cur.execute("SELECT " + sql_string(value, bool(mode)))
                assert cur.fetchone()[0] == value
            cur.execute("SELECT 1 FROM DUAL WHERE 'wandb_local' LIKE 'wandb\\_local' "
                        "AND 'wandbXlocal' NOT LIKE 'wandb\\_local'")
            assert cur.fetchone() == (1,)  # an escaped '_' is no wildcard, as in our GRANT
    finally:
        conn.close()
