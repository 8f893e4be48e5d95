"""`wbtui config edit`: the file in $VISUAL/$EDITOR on a private copy, validated on close, re-opened with the
errors on top, saved as written (atomically, under the lock) or cancelled; driven by scripted editors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.config_samples import assert_no_canary, canary_config
from wbtui.cli import main
from wbtui.config import store
from wbtui.config.edit import CANCELLED, EditorFailed, editor_command, template

EDITOR = r'''
import json, os, pathlib, stat, sys
here = pathlib.Path(__file__).parent
path = pathlib.Path(sys.argv[-1])
n = len(list(here.glob("seen-*.txt")))
(here / f"seen-{n}.txt").write_text(path.read_text())
(here / f"how-{n}.json").write_text(json.dumps({"mode": stat.S_IMODE(path.stat().st_mode),
    "dir": stat.S_IMODE(path.parent.stat().st_mode), "args": sys.argv[1:-1], "path": str(path),
    "tty": os.isatty(0)}))
rounds = json.loads((here / "rounds.json").read_text())
step = rounds[min(n, len(rounds) - 1)]
text = path.read_text()
for old, new in step.get("replace", []):
    assert old in text, (old, text)
    text = text.replace(old, new, 1)
text = step.get("text", text)
for other, content in step.get("meanwhile", []):  # another shell writes the config while the editor is open
    pathlib.Path(other).write_text(content)
if step.get("rename"):  # as editors that write a new file and rename it over the old one
    pathlib.Path(str(path) + ".new").write_text(text)
    os.replace(str(path) + ".new", path)
else:
    path.write_text(text)
sys.exit(step.get("exit", 0))
'''

COMMENTED = """\
# Production, owned by the platform team.
[server]
HOST = "https://wandb.example.com"  # the front door

[runtime]
tag = "0.60.0"  # pinned
"""


class Editor:
    """A scripted $EDITOR: each round edits the file as told and records what it was shown."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir()
        self.script = folder / "editor.py"
        self.script.write_text(EDITOR)

    def plan(self, *rounds: dict[str, Any]) -> str:
        (self.folder / "rounds.json").write_text(json.dumps(list(rounds)))
        return f"{sys.executable} {self.script} --wait"

    def seen(self) -> list[str]:
        return [(self.folder / f"seen-{n}.txt").read_text() for n in range(self.rounds)]

    def how(self, n: int = 0) -> dict[str, Any]:
        return json.loads((self.folder / f"how-{n}.json").read_text())

    @property
    def rounds(self) -> int:
        return len(list(self.folder.glob("seen-*.txt")))


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Editor:
    monkeypatch.delenv("VISUAL", raising=False)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "tmp"))  # where the private copies go
    return Editor(tmp_path / "editor")


def edit(path: Path, capsys: pytest.CaptureFixture[str], *extra: str, json_out: bool = False) -> tuple[int, str, str]:
    try:
        code = main(["--config", str(path), *extra, "config", "edit", *(["--json"] if json_out else [])])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def temp_left(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "tmp").iterdir())


def test_no_file_yet_opens_the_template_and_saves_what_was_set(tmp_path: Path, editor: Editor,
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wbtui" / "config.toml"
    monkeypatch.setenv("EDITOR", editor.plan({"replace": [('# HOST = ""', 'HOST = "https://w.example.com"'),
                                                         ("# port = 8080", "port = 9090")]}))
    code, out, _ = edit(path, capsys)
    assert code == 0 and f"Saved {path}\n" in out
    how = editor.how()
    assert how["mode"] == 0o600 and how["dir"] == 0o700 and how["args"] == ["--wait"]  # EDITOR split like a shell
    assert Path(how["path"]).name == "config.toml" and temp_left(tmp_path) == []  # the private copy is gone
    assert editor.seen()[0] == template()
    text = path.read_text()
    assert text == template().replace('# HOST = ""', 'HOST = "https://w.example.com"').replace(
        "# port = 8080", "port = 9090")  # saved as written: every comment of the template stays
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = store.load(path)
    assert config.server.HOST == "https://w.example.com" and config.runtime.port == 9090


def test_an_existing_file_is_saved_as_written_and_the_old_one_kept(tmp_path: Path, editor: Editor,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    monkeypatch.setenv("EDITOR", editor.plan({"replace": [('"0.60.0"', '"0.61.0"')], "rename": True}))
    code, out, _ = edit(path, capsys)
    assert code == 0 and "previous version kept as config.toml.bak" in out
    assert editor.seen() == [COMMENTED]
    assert path.read_text() == COMMENTED.replace("0.60.0", "0.61.0")
    assert store.backup_path(path).read_text() == COMMENTED


def test_an_error_reopens_the_file_with_it_on_top_until_fixed(tmp_path: Path, editor: Editor,
                                                              capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    monkeypatch.setenv("EDITOR", editor.plan(
        {"replace": [('"https://wandb.example.com"', '"ftp://wandb.example.com"')]},
        {"replace": [('"ftp://wandb.example.com"', '"https://wandb2.example.com"')]}))
    code, _, _ = edit(path, capsys)
    assert code == 0 and editor.rounds == 2
    first, second = editor.seen()
    assert first == COMMENTED
    top = second.splitlines()
    assert top[0].startswith("# wbtui config edit: not saved") and top[1].startswith("# error: HOST: ")
    assert "\n".join(top[3:]) + "\n" == COMMENTED.replace("https://wandb.example.com", "ftp://wandb.example.com")
    assert path.read_text() == COMMENTED.replace("wandb.example.com", "wandb2.example.com")  # no error lines


def test_a_toml_error_names_the_line_as_the_reopened_file_numbers_it(tmp_path: Path, editor: Editor,
                                                                     capsys: pytest.CaptureFixture[str],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    monkeypatch.setenv("EDITOR", editor.plan({"replace": [('tag = "0.60.0"', "tag = 0.60.0")]},
                                             {"replace": [("tag = 0.60.0", 'tag = "0.62.0"')]}))
    assert edit(path, capsys)[0] == 0
    reopened = editor.seen()[1].splitlines()
    error = reopened[1]
    assert error.startswith("# error: not valid TOML") and "at line 9," in error
    assert reopened[8] == "tag = 0.60.0  # pinned"  # line 9, counted as an editor shows it
    assert store.load(path).runtime.tag == "0.62.0"


def test_an_error_the_file_already_had_does_not_block_the_edit(tmp_path: Path, editor: Editor,
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[runtime]\ntag = "0.60.0"\n')  # no HOST: an error before the edit too
    monkeypatch.setenv("EDITOR", editor.plan({"replace": [("0.60.0", "0.61.0")]}))
    code, out, _ = edit(path, capsys)
    assert code == 0 and editor.rounds == 1 and "error: HOST" in out
    assert store.load(path).runtime.tag == "0.61.0"


@pytest.mark.parametrize("rounds", [
    [{}],  # closed without a change
    [{"text": ""}],  # emptied
    [{"text": "  \n\n"}],
    [{"replace": [("https://", "ftp://")]}, {}],  # an error, then closed again without fixing it
])
def test_unchanged_or_empty_cancels_and_touches_nothing(tmp_path: Path, editor: Editor, rounds: list[dict[str, Any]],
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    before = path.stat()
    monkeypatch.setenv("EDITOR", editor.plan(*rounds))
    code, out, _ = edit(path, capsys)
    assert (code, out) == (0, CANCELLED + "\n")
    assert path.read_text() == COMMENTED and path.stat().st_mtime_ns == before.st_mtime_ns
    assert not store.backup_path(path).exists() and temp_left(tmp_path) == []


def test_a_file_changed_meanwhile_is_not_overwritten_and_the_edit_is_kept(tmp_path: Path, editor: Editor,
                                                                          capsys: pytest.CaptureFixture[str],
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    other = COMMENTED + "# written by another shell\n"
    monkeypatch.setenv("EDITOR", editor.plan({"replace": [("0.60.0", "0.61.0")], "meanwhile": [[str(path), other]]}))
    code, _, err = edit(path, capsys)
    assert code == 1 and "changed on disk while you were editing" in err
    assert path.read_text() == other
    [folder] = (tmp_path / "tmp").iterdir()
    kept = folder / "config.toml"
    assert str(kept) in " ".join(err.split())
    assert kept.read_text() == COMMENTED.replace("0.60.0", "0.61.0") and stat.S_IMODE(kept.stat().st_mode) == 0o600


@pytest.mark.parametrize(("flags", "text"), [(["--read-only"], COMMENTED),
                                             ([], COMMENTED + "[app]\nread_only = true\n")])
def test_read_only_refuses_before_any_editor_runs(tmp_path: Path, editor: Editor, flags: list[str], text: str,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    monkeypatch.setenv("EDITOR", editor.plan({"replace": [("0.60.0", "0.61.0")]}))
    code, _, err = edit(path, capsys, *flags)
    assert code == 2 and "read-only mode" in err and editor.rounds == 0 and path.read_text() == text


def test_an_editor_that_fails_saves_nothing_and_says_so(tmp_path: Path, editor: Editor,
                                                        capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    monkeypatch.setenv("EDITOR", editor.plan({"replace": [("0.60.0", "0.61.0")], "exit": 3}))
    code, _, err = edit(path, capsys)
    assert code == 1 and "exited with status 3: nothing saved" in err
    assert path.read_text() == COMMENTED and temp_left(tmp_path) == []
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    code, _, err = edit(path, capsys)
    assert code == 1 and "cannot run the editor" in err and "set VISUAL or EDITOR" in err


def test_visual_wins_over_editor_and_vi_is_the_last_resort() -> None:
    assert editor_command({"VISUAL": "code -w", "EDITOR": "nano"}) == ["code", "-w"]
    assert editor_command({"EDITOR": "emacs -nw '+1'"}) == ["emacs", "-nw", "+1"]
    assert editor_command({"VISUAL": "", "EDITOR": " "}) == ["vi"] and editor_command({}) == ["vi"]
    with pytest.raises(EditorFailed, match="fix VISUAL or EDITOR"):
        editor_command({"EDITOR": "vim '"})


def test_secrets_stay_masked_in_what_is_printed(tmp_path: Path, editor: Editor, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    store.save(canary_config(), path)
    monkeypatch.setenv("EDITOR", editor.plan({"replace": [("[server]", "[server]\n# a note")]}))
    code, out, err = edit(path, capsys)
    assert code == 0 and store.load(path) == canary_config()
    assert_no_canary(out + err)
    monkeypatch.setenv("EDITOR", editor.plan({}))
    code, out, err = edit(path, capsys, json_out=True)  # unchanged: cancelled, said in JSON
    assert code == 0 and json.loads(out)["status"] == "cancelled"


def test_without_a_terminal_the_command_still_runs_the_editor(tmp_path: Path, editor: Editor) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED)
    env = {**os.environ, "EDITOR": editor.plan({"replace": [("0.60.0", "0.63.0")]}), "TMPDIR": str(tmp_path / "tmp")}
    env.pop("VISUAL", None)
    done = subprocess.run([sys.executable, "-m", "wbtui", "--config", str(path), "config", "edit", "--json"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "saved" and result["saved"] is True and editor.how()["tty"] is False
    assert store.load(path).runtime.tag == "0.63.0"
