"""`wbtui config edit` and the Config pane's editor key: the config file in $VISUAL/$EDITOR, kubectl's way.

The file (or, with none yet, a commented template of every key) is copied to a private temporary file
(0600 in a 0700 directory) and the editor opens that. On close the text is read and validated: a text that
does not parse, or that has an error the file did not have before, is opened again with the errors on top
as ``# error:`` comments (removed before anything is saved); an unchanged or empty text cancels. A valid
text is saved as written, atomically and under the file's lock, unless the file changed on disk meanwhile:
then nothing is written and the temporary copy is kept, and said where. No terminal handling here: the
editor inherits ours (the dashboard suspends itself around it).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from . import masking, store
from .model import FIELDS, SETTING_SECTIONS, Config, FieldError, from_dict
from .validate import Finding, validate

CANCELLED = "Edit cancelled, no changes made."
INTRO = "# wbtui config edit: not saved. Fix what is listed below and save again, or empty the file to cancel."
ERROR = "# error: "


class EditorFailed(Exception):
    """The editor could not be started or did not exit cleanly: nothing was saved (the message says why)."""


@dataclass(frozen=True)
class Outcome:
    status: Literal["saved", "cancelled", "changed on disk"]
    path: Path
    config: Config | None = None
    """The config saved (``saved`` only)."""
    findings: list[Finding] = field(default_factory=list)
    """What the saved config still has: warnings, and errors the file already had before the edit."""
    kept: Path | None = None
    """``changed on disk``: the temporary copy holding the edit (it may hold secrets)."""
    created: bool = False
    """``saved``: there was no file before."""

    @property
    def message(self) -> str:
        if self.status == "saved":
            return f"Saved {self.path}" + ("" if self.created else
                                           f" (previous version kept as {store.backup_path(self.path).name})")
        if self.status == "cancelled":
            return CANCELLED
        return (f"Not saved: {self.path} changed on disk while you were editing it (another shell or the "
                f"dashboard saved it). Your edit is kept in {self.kept} (it may hold secrets: remove it when "
                "done); run the edit again and copy your change over.")


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """$VISUAL, else $EDITOR, else vi, split as a shell would (``EDITOR="code -w"``)."""
    env = os.environ if environ is None else environ
    raw = env.get("VISUAL") or env.get("EDITOR") or ""
    try:
        words = shlex.split(raw)
    except ValueError as exc:
        raise EditorFailed(f"cannot read the editor command {raw!r} ({exc}): fix VISUAL or EDITOR") from None
    return words or ["vi"]


def template() -> str:
    """A new file's text: every setting commented out at its default, by table, with what it means."""
    lines = [f"# {line}" for line in store.HEADER]
    lines += ["# Remove the '# ' before a setting to set it; what stays commented keeps its default.", ""]
    for section in SETTING_SECTIONS:
        lines.append(f"[{section}]")
        for spec in (s for s in FIELDS if s.section == section):
            shown = "1000  # not set by default." if spec.default is None else _toml_value(spec.default) + "  #"
            lines.append(f"# {spec.attr} = {shown} {spec.doc}")
        lines.append("")
    lines += ["[env]", "# Extra environment variables for the container, e.g.",
              '# OIDC_ISSUER = "https://sso.example.com"', ""]
    return "\n".join(lines)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def edit_file(path: Path, environ: Mapping[str, str] | None = None) -> Outcome:
    """Run the edit loop on the config file at ``path``; EditorFailed or ConfigFileError say why it could not."""
    command = editor_command(environ)
    original = store.read_bytes(path)
    try:
        text = "" if original is None else original.decode("utf-8")
    except UnicodeDecodeError:
        raise store.ConfigFileError(f"{path} is not UTF-8 text, which an editor would garble: restore "
                                    f"{store.backup_path(path)} or fix it with iconv") from None
    start = text if text.strip() else template()
    before, _ = _config_of(text)
    known = {(f.field, f.message) for f in validate(before or Config()) if f.severity == "error"}
    folder = Path(tempfile.mkdtemp(prefix="wbtui-edit-"))  # 0700
    copy = folder / path.name
    keep = False
    try:
        edited, header = start, ""
        while True:
            shown = edited
            _write(copy, header + edited)
            _run(command, copy)
            edited, garbled = _read_edit(copy)
            if not edited.strip() or edited == start or (header and edited == shown):
                return Outcome("cancelled", path)  # emptied, unchanged, or closed again without a fix
            config, problems = _check(edited, known)
            if garbled:
                problems.insert(0, "the file was not saved as UTF-8: the bytes shown as \ufffd were replaced")
            if not problems:
                break
            header = _header(problems, masking.screen(before, config))
        try:
            store.save_text(path, edited, original)
        except store.ChangedOnDisk:
            _write(copy, edited)
            keep = True
            return Outcome("changed on disk", path, kept=copy)
        assert config is not None
        unknown = store.unknown_keys(tomllib.loads(edited))
        from .validate import unknown_key_findings

        return Outcome("saved", path, config, validate(config) + unknown_key_findings(unknown, path),
                       created=original is None)
    finally:
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)


def _write(copy: Path, text: str) -> None:
    """The temporary copy, 0600 from its first byte; never written through a planted symlink."""
    fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def _read_edit(copy: Path) -> tuple[str, bool]:
    """The edited text without our error comments, and whether it had bytes that are not UTF-8."""
    try:
        raw = copy.read_bytes()
    except FileNotFoundError:  # the editor removed it: nothing to take
        return "", False
    text = raw.decode("utf-8", errors="replace")
    return _without_header(text), text.encode("utf-8") != raw


def _run(command: list[str], copy: Path) -> None:
    shown = shlex.join(command)
    try:
        done = subprocess.run([*command, str(copy)], check=False)
    except OSError as exc:
        raise EditorFailed(f"cannot run the editor {shown}: {exc.strerror or exc}; set VISUAL or EDITOR to one "
                           "that is installed (EDITOR=nano)") from None
    if done.returncode != 0:
        raise EditorFailed(f"the editor {shown} exited with status {done.returncode}: nothing saved")


def _config_of(text: str) -> tuple[Config | None, str]:
    """The config a text holds, or None and why not (the TOML error, or the field that cannot be stored)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, f"not valid TOML: {exc}"
    except RecursionError:
        return None, "arrays or tables nest too deeply"
    try:
        return from_dict(data), ""
    except FieldError as exc:
        return None, str(exc) + (f" (e.g. {exc.example})" if exc.example else "")


def _check(text: str, known: set[tuple[str, str]]) -> tuple[Config | None, list[str]]:
    """The edit's config, and what blocks saving it: a parse error, or errors the file did not have before."""
    config, problem = _config_of(text)
    if config is None:
        return None, [problem]
    return config, [f"{f.field}: {f.message}" + (f" (fix: {f.fix})" if f.fix else "") for f in validate(config)
                    if f.severity == "error" and (f.field, f.message) not in known]


def _header(problems: list[str], scrub: masking.Redactor) -> str:
    """The errors as comments on top; a TOML error's line number is moved to where that line now is."""
    offset = len(problems) + 2  # the intro, the errors, a blank line

    def moved(match: re.Match[str]) -> str:
        return f"at line {int(match[1]) + offset}"

    lines = [INTRO, *(ERROR + re.sub(r"at line (\d+)", moved, scrub(" ".join(p.split()))) for p in problems)]
    return "\n".join(lines) + "\n\n"


def _without_header(text: str) -> str:
    """The text without the error comments of ``_header`` (and the blank line after them)."""
    lines = text.splitlines(keepends=True)
    skip = 0
    while skip < len(lines) and lines[skip].startswith((INTRO[:20], ERROR)):
        skip += 1
    if skip and skip < len(lines) and not lines[skip].strip():
        skip += 1
    return "".join(lines[skip:])
