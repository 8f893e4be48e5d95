"""The Storage view's core against the real radosgw, a tmpfs this test mounts and the real MariaDB."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from wbtui.cli import main
from wbtui.config import store
from wbtui.config.model import Config
from wbtui.monitor import storage_samples as samples
from wbtui.monitor.storage import collect, space_lines
from wbtui.monitor.storage_bucket import measure_bucket
from wbtui.monitor.storage_space import CRITICAL, OK, UNKNOWN, WARN, measure, mysql_datadir, vol

MiB = 1024 * 1024


def config_for(radosgw, bucket: str, timeout: float = 5.0) -> Config:
    config = Config()
    config.server.BUCKET = radosgw.bucket_url(bucket)
    config.server.AWS_REGION = radosgw.region
    config.app.timeout = timeout
    return config


def put(radosgw, bucket: str, objects: dict[str, int]) -> None:
    s3 = radosgw.s3_client()
    for key, size in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=b"x" * size)


def folders(count: int, per: int, prefix: str = "") -> dict[str, int]:
    """``count`` folders of ``per`` objects; sizes repeat 50..110 bytes in each folder alike."""
    return {f"{prefix}team-{f}/run-{i:03d}.json": 50 + (i % 7) * 10 for f in range(count) for i in range(per)}


@pytest.mark.s3
def test_known_objects_give_exact_usage(radosgw, s3_bucket):
    objects = {**folders(3, 5), "top.txt": 1234, "team-0/big.bin": 3 * MiB}
    put(radosgw, s3_bucket, objects)
    usage = measure_bucket(config_for(radosgw, s3_bucket))
    assert usage.error == ""
    assert (usage.objects, usage.bytes) == (len(objects), sum(objects.values()))
    assert usage.exact and usage.stopped == ""
    assert usage.how.startswith("listed completely")


@pytest.mark.s3
def test_prefix_in_bucket_counts_only_under_it(radosgw, s3_bucket):
    mine = folders(2, 4, prefix="wandb/")
    put(radosgw, s3_bucket, {**mine, "other/file": 999, "wandbx/file": 5})
    config = config_for(radosgw, f"{s3_bucket}/wandb")
    usage = measure_bucket(config)
    assert (usage.bucket, usage.prefix) == (s3_bucket, "wandb/")
    assert (usage.objects, usage.bytes, usage.exact) == (len(mine), sum(mine.values()), True)


@pytest.mark.s3
def test_limit_below_the_count_says_it_estimated_in_the_right_range(radosgw, s3_bucket):
    objects = folders(4, 30, prefix="wandb/")
    put(radosgw, s3_bucket, objects)
    usage = measure_bucket(config_for(radosgw, s3_bucket), limit_objects=70, page_size=25)
    assert not usage.exact
    assert usage.listed_objects == 70 and usage.pages == 3
    assert usage.stopped == "the limit of 70 objects"
    assert usage.how.startswith("estimate:")
    assert "2 of 4 folders under " in usage.how and f"{s3_bucket}/wandb/" in usage.how
    true_bytes = sum(objects.values())
    assert usage.objects == len(objects)  # the folders are alike: their average is exact
    assert 0.9 * true_bytes <= usage.bytes <= 1.1 * true_bytes
    assert usage.listed_bytes < usage.bytes


@pytest.mark.s3
def test_stopped_without_whole_folders_is_a_lower_bound(radosgw, s3_bucket):
    objects = folders(1, 40)
    put(radosgw, s3_bucket, objects)
    usage = measure_bucket(config_for(radosgw, s3_bucket), limit_seconds=1e-9, page_size=10)
    assert not usage.exact and usage.pages == 1
    assert usage.stopped == "the limit of 1e-09 s"
    assert (usage.objects, usage.listed_objects) == (10, 10)
    assert usage.how.startswith("estimate, at least: the first 10 objects listed")


@pytest.mark.s3
def test_missing_bucket_says_what_to_do(radosgw):
    usage = measure_bucket(config_for(radosgw, f"wbt-none-{secrets.token_hex(4)}"))
    assert "does not exist" in usage.error and usage.fix == "create it with wbtui bucket create"


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        yield server.getsockname()[1]


def test_store_that_does_not_answer_is_reported_within_the_timeout(silent_port, tmp_path):
    config = Config()
    config.server.BUCKET = f"s3://key:sekrit-{secrets.token_hex(4)}@127.0.0.1:{silent_port}/wandb"
    config.app.timeout = 1.0
    config.runtime.backend = "kubernetes"  # only the bucket: no Docker daemon in this test
    started = time.monotonic()
    report = collect(config, samples_path=tmp_path / "s.json")
    elapsed = time.monotonic() - started
    assert elapsed < 2.5
    assert report.bucket is not None and "no answer within 1s" in report.bucket.error
    assert not report.ok and report.findings[0].text.startswith("object store:")
    assert not (tmp_path / "s.json").exists()  # a failed listing is no sample


@pytest.mark.s3
def test_samples_across_runs_give_growth(radosgw, s3_bucket, tmp_path):
    path = tmp_path / "state" / "storage-samples.json"
    config = config_for(radosgw, s3_bucket)
    config.runtime.backend = "kubernetes"
    put(radosgw, s3_bucket, {"a/1": 1000, "a/2": 1000})
    t0 = 1_800_000_000.0
    first = collect(config, samples_path=path, now=t0)
    assert first.growth is None and "known once samples 10 minutes apart" in first.samples_note
    soon = collect(config, samples_path=path, now=t0 + 60)
    assert soon.growth is None  # a minute says nothing about a day
    put(radosgw, s3_bucket, {"a/3": 3000, "b/1": 500})
    second = collect(config, samples_path=path, now=t0 + 2 * 3600)
    g = second.growth
    assert g is not None and g.exact and g.samples == 2 and g.span_seconds == 7200  # t0+60 was replaced
    assert g.bytes_per_day == pytest.approx(3500 * 12)
    assert g.objects_per_day == pytest.approx(2 * 12)
    assert os.stat(path).st_mode & 0o777 == 0o600
    kept = json.loads(path.read_text())["buckets"]
    assert list(kept) == [second.bucket.key] and "sekrit" not in path.read_text()


def test_samples_stay_small_and_spaced(tmp_path):
    path = tmp_path / "samples.json"
    t = 1_800_000_000.0
    for i in range(5):  # every 10 minutes: the newest replaces the last, the older stay SPACING apart
        kept = samples.record("s/b/", samples.Sample(t + i * 600, i, i * 10, True), path)
    assert [s.time for s in kept] == [t, t + 4 * 600]
    for i in range(samples.KEEP + 50):
        kept = samples.record("s/b/", samples.Sample(t + 10_000 + i * samples.SPACING, i, i, True), path)
    assert len(kept) == samples.KEEP
    for n in range(samples.BUCKETS + 3):
        samples.record(f"s/b{n}/", samples.Sample(t + 1e7 + n, 1, 1, True), path)
    assert len(json.loads(path.read_text())["buckets"]) == samples.BUCKETS
    assert path.stat().st_size < 200_000


def test_samples_file_through_a_symlink_is_refused(tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("{}")
    link = tmp_path / "samples.json"
    link.symlink_to(target)
    with pytest.raises(samples.SamplesError, match="symlink"):
        samples.record("k", samples.Sample(1.0, 1, 1, True), link)
    assert target.read_text() == "{}"


def test_growth_compares_like_with_like():
    mixed = [samples.Sample(0.0, 10, 100, True), samples.Sample(3600.0, 50, 500, False),
             samples.Sample(7200.0, 20, 200, True)]
    g = samples.growth(mixed)
    assert g is not None and g.exact and g.samples == 2 and g.bytes_per_day == pytest.approx(100 * 12)
    assert samples.growth(mixed[:2]) is None


@pytest.fixture
def tmpfs(tmp_path) -> Iterator[Path]:
    """A 4 MiB tmpfs this test mounts (root only), unmounted after."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs to control free space needs root")
    where = tmp_path / "fs"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def fill_to(where: Path, percent_free: float) -> None:
    """Write a file so that about ``percent_free`` of the filesystem stays free."""
    st = os.statvfs(where)
    total, free = st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
    with open(where / "fill", "ab") as fh:
        fh.write(b"\0" * int(free - total * percent_free / 100))


def test_thresholds_on_a_real_filesystem(tmpfs):
    assert measure("here", str(tmpfs), "do X").level == OK
    fill_to(tmpfs, 12)
    warn = measure("here", str(tmpfs), "do X")
    assert warn.level == WARN and warn.fix == "do X" and 10 < warn.percent_free < 14
    fill_to(tmpfs, 3)
    crit = measure("here", str(tmpfs), "do X")
    assert crit.level == CRITICAL and crit.percent_free < 5
    assert measure("here", str(tmpfs), "do X", warn=1, critical=0.5).level == OK


def test_a_full_vol_directory_makes_the_cli_exit_1(tmpfs, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    config = Config()
    config.runtime.volume = str(tmpfs)
    config.runtime.backend = "docker"
    path = store.save(config, tmp_path / "config.toml")
    fill_to(tmpfs, 8)
    assert main(["--config", str(path), "storage"]) == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    top = " ".join(line.strip() for line in lines[:lines.index("")])  # the findings, before the first blank line
    assert top.startswith(f"⚠ /vol (host directory {tmpfs}): ") and "below 15%" in top
    assert "fix: W&B's files under /vol grow" in top
    assert "BUCKET is empty: W&B keeps its objects in /vol" in out
    assert max(len(line) for line in lines) <= 80
    assert main(["--config", str(path), "storage", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    (space,) = [s for s in data["spaces"] if s["path"] == str(tmpfs)]
    assert space["level"] == "warning" and 5 <= space["percent_free"] < 15
    assert data["ok"] is False and data["bucket"] is None


def test_kubernetes_vol_is_not_visible_from_here():
    config = Config()
    config.runtime.backend = "kubernetes"
    space = vol(config, 1.0)
    assert space.level == UNKNOWN and "not visible from here" in space.note


@pytest.mark.mysql
def test_local_mysql_data_directory_is_measured(mariadb):
    config = Config()
    config.server.MYSQL = mariadb.admin_url
    space = mysql_datadir(config, 5.0)
    assert space is not None and space.note == ""
    assert Path(space.path).resolve() == Path(mariadb.datadir).resolve()
    st = os.statvfs(mariadb.datadir)
    assert space.total == st.f_blocks * st.f_frsize and space.level in (OK, WARN, CRITICAL)


def test_remote_mysql_is_not_looked_at():
    config = Config()
    config.server.MYSQL = "mysql://u:p@192.0.2.10:3306/wandb"
    assert mysql_datadir(config, 1.0) is None


@pytest.mark.s3
def test_cli_prints_80_columns_and_json_without_secrets(radosgw, s3_bucket, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    put(radosgw, s3_bucket, folders(3, 4))
    config = config_for(radosgw, s3_bucket)
    config.runtime.backend = "kubernetes"
    path = store.save(config, tmp_path / "config.toml")
    assert main(["--config", str(path), "storage"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "✔ storage ok"
    assert f"  {s3_bucket} on 127.0.0.1:" in out and "12 objects" in out and "listed completely" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    assert main(["--config", str(path), "storage", "--json", "--limit", "5"]) == 0
    text = capsys.readouterr().out
    assert radosgw.secret_key not in text and radosgw.secret_key not in out
    data = json.loads(text)
    assert data["bucket"]["exact"] is False and data["bucket"]["listed_objects"] == 5
    assert main(["--config", str(path), "storage", "--limit", "0"]) == 2


def rgw_user(radosgw, *caps: str) -> tuple[str, str]:
    """A new radosgw user (with ``caps``, e.g. ``buckets=read``): its access and secret key."""
    uid, access, secret = f"wbt-{secrets.token_hex(4)}", "WBTSTATS" + secrets.token_hex(6).upper(), \
        secrets.token_urlsafe(24)
    argv = ["radosgw-admin", "-c", str(radosgw.conf), "-n", "client.rgw", "user", "create", "--uid", uid,
            "--display-name", uid, "--access-key", access, "--secret", secret]
    subprocess.run([*argv, *(["--caps", ";".join(caps)] if caps else [])], check=True, capture_output=True,
                   timeout=60)
    return access, secret


@pytest.mark.s3
def test_radosgw_statistics_with_an_admin_key(radosgw, s3_bucket, monkeypatch):
    objects = folders(2, 6)
    put(radosgw, s3_bucket, objects)
    access, secret = rgw_user(radosgw, "buckets=read")
    monkeypatch.setenv("WBTUI_RGW_ADMIN", f"{access}:{secret}")
    usage = measure_bucket(config_for(radosgw, s3_bucket), limit_objects=3)
    assert usage.how.startswith("radosgw's bucket statistics") and usage.exact and usage.pages == 0
    assert (usage.objects, usage.bytes) == (len(objects), sum(objects.values()))
    assert secret not in json.dumps(usage.to_dict())


@pytest.mark.s3
def test_admin_key_without_the_capability_falls_back_to_the_listing(radosgw, s3_bucket, monkeypatch):
    objects = folders(1, 3)
    put(radosgw, s3_bucket, objects)
    access, secret = rgw_user(radosgw)
    monkeypatch.setenv("WBTUI_RGW_ADMIN", f"{access}:{secret}")
    usage = measure_bucket(config_for(radosgw, s3_bucket))
    assert (usage.objects, usage.exact, usage.pages) == (3, True, 1)
    refused = "radosgw's statistics not used: the admin API refused the key in WBTUI_RGW_ADMIN (403 AccessDenied)"
    assert refused in usage.how
    assert "caps add" in usage.how
    prefixed = measure_bucket(config_for(radosgw, f"{s3_bucket}/team-0"))
    assert "they cover the whole bucket, not team-0/" in prefixed.how and prefixed.objects == 3


def test_a_place_that_cannot_be_looked_at_says_why_and_what_to_do(tmp_path):
    space = measure("/vol (host directory)", str(tmp_path / "missing"), "grow it")
    assert space.level == UNKNOWN and space.note.startswith("cannot look at ") and "No such file" in space.note
    assert space_lines(space) == ["- /vol (host directory)", f"    {space.note}",
                                  "    fix: check the path exists on this host"]
