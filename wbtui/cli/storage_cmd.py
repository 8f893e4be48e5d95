"""`wbtui storage`: bucket usage and growth, and free space where W&B's data lands on this host.

Only reads (one sample appended to the samples file), so it works in --read-only.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import TYPE_CHECKING

from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context, seconds

if TYPE_CHECKING:
    from ..monitor.storage import StorageReport

WIDTH = 80


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "storage", help="bucket usage and growth, free disk space",
        description="The W&B bucket's objects and bytes (a listing that stops after --limit objects or "
        "--seconds and then says it estimated, and how), growth per day from the samples kept between "
        "runs ($XDG_STATE_HOME/wbtui/storage-samples.json), and the free space of the Docker data root, "
        "the /vol volume and a MySQL data directory on this host. Warns below 15%% free, critical below "
        "5%%. Exit 0 ok, 1 a threshold crossed or a store that did not answer, 2 usage error.",
        epilog="examples: wbtui storage\n"
        "          wbtui storage --limit 1000000 --seconds 60\n"
        "          wbtui storage --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--limit", type=int, metavar="N", help="stop listing after N objects (default 100,000)")
    p.add_argument("--seconds", type=seconds, metavar="S", help="stop listing after S seconds (default 10)")
    p.add_argument("--timeout", type=seconds, metavar="S", help="per-request timeout (default: app.timeout)")
    p.add_argument("--json", action="store_true", help="machine-readable figures")
    p.set_defaults(func=cmd_storage)


def cmd_storage(ctx: Context, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ..monitor.storage import collect
    from ..monitor.storage_bucket import LIMIT_OBJECTS, LIMIT_SECONDS

    if args.limit is not None and args.limit < 1:
        raise CliError("--limit must be at least 1 object", EXIT_USAGE)
    config = ctx.config()
    if args.timeout:
        config = replace(config, app=replace(config.app, timeout=args.timeout))
    report = collect(config, limit_objects=args.limit or LIMIT_OBJECTS, limit_seconds=args.seconds or LIMIT_SECONDS)
    if args.json:
        ctx.print_json(report.to_dict())
    else:
        _print(ctx, report)
    return EXIT_OK if report.ok else EXIT_FINDINGS


def text_lines(report: StorageReport) -> list[tuple[str, str]]:
    """(style, line) at most WIDTH columns: the findings first, then the bucket, then free space."""
    from ..monitor.storage import bucket_lines, space_lines
    from ..monitor.storage_space import CRITICAL_PERCENT, WARN_PERCENT

    out: list[tuple[str, str]] = []
    for f in report.findings:
        style = "bold red" if f.level == "critical" else "bold yellow"
        out += [(style, line) for line in _wrap(f"{'✘' if f.level == 'critical' else '⚠'} {f.text}", "  ")]
        if f.fix:
            out += [("", line) for line in _wrap(f"  fix: {f.fix}", "       ")]
    if not report.findings:
        out.append(("green", "✔ storage ok"))
    out += [("", ""), ("bold", "Object store")]
    out += [("", line) for text in bucket_lines(report) for line in _wrap(f"  {text}", "      ")]
    out += [("", ""), ("bold", f"Free space (warning below {WARN_PERCENT:g}%, critical below {CRITICAL_PERCENT:g}%)")]
    for s in report.spaces:
        style = {"critical": "red", "warning": "yellow", "ok": "green"}.get(s.level, "dim")
        head, *rest = space_lines(s)
        out += [(style, line) for line in _wrap(f"  {head}", "      ")]
        out += [("", line) for text in rest for line in _wrap(f"  {text}", "      ")]
    return out


def _wrap(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=True) or [""]


def _print(ctx: Context, report: StorageReport) -> None:
    from rich.text import Text

    redact = ctx.redactor()
    for style, line in text_lines(report):
        ctx.out.print(Text(redact(line), style=style))
