"""Random command lines never end in a traceback: exit 0, 1 or 2 only (issue 18).

The argv is built from the parser itself (every subcommand and option of ``wbtui.cli.build_parser``,
walked as a tree) and from the settings table (``FIELDS`` keys and env.NAME with empty, huge, unicode,
control-character and surrogate values), and runs in-process through ``wbtui.cli.main``: much faster
than a subprocess per example. Every run has its own config file in a temporary directory; nothing
reaches the network: the config's URLs, DOCKER_HOST and the URL options point at a closed port on
127.0.0.1 and KUBECONFIG at a missing file. Derandomized, so CI sees the same examples every time.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.config_samples import canary_config
from wbtui.cli import build_parser, main
from wbtui.config import store
from wbtui.config.model import FIELDS, Config, get_value, set_value

EXCLUDED_COMMANDS = {
    ("dashboard",): "opens the full-screen dashboard: it needs a terminal and runs until quit",
    ("serve",): "serves the dashboard over HTTP until stopped",
    ("setup",): "opens the guided setup; with --answers it creates database users, buckets and containers",
    ("service", "install"): "writes systemd units under / (or --root) and runs systemctl",
    ("metrics",): "serves the metrics over HTTP until stopped",
}
EXCLUDED_OPTIONS = {
    "--watch": "probe --watch repeats until interrupted",
    "--count": "probe --count with a random --interval can sleep for hours",
    "--follow": "logs --follow follows until interrupted once a daemon answers",
}
OFFLINE = {"config", "render", "unack"}
"""Commands that read only the config file: they run after random `config set`s. Every other one runs on
the base config alone, so a random HOST or MYSQL never becomes a host name to look up."""


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CLOSED = _closed_port()
LOCAL_URLS = [f"http://127.0.0.1:{CLOSED}", f"https://127.0.0.1:{CLOSED}/", f"mysql://root:pw@127.0.0.1:{CLOSED}/",
              "", "not a url", "http://[::1", f"ftp://127.0.0.1:{CLOSED}", "mysql://", "\udcff", "http://127.0.0.1:0"]
"""Values for options that name a server (--url, --admin): local and closed, or not a URL at all."""

EDGES = [
    "", " ", "-", "--", "0", "-1", "1", "8080", "1e-300", "1e999", "nan", "inf", "-inf", "99999999999", "9" * 5000,
    "x" * 300, "a" * 70_000, "\x00", "nul\x00byte", "\x1b[31mred", "\t", "line\nbreak", "\r", "\x7f", "\x85",
    "\udcff", "caf\udce9", "é", "😀", "\u202e", "\ufeff", "²", "all", "10m", "1h30m", "99999999999d", "true", "maybe",
    "https://wandb example.com", "https://wandb.example.com", "wandb/local@sha256:" + "a" * 64, "../../etc",
    "{a = 1}", "%s%n", "'; DROP TABLE x; --", *LOCAL_URLS,
]
ODD_CHARS = ["\udcff", "\ud800", "\x00", "\x1b", "\n", "\r", "\t", "\x7f", "\x85", "\u202e", "\ufeff", " ", "é",
             "😀", "²", "'", '"', "\\", "%", ":", "@", "/", "?", "#", "[", "]", "="]
"""Characters that break things: surrogates (bytes that were not UTF-8), controls, quoting and URL syntax."""
TEXT = st.one_of(  # one_of picks a branch evenly
    st.sampled_from(EDGES),
    st.lists(st.sampled_from(ODD_CHARS), min_size=1, max_size=3).map("".join),
    st.text(max_size=12),
    st.text(st.characters(categories=["Cs", "Cc", "Cf", "Zs", "Nd", "Lu", "Ll", "Po"]), max_size=12),
)


@dataclass(frozen=True)
class Command:
    """One leaf of the parser tree: its words, its value options and flags, its positionals."""

    words: tuple[str, ...]
    options: tuple[argparse.Action, ...]
    positionals: tuple[argparse.Action, ...]


def commands(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> list[Command]:
    found: list[Command] = []
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for sub in subs:
        for name, child in sub.choices.items():
            found += commands(child, (*words, name))
    if words and not subs and not any(words[:len(ex)] == ex for ex in EXCLUDED_COMMANDS):
        actions = [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]
        options = tuple(a for a in actions if a.option_strings and not set(a.option_strings) & set(EXCLUDED_OPTIONS))
        found.append(Command(words, options, tuple(a for a in actions if not a.option_strings)))
    return found


COMMANDS = commands(build_parser())
SERVER_OPTIONS = {"--url", "--admin"}
PATH_OPTIONS = {"-o", "--bundle", "--answers", "--root"}


def _value(action: argparse.Action, tmp: Path) -> st.SearchStrategy[str]:
    names = set(action.option_strings) | {action.dest}
    if names & SERVER_OPTIONS:
        return st.sampled_from(LOCAL_URLS)
    if names & PATH_OPTIONS or action.dest == "file":  # "-" only where it means stdin, not a file named -
        stdin = ["-"] if action.dest == "file" else []
        return st.sampled_from([str(tmp / "out.txt"), str(tmp), str(tmp / "missing" / "x"), "",
                                str(tmp / "caf\udce9"), str(tmp / "config.toml"), *stdin])
    if action.choices:
        return st.one_of(st.sampled_from(sorted(action.choices)), TEXT)
    return TEXT


_KNOWN_KEYS = [spec.key for spec in FIELDS] + ["env.OIDC_ISSUER", "env.MOTD", "env.REDIS_PASSWORD"]
_KEY_LIST = st.sampled_from(_KNOWN_KEYS + [key.upper() for key in _KNOWN_KEYS]
                           + ["", "NOPE", "env.", "env.HOST", "env.9LIVES", "\udcff", "HOST\n", "app."])
KEYS = st.one_of(_KEY_LIST, _KEY_LIST, _KEY_LIST, st.builds(lambda name: f"env.{name}", TEXT))
"""Mostly the settings table's keys (any case) and a few wrong ones, then env.NAME with any name."""

VALID = {spec.key.lower(): str(get_value(canary_config(), spec.key) if spec.default is not None else 1000)
         for spec in FIELDS} | {"env.oidc_issuer": "https://sso.example.com", "env.motd": "hello",
                                "env.redis_password": "CanaryRedisPw91"}
"""A good value per key: an edge put into one gets past the first checks, where later code has to cope."""


def setting_value(key: str) -> st.SearchStrategy[str]:
    good = VALID.get(key.lower(), "x")
    spliced = st.builds(lambda edge, at: good[:at] + edge + good[at:], TEXT, st.integers(0, len(good)))
    return st.one_of(st.just(good), spliced, spliced, TEXT)


@st.composite
def setting_pairs(draw: st.DrawFn, min_size: int = 0) -> list[tuple[str, str]]:
    """A few `config set KEY VALUE` pairs."""
    keys = draw(st.lists(KEYS, min_size=min_size, max_size=3))
    return [(key, draw(setting_value(key))) for key in keys]


@st.composite
def argvs(draw: st.DrawFn, tmp: Path) -> list[str]:
    command = draw(st.sampled_from(COMMANDS))
    argv = list(command.words)
    for action in command.positionals:
        if action.nargs == "?" and draw(st.booleans()):
            continue
        if action.dest == "value":
            argv.append(draw(setting_value(argv[-1])))
        else:
            argv.append(draw(KEYS if action.dest == "key" else _value(action, tmp)))
    for action in draw(st.lists(st.sampled_from(command.options), max_size=4, unique=True)) if command.options else []:
        argv.append(draw(st.sampled_from(action.option_strings)))
        if action.nargs != 0:
            argv.append(draw(_value(action, tmp)))
    if draw(st.booleans()):
        argv = ["--read-only", *argv]
    return argv


def base_config(backend: str) -> Config:
    config = Config()
    config.server.HOST = f"http://127.0.0.1:{CLOSED}"
    config.server.BUCKET = f"s3://AKIAEXAMPLE:secretsecret@127.0.0.1:{CLOSED}/wandb-files"
    config.server.MYSQL = f"mysql://wandb:pw@127.0.0.1:{CLOSED}/wandb"
    set_value(config, "runtime.backend", backend)
    config.app.timeout = 1.0
    return config


def wbtui(config: Path, argv: list[str]) -> tuple[int, str]:
    """``wbtui --config FILE ARGV...`` in-process: its exit code and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    sys.stdin = io.StringIO("")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--config", str(config), *argv])
        except SystemExit as exc:  # argparse: usage errors, --help, --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No daemon, no cluster, no real config, home or working directory: everything under tmp_path."""
    monkeypatch.setenv("DOCKER_HOST", f"tcp://127.0.0.1:{CLOSED}")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-kubeconfig"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "true")  # config edit: an editor that changes nothing and needs no terminal
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.chdir(tmp_path)  # a relative name a command writes to lands here
    return tmp_path


FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


def test_the_walk_finds_every_command_but_the_excluded() -> None:
    found = {c.words for c in COMMANDS}
    assert {("config", "set"), ("render", "cors"), ("check",), ("logs",), ("doctor",)} <= found
    assert not found & set(EXCLUDED_COMMANDS) and ("setup",) not in found


@FUZZ
@seed(18)
@given(data=st.data(), backend=st.sampled_from(["docker", "kubernetes"]))
def test_random_command_lines_exit_0_1_or_2(offline: Path, data: st.DataObject, backend: str) -> None:
    tmp = Path(tempfile.mkdtemp(dir=offline))
    config = tmp / "config.toml"
    store.save(base_config(backend), config)
    argv = data.draw(argvs(tmp), label="argv")
    if (argv[1] if argv[0] == "--read-only" else argv[0]) in OFFLINE:
        for key, value in data.draw(setting_pairs(), label="settings"):
            code, text = wbtui(config, ["config", "set", key, value])
            assert code in (0, 1, 2) and "Traceback" not in text, text[-2000:]
    code, text = wbtui(config, argv)
    assert code in (0, 1, 2, 4), (code, text[-2000:])  # 4: the (closed) Docker daemon or cluster did not answer
    assert "Traceback" not in text, text[-2000:]


@FUZZ
@seed(18)
@given(data=st.data())
def test_any_setting_then_show_validate_and_render(offline: Path, data: st.DataObject) -> None:
    """Whatever `config set` accepted, every reader of the file copes with it."""
    tmp = Path(tempfile.mkdtemp(dir=offline))
    config = tmp / "config.toml"
    store.save(canary_config(), config)  # secrets in every form masking knows
    for key, value in data.draw(setting_pairs(min_size=1), label="settings"):
        code, text = wbtui(config, ["config", "set", key, value])
        assert code in (0, 1, 2) and "Traceback" not in text, text[-2000:]
    for argv in (["config", "show"], ["config", "show", "--json"], ["config", "validate"],
                 ["render", data.draw(st.sampled_from(["docker", "docker-env", "kubernetes", "nginx", "systemd",
                                                        "sql", "mc", "cors"]), label="kind")]):
        code, text = wbtui(config, argv)
        assert code in (0, 1, 2) and "Traceback" not in text, (argv, text[-2000:])



def test_a_lone_surrogate_in_a_rendered_file_is_written_escaped(offline: Path) -> None:
    """`render sql -o F --user-host '\\ud800'` raised UnicodeEncodeError (found by the random command lines):
    surrogateescape writes back only what the OS decoded (\\udc80-\\udcff); any other lone surrogate is escaped."""
    config = offline / "config.toml"
    store.save(base_config("docker"), config)
    out = offline / "out.sql"
    assert main(["--config", str(config), "render", "sql", "-o", str(out), "--user-host", "\ud800"]) == 0
    assert "\\ud800" in out.read_text()
