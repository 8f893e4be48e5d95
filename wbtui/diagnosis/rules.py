"""What goes wrong with W&B Server, as data: a symptom, its cause and the fix.

A rule matches log lines (regular expressions, case-insensitive; named groups
fill the fix template, e.g. ``{version}``) or a predicate over the facts
(runtime status, check results, probe, watch outcome). ``when`` narrows a rule
to a situation (external vs embedded MySQL). Add a rule by appending to RULES
and a positive and a negative test line to tests/test_diagnosis_rules.py.

Line shapes follow wandb/local's own output: ``*** ...`` init messages, Go
panics (``panic: dial tcp 127.0.0.1:3306: connect: connection refused``),
go-sql-driver and aws-sdk-go errors, and gorilla's JSON log lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..config.urls import BucketURL, MysqlURL, URLError

if TYPE_CHECKING:
    from ..checks.model import CheckResult
    from ..config.model import Config
    from ..runtime.base import RuntimeEvent, ServerStatus

Severity = Literal["critical", "error", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "error": 1, "warning": 2, "info": 3}
LOOPBACK = ("localhost", "127.0.0.1", "::1", "[::1]")


@dataclass
class Facts:
    """Everything a rule may look at; any part can be missing."""

    lines: list[str] = field(default_factory=list)
    status: ServerStatus | None = None
    checks: list[CheckResult] = field(default_factory=list)
    config: Config | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (RuntimeProblem.kind, message)
    events: list[RuntimeEvent] = field(default_factory=list)  # the runtime's recent events, oldest first
    watch_timed_out: bool = False
    window: float | None = None
    ready_message: str = ""

    def mysql_host(self) -> str | None:
        if self.config is None or not self.config.server.MYSQL:
            return None
        try:
            return MysqlURL.parse(self.config.server.MYSQL).host
        except URLError:
            return None

    def mysql_port(self) -> int:
        if self.config is None or not self.config.server.MYSQL:
            return 3306
        try:
            return MysqlURL.parse(self.config.server.MYSQL).effective_port
        except URLError:
            return 3306

    def bucket_host(self) -> str | None:
        if self.config is None or not self.config.server.BUCKET:
            return None
        try:
            return BucketURL.parse(self.config.server.BUCKET).host
        except URLError:
            return None

    def template_values(self) -> dict[str, str]:
        """Values the fix templates may name, from the config."""
        values: dict[str, str] = {}
        if self.config is not None:
            values["host"] = self.config.server.HOST or "(HOST is not set)"
            values["port"] = str(self.config.runtime.port)
            values["uid"] = "" if self.config.runtime.uid is None else str(self.config.runtime.uid)
        if mysql := self.mysql_host():
            values["mysql_host"] = mysql
        if bucket := self.bucket_host():
            values["bucket_host"] = bucket
        return values


Predicate = Callable[[Facts], "str | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    cause: str
    fix: str
    patterns: tuple[str, ...] = ()
    predicate: Predicate | None = None
    source: str = "state"  # what a predicate's evidence is: "state" (status, checks, watch) or "log"
    when: Callable[[Facts], bool] | None = None


# --- situations ------------------------------------------------------------------------------

def embedded_mysql(facts: Facts) -> bool:
    """MYSQL is empty: the container runs its own MySQL on 127.0.0.1:3306."""
    return facts.config is not None and not facts.config.server.MYSQL.strip()


def external_mysql(facts: Facts) -> bool:
    return not embedded_mysql(facts)


# --- predicates over state ---------------------------------------------------------------------

def _reasons(status: ServerStatus) -> list[str]:
    return [status.reason, *(p.reason for p in status.pods)]


_SIGKILL = 137  # 128 + 9: the process got SIGKILL, from the OOM killer, `docker stop`'s timeout or a kill
_TERM_SIGNALS = ("15", "SIGTERM", "TERM")
_KILL_SIGNALS = ("9", "SIGKILL", "KILL")
_SIGNAL = re.compile(r"^signal (?P<signal>\S+)$")
_EXIT = re.compile(r"^exited with code (?P<code>-?\d+)$")


def _killed_by_sigkill(status: ServerStatus) -> bool:
    return status.exit_code == _SIGKILL or any(pod.exit_code == _SIGKILL for pod in status.pods)


def _last_run_events(events: list[RuntimeEvent]) -> list[RuntimeEvent]:
    """The events of the container's last run: from its last ``start`` up to its last ``die``."""
    dies = [i for i, e in enumerate(events) if e.reason == "die"]
    if not dies:
        return []
    end = dies[-1]
    starts = [i for i, e in enumerate(events[:end]) if e.reason == "start"]
    return events[(starts[-1] + 1 if starts else 0): end + 1]


def _signals(events: list[RuntimeEvent]) -> list[str]:
    """The signals of the ``kill`` events (``docker stop``/``docker kill``), in order."""
    return [m["signal"].upper() for e in events if e.reason == "kill" and (m := _SIGNAL.match(e.message))]


def _died_with_sigkill(events: list[RuntimeEvent]) -> bool:
    return any(e.reason == "die" and (m := _EXIT.match(e.message)) and int(m["code"]) == _SIGKILL
               for e in events)


def _stop_timed_out(signals: list[str]) -> bool:
    """SIGTERM, then SIGKILL: `docker stop` waited its timeout and killed the server."""
    terms = [i for i, s in enumerate(signals) if s in _TERM_SIGNALS]
    return bool(terms) and any(s in _KILL_SIGNALS for s in signals[terms[0] + 1:])


def _limit(facts: Facts) -> str:
    limit = facts.config.runtime.memory_limit if facts.config is not None else ""
    return f", memory limit {limit}" if limit else ""


def oom_killed(facts: Facts) -> str | None:
    """The kernel's OOM killer ended the server: Docker's OOMKilled flag, an ``oom`` event or a pod's reason.

    Exit code 137 alone is SIGKILL from anyone (`docker stop` after its timeout, `docker kill`), not OOM.
    """
    status = facts.status
    if status is None:
        return None
    if status.oom_killed or "OOMKilled" in _reasons(status):
        return (f"{status.name}: killed by the kernel's OOM killer (state {status.state}, exit code "
                f"{status.exit_code}{_limit(facts)})")
    for pod in status.pods:
        if pod.oom_killed:
            return f"pod {pod.name}: last instance OOMKilled (exit code {pod.exit_code}{_limit(facts)})"
    run = _last_run_events(facts.events)
    if any(e.reason == "oom" for e in run):
        return f"{status.name}: the runtime reported it out of memory (event oom{_limit(facts)})"
    return None


def stop_timed_out(facts: Facts) -> str | None:
    """`docker stop` (or `wbtui down`) sent SIGTERM, the server did not exit, SIGKILL followed: exit 137."""
    status = facts.status
    if status is None or status.oom_killed or status.exit_code != _SIGKILL:
        return None
    run = _last_run_events(facts.events)
    if _died_with_sigkill(run) and _stop_timed_out(_signals(run)) and not any(e.reason == "oom" for e in run):
        return (f"{status.name}: exit code 137 after events kill (signal 15), kill (signal 9); "
                "OOMKilled is false")
    return None


def killed(facts: Facts) -> str | None:
    """SIGKILL from a user or another process (`docker kill`, `kill -9`), not the OOM killer nor a stop."""
    status = facts.status
    if status is None or status.oom_killed or "OOMKilled" in _reasons(status) or not _killed_by_sigkill(status):
        return None
    if any(pod.oom_killed for pod in status.pods):
        return None
    run = _last_run_events(facts.events)
    if any(e.reason == "oom" for e in run) or (status.exit_code == _SIGKILL and _stop_timed_out(_signals(run))):
        return None
    signals = _signals(run)
    how = f"events kill (signal {', '.join(signals)})" if signals else "no stop or kill by the runtime recorded"
    who = status.name if status.exit_code == _SIGKILL else next(
        f"pod {pod.name}" for pod in status.pods if pod.exit_code == _SIGKILL)
    return f"{who}: exit code 137 (SIGKILL), {how}; not OOMKilled"


def restart_loop(facts: Facts) -> str | None:
    status = facts.status
    if status is None:
        return None
    if "CrashLoopBackOff" in _reasons(status):
        return f"{status.name}: CrashLoopBackOff, {status.restart_count} restarts"
    short = status.uptime_seconds is None or status.uptime_seconds < 600 or status.state == "restarting"
    if status.restart_count >= 3 and short:
        up = "" if status.uptime_seconds is None else f", up {status.uptime_seconds:.0f}s"
        return f"{status.name}: {status.restart_count} restarts (state {status.state}{up})"
    return None


def not_ready_in_window(facts: Facts) -> str | None:
    if not facts.watch_timed_out:
        return None
    window = f"{facts.window:.0f}s" if facts.window is not None else "the startup window"
    last = f" (last /ready: {facts.ready_message})" if facts.ready_message else ""
    return f"/ready did not answer 200 within {window}{last}"


def port_in_use(facts: Facts) -> str | None:
    for kind, message in facts.problems:
        if kind == "port-in-use":
            return message or "the runtime reported the port in use"
    return None


_PULL_REASONS = ("ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName")


def image_missing(facts: Facts) -> str | None:
    for kind, message in facts.problems:
        if kind == "image-missing":
            return message or "the image is neither local nor pullable"
    status = facts.status
    if status is not None:
        for reason in _reasons(status):
            if reason in _PULL_REASONS:
                return f"{status.name}: {reason} {status.message}".strip()
    return None


def unschedulable(facts: Facts) -> str | None:
    status = facts.status
    if status is None:
        return None
    for pod in status.pods:
        if pod.reason == "Unschedulable":
            return f"pod {pod.name}: {pod.message or 'Unschedulable'}"
    if status.reason == "Unschedulable":
        return f"{status.name}: {status.message or 'Unschedulable'}"
    return None


def loopback_mysql(facts: Facts) -> str | None:
    host = facts.mysql_host()
    if host is not None and host.lower() in LOOPBACK:
        return f"MYSQL points at {host}"
    return None


def loopback_bucket(facts: Facts) -> str | None:
    host = facts.bucket_host()
    if host is not None and host.lower() in LOOPBACK:
        return f"BUCKET points at {host}"
    return None


_DIAL = re.compile(r"(dial|read) tcp (?:[^\s]+->)?(?P<addr>[^\s]+):(?P<port>\d+): (?:connect: )?"
                   r"(connection refused|i/o timeout|no route to host|network is unreachable)", re.IGNORECASE)
_LOOKUP = re.compile(r"dial tcp: lookup (?P<name>[^\s:]+)(?: on [^\s]+)?: no such host", re.IGNORECASE)
_ACCESS_DENIED = re.compile(r"Access denied for user", re.IGNORECASE)


def mysql_dial_failed(facts: Facts) -> str | None:
    """A line where the container fails to connect to the configured database (its port or host)."""
    host = (facts.mysql_host() or "").strip("[]").lower()
    port = facts.mysql_port()
    for line in facts.lines:
        m = _DIAL.search(line)
        if m and (int(m["port"]) == port or (host and m["addr"].strip("[]").lower() == host)):
            return line
        m = _LOOKUP.search(line)
        if m and host and m["name"].lower() == host:
            return line
    return None


def mysql_only_from_host(facts: Facts) -> str | None:
    """The MySQL connection check from this machine passed, yet the container cannot reach the database."""
    connected = [c for c in facts.checks if c.store == "mysql" and c.status.value == "pass" and "connect" in c.id]
    if not connected or not external_mysql(facts):
        return None
    return mysql_dial_failed(facts) or next((line for line in facts.lines if _ACCESS_DENIED.search(line)), None)


# --- the rules ----------------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (
    Rule(
        "migration-dirty", "Interrupted database migration", "critical",
        "A schema migration (version {version}) stopped half-way, usually because the container was "
        "killed or restarted during an upgrade; the server refuses to start on a dirty schema.",
        "Stop the server and back up the database. Inspect `SELECT * FROM schema_migrations;` "
        "(version {version}, dirty=1). Restore the backup taken before the upgrade, or, with W&B "
        "support, repair the schema and force the version (`UPDATE schema_migrations SET dirty=0`). "
        "Never start two containers on one database during an upgrade.",
        patterns=(r"Dirty database version (?P<version>\d+)",),
    ),
    Rule(
        "license-invalid", "Malformed or invalid license", "error",
        "The LICENSE value is not a valid W&B license (truncated when pasted, quoted, or from another "
        "deployment).",
        "Paste the whole license from W&B's deploy manager (three base64url parts joined by '.', no "
        "quotes or line breaks): `wbtui config set LICENSE ...`, then `wbtui restart`.",
        patterns=(r"invalid licen[cs]e", r"licen[cs]e (is )?(malformed|invalid|not valid)",
                  r"compact JWS format must have three parts", r"go-jose.*(signature|cryptographic|JWS)"),
    ),
    Rule(
        "license-expired", "License expired", "error",
        "The license's expiry date has passed; after the grace period the UI is locked.",
        "Ask W&B for a renewed license, `wbtui config set LICENSE ...` and `wbtui restart`.",
        patterns=(r"licen[cs]e (has )?expired", r"expired licen[cs]e", r"renew your licen[cs]e"),
    ),
    Rule(
        "license-server-unreachable", "License server unreachable", "warning",
        "The server cannot reach W&B's license service (no outbound internet, a proxy, or DNS).",
        "Allow outbound HTTPS to api.wandb.ai / deploy.wandb.ai (or set HTTPS_PROXY in the container's "
        "env); for air-gapped sites ask W&B for an offline license.",
        patterns=(r"licen[cs]e server failed",
                  r"(licen[cs]e|deploy|api)\.wandb\.ai[^\s]*:? ?.*(no such host|connection refused|i/o timeout|"
                  r"network is unreachable|TLS handshake timeout|context deadline exceeded)"),
    ),
    Rule(
        "embedded-mysql-down", "Embedded MySQL did not start", "critical",
        "MYSQL is empty, so the container runs its own MySQL on 127.0.0.1:3306, and it is not "
        "accepting connections: usually /vol permissions, a full disk or too little memory.",
        "Check the volume is writable by the container's UID (999, or the configured one), the disk "
        "has space and the container has 8 GB; the MySQL log is /var/log/mysql.log inside the "
        "container. For production set MYSQL to an external database.",
        patterns=(r"dial tcp (127\.0\.0\.1|localhost|\[::1\]):3306: (connect: connection refused|i/o timeout)",
                  r"read tcp 127\.0\.0\.1:\d+->127\.0\.0\.1:3306: i/o timeout"),
        when=embedded_mysql,
    ),
    Rule(
        "mysql-unreachable", "MySQL unreachable from the container", "critical",
        "The container cannot open a connection to the database at {mysql_host}.",
        "MYSQL must name an address the container can reach: localhost/127.0.0.1 inside the container "
        "is the container itself, not this host. Use the database server's LAN address or DNS name, "
        "make MySQL listen on it (bind-address) and open its port in the firewall.",
        predicate=mysql_dial_failed, source="log",
        when=external_mysql,
    ),
    Rule(
        "mysql-access-denied", "MySQL rejected the user or password", "critical",
        "MySQL answered but refused the credentials in MYSQL (wrong password, or the user exists only "
        "for another client host, e.g. 'wandb_local'@'localhost').",
        "Create the user for any host as the guide does: CREATE USER 'wandb_local'@'%' IDENTIFIED BY "
        "'...'; GRANT ALL ON wandb_local.* TO 'wandb_local'@'%' WITH GRANT OPTION; then make the "
        "password in MYSQL match (`wbtui render sql`).",
        patterns=(r"Error 1045( \(28000\))?:.*Access denied for user", r"Access denied for user '[^']*'@'[^']*'"),
    ),
    Rule(
        "mysql-unknown-database", "MySQL database does not exist", "critical",
        "The database named in MYSQL has not been created.",
        "CREATE DATABASE wandb_local CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci; (name as in MYSQL; "
        "`wbtui render sql` prints the guide's statements).",
        patterns=(r"Error 1049( \(42000\))?:.*Unknown database", r"Unknown database '[^']+'"),
    ),
    Rule(
        "mysql-connection-lost", "MySQL connections dropped", "warning",
        "Open connections to MySQL are cut mid-query: the database restarted or failed over, a "
        "firewall or proxy drops idle connections, or a packet exceeded max_allowed_packet.",
        "Check the database's uptime and error log; raise max_allowed_packet (64M+) and keep "
        "firewalls from dropping idle connections to port 3306.",
        patterns=(r"lost connection to MySQL server", r"MySQL server has gone away",
                  r"\[mysql\].*(invalid connection|bad connection|unexpected EOF|broken pipe)"),
    ),
    Rule(
        "mysql-reachable-only-from-host", "MySQL answers this machine but not the container", "error",
        "The MySQL check from this machine passes while the container fails to connect: the address in "
        "MYSQL means something else inside the container, a firewall admits only this host, or the "
        "user is limited to this host's address.",
        "Use an address of the database that containers reach (not localhost), allow the Docker/pod "
        "network in the firewall, and create the user for '%' (or the container network).",
        predicate=mysql_only_from_host, source="log",
    ),
    Rule(
        "mysql-loopback", "MYSQL points at localhost", "warning",
        "Inside the container localhost/127.0.0.1 is the container itself, not the machine running it.",
        "Set MYSQL to the database host's LAN address or DNS name (as seen from the container).",
        predicate=loopback_mysql,
    ),
    Rule(
        "bucket-loopback", "BUCKET points at localhost", "warning",
        "Inside the container localhost/127.0.0.1 is the container itself, not the machine running the "
        "object store; and browsers fetch files at the store's address through signed URLs, so on "
        "localhost every other machine misses them.",
        "Set BUCKET's host to the store's LAN address or DNS name, one that both the container and "
        "users' browsers reach.",
        predicate=loopback_bucket,
    ),
    Rule(
        "bucket-missing", "Bucket does not exist", "critical",
        "The object store answered, but the bucket named in BUCKET does not exist (or is in another "
        "region).",
        "Create it (`mc mb --region=... store/BUCKET`, or `s3cmd mb`) or fix the bucket name in BUCKET; "
        "check AWS_REGION matches the store's region.",
        patterns=(r"NoSuchBucket", r"specified bucket does not exist"),
    ),
    Rule(
        "bucket-credentials", "Object store rejected the access key or secret", "critical",
        "The access key in BUCKET is unknown to the store, or the secret key does not match (also "
        "caused by an unencoded '/' or '+' in the secret).",
        "Check both keys; wbtui percent-encodes credentials in BUCKET (`wbtui config set BUCKET ...`). "
        "`wbtui doctor` runs the S3 checks from this machine with the same keys.",
        patterns=(r"SignatureDoesNotMatch", r"InvalidAccessKeyId", r"request signature we calculated does not match",
                  r"Access Key Id you provided does not exist"),
    ),
    Rule(
        "bucket-clock-skew", "Clock skew with the object store", "error",
        "Signed S3 requests carry a timestamp; this machine's clock differs too much from the store's.",
        "Synchronise clocks with NTP on the Docker host and the store (`timedatectl set-ntp true`).",
        patterns=(r"RequestTimeTooSkewed", r"difference between the request time and the current time is too large"),
    ),
    Rule(
        "bucket-settings", "Settings could not be read from the bucket", "critical",
        "At start the server reads its settings from the bucket in BUCKET and that failed.",
        "Check BUCKET (keys, host, port, bucket, ?tls=true only with a trusted certificate) and that the "
        "container reaches the store; `wbtui doctor` runs the S3 checks.",
        patterns=(r"Error while downloading settings from external bucket",),
    ),
    Rule(
        "tls-untrusted", "A TLS certificate the container does not trust", "critical",
        "A service the server talks to (object store with ?tls=true, database, license server) "
        "presents a certificate that is self-signed, from a private CA, expired or for another name.",
        "W&B does not support self-signed certificates: use a certificate from a trusted CA, or drop "
        "?tls=true for a store on a trusted network.",
        patterns=(r"x509: certificate signed by unknown authority", r"x509: certificate has expired",
                  r"x509: certificate is valid for", r"x509: cannot validate certificate",
                  r"certificate verify failed"),
    ),
    Rule(
        "origin-not-allowed", "Request origin not allowed (HOST mismatch)", "error",
        "Browsers reach the server at an address ({origin}) other than HOST ({host}); the server "
        "rejects requests from any other origin, so logins and the system console fail.",
        "Set HOST to exactly the address users type (scheme, name and port): `wbtui config set HOST "
        "https://...` and `wbtui restart`; or browse to HOST.",
        patterns=(r"origin not allowed:? ?(?P<origin>[^\s\"',]*)", r"CORS (request )?(rejected|denied|not allowed)"),
    ),
    Rule(
        "volume-permissions", "No permission to write the data volume", "critical",
        "The container's user cannot write /vol (a host directory owned by another UID, or an "
        "OpenShift random UID without GID 0).",
        "chown the volume to the container's UID (999 by default) or run with UID >= 100000 and "
        "GID 0 (`wbtui config set runtime.gid 0`).",
        patterns=(r"(mkdir|open|create) /vol[^\s:]*: permission denied",),
    ),
    Rule(
        "oom-killed", "Container killed for lack of memory", "critical",
        "The container used more memory than its limit (or the machine had) and was killed.",
        "Give it at least the guide's 8 GB: `wbtui config set runtime.memory_limit 8G` (and free memory "
        "on the host), then `wbtui up`.",
        predicate=oom_killed,
    ),
    Rule(
        "stop-timed-out", "Stopped by docker stop / wbtui down; the server did not exit on SIGTERM in time",
        "warning",
        "The container was stopped on purpose (`docker stop`, `wbtui down` or `wbtui restart`): Docker sent "
        "SIGTERM, the server did not exit within the stop timeout, and Docker then sent SIGKILL (exit code "
        "137). Not a failure of the server's health and not lack of memory (OOMKilled is false).",
        "Start it again with `wbtui up` (or `docker start`) if it should run. A server that ignores SIGTERM "
        "may be mid-migration: give it longer to stop (`docker stop -t 120 CONTAINER`) rather than killing it.",
        predicate=stop_timed_out,
    ),
    Rule(
        "killed", "Container killed by a user or process", "warning",
        "The server got SIGKILL (exit code 137) without a memory kill (OOMKilled is false) or a stop: "
        "`docker kill`, `kill -9` of its process, or the host's own tooling.",
        "Find who killed it (`docker events --since 1h --filter container=NAME`, the host's audit or "
        "orchestration logs), then start it again with `wbtui up`.",
        predicate=killed,
    ),
    Rule(
        "restart-loop", "Restart loop", "critical",
        "The container keeps crashing and being restarted; the cause is in its last log lines.",
        "Read the other findings and `wbtui logs --tail 200` (previous instance: "
        "`wbtui logs --previous` on Kubernetes); fix the cause, then `wbtui restart`.",
        predicate=restart_loop,
    ),
    Rule(
        "image-missing", "Image not available", "critical",
        "The server image is not on this host and cannot be pulled (wrong image or tag, no registry "
        "access, or registry credentials missing).",
        "Check runtime.image and runtime.tag; on hosts without registry access load it by hand "
        "(`docker save wandb/local:TAG | ssh HOST docker load`), then `wbtui up`.",
        predicate=image_missing,
    ),
    Rule(
        "unschedulable", "Pod cannot be scheduled", "critical",
        "No node can take the pod: usually not enough free CPU or memory for its requests (the guide "
        "requests 2 CPUs and 4G), a taint, or an unbound PersistentVolumeClaim.",
        "Free resources or add a node; lower runtime.cpu_request / runtime.memory_request only if the "
        "node really cannot offer them; `kubectl describe pod` shows the scheduler's message.",
        predicate=unschedulable,
    ),
    Rule(
        "not-ready-in-window", "Not ready after the startup window", "error",
        "The server did not become ready within the startup window (the guide allows 10 minutes for "
        "migrations).",
        "Follow `wbtui logs -f`: migrations on a large database may need longer (wait, or raise the "
        "window); a stalled migration waits on a table lock held by another client; see the other "
        "findings for errors.",
        predicate=not_ready_in_window,
    ),
    Rule(
        "port-in-use", "Port already in use", "critical",
        "Another process or container already listens on the host port {port}.",
        "Find it (`ss -ltnp 'sport = :{port}'`, `docker ps`), stop it, or publish another port: "
        "`wbtui config set runtime.port 8081` (and point the load balancer at it).",
        patterns=(r"bind: address already in use", r"port is already allocated"),
        predicate=port_in_use,
    ),
)

