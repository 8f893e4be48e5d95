"""What a rule looks at (Facts) and what a rule is (Rule): the shared vocabulary of the rule families."""


from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ...config.urls import BucketURL, MysqlURL, URLError

if TYPE_CHECKING:
    from ...checks.model import CheckResult
    from ...config.model import Config
    from ...runtime.base import RuntimeEvent, ServerStatus

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
    explains: tuple[str, ...] = ()  # rules whose finding is a knock-on of this one (ranked after it)


# --- situations ------------------------------------------------------------------------------

def embedded_mysql(facts: Facts) -> bool:
    """MYSQL is empty: the container runs its own MySQL on 127.0.0.1:3306."""
    return facts.config is not None and not facts.config.server.MYSQL.strip()


def external_mysql(facts: Facts) -> bool:
    return not embedded_mysql(facts)
