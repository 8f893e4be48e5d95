"""`wbtui metrics`: Prometheus metrics for the operator's monitoring, served until stopped.

One process: the sources are sampled in background threads (each on its cadence, under a deadline) and a
scrape reads the cached samples. Loopback only unless --allow-remote. It only reads, so it runs in
--read-only mode too.
"""

from __future__ import annotations

import argparse
import signal
import threading

from .context import EXIT_OK, EXIT_USAGE, CliError, Context, seconds
from .flags import add_kube


def register(sub: argparse._SubParsersAction) -> None:
    from ..metrics.listen import DEFAULT
    from ..metrics.sources import KINDS

    p = sub.add_parser(
        "metrics", help="serve Prometheus metrics (server, checks, database, storage, backup, certificate)",
        description="Serve Prometheus text exposition at http://LISTEN/metrics until stopped (Ctrl-C, SIGTERM): "
        "the server's /healthz and /ready and probe latency, restarts, check results by id, the database's rates, "
        "connections, replication lag and CPU, bucket usage and free space, the newest backup's age and HOST's "
        "certificate days left, each prefixed wbtui_. Every source is sampled in the background on its own "
        "cadence; a scrape reads the cached samples, and a source that does not answer is wbtui_source_up 0 "
        "with its metrics absent. Listens on loopback only unless --allow-remote.",
        epilog="examples: wbtui metrics\n"
        "          wbtui metrics --listen [::1]:9187\n"
        "          wbtui metrics --cadence mysql=5 --cadence storage=1800",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--listen", metavar="HOST:PORT", default=DEFAULT,
                   help="address to serve on (default %(default)s; IPv6 as [::1]:PORT)")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow an address that is not loopback (restrict who reaches it with a firewall)")
    p.add_argument("--cadence", metavar="SOURCE=S", action="append", default=[], type=_cadence,
                   help=f"seconds between samples of one source ({', '.join(KINDS)}); repeatable")
    p.add_argument("--timeout", type=seconds, metavar="S", help="per-request timeout (default: app.timeout)")
    add_kube(p)
    p.set_defaults(func=cmd_metrics)


def _cadence(text: str) -> tuple[str, float]:
    from ..metrics.sources import KINDS

    name, sep, number = text.partition("=")
    if not sep or name not in KINDS:
        raise argparse.ArgumentTypeError(f"{text!r}: give SOURCE=SECONDS with SOURCE one of {', '.join(KINDS)}")
    try:
        return name, seconds(number)
    except argparse.ArgumentTypeError as exc:
        raise argparse.ArgumentTypeError(f"{name}: {exc}") from None


def cmd_metrics(ctx: Context, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from ..metrics.exposition import serve
    from ..metrics.listen import ListenError, loopback, parse, refuse_remote
    from ..metrics.sampler import Sampler
    from ..metrics.sources import sources_for

    try:
        listen = parse(args.listen)
    except ListenError as exc:
        raise CliError(f"--listen {exc}", EXIT_USAGE) from None
    if not args.allow_remote and not loopback(listen.host):
        raise CliError(refuse_remote(listen), EXIT_USAGE)
    config = ctx.config()
    if args.timeout:
        config = replace(config, app=replace(config.app, timeout=args.timeout))
    redact = ctx.redactor()

    def said(source: str, up: bool, problem: str) -> None:
        if up:
            ctx.err.print(f"metrics: {source} answers", markup=False, highlight=False)
        else:
            ctx.err.print(redact(f"metrics: {source} did not answer: {problem}"), style="yellow", markup=False,
                          highlight=False)

    sources = sources_for(config)
    sampler = Sampler(sources, cadences=dict(args.cadence), on_change=said)
    try:
        server = serve(sampler.cache, listen.host, listen.port)
    except OSError as exc:
        raise CliError(f"cannot listen on {listen.host}:{listen.port}: {exc.strerror or exc} (fix: free the port "
                       f"(ss -ltnp 'sport = :{listen.port}') or pick another with --listen)") from None
    bound = replace(listen, port=server.server_port)
    cadences = ", ".join(f"{name} every {every:g}s" for name, every in sampler.cadences.items())
    ctx.err.print(f"serving metrics on {bound.url} ({cadences}); Ctrl-C stops", markup=False, highlight=False)
    sampler.start()  # after the serving line: what each source says comes below it
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())  # systemctl stop ends it like Ctrl-C
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.shutdown()
        server.server_close()
        sampler.stop()
    ctx.err.print("metrics: stopped", markup=False, highlight=False)
    return EXIT_OK
