"""Datastore fixes as plans: what a fix will do (secrets masked), then doing it.

Creating the database and user (``checks.mysql_init``), creating the bucket and
applying its CORS rules (``checks.s3_bucket``) all look first: ``plan_fix``
inspects the store and changes nothing, so a caller can show the steps, ask, and
only then ``apply``. The dashboard's fix buttons and ``wbtui bucket`` use these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..checks.s3_bucket import ActionResult
    from ..config.model import Config

FixAction = Literal["db_init", "bucket", "cors"]


@dataclass
class FixDone:
    """What applying a fix did: one line per step, and the store's answer for bucket fixes."""

    lines: list[str]
    result: ActionResult | None = None


@dataclass
class FixPlan:
    """A fix as planned: exactly what it will do (secrets masked), and how to do it."""

    action: FixAction
    store: str
    title: str
    steps: list[str]
    pending: bool
    """Whether applying would change anything."""
    run: Callable[[], FixDone]
    preview: ActionResult | None = field(default=None)
    """The bucket fixes' dry run (bucket, region, the CORS rules to write)."""
    blocked: list[str] = field(default_factory=list)
    """What the fix cannot do as planned, and why (shown instead of "nothing to do")."""
    resets_password: bool = False
    """Planning again with ``reset_password`` would unblock it: the user exists with another password."""

    def apply(self) -> list[str]:
        return self.run().lines


def plan_fix(action: FixAction, config: Config, admin_url: str = "", *, timeout: float | None = None,
             reset_password: bool = False) -> FixPlan:
    """Inspect the store and plan a fix; nothing changes until ``apply`` is called.

    ``reset_password`` (db init): ALTER an existing user to the password in MYSQL, as
    ``wbtui db init --reset-password`` does.
    """
    seconds = config.app.timeout if timeout is None else timeout
    if action == "db_init":
        return _plan_db_init(config, admin_url, seconds, reset_password)
    return _plan_bucket(action, config, seconds)


def _plan_db_init(config: Config, admin_url: str, timeout: float, reset_password: bool) -> FixPlan:
    from ..checks.mysql_init import apply_db_init, plan_db_init

    steps = plan_db_init(config, admin_url, timeout=timeout, reset_password=reset_password)
    shown = []
    for step in steps:
        line = f"{step.title}: {step.action}" + (f" ({step.note})" if step.note else "")
        shown.append(line + (f"\n    {step.sql}" if step.sql and step.pending else ""))

    def run() -> FixDone:
        results = apply_db_init(config, admin_url, steps, timeout=timeout)
        return FixDone([f"{r.step.title}: {r.outcome}" + (f" ({r.message})" if r.message else "") for r in results])

    blocked = [s for s in steps if s.action == "blocked"]
    resets = any(s.id in ("user", "user_here") and s.sql.startswith("ALTER USER") for s in blocked)
    return FixPlan("db_init", "mysql", "Create the database and user", shown, any(s.pending for s in steps), run,
                   blocked=[f"{s.title}: {s.note}" for s in blocked], resets_password=resets)


def _plan_bucket(action: Literal["bucket", "cors"], config: Config, timeout: float) -> FixPlan:
    """Create the bucket or apply its CORS rules: a dry run first shows what would change."""
    from ..checks.s3_bucket import apply_cors, create_bucket

    do = create_bucket if action == "bucket" else apply_cors
    preview = do(config, timeout=timeout, dry_run=True)

    def run() -> FixDone:
        result = do(config, timeout=timeout)
        return FixDone([result.summary], result)

    title = "Create the bucket" if action == "bucket" else "Apply CORS rules"
    return FixPlan(action, "s3", title, preview.changes or [preview.summary], preview.changed, run, preview)
