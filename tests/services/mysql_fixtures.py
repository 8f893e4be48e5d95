"""Fixtures: one MariaDB server per session (``mariadb``) and throwaway names (``mysql_scratch``)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.services.base import unavailable
from tests.services.mariadb import MariaDB

STARTUP: dict[str, float] = {}


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDB]:
    """The session's MariaDB: ``execute``, ``create_user``, ``create_database``, ``url`` ...

    Started once; pytest caches a failed start, so every dependent test skips (fails in CI).
    """
    server = MariaDB(tmp_path_factory.mktemp("mariadb"))
    try:
        server.start()
    except Exception as exc:  # whatever stopped it, the tests that need it cannot run
        server.stop(remove_data=True)
        unavailable("MariaDB", exc)
    STARTUP["mariadb"] = server.startup_seconds or 0.0
    yield server
    server.stop(remove_data=True)


@dataclass(frozen=True)
class Scratch:
    """Unique names for one test; the test creates them, the fixture drops them."""

    database: str
    user: str
    password: str
    url: str


@pytest.fixture
def mysql_scratch(mariadb: MariaDB) -> Iterator[Scratch]:
    token = secrets.token_hex(4)
    password = secrets.token_urlsafe(12) + "@:/%"
    database, user = f"wbt_db_{token}", f"wbt_user_{token}"
    yield Scratch(database, user, password, mariadb.url(user, password, database))
    mariadb.drop_database(database)
    for host in ("%", "localhost", "127.0.0.1"):
        mariadb.drop_user(user, host)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for name, seconds in STARTUP.items():
        terminalreporter.write_line(f"test service start-up: {name} {seconds:.1f}s")
