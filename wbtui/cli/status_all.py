"""`wbtui status --all`: one line per profile, like `kubectl config get-contexts`, for an operator of several servers.

Each profile's server is asked in its own daemon thread (health.bounded.Pending) and every answer is awaited
against one deadline, so a hung engine costs its own line the deadline and never holds the others' (a
profile that has not answered by then is unreachable). Each profile's file is loaded as `wbtui --profile NAME
status` loads it: WBTUI_<KEY> variables apply to every one. LAST CHECK is the newest `wbtui check` run kept
for that file (checks.last_run).
"""

from __future__ import annotations

import argparse
import functools
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import environment, profiles, store
from ..config.masking import screen
from ..present.durations import ago
from .context import EXIT_OK, EXIT_USAGE, CliError, Context, seconds

if TYPE_CHECKING:
    from rich.text import Text

    from ..config.model import Config
    from ..runtime.base import ServerStatus

DEADLINE = 15.0
"""Seconds every profile's answer is waited for (--timeout): a status and two probes, each under app.timeout."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--all", action="store_true",
                        help="one line per profile: state, /ready, version (see wbtui profile list)")
    parser.add_argument("--timeout", type=seconds, metavar="S",
                        help=f"with --all: how long to wait for every profile's answer (default {DEADLINE:g})")


def wanted(args: argparse.Namespace) -> bool:
    """Whether this `status` is `status --all`; --timeout without --all is a usage error (it would do nothing)."""
    if not args.all and args.timeout is not None:
        raise CliError("--timeout goes with --all (wbtui status --all --timeout S)", EXIT_USAGE)
    return bool(args.all)


@dataclass
class ProfileState:
    """One line of the table."""

    name: str
    path: str
    current: bool
    backend: str = ""
    state: str = ""
    """running, exited (or another engine state), not deployed, unreachable, or config error."""
    ready: bool | None = None
    """/ready answered 200 (None: not asked, as the server is not running)."""
    version: str = ""
    """The deployed image's tag."""
    detail: str = ""
    """Why: the engine's error, the probe's answer, the deadline."""
    last_check: dict[str, Any] | None = None
    """The newest `wbtui check` run of this file (checks.last_run): at, age_seconds, status, stores."""


def targets(ctx: Context) -> list[tuple[str, Path]]:
    """Every profile (default first), and the config in use when it is none of them (--config FILE)."""
    found = [(p.name, p.path) for p in profiles.list_profiles()]
    if all(path.absolute() != ctx.config_path.absolute() for _, path in found):
        found.insert(0 if ctx.profile == profiles.DEFAULT else len(found), (ctx.profile or str(ctx.config_path),
                                                                            ctx.config_path))
    return found


def gather(name: str, path: Path, current: bool) -> ProfileState:
    """Ask one profile's runtime for its state and, when it runs, /ready (blocking: called in a thread)."""
    row = ProfileState(name, str(path), current, last_check=_last_check(path))
    try:
        config = environment.overlay(store.load(path))
    except store.ConfigFileError as exc:
        row.state, row.detail = "config error", str(exc)
        return row
    _ask(row, config)
    row.detail = screen(config)(row.detail)  # this profile's secrets, which the current config does not know
    return row


def _last_check(path: Path) -> dict[str, Any] | None:
    from ..checks.last_run import newest

    run = newest(path)
    if run is None:
        return None
    return {"at": run.at.isoformat(), "age_seconds": round(run.age()), "status": run.status,
            "stores": list(run.stores)}


def _ask(row: ProfileState, config: Config) -> None:
    from ..runtime.base import NotDeployed, RuntimeProblem, runtime_for

    row.backend = config.runtime.backend
    runtime = runtime_for(config, pull=False)
    try:
        status = runtime.status()
        if not status.exists:
            row.state = "not deployed"
            return
        row.state, row.version = status.state, image_tag(status.image)
        if status.state == "running":
            row.ready, row.detail = _ready(config, runtime, status)
    except NotDeployed:
        row.state = "not deployed"
    except RuntimeProblem as exc:
        row.state = "unreachable" if exc.kind == "unreachable" else "error"
        row.detail = str(exc)
    finally:
        runtime.close()


def _ready(config: Config, runtime: Any, status: ServerStatus) -> tuple[bool, str]:
    from ..health.probe import NoTarget, probe_sync

    try:
        sample = probe_sync(config, runtime)
    except NoTarget as exc:
        return False, str(exc)
    return sample.ready.status_code == 200, sample.ready.message


def image_tag(image: str) -> str:
    """``registry:5000/wandb/local:0.60.0`` -> ``0.60.0``; a digest shortened; no tag: ``latest`` as Docker reads it."""
    name, _, digest = image.partition("@")
    if digest:
        return digest[:19]
    last = name.rsplit("/", 1)[-1]
    return last.rsplit(":", 1)[1] if ":" in last else ("latest" if name else "")


def collect(ctx: Context, deadline: float) -> list[ProfileState]:
    """Every profile's state, asked in parallel; a profile with no answer by the deadline is unreachable."""
    from ..health.bounded import Deadline, Pending

    asked = [(name, path, Pending(functools.partial(gather, name, path, path.absolute() == ctx.config_path.absolute()),
                                  f"status-{name}")) for name, path in targets(ctx)]
    end = time.monotonic() + deadline
    rows = []
    for name, path, pending in asked:
        current = path.absolute() == ctx.config_path.absolute()
        try:
            rows.append(pending.result(end - time.monotonic()))
        except Deadline:
            rows.append(ProfileState(name, str(path), current, state="unreachable",
                                     detail=f"no answer within {deadline:g}s", last_check=_last_check(path)))
        except Exception as exc:  # a client library's own failure: this line says it, the others stand
            rows.append(ProfileState(name, str(path), current, state="error", detail=str(exc) or type(exc).__name__,
                                     last_check=_last_check(path)))
    return rows


def _checked(last: dict[str, Any] | None) -> Text:
    """``3m ago fail``; ``-`` for never (which stores: --json)."""
    from rich.text import Text

    if last is None:
        return Text("-")
    style = {"fail": "red", "warn": "yellow", "pass": "green"}.get(last["status"], "")
    return Text.assemble(f"{ago(last['age_seconds'])} ", (last["status"], style))


def cmd_status_all(ctx: Context, args: argparse.Namespace) -> int:
    """The table (or --json); exit 0: it is a listing, each line's STATE says how that server is."""
    rows = collect(ctx, args.timeout or DEADLINE)
    if args.json:
        ctx.print_json({"profiles": [asdict(row) for row in rows]})
        return EXIT_OK
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("CURRENT", "NAME", "BACKEND", "STATE", "READY", "VERSION", "LAST CHECK"):
        table.add_column(column, no_wrap=True)  # a line per profile, as kubectl prints it
    for row in rows:
        ready = "-" if row.ready is None else "yes" if row.ready else "no"
        style = "green" if row.state == "running" and row.ready else "red" if row.state in (
            "unreachable", "error", "config error") else "yellow" if row.state != "not deployed" else ""
        table.add_row("*" if row.current else "", row.name, row.backend, Text(row.state, style=style), ready,
                      row.version or "-", _checked(row.last_check))
    ctx.out.print(table)
    redact = ctx.redactor()
    for row in rows:
        if row.detail and (row.state != "running" or not row.ready):
            ctx.out.print(Text(f"{row.name}: {redact(row.detail)}", style="dim"))
    return EXIT_OK
