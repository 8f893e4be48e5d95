"""WBTUI_<KEY> overrides: every setting, validated naming the variable, shown as such, never saved to the file."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.ui_support import make_app, ready, wait_until
from wbtui.cli import main
from wbtui.config import environment, store
from wbtui.config.model import FIELDS, Config

SECRET = "Env-canary-pw-5d1e"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: a WBTUI_HOST in the shell running the tests must not leak in."""
    import os

    for name in list(os.environ):
        if name in environment.VARIABLES or name.startswith(environment.ENV_PREFIX):
            monkeypatch.delenv(name)


def test_every_setting_has_one_variable_by_the_rule() -> None:
    names = [environment.variable_for(spec.key) for spec in FIELDS]
    assert len(set(names)) == len(FIELDS)
    assert environment.variable_for("HOST") == "WBTUI_HOST"
    assert environment.variable_for("runtime.backend") == "WBTUI_RUNTIME_BACKEND"
    assert environment.variable_for("app.timeout") == "WBTUI_APP_TIMEOUT"
    assert environment.variable_for("env.OIDC_ISSUER") == "WBTUI_ENV_OIDC_ISSUER"
    assert not set(names) & environment.NOT_SETTINGS


def test_values_are_read_as_the_file_reads_them() -> None:
    found = environment.overrides({"WBTUI_APP_TIMEOUT": "7", "WBTUI_RUNTIME_BACKEND": "kubernetes",
                                   "WBTUI_RUNTIME_UID": "", "WBTUI_APP_READ_ONLY": "yes",
                                   "WBTUI_ENV_OIDC_ISSUER": "https://sso.example.com", "WBTUI_MYSQL_ADMIN": "x",
                                   "WBTUI_ENV_": "no name", "HOST": "not ours"})
    config = environment.apply(Config(), found)
    assert (config.app.timeout, config.runtime.backend, config.runtime.uid, config.app.read_only) == (
        7.0, "kubernetes", None, True)
    assert config.env == {"OIDC_ISSUER": "https://sso.example.com"}
    assert {o.variable for o in found} == {"WBTUI_APP_TIMEOUT", "WBTUI_RUNTIME_BACKEND", "WBTUI_RUNTIME_UID",
                                           "WBTUI_APP_READ_ONLY", "WBTUI_ENV_OIDC_ISSUER"}


@pytest.mark.parametrize(("variable", "value", "words"), [
    ("WBTUI_APP_TIMEOUT", "soon", "'soon' is not a number (e.g. WBTUI_APP_TIMEOUT=5)"),
    ("WBTUI_RUNTIME_BACKEND", "nomad", "is not one of docker, kubernetes"),
    ("WBTUI_RUNTIME_PORT", "", "is not a whole number"),
    ("WBTUI_MYSQL", f"mysql://u:{SECRET}\x1b@db/x", "control character"),
])
def test_a_bad_value_names_its_variable_and_never_a_secret(variable: str, value: str, words: str) -> None:
    with pytest.raises(environment.EnvironmentValueError) as raised:
        environment.overrides({variable: value})
    message = str(raised.value)
    assert message.startswith(f"{variable} in the environment") and words in message
    assert f"unset {variable}" in message and SECRET not in message


def test_saving_keeps_the_files_own_value() -> None:
    file = Config()
    file.server.HOST = "https://file.example.com"
    found = environment.overrides({"WBTUI_HOST": "https://env.example.com", "WBTUI_ENV_EXTRA": "e"})
    effective = environment.apply(file, found)
    effective.runtime.port = 9000  # an edit of another setting
    saved = environment.file_values(effective, file, found)
    assert (saved.server.HOST, saved.runtime.port, saved.env) == ("https://file.example.com", 9000, {})


def show(capsys: pytest.CaptureFixture[str], path: Path, *more: str) -> str:
    assert main(["config", "show", "--config", str(path), *more]) == 0
    return capsys.readouterr().out


def test_config_show_says_where_each_value_comes_from(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    file = Config()
    file.runtime.port = 9000
    store.save(file, path)
    monkeypatch.setenv("WBTUI_HOST", "ftp://env.example.com")
    monkeypatch.setenv("WBTUI_MYSQL", f"mysql://wandb:{SECRET}@db.example.com:3306/wandb")
    monkeypatch.setenv("WBTUI_ENV_SMTP_PASSWORD", SECRET)
    data = json.loads(show(capsys, path, "--json"))
    rows = {row["key"]: row for row in data["fields"]}
    assert (rows["HOST"]["source"], rows["HOST"]["variable"]) == ("environment", "WBTUI_HOST")
    assert rows["runtime.port"]["source"] == "file" and rows["runtime.tag"]["source"] == "default"
    assert rows["env.SMTP_PASSWORD"]["variable"] == "WBTUI_ENV_SMTP_PASSWORD"
    assert rows["MYSQL"]["value"] == "mysql://wandb:****@db.example.com:3306/wandb"
    host_findings = [f["message"] for f in data["findings"] if f["field"] == "HOST"]
    assert host_findings and all("comes from WBTUI_HOST in the environment" in m for m in host_findings)
    text = show(capsys, path)
    assert "(from environment" in text and "WBTUI_MYSQL)" in text
    assert SECRET not in text and SECRET not in json.dumps(data)


def test_no_save_writes_a_value_only_the_environment_gave(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    file = Config()
    file.server.HOST = "https://file.example.com"
    store.save(file, path)
    monkeypatch.setenv("WBTUI_HOST", "https://env.example.com")
    monkeypatch.setenv("WBTUI_RUNTIME_TAG", "0.99.0")
    assert main(["config", "set", "runtime.port", "9000", "--config", str(path)]) == 0
    assert main(["config", "set", "HOST", "https://new.example.com", "--config", str(path)]) == 0
    assert "WBTUI_HOST is set in this environment and overrides HOST" in capsys.readouterr().err
    on_disk = store.load(path)
    assert (on_disk.server.HOST, on_disk.runtime.port, on_disk.runtime.tag) == (
        "https://new.example.com", 9000, "latest")
    assert "0.99.0" not in path.read_text() and "env.example.com" not in path.read_text()
    rows = {row["key"]: row for row in json.loads(show(capsys, path, "--json"))["fields"]}
    assert rows["HOST"]["value"] == "https://env.example.com"  # the environment still wins while it is set


def test_a_bad_variable_stops_a_command_like_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WBTUI_APP_TIMEOUT", "soon")
    assert main(["config", "show", "--config", str(tmp_path / "c.toml")]) == 1
    assert "WBTUI_APP_TIMEOUT in the environment (app.timeout): 'soon' is not a number" in capsys.readouterr().err


async def test_the_dashboard_uses_the_environment_and_saves_the_file(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The Config pane shows the field as set by the environment (and not editable); a save of another edit
    leaves the file's own HOST as it was."""
    from textual.widgets import Input

    from wbtui.ui.widgets.field_row import FieldRow, widget_id

    monkeypatch.setenv("WBTUI_HOST", "https://env.example.com")
    file = Config()
    file.server.HOST = "https://file.example.com"
    app = make_app(tmp_path, file)
    path = app.session.config_path
    assert app.session.saved.server.HOST == "https://env.example.com"
    async with app.run_test(size=(100, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await wait_until(pilot, lambda: bool(app.query(f"#{widget_id('HOST')}")), 10, "the Server form")
        host = app.query_one(f"#{widget_id('HOST')}", FieldRow)
        doc = str(host.query_one(".field-doc").render())
        assert "From environment WBTUI_HOST" in doc
        assert host.editor.disabled and isinstance(host.editor, Input)
        assert host.editor.value == "https://env.example.com"
        app.query_one("ConfigPane").edit("AWS_REGION", "eu-west-1")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not app.session.dirty, 10, "the save to finish")
        assert app.session.saved.server.HOST == "https://env.example.com"
    on_disk = store.load(path)
    assert (on_disk.server.HOST, on_disk.server.AWS_REGION) == ("https://file.example.com", "eu-west-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
