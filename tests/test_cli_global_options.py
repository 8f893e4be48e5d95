"""Global options before, after or between a command's words; WBTUI_CONFIG and WBTUI_PROFILE choose the file."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from wbtui.cli import COMMANDS, build_parser, command_module, main


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    for name in ("WBTUI_CONFIG", "WBTUI_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "xdg" / "wbtui"


def subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command and nested subcommand with its parser, found by walking the parser itself."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from subcommands(sub, (*path, name))


def required_words(parser: argparse.ArgumentParser) -> list[str]:
    """Arguments that let the parser accept the command: its required positionals and required options."""
    words: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        value = str(next(iter(action.choices))) if action.choices else "1"
        if not action.option_strings and action.nargs not in ("?", "*", argparse.REMAINDER):
            words += [value] * (action.nargs if isinstance(action.nargs, int) else 1)
        elif action.option_strings and action.required:
            words += [action.option_strings[0], *([value] if action.nargs != 0 else [])]
    return words


def leaf_commands() -> list[tuple[str, ...]]:
    """Commands a user runs: those without subcommands of their own."""
    found = dict(subcommands(build_parser()))
    return [path for path in found if not any(other[:len(path)] == path and other != path for other in found)]


LEAVES = leaf_commands()


def test_the_walk_finds_nested_subcommands() -> None:
    assert {("config", "set"), ("config", "show"), ("backup", "list"), ("db", "status"), ("profile", "add"),
            ("service", "install"), ("status",)} <= set(LEAVES)


@pytest.mark.parametrize("path", LEAVES, ids=" ".join)
def test_every_command_takes_the_global_options_after_it(path: tuple[str, ...]) -> None:
    parser = build_parser()
    words = [*path, *required_words(dict(subcommands(parser))[path])]
    plain = parser.parse_args(words)
    assert (plain.config, plain.profile, plain.read_only) == (None, None, False)
    after = parser.parse_args([*words, "--config", "after.toml", "--read-only"])
    assert (after.config, after.read_only) == ("after.toml", True)
    assert parser.parse_args([*words, "--profile=prod"]).profile == "prod"
    before = parser.parse_args(["--config", "before.toml", "--profile", "prod", "--read-only", *words])
    assert (before.config, before.profile, before.read_only) == ("before.toml", "prod", True)
    both = parser.parse_args(["--config", "before.toml", *words, "--config", "after.toml"])
    assert both.config == "after.toml"  # the last one given wins, as with a repeated option anywhere
    between = parser.parse_args([path[0], "--read-only", "--config=between.toml", *path[1:], *words[len(path):]])
    assert (between.config, between.read_only) == ("between.toml", True)
    assert command_module(["--read-only", *words, "--config", "x.toml"]) == COMMANDS[path[0]]


def test_a_bad_profile_name_is_a_usage_error_anywhere(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["config", "path", "--profile", "../etc"])
    assert exited.value.code == 2
    assert "lower-case letters" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--config", "a.toml", "config", "path", "--profile", "prod"],
                                  ["config", "path", "--profile", "prod", "--config=a.toml"]])
def test_config_and_profile_together_is_a_usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert "either --config or --profile, not both" in capsys.readouterr().err


def path_of(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_config_after_the_command_reaches_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "other.toml"
    assert main(["config", "set", "HOST", "https://after.example.com", "--config", str(target)]) == 0
    capsys.readouterr()
    shown = path_of(capsys, "config", "show", "--config", str(target))
    assert shown["path"] == str(target)
    assert {row["key"]: row["value"] for row in shown["fields"]}["HOST"] == "https://after.example.com"


def test_where_the_file_comes_from(tmp_path: Path, config_home: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert path_of(capsys, "config", "path")["path"] == str(config_home / "config.toml")
    from_env = tmp_path / "from-env.toml"
    monkeypatch.setenv("WBTUI_CONFIG", str(from_env))
    assert path_of(capsys, "config", "path")["path"] == str(from_env)
    assert path_of(capsys, "config", "path", "--config", "flag.toml")["path"] == "flag.toml"
    assert path_of(capsys, "config", "path", "--profile", "prod")["path"] == str(config_home / "profiles/prod.toml")
    monkeypatch.delenv("WBTUI_CONFIG")
    monkeypatch.setenv("WBTUI_PROFILE", "staging")
    assert path_of(capsys, "config", "path")["path"] == str(config_home / "profiles" / "staging.toml")
    assert path_of(capsys, "--profile", "default", "config", "path")["path"] == str(config_home / "config.toml")


@pytest.mark.parametrize(("variables", "words"), [
    ({"WBTUI_CONFIG": "a.toml", "WBTUI_PROFILE": "prod"}, "unset one"),
    ({"WBTUI_PROFILE": "No Such"}, "WBTUI_PROFILE: profile name 'No Such'"),
])
def test_an_ambiguous_or_bad_environment_is_a_usage_error(variables: dict[str, str], words: str,
                                                           capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert main(["config", "path"]) == 2
    assert words in capsys.readouterr().err


def test_the_help_of_a_subcommand_lists_the_global_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["backup", "list", "--help"])
    out = capsys.readouterr().out
    assert "global options (before or after the command)" in out
    assert "--profile NAME" in out and "--config FILE" in out and "--read-only" in out
