"""Bad input through the real command line: one line saying what is wrong and what to do, exit 1 or 2,
never a traceback (issue 18).

Every test runs ``python -m wbtui`` in a subprocess, as a user's shell would, with a config file in a
temporary directory and no network: Docker and Kubernetes are pointed at nothing that answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wbtui.config import store
from wbtui.config.model import Config


def closed_port() -> int:
    """A port nothing listens on: connections to it are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cli:
    """``python -m wbtui --config FILE ...`` with a private home, config and Docker/Kubernetes endpoints."""

    def __init__(self, tmp_path: Path) -> None:
        self.config = tmp_path / "wbtui" / "config.toml"
        self.env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path), "COLUMNS": "200",
                    "DOCKER_HOST": f"tcp://127.0.0.1:{closed_port()}", "KUBECONFIG": str(tmp_path / "no-kubeconfig")}

    def run(self, *argv: str, stdin: bytes = b"",
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Arguments with surrogate escapes reach the child as the bytes they stand for, as from a shell."""
        proc = subprocess.run([sys.executable, "-m", "wbtui", "--config", str(self.config), *argv], input=stdin,
                              capture_output=True, env={**self.env, **(env or {})}, timeout=60)
        return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "backslashreplace"),
                                           proc.stderr.decode("utf-8", "backslashreplace"))


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def refused(proc: subprocess.CompletedProcess[str], code: int, *words: str) -> str:
    """The process ended with ``code``, no traceback, and its stderr says ``words``; that stderr."""
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    for word in words:
        assert word in proc.stderr, proc.stderr
    return proc.stderr


def not_saved(cli: Cli) -> None:
    assert not cli.config.exists(), cli.config.read_text()


# --- bytes that are not UTF-8 -------------------------------------------------------------------


@pytest.mark.parametrize("key", ["LICENSE", "HOST", "runtime.image", "env.FOO"])
def test_a_value_that_is_not_utf8_is_refused(cli: Cli, key: str) -> None:
    """$'abc\\xff' reaches Python as a surrogate escape; the TOML file cannot hold it (was: traceback)."""
    proc = cli.run("config", "set", key, "abc\udcff")
    refused(proc, 1, f"{key} not saved", "not UTF-8 (0xff at position 3)")
    not_saved(cli)


def test_a_name_that_is_not_utf8_is_refused(cli: Cli) -> None:
    refused(cli.run("config", "set", "env.F\udcffO", "x"), 1, "not UTF-8 (0xff at position 1)")
    not_saved(cli)


def test_a_value_on_stdin_that_is_not_utf8_is_refused(cli: Cli) -> None:
    refused(cli.run("config", "set", "MYSQL", "-", stdin=b"mysql://u:p\xff@db/w\n"), 1, "not UTF-8")
    not_saved(cli)


def test_an_answers_file_that_is_not_utf8_is_one_line(cli: Cli, tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_bytes(b"[where]\nbackend = 'docker'\ncontainer_name = 'caf\xe9'\n")
    refused(cli.run("setup", "--answers", str(answers), "--yes"), 2,
            f"{answers} is not UTF-8 text (byte 0xe9 at offset 48); save it as UTF-8")
    refused(cli.run("setup", "--answers", str(tmp_path), "--yes"), 2, "cannot read", "Is a directory")


def test_a_path_that_is_not_utf8_is_printed_as_its_bytes(cli: Cli, tmp_path: Path) -> None:
    """Even where Python's stdout is strict (a UTF-8 locale), ``config path`` prints the file's real name."""
    odd = tmp_path / "caf\udce9" / "config.toml"
    proc = subprocess.run([sys.executable, "-m", "wbtui", "--config", str(odd), "config", "path"],
                          capture_output=True, env={**cli.env, "PYTHONIOENCODING": "utf-8:strict"}, timeout=60)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    assert proc.stdout == os.fsencode(odd) + b"\n"


# --- values no setting means ---------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value", "words"), [
    ("HOST", "https://wandb example.com", "space or control character"),
    ("HOST", "https://wändb.example.com", "xn-- form"),
    ("app.timeout", "1e-300", "between 0.1 and 300 seconds"),
    ("app.timeout", "nan", "'nan' is not a finite number"),
    ("app.timeout", "inf", "'inf' is not a finite number"),
    ("app.recheck_minutes", "nan", "'nan' is not a finite number"),
    ("app.recheck_minutes", "1e999", "'1e999' is not a finite number"),
    ("kubernetes.replicas", "99999999999", "out of range (at most 2147483647)"),
    ("runtime.container_name", "wandb\x1b[31m", "control character (U+001B at position 5)"),
    ("kubernetes.namespace", "wan\x7fdb", "control character (U+007F"),
    ("env.OIDC_ISSUER", "https://sso\x1b]0;owned\x07", "control character (U+001B)"),
    ("env.MOTD", "tab\there", "control character (U+0009)"),
    ("env.BAD\x1bNAME", "x", "not a valid environment variable name"),
])
def test_nonsense_is_refused_with_the_reason(cli: Cli, key: str, value: str, words: str) -> None:
    """Each was saved before (exit 0); now `set` refuses it, says why and saves nothing."""
    refused(cli.run("config", "set", key, value), 1, "not saved", words)
    not_saved(cli)


@pytest.mark.parametrize(("key", "value", "words"), [
    ("app.timeout", b"-inf", "'-inf' is not a finite number"),
    ("runtime.image", b"wandb/local\x00:1", "control character (U+0000 at position 11)"),
    ("LICENSE", b"eyJ\x00.eyJ.sig", "control character (U+0000 at position 3)"),
    ("env.MOTD", b"nul\x00", "NUL byte"),
])
def test_nonsense_on_stdin_is_refused(cli: Cli, key: str, value: bytes, words: str) -> None:
    """What an argument cannot carry (NUL) or argparse takes for an option (-inf) comes through `-`."""
    refused(cli.run("config", "set", key, "-", stdin=value), 1, "not saved", words)
    not_saved(cli)


@pytest.mark.parametrize(("key", "limit"), [
    ("runtime.container_name", 128), ("runtime.image", 255), ("kubernetes.namespace", 253),
    ("env.WANDB_EXTRA", 32768), ("HOST", 2048),
])
def test_megabyte_values_are_refused_at_once(cli: Cli, key: str, limit: int) -> None:
    """A megabyte on stdin (a paste gone wrong): refused in a moment, without echoing it back."""
    proc = cli.run("config", "set", key, "-", stdin=b"a" * 1_000_000)
    err = refused(proc, 1, f"the value is 1000000 characters long, at most {limit} are allowed")
    assert len(err) < 1000
    not_saved(cli)


def test_megabyte_env_names_are_refused(cli: Cli) -> None:
    refused(cli.run("config", "set", "env." + "N" * 100_000, "x"), 1, "100000 characters long, at most 255")
    not_saved(cli)


def test_a_ten_megabyte_host_in_the_file_is_one_line_and_quick(cli: Cli) -> None:
    """Hand-edited in: `config show` took over 20 s drawing it; now the file is refused as it loads."""
    cli.config.parent.mkdir(parents=True)
    cli.config.write_text('[server]\nHOST = "https://' + "a" * 10_000_000 + '.example.com"\n')
    started = time.monotonic()
    proc = cli.run("config", "show")
    assert time.monotonic() - started < 15
    err = refused(proc, 1, f"{cli.config}: HOST: the value is 10000020 characters long, at most 2048")
    assert len(err) < 1000


def test_a_table_in_env_is_refused_naming_the_key(cli: Cli) -> None:
    """It was stored as its Python repr ("{'a': 1}") and handed to the container."""
    cli.config.parent.mkdir(parents=True)
    cli.config.write_text("[env]\nGOOD = 'x'\nOIDC = { issuer = 'https://sso' }\n")
    refused(cli.run("config", "show"), 1, "env.OIDC: must be text (a quoted string), not a table")
    cli.config.write_text("[env]\nPORTS = [1, 2]\n")
    refused(cli.run("config", "validate"), 1, "env.PORTS: must be text (a quoted string), not an array")


def test_nan_in_the_file_is_refused(cli: Cli) -> None:
    cli.config.parent.mkdir(parents=True)
    cli.config.write_text("[app]\ntimeout = nan\n")
    refused(cli.run("config", "show"), 1, "app.timeout: nan is not a finite number")


@pytest.mark.parametrize("option", ["-o", "--output"])
def test_render_to_an_empty_file_name_is_a_usage_error(cli: Cli, option: str) -> None:
    """`-o ''` printed to stdout as if there were no -o (exit 0)."""
    proc = cli.run("render", "docker", option, "")
    refused(proc, 2, "argument -o/--output: an empty name is not a file")
    assert proc.stdout == ""
    refused(cli.run("render", "systemd", "--env-file", ""), 2, "argument --env-file: an empty name is not a file")


# --- runtime input --------------------------------------------------------------------------------


@pytest.mark.parametrize(("since", "words"), [
    ("99999999999d", "'99999999999d' is more than 3650 days back"),
    ("3651d", "more than 3650 days back"),
    ("0001-01-01T00:00", "is neither a duration"),
])
def test_logs_since_out_of_range_is_a_usage_error(cli: Cli, since: str, words: str) -> None:
    """99999999999d overflowed the date arithmetic (OverflowError traceback)."""
    refused(cli.run("logs", "--since", since), 2, "argument --since", words)


@pytest.mark.parametrize("tail", ["²", "9" * 5000], ids=["superscript-two", "5000-digits"])
def test_logs_tail_that_int_refuses_is_a_usage_error(cli: Cli, tail: str) -> None:
    refused(cli.run("logs", "--tail", tail), 2, "argument --tail", "is not a number of lines")


@pytest.mark.parametrize(("host", "words"), [
    ("tcp://127.0.0.1:notaport", "Port could not be cast to integer value"),
    ("tcp://127.0.0.1:99999", "Port out of range"),
    ("tcp://[::1", "Invalid IPv6 URL"),
])
def test_a_malformed_docker_host_is_one_line(cli: Cli, host: str, words: str) -> None:
    err = refused(cli.run("status", env={"DOCKER_HOST": host}), 4,  # 4: the engine cannot be reached
                  f"DOCKER_HOST={host} is not a valid Docker address", words, "set DOCKER_HOST to")
    assert err.count("\n") == 1


@pytest.mark.parametrize(("content", "words"), [
    (b"apiVersion: v1\nclusters: [\n  - {a: b\n", "is not valid YAML: while parsing"),
    (b"\xff\xfe", "is not UTF-8 text"),
    (b"- a\n- b\n", "is not a mapping of settings"),
    (b"contexts: 5\ncurrent-context: x\n", "contexts must be a list of entries with a name"),
    (b"contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\nclusters: 5\n",
     "clusters must be a list of entries with a name"),
])
def test_a_broken_kubeconfig_is_one_line(cli: Cli, tmp_path: Path, content: bytes, words: str) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_bytes(content)
    config = Config()
    config.runtime.backend = "kubernetes"
    store.save(config, cli.config)
    err = refused(cli.run("status", env={"KUBECONFIG": str(kubeconfig)}), 1, f"kubeconfig {kubeconfig}", words,
                  "repair or replace it")
    assert err.count("\n") == 1


# --- a closed output pipe -------------------------------------------------------------------------


def _into_closed_pipe(cli: Cli, *argv: str) -> subprocess.CompletedProcess[bytes]:
    """Run with stdout a pipe whose reader is gone before anything is read (`| head -0`)."""
    proc = subprocess.Popen([sys.executable, "-m", "wbtui", "--config", str(cli.config), *argv],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli.env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read()
    return subprocess.CompletedProcess(proc.args, proc.wait(timeout=60), b"", err)


@pytest.fixture
def big_config(cli: Cli) -> Cli:
    """Output larger than a pipe's buffer, so the writer meets the closed pipe every time."""
    config = Config()
    config.server.HOST = "https://wandb.example.com"
    config.env = {f"EXTRA_{i}": "v" * 1000 for i in range(100)}
    store.save(config, cli.config)
    return cli


@pytest.mark.parametrize("argv", [
    ["config", "show", "--json"], ["config", "validate", "--json"], ["render", "docker"],
    ["render", "kubernetes", "--json"],
])
def test_a_closed_pipe_ends_quietly_with_141(big_config: Cli, argv: list[str]) -> None:
    """BrokenPipeError tracebacks every time before; now 141 (128 + SIGPIPE), as cat gives, and silence."""
    proc = _into_closed_pipe(big_config, *argv)
    assert proc.returncode == 141 and b"Traceback" not in proc.stderr and b"Broken" not in proc.stderr, proc.stderr


def test_a_closed_pipe_after_a_table_ends_quietly(big_config: Cli) -> None:
    """Tables go through rich, whose own handling turned a broken pipe into exit 1: 141 as well."""
    proc = _into_closed_pipe(big_config, "config", "show")
    assert proc.stderr == b"" and proc.returncode == 141


def test_render_to_a_file_keeps_an_argument_that_is_not_utf8(cli: Cli, tmp_path: Path) -> None:
    """-o with a non-UTF-8 --upstream was a UnicodeEncodeError traceback; the bytes go out as given."""
    out = tmp_path / "wandb.conf"
    proc = cli.run("render", "nginx", "--upstream", "http://caf\udce9:8080", "-o", str(out))
    assert "Traceback" not in proc.stderr and f"wrote {out}" in proc.stderr, proc.stderr
    assert b"http://caf\xe9:8080" in out.read_bytes()


@pytest.mark.parametrize("argv", [["config", "show", "--rev"], ["down", "--y"], ["down", "--pur", "--yes"],
                                  ["render", "sql", "--rev"]])
def test_an_abbreviated_option_is_refused_not_guessed(cli: Cli, argv: list[str]) -> None:
    """argparse took `--rev` for `--reveal` (the secrets shown) and `--y` for `--yes`: now exit 2, nothing done."""
    proc = cli.run(*argv)
    assert proc.returncode == 2 and "unrecognized arguments" in proc.stderr, proc.stderr
