"""Fixtures: one Ceph radosgw per session (``radosgw``) and a fresh bucket per test (``s3_bucket``)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.services.base import unavailable
from tests.services.ceph import CephCluster

STARTUP: dict[str, float] = {}


@pytest.fixture(scope="session")
def radosgw(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CephCluster]:
    """The session's Ceph cluster: ``endpoint``, keys, ``region``, ``s3_client()``, ``bucket_url()``.

    Started once; pytest caches a failed start, so every dependent test skips (fails in CI).
    """
    cluster = CephCluster(tmp_path_factory.mktemp("ceph"))
    try:
        cluster.start()
    except Exception as exc:  # whatever stopped it, the tests that need it cannot run
        cluster.stop()
        unavailable("Ceph radosgw", exc)
    STARTUP["radosgw"] = cluster.startup_seconds or 0.0
    yield cluster
    cluster.stop()
    cluster.remove_data()


@pytest.fixture
def s3_bucket(radosgw: CephCluster) -> Iterator[str]:
    """A new bucket in the cluster's region, removed with everything in it afterwards."""
    name = f"wbt-{secrets.token_hex(6)}"
    radosgw.s3_client().create_bucket(Bucket=name,
                                      CreateBucketConfiguration={"LocationConstraint": radosgw.region})
    yield name
    radosgw.delete_bucket(name)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for name, seconds in STARTUP.items():
        terminalreporter.write_line(f"test service start-up: {name} {seconds:.1f}s")
