"""The Kubernetes backup CronJob: valid for the API (strict), credentials only from the Secret, accepted by kmock,
and its script really dumps the test MariaDB (run on this host with dash and bash, as the pod's shell would)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.config_samples import assert_no_canary, canary_config
from tests.test_backup_fixtures import build, write_config
from tests.test_k8s_backend import NS, Emulator, write_kubeconfig
from wbtui.cli import main
from wbtui.config.model import Config
from wbtui.runtime.kubernetes import backup_job
from wbtui.runtime.kubernetes import render as k8s
from wbtui.runtime.kubernetes.client import connect, resource_path


def backup_objects(config: Config, schedule: str = "daily") -> dict[str, dict[str, Any]]:
    return {o["kind"]: o for o in k8s.render(config, reveal=True, schedule=schedule).objects
            if o["kind"] in ("CronJob", "PersistentVolumeClaim")}


def container(cronjob: dict[str, Any]) -> dict[str, Any]:
    return cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("version", ["1.30.0", "1.37.0"])
def test_the_cronjob_and_its_claim_validate_strictly(version: str) -> None:
    manifests = k8s.render(canary_config(), reveal=True, schedule="Mon..Fri 02:30")
    kinds = [o["kind"] for o in manifests.objects]
    assert kinds[-2:] == ["PersistentVolumeClaim", "CronJob"]
    for obj in yaml.safe_load_all(manifests.text):
        kubernetes_validate.validate(obj, version, strict=True)
    assert list(yaml.safe_load_all(manifests.text)) == manifests.objects


def test_the_cronjob_has_the_guides_shape_and_no_secret() -> None:
    config = canary_config()
    config.backup.keep = "14d"
    config.backup.image = "registry.example.com/mysql:8.4"
    objs = backup_objects(config, "Mon..Fri 02:30")
    job = objs["CronJob"]
    spec = job["spec"]
    assert spec["schedule"] == "30 2 * * 1-5" and spec["concurrencyPolicy"] == "Forbid"
    assert spec["successfulJobsHistoryLimit"] == 3 and spec["failedJobsHistoryLimit"] == 3
    c = container(job)
    env = {e["name"]: e for e in c["env"]}
    assert env["MYSQL"] == {"name": "MYSQL", "valueFrom": {"secretKeyRef": {"name": "wandb-secret", "key": "MYSQL"}}}
    assert all("value" in e for name, e in env.items() if name != "MYSQL")
    assert env["KEEP_MINUTES"]["value"] == str(14 * 24 * 60) and env["DB_HOST"]["value"] == "db.example.com"
    assert c["image"] == "registry.example.com/mysql:8.4"
    script = c["command"][2]
    for flag in ("--single-transaction", "--routines", "--triggers", "--events", "--default-character-set=utf8mb4"):
        assert flag in script
    assert script.index("unset MYSQL") < script.index("$(esc ")  # no child sees the URL in its environment
    assert_no_canary(json.dumps(job))
    pod = spec["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["restartPolicy"] == "Never"
    assert pod["volumes"][0] == {"name": "backups", "persistentVolumeClaim": {"claimName": "wandb-backups"}}
    assert objs["PersistentVolumeClaim"]["spec"]["resources"]["requests"]["storage"] == "20Gi"
    # the Deployment's selector never matches a backup pod: its status counts W&B pods only
    selector = next(o for o in k8s.objects(config) if o["kind"] == "Deployment")["spec"]["selector"]["matchLabels"]
    labels = spec["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    assert not selector.items() <= labels.items()


def test_no_cronjob_without_a_schedule_or_without_an_external_mysql() -> None:
    config = canary_config()
    assert backup_objects(config, "") == {}
    assert "CronJob" not in k8s.render_yaml(config)
    config.backup.schedule = "daily"
    assert "kind: CronJob" in k8s.render_yaml(config)
    assert all(o["kind"] != "CronJob" for o in k8s.objects(config))  # what `wbtui up` applies is unchanged
    config.server.MYSQL = ""
    text = k8s.render_yaml(config)
    assert "CronJob" not in text.split("\n", 3)[-1] and "# No backup CronJob: MYSQL is empty" in text
    config = canary_config()
    config.backup.schedule = "03:00 UTC"  # a bad configured schedule: rendered without, and said why
    assert "# No backup CronJob: backup.schedule:" in k8s.render_yaml(config)


def test_render_kubernetes_backup_schedule_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_config(tmp_path / "config.toml", canary_config())
    assert main(["--config", str(path), "render", "kubernetes", "--backup-schedule", "weekly"]) == 0
    out = capsys.readouterr().out
    assert "kind: CronJob" in out and "schedule: 0 0 * * 1" in out
    assert_no_canary(out)
    assert main(["--config", str(path), "render", "kubernetes", "--backup-schedule", "*-*-* 1:00:30"]) == 2
    assert "--backup-schedule" in capsys.readouterr().err


def test_kmock_accepts_the_cronjob_and_the_claim(tmp_path: Path) -> None:
    emu = Emulator()
    try:
        for resource in ("batch/v1/cronjobs",):
            emu.call(lambda resource=resource: emu.kmock.resources.__setitem__(resource, {}))
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"emu": (emu.url, NS)}, "emu")
        config = canary_config()
        config.kubernetes.namespace = NS
        api = connect("emu", kubeconfig=str(kubeconfig), timeout=5)
        try:
            for obj in backup_objects(config).values():
                plural = {"CronJob": "cronjobs", "PersistentVolumeClaim": "persistentvolumeclaims"}[obj["kind"]]
                path = resource_path(obj["apiVersion"], plural, NS)
                api.create(path, obj)
                stored = api.get(resource_path(obj["apiVersion"], plural, NS, obj["metadata"]["name"]))
                assert stored is not None and stored["spec"] == obj["spec"]
                assert stored["metadata"]["labels"] == obj["metadata"]["labels"]
        finally:
            api.close()
    finally:
        emu.close()


def _run_script(shell: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """The CronJob's command, on this host: the pod's variables, the dump tool this host has."""
    binary = shutil.which(shell)
    if binary is None or shutil.which("mysqldump") is None:
        pytest.fail(f"{shell} and mysqldump are needed: run scripts/test.sh (installs mariadb-client)")
    path = f"{Path(shutil.which('mysqldump') or '').parent}:/usr/bin:/bin"
    return subprocess.run([binary, "-c", backup_job.SCRIPT], capture_output=True, text=True, timeout=120,
                          env={**env, "PATH": path, "HOME": str(tmp_path), "TMPDIR": str(tmp_path)})


def _pod_env(config: Config, backups: Path) -> dict[str, str]:
    objs = k8s.render(config, reveal=True, schedule="daily").objects
    secret = next(o for o in objs if o["kind"] == "Secret")["stringData"]
    env = {}
    for item in container(next(o for o in objs if o["kind"] == "CronJob"))["env"]:
        env[item["name"]] = secret[item["valueFrom"]["secretKeyRef"]["key"]] if "valueFrom" in item else item["value"]
    return {**env, "BACKUP_DIR": str(backups)}


@pytest.mark.mysql
@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_the_script_dumps_the_database_and_prunes_only_old_files(shell: str, mariadb: Any, mysql_scratch: Any,
                                                                  tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=5)
    config = db.config()
    config.backup.keep = "7d"
    backups = tmp_path / "backups"
    backups.mkdir()
    old, recent, foreign = (backups / f"{db.database}-20200101T000000Z.sql.gz",
                            backups / f"{db.database}-20990101T000000Z.sql.gz", backups / "notes.sql.gz")
    for path in (old, recent, foreign):
        path.write_bytes(b"x")
    eight_days = time.time() - 8 * 86400
    os.utime(old, (eight_days, eight_days))
    os.utime(foreign, (eight_days, eight_days))
    env = _pod_env(config, backups)
    assert "%40" in env["MYSQL"] and "@" in db.password  # the script must percent-decode the password
    done = _run_script(shell, env, tmp_path)
    assert done.returncode == 0, done.stderr
    made = [p for p in backups.glob(f"{db.database}-*.sql.gz") if p not in (old, recent)]
    assert len(made) == 1 and f"backup written: {made[0]}" in done.stdout
    sql = gzip.decompress(made[0].read_bytes()).decode()
    assert "CREATE TABLE `runs`" in sql and "-- Dump completed" in sql and "CREATE DEFINER" in sql
    assert oct(made[0].stat().st_mode & 0o777) == "0o600"
    assert not old.exists() and recent.exists() and foreign.exists()  # only its own old dumps are removed
    assert db.password not in done.stdout + done.stderr
    assert list(backups.glob(".*")) == [] and list(tmp_path.glob("tmp*")) == []  # no partial file, no option file


@pytest.mark.mysql
def test_a_failing_dump_writes_nothing_and_says_what_to_check(mariadb: Any, mysql_scratch: Any,
                                                               tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=1)
    config = db.config()
    config.server.MYSQL = db.url.replace(mysql_scratch.database, mysql_scratch.database + "_missing")
    backups = tmp_path / "backups"
    backups.mkdir()
    done = _run_script("dash", _pod_env(config, backups), tmp_path)
    assert done.returncode == 1
    assert "mysqldump failed" in done.stderr and "check the MYSQL secret" in done.stderr
    assert list(backups.iterdir()) == []
