"""Test configuration: the real test services are pytest plugins, one module each."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.services.docker_fixtures",
    "tests.services.mysql_fixtures",
    "tests.services.mariadb_replica",
    "tests.services.s3_fixtures",
    "tests.services.podman",
    "tests.services.sshd",
]


@pytest.fixture(autouse=True)
def _private_xdg_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own backups directory and state files: the Newest-backup check, the upgrade record
    and the storage samples never read (or write) the real ~/.local of whoever runs the tests. A WBTUI_*
    variable of the shell that runs them (WBTUI_HOST, WBTUI_CONFIG, WBTUI_PROFILE) would override every
    test's config: they are cleared."""
    home: Path = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    for name in [n for n in os.environ if n.startswith("WBTUI_")]:
        monkeypatch.delenv(name)
