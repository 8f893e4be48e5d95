"""`wbtui metrics` against real servers: the stand-in deployed by the Docker backend and the test MariaDB give
the values a scrape serves (checked against what the servers themselves say), and a database whose port is
closed makes its source go down without ever holding a scrape of the running CLI."""

from __future__ import annotations

import os
import queue
import secrets
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.services.base import free_port
from tests.test_backup_fixtures import build
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.metrics.exposition import serve
from wbtui.metrics.sampler import Sampler
from wbtui.metrics.sources import sources_for
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup.job import run_backup
from wbtui.ops.backup.manifest import now
from wbtui.runtime.docker.backend import DockerRuntime

REPO = Path(__file__).resolve().parent.parent
Page = dict[str, dict[tuple[tuple[str, str], ...], float]]


def scrape(port: int) -> tuple[str, Page]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    page: Page = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            page.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return text, page


def one(page: Page, name: str, **labels: str) -> float:
    return page[name][tuple(sorted(labels.items()))]


@pytest.fixture
def standin(docker_host: str, standin_image: str, docker_labels: dict[str, str],
            monkeypatch: pytest.MonkeyPatch) -> Iterator[DockerRuntime]:
    """The stand-in deployed (ready at once) through the Docker backend; removed afterwards."""
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    token = secrets.token_hex(4)
    config = Config()
    config.server.HOST = f"http://127.0.0.1:{free_port()}"  # not answering: probes go to the published port
    config.runtime.image, _, config.runtime.tag = standin_image.rpartition(":")
    config.runtime.container_name = config.runtime.volume = f"wbtui-test-metrics-{token}"
    config.runtime.port, config.runtime.bind_address = free_port(), "127.0.0.1"
    config.runtime.cpu_limit = config.runtime.cpu_request = "1"
    config.runtime.memory_limit = config.runtime.memory_request = "256M"
    config.env.update({"STANDIN_HEARTBEAT": "0", "STANDIN_READY_DELAY": "0"})
    runtime = DockerRuntime(config, pull=False, labels=docker_labels)
    runtime.deploy()
    yield runtime
    runtime.remove(purge=True)
    runtime.close()


@pytest.mark.docker
@pytest.mark.mysql
def test_the_values_are_the_servers(standin: DockerRuntime, mariadb: object, mysql_scratch: object, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    db = build(mariadb, mysql_scratch, runs=3)
    config = standin.config
    config.server.MYSQL = db.url
    config.backup.directory = str(tmp_path / "backups")
    made = run_backup(config, [dst.Local(tmp_path / "backups")], keep=None, timeout=10,
                      moment=now() - timedelta(hours=30)).manifest
    sampler = Sampler(sources_for(config), cadences={"probe": 0.2, "mysql": 0.3, "server": 0.5})
    server = serve(sampler.cache, "127.0.0.1", 0)
    sampler.start()
    try:
        for count in range(1, 300):  # each round waits for the next probe: ready once the stand-in answers
            assert sampler.cache.wait_samples(count, 60, ["probe"])
            text, page = scrape(server.server_port)
            if page.get("wbtui_server_ready") == {(): 1.0}:
                break
        assert sampler.cache.wait_samples(3, 60, ["mysql"]) and sampler.cache.wait_samples(1, 120)
        text, page = scrape(server.server_port)
    finally:
        sampler.stop()
        server.shutdown()
        server.server_close()

    assert one(page, "wbtui_server_up") == 1 and one(page, "wbtui_server_ready") == 1
    assert 0 < one(page, "wbtui_probe_latency_seconds", endpoint="ready") < 10
    assert one(page, "wbtui_probe_http_status", endpoint="healthz") == 200
    status = standin.status()
    assert one(page, "wbtui_server_running") == 1 and one(page, "wbtui_server_restarts") == status.restart_count
    (max_connections,) = mariadb.execute("SELECT @@max_connections")[0]  # type: ignore[attr-defined]
    assert one(page, "wbtui_mysql_max_connections") == max_connections
    assert one(page, "wbtui_mysql_connections") >= 1 and "wbtui_mysql_queries_per_second" in page
    assert one(page, "wbtui_backup_found") == 1
    assert one(page, "wbtui_backup_newest_timestamp_seconds") == made.created_at.timestamp()
    assert 30 * 3600 <= one(page, "wbtui_backup_age_seconds") < 31 * 3600
    checks = {labels: v for labels, v in page["wbtui_check_result"].items() if v == 1}
    shown = {dict(labels)["id"]: dict(labels)["severity"] for labels in checks}
    assert shown["mysql.connect"] == "pass" and shown["mysql.backup"] == "warn"  # 30 h old: past the guide's day
    assert len(checks) == len(shown), "one severity per check"
    (docker_root,) = [dict(labels) for labels in page["wbtui_storage_free_ratio"]
                      if dict(labels)["place"] == "Docker data root"]
    st = os.statvfs(docker_root["path"])
    ratio = one(page, "wbtui_storage_free_ratio", **docker_root)
    assert abs(ratio - st.f_bavail / st.f_blocks) < 0.02
    assert one(page, "wbtui_source_up", source="mysql") == 1 and one(page, "wbtui_source_up", source="probe") == 1
    password = mysql_scratch.password  # type: ignore[attr-defined]
    assert password not in text and quote(password, safe="") not in text


@pytest.mark.mysql
def test_a_closed_database_port_never_holds_a_scrape_of_the_cli(tmp_path: Path) -> None:
    password = "Closed-Canary/Pw+9"
    config = Config()
    config.server.MYSQL = f"mysql://wandb:{quote(password, safe='')}@127.0.0.1:{free_port()}/wandb"
    config.backup.directory = str(tmp_path / "backups")
    path = store.save(config, tmp_path / "config.toml")
    port = free_port()
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "DOCKER_HOST": f"unix://{tmp_path}/no.sock"}
    proc = subprocess.Popen([sys.executable, "-m", "wbtui", "--config", str(path), "metrics", "--listen",
                             f"127.0.0.1:{port}", "--cadence", "mysql=0.2", "--timeout", "2"],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    said: list[str] = []
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr or []], daemon=True).start()

    def until(prefix: str) -> str:
        """The first line of stderr that starts with ``prefix``, read already or still to come (the sampler
        runs in threads of its own: its first line can come before the serving line)."""
        while True:
            for line in said:
                if line.startswith(prefix):
                    return line
            try:
                said.append(lines.get(timeout=60))
            except queue.Empty:
                raise AssertionError(f"no line {prefix!r} within 60 s; stderr so far: {said}") from None

    try:
        until(f"serving metrics on http://127.0.0.1:{port}/metrics")
        refused = until("metrics: mysql did not answer: connection refused")  # a first "no answer within" under load
        for _ in range(20):
            text, page = scrape(port)  # 5 s timeout: a scrape that waited for a store would fail here
            assert one(page, "wbtui_source_up", source="mysql") == 0
            assert not [name for name in page if name.startswith("wbtui_mysql_")]
            assert password not in text and quote(password, safe="") not in text
        assert "fix: Start MySQL" in refused
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert password not in out + "".join(said) and quote(password, safe="") not in "".join(said)
