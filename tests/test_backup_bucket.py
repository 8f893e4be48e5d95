"""`wbtui backup --to-bucket` against the real radosgw: multipart upload, list, verify from the bucket, prune."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.test_backup_fixtures import build, write_config
from wbtui.config.urls import MysqlURL
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup.job import BackupFailed, list_all, prune, run_backup
from wbtui.ops.backup.manifest import now
from wbtui.ops.backup.verify import verify

pytestmark = [pytest.mark.mysql, pytest.mark.s3]
REPO = Path(__file__).resolve().parent.parent
PART = 5 << 20  # S3's smallest part


def test_multipart_upload_list_verify_and_prune_in_the_bucket(mariadb: Any, mysql_scratch: Any, radosgw: Any,
                                                              s3_bucket: str, tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=10, blob_bytes=12 << 20)  # random bytes: ~12 MiB even compressed
    config = db.config(BUCKET=radosgw.bucket_url(s3_bucket), AWS_REGION=radosgw.region)
    bucket = dst.Bucket(config, "backups/w&b", part_size=PART)
    local = dst.Local(tmp_path)
    t0 = now()
    report = run_backup(config, [local, bucket], keep=None, timeout=10)
    m = report.manifest
    assert report.stored == [f"{tmp_path}/{m.file}", f"s3://{s3_bucket}/backups/w&b/{m.file}"]
    s3 = radosgw.s3_client()
    head = s3.head_object(Bucket=s3_bucket, Key=f"backups/w&b/{m.file}")
    assert head["ContentLength"] == m.size > 2 * PART
    assert head["ETag"].strip('"').endswith("-3")  # three parts: a multipart upload
    up = json.loads(s3.get_object(Bucket=s3_bucket, Key=f"backups/w&b/{m.id}.manifest.json")["Body"].read())
    assert up["sha256"] == m.sha256

    entries, errors = list_all([local, bucket])
    assert errors == []
    assert {(e.id, e.where) for e in entries} == {(m.id, "local"), (m.id, "bucket")}
    remote = next(e for e in entries if e.where == "bucket")
    assert remote.complete and remote.size == m.size and remote.verified is None

    result = verify(remote, bucket, MysqlURL.parse(mariadb.admin_url), timeout=10)
    assert result.ok, result.problems
    remote = next(e for e in bucket.entries() if e.id == m.id)
    assert remote.verified is True

    older = [run_backup(config, [bucket], keep=None, timeout=10, moment=t0 - timedelta(days=d)).manifest.id
             for d in (21, 14)]
    assert {e.id for e in bucket.entries()} == {m.id, *older}
    gone = prune(bucket, timedelta(days=7), now=t0)
    assert [e.id for e in gone] == older
    assert [e.id for e in bucket.entries()] == [m.id]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=s3_bucket).get("Contents", [])]
    assert sorted(keys) == sorted(f"backups/w&b/{m.id}{s}" for s in (".sql.zst", ".manifest.json", ".verify.json"))
    assert not s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads")
    # the newest good backup stays even when every one is older than the window
    assert prune(bucket, timedelta(days=1), now=t0 + timedelta(days=30)) == []
    bucket.close()


def test_cli_bucket_only_backup_and_list(mariadb: Any, mysql_scratch: Any, radosgw: Any, s3_bucket: str,
                                         tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=5)
    config = write_config(tmp_path / "config.toml",
                          db.config(BUCKET=radosgw.bucket_url(s3_bucket), AWS_REGION=radosgw.region))
    env = {"PATH": "/usr/bin:/bin", "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path)}
    made = subprocess.run([sys.executable, "-m", "wbtui", "--config", str(config), "backup", "--to-bucket"],
                          capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert made.returncode == 0, made.stderr
    assert f"stored: s3://{s3_bucket}/wbtui-backups/" in made.stdout
    assert radosgw.secret_key not in made.stdout + made.stderr and db.password not in made.stdout + made.stderr
    assert not (tmp_path / "data").exists()  # bucket only: nothing kept on the local disk
    listed = subprocess.run([sys.executable, "-m", "wbtui", "--config", str(config), "backup", "list", "--json"],
                            capture_output=True, text=True, cwd=REPO, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    data = json.loads(listed.stdout)
    assert [(b["where"], b["complete"]) for b in data["backups"]] == [("bucket", True)]
    assert data["locations"][1] == f"s3://{s3_bucket}/wbtui-backups/"


def test_wrong_bucket_keys_fail_before_the_dump_and_say_what_to_do(mariadb: Any, mysql_scratch: Any,
                                                                    radosgw: Any, s3_bucket: str,
                                                                    tmp_path: Path) -> None:
    db = build(mariadb, mysql_scratch, runs=1)
    config = db.config(BUCKET=radosgw.bucket_url(s3_bucket, secret_key="not-the-secret-key-42"),
                       AWS_REGION=radosgw.region)
    with pytest.raises(BackupFailed) as caught:
        run_backup(config, [dst.Local(tmp_path), dst.Bucket(config)], keep=None, timeout=10)
    assert "wbtui check s3" in str(caught.value) and "not-the-secret-key-42" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []
