"""`wbtui check [mysql|s3|all]` and `wbtui db init`: datastore checks and the database bootstrap.

``check`` prints one row per check and, below, the details and the fix of every
check that did not pass; exit 0 when nothing failed (warnings fail only with
``--strict``), 1 when something failed, 2 on usage errors. A finding the config
acknowledges (`wbtui ack`) is shown as such and left out of the exit code.
``db init`` shows what it will create and asks first.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich import box
from rich.table import Table
from rich.text import Text

from ..checks.model import CheckResult, Status
from ..checks.mysql_host import DEFAULT_CPU_WINDOW
from . import db_status_cmd
from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context, seconds

if TYPE_CHECKING:
    from ..config.model import Acknowledgement

STYLES = {Status.PASS: "green", Status.WARN: "yellow", Status.FAIL: "bold red", Status.SKIPPED: "dim"}
ADMIN_ENV = "WBTUI_MYSQL_ADMIN"
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C




def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check", help="check MySQL and the object store, with causes and fixes",
        description="Check the datastores in the configuration: MySQL (connection, version, charset, "
        "privileges, a write test, recommended settings, backups, load, hot standby) and the S3 object "
        "store. Exit 0 when nothing failed, 1 when a check failed (or warned, with --strict), 2 on "
        "usage errors. Findings accepted with `wbtui ack` are shown as acknowledged and do not count.",
    )
    p.add_argument("store", nargs="?", choices=("mysql", "s3", "all"), default="all",
                   help="which store to check (default: all, concurrently)")
    p.add_argument("--json", action="store_true", help="print the results as a JSON list")
    p.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    p.add_argument("--timeout", type=seconds, metavar="S",
                   help="connect/read timeout per network call (default: app.timeout, 5)")
    p.add_argument("--cpu-window", type=seconds, metavar="S", default=DEFAULT_CPU_WINDOW,
                   help="when MySQL runs on this host, sample its CPU for S seconds (default %(default)s; "
                   "the guide's rule is about 300)")
    p.set_defaults(func=_check)

    db = sub.add_parser("db", help="set up and watch the W&B MySQL database",
                        description="Database set-up and monitoring for W&B Server.")
    dsub = db.add_subparsers(dest="db_command", metavar="COMMAND", required=True)
    i = dsub.add_parser(
        "init", help="create MYSQL's user and utf8mb4 database and grant ALL (idempotent)",
        description="Run the guide's CREATE USER / CREATE DATABASE / GRANT ALL for the user and database "
        "in MYSQL, with the password from MYSQL. Inspects first and runs only what is missing; a second "
        "run changes nothing. Shows the plan and asks before changing anything.",
    )
    i.add_argument("--admin", metavar="URL",
                   help=f"an account allowed to create users, e.g. mysql://root:PASSWORD@HOST:3306/mysql "
                   f"(default: ${ADMIN_ENV}, which keeps the password out of shell history)")
    i.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    i.add_argument("--dry-run", action="store_true", help="only print the plan")
    i.add_argument("--reset-password", action="store_true",
                   help="if the user exists with another password, ALTER USER to the one in MYSQL")
    i.add_argument("--timeout", type=seconds, metavar="S", help="connect/read timeout (default: app.timeout)")
    i.add_argument("--json", action="store_true", help="print the plan and what was done as one JSON object "
                   "(the plan also on stderr)")
    i.set_defaults(func=_db_init)
    db_status_cmd.register(dsub)


# -- check ---------------------------------------------------------------------------------


def _check(ctx: Context, args: argparse.Namespace) -> int:
    from ..checks.acknowledged import exit_code, mark
    from ..checks.runner import run_checks

    config = ctx.config()
    timeout = args.timeout or config.app.timeout
    stores = ("mysql", "s3") if args.store == "all" else (args.store,)
    started = time.monotonic()
    try:
        if args.json or not ctx.err.is_terminal:
            results = run_checks(config, stores, timeout=timeout, cpu_window=args.cpu_window)
        else:
            with ctx.err.status(f"checking {', '.join(stores)} ...") as status:
                def progress(result: CheckResult) -> None:
                    status.update(f"checking {', '.join(stores)} ... {result.store}: {result.title} "
                                  f"{result.status.icon}")

                results = run_checks(config, stores, timeout=timeout, on_result=progress,
                                     cpu_window=args.cpu_window)
    except KeyboardInterrupt:  # the runner has closed the stores' connections and left their threads
        raise CliError("interrupted: the checks still running were stopped; run wbtui check again for "
                       "results", EXIT_INTERRUPTED) from None
    _keep_last_run(ctx, mark(results, config.acknowledged), stores)
    if args.json:
        ctx.print_json([m.to_dict() for m in mark(results, config.acknowledged)])
    else:
        print_results(ctx, results, time.monotonic() - started, config.acknowledged)
    return exit_code(results, config, args.strict)


def _keep_last_run(ctx: Context, marked: list[Any], stores: tuple[str, ...]) -> None:
    """The run's summary for `wbtui status --all` (checks.last_run); a state directory that cannot be written
    never fails the checks."""
    from ..checks import last_run

    with contextlib.suppress(OSError):
        last_run.record(ctx.config_path, last_run.summarize(marked, stores))


def _icon(status: Status) -> Text:
    return Text(status.icon, style=STYLES[status])


def print_results(ctx: Context, results: list[CheckResult], elapsed: float,
                  acks: Sequence[Acknowledgement] = ()) -> None:
    """The table, then the details and fix of every check that did not pass, then the counts.

    A finding ``acks`` covers is dim in the table, says who accepted it, when and why, and is
    counted apart from the failures and warnings; one they no longer cover says what was accepted.
    """
    from ..checks.acknowledged import mark

    marked = mark(results, acks)
    redact = ctx.redactor()
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("", no_wrap=True)
    table.add_column("Store", no_wrap=True)
    table.add_column("Check", no_wrap=True)
    table.add_column("Summary")
    table.add_column("Time", justify="right", no_wrap=True)
    for m in marked:
        r = m.result
        if m.covered:
            icon, summary = Text(r.status.icon, style="dim"), Text(redact(r.summary) + " (acknowledged)", style="dim")
        else:
            icon = _icon(r.status)
            summary = Text(redact(r.summary), style=STYLES[r.status] if r.status is not Status.PASS else "")
        table.add_row(icon, r.store, r.title, summary, f"{r.duration:.2f}s")
    ctx.out.print(table)
    for m in marked:
        r = m.result
        if r.status in (Status.PASS, Status.SKIPPED) or not (r.details or r.fix or m.note):
            continue
        head = Text.assemble(_icon(r.status), " ", (f"{r.store} · {r.title}", "bold"), ": ", redact(r.summary))
        ctx.out.print()
        ctx.out.print(head)
        if m.note:
            ctx.out.print(Text("  " + redact(m.note[0].upper() + m.note[1:]), style="dim" if m.covered else "yellow"))
        if r.details:
            ctx.out.print(Text(_indent(redact(r.details), 2)))
        if r.fix:
            ctx.out.print(Text("  Fix:", style="bold"))
            ctx.out.print(Text(_indent(redact(r.fix), 4), style="cyan"))
    counts = {s: sum(1 for m in marked if m.result.status is s and not m.covered) for s in Status}
    acknowledged = sum(1 for m in marked if m.covered)
    ctx.out.print()
    line = Text.assemble((f"{counts[Status.PASS]} passed", "green"), ", ",
                         (f"{counts[Status.WARN]} warnings", "yellow"), ", ", (f"{counts[Status.FAIL]} failed", "red"),
                         ", ")
    if acknowledged:
        line.append(f"{acknowledged} acknowledged, ", style="dim")
    line.append(f"{counts[Status.SKIPPED]} skipped in {elapsed:.1f}s")
    ctx.out.print(line)


def _indent(text: str, n: int) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())


# -- db init -------------------------------------------------------------------------------

_PLAN_MARK = {"create": ("+", "green"), "alter": ("~", "yellow"), "none": ("✔", "dim"), "blocked": ("!", "red")}
_OUTCOME_STYLE = {"created": "green", "changed": "yellow", "already present": "dim", "not changed": "red",
                  "failed": "bold red"}


def _db_init(ctx: Context, args: argparse.Namespace) -> int:
    from ..checks.mysql_init import DbInitError, apply_db_init, parse_admin_url, plan_db_init, redactor

    admin_url = args.admin or os.environ.get(ADMIN_ENV, "")
    if not admin_url:
        raise CliError(f"--admin URL is required (or set {ADMIN_ENV}), e.g. "
                       "mysql://root:PASSWORD@db.example.com:3306/mysql", EXIT_USAGE)
    if not args.dry_run:
        ctx.refuse_if_read_only("create the W&B database user and database")
    try:
        admin = parse_admin_url(admin_url)
    except DbInitError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    config = ctx.config()
    timeout = args.timeout or config.app.timeout
    redact = redactor(config, admin)
    try:
        steps = plan_db_init(config, admin_url, timeout=timeout, reset_password=args.reset_password)
    except DbInitError as exc:
        raise CliError(redact(str(exc))) from None
    where = f"{admin.host}:{admin.effective_port}"
    out = ctx.err if ctx.json else ctx.out  # under --json stdout carries the one JSON object
    _print_plan(ctx, steps, where, admin.user, redact)
    blocked = any(s.action == "blocked" for s in steps)
    pending = [s for s in steps if s.pending]

    def finish(code: int, message: str, results: Sequence[Any] = ()) -> int:
        if not ctx.json:
            out.print(message)
            return code
        plan = [{"title": s.title, "action": s.action, "note": s.note, "sql": s.sql} for s in steps]
        done = [{"title": r.step.title, "outcome": r.outcome, "message": r.message} for r in results]
        text = json.dumps({"server": where, "admin_user": admin.user, "plan": plan, "dry_run": args.dry_run,
                           "results": done, "ok": code == EXIT_OK, "message": message}, indent=2)
        sys.stdout.write(redact(text) + "\n")
        return code

    if args.dry_run:
        return finish(EXIT_FINDINGS if blocked else EXIT_OK, "dry run: nothing changed")
    if not pending:
        return finish(EXIT_FINDINGS if blocked else EXIT_OK, "nothing to do: everything is already present"
                      if not blocked else "nothing else to do")
    if not ctx.confirm(f"Run {len(pending)} statement(s) on {where}?", args.yes):
        return finish(EXIT_FINDINGS, "cancelled: nothing changed")
    results = apply_db_init(config, admin_url, steps, timeout=timeout)
    ok = True
    for r in results:
        ok = ok and r.outcome in ("created", "changed", "already present")
        line = Text.assemble((f"{r.outcome:>15}", _OUTCOME_STYLE[r.outcome]), "  ", redact(r.step.title))
        if r.message:
            line.append(f": {redact(r.message)}", style="dim" if r.outcome != "failed" else "red")
        out.print(line)
    return finish(EXIT_OK if ok else EXIT_FINDINGS, "done; next: wbtui check mysql" if ok else
                  "a statement failed: see above", results)


def _print_plan(ctx: Context, steps: list[Any], where: str, admin_user: str, redact: Any) -> None:
    out = ctx.err if ctx.json else ctx.out
    out.print(Text(f"Plan for {where} (as {admin_user}):", style="bold"))
    for step in steps:
        mark, style = _PLAN_MARK[step.action]
        verb = {"create": "create", "alter": "change", "none": "already present", "blocked": "needs a decision"}
        line = Text.assemble("  ", (mark, style), " ", redact(step.title), " — ", (verb[step.action], style))
        if step.note:
            line.append(f": {redact(step.note)}", style="dim")
        out.print(line)
        if step.sql and step.action != "none":
            out.print(Text("      " + redact(step.sql), style="cyan"))
