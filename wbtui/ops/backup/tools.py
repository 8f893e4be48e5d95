"""Which MySQL client programs this host has, which one a backup uses, and why.

MariaDB ships ``mariadb-dump`` and ``mariadb``; Debian's ``mysqldump`` and ``mysql`` are symlinks to them.
Oracle's MySQL ships ``mysqldump`` and ``mysql``. A symlink is resolved and said; when both families are
really installed, the one of the server's family is used (each dumps its own server's dialect best: MySQL 8's
``mysqldump`` asks for column statistics a MariaDB server does not have, MariaDB's does not know MySQL 8's
privileges).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from typing import Literal

Family = Literal["mariadb", "mysql"]

INSTALL_FIX = ("install the MySQL client tools: `apt-get install default-mysql-client` (Debian/Ubuntu, MariaDB's "
               "or MySQL's, whichever the release ships), `apt-get install mariadb-client`, or "
               "`apt-get install mysql-client` (Ubuntu, Oracle's); `dnf install mariadb` on Fedora/RHEL")


class ToolError(Exception):
    """No usable client program; the message names the package to install."""


@dataclass(frozen=True)
class Tool:
    """One client program as found on PATH."""

    name: str  # as looked up: "mariadb-dump", "mysqldump"
    path: str  # where PATH found it
    real: str  # symlinks resolved
    family: Family
    version: str  # the first line of --version

    @property
    def is_symlink(self) -> bool:
        return os.path.realpath(self.path) != os.path.abspath(self.path)

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "path": self.path, "real": self.real, "family": self.family,
                "version": self.version}


@dataclass(frozen=True)
class Choice:
    """The program a job uses and the sentence that says why."""

    tool: Tool
    why: str


FAMILY_NAMES = {"mariadb": "MariaDB", "mysql": "MySQL"}
DUMP_NAMES = ("mariadb-dump", "mysqldump")
CLIENT_NAMES = ("mariadb", "mysql")


def _probe(name: str, path: str | None = None) -> Tool | None:
    found = path or shutil.which(name)
    if found is None:
        return None
    try:
        out = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=10, check=False,
                             stdin=subprocess.DEVNULL, env=child_env()).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    version = (out.strip().splitlines() or [""])[0]
    family: Family = "mariadb" if "mariadb" in version.lower() else "mysql"
    return Tool(name, found, os.path.realpath(found), family, version)


def find(names: tuple[str, ...]) -> list[Tool]:
    """Every program of ``names`` on PATH, in that order."""
    return [tool for name in names if (tool := _probe(name)) is not None]


def choose(names: tuple[str, ...], server_family: Family | None, what: str) -> Choice:
    """The program to use of ``names`` (the MariaDB name first), with why; ToolError when none is there."""
    tools = find(names)
    if not tools:
        raise ToolError(f"no {' or '.join(names)} on PATH ({what} needs one): {INSTALL_FIX}")
    if len(tools) == 1:
        tool = tools[0]
        why = f"{tool.name} ({tool.path}) is the only one on PATH"
        if tool.is_symlink:
            why += f"; it is a symlink to {tool.real}"
        return Choice(tool, why)
    first, second = tools[0], tools[1]
    if first.real == second.real:
        why = (f"{second.path} is a symlink to {second.real}, the same program as {first.name}: "
               f"{first.name} ({first.version}) is used")
        return Choice(first, why)
    matching = [t for t in tools if t.family == server_family]
    tool = matching[0] if matching else first
    if matching:
        why = (f"both {first.name} and {second.name} are installed (different programs); the server is "
               f"{FAMILY_NAMES[tool.family]}, so its own family's "
               f"{tool.name} ({tool.version}) is used")
    else:
        why = (f"both {first.name} and {second.name} are installed; the server's family is unknown, so "
               f"{tool.name} ({tool.version}) is used")
    return Choice(tool, why)


def find_compressor() -> str | None:
    """The zstd program when the host has it (faster at the same ratio); None: gzip, built into Python."""
    return shutil.which("zstd")


SAFE_ENV = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ")


def child_env(home: str | None = None) -> dict[str, str]:
    """The whole environment of a client child: the locale and PATH only, never a secret (no MYSQL_PWD, no
    WBTUI_MYSQL_ADMIN, no BUCKET). ``home`` points HOME at a private directory, so the user's ~/.my.cnf (read
    after --defaults-extra-file, which it would override) does not change the credentials."""
    env = {name: os.environ[name] for name in SAFE_ENV if name in os.environ}
    env.setdefault("PATH", os.defpath)
    if home is not None:
        env["HOME"] = home
    return env
