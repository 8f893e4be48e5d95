"""What every CLI command shares: the config file, output and exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import environment, profiles, store
from ..config.masking import Redactor, screen
from ..config.model import Config

if TYPE_CHECKING:
    import argparse

    from rich.console import Console

    from ..runtime.base import RuntimeProblem


@cache
def _pipe_console_class() -> type[Console]:
    """Rich is imported when a command first prints through it (`status --json` never does: ~45 ms)."""
    from rich.console import Console

    class PipeConsole(Console):
        """A reader that went away (``wbtui check | head``) ends the command quietly, as coreutils do (exit
        141): rich's own handling prints nothing but turns it into exit 1."""

        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    return PipeConsole


def pipe_console(**kwargs: Any) -> Console:
    return _pipe_console_class()(highlight=False, soft_wrap=True, **kwargs)


EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_UNREACHABLE = 4
"""The Docker daemon or the Kubernetes API server did not answer, so the server's state is unknown: a script must
tell that from "a check failed" (1). 4 is LSB's init-script status code for "status unknown" (systemctl's 3,
"inactive", is a known state, which `wbtui status` reports as 1; and 3 is backup/restore's "not covered")."""


def seconds(text: str) -> float:
    """argparse type for --timeout, --interval and the like: a positive number of seconds, at most a day."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86400:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 and at most 86400 seconds")
    return value


class CliError(Exception):
    """A failure to report in one line (no traceback), with its exit code; ``fix`` (what to do) and ``kind``
    (a stable word for scripts) go into the JSON error object."""

    def __init__(self, message: str, code: int = EXIT_FINDINGS, *, fix: str = "", kind: str = "") -> None:
        super().__init__(f"{message} (fix: {fix})" if fix else message)
        self.message, self.code, self.fix = message, code, fix
        self.kind = kind or {EXIT_USAGE: "usage", EXIT_UNREACHABLE: "unreachable"}.get(code, "error")

    @classmethod
    def from_problem(cls, problem: RuntimeProblem, note: str = "", redact: Callable[[str], str] = str) -> CliError:
        """A runtime problem with its exit code: EXIT_UNREACHABLE when the engine or cluster did not answer.
        ``note`` follows the message (what state it left); ``redact`` masks what the default redactor cannot."""
        code = EXIT_UNREACHABLE if problem.kind == "unreachable" else EXIT_FINDINGS
        return cls(redact(problem.message + note), code, fix=redact(problem.fix), kind=problem.kind)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"message": self.message, "code": self.code, "kind": self.kind}
        if self.fix:
            data["fix"] = self.fix
        return data


@contextmanager
def file_errors() -> Iterator[None]:
    """The config file's problems as one line: exit 2 for a path that is no regular file, else 1."""
    try:
        yield
    except store.NotRegularFile as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    except store.ConfigFileError as exc:
        raise CliError(str(exc)) from None


@dataclass
class Context:
    config_path: Path
    read_only_flag: bool = False
    profile: str | None = None
    """The profile the config file is (None: a file outside the profiles, given by --config or WBTUI_CONFIG)."""
    selected_by: str = "default"
    """What chose the file: --config, --profile, WBTUI_CONFIG, WBTUI_PROFILE or default."""
    json: bool = False
    """--json was given: errors are also printed as a JSON object on stdout, and questions go to stderr."""
    kube_context: str | None = None
    kube_namespace: str | None = None
    """--context / -n: override kubernetes.context / namespace for this run (never saved)."""
    _config: Config | None = None
    _overrides: list[environment.Override] = field(default_factory=list, repr=False)
    _out: Console | None = field(default=None, repr=False)
    _err: Console | None = field(default=None, repr=False)

    @property
    def out(self) -> Console:
        if self._out is None:
            self._out = pipe_console()
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            self._err = pipe_console(stderr=True)
        return self._err

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Context:
        """The file --config, --profile, $WBTUI_CONFIG or $WBTUI_PROFILE selects (profiles.select); CliError
        (usage) when that is ambiguous or no profile name."""
        try:
            chosen = profiles.select(getattr(args, "config", None), getattr(args, "profile", None))
        except profiles.ProfileError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
        return cls(config_path=chosen.path, read_only_flag=bool(getattr(args, "read_only", False)),
                   profile=chosen.profile, selected_by=chosen.source)

    def config(self) -> Config:
        if self._config is None:
            with file_errors():
                loaded = store.load(self.config_path)
                self._overrides = environment.overrides()  # WBTUI_<KEY>: a bad value names its variable
                self._config = self._for_this_run(environment.apply(loaded, self._overrides))
        return self._config

    def environment_sources(self) -> dict[str, str]:
        """The settings WBTUI_<KEY> variables gave this run: key -> variable (the file has its own values)."""
        self.config()
        return environment.sources(self._overrides)

    def _for_this_run(self, config: Config) -> Config:
        """The config with --context / -n applied (Kubernetes' kubectl-like flags); the file keeps its own."""
        if self.kube_context is None and self.kube_namespace is None:
            return config
        config = config.copy()
        if self.kube_context is not None:
            config.kubernetes.context = self.kube_context
        if self.kube_namespace is not None:
            config.kubernetes.namespace = self.kube_namespace
        return config

    def use_config(self, config: Config) -> None:
        """Share a config object another component edits (the setup flow), so redaction sees new secrets."""
        self._config = config

    def save(self, config: Config) -> Path:
        self.refuse_if_read_only("save the configuration")
        self._config = config
        with file_errors():  # what only the environment gave stays out of the file
            return store.save(environment.file_values(config, store.load(self.config_path), self._overrides),
                              self.config_path)

    @contextmanager
    def editing(self, action: str = "save the configuration") -> Iterator[store.Edit]:
        """Read-modify-write the file under its lock (``store.editing``); set ``edit.config`` to save."""
        self.refuse_if_read_only(action)
        with file_errors(), store.editing(self.config_path) as edit:
            yield edit
        self._config = None  # read again when asked: the file's new values with the environment's over them

    @property
    def read_only(self) -> bool:
        if self.read_only_flag:
            return True
        try:
            return self.config().app.read_only
        except CliError:
            return False

    def refuse_if_read_only(self, action: str) -> None:
        if self.read_only:
            raise CliError(f"read-only mode: refusing to {action}", EXIT_USAGE)

    def redactor(self) -> Redactor:
        try:
            return screen(self.config())
        except CliError:
            return screen()

    def print_json(self, data: Any) -> None:
        text = json.dumps(data, indent=2, default=str)
        sys.stdout.write(self.redactor()(text) + "\n")

    def error(self, message: str) -> None:
        from rich.text import Text

        self.err.print(Text.assemble(("error:", "bold red"), " ", self.redactor()(message)))

    def fail(self, exc: CliError) -> int:
        """Report a failure: one line on stderr, and with --json also ``{"error": {...}}`` on stdout (the last
        line there, so a script reading JSON lines sees why it stopped); the exit code."""
        self.error(str(exc))
        if self.json:
            self.print_json_line({"error": exc.to_dict()})
        return exc.code

    def print_json_line(self, data: Any) -> None:
        """One compact JSON object on its own line, masked, flushed (JSON lines: one per step or log line)."""
        sys.stdout.write(self.redactor()(json.dumps(data, default=str)) + "\n")
        sys.stdout.flush()

    def confirm(self, question: str, assume_yes: bool) -> bool:
        """Ask before destroying or changing anything; --yes answers for scripts."""
        if assume_yes:
            return True
        if not sys.stdin.isatty():
            raise CliError(f"{question} -- refusing without a terminal; pass --yes to confirm",
                           EXIT_USAGE)
        if self.json:  # stdout carries only JSON: the question goes where the human is
            sys.stderr.write(f"{question} [y/N] ")
            sys.stderr.flush()
            answer = input().strip().lower()
            return answer in ("y", "yes")
        answer = input(f"{question} [y/N] ").strip().lower()
        return answer in ("y", "yes")
