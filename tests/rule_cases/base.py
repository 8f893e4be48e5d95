"""What a rule case is, and the builders the family case lists share (config, status, Docker events).

Lines in the family lists are marked ``[public]`` with the report they were copied from
(repository and issue, next to the line), or ``[shape]`` where no public sample exists
and the line is written in the shape of the Go library inside the image
(go-sql-driver/mysql, aws-sdk-go, crypto/x509, net). Runtime state (inspect, events)
is built as Docker 27 reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wbtui.checks.model import CheckResult, Status
from wbtui.config.model import Config
from wbtui.diagnosis import Facts
from wbtui.runtime.base import RuntimeEvent, ServerStatus
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


START: tuple[str, dict[str, str]] = ("start", {})
DIED: tuple[str, dict[str, str]] = ("die", {"exitCode": "137", "execDuration": "21"})
STOP_TIMED_OUT = docker_events(START, ("kill", {"signal": "15"}), ("kill", {"signal": "9"}), DIED, ("stop", {}))
DOCKER_KILL = docker_events(START, ("kill", {"signal": "9"}), DIED)
OOM_EVENTS = docker_events(START, ("oom", {}), DIED)


def connect(passed: bool) -> CheckResult:
    return CheckResult("mysql.connect", "Connect", Status.PASS if passed else Status.FAIL, "", store="mysql")
