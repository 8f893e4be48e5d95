"""`wbtui ack` and `wbtui unack`: accept a known finding, so that only new ones alarm.

``ack CHECK_ID --why TEXT`` runs the check's store once and stores what the check says
now (status and summary) in the config with who, when and why; `wbtui check`,
`wbtui doctor` and the dashboard then show that finding as acknowledged and leave it
out of exit codes and verdicts while the check says the same thing. ``ack --list``
shows them; ``unack`` removes one. Both changes refuse in read-only mode.
"""

from __future__ import annotations

import argparse
import contextlib
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from rich import box
from rich.table import Table
from rich.text import Text

from ..checks.catalog import CHECKS, store_of
from ..checks.mysql_host import DEFAULT_CPU_WINDOW
from .context import EXIT_OK, EXIT_USAGE, CliError, Context, seconds

if TYPE_CHECKING:
    from ..checks.model import CheckResult
    from ..config.model import Acknowledgement

_PERIOD = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def period(text: str) -> timedelta:
    """argparse type for --for: a whole number of hours, days or weeks (12h, 30d, 2w), at most ten years."""
    match = _PERIOD.match(text)
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a period such as 12h, 30d or 2w")
    try:
        lasting = int(match.group(1)) * _UNITS[match.group(2)]
    except OverflowError:
        lasting = timedelta.max
    if lasting > timedelta(days=3650):
        raise argparse.ArgumentTypeError(f"{text!r} is more than ten years; leave --for out to never expire")
    return lasting


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ack", help="acknowledge a check's finding so that only new findings alarm",
        description="Accept what a datastore check reports now (e.g. mysql.server failing on MariaDB, "
        "run knowingly). Runs the check's store once and stores its status and summary in the config "
        "with who (the OS user), when and why. `wbtui check`, `wbtui doctor` and the dashboard then show "
        "the finding as acknowledged and leave it out of exit codes and verdicts, as long as the check "
        "says the same thing: another summary, another status or a passed --for is a new finding again. "
        "Every other finding counts as before.",
        epilog="examples: wbtui ack mysql.server --why 'MariaDB by decision, ticket OPS-12'\n"
        "          wbtui ack mysql.replication --why 'standby planned for Q3' --for 90d\n"
        "          wbtui ack --list --json\n"
        "          wbtui unack mysql.server",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("check", nargs="?", metavar="CHECK_ID", help="the check's id, as in `wbtui check --json` "
                   "(mysql.server, s3.cors ...)")
    p.add_argument("--why", metavar="TEXT", help="why the finding is accepted (required to acknowledge)")
    p.add_argument("--for", dest="lasting", type=period, metavar="PERIOD",
                   help="stop covering after this long: 12h, 30d, 2w (default: until `wbtui unack`)")
    p.add_argument("--list", action="store_true", help="show the acknowledged findings instead")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--timeout", type=seconds, metavar="S", help="connect/read timeout (default: app.timeout)")
    p.add_argument("--cpu-window", type=seconds, metavar="S", default=DEFAULT_CPU_WINDOW,
                   help="MySQL CPU sampling, as for `wbtui check` (default %(default)s)")
    p.set_defaults(func=cmd_ack)

    u = sub.add_parser(
        "unack", help="remove a check's acknowledgement: its finding counts again",
        description="Remove the acknowledgement of CHECK_ID from the config: `wbtui check` and "
        "`wbtui doctor` count its finding again. Refused in read-only mode.")
    u.add_argument("check", metavar="CHECK_ID", help="the acknowledged check's id (wbtui ack --list)")
    u.add_argument("--json", action="store_true", help="print the removed acknowledgement as JSON")
    u.set_defaults(func=cmd_unack)


def _known(check_id: str) -> str:
    if check_id not in CHECKS:
        raise CliError(f"{check_id!r} is not a check id; the ids are: {', '.join(CHECKS)}", EXIT_USAGE)
    return check_id


def cmd_ack(ctx: Context, args: argparse.Namespace) -> int:
    if args.list:
        if args.check or args.why or args.lasting:
            raise CliError("--list takes no CHECK_ID, --why or --for", EXIT_USAGE)
        return _list(ctx, args.json)
    if not args.check:
        raise CliError("give the CHECK_ID to acknowledge (wbtui ack mysql.server --why TEXT), or --list",
                       EXIT_USAGE)
    check_id = _known(args.check)
    if not (args.why or "").strip():
        raise CliError("--why TEXT is required: say why the finding is accepted (the next on-call engineer "
                       "reads it)", EXIT_USAGE)
    ctx.refuse_if_read_only(f"acknowledge {check_id}")
    result = _current(ctx, check_id, args)
    from ..ops.acknowledging import acknowledge_in_file

    try:
        done = acknowledge_in_file(ctx.config_path, result, args.why, lasting=args.lasting)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    ack, before, path = done.ack, done.replaced, done.path
    if args.json:
        ctx.print_json(ack.to_dict())
        return EXIT_OK
    redact = ctx.redactor()
    ctx.out.print(redact(f"acknowledged {check_id} ({ack.status}: {ack.summary}) in {path}"), markup=False)
    if before is not None:
        ctx.out.print(redact(f"it replaces the acknowledgement by {before.who} of {before.when:%Y-%m-%d}: "
                             f"{before.summary}"), markup=False)
    until = f" until {ack.until:%Y-%m-%d %H:%M} UTC" if ack.until else ""
    ctx.out.print(f"`wbtui check` leaves it out of its exit code{until} while the check says the same; "
                  f"any other finding still counts. Undo: wbtui unack {check_id}", markup=False)
    return EXIT_OK


def _current(ctx: Context, check_id: str, args: argparse.Namespace) -> CheckResult:
    """What the check says now: its store is run once, as `wbtui check STORE` would."""
    from ..checks.runner import run_checks

    config = ctx.config()
    store = store_of(check_id)
    with ctx.err.status(f"checking {store} ...") if ctx.err.is_terminal else contextlib.nullcontext():
        results = run_checks(config, (store,), timeout=args.timeout or config.app.timeout,
                             cpu_window=args.cpu_window)
    found = next((r for r in results if r.id == check_id), None)
    if found is None:
        ran = ", ".join(f"{r.id} ({r.status.value})" for r in results)
        raise CliError(f"{check_id} did not run: {ran}; fix what stopped it first (wbtui check {store})")
    return found


def _list(ctx: Context, as_json: bool) -> int:
    acks = ctx.config().acknowledged
    now = datetime.now(UTC)
    if as_json:
        ctx.print_json([{**ack.to_dict(), "expired": _expired(ack, now)} for ack in acks])
        return EXIT_OK
    if not acks:
        ctx.out.print("no acknowledged findings (wbtui ack CHECK_ID --why TEXT adds one)", markup=False)
        return EXIT_OK
    redact = ctx.redactor()
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in ("Check", "Accepted", "By", "When", "Until", "Why"):
        table.add_column(column, no_wrap=column in ("Check", "By", "When", "Until"))
    for ack in acks:
        until = "never" if ack.until is None else f"{ack.until:%Y-%m-%d}" + (" (expired)" if _expired(ack, now)
                                                                            else "")
        table.add_row(Text(ack.check), Text(redact(f"{ack.status}: {ack.summary}")), Text(redact(ack.who)),
                      f"{ack.when:%Y-%m-%d %H:%M}", until, Text(redact(ack.why)))
    ctx.out.print(table)
    return EXIT_OK


def _expired(ack: Acknowledgement, now: datetime) -> bool:
    return ack.until is not None and now >= ack.until


def cmd_unack(ctx: Context, args: argparse.Namespace) -> int:
    from ..ops.acknowledging import unacknowledge_in_file

    ctx.refuse_if_read_only(f"remove the acknowledgement of {args.check}")
    ctx.config()  # an unreadable file is said as such, not as "not acknowledged"
    removed = unacknowledge_in_file(ctx.config_path, args.check)
    if removed is None:
        known = ", ".join(a.check for a in ctx.config().acknowledged) or "none"
        raise CliError(f"{args.check} is not acknowledged (acknowledged: {known}; wbtui ack --list shows them)")
    if args.json:
        ctx.print_json(removed.to_dict())
    else:
        ctx.out.print(ctx.redactor()(f"removed the acknowledgement of {args.check} ({removed.status}: "
                                     f"{removed.summary}); its finding counts again"), markup=False)
    return EXIT_OK
