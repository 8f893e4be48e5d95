"""Reading SHOW GRANTS: which privileges an account really has on one database.

Pure text processing (no connection), so the rules can be tested exhaustively:
MySQL 5.7/8 and MariaDB output, grants on ``*.*``, database patterns with ``_``
and ``%`` wildcards (``\\_`` is a literal underscore), roles and partial revokes.

Database-level grants follow the server's rule: of all patterns that match the
database, only the most specific one applies (they are not added up); global
grants and the grants of active roles are added on top.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# What `GRANT ALL ON db.*` gives on MySQL 5.7/8 (MariaDB adds a few of its own).
DB_PRIVILEGES: tuple[str, ...] = (
    "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "REFERENCES", "INDEX", "ALTER",
    "CREATE TEMPORARY TABLES", "LOCK TABLES", "EXECUTE", "CREATE VIEW", "SHOW VIEW",
    "CREATE ROUTINE", "ALTER ROUTINE", "EVENT", "TRIGGER",
)
ALL = "ALL PRIVILEGES"

_TOKEN = re.compile(
    r"\s*(?:(?P<bq>`(?:[^`]|``)*`)|(?P<sq>'(?:[^'\\]|\\.|'')*')|(?P<dq>\"(?:[^\"\\]|\\.|\"\")*\")"
    r"|(?P<word>[A-Za-z0-9_$%\\-]+)|(?P<punct>[,.()@*=;]))"
)
_SECRET_CLAUSE = re.compile(r"\s+IDENTIFIED\s+(BY|VIA|WITH)\b.*?(?=\s+(REQUIRE|WITH|ACCOUNT)\b|$)",
                            re.IGNORECASE)


class GrantParseError(ValueError):
    """A SHOW GRANTS line this parser does not understand."""


@dataclass(frozen=True)
class Token:
    kind: str  # "ident" (quoted), "word" (bare), "punct"
    text: str

    def is_word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words

    def is_punct(self, text: str) -> bool:
        """Punctuation, not a quoted name that happens to read the same (`)` or `*`)."""
        return self.kind == "punct" and self.text == text


@dataclass(frozen=True)
class Grant:
    """``GRANT privileges ON object TO grantee``; level is global/database/table/routine/proxy."""

    privileges: frozenset[str]
    level: str
    grantee: str
    database: str | None = None
    table: str | None = None
    grant_option: bool = False


@dataclass(frozen=True)
class Revoke:
    """A MySQL 8 partial revoke (``REVOKE privs ON db.* FROM user``) of global privileges."""

    privileges: frozenset[str]
    grantee: str
    database: str


@dataclass(frozen=True)
class RoleGrant:
    roles: tuple[str, ...]
    grantee: str


@dataclass(frozen=True)
class DefaultRoles:
    """MariaDB's ``SET DEFAULT ROLE r FOR user`` line."""

    roles: tuple[str, ...]
    grantee: str


@dataclass
class Grants:
    grants: list[Grant] = field(default_factory=list)
    revokes: list[Revoke] = field(default_factory=list)
    roles: list[RoleGrant] = field(default_factory=list)
    default_roles: list[DefaultRoles] = field(default_factory=list)
    unparsed: list[str] = field(default_factory=list)

    @property
    def granted_roles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r for g in self.roles for r in g.roles))


@dataclass(frozen=True)
class Coverage:
    """The privileges one database gets, and where they come from."""

    privileges: frozenset[str]
    grant_option: bool
    sources: tuple[str, ...]

    def missing(self, required: Iterable[str] = DB_PRIVILEGES) -> list[str]:
        if ALL in self.privileges:
            return []
        return [p for p in required if p not in self.privileges]


def tokenize(line: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    text = line.rstrip().rstrip(";")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            raise GrantParseError(f"unexpected character {text[pos]!r} in {line!r}")
        pos = m.end()
        if m["bq"]:
            tokens.append(Token("ident", m["bq"][1:-1].replace("``", "`")))
        elif m["sq"] or m["dq"]:
            tokens.append(Token("ident", _unquote_string(m["sq"] or m["dq"])))
        elif m["word"]:
            tokens.append(Token("word", m["word"]))
        elif m["punct"]:
            tokens.append(Token("punct", m["punct"]))
    return tokens


def _unquote_string(quoted: str) -> str:
    q, body = quoted[0], quoted[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t", "0": "\0", "r": "\r"}.get(nxt, nxt))
            i += 2
        elif c == q and i + 1 < len(body) and body[i + 1] == q:
            out.append(q)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _account(tokens: list[Token], i: int) -> tuple[str, int]:
    """Read ``user[@host]`` at tokens[i]; returns ('user@host' or 'role', next index)."""
    if i >= len(tokens) or tokens[i].kind == "punct":
        raise GrantParseError("expected an account name")
    name = tokens[i].text
    i += 1
    if i < len(tokens) and tokens[i].is_punct("@"):
        if i + 1 >= len(tokens) or tokens[i + 1].kind == "punct":
            raise GrantParseError("expected a host after '@'")
        return f"{name}@{tokens[i + 1].text}", i + 2
    return name, i


def normalize_account(text: str) -> str:
    """`` `u`@`%` ``, ``'u'@'%'`` or ``u@%`` → ``u@%``; a bare role name stays as it is."""
    text = text.strip()
    if not text:
        return ""
    try:
        tokens = tokenize(text)
        name, end = _account(tokens, 0)
    except GrantParseError:
        return text
    return name if end == len(tokens) else text


def parse_account_list(text: str) -> list[str]:
    """``CURRENT_ROLE()`` output (`` `r1`@`%`,`r2`@`%` `` or ``r1``) as account names; NONE → []."""
    text = (text or "").strip()
    if not text or text.upper() == "NONE":
        return []
    tokens = tokenize(text)
    if len(tokens) == 1 and tokens[0].kind == "word":
        return [tokens[0].text]
    accounts, rest = _grantees(tokens)
    if rest:
        raise GrantParseError(f"unexpected text after the account names in {text!r}")
    return accounts


def _privileges(tokens: list[Token]) -> frozenset[str]:
    """Table/db/global privileges named in a list; column privileges (``SELECT (c)``) are left out."""
    out: set[str] = set()
    words: list[str] = []
    depth = 0
    column_level = False
    for tok in [*tokens, Token("punct", ",")]:
        if tok.is_punct("("):
            depth += 1
            column_level = True
        elif tok.is_punct(")"):
            depth -= 1
        elif depth == 0 and tok.is_punct(","):
            name = " ".join(words).upper()
            if name in ("ALL", ALL):
                name = ALL
            if name and not column_level:
                out.add(name)
            words, column_level = [], False
        elif depth == 0:
            words.append(tok.text)
    return frozenset(out)


def _index_of_word(tokens: list[Token], start: int, *words: str) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        tok = tokens[i]
        if tok.is_punct("("):
            depth += 1
        elif tok.is_punct(")"):
            depth -= 1
        elif depth == 0 and tok.is_word(*words):
            return i
    return -1


def _object(tokens: list[Token]) -> tuple[str, str | None, str | None]:
    """``ON [TABLE|FUNCTION|PROCEDURE] obj``: (level, database, table)."""
    level = "table"
    if tokens and tokens[0].is_word("TABLE", "FUNCTION", "PROCEDURE") and len(tokens) > 1:
        level = "table" if tokens[0].text.upper() == "TABLE" else "routine"
        tokens = tokens[1:]
    texts = [t.text for t in tokens]
    if len(tokens) == 3 and tokens[1].is_punct("."):
        if tokens[0].is_punct("*") and tokens[2].is_punct("*"):
            return "global", None, None
        if tokens[0].kind != "punct":
            if tokens[2].is_punct("*"):
                return "database", texts[0], None
            return level, texts[0], texts[2]
    if len(tokens) == 1 and tokens[0].is_punct("*"):
        raise GrantParseError("ON * names the session's default database, which SHOW GRANTS never prints")
    raise GrantParseError(f"unexpected object {' '.join(texts)!r}")


def _grantees(tokens: list[Token]) -> tuple[list[str], list[Token]]:
    accounts: list[str] = []
    i = 0
    while True:
        name, i = _account(tokens, i)
        accounts.append(name)
        if i < len(tokens) and tokens[i].is_punct(","):
            i += 1
            continue
        return accounts, tokens[i:]


def _has_grant_option(rest: list[Token]) -> bool:
    words = [t.text.upper() for t in rest if t.kind == "word"]
    return any(words[i:i + 3] == ["WITH", "GRANT", "OPTION"] for i in range(len(words)))


def parse_line(line: str) -> list[Grant | Revoke | RoleGrant | DefaultRoles]:
    """One SHOW GRANTS line as statements (one per grantee); [] for lines that grant nothing."""
    tokens = tokenize(line)
    if not tokens:
        return []
    head = tokens[0].text.upper()
    if head == "SET":
        return _parse_default_role(tokens)
    if head not in ("GRANT", "REVOKE"):
        raise GrantParseError(f"not a GRANT statement: {strip_secrets(line)!r}")
    target = "TO" if head == "GRANT" else "FROM"
    on = _index_of_word(tokens, 1, "ON")
    to = _index_of_word(tokens, 1, target)
    if to == -1:
        raise GrantParseError(f"no {target} in {strip_secrets(line)!r}")
    grantees, rest = _grantees(tokens[to + 1:])
    if on == -1 or on > to:
        if head == "REVOKE":
            return []
        roles, _ = _grantees(tokens[1:to])
        return [RoleGrant(tuple(roles), g) for g in grantees]
    privileges = _privileges(tokens[1:on])
    if "PROXY" in privileges:
        return []
    level, database, table = _object(tokens[on + 1:to])
    if head == "REVOKE":
        if level != "database" or database is None:
            return []
        return [Revoke(privileges, g, database) for g in grantees]
    option = _has_grant_option(rest)
    return [Grant(privileges, level, g, database, table, option) for g in grantees]


def _parse_default_role(tokens: list[Token]) -> list[Grant | Revoke | RoleGrant | DefaultRoles]:
    words = [t.text.upper() for t in tokens[:3]]
    if words != ["SET", "DEFAULT", "ROLE"]:
        raise GrantParseError("only SET DEFAULT ROLE lines are expected among grants")
    fr = _index_of_word(tokens, 3, "FOR")
    if fr == -1:
        raise GrantParseError("SET DEFAULT ROLE without FOR")
    role_tokens = tokens[3:fr]
    if len(role_tokens) == 1 and role_tokens[0].is_word("NONE"):
        roles: list[str] = []
    else:
        roles, _ = _grantees(role_tokens)
    grantees, _ = _grantees(tokens[fr + 1:])
    return [DefaultRoles(tuple(roles), g) for g in grantees]


def parse_grants(lines: Iterable[str]) -> Grants:
    """All lines of SHOW GRANTS; lines that do not parse are kept in ``unparsed``."""
    out = Grants()
    for line in lines:
        try:
            statements = parse_line(line)
        except GrantParseError:
            out.unparsed.append(strip_secrets(line))
            continue
        for st in statements:
            if isinstance(st, Grant):
                out.grants.append(st)
            elif isinstance(st, Revoke):
                out.revokes.append(st)
            elif isinstance(st, RoleGrant):
                out.roles.append(st)
            else:
                out.default_roles.append(st)
    return out


def like_match(pattern: str, name: str) -> bool:
    """Does a grant's database pattern match ``name``? ``_``/``%`` are wildcards, ``\\`` escapes."""
    regex = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            regex.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        regex.append("." if c == "_" else ".*" if c == "%" else re.escape(c))
        i += 1
    return re.fullmatch("".join(regex), name, re.DOTALL) is not None


def escape_like(name: str) -> str:
    """The pattern matching exactly ``name`` (for a GRANT that must not match other databases)."""
    return name.replace("\\", "\\\\").replace("_", "\\_").replace("%", "\\%")


def pattern_rank(pattern: str) -> int:
    """How specific a database pattern is, as the server sorts its grant table (higher wins).

    A name without wildcards ranks highest; otherwise the 1-based position of the
    last wildcard up to the first ``%``: ``wbq_%`` (5) beats ``wbq%`` (4).
    """
    wild_pos = 0
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            i += 2
            continue
        if c in "_%":
            wild_pos = i + 1
            if c == "%":
                break
        i += 1
    return min(wild_pos, 127) if wild_pos else 128


def coverage(grants: Grants, database: str, grantees: Iterable[str]) -> Coverage:
    """Privileges on ``database`` for the given accounts/roles (global + most specific db grant)."""
    privileges: set[str] = set()
    option = False
    sources: list[str] = []
    for grantee in dict.fromkeys(grantees):
        own = [g for g in grants.grants if g.grantee == grantee]
        revoked: set[str] = set()
        for r in grants.revokes:
            if r.grantee == grantee and r.database == database:
                revoked |= r.privileges
        for g in own:
            if g.level == "global" and g.privileges - {"USAGE"}:
                granted = _expand(g.privileges) - revoked
                privileges |= granted
                option = option or g.grant_option
                sources.append(f"{_show(g.privileges)} ON *.* TO {grantee}")
        matching = [g for g in own if g.level == "database" and g.database is not None
                    and like_match(g.database, database)]
        if matching:
            best = max(matching, key=lambda g: pattern_rank(g.database or ""))
            privileges |= _expand(best.privileges)
            option = option or best.grant_option
            sources.append(f"{_show(best.privileges)} ON `{best.database}`.* TO {grantee}")
    if set(DB_PRIVILEGES) <= privileges:
        privileges.add(ALL)
    return Coverage(frozenset(privileges), option, tuple(sources))


def _expand(privileges: frozenset[str]) -> set[str]:
    """The privilege names, with ALL spelled out (so a partial revoke can take one away)."""
    return (set(privileges) - {ALL}) | (set(DB_PRIVILEGES) if ALL in privileges else set())


def _show(privileges: frozenset[str]) -> str:
    if ALL in privileges:
        return ALL
    return ", ".join(sorted(privileges))


def strip_secrets(line: str) -> str:
    """A grant line without its ``IDENTIFIED BY PASSWORD '<hash>'`` clause (MariaDB prints it)."""
    return _SECRET_CLAUSE.sub("", line)
