"""The connect check from the W&B container's point of view, against real MariaDB and a real container.

The container is the W&B stand-in (built locally FROM scratch); the check enters its network
namespace from this host (as root) and logs in from there, so the server sees the container's
bridge address, not loopback.

Two servers: the session's MariaDB listens on 127.0.0.1 only, which from inside a container is
the container itself (the "MYSQL=...@127.0.0.1" mistake). For "Host ... is not allowed to connect"
(1130) the server must be reachable from the container: this module starts a second MariaDB
that listens on 127.0.0.1 and on the default bridge's gateway address (an address on this host,
on the bridge the test containers sit on; nothing outside reaches it).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from tests.mysql_results import assert_no_secret, by_id
from tests.services.base import unavailable
from tests.services.docker_fixtures import Standin
from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from wbtui.checks.model import Status
from wbtui.checks.mysql import run_mysql_checks
from wbtui.checks.mysql_connect import denied_host
from wbtui.checks.mysql_from_container import HOST_ONLY, locate
from wbtui.checks.mysql_init import apply_db_init, plan_db_init
from wbtui.config.model import Config
from wbtui.config.urls import MysqlURL

FAST: dict[str, Any] = {"timeout": 5.0, "cpu_window": 0.1}
CHECK = "mysql.from_container"

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="entering a container's network namespace needs root")


def config_for(url: str, container: str) -> Config:
    config = Config()
    config.server.MYSQL = url
    config.runtime.container_name = container
    return config




class BridgeMariaDB(MariaDB):
    """The test MariaDB, also listening on one more local address (the Docker bridge's gateway)."""

    def __init__(self, workdir: Path, extra_address: str) -> None:
        super().__init__(workdir, bind_addresses=("127.0.0.1", extra_address))
        self.extra_address = extra_address


@pytest.fixture(scope="module")
def bridge_gateway(docker_client: object) -> str:
    ipam = docker_client.networks.get("bridge").attrs["IPAM"]["Config"][0]  # type: ignore[attr-defined]
    if "Gateway" in ipam:
        return str(ipam["Gateway"])
    # A dockerd that adopted a docker0 left by an earlier one reports only the subnet; its gateway is the
    # subnet's first address, as Docker picks it.
    import ipaddress

    return str(ipaddress.ip_network(ipam["Subnet"])[1])


@pytest.fixture(scope="module")
def bridge_mariadb(tmp_path_factory: pytest.TempPathFactory, bridge_gateway: str) -> Iterator[MariaDB]:
    server = BridgeMariaDB(tmp_path_factory.mktemp("mariadb-bridge"), bridge_gateway)
    try:
        server.start()
    except Exception as exc:  # as the session fixture does: the tests that need it cannot run
        server.stop(remove_data=True)
        unavailable("MariaDB on the Docker bridge", exc)
    yield server
    server.stop(remove_data=True)


@pytest.fixture
def container(run_standin: Callable[..., Standin]) -> str:
    """A running container to check from: the W&B stand-in."""
    return str(run_standin(wait_healthz=False).container.name)


def seen_as(host: str, port: int) -> str:
    """The address the server names this host's logins to ``host:port`` with (after any NAT on the way).

    Asked of the server itself: a login it must refuse names the client host in its error.
    """
    try:
        pymysql.connect(host=host, port=port, user="wbtui_nobody", password="x", connect_timeout=5).close()
    except pymysql.err.OperationalError as exc:
        seen = denied_host(str(exc.args[1]))
        assert seen, exc
        return seen
    raise AssertionError("a login as a user that does not exist worked")


def make_account(server: MariaDB, s: Scratch, host: str) -> None:
    server.create_database(s.database)
    server.create_user(s.user, s.password, host)
    server.grant("ALL", f"`{s.database}`.*", s.user, host, grant_option=True)


@needs_root
@pytest.mark.docker
@pytest.mark.mysql
def test_mysql_on_loopback_passes_here_and_is_the_container_itself_from_there(
        mariadb: MariaDB, mysql_scratch: Scratch, container: str, bridge_gateway: str) -> None:
    s = mysql_scratch
    make_account(mariadb, s, "127.0.0.1")  # restricted to loopback, as a local install often is
    results = run_mysql_checks(config_for(s.url, container), **FAST)
    r = by_id(results)
    assert r["mysql.connect"].status is Status.PASS
    inside = r[CHECK]
    assert inside.status is Status.FAIL and inside.data["cause"] == "loopback_in_container", inside.summary
    assert f"from inside {container}" in inside.summary
    assert "MYSQL's host 127.0.0.1 is the container itself" in inside.summary
    assert f"bridge address ({bridge_gateway})" in inside.fix and "--network host" in inside.fix
    assert "The same login works from this host" in inside.details
    assert_no_secret(results, s.password)


@needs_root
@pytest.mark.docker
@pytest.mark.mysql
def test_an_account_for_this_host_only_is_refused_from_the_container(
        bridge_mariadb: MariaDB, mysql_scratch: Scratch, container: str, bridge_gateway: str) -> None:
    s = mysql_scratch
    server = bridge_mariadb
    here = seen_as(bridge_gateway, server.port)  # Docker's MASQUERADE rule may rewrite the gateway source
    make_account(server, s, here)  # an account for this host's address only
    try:
        url = MysqlURL(s.user, s.password, bridge_gateway, s.database, server.port).format()
        config = config_for(url, container)
        results = run_mysql_checks(config, **FAST)
        r = by_id(results)
        assert r["mysql.connect"].status is Status.PASS, r["mysql.connect"].summary
        inside = r[CHECK]
        assert inside.status is Status.FAIL and inside.data["cause"] == "host_not_allowed", inside.summary
        address = inside.data["container_address"]
        assert address and inside.data["client_host"] == address
        assert f"has no account for {s.user!r} from {address}" in inside.summary
        assert "is not allowed to connect" in inside.details and "wbtui db init" in inside.fix
        assert_no_secret(results, s.password)

        looked = by_id(run_mysql_checks(config, admin_url=server.admin_url, **FAST))[CHECK]
        assert looked.data.get("cause") == "no_account_for_host", looked.summary
        assert f"matches the host {address}" in looked.summary and f"{s.user}@{here}" in looked.summary

        admin = server.admin_url  # the fix the check points at: db init creates user@'%'
        apply_db_init(config, admin, plan_db_init(config, admin))
        again = by_id(run_mysql_checks(config, **FAST))[CHECK]
        assert again.status is Status.PASS, again.summary
        assert again.summary == f"connected from inside {container} (address {address}) as {s.user}@%"
        assert f"from {address}" in again.details
    finally:
        server.drop_database(s.database)
        for host in ("%", here):
            server.drop_user(s.user, host)


def test_without_a_container_the_result_says_it_checked_from_this_host_only() -> None:
    config = config_for("mysql://u:pw@127.0.0.1:1/db", "wbtui-test-no-such-container")
    where = locate(config, 2.0)
    assert isinstance(where, str)
    result = by_id(run_mysql_checks(config, timeout=2.0))[CHECK]
    assert result.status is Status.SKIPPED and result.summary.startswith(f"{HOST_ONLY}: ")
    config.runtime.backend = "kubernetes"
    result = by_id(run_mysql_checks(config, timeout=2.0))[CHECK]
    assert result.summary.startswith(f"{HOST_ONLY}: W&B runs on kubernetes")


@contextlib.contextmanager
def silent_to(address: str, bind: str) -> Iterator[int]:
    """A port on ``bind`` that holds connections from ``address`` silently and closes all others at once.

    So the check from this host fails fast (connection lost) and the run goes on, while the probe from
    the container (``address``) meets a server that never answers.
    """
    server = socket.socket()
    server.bind((bind, 0))
    server.listen(16)
    server.settimeout(0.2)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if peer[0] == address:
                held.append(conn)
            else:
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        for conn in held:
            conn.close()
        server.close()


@needs_root
@pytest.mark.docker
def test_a_server_that_never_answers_the_container_costs_one_timeout(
        run_standin: Callable[..., Standin], bridge_gateway: str) -> None:
    """Bounded: the probe from the container's namespace waits the check's timeout, not more."""
    standin = run_standin(wait_healthz=False)
    address = standin.container.attrs["NetworkSettings"]["IPAddress"]
    timeout = 2.0
    with silent_to(address, bridge_gateway) as port:
        url = MysqlURL("wandb_local", "pw-secret", bridge_gateway, "wandb_local", port).format()
        results = by_id(run_mysql_checks(config_for(url, standin.container.name), timeout=timeout))
    assert results["mysql.connect"].data["cause"] == "lost", results["mysql.connect"].summary
    result = results[CHECK]
    assert result.status is Status.FAIL and result.data["cause"] == "timeout", result.summary
    assert f"sent no MySQL greeting within {timeout:g}s" in result.summary
    assert timeout <= result.duration <= timeout + 3, result.duration  # + the probe's start (python, pymysql)
    assert "pw-secret" not in result.summary + result.details + result.fix
