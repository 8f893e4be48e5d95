"""Diagnose a log on its own: a log pasted into a ticket, `docker logs` output, a support bundle.

With no config, the stores the server used are read from the log itself
(wbtui.diagnosis.stores) and a stand-in config says so, so the rules' guards
(embedded vs external MySQL) decide as they do with the operator's config.
One path for `wbtui diagnose`, the Logs pane's diagnose key and the corpus test.

Reading is bounded: a log is read as a stream and only its head (the start-up,
where the stores are announced) and its tail (the failure) are kept, each line
cut to LINE_LIMIT characters, so a million-line log takes seconds, not minutes.
The decorations `docker logs -t`, `kubectl logs --prefix/--timestamps`,
`docker compose logs`, ANSI colours and Windows line ends are removed first.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import tarfile
import tomllib
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from ..config import masking
from ..config.masking import Redactor
from ..diagnosis.engine import Diagnosis, diagnose, line_texts
from ..diagnosis.rules import Facts
from ..diagnosis.stores import StoresSeen, config_for, stores_from_log

if TYPE_CHECKING:
    from ..config.model import Config
    from ..runtime.base import LogLine, ServerStatus

HEAD_LINES = 5_000
TAIL_LINES = 50_000
LINE_LIMIT = 8_192
"""Characters kept of one line; the rest of a longer line (a dumped blob) is dropped while reading."""
BUNDLE_MEMBER_LIMIT = 16 * 1024 * 1024
"""Bytes read of a bundle's config.toml / report.json; logs.txt is streamed like any log."""
URL_PASSWORD_MIN = 6
"""A password seen in a URL of the log is masked everywhere in the output when at least this long."""


@dataclass
class LogDiagnosis:
    """The findings for one log, and where the stores' modes came from."""

    lines: int
    seen: StoresSeen
    stores_from: str  # "config" (the operator's or the bundle's) or "log"
    findings: list[Diagnosis] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"lines": self.lines, "stores_from": self.stores_from,
                "stores": {"mysql": self.seen.mysql, "bucket": self.seen.bucket,
                           "mysql_line": self.seen.mysql_line, "bucket_line": self.seen.bucket_line},
                "findings": [d.to_dict() for d in self.findings]}

    def root_causes(self) -> list[tuple[Diagnosis, list[Diagnosis]]]:
        """Each finding no other explains, with the knock-ons that follow from it; most important first."""
        follows: dict[str, list[Diagnosis]] = {}
        for d in self.findings:
            if d.explained_by:
                follows.setdefault(d.explained_by, []).append(d)
        found = {d.rule for d in self.findings}
        return [(d, follows.get(d.rule, [])) for d in self.findings
                if not d.explained_by or d.explained_by not in found]


_URL_SECRET = re.compile(r"://[^:/@\s]*:(?P<pw>[^@\s]+)@")


def secrets_in(lines: Iterable[str]) -> set[str]:
    """Passwords written in a ``scheme://user:password@`` of these lines, to mask wherever else they appear."""
    found: set[str] = set()
    for line in lines:
        if "://" in line:
            for m in _URL_SECRET.finditer(line):
                pw = m["pw"]
                if len(pw) >= URL_PASSWORD_MIN and pw != masking.MASK and not pw.isdigit():
                    found.add(pw)
    return found


def redactor_for(lines: Iterable[str], *configs: Config | None) -> Redactor:
    """What every line of a diagnosis's output passes: the configs' secrets, any URL password, and each
    password a URL of the log showed, wherever else it appears."""
    return masking.screen(*configs, extra=secrets_in(lines))


def diagnose_lines(lines: Iterable[str | LogLine], config: Config | None = None,
                   status: ServerStatus | None = None) -> LogDiagnosis:
    """The diagnosis of these lines; ``config`` when the operator's (or a bundle's) is at hand."""
    texts = line_texts(lines)
    seen = stores_from_log(texts)
    used = config if config is not None else config_for(seen)
    redact = redactor_for(texts, used)
    findings = diagnose(Facts(lines=texts, status=status, config=used), redact=redact)
    seen = dataclasses.replace(seen, mysql_line=redact(seen.mysql_line), bucket_line=redact(seen.bucket_line))
    return LogDiagnosis(len(texts), seen, "config" if config is not None else "log", findings)


# -- reading a log as people paste it --------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
# docker logs -t / kubectl logs --timestamps: RFC 3339 with nanoseconds, then one space (the Logs pane's
# shown timestamps have no zone).
_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)? ")
# kubectl logs --prefix: "[pod/wandb-5d9f-abcde/wandb] "
_KUBECTL_PREFIX = re.compile(r"^\[(?:pod/)?[a-z0-9][a-z0-9.-]*/[a-z0-9][a-z0-9.-]*\] ")
# docker compose logs: "wandb-1  | " (service name padded to the longest, then "| ")
_COMPOSE_PREFIX = re.compile(r"^[A-Za-z0-9][\w.-]*\s+\| ?")
_SAMPLE = 200


def _prefix_of(lines: list[str]) -> re.Pattern[str] | None:
    """The prefix a log viewer put on every line, when most of the first lines carry it (a server's own line
    that merely looks like one is left alone in a log without them)."""
    sample = [line for line in lines[:_SAMPLE] if line.strip()]
    for rx in (_KUBECTL_PREFIX, _COMPOSE_PREFIX):
        if sample and sum(1 for line in sample if rx.match(line)) * 2 > len(sample):
            return rx
    return None


def clean_line(line: str, prefix: re.Pattern[str] | None = None) -> str:
    """One line without what the viewer added: colours, CR, the viewer's prefix, a leading timestamp."""
    if "\x1b" in line:
        line = _ANSI.sub("", line)
    line = line.rstrip("\r\n").replace("\r", "")
    if prefix is not None:
        line = prefix.sub("", line, count=1)
    return _TIMESTAMP.sub("", line, count=1)


def clean_lines(lines: list[str]) -> list[str]:
    """Lines as the server wrote them: the viewer's prefix is recognised from the first lines."""
    decolored = [_ANSI.sub("", line) if "\x1b" in line else line for line in lines]
    prefix = _prefix_of([line.lstrip("\r") for line in decolored[:_SAMPLE]])
    return [clean_line(line, prefix) for line in decolored]


def bounded(lines: list[str], head: int = HEAD_LINES, tail: int = TAIL_LINES) -> tuple[list[str], int]:
    """The first ``head`` and last ``tail`` of lines already in memory, and how many were left out."""
    if len(lines) <= head + tail:
        return lines, 0
    return lines[:head] + (lines[-tail:] if tail else []), len(lines) - head - tail


@dataclass
class LogRead:
    """The lines kept of a log (head, then tail), how many it had, and how many were left out between."""

    lines: list[str]
    total: int
    skipped: int
    config: Config | None = None  # a support bundle's config (secrets masked)
    status: ServerStatus | None = None  # a support bundle's runtime status
    kind: str = "log"  # "log" or "bundle"


BLOCK = 1 << 16


def _chunks(stream: IO[bytes]) -> Iterator[str]:
    """Lines as text (UTF-8; a byte that is not shows as U+FFFD), each cut to LINE_LIMIT characters: the rest
    of a longer line is dropped while reading, never held whole. Any line end (CR is removed later)."""
    pending = b""
    dropping = False  # inside a line already cut
    while True:
        block = stream.read(BLOCK)
        if not block:
            break
        pending += block
        *whole, pending = pending.split(b"\n")
        for raw in whole:
            if not dropping:
                yield raw[:LINE_LIMIT * 4].decode("utf-8", "replace")[:LINE_LIMIT]
            dropping = False
        if len(pending) > LINE_LIMIT * 4:
            if not dropping:
                yield pending[:LINE_LIMIT * 4].decode("utf-8", "replace")[:LINE_LIMIT]
            dropping, pending = True, b""
    if pending and not dropping:
        yield pending.decode("utf-8", "replace")[:LINE_LIMIT]


def read_lines(stream: IO[bytes], head: int = HEAD_LINES, tail: int = TAIL_LINES) -> LogRead:
    """Stream the log; keep its first ``head`` and last ``tail`` lines, cleaned."""
    first: list[str] = []
    last: deque[str] = deque(maxlen=max(tail, 0))
    total = 0
    for line in _chunks(stream):
        total += 1
        if len(first) < head:
            first.append(line)
        elif tail > 0:
            last.append(line)
    kept = first + list(last)
    return LogRead(clean_lines(kept), total, total - len(kept))


GZIP_MAGIC = b"\x1f\x8b"


class LogSourceError(Exception):
    """The log cannot be read (a bundle that is no bundle): said in one line."""


def read_source(binary: IO[bytes], head: int = HEAD_LINES, tail: int = TAIL_LINES) -> LogRead:
    """A log or a support bundle (a gzip stream: its logs.txt, config.toml and report.json)."""
    buffered: Any = binary if hasattr(binary, "peek") else io.BufferedReader(binary)
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return read_bundle(buffered, head, tail)
    return read_lines(buffered, head, tail)


def read_bundle(binary: IO[bytes], head: int = HEAD_LINES, tail: int = TAIL_LINES) -> LogRead:
    """The support bundle `wbtui doctor --bundle` writes: logs.txt, with config.toml's stores and
    report.json's runtime status (read, never extracted to disk)."""
    from ..config.model import FieldError, from_dict

    members: dict[str, bytes] = {}
    read: LogRead | None = None
    try:
        with tarfile.open(fileobj=binary, mode="r|gz") as tar:  # a stream: stdin works too
            for info in tar:
                if not info.isfile():
                    continue
                base = info.name.rsplit("/", 1)[-1]
                fh = tar.extractfile(info)
                if fh is None:
                    continue
                if base == "logs.txt" and read is None:
                    read = read_lines(fh, head, tail)
                elif base in ("config.toml", "report.json"):
                    members[base] = fh.read(BUNDLE_MEMBER_LIMIT)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise LogSourceError(f"not a readable support bundle (gzip data, but {exc})") from None
    if read is None:
        raise LogSourceError("a gzip file without logs.txt: not a support bundle written by "
                             "`wbtui doctor --bundle`")
    read.kind = "bundle"
    if "config.toml" in members:
        try:
            read.config = from_dict(tomllib.loads(members["config.toml"].decode("utf-8", "replace")))
        except (tomllib.TOMLDecodeError, FieldError, RecursionError):
            read.config = None  # the stores are then read from the log, as for any log
    if "report.json" in members:
        read.status = _status_from_report(members["report.json"])
    return read


def _status_from_report(raw: bytes) -> ServerStatus | None:
    """The runtime status the doctor recorded (state, exit code, restarts, OOM), when it recorded one."""
    from ..runtime.base import ServerStatus

    try:
        data = json.loads(raw.decode("utf-8", "replace")).get("status")
    except (ValueError, AttributeError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    keep: dict[str, Any] = {}
    for name, kind in (("state", str), ("health", str), ("restart_count", int), ("exit_code", int),
                       ("reason", str), ("message", str), ("oom_killed", bool), ("image", str)):
        value = data.get(name)
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            keep[name] = value
    try:
        return ServerStatus(str(data.get("backend", "docker")), str(data.get("name", "wandb-local")),
                            bool(data.get("exists", True)), **keep)
    except TypeError:
        return None


# -- the report people read --------------------------------------------------------------------------------

NOTHING_FOUND = (
    "No known failure in these lines.",
    "Next: run `wbtui doctor` on the server's host (checks, status, probes and the log together);",
    "pass more of the log (docker logs --tail 5000 wandb-local 2>&1 | wbtui diagnose -), or the start-up",
    "(the first lines after a restart name the stores and the first error).",
)


def describe_stores(result: LogDiagnosis) -> list[str]:
    """Which stores were assumed and why: the config, or the log line that showed each."""
    if result.stores_from == "config":
        return ["Stores: from the configuration given (not read from the log)"]
    out = []
    for name, mode, line in (("MySQL", result.seen.mysql, result.seen.mysql_line),
                             ("Object store", result.seen.bucket, result.seen.bucket_line)):
        if mode:
            out.append(f"{name} {mode} (from: {line})")
        else:
            out.append(f"{name}: not shown in the log; taken as external")
    return out


def report_lines(result: LogDiagnosis, redact: Redactor) -> list[str]:
    """The diagnosis as plain text, every line redacted: findings, most important first, their knock-ons."""
    out = [redact(line) for line in describe_stores(result)]
    out.append("")
    groups = result.root_causes()
    if not groups:
        return out + list(NOTHING_FOUND)
    for i, (d, knock_ons) in enumerate(groups, 1):
        times = f" (×{d.count})" if d.count > 1 else ""
        out += [f"{i}. [{d.severity}] {d.title}{times}",
                f"   cause:    {d.cause}",
                f"   fix:      {d.fix}",
                f"   evidence: {d.evidence}"]
        for k in knock_ons:
            out += [f"   follows from it: [{k.severity}] {k.title}",
                    f"      evidence: {k.evidence}"]
        out.append("")
    return [redact(line) for line in out]
