"""`wbtui completion bash|zsh|fish`: a shell completion script generated from the real parser.

shtab writes a static script, so a TAB runs no Python and other commands pay nothing for it. What the parser
cannot say is added here, on a copy built only for the script: setting keys for `config set|unset` (from the
settings table), file and directory names for FILE/PATH/DIR arguments, the local tags of the configured image
for `upgrade`, and the kubeconfig's contexts for `--context`. The last two are shell functions that ask at TAB
time (`docker image ls`, `kubectl config get-contexts`, or the kubeconfig files when kubectl is absent).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from .context import EXIT_OK, Context

SHELLS = ("bash", "zsh", "fish")

SETTING_KEY_ARGUMENTS: tuple[tuple[str, ...], ...] = (("config", "set"), ("config", "unset"))
"""The subcommands whose KEY positional takes a setting key (tests/test_completion.py: each still exists)."""
IMAGE_TAG_ARGUMENTS: tuple[tuple[str, ...], ...] = (("upgrade",),)
"""The subcommands whose TAG positional takes an image tag."""

FILE_METAVARS = frozenset({"FILE", "PATH", "FILE|-"})
DIRECTORY_METAVARS = frozenset({"DIR"})

# awk programs without single quotes, so that one text serves inside single quotes in sh and in fish.
_RUNTIME_IMAGE_AWK = (
    "/^[ \t]*\\[/ {s = $0; gsub(/[ \t]/, \"\", s)} "
    "s == \"[runtime]\" && $1 ~ /^[ \t]*image[ \t]*$/ {v = $2; sub(/^[ \t]*\"/, \"\", v); sub(/\".*$/, \"\", v); "
    "print v; exit}"
)
_KUBE_CONTEXTS_AWK = (
    "/^[^ \t#-]/ {c = ($0 ~ /^contexts:/); next} "
    "c && /^(- |  )name:/ {sub(/^(- |  )name:[ \t]*/, \"\"); print}"
)

SH_FUNCTIONS = f"""
# wbtui: the local tags of runtime.image: $WBTUI_RUNTIME_IMAGE, else the config file's ($WBTUI_CONFIG, else
# $WBTUI_PROFILE's, else the default file), else wandb/local
_wbtui_image_tags() {{
  command -v docker >/dev/null 2>&1 || return 0
  local dir="${{XDG_CONFIG_HOME:-$HOME/.config}}/wbtui" file image
  file="$dir/config.toml"
  [ -n "${{WBTUI_PROFILE:-}}" ] && [ "$WBTUI_PROFILE" != default ] && file="$dir/profiles/$WBTUI_PROFILE.toml"
  image=${{WBTUI_RUNTIME_IMAGE:-$(awk -F= '{_RUNTIME_IMAGE_AWK}' "${{WBTUI_CONFIG:-$file}}" 2>/dev/null)}}
  docker image ls --format '{{{{.Tag}}}}' "${{image:-wandb/local}}" 2>/dev/null | grep -vx '<none>'
}}
# wbtui: the kubeconfig's contexts (kubectl when installed, else the files of $KUBECONFIG or ~/.kube/config)
_wbtui_kube_contexts() {{
  if command -v kubectl >/dev/null 2>&1; then
    kubectl config get-contexts -o name 2>/dev/null
    return 0
  fi
  printf '%s\\n' "${{KUBECONFIG:-$HOME/.kube/config}}" | tr ':' '\\n' | while read -r file; do
    awk '{_KUBE_CONTEXTS_AWK}' "$file" 2>/dev/null | tr -d "\\"'"
  done
}}
"""

BASH_COMPLETERS = """
_wbtui_compgen_image_tags() { compgen -W "$(_wbtui_image_tags)" -- "$1"; }
_wbtui_compgen_kube_contexts() { compgen -W "$(_wbtui_kube_contexts)" -- "$1"; }
"""
ZSH_COMPLETERS = """
_wbtui_zsh_image_tags() { compadd -- $(_wbtui_image_tags); }
_wbtui_zsh_kube_contexts() { compadd -- $(_wbtui_kube_contexts); }
"""
"""Called at TAB time by name: shtab puts the zsh completer into double-quoted arrays, where its own
`$(command)` form would run once, when the script is loaded."""

FISH_FUNCTIONS = f"""
# wbtui: the local tags of runtime.image: $WBTUI_RUNTIME_IMAGE, else the config file's ($WBTUI_CONFIG, else
# $WBTUI_PROFILE's, else the default file), else wandb/local
function _wbtui_image_tags
    command -q docker; or return 0
    set -l dir $XDG_CONFIG_HOME
    test -n "$dir"; or set dir $HOME/.config
    set -l file $dir/wbtui/config.toml
    if test -n "$WBTUI_PROFILE" -a "$WBTUI_PROFILE" != default
        set file $dir/wbtui/profiles/$WBTUI_PROFILE.toml
    end
    test -n "$WBTUI_CONFIG"; and set file $WBTUI_CONFIG
    set -l image $WBTUI_RUNTIME_IMAGE
    test -n "$image"; or set image (awk -F= '{_RUNTIME_IMAGE_AWK}' $file 2>/dev/null)
    test -n "$image"; or set image wandb/local
    docker image ls --format '{{{{.Tag}}}}' $image 2>/dev/null | string match -v -- '<none>'
end
# wbtui: the kubeconfig's contexts (kubectl when installed, else the files of $KUBECONFIG or ~/.kube/config)
function _wbtui_kube_contexts
    if command -q kubectl
        kubectl config get-contexts -o name 2>/dev/null
        return 0
    end
    set -l files (string split : -- "$KUBECONFIG")
    test -n "$KUBECONFIG"; or set files $HOME/.kube/config
    for file in $files
        awk '{_KUBE_CONTEXTS_AWK}' $file 2>/dev/null | string trim -c "\\"'"
    end
end
"""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "completion", help="print a shell completion script (bash, zsh, fish)",
        description="Print the completion script for SHELL, generated from wbtui's parser: commands, options, "
        "setting keys for config set/unset, file names, the local image tags for upgrade and the kubeconfig's "
        "contexts for --context. Load it from your shell's completion directory (see the README).",
        epilog="examples: wbtui completion bash > ~/.local/share/bash-completion/completions/wbtui\n"
        "          wbtui completion zsh > ~/.zfunc/_wbtui\n"
        "          wbtui completion fish > ~/.config/fish/completions/wbtui.fish",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", metavar="SHELL", choices=SHELLS, help="bash, zsh or fish")
    p.set_defaults(func=cmd_completion)


def cmd_completion(ctx: Context, args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell))
    return EXIT_OK


def script(shell: str) -> str:
    """The completion script for ``shell``, from a parser of every command with the completions added."""
    import shtab

    from . import build_parser

    parser = build_parser()
    annotate(parser)
    preamble = {"bash": SH_FUNCTIONS + BASH_COMPLETERS, "zsh": SH_FUNCTIONS + ZSH_COMPLETERS,
                "fish": FISH_FUNCTIONS}[shell]
    return str(shtab.complete(parser, shell, preamble=preamble))


def annotate(parser: argparse.ArgumentParser) -> None:
    """Attach what each argument completes to (shtab reads ``choices`` and ``complete``)."""
    import shtab

    from ..config.model import FIELDS

    for path in SETTING_KEY_ARGUMENTS:
        positional(parser, path, "key").choices = [spec.key for spec in FIELDS]
    for path in IMAGE_TAG_ARGUMENTS:
        setattr(positional(parser, path, "tag"), "complete", asked("image_tags"))  # noqa: B010
    for action in actions(parser):
        if action.dest == "kube_context":
            setattr(action, "complete", asked("kube_contexts"))  # noqa: B010
        elif action.metavar in FILE_METAVARS:
            setattr(action, "complete", shtab.FILE)  # noqa: B010
        elif action.metavar in DIRECTORY_METAVARS:
            setattr(action, "complete", shtab.DIRECTORY)  # noqa: B010


def asked(what: str) -> dict[str, str]:
    """shtab's completer of an argument whose words the shell function ``_wbtui_<what>`` prints at TAB time."""
    return {"bash": f"_wbtui_compgen_{what}", "zsh": f"_wbtui_zsh_{what}", "fish": f"(_wbtui_{what})"}


def subcommand(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> argparse.ArgumentParser:
    """The parser of the subcommand ``path`` (("config", "set") is `wbtui config set`); KeyError if none."""
    for name in path:
        parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    return parser


def positional(parser: argparse.ArgumentParser, path: tuple[str, ...], dest: str) -> argparse.Action:
    """The positional argument ``dest`` of the subcommand ``path``; StopIteration if it has none."""
    return next(a for a in subcommand(parser, path)._actions if a.dest == dest and not a.option_strings)


def actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """Every argument of the parser and of all its subcommands (each subparser once: aliases share one)."""
    seen: set[int] = set()
    todo = [parser]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for action in current._actions:
            if isinstance(action, argparse._SubParsersAction):
                todo.extend(action.choices.values())
            else:
                yield action
