"""`wbtui setup --answers FILE` end to end against MariaDB, radosgw and Docker with the stand-in image."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import tomli_w

from tests.test_setup_support import cors_origins, s3_answers, saved_state
from tests.test_setup_support import target as target  # a fixture
from wbtui import cli
from wbtui.config import store
from wbtui.setup import flow as flow_module

pytestmark = [pytest.mark.mysql, pytest.mark.s3, pytest.mark.docker]


def write_answers(path: Path, answers: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(answers))
    return path


def run_setup(config: Path, answers: Path, capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str, str]:
    code = cli.main(["--config", str(config), "setup", "--answers", str(answers), *flags])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def wide_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich tables at 200 columns, so summaries are not wrapped across lines."""
    monkeypatch.setenv("COLUMNS", "200")


def test_full_run_from_empty_config_to_verified_server(tmp_path, capsys, monkeypatch, mariadb, mysql_scratch,
                                                        radosgw, target, docker_client):
    monkeypatch.setattr(flow_module, "default_runtime", target.runtime)
    config = tmp_path / "wbtui" / "config.toml"
    answers = write_answers(tmp_path / "answers.toml", {
        "where": {"backend": "docker"},
        "mysql": {"url": mysql_scratch.url, "admin_url": mariadb.admin_url, "continue_anyway": True},
        "s3": s3_answers(radosgw, target.bucket, target.host, create_bucket=True, apply_cors=True),
        "server": {"host": target.host, "image": "wbtui-test/local", "tag": "dev", "port": target.port,
                   "settings": target.settings()},
        "review": {"output_dir": str(tmp_path / "generated")},
        "deploy": {"timeout": 60, "interval": 0.5},
        "verify": {},
    })

    code, out, err = run_setup(config, answers, capsys, "--yes")

    assert code == 0, out + err
    # MariaDB is said plainly to be unsupported, continued past explicitly, and listed in the summary.
    assert "is not supported by W&B (it needs MySQL 5.7 or 8)" in out
    summary = out[out.index("Summary:"):]
    assert "continued anyway at MySQL: Server version: MariaDB" in summary
    assert "continued anyway at Object store" not in summary
    # The database was created by the admin, with the guide's SQL shown before it ran.
    assert "will: CREATE USER" in out and "will: CREATE DATABASE" in out
    assert mariadb.execute("SHOW DATABASES LIKE %s", (mysql_scratch.database,))
    # The bucket was created and its CORS rules allow HOST's origin.
    assert f"created bucket {target.bucket!r}" in out
    assert target.host in cors_origins(radosgw, target.bucket)
    # The container runs the stand-in with the session's labels, and the watch saw it ready.
    container = docker_client.containers.get(target.name)
    assert container.status == "running"
    assert target.labels.items() <= container.labels.items()
    assert "ready after" in out
    # Verification through HOST passed: no failing row after the verify step.
    verify_part = out[out.index("7/8 Verify"):out.index("8/8 Next steps")]
    assert "/ready through HOST" in verify_part and "0 failed" in verify_part
    # Progress and files.
    state = saved_state(config)
    assert state.current == "next" and set(state.done) == set(flow_module.STEP_IDS)
    assert list(state.continued_anyway) == ["mysql"]
    assert Path(state.generated["nginx"]).is_file()
    saved = store.load(config)
    assert target.host == saved.server.HOST and saved.runtime.port == target.port
    rendered = Path(state.generated["docker"]).read_text()
    for secret in (mysql_scratch.password, mariadb.root_password, radosgw.secret_key):
        assert secret not in out + err + rendered


def test_wrong_password_then_missing_bucket_stop_with_fix_and_resume(tmp_path, capsys, mariadb, mysql_scratch,
                                                                     radosgw, target):
    mariadb.create_user(mysql_scratch.user, mysql_scratch.password)
    mariadb.create_database(mysql_scratch.database)
    mariadb.grant("ALL", f"{mysql_scratch.database}.*", mysql_scratch.user, grant_option=True)
    wrong = mysql_scratch.url.replace(quote(mysql_scratch.password, safe=""), "not-the-password")
    assert wrong != mysql_scratch.url
    config = tmp_path / "config.toml"
    answers = {"where": {"backend": "docker"}, "mysql": {"url": wrong},
               "s3": s3_answers(radosgw, target.bucket, target.host)}

    code, out, _ = run_setup(config, write_answers(tmp_path / "a.toml", answers), capsys)
    assert code == 1
    assert "stopped: MySQL has failures: Connect" in out
    assert "Access denied" in out and "fix:" in out
    assert saved_state(config).current == "mysql"

    # The right password, MariaDB's verdict accepted by id: resumes at MySQL, stops at the missing bucket.
    answers["mysql"] = {"url": mysql_scratch.url, "continue_anyway": ["mysql.server"]}
    code, out, _ = run_setup(config, write_answers(tmp_path / "a.toml", answers), capsys)
    assert code == 1
    assert "== 1/8" not in out and "== 2/8 MySQL ==" in out
    assert "stopped: Object store has failures: Bucket exists" in out
    assert "or: create_bucket = true in [s3] creates it" in out
    assert saved_state(config).current == "s3"

    answers["s3"] = s3_answers(radosgw, target.bucket, target.host, create_bucket=True, apply_cors=True)
    code, out, err = run_setup(config, write_answers(tmp_path / "a.toml", answers), capsys, "--yes")
    assert code == 2  # no [server] answers: the run stops there, asking for them
    assert "== 3/8 Object store ==" in out and f"created bucket {target.bucket!r}" in out
    assert "the answers have no server.host" in err
    state = saved_state(config)
    assert state.done == ["where", "mysql", "s3"] and state.current == "server"
    assert "mysql" in state.continued_anyway and "s3" not in state.continued_anyway
    assert mysql_scratch.password not in out + err


def test_creating_without_yes_refuses_and_changes_nothing(tmp_path, capsys, mariadb, mysql_scratch):
    config = tmp_path / "config.toml"
    answers = write_answers(tmp_path / "a.json", {})
    answers.write_text(json.dumps({"where": {"backend": "docker"},
                                   "mysql": {"url": mysql_scratch.url, "admin_url": mariadb.admin_url}}))

    code, out, err = run_setup(config, answers, capsys)

    assert code == 2
    assert "will: CREATE USER" in out and "IDENTIFIED BY '****'" in out
    assert "rerun with --yes" in err
    assert not mariadb.execute("SELECT 1 FROM mysql.user WHERE User = %s", (mysql_scratch.user,))
    assert saved_state(config).current == "mysql"
    assert mysql_scratch.password not in out + err
