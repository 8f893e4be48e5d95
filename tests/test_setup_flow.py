"""The setup's core without a screen: saved progress, blocked steps, form assembly, answers, failure results."""

from __future__ import annotations

import re
import socket
import stat
import tomllib
from pathlib import Path

import pytest

from tests.test_setup_support import saved_state
from tests.test_setup_support import target as target  # a fixture
from wbtui import cli
from wbtui.checks.model import CheckResult, Status
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.config.urls import BucketURL, MysqlURL, URLError
from wbtui.setup.flow import (
    SetupFlow,
    StepBlocked,
    StepReport,
    admin_url_for,
    assemble_bucket_url,
    assemble_mysql_url,
    next_steps,
)
from wbtui.setup.headless import EXAMPLE, AnswersError, load_answers
from wbtui.setup.state import STEP_IDS, SetupState, state_path
from wbtui.setup.where import Place

NASTY = "p@ss:w/rd?#% é"


def fail(check_id: str) -> CheckResult:
    return CheckResult(check_id, check_id.title(), Status.FAIL, f"{check_id} failed", fix="do this")


# -- saved progress ------------------------------------------------------------------------------

def test_state_resumes_where_it_stopped_and_holds_no_secrets(tmp_path):
    config_path = tmp_path / "config.toml"
    config = Config()
    config.server.MYSQL = MysqlURL("u", NASTY, "db", "wandb").format()
    store.save(config, config_path)
    flow = SetupFlow(config_path)
    flow.reports["where"] = StepReport("where", [])
    assert flow.advance("where") == "mysql"

    again = SetupFlow(config_path)
    assert again.current == "mysql" and again.state.done == ["where"]
    text = state_path(config_path).read_text()
    assert NASTY not in text and "p%40ss" not in text
    assert stat.S_IMODE(state_path(config_path).stat().st_mode) == 0o600


def test_state_file_damaged_or_missing_starts_over(tmp_path):
    path = tmp_path / "setup.json"
    assert SetupState.load(path) == SetupState()
    path.write_text("{not json")
    assert SetupState.load(path).current == "where"
    path.write_text('{"current": "nowhere", "done": ["where", "bogus"], "continued_anyway": {"x": 1}}')
    state = SetupState.load(path)
    assert state.current == "where" and state.done == ["where"] and state.continued_anyway == {}


def test_only_finished_steps_and_the_first_open_one_can_be_visited():
    state = SetupState()
    assert state.can_visit("where") and not state.can_visit("mysql")
    state.finish("where")
    state.finish("mysql", "Server version: MariaDB")
    assert state.current == "s3"
    assert all(state.can_visit(s) for s in ("where", "mysql", "s3"))
    assert not state.can_visit("server")
    with pytest.raises(ValueError, match="finish the steps before"):
        state.go_to("deploy")
    state.go_to("where")
    assert state.current == "where"
    state.finish("mysql")  # finished again without failures: no longer listed as continued anyway
    assert state.continued_anyway == {}


def test_a_step_does_not_advance_unchecked_or_failing_unless_continued_anyway(tmp_path):
    flow = SetupFlow(tmp_path / "config.toml")
    with pytest.raises(StepBlocked, match="has not been checked") as blocked:
        flow.advance("where")
    assert blocked.value.not_run
    flow.reports["where"] = StepReport("where", [fail("where.place")])
    with pytest.raises(StepBlocked, match=re.escape("Where it runs has failures: Where.Place")):
        flow.advance("where")
    assert flow.advance("where", continue_anyway=True) == "mysql"
    assert saved_state(flow.config_path).continued_anyway == {"where": "Where.Place: where.place failed"}

    flow.reports["mysql"] = StepReport("mysql", [fail("mysql.server"), fail("mysql.connect")])
    with pytest.raises(StepBlocked):
        flow.advance("mysql", continue_anyway=["mysql.server"])  # Connect is not accepted
    flow.reports["mysql"] = StepReport("mysql", [fail("mysql.server")])
    assert flow.advance("mysql", continue_anyway=["mysql.server"]) == "s3"
    assert flow.advance("s3", continue_anyway=True) == "server"
    assert saved_state(flow.config_path).continued_anyway["s3"] == "not checked"


def test_review_lists_open_warnings_then_continued_steps_then_errors(tmp_path):
    flow = SetupFlow(tmp_path / "config.toml")
    flow.state.continued_anyway = {"mysql": "Server version: MariaDB"}
    report = flow.review()
    ids = [r.id for r in report.results]
    assert "config.HOST" in ids and "review.mysql" in ids
    statuses = [r.status for r in report.results]
    assert statuses == sorted(statuses, key=lambda s: s is Status.FAIL)  # errors last
    assert report.failures and report.failures[0].id == "config.HOST"  # HOST is not set: blocks the review


def test_server_values_of_the_wrong_kind_fail_with_an_example(tmp_path):
    flow = SetupFlow(tmp_path / "config.toml")
    report = flow.server({"HOST": "https://wandb.example.com", "runtime.port": "eighty"})
    bad = next(r for r in report.results if r.id == "config.runtime.port")
    assert bad.status is Status.FAIL and "not a whole number" in bad.summary and bad.fix == "e.g. 8080"
    assert store.load(flow.config_path).server.HOST == "https://wandb.example.com"


# -- form fields into URLs -------------------------------------------------------------------------

def test_bucket_url_from_form_fields_escapes_credentials():
    url = assemble_bucket_url("https://minio.example.com:9000/", "AK", NASTY, "wandb-files", tls=False)
    parsed = BucketURL.parse(url)
    assert (parsed.secret_key, parsed.host, parsed.port, parsed.bucket, parsed.tls) == \
        (NASTY, "minio.example.com", 9000, "wandb-files", True)
    with pytest.raises(URLError) as bad:
        assemble_bucket_url("minio:99999", "AK", "SK", "b", tls=False)
    assert bad.value.part == "port"


def test_mysql_url_from_form_fields_escapes_and_names_the_bad_part():
    url = assemble_mysql_url(" db.example.com ", "3307", "wandb_local", "wandb", NASTY)
    assert MysqlURL.parse(url) == MysqlURL("wandb", NASTY, "db.example.com", "wandb_local", 3307)
    assert MysqlURL.parse(assemble_mysql_url("db", "", "w", "u", "p")).port is None
    for args, part in ((("db", "3306", "", "u", "p"), "database"), (("db", "3306", "w", " ", "p"), "user"),
                       (("", "3306", "w", "u", "p"), "host")):
        with pytest.raises(URLError) as bad:
            assemble_mysql_url(*args)
        assert bad.value.part == part
    admin = MysqlURL.parse(admin_url_for(url, "root", NASTY))
    assert (admin.user, admin.password, admin.host, admin.port, admin.database) == \
        ("root", NASTY, "db.example.com", 3307, "mysql")


# -- where, next steps, plans -----------------------------------------------------------------------

def test_resource_advice_follows_the_guide():
    assert Place("docker", True, "", cpus=4, memory_bytes=8 * 10**9).advice() == []
    advice = Place("docker", True, "", cpus=2, memory_bytes=4 * 10**9).advice()
    assert [f.field for f in advice] == ["runtime.cpu_limit", "runtime.memory_limit"]
    assert all(f.severity == "warning" for f in advice)


def results_by_id(report: StepReport) -> dict[str, CheckResult]:
    return {r.id: r for r in report.results}


def test_docker_container_and_volume_are_asked_in_step_one_saved_and_validated(tmp_path, monkeypatch):
    """They were never asked: every install was silently wandb-local on wandb-data."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")  # the place fails; names still count
    path = tmp_path / "config.toml"
    flow = SetupFlow(path)
    results = results_by_id(flow.where("docker", container_name=" wandb-prod ", volume="/srv/wandb"))
    assert results["where.place"].status is Status.FAIL and results["where.place"].fix
    assert "config.runtime.volume" not in results and "config.runtime.container_name" not in results
    assert (store.load(path).runtime.container_name, store.load(path).runtime.volume) == ("wandb-prod", "/srv/wandb")

    results = results_by_id(flow.where("docker", container_name="-prod", volume="data:vol"))
    assert results["config.runtime.container_name"].status is Status.FAIL
    assert results["config.runtime.volume"].status is Status.FAIL
    assert "wbtui config set runtime.volume" in results["config.runtime.volume"].fix
    results = results_by_id(flow.where("docker", volume=""))
    assert results["config.runtime.volume"].status is Status.WARN  # data is lost with the container
    # Left out, the saved names stay; Kubernetes names its objects itself and is not told about Docker's.
    flow.where("docker", volume="wandb-data")
    assert flow.config.runtime.container_name == "-prod"
    assert not {"config.runtime.container_name", "config.runtime.volume"} & set(results_by_id(
        flow.where("kubernetes", namespace="wandb")))


def test_answers_give_the_container_and_volume(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    config, answers = tmp_path / "config.toml", tmp_path / "a.toml"
    answers.write_text("[where]\nbackend = 'docker'\ncontainer_name = 'wandb-prod'\nvolume = '/srv/wandb'\n")
    assert cli.main(["--config", str(config), "setup", "--answers", str(answers)]) == 1  # no Docker here
    assert "docker reachable" in capsys.readouterr().out
    runtime = store.load(config).runtime
    assert (runtime.container_name, runtime.volume) == ("wandb-prod", "/srv/wandb")
    answers.write_text("[where]\nbackend = 'docker'\nvolume = 3\n")
    assert cli.main(["--config", str(config), "setup", "--answers", str(answers)]) == 2
    assert 'where.volume must be a string in quotes, e.g. volume = "name"' in capsys.readouterr().err


def test_next_steps_cover_the_guide_and_the_generated_files(tmp_path):
    config = Config()
    config.server.HOST = "http://wandb.example.com"
    state = SetupState(generated={"nginx": "/etc/wbtui/nginx.conf"})
    text = "\n".join(next_steps(config, state, tmp_path / "config.toml"))
    for needle in ("daily", "a week", "40%", "hot standby", "TLS", "HOST is http://", "Generated nginx: /etc/wbtui/",
                   f"Configuration: {tmp_path / 'config.toml'}"):
        assert needle in text


def test_deploy_plan_is_the_docker_run_with_secrets_masked(tmp_path):
    flow = SetupFlow(tmp_path / "config.toml")
    flow.config.server.MYSQL = MysqlURL("u", NASTY, "db", "wandb").format()
    plan = "\n".join(flow.plan_deploy())
    assert "docker run -d" in plan and "--name wandb-local" in plan and "wandb/local:latest" in plan
    assert NASTY not in plan and "****" in plan


# -- answers files -------------------------------------------------------------------------------------

def test_example_answers_parse_and_name_every_step(tmp_path):
    path = tmp_path / "answers.toml"
    path.write_text(EXAMPLE)
    answers = load_answers(path)
    assert set(answers) == set(STEP_IDS) - {"next"}
    assert (answers["where"]["container_name"], answers["where"]["volume"]) == ("wandb-local", "wandb-data")
    assert answers["server"]["settings"] == {"runtime.restart_policy": "unless-stopped"}


@pytest.mark.parametrize(("text", "message"), [
    ("[where\n", "answers.toml"),
    ("[wher]\nbackend = 'docker'\n", "unknown sections wher"),
    ("where = 3\n", "where must be a table"),
])
def test_bad_answers_are_explained(tmp_path, text, message):
    path = tmp_path / "answers.toml"
    path.write_text(text)
    with pytest.raises(AnswersError, match=message):
        load_answers(path)


def test_cli_example_yes_without_answers_and_read_only(tmp_path, capsys):
    config = tmp_path / "config.toml"
    assert cli.main(["--config", str(config), "setup", "--example"]) == 0
    assert tomllib.loads(capsys.readouterr().out)["where"]["backend"] == "docker"
    assert cli.main(["--config", str(config), "setup", "--yes"]) == 2
    assert "--yes goes with --answers" in capsys.readouterr().err
    answers = tmp_path / "a.toml"
    answers.write_text("[where]\nbackend = 'docker'\n")
    assert cli.main(["--config", str(config), "--read-only", "setup", "--answers", str(answers)]) == 2
    assert "read-only" in capsys.readouterr().err
    assert not config.exists()


def test_bad_continue_anyway_is_refused(tmp_path, capsys):
    answers = tmp_path / "a.toml"
    answers.write_text("[where]\nbackend = 'docker'\ncontinue_anyway = 'yes'\n")
    assert cli.main(["--config", str(tmp_path / "c.toml"), "setup", "--answers", str(answers)]) == 2
    assert "where.continue_anyway must be true, false or a list" in capsys.readouterr().err


# -- deploy failures come back as results with their fix ----------------------------------------------

@pytest.mark.docker
def test_port_in_use_fails_the_deploy_step_with_the_fix(tmp_path, target):
    flow = SetupFlow(tmp_path / "config.toml", runtime_factory=target.runtime)
    flow.server(target.server_values())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", target.port))
        busy.listen()
        report = flow.deploy_and_watch(timeout=20, interval=0.5)
    assert [r.id for r in report.results] == ["deploy.create"]
    result = report.results[0]
    assert result.status is Status.FAIL and "already in use" in result.summary
    assert "runtime.port" in result.fix and str(target.port) in result.fix
    with pytest.raises(StepBlocked):
        flow.advance("deploy")


@pytest.mark.docker
def test_a_crashing_server_fails_the_watch_with_its_last_lines_and_diagnosis(tmp_path, target):
    flow = SetupFlow(tmp_path / "config.toml", runtime_factory=target.runtime)
    flow.server({**target.server_values(), "env.STANDIN_MODE": "crash", "runtime.restart_policy": "no"})
    ticks: list[str] = []

    report = flow.deploy_and_watch(timeout=30, interval=0.5, on_progress=lambda p: ticks.append(p.summary()))

    result = report.results[0]
    assert result.id == "deploy.ready" and result.status is Status.FAIL
    assert "exited" in result.summary
    assert "Dirty database version 1" in result.details
    assert "schema_migrations" in result.fix  # the diagnosis of the dirty-migration line
    assert report.actions and target.name in report.actions[0]


def test_files_are_written_and_remembered(tmp_path):
    flow = SetupFlow(tmp_path / "config.toml")
    flow.config.server.MYSQL = MysqlURL("u", NASTY, "db", "wandb").format()
    paths = flow.save_files(tmp_path / "generated")
    assert set(paths) >= {"docker", "nginx", "systemd", "kubernetes"}
    assert saved_state(flow.config_path).generated == paths
    for path in paths.values():
        assert NASTY not in Path(path).read_text()


def test_a_setting_the_setup_stores_keeps_what_another_shell_wrote_meanwhile(tmp_path) -> None:
    """The setup saved its own copy of the whole file, reverting a `wbtui config set` made since it started."""
    from wbtui.config import store as config_store
    from wbtui.config.model import Config
    from wbtui.setup.flow import SetupFlow

    path = tmp_path / "config.toml"
    config_store.save(Config(), path)
    flow = SetupFlow(path)
    with config_store.editing(path) as edit:  # another shell, after the setup read the file
        changed = edit.loaded.copy()
        changed.runtime.tag = "0.60.0"
        edit.config = changed
    flow.set("HOST", "https://wandb.example.com")
    flow.server({"LICENSE": "", "runtime.image": "wandb/local"})
    saved = config_store.load(path)
    assert (saved.server.HOST, saved.runtime.tag) == ("https://wandb.example.com", "0.60.0")
    assert flow.config.runtime.tag == "0.60.0"
