"""`wbtui render KIND`: the files the guide asks you to write by hand, from the configuration.

Output goes to stdout or, with ``-o FILE``, to a file written atomically: mode 0600
with ``--reveal`` (a revealed secret may be quoted or escaped, so no scan of the text
decides), else 0644. Secrets are masked unless ``--reveal``. A configuration with
errors is still rendered; its errors and warnings go to stderr and the exit code is 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.text import Text

from ..config import store
from ..config.model import Config
from ..config.validate import Finding, has_errors, validate
from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context
from .flags import add_kube

KINDS = ("docker", "docker-env", "kubernetes", "nginx", "systemd", "sql", "mc", "cors")


def _file_name(text: str) -> str:
    """argparse type for -o and --env-file: an empty name used to be taken as no option at all."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty name is not a file: give a path, or leave the option out")
    return text


def _common(p: argparse.ArgumentParser, secrets: bool) -> None:
    p.add_argument("-o", "--output", metavar="FILE", type=_file_name,
                   help="write to FILE atomically (mode 0600 with --reveal)")
    if secrets:
        p.add_argument("--reveal", action="store_true", help="write secrets in clear (default: ****)")
    p.add_argument("--json", action="store_true", help="print {kind, text, findings} as JSON")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "render", help="generate docker run, Kubernetes, nginx, systemd, SQL, mc and CORS files",
        description="Generate the files of the install guide from the configuration. Secrets are "
        "masked unless --reveal. Configuration errors are printed to stderr (exit 1) but the "
        "output is still produced.",
    )
    rsub = parser.add_subparsers(dest="kind", metavar="KIND", required=True)

    p = rsub.add_parser("docker", help="the docker run command",
                        description="The guide's `docker run` command, shell-quoted, with volume, "
                        "restart policy and resources. --env-file gives the form that reads the "
                        "environment from a file (render it with `render docker-env`).")
    p.add_argument("--env-file", metavar="PATH", type=_file_name, help="use --env-file PATH instead of -e flags")
    _common(p, secrets=True)

    p = rsub.add_parser("docker-env", help="the container environment as a docker --env-file",
                        description="KEY=value lines for `docker run --env-file` and the systemd unit. "
                        "Write it root-only: wbtui render docker-env --reveal -o /etc/wbtui/wandb.env")
    _common(p, secrets=True)

    p = rsub.add_parser("kubernetes", help="Secret, Deployment, Service and Ingress YAML (and the backup CronJob)",
                        description="Multi-document YAML: Secret (LICENSE, BUCKET, MYSQL, secret extras), "
                        "Deployment (env from the Secret, probes, resources), Service and Ingress; with "
                        "--backup-schedule (or backup.schedule) also a CronJob running mysqldump into a "
                        "PersistentVolumeClaim, with MYSQL from the Secret.")
    p.add_argument("--backup-schedule", metavar="SCHEDULE", default=None,
                   help="add the backup CronJob: daily, weekly, '*-*-* 03:00:00' ... (default: backup.schedule; "
                   "'' for none)")
    _common(p, secrets=True)
    add_kube(p)

    p = rsub.add_parser("nginx", help="nginx reverse-proxy config (TLS, large uploads)",
                        description="The guide's nginx.conf for HOST, with an http->https redirect "
                        "when HOST is https.")
    p.add_argument("--upstream", metavar="ADDR", help="W&B container address as nginx reaches it "
                   "(default 127.0.0.1:runtime.port)")
    p.add_argument("--cert", metavar="PATH", help="TLS certificate (default /etc/nginx/tls/HOSTNAME.crt)")
    p.add_argument("--key", metavar="PATH", help="TLS key (default /etc/nginx/tls/HOSTNAME.key)")
    _common(p, secrets=False)

    p = rsub.add_parser("systemd", help="systemd unit that keeps the container running (and the backup timer)",
                        description="A unit running the container with `docker run --rm`, restarted by "
                        "systemd; the environment comes from an --env-file (no secret in the unit). With --backup "
                        "(or backup.schedule in the config) also NAME-backup.service, a one-shot `wbtui backup` "
                        "with this config file, and NAME-backup.timer; -o FILE writes those two beside FILE.")
    p.add_argument("--env-file", metavar="PATH", type=_file_name, default="/etc/wbtui/wandb.env",
                   help="env file the unit passes to docker (default %(default)s)")
    p.add_argument("--docker", metavar="PATH", default=None,
                   help="docker (or podman) binary (default /usr/bin/docker, /usr/bin/podman)")
    p.add_argument("--engine", choices=("auto", "docker", "podman"), default="auto",
                   help="the unit runs docker, or podman in the shape of `podman generate systemd --new` "
                   "(default auto: the engine answering on DOCKER_HOST, docker when none answers)")
    p.add_argument("--backup", metavar="SCHEDULE", default=None,
                   help="also the backup timer: daily, weekly, '*-*-* 03:00:00' ... (default: backup.schedule; "
                   "'' for none)")
    p.add_argument("--wbtui", metavar="PATH", default=None, type=_file_name,
                   help="the wbtui program the backup (and metrics) service runs (default: this one)")
    p.add_argument("--metrics", metavar="HOST:PORT", nargs="?", const="127.0.0.1:9187", default=None,
                   help="also NAME-metrics.service, `wbtui metrics --listen HOST:PORT` (default 127.0.0.1:9187)")
    _common(p, secrets=False)

    p = rsub.add_parser("sql", help="CREATE USER / DATABASE / GRANT for MYSQL",
                        description="The guide's MySQL bootstrap for MYSQL's user and database, "
                        "password escaped as an SQL string literal.")
    p.add_argument("--if-not-exists", action="store_true", help="idempotent CREATE ... IF NOT EXISTS")
    p.add_argument("--user-host", metavar="HOST", default="%",
                   help="host part of the account (default %(default)s: any)")
    p.add_argument("--no-backslash-escapes", action="store_true",
                   help="the server runs with sql_mode NO_BACKSLASH_ESCAPES")
    _common(p, secrets=True)

    p = rsub.add_parser("mc", help="MinIO client commands: alias and bucket",
                        description="`mc alias set` and `mc mb --region` for BUCKET.")
    p.add_argument("--alias", default="local", help="mc alias name (default %(default)s)")
    p.add_argument("--legacy", action="store_true", help="old mc: `mc config host add`")
    _common(p, secrets=True)

    p = rsub.add_parser("cors", help="the bucket's CORS rules (JSON, XML or commands)",
                        description="CORS rules allowing GET, PUT and HEAD from HOST's origin: JSON for "
                        "aws s3api/boto3, XML for `mc cors set`, or the commands applying them.")
    p.add_argument("--format", choices=("json", "xml", "commands"), default="json",
                   help="output form (default %(default)s)")
    p.add_argument("--alias", default="local", help="mc alias for --format commands")
    _common(p, secrets=True)

    parser.set_defaults(func=cmd_render)


def render_text(config: Config, args: argparse.Namespace) -> str:
    """The chosen renderer's output for the parsed arguments."""
    reveal = bool(getattr(args, "reveal", False))
    kind = args.kind
    if kind == "docker":
        from ..runtime.docker import render as docker

        if args.env_file:
            return docker.render_env_file_command(config, args.env_file)
        return docker.render_command(config, reveal)
    if kind == "docker-env":
        from ..runtime.docker import render as docker

        return docker.render_env_file(config, reveal)
    if kind == "kubernetes":
        from ..config.backup import SCHEDULE_EXAMPLE, ScheduleError
        from ..runtime.kubernetes import render as kubernetes

        try:
            return kubernetes.render_yaml(config, reveal, args.backup_schedule)
        except ScheduleError as exc:
            raise CliError(f"--backup-schedule: {exc}; examples: {SCHEDULE_EXAMPLE}", EXIT_USAGE) from None
    if kind == "nginx":
        from ..render import nginx

        return nginx.render_nginx(config, args.upstream, args.cert, args.key)
    if kind == "systemd":
        from ..runtime.docker import systemd_unit as systemd

        engine, binary = _unit_engine(config, args)
        if engine == "podman":
            return systemd.render_podman_unit(config, args.env_file, binary)
        return systemd.render_unit(config, args.env_file, binary)
    if kind == "sql":
        from ..render import sql

        return sql.render_sql(config, reveal, args.if_not_exists, args.user_host, args.no_backslash_escapes)
    if kind == "mc":
        from ..render import mc

        return mc.render_mc(config, reveal, args.alias, args.legacy)
    from ..render import cors

    if args.format == "xml":
        return cors.render_xml(config)
    if args.format == "commands":
        return cors.render_commands(config, reveal, args.alias)
    return cors.render_json(config)


def _unit_engine(config: Config, args: argparse.Namespace) -> tuple[str, str]:
    """The engine the systemd unit runs (``--engine``, auto: the one answering) and its binary."""
    from ..runtime.docker.systemd_install import unit_engine
    from ..runtime.docker.systemd_unit import PODMAN

    engine = unit_engine(config, args.engine)
    return engine, args.docker or (PODMAN if engine == "podman" else "/usr/bin/docker")


def _report(ctx: Context, findings: list[Finding]) -> None:
    """Errors in full on stderr, warnings as a count: the rendered text stays on stdout."""
    redact = ctx.redactor()
    for f in findings:
        if f.severity == "error":
            ctx.err.print(Text(f"error: {f.field}: {redact(f.message)}", style="bold red"))
    warnings = sum(f.severity == "warning" for f in findings)
    if warnings:
        ctx.err.print(Text(f"{warnings} warning(s) in the configuration: wbtui config validate",
                           style="yellow"))


def systemd_units(ctx: Context, args: argparse.Namespace) -> dict[str, str] | None:
    """``render systemd`` with a backup schedule: every unit by name; None without a schedule."""
    import os

    from ..config.backup import SCHEDULE_EXAMPLE, ScheduleError
    from ..runtime.docker import systemd_unit as systemd

    config = ctx.config()
    try:
        schedule = systemd.backup_schedule(config, args.backup)
    except ScheduleError as exc:
        where = "--backup" if args.backup is not None else "backup.schedule"
        raise CliError(f"{where}: {exc}; examples: {SCHEDULE_EXAMPLE}", EXIT_USAGE) from None
    if schedule is None and args.metrics is None:
        return None
    engine, binary = _unit_engine(config, args)
    return systemd.render_units(config, Path(os.path.abspath(ctx.config_path)), schedule, env_file=args.env_file,
                                docker=binary, command=[args.wbtui] if args.wbtui else None, metrics=args.metrics,
                                engine=engine)


def _joined(units: dict[str, str]) -> str:
    return "\n".join(f"# ==> /etc/systemd/system/{name} <==\n{text}" for name, text in units.items())


def _write(path: Path, text: str, reveal: bool) -> None:
    try:
        payload = text.encode("utf-8", "surrogateescape")  # a path argument's non-UTF-8 bytes, written as given
    except UnicodeEncodeError:  # a lone surrogate no OS byte decodes to ('\ud800'): shown escaped
        payload = text.encode("utf-8", "backslashreplace")
    try:
        if reveal:
            store.write_private(path, payload)
        else:
            store.write_atomic(path, payload, 0o644)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror}") from None


def cmd_render(ctx: Context, args: argparse.Namespace) -> int:
    config = ctx.config()
    units = systemd_units(ctx, args) if args.kind == "systemd" else None
    text = _joined(units) if units else render_text(config, args)
    findings = [f for f in validate(config) if f.severity != "info"]
    code = EXIT_FINDINGS if has_errors(findings) else EXIT_OK
    _report(ctx, findings)
    reveal = bool(getattr(args, "reveal", False))
    written: dict[str, Any] = {}
    if args.output:
        path = Path(args.output).expanduser()
        if not path.parent.is_dir():
            raise CliError(f"cannot write {path}: {path.parent} is not a directory")
        files = {path: text}
        if units:  # the main unit to FILE, the backup service and timer beside it under their own names
            first, *others = units
            files = {path: units[first], **{path.parent / name: units[name] for name in others}}
        for target, content in files.items():
            _write(target, content, reveal)
            if not args.json:
                ctx.err.print(Text(f"wrote {target} (mode {'0600' if reveal else '0644'})"))
        written = {"path": str(path), "mode": "0600" if reveal else "0644"}
        if units:
            written["paths"] = [str(target) for target in files]
    if args.json:
        data = {"kind": args.kind, "text": None if written else text, **written,
                **({"units": None if written else units} if units else {}),
                "findings": [f.to_dict() for f in findings]}
        if reveal:  # the user asked for the secrets, so no redaction
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
        else:
            ctx.print_json(data)
    elif not written:
        sys.stdout.write(text)
    return code
