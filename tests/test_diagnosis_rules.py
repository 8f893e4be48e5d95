"""Every diagnosis rule with lines (or state) that must and must not trigger it.

Lines marked [public] are copied from public wandb/local reports (GitHub issues
wandb/server#7, #39, #46, #94, #104, #138, #139; wandb/wandb#5520, #6704;
wandb/helm-charts#90); [stand-in] from tests/standin; the rest are written in
the shape of the Go libraries inside the image (go-sql-driver/mysql,
aws-sdk-go, crypto/x509, net) for cases without a public sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from wbtui.checks.model import CheckResult, Status
from wbtui.config.model import Config
from wbtui.diagnosis import RULES, Facts, diagnose
from wbtui.runtime.base import PodStatus, PortInUse, RuntimeEvent, ServerStatus
from wbtui.runtime.docker.status import event_from_docker, status_from_inspect

EXTERNAL = "mysql://wandb_local:s3cr3t-pw@db.internal:3306/wandb_local"
GORILLA_CONFIG = (  # [public] wandb/server#46, shortened
    '{"level":"INFO","time":"2022-03-15T16:03:23Z","info":{"program":"gorilla","source":"gorilla/main.go:268"},'
    '"data":{"config":"{Port:8081,HistoryStore:mysql://wandb_local:wandb_local@127.0.0.1:3306/wandb_local,'
    'FrontendHost:http://10.20.84.191:8960,CORSOrigins:,Dev:false,Secret:[REDACTED],License:,LicenseKeyPath:,'
    'LicenseCertPath:/var/app/jwks.json,Onprem:true}"}}')
MINIO_DOWN = ('mc: <ERROR> Unable to get service status. Get "http://127.0.0.1:9000/minio/admin/v3/info": '
              'dial tcp 127.0.0.1:9000: connect: connection refused.')  # [public] wandb/server#94


def config(mysql: str = EXTERNAL, host: str = "https://wandb.example.com", bucket: str = "") -> Config:
    c = Config()
    c.server.HOST = host
    c.server.MYSQL = mysql
    c.server.BUCKET = bucket
    return c


def status(**values: Any) -> ServerStatus:
    base: dict[str, Any] = {"exists": True, "state": "running", "uptime_seconds": 30.0}
    base.update(values)
    return ServerStatus("docker", "wandb-local", **base)


@dataclass
class Case:
    rule: str
    fires: bool
    lines: list[str] = field(default_factory=list)
    config: Config | None = None
    status: ServerStatus | None = None
    checks: list[CheckResult] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    timed_out: bool = False
    events: list[RuntimeEvent] = field(default_factory=list)

    def facts(self) -> Facts:
        return Facts(lines=self.lines, status=self.status, checks=self.checks,
                     config=self.config if self.config is not None else config(), problems=self.problems,
                     watch_timed_out=self.timed_out, window=600, events=self.events)

    def __str__(self) -> str:
        return f"{self.rule}:{'+' if self.fires else '-'}"


def docker_events(*actions: tuple[str, dict[str, str]]) -> list[RuntimeEvent]:
    """Daemon events as `docker events --format json` prints them (Docker 27), one second apart."""
    out = []
    for i, (action, attributes) in enumerate(actions):
        raw = {"status": action, "id": "3f2a9c0d1e5b", "from": "wandb/local:0.70.0", "Type": "container",
               "Action": action, "scope": "local", "time": 1764630000 + i, "timeNano": (1764630000 + i) * 10**9,
               "Actor": {"ID": "3f2a9c0d1e5b" * 5 + "abcd", "Attributes": {
                   "image": "wandb/local:0.70.0", "name": "wandb-local", **attributes}}}
        event = event_from_docker(raw)
        assert event is not None
        out.append(event)
    return out


def exited_137(oom: bool = False) -> ServerStatus:
    """`docker inspect` of a container that ended with SIGKILL (State as Docker 27 reports it)."""
    return status_from_inspect({
        "Id": "3f2a9c0d1e5b", "RestartCount": 0, "Config": {"Image": "wandb/local:0.70.0"},
        "State": {"Status": "exited", "Running": False, "Paused": False, "Restarting": False,
                  "OOMKilled": oom, "Dead": False, "Pid": 0, "ExitCode": 137, "Error": "",
                  "StartedAt": "2026-12-01T22:59:41.412371877Z", "FinishedAt": "2026-12-01T23:00:02.60183422Z"},
    }, "wandb-local")


START = ("start", {})
DIED = ("die", {"exitCode": "137", "execDuration": "21"})
STOP_TIMED_OUT = docker_events(START, ("kill", {"signal": "15"}), ("kill", {"signal": "9"}), DIED, ("stop", {}))
DOCKER_KILL = docker_events(START, ("kill", {"signal": "9"}), DIED)
OOM_EVENTS = docker_events(START, ("oom", {}), DIED)


def connect(passed: bool) -> CheckResult:
    return CheckResult("mysql.connect", "Connect", Status.PASS if passed else Status.FAIL, "", store="mysql")


CASES = [
    Case("migration-dirty", True, ["panic: Dirty database version 5. Fix and force version."]),  # [public] #7
    Case("migration-dirty", True, ["FATAL: Dirty database version 42. Fix and force version."]),  # [stand-in]
    Case("migration-dirty", True, ['{"level":"FATAL","info":{"program":"gorilla"},'
                                   '"error":"Dirty database version 118. Fix and force version."}']),
    Case("migration-dirty", False, ["2024/04/27 06:32:55 Running squash migration from version 0 to 214...",
                                    "migrations complete (version 42)", "No change."]),  # [public] #139
    Case("license-invalid", True,
         ["Invalid License square/go-jose: compact JWS format must have three parts"]),  # [public] #138
    Case("license-invalid", True, ['{"level":"ERROR","msg":"invalid license: square/go-jose: error in '
                                   'cryptographic primitive"}']),
    Case("license-invalid", False, ['{"level":"info","ts":"2026-01-01T00:00:00Z","logger":"local",'
                                    '"msg":"license: none found, running with default limits"}',  # [stand-in]
                                    GORILLA_CONFIG]),
    Case("license-expired", True, ["You need to renew your license immediately. You can continue logging data, "
                                   "but since the 3-day grace period has elapsed, you won't be able to use the "
                                   "UI until you renew your license."]),  # [public] wandb/wandb#5520
    Case("license-expired", True, ['{"level":"WARN","msg":"license has expired","expiresAt":"2024-01-01"}']),
    Case("license-expired", False, ['{"level":"INFO","msg":"license expires 2027-03-01 (in 90 days)"}']),
    Case("license-server-unreachable", True, [
        'Request to license server failed: Put "https://api.wandb.ai/license?deploymentId=59526da6&uid=A5Ti'
        '&version=0.47.3": dial tcp: lookup api.wandb.ai on 192.168.65.7:53: no such host']),  # [public] #6704
    Case("license-server-unreachable", True,
         ['Get "https://deploy.wandb.ai/api/license": dial tcp 35.186.224.25:443: i/o timeout']),
    Case("license-server-unreachable", False, [
        '127.0.0.1 - - [14/Dec/2023:15:00:00 +0000] "GET /api/telemetry HTTP/1.1" 200 254',
        "Get a license at https://deploy.wandb.ai"]),
    Case("embedded-mysql-down", True, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"],
         config=config(mysql="")),  # [public] wandb/server#104
    Case("embedded-mysql-down", True, ["[mysql] 2022/02/23 07:47:40 packets.go:36: read tcp "
                                       "127.0.0.1:49070->127.0.0.1:3306: i/o timeout"],
         config=config(mysql="")),  # [public] wandb/server#39
    Case("embedded-mysql-down", False, [MINIO_DOWN, "*** Setting up mysql database..."], config=config(mysql="")),
    Case("embedded-mysql-down", False, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"]),
    Case("mysql-unreachable", True, ["panic: dial tcp 10.20.0.5:3306: connect: connection refused"]),
    Case("mysql-unreachable", True, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"]),
    Case("mysql-unreachable", True, ["dial tcp: lookup db.internal on 127.0.0.11:53: no such host"]),
    Case("mysql-unreachable", True, ["[mysql] 2024/05/01 10:00:00 packets.go:37: read tcp "
                                     "172.17.0.2:52114->10.20.0.5:3306: i/o timeout"]),
    Case("mysql-unreachable", True, ["dial tcp 10.20.0.5:13306: connect: connection refused"],
         config=config(mysql="mysql://u:p@db.internal:13306/wandb_local")),
    Case("mysql-unreachable", False, [MINIO_DOWN, "dial tcp: lookup api.wandb.ai on 127.0.0.11:53: no such host"]),
    Case("mysql-unreachable", False, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"],
         config=config(mysql="")),
    Case("mysql-access-denied", True, ["Error 1045: Access denied for user 'wandb_local'@'172.17.0.2' "
                                       "(using password: YES)"]),
    Case("mysql-access-denied", True, ["panic: Error 1045 (28000): Access denied for user "
                                       "'wandb_local'@'10.0.0.7' (using password: YES)"]),
    Case("mysql-access-denied", False, ["GRANT ALL ON wandb_local.* TO 'wandb_local'@'%' WITH GRANT OPTION"]),
    Case("mysql-unknown-database", True, ["panic: Error 1049 (42000): Unknown database 'wandb'"]),
    Case("mysql-unknown-database", True, ["Error 1049: Unknown database 'wandb_local'"]),
    Case("mysql-unknown-database", False, ["CREATE DATABASE wandb_local CHARACTER SET utf8mb4"]),
    Case("mysql-connection-lost", True, ["ERROR: lost connection to MySQL server during query"]),  # [stand-in]
    Case("mysql-connection-lost", True, ["[mysql] 2024/05/01 10:00:00 packets.go:123: closing bad idle "
                                         "connection: unexpected EOF"]),
    Case("mysql-connection-lost", False, ["*** Connecting to MySQL ... ok"]),  # [stand-in]
    Case("mysql-reachable-only-from-host", True, ["dial tcp 10.20.0.5:3306: i/o timeout"],
         checks=[connect(True)]),
    Case("mysql-reachable-only-from-host", True, ["Error 1045: Access denied for user 'wandb_local'@'172.17.0.2'"],
         checks=[connect(True)]),
    Case("mysql-reachable-only-from-host", False, ["dial tcp 10.20.0.5:3306: i/o timeout"],
         checks=[connect(False)]),
    Case("mysql-reachable-only-from-host", False, ["*** Migrating database..."], checks=[connect(True)]),
    Case("mysql-loopback", True, config=config(mysql="mysql://u:p@127.0.0.1:3306/wandb_local")),
    Case("mysql-loopback", True, config=config(mysql="mysql://u:p@localhost/wandb_local")),
    Case("mysql-loopback", False),
    Case("mysql-loopback", False, config=config(mysql="")),
    Case("bucket-loopback", True, config=config(bucket="s3://k:s@127.0.0.1:9000/wandb")),
    Case("bucket-loopback", True, config=config(bucket="s3://k:s@localhost:9000/wandb")),
    Case("bucket-loopback", True, config=config(bucket="s3://k:s@[::1]:9000/wandb")),
    Case("bucket-loopback", False, config=config(bucket="s3://k:s@minio.example.com:9000/wandb")),
    Case("bucket-loopback", False, config=config(bucket="")),
    Case("bucket-missing", True, ["panic: NoSuchBucket: ",
                                  "        status code: 404, request id: tx00000000000000cee1376-0065eea589-"
                                  "a20e921-default, host id:"]),  # [public] helm-charts#90
    Case("bucket-missing", False, ["Bucket created successfully `local/local-files`."]),  # [public] #139
    Case("bucket-credentials", True, ["SignatureDoesNotMatch: The request signature we calculated does not match "
                                      "the signature you provided. Check your key and signing method."]),
    Case("bucket-credentials", True, ["InvalidAccessKeyId: The AWS Access Key Id you provided does not exist "
                                      "in our records.\n\tstatus code: 403, request id: 17B2C1E0A4F5D2E1"]),
    Case("bucket-credentials", False, ["Successfully added arn:minio:sqs:wandb-local:_:redis"]),  # [public] #139
    Case("bucket-clock-skew", True, ["RequestTimeTooSkewed: The difference between the request time and the "
                                     "current time is too large.\n\tstatus code: 403"]),
    Case("bucket-clock-skew", False, ["request served in 12ms"]),
    Case("bucket-settings", True, ["!!! Error while downloading settings from external bucket specified in env "
                                   "var BUCKET"]),  # [public] helm-charts#90
    Case("bucket-settings", False, ["*** Loading settings..."]),
    Case("tls-untrusted", True, ['Get "https://minio.example.com:9000/wandb/?location=": x509: certificate '
                                 "signed by unknown authority"]),
    Case("tls-untrusted", True, ["x509: certificate has expired or is not yet valid: current time "
                                 "2026-11-28T10:00:00Z is after 2026-10-01T00:00:00Z"]),
    Case("tls-untrusted", False, ["*** Found custom SSL certifcates, updating root trust...",
                                  "Updating certificates in /etc/ssl/certs..."]),  # [public] helm-charts#90
    Case("origin-not-allowed", True, ["request origin not allowed: http://127.0.0.1:8080"]),  # [public] #46
    Case("origin-not-allowed", False, [GORILLA_CONFIG]),
    Case("volume-permissions", True, ["ERROR Unable to initialize backend: mkdir /vol/minio/.minio.sys/tmp/"
                                      "0519aff9-4e68-40de-a96d-78fcd159aea0: permission denied"]),  # [public] #94
    Case("volume-permissions", False, ["mkdir /tmp/cache: permission denied", "*** Loading settings from /vol/env"]),
    Case("port-in-use", True, ["Error response from daemon: driver failed programming external connectivity on "
                               "endpoint wandb-local (3f2a9c): Bind for 0.0.0.0:8080 failed: port is already "
                               "allocated"]),
    Case("port-in-use", True, ["listen tcp 0.0.0.0:8080: bind: address already in use"]),
    Case("port-in-use", True, problems=[("port-in-use", "host port 8080 is already in use")]),
    Case("port-in-use", False, ["*** Starting nginx on :8080"], problems=[("unreachable", "daemon down")]),
    Case("oom-killed", True, status=status(state="exited", exit_code=137, oom_killed=True)),
    Case("oom-killed", True, status=exited_137(oom=True), events=OOM_EVENTS),
    Case("oom-killed", True, status=exited_137(), events=OOM_EVENTS),  # the oom event without the flag
    Case("oom-killed", False, status=exited_137(), events=STOP_TIMED_OUT),  # exit 137 alone is not OOM
    Case("oom-killed", False, status=exited_137(), events=DOCKER_KILL),
    Case("oom-killed", False, status=status(state="exited", exit_code=137)),
    Case("stop-timed-out", True, status=exited_137(), events=STOP_TIMED_OUT),
    Case("stop-timed-out", False, status=exited_137(), events=DOCKER_KILL),
    Case("stop-timed-out", False, status=exited_137(oom=True), events=STOP_TIMED_OUT),
    Case("stop-timed-out", False, status=exited_137(),  # an earlier run's stop, then this run was killed
         events=[*STOP_TIMED_OUT, *DOCKER_KILL]),
    Case("killed", True, status=exited_137(), events=DOCKER_KILL),
    Case("killed", True, status=exited_137()),  # no event left in the window: still SIGKILL, not OOM
    Case("killed", True, status=status(pods=[PodStatus("wandb-1", "Running", False, 2, exit_code=137)])),
    Case("killed", False, status=exited_137(), events=STOP_TIMED_OUT),
    Case("killed", False, status=exited_137(oom=True), events=DOCKER_KILL),
    Case("killed", False, status=status(pods=[PodStatus("wandb-1", "Running", False, 2, exit_code=137,
                                                        oom_killed=True)])),
    Case("oom-killed", True, status=status(pods=[PodStatus("wandb-1", "Running", False, 2, exit_code=137,
                                                           oom_killed=True)])),
    Case("oom-killed", False, status=status(state="exited", exit_code=1)),
    Case("restart-loop", True, status=status(state="restarting", restart_count=3, uptime_seconds=2)),
    Case("restart-loop", True, status=status(pods=[PodStatus("wandb-1", "Running", False, 7,
                                                             reason="CrashLoopBackOff")], reason="CrashLoopBackOff")),
    Case("restart-loop", False, status=status(restart_count=5, uptime_seconds=3 * 86400)),
    Case("restart-loop", False, status=status(restart_count=1, uptime_seconds=5)),
    Case("image-missing", True, problems=[("image-missing", "image wandb/local:0.99.9 is not on this host and "
                                                           "cannot be pulled")]),
    Case("image-missing", True, status=status(state="failed", reason="ImagePullBackOff",
                                              message='Back-off pulling image "wandb/local:0.99.9"')),
    Case("image-missing", False, status=status(state="failed", reason="CrashLoopBackOff")),
    Case("unschedulable", True, status=status(state="pending", reason="Unschedulable", pods=[
        PodStatus("wandb-7d9f-x2", "Pending", False, 0, reason="Unschedulable",
                  message="0/3 nodes are available: 3 Insufficient memory.")])),
    Case("unschedulable", False, status=status(state="pending", reason="ContainerCreating")),
    Case("not-ready-in-window", True, timed_out=True),
    Case("not-ready-in-window", False, timed_out=False),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_rule(case: Case) -> None:
    found = {d.rule: d for d in diagnose(case.facts())}
    assert (case.rule in found) is case.fires, [d.rule for d in found.values()]
    if case.fires:
        d = found[case.rule]
        assert d.cause and d.fix and d.title and d.evidence
        assert "unknown" not in d.fix, d.fix


def test_every_rule_has_positive_and_negative_cases() -> None:
    for rule in RULES:
        kinds = {case.fires for case in CASES if case.rule == rule.id}
        assert kinds == {True, False}, f"rule {rule.id} needs a positive and a negative case"


def test_rule_ids_are_unique() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids))


def test_fix_templates_are_filled_from_the_line_and_config() -> None:
    found = {d.rule: d for d in diagnose(Facts(
        lines=["panic: Dirty database version 5. Fix and force version.",
               "request origin not allowed: http://127.0.0.1:8080",
               "listen tcp 0.0.0.0:8443: bind: address already in use"],
        config=config()))}
    assert "version 5" in found["migration-dirty"].cause and "schema_migrations" in found["migration-dirty"].fix
    assert "W&B support" in found["migration-dirty"].fix
    cause = found["origin-not-allowed"].cause
    assert "http://127.0.0.1:8080" in cause and "https://wandb.example.com" in cause
    assert ":8080" in found["port-in-use"].fix  # the configured port, not a guess


def test_mysql_unreachable_fix_explains_localhost_inside_the_container() -> None:
    [d] = [d for d in diagnose(Facts(lines=["dial tcp 127.0.0.1:3306: connect: connection refused"],
                                     config=config(mysql="mysql://u:p@localhost:3306/db")))
           if d.rule == "mysql-unreachable"]
    assert "inside the container is the container itself" in d.fix and "localhost" in d.cause


def test_restart_loop_and_oom_are_state_evidence() -> None:
    found = {d.rule: d for d in diagnose(Facts(status=status(state="restarting", restart_count=4, exit_code=137,
                                                             oom_killed=True), config=config()))}
    assert found["oom-killed"].source == "state" and "OOM" in found["oom-killed"].evidence
    assert "4 restarts" in found["restart-loop"].evidence


def test_exit_137_gets_one_finding_each_with_its_own_fix() -> None:
    def rules(status: ServerStatus, events: list[RuntimeEvent]) -> dict[str, Any]:
        return {d.rule: d for d in diagnose(Facts(status=status, events=events, config=config()))}

    stop = rules(exited_137(), STOP_TIMED_OUT)
    assert list(stop) == ["stop-timed-out"]
    assert stop["stop-timed-out"].severity == "warning" and "memory" not in stop["stop-timed-out"].fix
    assert "did not exit on SIGTERM" in stop["stop-timed-out"].title
    kill = rules(exited_137(), DOCKER_KILL)
    assert list(kill) == ["killed"] and "signal 9" in kill["killed"].evidence
    oom = rules(exited_137(oom=True), OOM_EVENTS)
    assert list(oom) == ["oom-killed"] and "memory_limit" in oom["oom-killed"].fix


def test_port_in_use_from_the_runtime_problem() -> None:
    problem = PortInUse("port 8080 on 0.0.0.0 is in use by another process", "wbtui config set runtime.port 8081")
    found = diagnose(Facts(config=config(), problems=[(problem.kind, problem.message)]))
    assert [d.rule for d in found] == ["port-in-use"] and "in use by another process" in found[0].evidence
