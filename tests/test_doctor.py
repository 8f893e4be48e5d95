"""The doctor report: every part bounded and failing soft; rendering; the redacted bundle."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import tarfile
import threading
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from rich.console import Console

from tests.services.base import free_port
from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from tests.test_health_servers import HealthServer, ScriptedRuntime
from wbtui.checks.acknowledged import acknowledge
from wbtui.checks.model import CheckResult, Status
from wbtui.config.masking import bundle
from wbtui.config.model import Config
from wbtui.config.urls import BucketURL, MysqlURL
from wbtui.ops.bundle import BundleLeak, bundle_members, find_leaks, write_bundle
from wbtui.ops.doctor import DoctorReport, redact_data, render, run_doctor
from wbtui.runtime.base import Unreachable

FATAL = "panic: Dirty database version 1. Fix and force version."


@pytest.fixture
def server() -> HealthServer:
    srv = HealthServer(ready_at=None)
    yield srv
    srv.close()


def base_config(host: str = "") -> Config:
    config = Config()
    config.server.HOST = host or f"http://127.0.0.1:{free_port()}"
    config.app.timeout = 2.0
    return config


def no_checks(*args: Any, **kwargs: Any) -> list[CheckResult]:
    raise AssertionError("no store is configured: the checks must not run")


def rendered(report: DoctorReport, config: Config) -> str:
    console = Console(record=True, width=200, file=io.StringIO())
    render(report, console, bundle(config))
    return console.export_text()


def test_full_report_over_a_scripted_server(server: HealthServer) -> None:
    config = base_config()
    runtime = ScriptedRuntime(config, local=server.url(), lines=[(0, "Running migrations..."), (0, FATAL)],
                              states=[(0, {"state": "restarting", "restart_count": 4, "uptime_seconds": 1})])
    parts: list[str] = []
    report = run_doctor(config, runtime=runtime, checks_fn=no_checks, on_part=lambda p: parts.append(p.name))
    assert report.status is not None and report.status.restart_count == 4
    assert report.logs == ["Running migrations...", FATAL]
    assert report.sample is not None and report.sample.target.via == "local" and not report.sample.ready.ok
    assert [d.rule for d in report.diagnosis][:2] == ["migration-dirty", "restart-loop"]
    assert report.events and report.versions["wbtui"] and report.versions["server_image"] == "wandb/local:latest"
    assert {"config", "status", "events", "logs", "probe", "versions"} <= set(parts)
    assert not report.healthy and any("/ready" in p for p in report.problems)
    json.dumps(report.to_dict())  # plain data
    text = rendered(report, config)
    for heading in ("Configuration", "Server", "Probe", "Datastore checks", "Diagnosis", "Last log lines"):
        assert heading in text
    assert "Interrupted database migration" in text and "not run: MYSQL and BUCKET are empty" in text


def test_daemon_down_is_reported_not_raised(server: HealthServer) -> None:
    config = base_config(host=server.url())
    runtime = ScriptedRuntime(config, fail=Unreachable("Cannot connect to the Docker daemon at unix:///x.sock",
                                                       "start dockerd"))
    report = run_doctor(config, runtime=runtime, checks_fn=no_checks)
    for part in ("status", "events", "logs"):
        assert not report.parts[part].ok and "Cannot connect to the Docker daemon" in report.parts[part].error
    assert report.sample is not None and report.sample.healthz.ok  # HOST still answers
    assert "status unknown: Cannot connect to the Docker daemon" in rendered(report, config)


def test_real_docker_client_against_a_missing_socket(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    config = base_config()
    started = time.monotonic()
    report = run_doctor(config, checks_fn=no_checks, timeout=10)
    assert time.monotonic() - started < 15
    assert report.status is None
    failed = {name: p.error for name, p in report.parts.items() if not p.ok}
    assert "status" in failed or "runtime" in failed, failed
    assert "versions" in failed and report.versions["python"]
    assert "Traceback" not in rendered(report, config)


def test_a_hung_daemon_call_is_cut_at_the_deadline(server: HealthServer) -> None:
    config = base_config()
    runtime = ScriptedRuntime(config, local=server.url(), hang=True)
    started = time.monotonic()
    try:
        report = run_doctor(config, runtime=runtime, checks_fn=no_checks, timeout=0.5)
    finally:
        runtime.close()
    assert time.monotonic() - started < 5
    assert report.parts["status"].error == "no answer within 0.5s"
    assert report.sample is not None  # the other parts still ran


def test_checks_that_overrun_keep_what_finished(server: HealthServer) -> None:
    config = base_config()
    config.server.MYSQL = "mysql://wandb_local:pw@db.internal:3306/wandb_local"
    release = threading.Event()
    calls: list[tuple[Any, ...]] = []

    def slow_checks(cfg: Config, stores: tuple[str, ...], *, timeout: float, on_result: Any) -> list[CheckResult]:
        calls.append((stores, timeout))
        on_result(CheckResult("mysql.config", "MySQL configured", Status.PASS, "parses", store="mysql"))
        release.wait(30)
        return []

    try:
        report = run_doctor(config, runtime=ScriptedRuntime(config, local=server.url()), checks_fn=slow_checks,
                            checks_timeout=0.5)
    finally:
        release.set()
    assert calls == [(("mysql",), 2.0)]
    assert [c.id for c in report.checks] == ["mysql.config"]
    assert report.parts["checks"].error == "no answer within 0.5s"


@pytest.mark.mysql
def test_real_mysql_checks_feed_the_diagnosis(mariadb: MariaDB, mysql_scratch: Scratch, server: HealthServer) -> None:
    mariadb.create_database(mysql_scratch.database)
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    mariadb.grant("ALL", f"`{mysql_scratch.database}`.*", mysql_scratch.user, grant_option=True)
    config = base_config()
    config.server.MYSQL = mysql_scratch.url
    address = f"{MysqlURL.parse(mysql_scratch.url).host}:{MysqlURL.parse(mysql_scratch.url).effective_port}"
    runtime = ScriptedRuntime(config, local=server.url(),
                              lines=[(0, f"panic: dial tcp {address}: connect: connection refused")])
    report = run_doctor(config, runtime=runtime)
    checks = {c.id: c for c in report.checks}
    assert checks["mysql.connect"].status == Status.PASS
    rules = {d.rule for d in report.diagnosis}
    assert {"mysql-reachable-only-from-host", "mysql-unreachable", "mysql-loopback"} <= rules
    assert mysql_scratch.password not in json.dumps(redact_data(report.to_dict(), bundle(config)))


MARIADB = "MariaDB 10.11.6 is not supported by W&B (it needs MySQL 5.7 or 8)"


@pytest.fixture
def ready_server() -> HealthServer:
    srv = HealthServer()
    yield srv
    srv.close()


def test_an_acknowledged_check_is_listed_not_a_problem_and_hides_no_other(ready_server: HealthServer) -> None:
    config = base_config()
    config.server.MYSQL = "mysql://wandb_local:pw@db.internal:3306/wandb_local"
    mariadb = CheckResult("mysql.server", "Server version", Status.FAIL, MARIADB, fix="use MySQL 8", store="mysql")
    acknowledge(config, mariadb, "MariaDB by decision", who="ops", now=datetime.now(UTC))
    found = [mariadb]

    def checks(cfg: Config, stores: tuple[str, ...], *, timeout: float, on_result: Any) -> list[CheckResult]:
        return list(found)

    report = run_doctor(config, runtime=ScriptedRuntime(config, local=ready_server.url()), checks_fn=checks)
    assert report.healthy, report.problems
    text = rendered(report, config)
    assert "MariaDB 10.11.6 is not supported" in text and "acknowledged by ops on" in text
    assert "healthy: no problems found (1 acknowledged finding(s): wbtui ack --list)" in text
    assert report.to_dict()["checks"][0]["acknowledged"]["why"] == "MariaDB by decision"

    found.append(CheckResult("mysql.privileges", "Privileges", Status.FAIL, "wandb lacks INSERT on wandb",
                             store="mysql"))
    report = run_doctor(config, runtime=ScriptedRuntime(config, local=ready_server.url()), checks_fn=checks)
    assert report.problems == ["check Privileges: wandb lacks INSERT on wandb"]
    assert "1 problem(s) (1 acknowledged finding(s)" in rendered(report, config)


@pytest.mark.mysql
def test_real_mariadb_acknowledged_leaves_the_problems(mariadb: MariaDB, mysql_scratch: Scratch,
                                                       server: HealthServer) -> None:
    mariadb.create_database(mysql_scratch.database)
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    mariadb.grant("ALL", f"`{mysql_scratch.database}`.*", mysql_scratch.user, grant_option=True)
    config = base_config()
    config.server.MYSQL = mysql_scratch.url
    report = run_doctor(config, runtime=ScriptedRuntime(config, local=server.url()))
    unsupported = next(c for c in report.checks if c.id == "mysql.server")
    assert f"check Server version: {unsupported.summary}" in report.problems
    acknowledge(config, unsupported, "MariaDB by decision", who="ops", now=datetime.now(UTC))
    again = run_doctor(config, runtime=ScriptedRuntime(config, local=server.url()))
    assert not [p for p in again.problems if p.startswith("check ")]
    assert set(report.problems) - set(again.problems) == {f"check Server version: {unsupported.summary}"}
    assert [m.result.id for m in again.marked_checks if m.covered] == ["mysql.server"]


# --- the bundle: a canary in every secret field --------------------------------------------------

CANARIES = {
    "mysql": "CanaryMysql/p@ss:w0rd+1",
    "bucket": 'CanaryBucket/S3cr3t+Key="q\\',
    "license": "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.CanaryLicenseSignature",
    "env": "CanaryEnvSlack-Secret-42",
    "redis": "CanaryRedisPw-9z",
}


def canary_config() -> Config:
    config = base_config("https://wandb.example.com")
    config.server.MYSQL = MysqlURL("wandb_local", CANARIES["mysql"], "db.internal", "wandb_local", 3306).format()
    config.server.BUCKET = BucketURL("AKIAEXAMPLE", CANARIES["bucket"], "s3.internal", "wandb", 9000).format()
    config.server.LICENSE = CANARIES["license"]
    config.env["SLACK_SECRET"] = CANARIES["env"]
    config.env["REDIS"] = f"redis://:{CANARIES['redis']}@redis.internal:6379"
    return config


def forms(secret: str) -> set[str]:
    """How a secret can appear in a file: as is, percent-encoded (either hex case), JSON-escaped."""
    encoded = quote(secret, safe="")
    lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), encoded)
    return {secret, encoded, lower, json.dumps(secret)[1:-1]}


def leaky_report(config: Config, server: HealthServer) -> DoctorReport:
    """A report whose every free-text field carries the canaries, as a misbehaving server could."""
    lines = [(0, f"gorilla config: MySQL:{config.server.MYSQL} FileStore:{config.server.BUCKET}")]
    for name, secret in CANARIES.items():
        lines.append((0, f"{name}: raw={secret} url={quote(secret, safe='')} json={json.dumps(secret)}"))
        lower = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote(secret, safe=""))
        lines.append((0, f"{name}: lower-hex={lower} in a query string"))

    def checks(cfg: Config, stores: tuple[str, ...], *, timeout: float, on_result: Any) -> list[CheckResult]:
        return [CheckResult("s3.connect", "Connect", Status.FAIL, f"denied for {CANARIES['bucket']}",
                            details=config.server.MYSQL, fix=f"use {CANARIES['license']}", store="s3",
                            data={"secret": CANARIES["env"], "nested": [CANARIES["redis"]]})]

    runtime = ScriptedRuntime(config, local=server.url(), lines=lines,
                              states=[(0, {"message": f"env REDIS={config.env['REDIS']}", "reason": CANARIES["env"]})])
    return run_doctor(config, runtime=runtime, checks_fn=checks)


def test_bundle_holds_no_secret_in_any_form(server: HealthServer, tmp_path: Path) -> None:
    config = canary_config()
    report = leaky_report(config, server)
    path = write_bundle(report, config, tmp_path / "support.tar.gz")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with tarfile.open(path, "r:gz") as tar:
        members = {m.name.split("/", 1)[1]: tar.extractfile(m).read().decode() for m in tar.getmembers()}
    assert set(members) == {"README.txt", "config.toml", "report.json", "versions.json", "logs.txt"}
    for name, text in members.items():
        for secret in CANARIES.values():
            for form in forms(secret):
                assert form not in text, f"{form!r} in {name}"
        assert "Canary" not in text.replace("CanaryLicense", ""), name  # no fragment either
    saved = tomllib.loads(members["config.toml"])
    assert saved["server"]["HOST"] == "https://wandb.example.com"
    assert saved["server"]["MYSQL"] == "mysql://wandb_local:****@db.internal:3306/wandb_local"
    assert saved["server"]["LICENSE"].startswith("****") and saved["env"]["SLACK_SECRET"] == "****"
    assert saved["env"]["REDIS"] == "redis://:****@redis.internal:6379"
    data = json.loads(members["report.json"])
    assert data["checks"][0]["summary"] == "denied for ****" and data["logs"]
    assert "****" in members["logs.txt"] and len(members["logs.txt"].splitlines()) == len(report.logs)


def test_render_and_json_hold_no_secret(server: HealthServer) -> None:
    config = canary_config()
    report = leaky_report(config, server)
    console = Console(record=True, width=1000, file=io.StringIO())
    render(report, console, bundle(config), log_lines=1000)
    outputs = {"render": console.export_text(),
               "json": json.dumps(redact_data(report.to_dict(), bundle(config)))}
    assert "Connect" in outputs["render"] and "gorilla config" in outputs["render"]
    for where, text in outputs.items():
        for secret in CANARIES.values():
            for form in forms(secret):
                assert form not in text, f"{form!r} in {where}"


def test_a_secret_that_survives_redaction_stops_the_bundle(server: HealthServer, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    config = canary_config()
    report = leaky_report(config, server)
    members = bundle_members(report, config)
    assert find_leaks(members, config) == []
    assert find_leaks({**members, "extra.txt": "oops " + quote(CANARIES["mysql"], safe="")}, config) == ["extra.txt"]
    lower_hex = re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote(CANARIES["mysql"], safe=""))
    assert find_leaks({**members, "extra.txt": f"oops {lower_hex}"}, config) == ["extra.txt"]
    # The last guard: whatever produced the members, a secret in them means no file at all.
    monkeypatch.setattr("wbtui.ops.bundle.bundle_members", lambda rep, cfg: {"logs.txt": CANARIES["redis"]})
    target = tmp_path / "b.tar.gz"
    with pytest.raises(BundleLeak, match=r"logs\.txt"):
        write_bundle(report, config, target)
    assert not target.exists() and list(tmp_path.iterdir()) == []
