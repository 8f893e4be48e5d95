"""`wbtui probe` and `wbtui doctor`: is the server up, and if not, why.

Both only read: they never change the deployment, so they work in --read-only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .context import EXIT_FINDINGS, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE, CliError, Context, seconds
from .flags import add_kube

if TYPE_CHECKING:
    from ..config.model import Config
    from ..health.front_door import FrontDoor
    from ..health.probe import ProbeResult, Sample
    from ..runtime.base import Runtime


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "probe", help="probe /healthz and /ready",
        description="GET /healthz (alive) and /ready (migrations done, serving) on HOST, or on the "
        "published local port when HOST does not answer from this machine (the output says which). "
        "Failures are classified: refused, DNS, timeout, TLS (self-signed certificates are not "
        "supported by W&B), 4xx, 5xx, redirect to a login page. Without --watch or --url it also judges HOST's "
        "front door: the certificate (days left, trusted, names HOST) and whether a 1.1 MB upload passes the "
        "proxy. Exit 0 when /ready answers 200.",
        epilog="examples: wbtui probe\n"
        "          wbtui probe --watch --interval 10\n"
        "          wbtui probe --url http://127.0.0.1:8080 --json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", metavar="URL", help="probe this base URL instead of HOST / the local port")
    p.add_argument("--watch", action="store_true", help="probe repeatedly and report state changes (Ctrl-C stops)")
    p.add_argument("--interval", type=seconds, default=5.0, metavar="S", help="seconds between probes (--watch)")
    p.add_argument("--count", type=int, metavar="N", help="stop after N probes (--watch)")
    p.add_argument("--timeout", type=seconds, metavar="S", help="per-request timeout (default: app.timeout)")
    p.add_argument("--json", action="store_true", help="machine-readable output (JSON lines with --watch)")
    add_kube(p)
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser(
        "doctor", help="checks, status, logs, probes and diagnosis in one report",
        description="Everything about the deployment in one report: config findings, the MySQL and "
        "S3 checks, the runtime's status and events, the last log lines, /healthz and /ready, and "
        "a diagnosis (cause and fix) of what they show. Every part has a deadline; a part that "
        "fails (Docker daemon down) is reported, not fatal. Check findings accepted with `wbtui ack` are "
        "listed as acknowledged and do not count. Exit 0 when healthy, 4 when the Docker daemon or Kubernetes "
        "API server did not answer (the server's state is unknown), 1 otherwise.",
        epilog="examples: wbtui doctor\n"
        "          wbtui doctor --json > report.json\n"
        "          wbtui doctor --bundle wandb-support.tar.gz",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="machine-readable report")
    p.add_argument("--bundle", metavar="FILE", help="also write a support bundle (tar.gz, secrets removed, mode 0600)")
    p.add_argument("--tail", type=int, default=200, metavar="N", help="log lines to collect (default 200)")
    p.add_argument("--timeout", type=seconds, metavar="S",
                   help="deadline per part (default: twice app.timeout, at least 10 s)")
    p.add_argument("--url", metavar="URL", help="probe this base URL instead of HOST / the local port")
    add_kube(p)
    p.set_defaults(func=cmd_doctor)




def _runtime(config: Config, timeout: float) -> Runtime | None:
    """The configured backend, or None (the probe then needs HOST or --url)."""
    from ..health.bounded import call_bounded
    from ..runtime.base import runtime_for

    try:
        return call_bounded(lambda: runtime_for(config), timeout, "runtime")
    except Exception:
        return None


def _result_line(result: ProbeResult) -> str:
    latency = f" ({result.latency * 1000:.0f} ms)" if result.latency is not None else ""
    return f"{'✔' if result.ok else '✘'} /{result.endpoint}: {result.message}{latency}"


def _print_sample(ctx: Context, sample: Sample, *, verbose: bool) -> None:
    from rich.markup import escape

    redact = ctx.redactor()
    if verbose:
        target = sample.target
        ctx.out.print(escape(redact(f"{target.url} (via {target.via}{': ' + target.note if target.note else ''})")),
                      style="dim")
        for result in (sample.healthz, sample.ready):
            ctx.out.print(escape(redact(_result_line(result))), style="green" if result.ok else "red")
            if result.fix and not result.ok:
                ctx.out.print(escape(redact(f"    fix: {result.fix}")))
        return
    line = f"{sample.time:%H:%M:%S} {sample.target.url}  " + "  ".join(
        _result_line(r) for r in (sample.healthz, sample.ready))
    ctx.out.print(escape(redact(line)), style="green" if sample.ok else "")
    for transition in sample.transitions:
        ctx.out.print(escape(redact(f"{transition.time:%H:%M:%S} {transition.message}")), style="bold")


def _print_front_door(ctx: Context, door: FrontDoor) -> None:
    """HOST's certificate and upload findings, each in its severity's colour (the exit code stays /ready's)."""
    from rich.markup import escape

    from ..health.front_door import STYLES, report_lines

    redact = ctx.redactor()
    ctx.out.print(escape(redact(f"front door {door.host}: {door.severity}")), style="bold")
    for severity, text in report_lines(door):
        ctx.out.print(escape(redact(text)), style=STYLES[severity])


def _json_line(ctx: Context, data: object) -> None:
    sys.stdout.write(ctx.redactor()(json.dumps(data, default=str)) + "\n")
    sys.stdout.flush()


def cmd_probe(ctx: Context, args: argparse.Namespace) -> int:
    from ..health.bounded import run_sync
    from ..health.probe import NoTarget, Prober

    config = ctx.config()
    if args.count is not None and args.count < 1:
        raise CliError("--count must be at least 1", EXIT_USAGE)
    timeout = args.timeout or config.app.timeout
    runtime = None if args.url else _runtime(config, max(timeout, 5.0))
    prober = Prober(config, runtime, url=args.url, timeout=timeout)
    try:
        if not args.watch:
            from ..health.front_door import check_front_door

            sample = prober.sample_sync()
            door = None if args.url else check_front_door(config, timeout=timeout)  # HOST's, not --url's
            if args.json:
                ctx.print_json({**sample.to_dict(), "front_door": door.to_dict() if door else None})
            else:
                _print_sample(ctx, sample, verbose=True)
                if door is not None:
                    _print_front_door(ctx, door)
            return EXIT_OK if sample.ready.ok else EXIT_FINDINGS

        async def watch() -> Sample | None:
            last = None
            async for sample in prober.watch(args.interval, args.count):
                last = sample
                if args.json:
                    _json_line(ctx, sample.to_dict())
                else:
                    _print_sample(ctx, sample, verbose=False)
            return last

        last = run_sync(watch())
        return EXIT_OK if last is not None and last.ready.ok else EXIT_FINDINGS
    except NoTarget as exc:
        raise CliError(str(exc)) from None
    finally:
        prober.close()
        if runtime is not None:
            runtime.close()


def cmd_doctor(ctx: Context, args: argparse.Namespace) -> int:
    from ..config.masking import bundle
    from ..ops.doctor import redact_data, render, run_doctor

    config = ctx.config()
    redact = bundle(config)
    if args.tail < 0:
        raise CliError("--tail must be 0 or more", EXIT_USAGE)
    if args.bundle and not Path(args.bundle).expanduser().parent.is_dir():
        raise CliError(f"cannot write the bundle: {Path(args.bundle).parent} is not a directory", EXIT_USAGE)
    show_progress = not args.json and ctx.err.is_terminal
    if show_progress:
        with ctx.err.status("collecting: config, checks, status, logs, probes ..."):
            report = run_doctor(config, log_lines=args.tail, timeout=args.timeout, url=args.url)
    else:
        report = run_doctor(config, log_lines=args.tail, timeout=args.timeout, url=args.url)
    if args.json:
        ctx.print_json(redact_data(report.to_dict(), redact))
    else:
        render(report, ctx.out, redact)
    if args.bundle:
        from ..ops.bundle import BundleLeak, write_bundle

        try:
            path = write_bundle(report, config, Path(args.bundle))
        except BundleLeak as exc:
            raise CliError(str(exc)) from None
        except OSError as exc:
            raise CliError(f"cannot write the bundle {args.bundle}: {exc.strerror or exc}") from None
        ctx.err.print(f"support bundle written: {path} ({path.stat().st_size} bytes, mode 0600)",
                      markup=False, highlight=False)
    if report.unreachable:
        return EXIT_UNREACHABLE
    return EXIT_OK if report.healthy else EXIT_FINDINGS
