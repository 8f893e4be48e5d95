"""`wbtui shell [--] [COMMAND...]`: a shell, or one command, in the running container or pod.

Runs `docker exec -it` / `kubectl exec -it` (wbtui.runtime.shell builds it) in the foreground, so the
terminal is the tool's own until it ends; the exit code is the command's. Refused in read-only mode: a
shell in the server can change anything.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from .context import EXIT_USAGE, CliError, Context
from .flags import add_kube


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "shell", help="a shell (or one command) in the running container or pod",
        description="Open an interactive shell in the running server (bash when the image has it, else sh) "
        "through `docker exec -it` or `kubectl exec -it` (the newest ready pod, in the config's context and "
        "namespace), or run COMMAND there. The exit code is the command's. Refused in read-only mode.",
        epilog="examples: wbtui shell\n          wbtui shell -- ls -l /vol\n"
        "          wbtui shell --context prod -n wandb -- env",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_kube(p)
    p.add_argument("argv", nargs=argparse.REMAINDER, metavar="COMMAND",
                   help="what to run instead of the shell (after --)")
    p.set_defaults(func=cmd_shell)


def cmd_shell(ctx: Context, args: argparse.Namespace) -> int:
    from ..runtime.base import RuntimeProblem, runtime_for
    from ..runtime.shell import exit_status, shell_command

    command = list(args.argv)
    if command[:1] == ["--"]:
        command = command[1:]
    if command[:1] and command[0].startswith("-"):
        raise CliError(f"unknown option {command[0]!r} (put the command after --: wbtui shell -- {command[0]} ...)",
                       EXIT_USAGE)
    ctx.refuse_if_read_only("open a shell in the server")
    runtime = runtime_for(ctx.config())
    try:
        shell = shell_command(runtime, command, tty=sys.stdin.isatty() and sys.stdout.isatty())
    except RuntimeProblem as exc:
        raise CliError.from_problem(exc) from None
    finally:
        runtime.close()
    if not command:
        ctx.err.print(f"wbtui: a shell in {shell.target}; exit (or Ctrl-D) leaves it", highlight=False)
    sys.stdout.flush()
    try:
        return exit_status(subprocess.run(shell.argv, check=False).returncode)
    except OSError as exc:
        raise CliError(f"cannot run {shell.argv[0]}: {exc.strerror or exc}") from None
