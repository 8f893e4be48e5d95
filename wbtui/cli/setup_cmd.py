"""`wbtui setup`: the guided first-time setup, in the dashboard or from a file of answers."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .context import EXIT_USAGE, CliError, Context
from .json_steps import Steps


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "setup", help="guided first-time setup (dashboard, or headless with --answers)",
        description="Walk through where the server runs, MySQL, the object store, the server settings, "
        "a review of the generated files, deploy with the startup watch, end-to-end verification and "
        "next steps. Progress is saved after each step; running it again resumes where it stopped.",
    )
    p.add_argument("--answers", metavar="FILE", help="run headless from a TOML/JSON file of answers "
                   "(see --example)")
    p.add_argument("--yes", action="store_true", help="confirm the plans the answers lead to "
                   "(create the database user, bucket, CORS rules, container)")
    p.add_argument("--restart", action="store_true", help="forget the saved progress and start at step 1")
    p.add_argument("--timeout", type=float, default=None, help="network timeout in seconds (default: app.timeout)")
    p.add_argument("--example", action="store_true", help="print an example answers file and exit")
    p.add_argument("--json", action="store_true", help="with --answers: JSON lines, one per message or check "
                   "result as the steps run ({step: \"setup\", status, message, at}), then {\"result\": ...}")
    p.set_defaults(func=_setup)


def _setup(ctx: Context, args: argparse.Namespace) -> int:
    from ..setup.headless import EXAMPLE

    if args.example:
        ctx.out.print(EXAMPLE, markup=False, highlight=False)
        return 0
    if args.answers is None:
        if args.json:
            raise CliError("--json goes with --answers; the setup screen is interactive", EXIT_USAGE)
        if args.yes:
            raise CliError("--yes goes with --answers; the setup screen asks before each change", EXIT_USAGE)
        from ..ui.setup.app import run_setup

        return run_setup(ctx.config_path, ctx.read_only, restart=args.restart)
    ctx.refuse_if_read_only("run the setup")
    return _headless(ctx, args)


def _headless(ctx: Context, args: argparse.Namespace) -> int:
    from ..setup.flow import SetupFlow
    from ..setup.headless import AnswersError, HeadlessSetup, load_answers
    from .check_cmd import print_results

    try:
        answers = load_answers(Path(args.answers))
    except (OSError, AnswersError) as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    flow = SetupFlow(ctx.config_path, timeout=args.timeout or ctx.config().app.timeout)
    if args.restart:
        flow.reset()
    ctx.use_config(flow.config)

    steps = Steps(ctx) if ctx.json else None

    def echo(line: str) -> None:
        if steps is not None:
            if line.strip():
                steps.emit("setup", "progress", line.strip())
            return
        ctx.out.print(ctx.redactor()(line), markup=False, highlight=False)

    def show(results: list) -> None:
        if results and steps is not None:
            steps.emit("setup", "progress", "check results", checks=[r.to_dict() for r in results])
        elif results:
            print_results(ctx, results, sum(r.duration for r in results), flow.config.acknowledged)

    started = time.monotonic()
    try:
        code = HeadlessSetup(flow, answers, assume_yes=args.yes, echo=echo, show=show).run()
    except AnswersError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    message = (f"setup {'finished' if code == 0 else 'stopped'} in {time.monotonic() - started:.0f}s "
               f"(progress saved in {flow.state_file})")
    if steps is not None:
        return steps.result(code, message, state_file=str(flow.state_file))
    echo(f"\n{message}")
    return code
