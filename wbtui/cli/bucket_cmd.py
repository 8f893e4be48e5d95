"""`wbtui bucket create` and `wbtui bucket cors`: the object-store fixes the checks point to.

Both look first (a dry run), say what they would change, ask unless ``--yes``, and
do nothing when nothing needs doing. ``cors`` without ``--apply`` only shows the
rules as JSON, merged with the bucket's existing rules, for ``aws``/``mc`` users.
"""

from __future__ import annotations

import argparse
import json
import shlex
from typing import TYPE_CHECKING

from rich.text import Text

from .context import EXIT_FINDINGS, EXIT_OK, CliError, Context, seconds

if TYPE_CHECKING:
    from ..checks.s3_bucket import ActionResult
    from ..ops.fixes import FixAction, FixPlan


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("bucket", help="create W&B's bucket and set its CORS rules",
                            description="Fixes for the object store in BUCKET (see `wbtui check s3`).")
    bsub = parser.add_subparsers(dest="bucket_command", metavar="COMMAND", required=True)

    p = bsub.add_parser(
        "create", help="create the bucket in AWS_REGION (idempotent)",
        description="Create BUCKET's bucket with AWS_REGION as its location (the guide's `mc mb --region`). "
        "An existing bucket is left alone and reported, with its region.")
    _common(p)
    p.set_defaults(func=cmd_create)

    p = bsub.add_parser(
        "cors", help="show, or --apply, the CORS rules browsers need",
        description="W&B's browser pages upload and download straight from the store: the bucket must allow "
        "GET, PUT and HEAD from HOST's origin, all headers, and expose ETag. Shows the rules as JSON "
        "(merged with the bucket's rules for other origins, which are kept); --apply writes them.")
    p.add_argument("--apply", action="store_true", help="write the rules to the bucket (asks first)")
    _common(p)
    p.set_defaults(func=cmd_cors)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--timeout", type=seconds, metavar="S", help="connect/read timeout (default: app.timeout)")


def _plan(action: FixAction, ctx: Context, args: argparse.Namespace) -> FixPlan:
    """The fix planned by the same operation the dashboard uses (a dry run: nothing changes)."""
    from ..checks.s3_bucket import BucketActionError
    from ..ops.fixes import plan_fix

    config = ctx.config()
    try:
        return plan_fix(action, config, timeout=args.timeout or config.app.timeout)
    except BucketActionError as exc:
        raise CliError(f"{exc}" + (f"\nfix: {exc.fix}" if exc.fix else "")) from None


def _apply(fix: FixPlan) -> ActionResult:
    from ..checks.s3_bucket import BucketActionError

    try:
        result = fix.run().result
    except BucketActionError as exc:
        raise CliError(f"{exc}" + (f"\nfix: {exc.fix}" if exc.fix else "")) from None
    assert result is not None  # bucket fixes always answer with the store's result
    return result


def _preview(fix: FixPlan) -> ActionResult:
    assert fix.preview is not None  # bucket fixes are planned by a dry run
    return fix.preview


def _confirmed(ctx: Context, args: argparse.Namespace, plan: ActionResult, what: str, question: str,
               heading: str = "") -> bool:
    """Refuse in read-only mode, show the changes, then ask (``--yes`` answers)."""
    ctx.refuse_if_read_only(what)
    if not args.json:
        if heading:
            ctx.out.print(Text(heading, style="bold"))
        for change in plan.changes:
            ctx.out.print(Text(f"  {change}"))
    return ctx.confirm(question, args.yes)


def cmd_create(ctx: Context, args: argparse.Namespace) -> int:
    fix = _plan("bucket", ctx, args)
    plan = _preview(fix)
    if plan.changed:
        if not _confirmed(ctx, args, plan, "create a bucket", f"{plan.summary[0].upper()}{plan.summary[1:]}?"):
            ctx.out.print("cancelled: nothing changed")
            return EXIT_FINDINGS
        plan = _apply(fix)
    if args.json:
        ctx.print_json(plan.to_dict())
    else:
        ctx.out.print(Text(plan.summary, style="green" if plan.applied else ""))
        if plan.applied:
            ctx.out.print("next: wbtui bucket cors --apply, then wbtui check s3")
    return EXIT_OK


def cmd_cors(ctx: Context, args: argparse.Namespace) -> int:
    fix = _plan("cors", ctx, args)
    plan = _preview(fix)
    if args.apply and plan.changed:
        heading = f"Changes to the CORS rules of bucket {plan.data['bucket']!r}:"
        if not _confirmed(ctx, args, plan, "change the bucket's CORS rules", "Write these CORS rules?", heading):
            ctx.out.print("cancelled: nothing changed")
            return EXIT_FINDINGS
        plan = _apply(fix)
    if args.json:
        ctx.print_json(plan.to_dict())
        return EXIT_OK
    _print_cors(ctx, plan, args.apply)
    return EXIT_OK


def _print_cors(ctx: Context, plan: ActionResult, applying: bool) -> None:
    style = "green" if plan.applied else ("yellow" if plan.changed else "")
    ctx.out.print(Text(plan.summary, style=style))
    if plan.changed and not applying:
        for change in plan.changes:
            ctx.out.print(Text(f"  {change}"))
    ctx.out.print(Text("CORS configuration (put_bucket_cors / aws s3api put-bucket-cors JSON):", style="bold"))
    ctx.out.print(json.dumps(plan.data["cors"], indent=2), markup=False, highlight=False)
    if plan.changed and not plan.applied:
        ctx.out.print(Text("Apply with: wbtui bucket cors --apply", style="cyan"))
        ctx.out.print(Text("or save the JSON as cors.json and run: " + shlex.join(_aws_command(ctx, plan)),
                           style="cyan"))
    if plan.applied:
        ctx.out.print("next: wbtui check s3")


def _aws_command(ctx: Context, plan: ActionResult) -> list[str]:
    from ..config.urls import BucketURL

    config = ctx.config()
    url = BucketURL.parse(config.server.BUCKET)
    return ["aws", "s3api", "put-bucket-cors", "--endpoint-url", url.endpoint_url,
            "--region", config.server.AWS_REGION or "us-east-1", "--bucket", plan.data["bucket"],
            "--cors-configuration", "file://cors.json"]
