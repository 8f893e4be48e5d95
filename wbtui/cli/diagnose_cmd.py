"""`wbtui diagnose [FILE|-]`: the cause and fix of a failure, from a log alone (issue 13).

For the log an admin pastes into a ticket: `docker logs` (with or without -t),
`kubectl logs` (with or without --prefix), `docker compose logs`, text with
Windows line ends or colours, or a support bundle from `wbtui doctor --bundle`.
No config is needed: the stores (embedded or external MySQL and object store)
are read from the log, and the output says from which line. Every line printed
is redacted. Only reads: works in --read-only.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from typing import IO, TYPE_CHECKING

from rich.text import Text

from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context

if TYPE_CHECKING:
    from ..config.masking import Redactor
    from ..config.model import Config
    from ..ops.diagnose_log import LogRead

HOW_TO_PASS = ("no log given: pass a file (wbtui diagnose wandb.log), a support bundle (wbtui diagnose "
               "bundle.tar.gz) or pipe one in (docker logs wandb-local 2>&1 | wbtui diagnose -)")


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of lines") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be 0 or more")
    return value


HEAD_LINES = 5_000  # ops.diagnose_log's defaults, written here so `wbtui --help` imports no diagnosis
TAIL_LINES = 50_000


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diagnose", help="the cause and fix of a failure, from a log alone (no config needed)",
        description="Diagnose a server log: a file, `-` (or a pipe) for standard input, or a support "
        "bundle (tar.gz from `wbtui doctor --bundle`). Reads docker logs (with or without -t), kubectl "
        "logs (with or without --prefix), docker compose logs, Windows line ends and ANSI colours. "
        "Without --use-config the stores (embedded or external MySQL and object store) are read from "
        "the log itself and the output names the line that showed each; a bundle's own config is used "
        "when it has one. A huge log is read as a stream: its first --head and last --tail lines are "
        "diagnosed and the lines between are counted. Every line printed is redacted. "
        "Exit 0 when nothing known was found, 1 when something was, 2 on usage errors (no log given, "
        "FILE missing or unreadable, an empty log, a broken bundle).",
        epilog="examples: docker logs wandb-local 2>&1 | wbtui diagnose -\n"
        "          kubectl logs deploy/wandb | wbtui diagnose -\n"
        "          wbtui diagnose ticket-1234.log\n"
        "          wbtui diagnose bundle.tar.gz --json\n"
        "          wbtui diagnose --use-config server.log",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("log", nargs="?", metavar="FILE|-",
                   help="the log or support bundle; `-` or a pipe: standard input")
    p.add_argument("--json", action="store_true", help="print one JSON object (findings, stores, source)")
    p.add_argument("--use-config", action="store_true",
                   help="diagnose against the loaded wbtui config instead of the stores the log shows")
    p.add_argument("--head", type=_count, default=HEAD_LINES, metavar="N",
                   help="first lines kept (the start-up; default %(default)s)")
    p.add_argument("--tail", type=_count, default=TAIL_LINES, metavar="N",
                   help="last lines kept (default %(default)s)")
    p.set_defaults(func=cmd_diagnose)


def _open(name: str | None) -> tuple[IO[bytes], str]:
    if name is None or name == "-":
        if name is None and sys.stdin.isatty():
            raise CliError(HOW_TO_PASS, EXIT_USAGE)
        buffer = getattr(sys.stdin, "buffer", None)  # a text-only stdin (a test's StringIO) has none
        return (buffer if buffer is not None else io.BytesIO(sys.stdin.read().encode())), "stdin"
    try:
        return open(name, "rb"), name  # closed by the caller; a pipe (<(kubectl logs ...)) works too
    except IsADirectoryError:
        raise CliError(f"{name} is a directory; give a log file or a support bundle", EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror or exc}", EXIT_USAGE) from None


def _operator_config(ctx: Context) -> Config | None:
    try:
        return ctx.config()
    except CliError:
        return None


def cmd_diagnose(ctx: Context, args: argparse.Namespace) -> int:
    from ..ops.diagnose_log import LogSourceError, diagnose_lines, read_source, redactor_for, report_lines

    config = ctx.config() if args.use_config else None  # a broken config file is then an error
    started = time.monotonic()
    stream, name = _open(args.log)
    try:
        read = read_source(stream, args.head, args.tail)
    except LogSourceError as exc:
        raise CliError(f"{name}: {exc}", EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror or exc}", EXIT_USAGE) from None
    finally:
        if name != "stdin":
            stream.close()
    redact = redactor_for(read.lines, config, read.config, _operator_config(ctx))
    if not read.lines:
        hint = " (docker logs writes the server's output to stderr: add 2>&1)" if name == "stdin" else ""
        raise CliError(redact(f"{name}: the log is empty, nothing to diagnose{hint}"), EXIT_USAGE)
    used = config if config is not None else read.config
    result = diagnose_lines(read.lines, used, read.status)
    took = time.monotonic() - started
    if args.json:
        data = result.to_dict()
        data["source"] = {"name": name, "kind": read.kind, "total_lines": read.total, "skipped": read.skipped,
                          "head": args.head, "tail": args.tail,
                          "config": "--use-config" if config is not None else (
                              "bundle" if read.config is not None else "none"),
                          "seconds": round(took, 3)}
        sys.stdout.write(redact(json.dumps(data, indent=2, default=str, ensure_ascii=False)) + "\n")
    else:
        _print(ctx, read, name, report_lines(result, redact), redact, took, args)
    return EXIT_FINDINGS if result.findings else EXIT_OK


def _print(ctx: Context, read: LogRead, name: str, lines: list[str], redact: Redactor,
           took: float, args: argparse.Namespace) -> None:
    what = "support bundle" if read.kind == "bundle" else "log"
    count = len(read.lines)
    head = f"Diagnosed {count:,} line{'' if count == 1 else 's'} of the {what} {name}"
    if read.skipped:
        head += (f" ({read.total:,} in all: the first {args.head:,} and the last {args.tail:,}; "
                 f"{read.skipped:,} lines between skipped)")
    ctx.out.print(Text(redact(f"{head} in {took:.1f}s"), style="dim"))
    for line in lines:
        style = "bold" if line[:1].isdigit() else ("yellow" if line.startswith("   follows") else "")
        ctx.out.print(Text(line, style=style))
