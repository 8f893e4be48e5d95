"""`wbtui profile list|add`: the named config files (staging, prod) `--profile NAME` selects.

A profile is a config file like any other (config.profiles): `list` says which exist, what server each
describes (HOST, backend) and which one this run uses; `add` creates one, empty or as a copy of another.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..config import profiles, store
from ..config.model import Config
from .context import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, CliError, Context
from .parser import profile_name


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "profile", help="named config files for several servers (staging, prod)",
        description="Profiles are config files: `default` is the default config, every other NAME is "
        "$XDG_CONFIG_HOME/wbtui/profiles/NAME.toml. Select one with --profile NAME (before or after any "
        "command) or WBTUI_PROFILE=NAME; `wbtui status --all` shows every profile's server.")
    psub = parser.add_subparsers(dest="profile_command", metavar="SUBCOMMAND", required=True)

    p = psub.add_parser("list", help="every profile: its file, HOST and backend, the one in use marked",
                        description="Every profile (default first), its file, whether it exists, the HOST and "
                        "runtime.backend written in it, and which one this run uses (*).")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    p = psub.add_parser("add", help="create a profile (empty, or a copy of another with --from)",
                        description="Create the profile's config file (mode 0600, written atomically): empty "
                        "(every setting at its default), or a copy of profile FROM's file as it is, comments "
                        "included. An existing profile is never overwritten.",
                        epilog="examples: wbtui profile add staging\n"
                        "          wbtui profile add prod --from staging && wbtui --profile prod config set "
                        "HOST https://wandb.example.com",
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("name", metavar="NAME", type=profile_name, help="the new profile's name")
    p.add_argument("--from", dest="source", metavar="PROFILE", type=profile_name,
                   help="copy this profile's config file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_add)


def profile_rows(ctx: Context) -> list[dict[str, Any]]:
    """Every profile as `list` shows it; the one in use is there even before its file exists."""
    found = profiles.list_profiles()
    if ctx.profile is not None and all(p.name != ctx.profile for p in found):
        where = 0 if ctx.profile == profiles.DEFAULT else len(found)
        found.insert(where, profiles.Profile(ctx.profile, ctx.config_path))
    rows = []
    for profile in found:
        row: dict[str, Any] = {"name": profile.name, "path": str(profile.path), "exists": profile.exists,
                               "current": profile.name == ctx.profile, "host": "", "backend": "", "error": None}
        if profile.exists:
            try:
                config = store.load(profile.path)  # the file's own values, as `--profile NAME config show` starts
            except store.ConfigFileError as exc:
                row["error"] = str(exc)
            else:
                row["host"], row["backend"] = config.server.HOST, config.runtime.backend
        rows.append(row)
    return rows


def cmd_list(ctx: Context, args: argparse.Namespace) -> int:
    rows = profile_rows(ctx)
    current = {"profile": ctx.profile, "path": str(ctx.config_path), "selected_by": ctx.selected_by}
    if args.json:
        ctx.print_json({"current": current, "profiles": rows})
        return EXIT_OK
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("CURRENT", "NAME", "HOST", "BACKEND", "FILE"):
        table.add_column(column, overflow="fold")
    for row in rows:
        shown = row["host"] or ("(unreadable)" if row["error"] else "" if row["exists"] else "(no file yet)")
        table.add_row("*" if row["current"] else "", row["name"], shown, row["backend"], row["path"])
    if rows:
        ctx.out.print(table)
    else:
        ctx.out.print(Text("No profiles yet: `wbtui config set ...` writes the default one, "
                           "`wbtui profile add NAME` another."))
    if ctx.profile is None:
        ctx.out.print(Text(f"in use: {ctx.config_path} (not a profile; from {ctx.selected_by})"))
    for row in rows:
        if row["error"]:
            ctx.err.print(Text(f"warning: {row['name']}: {row['error']}", style="yellow"))
    return EXIT_OK


def cmd_add(ctx: Context, args: argparse.Namespace) -> int:
    ctx.refuse_if_read_only(f"create profile {args.name}")
    target = profiles.profile_path(args.name)
    data = _source_bytes(args.source) if args.source else None
    try:
        with store.locked(target) as real:  # no other `profile add` or save can create it meanwhile
            if real.exists():
                raise CliError(f"profile {args.name} exists already ({target}); change it with "
                               f"`wbtui --profile {args.name} config set KEY VALUE`", EXIT_FINDINGS)
            if data is None:
                store.save(Config(), real)
            else:
                store.write_private(real, data)
    except store.ConfigFileError as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"cannot create {target}: {exc.strerror or exc}") from None
    if args.json:
        ctx.print_json({"name": args.name, "path": str(target), "from": args.source, "created": True})
    else:
        from rich.text import Text

        what = f"a copy of profile {args.source}" if args.source else "empty: every setting at its default"
        ctx.out.print(Text(f"created profile {args.name}: {target} ({what}); use it with "
                           f"`wbtui --profile {args.name} ...`"))
    return EXIT_OK


def _source_bytes(name: str) -> bytes:
    """The file of profile ``name`` as it is, after checking it loads (a broken file is not copied)."""
    source = profiles.profile_path(name)
    try:
        if not source.is_file():
            raise CliError(f"profile {name} does not exist ({source}); `wbtui profile list` shows the profiles",
                           EXIT_USAGE)
        store.load(source)
        return source.read_bytes()
    except store.ConfigFileError as exc:
        raise CliError(f"cannot copy profile {name}: {exc}") from None
    except OSError as exc:
        raise CliError(f"cannot read {source}: {exc.strerror or exc}") from None
