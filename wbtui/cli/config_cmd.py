"""`wbtui config ...`: show, change, validate and import the one configuration.

`set` refuses a value whose own field has an error (a URL that does not parse, a
port that is not a number, HOST without scheme) and says which part is wrong with an
example; a value that only draws warnings is saved and the warnings are printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from ..config import environment, masking, store
from ..config.license import LicenseError, parse_license
from ..config.masking import mask_value, secrets_of
from ..config.model import (
    FIELDS,
    Config,
    FieldError,
    get_value,
    is_env_key,
    is_keys_key,
    set_value,
    spec_for,
    unset_value,
)
from ..config.validate import Finding, Severity, has_errors, validate
from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context, file_errors
from .keys_cmd import binding_findings
from .keys_cmd import register as register_keys

if TYPE_CHECKING:
    from ..config.importers import ImportResult

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "config", help="show, change, validate and import the configuration",
        description="The deployment's one description: the guide's variables (HOST, LICENSE, "
        "BUCKET, BUCKET_QUEUE, AWS_REGION, MYSQL), how the container runs, Kubernetes objects "
        "and extra environment (env.NAME).",
    )
    csub = parser.add_subparsers(dest="config_command", metavar="SUBCOMMAND", required=True)

    p = csub.add_parser("show", help="every setting, secrets masked, plus findings",
                        description="Every setting with its value (secrets masked unless --reveal), "
                        "whether it is the default, and the validation findings.")
    p.add_argument("--reveal", action="store_true", help="show secrets in clear")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_show)

    p = csub.add_parser("set", help="change one setting (validated)",
                        description="Validate and save one setting. A value whose field has an "
                        "error is refused (exit 1) with the wrong part and an example; warnings are "
                        "printed and the value is saved. Use '-' as VALUE to read it from stdin "
                        "(keeps secrets out of shell history).",
                        epilog="examples: wbtui config set HOST https://wandb.example.com\n"
                        "          wbtui config set MYSQL - < mysql-url.txt\n"
                        "          wbtui config set env.OIDC_ISSUER https://sso.example.com",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("key", metavar="KEY", help="setting name (see `wbtui config show`) or env.NAME")
    p.add_argument("value", metavar="VALUE", help="new value, or - to read it from stdin")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_set)

    p = csub.add_parser("unset", help="return a setting to its default (or drop env.NAME)",
                        description="Return a setting to its default, or remove an extra env variable.")
    p.add_argument("key", metavar="KEY", help="setting name or env.NAME")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_unset)

    p = csub.add_parser("edit", help="edit the config file in $VISUAL/$EDITOR (validated, saved atomically)",
                        description="Open the config file (or, with none yet, a commented template of every "
                        "setting) in $VISUAL, $EDITOR or vi, as a private temporary copy. On close it is "
                        "validated: when it does not parse or has a new error, the editor opens again with the "
                        "errors on top as comments. An unchanged or empty file cancels. A valid file is saved "
                        "as written (comments kept), atomically, unless the file changed on disk meanwhile.",
                        epilog='examples: wbtui config edit\n          EDITOR="code -w" wbtui config edit',
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--json", action="store_true", help="machine-readable result after the editor closes")
    p.set_defaults(func=cmd_edit)

    p = csub.add_parser("validate", help="check every setting; exit 1 on errors",
                        description="Check every setting and the config file's permissions. "
                        "Exit 0 when there is no error (warnings allowed), 1 otherwise.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_validate)

    p = csub.add_parser("import", help="adopt an existing install (env file, container, manifest)",
                        description="Read settings from an env file (KEY=VALUE lines), `docker inspect` "
                        "output or a running container, or a Kubernetes Deployment manifest, and merge "
                        "them into the configuration. Prints what was imported and skipped.",
                        epilog="examples: wbtui config import /etc/wandb.env\n"
                        "          wbtui config import --container wandb-local\n"
                        "          docker inspect wandb-local | wbtui config import - --from docker\n"
                        "          wbtui config import deployment.yaml --dry-run",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", metavar="FILE", nargs="?", help="file to read, - for stdin")
    p.add_argument("--from", dest="fmt", choices=("env", "docker", "kubernetes"),
                   help="format of FILE (default: detected from its contents)")
    p.add_argument("--container", metavar="NAME", help="inspect this container through the Docker engine")
    p.add_argument("--dry-run", action="store_true", help="report what would be imported; save nothing")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_import)

    p = csub.add_parser("path", help="where the config file is",
                        description="Print the config file's path (change it with wbtui --config FILE).")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_path)

    p = csub.add_parser("fix-permissions", help="make the config file and its backup private (0600)",
                        description="chmod 600 the config file and its backup: they hold secrets.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_fix_permissions)
    register_keys(csub)


# --- shared output -------------------------------------------------------------------------


def permission_findings(path: Path, config: Config) -> list[Finding]:
    """The config file (or its backup) readable by group or others: an error when it holds secrets."""
    out: list[Finding] = []
    for candidate in (path, store.backup_path(path)):
        perms = store.permissions(candidate)
        if perms is not None and perms.too_open:
            severity: Severity = "error" if secrets_of(config) else "warning"
            out.append(Finding("config file", severity,
                               f"{candidate} is readable by group/others (mode {perms.mode:04o}) and "
                               "holds the deployment's secrets",
                               f"wbtui config fix-permissions (or chmod 600 {candidate})"))
    return out


def unknown_key_findings(path: Path) -> list[Finding]:
    """Keys in the file no setting reads (a typo such as HSOT is silently ignored otherwise)."""
    from ..config.validate import unknown_key_findings as findings

    with file_errors():
        unknown = store.read(path)[1]
    return findings(unknown, path)


class Scrub:
    """Findings as shown: messages by the screen policy, fixes by the examples policy (their
    placeholder PASSWORD is not a secret); nothing masked with --reveal."""

    def __init__(self, config: Config | None, reveal: bool = False) -> None:
        self.message = masking.revealed() if reveal else masking.screen(config)
        self.fix = masking.revealed() if reveal else masking.examples(config)

    def json(self, data: Any) -> str:
        return self.fix(json.dumps(data, indent=2, default=str))


def print_findings(ctx: Context, findings: list[Finding], scrub: Scrub, title: str = "Findings") -> None:
    """One line per finding and its fix on the next, never wrapped (a table cell broke a suggested
    `wbtui config set ...` mid-word at 80 columns, which pasted as two broken commands): the terminal
    soft-wraps a long line, and copying it gives the whole command."""
    if not findings:
        ctx.out.print(Text("No findings: the configuration is valid.", style="green"))
        return
    ctx.out.print(Text(f"{title}:", style="bold"))
    for f in findings:
        ctx.out.print(Text.assemble(("  ", ""), (f"{f.severity:<7}", _STYLE[f.severity]), " ", (f.field, "bold"),
                                    ": ", scrub.message(f.message)), soft_wrap=True)
        if f.fix:
            ctx.out.print(Text.assemble("          fix: ", (scrub.fix(f.fix), "cyan")), soft_wrap=True)


def _summary(findings: list[Finding]) -> str:
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    return f"{counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} note(s)"


def _emit_json(data: Any, scrub: Scrub) -> None:
    sys.stdout.write(scrub.json(data) + "\n")


def canonical_key(key: str) -> str:
    if is_env_key(key):
        return "env." + key[4:]
    if is_keys_key(key):
        return "keys." + key[5:]
    spec = spec_for(key)
    if spec is None:
        raise CliError(f"{key}: unknown setting (see `wbtui config show` for the keys)", EXIT_USAGE)
    return spec.key


def _shown(key: str, value: Any, reveal: bool) -> Any:
    if value is None:
        return None
    if reveal:
        return value
    masked = mask_value(key, str(value))
    return value if masked == str(value) else masked


# --- show ----------------------------------------------------------------------------------


def field_rows(config: Config, reveal: bool, from_environment: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per setting; ``source`` says where its value came from: ``environment`` (``variable`` names the
    WBTUI_<KEY> that gave it), ``file``, or ``default`` (the value is the default)."""
    from_environment = from_environment or {}
    rows = []
    for spec in FIELDS:
        value = get_value(config, spec.key)
        rows.append(_with_source({"key": spec.key, "value": _shown(spec.key, value, reveal),
                                  "default": value == spec.default, "secret": spec.secret, "doc": spec.doc},
                                 from_environment))
    for name, value in config.env.items():
        key = f"env.{name}"
        rows.append(_with_source({"key": key, "value": _shown(key, value, reveal), "default": False,
                                  "secret": mask_value(key, value) != value, "doc": "extra environment variable"},
                                 from_environment))
    for binding_id, keys in config.keys.items():
        rows.append({"key": f"keys.{binding_id}", "value": keys, "default": False, "secret": False,
                     "doc": "dashboard key (wbtui config keys lists the ids)", "source": "file"})
    return rows


def _with_source(row: dict[str, Any], from_environment: dict[str, str]) -> dict[str, Any]:
    variable = from_environment.get(row["key"])
    row["source"] = "environment" if variable else "default" if row["default"] else "file"
    if variable:
        row["variable"] = variable
    return row


def _source_note(row: dict[str, Any]) -> str:
    if row["source"] == "environment":
        return f"(from environment {row['variable']})"
    return "default" if row["default"] else ""


def _license_claims(config: Config) -> dict[str, Any] | None:
    if not config.server.LICENSE:
        return None
    try:
        return parse_license(config.server.LICENSE).summary()
    except LicenseError:
        return None


def from_environment(findings: list[Finding], sources: dict[str, str]) -> list[Finding]:
    """Findings about a value the environment gave name its variable: the file is not where to fix it."""
    by_key = {key.lower(): variable for key, variable in sources.items()}
    return [dataclasses.replace(f, message=f"{f.message} (the value comes from {by_key[f.field.lower()]} in the "
                                "environment)") if f.field.lower() in by_key else f for f in findings]


def cmd_show(ctx: Context, args: argparse.Namespace) -> int:
    config = ctx.config()
    findings = (from_environment(validate(config), ctx.environment_sources()) + unknown_key_findings(ctx.config_path)
                + permission_findings(ctx.config_path, config))
    findings += binding_findings(config, ctx.config_path)
    rows = field_rows(config, args.reveal, ctx.environment_sources())
    claims = _license_claims(config)
    scrub = Scrub(config, args.reveal)
    if args.json:
        _emit_json({"path": str(ctx.config_path), "exists": ctx.config_path.exists(),
                    "fields": rows, "license_claims_unverified": claims,
                    "findings": [f.to_dict() for f in findings]}, scrub)
        return EXIT_OK
    table = Table(title=f"Configuration: {ctx.config_path}" + ("" if ctx.config_path.exists()
                                                               else " (not saved yet: defaults)"),
                  title_justify="left")
    table.add_column("key", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("", overflow="fold", max_width=20)  # "(from environment WBTUI_X)" wraps at its space
    for row in rows:
        value = "" if row["value"] is None else str(row["value"])
        table.add_row(Text(row["key"]), Text(value), Text(_source_note(row), style="dim"))
    ctx.out.print(table)
    if claims:
        shown = ", ".join(f"{k}={v}" for k, v in claims.items())
        ctx.out.print(Text(f"License claims (unverified): {shown}"))
    print_findings(ctx, findings, scrub)
    return EXIT_OK


# --- set / unset -------------------------------------------------------------------------


def _read_value(key: str, raw: str) -> str:
    """``-`` means stdin: a prompt without echo on a terminal, else the piped text."""
    if raw != "-":
        return raw
    if sys.stdin.isatty():
        return getpass.getpass(f"{key}: ")
    return sys.stdin.read().rstrip("\r\n")


def cmd_set(ctx: Context, args: argparse.Namespace) -> int:
    key = canonical_key(args.key)
    raw = _read_value(key, args.value)
    with ctx.editing() as edit:  # read, check and write under the file's lock: no other change is lost
        before = edit.loaded
        config = before.copy()
        try:
            set_value(config, key, raw)
        except FieldError as exc:  # only typed fields (numbers, booleans, choices): never secrets
            fix = f"wbtui config set {key} {exc.example}" if exc.example else ""
            return _refused(ctx, args, key, [Finding(key, "error", exc.message, fix)], Scrub(before))
        scrub = Scrub(config)
        findings = validate(config)
        if is_keys_key(key):  # an id no binding has, a key another binding answers: the dashboard's own check
            findings += binding_findings(config, ctx.config_path)
        own = [f for f in findings if f.field.lower() == key.lower()]
        if has_errors(own):
            return _refused(ctx, args, key, own, scrub)
        old_errors = {(f.field, f.message) for f in validate(before) if f.severity == "error"}
        knock_on = [f for f in findings if f.severity == "error" and f not in own
                    and (f.field, f.message) not in old_errors]
        edit.config = config
    path = ctx.config_path
    shown = _shown(key, get_value(config, key), False)
    _say_overridden(ctx, key)
    if args.json:
        _emit_json({"key": key, "value": shown, "saved": True, "path": str(path),
                    "findings": [f.to_dict() for f in own + knock_on]}, scrub)
        return EXIT_OK
    ctx.out.print(Text(f"{key} = {'' if shown is None else shown}  (saved to {path})"))
    for f in own:
        _line(ctx, f, scrub)
    if knock_on:
        ctx.out.print(Text("Other settings now disagree with this value:", style="yellow"))
        for f in knock_on:
            _line(ctx, f, scrub)
    return EXIT_OK


def _say_overridden(ctx: Context, key: str) -> None:
    """The file now has the value, but a WBTUI_<KEY> in this environment still wins: say so (on stderr)."""
    variable = environment.variable_for(key)
    if variable in os.environ:
        ctx.err.print(Text(f"note: {variable} is set in this environment and overrides {key} while it is set "
                           f"(unset {variable} to use the file's value)", style="yellow"))


def _line(ctx: Context, f: Finding, scrub: Scrub) -> None:
    ctx.out.print(Text(f"{f.severity}: {f.field}: {scrub.message(f.message)}", style=_STYLE[f.severity]))
    if f.fix:
        ctx.out.print(Text(f"  fix: {scrub.fix(f.fix)}"))


def _refused(ctx: Context, args: argparse.Namespace, key: str, errors: list[Finding], scrub: Scrub) -> int:
    if args.json:
        _emit_json({"key": key, "saved": False, "findings": [f.to_dict() for f in errors]}, scrub)
        return EXIT_FINDINGS
    ctx.err.print(Text(f"{key} not saved:", style="bold red"))
    for f in errors:
        ctx.err.print(Text(f"  {f.severity}: {scrub.message(f.message)}", style=_STYLE[f.severity]))
        if f.fix:
            ctx.err.print(Text(f"  example: {scrub.fix(f.fix)}"))
    return EXIT_FINDINGS


def cmd_unset(ctx: Context, args: argparse.Namespace) -> int:
    key = canonical_key(args.key)
    with ctx.editing() as edit:
        config = edit.loaded.copy()
        if (is_env_key(key) and key[4:] not in config.env) or (is_keys_key(key) and key[5:] not in config.keys):
            message = f"{key} was not set"
        elif is_keys_key(key):
            unset_value(config, key)
            edit.config = config
            message = f"{key} removed: {key[5:]} has its default key again"
        else:
            unset_value(config, key)
            edit.config = config
            edit.remove.add(key)  # the line leaves the file: a later default reaches this config too
            value = None if is_env_key(key) else _shown(key, get_value(config, key), False)
            message = f"{key} removed" if is_env_key(key) else f"{key} reset to its default: {value}"
    if args.json:
        ctx.print_json({"key": key, "message": message})
    else:
        ctx.out.print(Text(message))
    return EXIT_OK


# --- edit --------------------------------------------------------------------------------


def cmd_edit(ctx: Context, args: argparse.Namespace) -> int:
    from ..config.edit import EditorFailed, edit_file

    ctx.refuse_if_read_only("edit the configuration")
    try:
        with file_errors():
            outcome = edit_file(ctx.config_path)
    except EditorFailed as exc:
        raise CliError(str(exc)) from None
    scrub = Scrub(outcome.config or ctx.config())
    code = EXIT_FINDINGS if outcome.status == "changed on disk" else EXIT_OK
    if args.json:
        _emit_json({"status": outcome.status, "saved": outcome.status == "saved", "path": str(outcome.path),
                    "message": outcome.message, "kept": None if outcome.kept is None else str(outcome.kept),
                    "findings": [f.to_dict() for f in outcome.findings]}, scrub)
        return code
    if code:
        raise CliError(outcome.message)
    ctx.out.print(Text(outcome.message))
    for f in outcome.findings:
        _line(ctx, f, scrub)
    return code


# --- validate ----------------------------------------------------------------------------


def cmd_validate(ctx: Context, args: argparse.Namespace) -> int:
    config = ctx.config()
    findings = (from_environment(validate(config), ctx.environment_sources()) + unknown_key_findings(ctx.config_path)
                + permission_findings(ctx.config_path, config))
    findings += binding_findings(config, ctx.config_path)
    code = EXIT_FINDINGS if has_errors(findings) else EXIT_OK
    scrub = Scrub(config)
    if args.json:
        _emit_json({"path": str(ctx.config_path), "ok": code == EXIT_OK,
                    "findings": [f.to_dict() for f in findings]}, scrub)
        return code
    print_findings(ctx, findings, scrub)
    ctx.out.print(Text(_summary(findings), style="bold red" if code else "green"))
    return code


# --- import ------------------------------------------------------------------------------


def cmd_import(ctx: Context, args: argparse.Namespace) -> int:
    if args.container and args.file:
        raise CliError("give either FILE or --container, not both", EXIT_USAGE)
    if not (args.container or args.file):
        raise CliError("import needs FILE (or --container NAME)", EXIT_USAGE)
    text = None if args.container else _read_source(args.file)
    if args.dry_run:
        result, fmt = _imported(args, text, ctx.config())
    else:
        with ctx.editing("import into the configuration") as edit:  # merged into the file as it is now
            result, fmt = _imported(args, text, edit.loaded)
            edit.config = result.config
    findings = validate(result.config)
    saved = not args.dry_run
    scrub = Scrub(result.config)
    code = EXIT_FINDINGS if has_errors(findings) else EXIT_OK
    if args.json:
        _emit_json({"source": result.source, "format": fmt, "saved": saved,
                    "notes": [n.to_dict() for n in result.notes],
                    "findings": [f.to_dict() for f in findings]}, scrub)
        return code
    print_findings(ctx, result.notes, scrub, title=f"Imported from {result.source} ({fmt})")
    print_findings(ctx, findings, scrub, title="Validation of the result")
    verdict = f"saved to {ctx.config_path}" if saved else "dry run: nothing saved"
    ctx.out.print(Text(f"{verdict}; {_summary(findings)}", style="bold red" if code else "green"))
    return code


def _imported(args: argparse.Namespace, text: str | None, base: Config) -> tuple[ImportResult, str]:
    """The import of ``text`` (or of ``--container``) over ``base``, and the format it was read as."""
    from ..config.importers import ImportFailure
    from ..runtime import importers

    try:
        if text is None:
            from ..runtime.docker.importer import import_docker_container

            return import_docker_container(args.container, base, base.app.timeout), "docker"
        fmt = args.fmt or importers.detect_format(text)
        return importers.import_text(text, fmt, base, source=args.file), fmt
    except ImportFailure as exc:
        raise CliError(f"import failed: {exc}") from None
    except RecursionError:  # json/yaml parsers recurse once per nesting level
        raise CliError(f"import failed: {args.file} nests arrays or objects too deeply to be an env file, "
                       "docker inspect output or a manifest; check it is the file you meant", EXIT_USAGE) from None


def _read_source(name: str) -> str:
    """The import source as text; a file or stdin that is not UTF-8 is one line, never a traceback."""
    try:
        text = sys.stdin.read() if name == "-" else Path(name).expanduser().read_text(encoding="utf-8")
        text.encode("utf-8")  # stdin may decode bad bytes as surrogates (surrogateescape): refused too
    except OSError as exc:
        raise CliError(f"cannot read {name}: {exc.strerror or exc}") from None
    except UnicodeError:
        raise CliError(f"cannot read {'stdin' if name == '-' else name}: it is not UTF-8 text; convert it first "
                       "(iconv -f LATIN1 -t UTF-8 FILE > FILE.utf8)", EXIT_USAGE) from None
    return text


# --- path / permissions ------------------------------------------------------------------


def cmd_path(ctx: Context, args: argparse.Namespace) -> int:
    path = ctx.config_path
    perms = store.permissions(path)
    if args.json:
        ctx.print_json({"path": str(path), "exists": perms is not None,
                        "mode": f"{perms.mode:04o}" if perms else None,
                        "backup": str(store.backup_path(path))})
    else:
        sys.stdout.write(f"{path}\n")
    return EXIT_OK


def cmd_fix_permissions(ctx: Context, args: argparse.Namespace) -> int:
    ctx.refuse_if_read_only("change file permissions")
    changed = []
    for candidate in (ctx.config_path, store.backup_path(ctx.config_path)):
        perms = store.permissions(candidate)
        if perms is not None and perms.too_open:
            store.fix_permissions(candidate)
            changed.append({"path": str(candidate), "was": f"{perms.mode:04o}", "now": "0600"})
    if args.json:
        ctx.print_json({"changed": changed})
    elif changed:
        for c in changed:
            ctx.out.print(Text(f"{c['path']}: {c['was']} -> 0600"))
    else:
        ctx.out.print(Text("nothing to fix: the config file is private (or does not exist yet)"))
    return EXIT_OK
