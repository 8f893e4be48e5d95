"""The SHOW GRANTS parser: real output of MySQL 5.7, 8 and MariaDB, wildcards, roles."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wbtui.checks.mysql_grants import (
    ALL,
    DB_PRIVILEGES,
    DefaultRoles,
    Grant,
    GrantParseError,
    RoleGrant,
    coverage,
    escape_like,
    like_match,
    normalize_account,
    parse_grants,
    parse_line,
    pattern_rank,
    strip_secrets,
)

MYSQL57 = [
    "GRANT USAGE ON *.* TO 'wandb_local'@'%'",
    "GRANT ALL PRIVILEGES ON `wandb_local`.* TO 'wandb_local'@'%' WITH GRANT OPTION",
]
MYSQL8_ROOT = [
    "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, RELOAD, SHUTDOWN, PROCESS, FILE, REFERENCES, INDEX, "
    "ALTER, SHOW DATABASES, SUPER, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, REPLICATION SLAVE, "
    "REPLICATION CLIENT, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, CREATE USER, EVENT, TRIGGER, "
    "CREATE TABLESPACE, CREATE ROLE, DROP ROLE ON *.* TO `root`@`localhost` WITH GRANT OPTION",
    "GRANT APPLICATION_PASSWORD_ADMIN,AUDIT_ADMIN,BACKUP_ADMIN ON *.* TO `root`@`localhost` WITH GRANT OPTION",
    "GRANT PROXY ON ``@`` TO `root`@`localhost` WITH GRANT OPTION",
]
MARIADB = [
    "GRANT `r1` TO `u1`@`%`",
    "GRANT USAGE ON *.* TO `u1`@`%` IDENTIFIED BY PASSWORD '*2B602296A79E0A8784ACC5C88D92E46588CCA3C3'",
    "GRANT ALL PRIVILEGES ON `wb%`.* TO `u1`@`%`",
    "GRANT SELECT (`User`) ON `mysql`.`user` TO `u1`@`%`",
    "GRANT USAGE ON *.* TO `r1`",
    "GRANT SELECT, INSERT ON `wb\\_db`.* TO `r1`",
    "SET DEFAULT ROLE `r1` FOR `u1`@`%`",
]


def test_mysql57_guide_grant_covers_everything() -> None:
    g = parse_grants(MYSQL57)
    cov = coverage(g, "wandb_local", ["wandb_local@%"])
    assert cov.missing() == []
    assert cov.grant_option
    assert not g.unparsed


def test_mysql8_global_privileges_listed_one_by_one_cover_all() -> None:
    g = parse_grants(MYSQL8_ROOT)
    assert not g.unparsed
    assert len(g.grants) == 2  # PROXY grants nothing on tables
    cov = coverage(g, "anything", ["root@localhost"])
    assert cov.missing() == []
    assert ALL in cov.privileges


def test_mariadb_output_with_roles_column_grants_and_password_hash() -> None:
    g = parse_grants(MARIADB)
    assert not g.unparsed
    assert g.granted_roles == ("r1",)
    assert g.default_roles == [DefaultRoles(("r1",), "u1@%")]
    assert coverage(g, "wbanything", ["u1@%"]).missing() == []
    # the role only has SELECT, INSERT on the literal wb_db; the column grant counts for nothing
    assert coverage(g, "wb_db", ["r1"]).privileges == {"SELECT", "INSERT"}
    assert coverage(g, "wbxdb", ["r1"]).privileges == frozenset()
    assert coverage(g, "mysql", ["u1@%"]).privileges == frozenset()


def test_role_grant_mysql8_with_hosts() -> None:
    assert parse_line("GRANT `app_rw`@`%`,`ops`@`localhost` TO `wandb`@`%` WITH ADMIN OPTION") == [
        RoleGrant(("app_rw@%", "ops@localhost"), "wandb@%")
    ]


def test_privileges_of_roles_add_up_with_the_users() -> None:
    g = parse_grants([
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `wandb_local`.* TO `wandb`@`%`",
        "GRANT `ddl`@`%` TO `wandb`@`%`",
        "GRANT CREATE, DROP, INDEX, ALTER, REFERENCES, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, "
        "CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, EVENT, TRIGGER ON `wandb_local`.* TO `ddl`@`%`",
    ])
    assert coverage(g, "wandb_local", ["wandb@%"]).missing() == ["CREATE", "DROP", "REFERENCES", "INDEX", "ALTER",
                                                                  "CREATE TEMPORARY TABLES", "LOCK TABLES",
                                                                  "EXECUTE", "CREATE VIEW", "SHOW VIEW",
                                                                  "CREATE ROUTINE", "ALTER ROUTINE", "EVENT",
                                                                  "TRIGGER"]
    assert coverage(g, "wandb_local", ["wandb@%", "ddl@%"]).missing() == []


def test_partial_grants_list_exactly_what_is_missing() -> None:
    g = parse_grants(["GRANT SELECT, INSERT, UPDATE, DELETE ON `wandb_local`.* TO 'w'@'%'"])
    missing = coverage(g, "wandb_local", ["w@%"]).missing()
    assert "CREATE" in missing and "ALTER" in missing and "SELECT" not in missing
    assert len(missing) == len(DB_PRIVILEGES) - 4


def test_the_most_specific_database_pattern_wins_not_the_sum() -> None:
    # Verified against MariaDB: `wbq_%` beats `wbq%` whatever the order, and the broader ALL does not add up.
    g = parse_grants([
        "GRANT SELECT ON `wbq%`.* TO `u`@`%`",
        "GRANT INSERT ON `wbq_%`.* TO `u`@`%`",
        "GRANT ALL PRIVILEGES ON `wb%`.* TO `u`@`%`",
    ])
    assert coverage(g, "wbq_z", ["u@%"]).privileges == {"INSERT"}
    assert coverage(g, "wbq", ["u@%"]).privileges == {"SELECT"}
    assert coverage(g, "wbz", ["u@%"]).missing() == []


def test_global_privileges_add_to_the_database_grant() -> None:
    g = parse_grants([
        "GRANT CREATE, DROP ON *.* TO `u`@`%`",
        "GRANT SELECT ON `wandb_local`.* TO `u`@`%`",
    ])
    assert coverage(g, "wandb_local", ["u@%"]).privileges == {"CREATE", "DROP", "SELECT"}


def test_partial_revoke_takes_a_global_privilege_away_for_one_database() -> None:
    g = parse_grants([
        "GRANT ALL PRIVILEGES ON *.* TO `u`@`%`",
        "REVOKE INSERT ON `wandb_local`.* FROM `u`@`%`",
    ])
    assert coverage(g, "wandb_local", ["u@%"]).missing() == ["INSERT"]
    assert coverage(g, "other", ["u@%"]).missing() == []


def test_table_and_routine_grants_do_not_count_for_the_database() -> None:
    g = parse_grants([
        "GRANT ALL PRIVILEGES ON `wandb_local`.`runs` TO `u`@`%`",
        "GRANT EXECUTE ON PROCEDURE `wandb_local`.`p` TO `u`@`%`",
    ])
    assert {x.level for x in g.grants} == {"table", "routine"}
    assert coverage(g, "wandb_local", ["u@%"]).privileges == frozenset()


def test_other_accounts_lines_are_not_mine() -> None:
    g = parse_grants(["GRANT ALL ON `wandb_local`.* TO `other`@`%`"])
    assert coverage(g, "wandb_local", ["u@%"]).missing() == list(DB_PRIVILEGES)


def test_unparseable_lines_are_kept_without_password_hashes() -> None:
    g = parse_grants(["GRANT FOO ON * TO `u`@`%` IDENTIFIED BY PASSWORD '*ABC'", "SHOW ME"])
    assert g.unparsed == ["GRANT FOO ON * TO `u`@`%`", "SHOW ME"]


def test_strip_secrets_keeps_the_grant_option() -> None:
    line = "GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED BY PASSWORD '*2B60' WITH GRANT OPTION"
    assert strip_secrets(line) == "GRANT USAGE ON *.* TO `u`@`%` WITH GRANT OPTION"
    assert strip_secrets("GRANT USAGE ON *.* TO `u`@`%` IDENTIFIED VIA ed25519 USING 'xyz'") == \
        "GRANT USAGE ON *.* TO `u`@`%`"


def test_bad_lines_raise() -> None:
    with pytest.raises(GrantParseError):
        parse_line("GRANT SELECT ON `db`.* `u`")
    with pytest.raises(GrantParseError):
        parse_line("GRANT SELECT ON * TO `u`@`%`")


@pytest.mark.parametrize(("text", "expected"), [
    ("`u`@`%`", "u@%"), ("'u'@'localhost'", "u@localhost"), ("u@%", "u@%"), ("`r1`", "r1"),
    ("`we``ird`@`h`", "we`ird@h"), ("", ""),
])
def test_normalize_account(text: str, expected: str) -> None:
    assert normalize_account(text) == expected


@pytest.mark.parametrize(("pattern", "name", "matches"), [
    ("wandb_local", "wandb_local", True),
    ("wandb_local", "wandbXlocal", True),   # the guide's unescaped _ is a wildcard
    ("wandb\\_local", "wandbXlocal", False),
    ("wandb\\_local", "wandb_local", True),
    ("wb%", "wb", True),
    ("wb%", "w", False),
    ("w%b", "wxyzb", True),
    ("100\\%", "100%", True),
    ("100\\%", "1000", False),
])
def test_like_match(pattern: str, name: str, matches: bool) -> None:
    assert like_match(pattern, name) is matches


@pytest.mark.parametrize(("pattern", "rank"), [
    ("wandb", 128), ("wandb\\_local", 128), ("wb%", 3), ("wbq_%", 5), ("wbq%", 4), ("w_xy", 2), ("%", 1),
])
def test_pattern_rank(pattern: str, rank: int) -> None:
    assert pattern_rank(pattern) == rank


names = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20)


@given(names, names)
def test_escaped_name_matches_itself_and_nothing_else(name: str, other: str) -> None:
    pattern = escape_like(name)
    assert like_match(pattern, name)
    assert like_match(pattern, other) is (other == name)
    assert pattern_rank(pattern) == 128


privilege_sets = st.sets(st.sampled_from(DB_PRIVILEGES), min_size=1)


def _bq(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


@given(privilege_sets, names, names, st.sampled_from(["%", "localhost", "10.0.%"]), st.booleans())
def test_rendered_grant_lines_parse_back(privs: set[str], db: str, user: str, host: str, option: bool) -> None:
    """Whatever the names hold (backticks, quotes, spaces, ON/TO), the parser reads what MySQL prints."""
    line = (f"GRANT {', '.join(sorted(privs))} ON {_bq(db)}.* TO {_bq(user)}@{_bq(host)}"
            + (" WITH GRANT OPTION" if option else ""))
    assert parse_line(line) == [Grant(frozenset(privs), "database", f"{user}@{host}", db, None, option)]


@pytest.mark.parametrize("db", [")", "*", "(", ","])
def test_quoted_names_that_read_like_punctuation(db: str) -> None:
    """Found by hypothesis: a database named `)` or `*` is a name, not syntax."""
    line = f"GRANT SELECT ON {_bq(db)}.* TO `u`@`%`"
    assert parse_line(line) == [Grant(frozenset({"SELECT"}), "database", "u@%", db, None, False)]
