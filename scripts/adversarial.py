#!/usr/bin/env python3
"""Measure issue 18's hardening figures again, adversarially: one line per family, "N runs, K defects".

Every run is a real ``python -m wbtui --config DIR/config.toml ...`` subprocess in its own temporary
directory. Its config's secrets are random hex canaries, and every address in it is a closed port on
127.0.0.1; DOCKER_HOST names a socket that does not exist and KUBECONFIG a missing file, so nothing
reaches a server, a daemon or a cluster, and nothing outside the temporary directory is changed.

Families (what a defect is):

- ``secrets``: every command that reads the config, with --json and without: a canary in any form
  (``masking.forms_of``) in stdout, stderr or a written file (inside the bundle too), or a traceback;
- ``argv``: while those run, a thread reads ``/proc/PID/cmdline`` of our children and theirs as fast as
  it can: a canary in any argv;
- ``kill9``: ``config set`` killed with SIGKILL at a random moment (0-50 ms after it first holds a file
  of the config's directory open): the file does not load, holds neither the old nor the new setting,
  is not 0600, or one more save leaves a ``.config.toml.*.tmp``;
- ``malformed``: random argv from the parser's own tree, broken (unknown options, missing values, bad
  types, huge values, bytes that are not UTF-8, empty strings): a traceback, a hang or an exit code
  other than 0, 1, 2, 4 (the engine did not answer) or 141;
- ``readonly``: every command that changes something, with --read-only and with app.read_only = true:
  an exit code other than 2 (bucket commands: 1 with the store unreachable, as a command with nothing
  to change works in read-only mode and it must ask the store first), or any file changed;
- ``lost``: pairs of concurrent ``config set`` of different keys on one file: a lost update;
- ``hypothesis``: the hypothesis tests of tests/test_hardening_secrets.py and test_hardening_cli_fuzz.py,
  their example counts read from their settings: a failed test.

    scripts/adversarial.py                      # the full counts (about 7 minutes on 2 cores)
    scripts/adversarial.py --scale 0.02         # a few runs of each
    scripts/adversarial.py --root /tmp/old --only kill9,lost --scale 0.05   # another checkout's code

Exit 1 when any family found a defect.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

REPO = Path(__file__).resolve().parent.parent
TRACEBACK = "Traceback (most recent call last)"
FULL = {"secrets": 530, "kill9": 600, "malformed": 409, "lost": 100}
RUN_TIMEOUT = 60.0


# -- the code under test -------------------------------------------------------------------------


@dataclass
class Target:
    """The checkout whose wbtui is measured: imported here, run as ``python -m wbtui`` there."""

    root: Path
    python: str
    closed_port: int
    home: Path

    def env(self, cwd: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WBTUI", "KUBERNETES_", "DOCKER_", "VISUAL"))}
        return env | {"PYTHONPATH": str(self.root), "HOME": str(cwd), "XDG_CONFIG_HOME": str(cwd),
                      "EDITOR": "true",  # config edit: an editor that changes nothing and needs no terminal
                      "DOCKER_HOST": f"unix://{self.home}/no-such-docker.sock",
                      "KUBECONFIG": str(self.home / "no-such-kubeconfig"), "COLUMNS": "120", "LC_ALL": "C.UTF-8"}

    def argv(self, config: Path, args: Iterable[str | bytes]) -> list[str | bytes]:
        return [self.python, "-m", "wbtui", "--config", str(config), *args]


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound once, then closed)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def import_target(root: Path) -> None:
    sys.path.insert(0, str(root))
    import wbtui

    where = Path(wbtui.__file__).resolve()
    if not where.is_relative_to(root.resolve()):
        sys.exit(f"wbtui was imported from {where}, not from {root}: run with that checkout's venv")


# -- running one command ------------------------------------------------------------------------


@dataclass
class Result:
    argv: list[str | bytes]
    code: int | None  # None: still running at the timeout (killed)
    out: str
    err: str

    def describe(self) -> str:
        words = [os.fsdecode(a) if isinstance(a, bytes) else a for a in self.argv[3:]]
        shown = " ".join(w if len(w) < 60 else w[:40] + f"...({len(w)} chars)" for w in words)
        return f"exit {self.code}: wbtui {shown!r}"


class Children:
    """The pids of the wbtui processes we started, for the argv sampler."""

    def __init__(self) -> None:
        self.pids: set[int] = set()
        self.canaries: dict[int, frozenset[str]] = {}  # pid -> the forms its config's secrets take
        self.lock = threading.Lock()

    def add(self, pid: int, canaries: frozenset[str]) -> None:
        with self.lock:
            self.pids.add(pid)
            self.canaries[pid] = canaries

    def remove(self, pid: int) -> None:
        with self.lock:
            self.pids.discard(pid)
            self.canaries.pop(pid, None)


CHILDREN = Children()


def run(target: Target, cwd: Path, args: Iterable[str | bytes], canaries: frozenset[str] = frozenset(),
        timeout: float = RUN_TIMEOUT, env: dict[str, str] | None = None) -> Result:
    argv = target.argv(cwd / "config.toml", args)
    proc = subprocess.Popen(argv, cwd=cwd, env=target.env(cwd) | (env or {}), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    CHILDREN.add(proc.pid, canaries)
    try:
        out, err = proc.communicate(timeout=timeout)
        code: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        code = None
    finally:
        CHILDREN.remove(proc.pid)
    return Result(argv, code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


@dataclass
class Family:
    name: str
    runs: int = 0
    defects: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"{self.name}: {self.runs} runs, {len(self.defects)} defects"


def scaled(name: str, scale: float) -> int:
    return max(1, round(FULL[name] * scale))


# -- canary secrets -------------------------------------------------------------------------------


def forms(secret: str) -> frozenset[str]:
    """Every form a secret may take in text: masking.forms_of, or (older code) the same encodings by hand."""
    try:
        from wbtui.config.masking import forms_of
    except ImportError:
        found = {secret, json.dumps(secret)[1:-1]}
        for encode in (quote, quote_plus):
            upper = encode(secret, safe="")
            found |= {upper, re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), upper)}
        for b64 in (base64.b64encode, base64.urlsafe_b64encode):
            whole = b64(secret.encode()).decode()
            found |= {whole, whole.rstrip("=")}
        return frozenset(found)
    return frozenset(forms_of(secret))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Canaries:
    """Random hex secrets for one run: LICENSE (a JWS whose signature is hex), BUCKET, MYSQL, an env PASSWORD,
    an env URL's password, db init's admin password and one in the file config import reads."""

    license_signature: str = field(default_factory=lambda: os.urandom(16).hex())
    bucket_secret: str = field(default_factory=lambda: os.urandom(12).hex())
    mysql_password: str = field(default_factory=lambda: os.urandom(12).hex())
    env_password: str = field(default_factory=lambda: os.urandom(12).hex())
    env_url_password: str = field(default_factory=lambda: os.urandom(12).hex())  # in env.REDIS's URL
    admin_password: str = field(default_factory=lambda: os.urandom(12).hex())  # db init --admin's
    imported: str = field(default_factory=lambda: os.urandom(12).hex())  # in the file config import reads

    @property
    def license(self) -> str:
        claims = {"sub": "canary", "exp": int(time.time()) + 365 * 86400, "seats": 1}
        return ".".join([b64url(b'{"alg":"RS256","typ":"JWT"}'), b64url(json.dumps(claims).encode()),
                         self.license_signature])

    def all_forms(self) -> frozenset[str]:
        secrets = [self.license, self.license_signature, self.bucket_secret, self.mysql_password,
                   self.env_password, self.env_url_password, self.admin_password, self.imported]
        return frozenset().union(*(forms(s) for s in secrets))


def closed_url(target: Target, scheme: str = "http") -> str:
    return f"{scheme}://127.0.0.1:{target.closed_port}"


def write_config(target: Target, path: Path, canaries: Canaries | None = None, backend: str = "docker",
                 read_only: bool = False) -> None:
    from wbtui.config import store
    from wbtui.config.model import Config, set_value

    c = canaries or Canaries()
    config = Config()
    port = target.closed_port
    for key, value in (("HOST", closed_url(target)), ("LICENSE", c.license),
                       ("BUCKET", f"s3://CANARYACCESS:{c.bucket_secret}@127.0.0.1:{port}/wandb-files?tls=false"),
                       ("MYSQL", f"mysql://wandb:{c.mysql_password}@127.0.0.1:{port}/wandb"),
                       ("env.SMTP_PASSWORD", c.env_password),
                       ("env.REDIS", f"redis://:{c.env_url_password}@127.0.0.1:{port}/0"), ("runtime.tag", "0.60.0"),
                       ("runtime.backend", backend), ("app.timeout", "0.5")):
        set_value(config, key, value)
    if read_only:
        set_value(config, "app.read_only", "true")
    path.parent.mkdir(parents=True, exist_ok=True)
    store.save(config, path)


# -- 1. secrets in output and files ---------------------------------------------------------------


SECRET_COMMANDS: list[tuple[list[str], bool]] = [  # (arguments, takes --json); {P} a closed port, {D} the run dir
    (["config", "show"], True), (["config", "validate"], True), (["config", "path"], True),
    (["config", "import", "--dry-run", "{D}/import.env"], True),
    *((["render", kind], True) for kind in ("docker", "docker-env", "kubernetes", "nginx", "systemd", "sql",
                                            "mc", "cors")),
    (["render", "docker", "--env-file", "/etc/wbtui/wandb.env"], True),
    (["render", "cors", "--format", "commands"], True),
    (["render", "sql", "-o", "{D}/out.sql"], True), (["render", "kubernetes", "-o", "{D}/out.yaml"], True),
    (["render", "docker-env", "-o", "{D}/out.env"], True),
    (["check", "all", "--timeout", "0.5"], True), (["check", "mysql", "--timeout", "0.5"], True),
    (["check", "s3", "--timeout", "0.5"], True),
    (["doctor", "--timeout", "0.5"], True), (["doctor", "--timeout", "0.5", "--bundle", "{D}/bundle.tgz"], False),
    (["status"], True), (["probe", "--url", "http://127.0.0.1:{P}", "--timeout", "0.5"], True),
    (["probe", "--timeout", "0.5"], True), (["logs", "--tail", "10"], False), (["ack", "--list"], True),
    (["db", "init", "--dry-run"], False),
    (["bucket", "create", "--timeout", "0.5"], True), (["bucket", "cors", "--timeout", "0.5"], True),
]
ENV_FOR = {"db": {"WBTUI_MYSQL_ADMIN": "mysql://root:{A}@127.0.0.1:{P}/mysql"}}
"""The admin URL goes in the environment, as the README says to keep it off the command line (and out of argv)."""
CONFIG_FILES = re.compile(r"(\.)?config\.toml(\.bak)?(\.lock)?(\.\d+\.[0-9a-f]{8}\.tmp)?")


def secret_variants() -> list[list[str]]:
    variants = []
    for args, has_json in SECRET_COMMANDS:
        variants.append(args)
        if has_json:
            variants.append([*args, "--json"])
    return variants


def written_texts(directory: Path) -> Iterable[tuple[str, str]]:
    """Every file a run wrote (the config's own files left out), the bundle's members one by one."""
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.is_symlink() or CONFIG_FILES.fullmatch(path.name) or path.name == "import.env":
            continue
        data = path.read_bytes()
        if path.suffix in (".tgz", ".gz"):
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as tar:
                for member in tar.getmembers():
                    extracted = tar.extractfile(member) if member.isfile() else None
                    if extracted is not None:
                        yield f"{path.name}:{member.name}", extracted.read().decode("utf-8", "replace")
        yield path.name, data.decode("utf-8", "replace")


def one_secret_run(target: Target, base: Path, index: int, args: list[str]) -> list[str]:
    run_dir = Path(tempfile.mkdtemp(prefix=f"s{index}-", dir=base))
    canaries = Canaries()
    write_config(target, run_dir / "config.toml", canaries, backend="docker" if index % 2 == 0 else "kubernetes")
    (run_dir / "import.env").write_text(f"HOST=https://wandb.example.com\nSMTP_PASSWORD={canaries.imported}\n"
                                        f"MYSQL=mysql://u:{canaries.imported}@127.0.0.1:{target.closed_port}/db\n")
    def filled(text: str) -> str:
        return (text.replace("{D}", str(run_dir)).replace("{P}", str(target.closed_port))
                .replace("{A}", canaries.admin_password))

    every = canaries.all_forms()
    env = {name: filled(value) for name, value in ENV_FOR.get(args[0], {}).items()}
    result = run(target, run_dir, [filled(a) for a in args], every, env=env)
    found = []
    texts = [("stdout", result.out), ("stderr", result.err), *written_texts(run_dir)]
    for where, text in texts:
        leaked = sorted(f for f in every if f in text)
        if leaked:
            found.append(f"{result.describe()}: {where} holds {leaked[0]!r}")
    if TRACEBACK in result.out + result.err:
        found.append(f"{result.describe()}: traceback: {result.err.strip().splitlines()[-1:]}")
    if result.code is None:
        found.append(f"{result.describe()}: still running after {RUN_TIMEOUT:.0f} s")
    shutil.rmtree(run_dir, ignore_errors=True)
    return found


def family_secrets(target: Target, base: Path, scale: float, jobs: int) -> Family:
    family = Family("secrets")
    variants, missing = known(secret_variants())
    if missing:
        family.notes.append(f"not in this checkout: {', '.join(missing)}")
    count = scaled("secrets", scale)
    plan = [variants[i % len(variants)] for i in range(count)]
    with ThreadPoolExecutor(jobs) as pool:
        for found in pool.map(lambda item: one_secret_run(target, base, *item), enumerate(plan)):
            family.runs += 1
            family.defects += found
    family.notes.append(f"{len(variants)} command variants (docker and kubernetes backends alternating); "
                        "there is no config export command")
    return family


# -- 2. the process table -------------------------------------------------------------------------


class ArgvSampler(threading.Thread):
    """Reads the argv of our wbtui children and of their descendants, as fast as it can."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stopping = threading.Event()
        self.samples = 0
        self.processes = 0
        self.defects: list[str] = []
        self._parents: dict[int, int] = {}

    def _parent(self, pid: int) -> int | None:
        if pid not in self._parents:
            try:
                with open(f"/proc/{pid}/stat", "rb") as fh:
                    self._parents[pid] = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                return None
        return self._parents[pid]

    def run(self) -> None:
        seen: set[tuple[int, str]] = set()
        while not self.stopping.is_set():
            with CHILDREN.lock:
                roots = dict(CHILDREN.canaries)
            if not roots:
                time.sleep(0.001)
                continue
            live = {int(n) for n in os.listdir("/proc") if n.isdigit()}
            for gone in set(self._parents) - live:
                del self._parents[gone]
            ours = dict(roots)
            changed = True
            while changed:
                changed = False
                for pid in live - set(ours):
                    parent = self._parent(pid)
                    if parent in ours:
                        ours[pid] = ours[parent]
                        changed = True
            for pid, canaries in ours.items():
                try:
                    with open(f"/proc/{pid}/cmdline", "rb") as fh:
                        argv = fh.read().replace(b"\0", b" ").decode("utf-8", "surrogateescape")
                except OSError:
                    continue
                self.samples += 1
                if (pid, argv) in seen:
                    continue
                seen.add((pid, argv))  # a process is judged once per argv it shows
                self.processes += 1
                leaked = [f for f in canaries if f in argv]
                if leaked:
                    self.defects.append(f"pid {pid} argv {argv[:120]!r} holds {leaked[0]!r}")


# -- 3. kill -9 during config set -----------------------------------------------------------------


def new_value(key: str, rng: random.Random) -> str:
    word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 12)))
    return {
        "HOST": f"https://{word}.example.com",
        "AWS_REGION": f"eu-{word}-1",
        "runtime.tag": f"0.{rng.randint(1, 99)}.{rng.randint(0, 9)}",
        "runtime.port": str(rng.randint(1024, 65535)),
        "app.theme": rng.choice(["textual-dark", "textual-light", "ansi-dark", "nord", "gruvbox"]),
        "kubernetes.namespace": word,
        "env.MOTD": word * rng.randint(1, 400),  # a few bytes to a few KB: the write takes longer
        "env.OIDC_ISSUER": f"https://{word}.example.com",
    }[key]


KILL_KEYS = ["HOST", "AWS_REGION", "runtime.tag", "runtime.port", "app.theme", "kubernetes.namespace",
             "env.MOTD", "env.OIDC_ISSUER"]


def _holds_file_in(pid: int, directory: str) -> bool:
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(directory):
                    return True
            except OSError:
                continue
    except OSError:
        return False
    return False


def one_kill(target: Target, base: Path, index: int, rng: random.Random) -> tuple[list[str], str]:
    from wbtui.config import store
    from wbtui.config.model import get_value, set_value

    run_dir = Path(tempfile.mkdtemp(prefix=f"k{index}-", dir=base))
    path = run_dir / "config.toml"
    write_config(target, path)
    if rng.random() < 0.5:  # half the runs change a file that already has a backup
        config = store.load(path)
        set_value(config, "env.MOTD", "before")
        store.save(config, path)
    old = store.load(path)
    key = rng.choice(KILL_KEYS)
    value = new_value(key, rng)
    new = store.load(path)
    set_value(new, key, value)
    proc = subprocess.Popen(target.argv(path, ["config", "set", key, value]), cwd=run_dir, env=target.env(run_dir),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    directory = str(run_dir) + "/"
    while proc.poll() is None and not _holds_file_in(proc.pid, directory):
        pass
    time.sleep(rng.uniform(0, 0.05))
    outcome = "exited before the kill"
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
        outcome = "killed"
    proc.wait()
    defects = []
    where = f"config set {key} (run {index}, {outcome})"
    try:
        loaded = store.load(path)
    except Exception as exc:  # any way of failing to load is the defect
        defects.append(f"{where}: store.load fails: {type(exc).__name__}: {exc}")
    else:
        now = loaded.to_dict()
        if now not in (old.to_dict(), new.to_dict()):
            defects.append(f"{where}: neither old nor new: {key} = {get_value(loaded, key)!r}")
        outcome += ", new value" if now == new.to_dict() and now != old.to_dict() else ", old value"
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != 0o600:
            defects.append(f"{where}: mode {mode:04o}")
        left = sorted(p.name for p in run_dir.glob(".config.toml.*.tmp"))
        store.save(loaded, path)
        after = sorted(p.name for p in run_dir.glob(".config.toml.*.tmp"))
        if after:
            defects.append(f"{where}: after one more save {after} remain")
        if left:
            outcome += ", left a temp file"
    shutil.rmtree(run_dir, ignore_errors=True)
    return defects, outcome


def family_kill9(target: Target, base: Path, scale: float, seed: int) -> Family:
    family = Family("kill9")
    rng = random.Random(seed)
    outcomes: dict[str, int] = {}
    for index in range(scaled("kill9", scale)):
        defects, outcome = one_kill(target, base, index, rng)
        family.runs += 1
        family.defects += defects
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    family.notes.append("; ".join(f"{n} {what}" for what, n in sorted(outcomes.items())))
    return family


# -- 4. malformed invocations ---------------------------------------------------------------------


EXCLUDED = {("dashboard",), ("serve",), ("setup",), ("service", "install"), ("metrics",)}
"""The full-screen dashboard and its server, and the metrics server, run until quit; setup opens it (or, with
answers, creates things); service install writes under / and runs systemctl. setup --example is run on its own."""
EXCLUDED_OPTIONS = {"--watch", "--count", "--follow"}  # repeat or follow until interrupted
HUGE = ["9" * 5000, "x" * 100_000, "1" + "0" * 400, "99999999999d", "1e999", "-1e999"]
BAD = ["", " ", "-", "--", "abc", "-1", "0", "nan", "inf", "²", "1,5", "0x10", "1e-300", "\x1b[31m", "a\nb", "é😀",
       "\u202e", "'; DROP TABLE x; --", "%s%n", "../../etc/passwd"]
NOT_UTF8 = ["\udcff", "caf\udce9", "\udc80\udc80", "x\udcfe\udcff"]


@dataclass(frozen=True)
class Leaf:
    words: tuple[str, ...]
    options: tuple[argparse.Action, ...]
    positionals: tuple[argparse.Action, ...]


def leaves(parser: argparse.ArgumentParser, words: tuple[str, ...] = (), excluded: Iterable[tuple[str, ...]] = EXCLUDED
           ) -> list[Leaf]:
    """The parser's commands as a tree walk finds them, but the excluded ones."""
    found: list[Leaf] = []
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for sub in subs:
        for name, child in sub.choices.items():
            found += leaves(child, (*words, name), excluded)
    if words and not subs and words not in excluded:
        actions = [a for a in parser._actions if not isinstance(a, argparse._HelpAction)]
        options = tuple(a for a in actions if a.option_strings and not set(a.option_strings) & EXCLUDED_OPTIONS)
        found.append(Leaf(words, options, tuple(a for a in actions if not a.option_strings)))
    return found


def plausible(action: argparse.Action, run_dir: Path, port: int, rng: random.Random) -> str:
    if action.choices:
        return rng.choice(sorted(action.choices))
    names = " ".join(action.option_strings) + " " + action.dest
    if "url" in names or "admin" in names:
        return f"mysql://root:pw@127.0.0.1:{port}/mysql" if "admin" in names else f"http://127.0.0.1:{port}"
    if any(w in names for w in ("timeout", "tail", "interval", "cpu", "for", "since")):
        return rng.choice(["1", "0.5", "10", "2h", "5m"])
    if any(w in names for w in ("output", "bundle", "file", "env_file")):
        return str(run_dir / "out.txt")
    if action.dest == "key":
        return rng.choice(["HOST", "env.MOTD", "runtime.tag", "app.timeout", "AWS_REGION"])
    return rng.choice(["x", "mysql.server", "0.61.0", "hello"])


def broken(value: str, rng: random.Random) -> str:
    kind = rng.choice(["huge", "bad", "not-utf8", "empty", "spliced"])
    if kind == "huge":
        return rng.choice(HUGE)
    if kind == "bad":
        return rng.choice(BAD)
    if kind == "not-utf8":
        return rng.choice(NOT_UTF8)
    if kind == "empty":
        return ""
    at = rng.randint(0, len(value))
    return value[:at] + rng.choice(NOT_UTF8 + BAD) + value[at:]


def malformed_argv(all_leaves: list[Leaf], run_dir: Path, port: int, rng: random.Random) -> list[str]:
    leaf = rng.choice(all_leaves)
    argv = list(leaf.words)
    for action in leaf.positionals:
        if action.nargs == "?" and rng.random() < 0.4:
            continue
        argv.append(plausible(action, run_dir, port, rng))
    for action in rng.sample(leaf.options, min(len(leaf.options), rng.randint(0, 3))):
        argv.append(rng.choice(action.option_strings))
        if action.nargs != 0:
            argv.append(plausible(action, run_dir, port, rng))
    for _ in range(rng.randint(1, 3)):
        mutation = rng.choice(["unknown option", "missing value", "bad value", "bad value", "unknown word",
                               "drop one", "global"])
        if mutation == "unknown option":
            argv.insert(rng.randint(0, len(argv)), rng.choice(["--bogus", "-Z", "--json=1", "--no-such-flag", "---"]))
        elif mutation == "missing value":
            valued = [a for a in leaf.options if a.nargs != 0]
            if valued:
                argv.append(rng.choice(rng.choice(valued).option_strings))
        elif mutation == "bad value" and len(argv) > len(leaf.words):
            at = rng.randrange(len(leaf.words), len(argv))
            argv[at] = broken(argv[at], rng)
        elif mutation == "unknown word":
            at = rng.randrange(len(argv))
            argv[at] = broken(argv[at], rng) if rng.random() < 0.5 else argv[at][:-1]
        elif mutation == "drop one" and len(argv) > 1:
            del argv[rng.randrange(1, len(argv))]
        elif mutation == "global":
            argv = [rng.choice(["--read-only", "--version", "--help", "--config"]), *argv]
    return argv


def one_malformed(target: Target, base: Path, index: int, argv: list[str]) -> list[str]:
    run_dir = base / f"m{index}"
    result = run(target, run_dir, [os.fsencode(a) for a in argv], timeout=30)
    found = []
    if TRACEBACK in result.out + result.err:
        found.append(f"{result.describe()}: traceback: {result.err.strip().splitlines()[-1:]}")
    elif result.code is None:
        found.append(f"{result.describe()}: still running after 30 s")
    elif result.code not in (0, 1, 2, 4, 141):
        found.append(f"{result.describe()}: {result.err.strip()[-200:]}")
    shutil.rmtree(run_dir, ignore_errors=True)
    return found


def family_malformed(target: Target, base: Path, scale: float, jobs: int, seed: int) -> Family:
    from wbtui.cli import build_parser

    family = Family("malformed")
    rng = random.Random(seed)
    all_leaves = leaves(build_parser())
    count = scaled("malformed", scale)
    plans = []
    for index in range(count):
        run_dir = base / f"m{index}"
        write_config(target, run_dir / "config.toml")
        argv = ["setup", "--example"] if index == 0 else malformed_argv(all_leaves, run_dir, target.closed_port, rng)
        plans.append((index, argv))
    with ThreadPoolExecutor(jobs) as pool:
        for found in pool.map(lambda item: one_malformed(target, base, *item), plans):
            family.runs += 1
            family.defects += found
    family.notes.append(f"{len(all_leaves)} commands of the parser (dashboard, serve, metrics, setup, service install, "
                        "--watch/--count/--follow left out); stdin /dev/null; argv passed as bytes")
    return family


# -- 5. read-only ---------------------------------------------------------------------------------


READ_ONLY_COMMANDS: list[list[str]] = [
    ["config", "set", "HOST", "https://changed.example.com"], ["config", "set", "app.read_only", "false"],
    ["config", "unset", "AWS_REGION"], ["config", "import", "{D}/import.env"], ["config", "fix-permissions"],
    ["config", "edit"],
    ["ack", "mysql.connect", "--why", "accepted for the test"], ["unack", "mysql.connect"],
    ["db", "init", "--admin", "mysql://root:pw@127.0.0.1:{P}/mysql", "--yes"],
    ["bucket", "create", "--yes", "--timeout", "0.5"], ["bucket", "cors", "--apply", "--yes", "--timeout", "0.5"],
    ["up", "--yes", "--no-watch", "--no-pull"], ["down", "--yes"], ["down", "--purge", "--yes"],
    ["restart", "--yes"], ["upgrade", "0.61.0", "--yes", "--no-watch"], ["stop", "--yes"], ["start"],
    ["service", "install", "--root", "{D}/root", "--yes"], ["setup", "--answers", "{D}/answers.toml", "--yes"],
    ["rollback", "--yes"], ["restore", "wbtui-wandb-20260101T000000Z", "--yes"], ["shell", "--", "true"],
]
STORE_FIRST = {"bucket"}
"""Commands that ask the store what would change before refusing (README: one with nothing to change works
in read-only mode); with the store unreachable they end with exit 1 having changed nothing."""


def snapshot(directory: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(directory)): (p.lstat().st_mode, b"" if p.is_dir() else p.read_bytes())
            for p in sorted(directory.rglob("*"))}


def one_read_only(target: Target, base: Path, index: int, args: list[str], flag: bool) -> list[str]:
    run_dir = base / f"r{index}"
    port = target.closed_port
    path = run_dir / "config.toml"
    write_config(target, path)
    if args[0] == "unack":  # something to remove: the failing connect check (closed port), acknowledged
        setup = run(target, run_dir, ["ack", "mysql.connect", "--why", "set up for unack", "--timeout", "0.5"])
        if setup.code != 0:
            raise RuntimeError(f"the acknowledgement unack is to remove was not made: {setup.err}")
    if not flag:
        run(target, run_dir, ["config", "set", "app.read_only", "true"])
    if args[:2] == ["config", "fix-permissions"]:
        path.chmod(0o644)  # something to fix
    (run_dir / "import.env").write_text("HOST=https://imported.example.com\nAWS_REGION=eu-west-1\n")
    (run_dir / "answers.toml").write_text(
        f'[where]\nbackend = "docker"\n[mysql]\nurl = "mysql://wandb:pw@127.0.0.1:{port}/wandb"\n'
        f'[s3]\nendpoint = "127.0.0.1:{port}"\naccess_key = "K"\nsecret_key = "S"\nbucket = "wandb"\ntls = false\n'
        f'[server]\nhost = "http://127.0.0.1:{port}"\n')
    before = snapshot(run_dir)
    args = [a.replace("{D}", str(run_dir)).replace("{P}", str(port)) for a in args]
    result = run(target, run_dir, (["--read-only"] if flag else []) + args, timeout=30)
    mode = "--read-only" if flag else "app.read_only"
    found = []
    allowed = {2, 1} if args[0] in STORE_FIRST else {2}
    if result.code not in allowed or TRACEBACK in result.err:
        found.append(f"{mode} {result.describe()}: {result.err.strip()[-200:]}")
    after = snapshot(run_dir)
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    if changed:
        found.append(f"{mode} {result.describe()}: changed {changed}")
    shutil.rmtree(run_dir, ignore_errors=True)
    return found


def known(commands: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """The commands the target's parser has (an older checkout lacks some), and the names of the others."""
    from wbtui.cli import build_parser

    words = {leaf.words for leaf in leaves(build_parser(), excluded=())}
    has = [args for args in commands if any(tuple(args[:n]) in words for n in (1, 2))]
    return has, sorted({" ".join(args[:2]) for args in commands if args not in has})


def family_read_only(target: Target, base: Path, jobs: int) -> Family:
    family = Family("readonly")
    commands, missing = known(READ_ONLY_COMMANDS)
    if missing:
        family.notes.append(f"not in this checkout: {', '.join(missing)}")
    plans = [(i * 2 + flag, args, bool(flag)) for i, args in enumerate(commands) for flag in (1, 0)]
    with ThreadPoolExecutor(jobs) as pool:
        for found in pool.map(lambda item: one_read_only(target, base, *item), plans):
            family.runs += 1
            family.defects += found
    family.notes.append("render -o FILE is no change the README refuses in read-only mode: not attempted")
    return family


# -- 6. lost updates ------------------------------------------------------------------------------


def family_lost(target: Target, base: Path, scale: float) -> Family:
    from wbtui.config import store

    family = Family("lost")
    pairs, at_once = scaled("lost", scale), 10
    for start in range(0, pairs, at_once):
        batch = []
        for pair in range(start, min(pairs, start + at_once)):
            run_dir = base / f"l{pair}"
            write_config(target, run_dir / "config.toml")
            procs = [subprocess.Popen(target.argv(run_dir / "config.toml", ["config", "set", key, value]),
                                      cwd=run_dir, env=target.env(run_dir), stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                     for key, value in (("env.FIRST", "one"), ("env.SECOND", "two"))]
            batch.append((run_dir, procs))
        for run_dir, procs in batch:
            errors = [p.communicate(timeout=RUN_TIMEOUT)[1].decode() for p in procs]
            family.runs += 1
            env = store.load(run_dir / "config.toml").env
            if env.get("FIRST") != "one" or env.get("SECOND") != "two":
                detail = "; ".join(e.strip()[-120:] for e, p in zip(errors, procs, strict=True) if p.returncode)
                family.defects.append(f"{run_dir.name}: {env.get('FIRST')!r}, {env.get('SECOND')!r} {detail}")
            shutil.rmtree(run_dir, ignore_errors=True)
    family.notes.append(f"{at_once} pairs started together")
    return family


# -- hypothesis -----------------------------------------------------------------------------------


HYPOTHESIS_FILES = ["tests/test_hardening_secrets.py", "tests/test_hardening_cli_fuzz.py"]


def hypothesis_examples(root: Path) -> tuple[int, int]:
    """(examples, tests): the max_examples of every @given test in those files, from its settings."""
    import importlib

    sys.path.insert(0, str(root))
    examples = tests = 0
    for name in HYPOTHESIS_FILES:
        module = importlib.import_module(name.removesuffix(".py").replace("/", "."))
        for attr in vars(module).values():
            found = getattr(attr, "_hypothesis_internal_use_settings", None)
            if callable(attr) and getattr(attr, "is_hypothesis_test", False) and found is not None:
                examples += found.max_examples
                tests += 1
    return examples, tests


def family_hypothesis(target: Target) -> Family:
    family = Family("hypothesis")
    examples, tests = hypothesis_examples(target.root)
    proc = subprocess.run([target.python, "-m", "pytest", *HYPOTHESIS_FILES, "-q", "-p", "no:cacheprovider"],
                          cwd=target.root, capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    family.runs = examples
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr.strip()[-200:]
    failed = re.search(r"(\d+) failed", summary)
    family.defects += [f"pytest: {summary}"] * (int(failed[1]) if failed else (0 if proc.returncode == 0 else 1))
    family.notes.append(f"{examples} examples in {tests} @given tests (from their settings); pytest: {summary}")
    return family


# -- main -----------------------------------------------------------------------------------------


FAMILIES = ["secrets", "argv", "kill9", "malformed", "readonly", "lost", "hypothesis"]


def measure(target: Target, only: list[str], scale: float, jobs: int, seed: int) -> list[Family]:
    base = target.home
    done: list[Family] = []
    steps: list[tuple[str, Callable[[], list[Family]]]] = []

    def secrets_and_argv() -> list[Family]:
        sampler = ArgvSampler()
        sampler.start()
        try:
            found = [family_secrets(target, base, scale, jobs)] if "secrets" in only else []
        finally:
            sampler.stopping.set()
            sampler.join()
        sampled = f"{sampler.processes} processes (distinct pid and argv) sampled: wbtui and any child it started"
        argv = Family("argv", sampler.samples, sampler.defects, [sampled])
        return [*found, argv] if "argv" in only else found

    if "secrets" in only or "argv" in only:
        steps.append(("secrets", secrets_and_argv))
    steps += [("kill9", lambda: [family_kill9(target, base, scale, seed)]),
              ("malformed", lambda: [family_malformed(target, base, scale, jobs, seed)]),
              ("readonly", lambda: [family_read_only(target, base, jobs)]),
              ("lost", lambda: [family_lost(target, base, scale)]),
              ("hypothesis", lambda: [family_hypothesis(target)])]
    for name, step in steps:
        if name not in only and name != "secrets":
            continue
        started = time.monotonic()
        for family in step():
            print(family.line(), f"({time.monotonic() - started:.0f} s)", flush=True)
            for note in family.notes:
                print(f"    {note}")
            for defect in family.defects[:5]:
                print(f"    defect: {defect}")
            done.append(family)
    return done


def summary(families: list[Family]) -> str:
    width = max(len(f.name) for f in families)
    rows = [f"{'family':<{width}}  {'runs':>7}  {'defects':>7}", f"{'-' * width}  {'-' * 7}  {'-' * 7}"]
    rows += [f"{f.name:<{width}}  {f.runs:>7}  {len(f.defects):>7}" for f in families]
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="shrink the counts (1.0: about issue 18's)")
    parser.add_argument("--root", type=Path, default=REPO, help="the checkout to measure (default: this one)")
    parser.add_argument("--only", default=",".join(FAMILIES), help=f"families, comma-separated: {FAMILIES}")
    parser.add_argument("--jobs", type=int, default=2, help="commands run at once (default 2)")
    parser.add_argument("--seed", type=int, default=18, help="seed of the random argv, keys and delays")
    args = parser.parse_args()
    only = [name.strip() for name in args.only.split(",")]
    if unknown := set(only) - set(FAMILIES):
        parser.error(f"unknown families {sorted(unknown)}; the families are {FAMILIES}")
    root = args.root.resolve()
    import_target(root)
    venv = root / ".venv/bin/python"
    python = str(venv if venv.exists() else REPO / ".venv/bin/python")
    home = Path(tempfile.mkdtemp(prefix="wbtui-adversarial-"))
    try:
        target = Target(root, python, closed_port(), home)
        print(f"measuring {root} (python {python}), scale {args.scale}, closed port {target.closed_port}", flush=True)
        families = measure(target, only, args.scale, args.jobs, args.seed)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    print()
    print(summary(families))
    return 1 if any(f.defects for f in families) else 0


if __name__ == "__main__":
    sys.exit(main())
