"""Smoke tests: each test service is the real thing, reachable, and cleaned up."""

from __future__ import annotations

import os
import time

import pymysql
import pytest

from tests.services.base import wait_for
from tests.services.docker_engine import (
    HASH_LABEL,
    SESSION_LABEL,
    ensure_standin_image,
    remove_test_objects,
    standin_context_hash,
)
from tests.services.mariadb import MariaDB
from wbtui.config.urls import MysqlURL


@pytest.mark.mysql
def test_mariadb_answers_sql_and_says_it_is_mariadb(mariadb: MariaDB) -> None:
    (version,), = mariadb.execute("SELECT VERSION()")
    assert "MariaDB" in version
    assert mariadb.execute("SELECT 6 * 7") == [(42,)]
    assert mariadb.execute("SELECT @@log_bin") == [(1,)]


@pytest.mark.mysql
def test_mariadb_admin_url_logs_in_as_root_over_tcp(mariadb: MariaDB) -> None:
    url = MysqlURL.parse(mariadb.admin_url)
    assert (url.user, url.host, url.port, url.database) == ("root", "127.0.0.1", mariadb.port,
                                                           "mysql")
    conn = pymysql.connect(host=url.host, port=url.port, user=url.user, password=url.password,
                           database=url.database, connect_timeout=5)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT CURRENT_USER()")
        assert cur.fetchone() == ("root@127.0.0.1",)


@pytest.mark.mysql
def test_mariadb_helpers_create_user_database_and_grant(mariadb: MariaDB, mysql_scratch) -> None:
    s = mysql_scratch
    mariadb.create_database(s.database, charset="latin1", collation="latin1_swedish_ci")
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user, grant_option=True)
    url = MysqlURL.parse(s.url)
    assert url.password == s.password
    conn = pymysql.connect(host=url.host, port=url.port, user=url.user, password=url.password,
                           database=url.database, connect_timeout=5)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT @@character_set_database, @@collation_database")
        assert cur.fetchone() == ("latin1", "latin1_swedish_ci")
        cur.execute("SHOW GRANTS")
        grants = " ".join(row[0] for row in cur.fetchall())
    assert f"ON `{s.database}`.*" in grants and "WITH GRANT OPTION" in grants


@pytest.mark.mysql
def test_mariadb_drop_helpers_remove_user_and_database(mariadb: MariaDB, mysql_scratch) -> None:
    mariadb.create_database(mysql_scratch.database)
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    mariadb.drop_database(mysql_scratch.database)
    mariadb.drop_user(mysql_scratch.user)
    assert mariadb.execute("SHOW DATABASES LIKE %s", (mysql_scratch.database,)) == []
    assert mariadb.execute("SELECT 1 FROM mysql.user WHERE user = %s", (mysql_scratch.user,)) == []


@pytest.mark.docker
def test_docker_engine_answers(docker_client, docker_host: str) -> None:
    assert docker_client.ping()
    assert docker_host.startswith(("unix://", "tcp://", "ssh://"))
    assert docker_client.info()["ServerVersion"]


@pytest.mark.docker
def test_standin_image_is_built_from_scratch_with_its_context_hash(docker_client,
                                                                   standin_image: str) -> None:
    image = docker_client.images.get(standin_image)
    assert standin_image == "wbtui-test/local:dev"
    assert image.labels[HASH_LABEL] == standin_context_hash()
    assert image.attrs["Config"]["ExposedPorts"] == {"8080/tcp": {}}
    _, built_again = ensure_standin_image(docker_client)
    assert not built_again


def _wait_status(standin, path: str, want: int, timeout: float) -> float:
    """Seconds until ``path`` answers ``want``; fails after ``timeout``."""
    began = time.monotonic()
    wait_for(lambda: standin.status(path) == want, timeout, f"{path} -> {want}", interval=0.1)
    return time.monotonic() - began


@pytest.mark.docker
def test_standin_becomes_ready_streams_logs_and_stops_on_sigterm(run_standin) -> None:
    began = time.monotonic()
    standin = run_standin(env={"STANDIN_READY_DELAY": "2", "STANDIN_HEARTBEAT": "1"})
    assert time.monotonic() - began < 2, "container start to /healthz 200 should be fast"
    assert standin.status("/healthz") == 200
    assert standin.status("/ready") == 503
    _wait_status(standin, "/ready", 200, timeout=10)
    assert time.monotonic() - began >= 2

    text = ""
    deadline = time.monotonic() + 10
    stream = standin.container.logs(stream=True, follow=True)
    for chunk in stream:  # heartbeats every second keep this loop turning
        text += chunk.decode()
        if "heartbeat" in text.partition("ready on :8080")[2] or time.monotonic() > deadline:
            break
    stream.close()
    for expected in ("*** Starting W&B server", "Running migrations...", "migration 0042 applied",
                     "Starting gorilla", "W&B server ready on :8080"):
        assert expected in text

    stopped = time.monotonic()
    standin.container.stop(timeout=10)
    assert time.monotonic() - stopped < 2
    standin.container.reload()
    assert standin.container.attrs["State"]["ExitCode"] == 0
    assert "shutting down" in standin.container.logs().decode()


@pytest.mark.docker
def test_standin_crash_mode_exits_1_with_the_fatal_line(run_standin) -> None:
    standin = run_standin(env={"STANDIN_MODE": "crash"}, wait_healthz=False)
    assert standin.container.wait(timeout=10)["StatusCode"] == 1
    logs = standin.container.logs().decode().splitlines()
    assert logs[-1] == "panic: Dirty database version 1. Fix and force version."


@pytest.mark.docker
def test_standin_crash_mode_prints_a_chosen_fatal_line(run_standin) -> None:
    line = "panic: runtime error: invalid memory address"
    standin = run_standin(env={"STANDIN_MODE": "crash", "STANDIN_FATAL_LINE": line},
                          wait_healthz=False)
    assert standin.container.wait(timeout=10)["StatusCode"] == 1
    assert standin.container.logs().decode().splitlines()[-1] == line


@pytest.mark.docker
def test_standin_never_ready_keeps_answering_503(run_standin) -> None:
    standin = run_standin(env={"STANDIN_MODE": "never-ready", "STANDIN_READY_DELAY": "0"})
    wait_for(lambda: "waiting for table lock" in standin.container.logs().decode(), 10,
             "never-ready log line")
    assert standin.status("/ready") == 503
    assert standin.status("/healthz") == 200


@pytest.mark.docker
def test_standin_error_line_at_a_given_time(run_standin) -> None:
    line = "ERROR: lost connection to MySQL server at 'reading initial communication packet'"
    began = time.monotonic()
    standin = run_standin(env={"STANDIN_ERROR_AT": "1", "STANDIN_ERROR_LINE": line,
                               "STANDIN_HEARTBEAT": "0"})
    assert line not in standin.container.logs().decode()
    wait_for(lambda: line in standin.container.logs().decode(), 10, "error line")
    assert time.monotonic() - began >= 1


@pytest.mark.docker
def test_standin_burst_prints_numbered_lines_then_continues(run_standin) -> None:
    standin = run_standin(env={"STANDIN_BURST_LINES": "20000", "STANDIN_READY_DELAY": "0",
                               "STANDIN_HEARTBEAT": "0"})
    _wait_status(standin, "/ready", 200, timeout=20)
    lines = standin.container.logs().decode().splitlines()
    numbered = [line for line in lines if line.startswith("log line ")]
    assert len(numbered) == 20000
    assert numbered[0].startswith("log line 000001 ") and numbered[-1].startswith("log line 020000 ")
    assert lines.index(numbered[-1]) < next(i for i, line in enumerate(lines) if "ready on" in line)


@pytest.mark.docker
def test_session_cleanup_removes_only_this_sessions_labelled_objects(
        docker_client, standin_image: str, docker_labels: dict[str, str]) -> None:
    mine = docker_client.containers.create(standin_image, name=f"wbtui-test-mine-{os.getpid()}",
                                           labels=docker_labels)
    other = docker_client.containers.create(
        standin_image, name=f"wbtui-test-other-{os.getpid()}",
        labels={**docker_labels, SESSION_LABEL: f"{os.getpid()}-someoneelse"})
    volume = docker_client.volumes.create(f"wbtui-test-vol-{os.getpid()}", labels=docker_labels)
    try:
        removed = remove_test_objects(docker_client, docker_labels[SESSION_LABEL],
                                      include_unowned=False)
        assert mine.name in removed and volume.name in removed
        assert other.name not in removed
        other.reload()
    finally:
        other.remove(force=True)
