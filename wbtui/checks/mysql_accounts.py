"""Which account a login really lands on: host parts, anonymous accounts, and the client host.

MySQL matches a login against ``mysql.user`` sorted most-specific host first (literal
names and addresses, then patterns, ``'%'`` last), and for the same host a named user
before the anonymous one (``''``). So the anonymous ``''@'localhost'`` a default install
leaves behind catches every ``wandb_local`` login from localhost before
``'wandb_local'@'%'`` is considered, and the server answers "Access denied for user
'wandb_local'@'localhost'" although the password is right. The server names the
*client* host in that message, never the account it matched.

The sorting here follows the manual (literal before pattern, longer literal prefix
first, ``%`` last); netmask hosts (``'10.0.0.0/255.0.0.0'``) count as literal, as MySQL does.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from ..config.urls import MysqlURL, URLError
from .model import CheckFailed
from .mysql_connect import ADMIN_ENV, db_init_fix, denied_host, error_message, explain, open_connection, sql_account

__all__ = ["Account", "client_host", "denied_host", "examine_denied", "host_matches", "load_accounts",
           "matched_account", "shadow_fix", "shadowing", "split_account"]


@dataclass(frozen=True)
class Account:
    user: str
    host: str

    @property
    def anonymous(self) -> bool:
        return self.user == ""

    def sql(self) -> str:
        return sql_account(self.user, self.host)

    def __str__(self) -> str:
        return f"{self.user}@{self.host}"


def split_account(text: str) -> Account:
    """``u@h`` (CURRENT_USER()/USER() output) → Account; the last ``@`` separates them."""
    user, _, host = text.rpartition("@")
    return Account(user, host)


def _wildcard(host: str) -> bool:
    return "%" in host or "_" in host


def host_matches(pattern: str, client: str) -> bool:
    """Does the account host ``pattern`` match the ``client`` host as the server names it?"""
    if "/" in pattern:  # ip/netmask
        try:
            net = ipaddress.ip_network(pattern, strict=False)
            return ipaddress.ip_address(client) in net
        except ValueError:
            return False
    if not _wildcard(pattern):
        return pattern.lower() == client.lower()
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, client, re.IGNORECASE) is not None


def _order(account: Account) -> tuple[int, int, int]:
    host = account.host
    if host == "%":
        rank, prefix = 2, 0
    elif _wildcard(host):
        rank, prefix = 1, -len(re.split(r"[%_]", host, maxsplit=1)[0])
    else:
        rank, prefix = 0, 0
    return rank, prefix, 1 if account.anonymous else 0


def matched_account(accounts: list[Account], user: str, client: str) -> Account | None:
    """The account the server picks for a login as ``user`` from ``client``: None when none matches."""
    candidates = [a for a in accounts if a.user in (user, "") and host_matches(a.host, client)]
    return min(candidates, key=_order) if candidates else None


def shadowing(accounts: list[Account], user: str, client: str) -> list[Account]:
    """Anonymous accounts that catch ``user``'s logins from ``client`` before ``user``'s own best account."""
    own = matched_account([a for a in accounts if a.user == user], user, client)
    anonymous = [a for a in accounts if a.anonymous and host_matches(a.host, client)]
    if own is None:
        return sorted(anonymous, key=_order)
    return sorted((a for a in anonymous if _order(a) < _order(own)), key=_order)


def load_accounts(conn: Any, user: str) -> list[Account]:
    """``user``'s accounts and the anonymous ones, from mysql.user (needs an admin connection)."""
    with conn.cursor() as cur:
        cur.execute("SELECT User, Host FROM mysql.user WHERE User IN (%s, '')", (user,))
        return [Account(str(u), str(h)) for u, h in cur.fetchall()]


def client_host(conn: Any) -> str:
    """The host part the server gives this connection (``USER()``): what it matches accounts against."""
    with conn.cursor() as cur:
        cur.execute("SELECT USER()")
        row = cur.fetchone()
    return split_account(str(row[0] if row else "")).host


def shadow_fix(shadows: list[Account], user: str) -> str:
    """The SQL that removes the shadowing accounts, and the alternative."""
    drops = "\n".join(f"DROP USER {a.sql()};" for a in shadows)
    hosts = ", ".join(sql_account(user, a.host) for a in shadows)
    return (f"{drops}\n(anonymous accounts are what mysql_secure_installation removes; or keep them and create "
            f"{hosts} with the same password and grants)")


def examine_denied(failed: CheckFailed, url: MysqlURL, admin_url: str, timeout: float) -> CheckFailed:
    """A denied login (1045/1130) looked at as an admin: which account caught it, and the exact fix.

    Returns ``failed`` itself, with a note in its details, when the admin URL does not help.
    """
    host = str(failed.data.get("client_host") or "")
    if not admin_url or not host or host == "this host":
        return failed
    try:
        admin = MysqlURL.parse(admin_url)
    except URLError as exc:
        return _noted(failed, f"{ADMIN_ENV} does not parse ({exc}): mysql.user was not looked at.")
    try:
        conn = open_connection(admin, timeout, database=False)
    except Exception as exc:  # the admin login failing must not hide the first answer
        why = explain(exc, admin, timeout).summary
        return _noted(failed, f"The admin URL ({ADMIN_ENV}) did not connect either ({why}): mysql.user was not "
                              "looked at.")
    try:
        accounts = load_accounts(conn, url.user)
    except Exception as exc:  # e.g. the admin may not read mysql.user
        return _noted(failed, f"The admin URL could not read mysql.user: {error_message(exc)}")
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    return _diagnose(failed, url, accounts, host)


def _diagnose(failed: CheckFailed, url: MysqlURL, accounts: list[Account], host: str) -> CheckFailed:
    user = url.user
    own = [a for a in accounts if a.user == user]
    listed = ", ".join(str(a) for a in own) or "none"
    shadows = shadowing(accounts, user, host)
    data = {**failed.data, "accounts": [str(a) for a in own]}
    init = db_init_fix(url)
    said = next((line for line in failed.details.splitlines() if line.startswith("Server said:")), "")
    if shadows:
        first = shadows[0]
        mine = matched_account(own, user, host)
        over = f"before {mine.sql()}" if mine else f"and {user!r} has no account for that host"
        data.update(cause="anonymous_account", shadowing=[str(a) for a in shadows])
        return CheckFailed(
            f"the anonymous account {first.sql()} catches logins as {user!r} from {host} {over}",
            shadow_fix(shadows, user) + f"\nor let db init do it: {init}",
            f"MySQL tries the most specific host first and, for the same host, a named user before the anonymous "
            f"one; the login is compared with {first.sql()}'s (empty) password, not with {user!r}'s, so a right "
            f"password is refused. {user!r}'s accounts: {listed}.\n{said}".strip(), **data)
    mine = matched_account(own, user, host)
    if mine is None:
        data.update(cause="no_account_for_host")
        return CheckFailed(
            f"no account of {user!r} matches the host {host} this login comes from (accounts: {listed})",
            f"Create {sql_account(user)} as the guide does: {init}",
            f"The server matches a login by the client's address as it sees it ({host!r}); "
            f"{user!r} exists only for: {listed}. A container connects from its bridge or pod address.\n{said}".strip(),
            **data)
    if failed.data.get("cause") == "access_denied":
        data["matched"] = str(mine)
        return CheckFailed(
            f"the password in MYSQL is not the password of {mine.sql()} (the account this login from {host} "
            "matches)",
            f"Put the right password into MYSQL, or reset it: {db_init_fix(url, ' --reset-password')}",
            f"Looked up as admin: {user!r}'s accounts: {listed}; no anonymous account catches the login.\n{said}"
            .strip(), **data)
    return failed


def _noted(failed: CheckFailed, note: str) -> CheckFailed:
    return CheckFailed(failed.summary, failed.fix, f"{failed.details}\n{note}".strip(), **failed.data)
