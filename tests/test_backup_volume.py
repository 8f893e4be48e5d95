"""/vol volume backups (W&B's embedded stores: MYSQL and BUCKET empty) on the real Docker engine with the
stand-in: `wbtui backup` stops the server, archives /vol and starts it; `wbtui restore ID` puts the files back
exactly (what was added since is gone) with the server stopped, then starts and watches it; a damaged archive
is refused before /vol is touched; verify checks it as a file; Kubernetes says what is not covered."""

from __future__ import annotations

import gzip
import io
import json
import secrets
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.services.base import free_port
from tests.services.docker_fixtures import standin_config
from tests.test_backup_fixtures import write_config
from wbtui.cli import main
from wbtui.config.model import Config
from wbtui.ops.backup import destinations as dst
from wbtui.ops.backup.manifest import Manifest
from wbtui.ops.backup.retention import to_prune
from wbtui.ops.backup.volume import archive_problem

SECRET = "Vol-" + secrets.token_hex(6)
FILES = "/vol/data.txt /vol/mysql/ibdata1 /vol/.hidden"


def _config(image: str) -> Config:
    config = standin_config(image, prefix="vol", secret=SECRET, ready_delay="0.2", heartbeat="0")
    config.server.MYSQL = ""  # embedded: the database lives in /vol
    config.server.HOST = f"http://127.0.0.1:{free_port()}"  # not served: the watch probes the published port
    return config


def _sh(container: Any, script: str) -> str:
    code, out = container.exec_run(["/bin/sh", "-c", script])
    assert code == 0, out
    return out.decode()


def _deployed(docker_runtimes: Any, docker_client: Any, config: Config) -> Any:
    runtime = docker_runtimes(config)
    runtime.deploy()
    container = docker_client.containers.get(config.runtime.container_name)
    _sh(container, "mkdir -p /vol/mysql && printf 'W&B 🚀 data\\n' > /vol/data.txt && "
                   "head -c 300000 /dev/urandom > /vol/mysql/ibdata1 && echo dot > /vol/.hidden")
    return container


def _out(capsys: pytest.CaptureFixture[str]) -> Any:
    return json.loads(capsys.readouterr().out)


def test_volume_backup_and_restore_through_the_cli(tmp_path: Path, docker_runtimes: Any, docker_client: Any,
                                                   standin_image: str, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(standin_image)
    path = write_config(tmp_path / "config.toml", config)
    container = _deployed(docker_runtimes, docker_client, config)
    before = _sh(container, f"sha256sum {FILES}")
    started = container.attrs["State"]["StartedAt"]
    backups = str(tmp_path / "b")
    assert main(["--config", str(path), "backup", "--yes", "--to", backups, "--json"]) == 0
    made = _out(capsys)
    assert made["kind"] == "volume" and made["manifest"]["volume"] == config.runtime.volume
    container.reload()
    assert container.attrs["State"]["Running"] and container.attrs["State"]["StartedAt"] != started

    _sh(container, "echo changed > /vol/data.txt && echo new > /vol/new.txt && rm /vol/.hidden")
    assert main(["--config", str(path), "backup", "verify", made["id"], "--to", backups]) == 0
    assert "a /vol archive whose size and sha256 match" in capsys.readouterr().out

    code = main(["--config", str(path), "restore", made["id"], "--yes", "--to", backups, "--json", "--timeout",
                 "60"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    container.reload()
    assert container.attrs["State"]["Running"] and report["watch"]["ready"] is True
    assert _sh(container, f"sha256sum {FILES}") == before
    assert _sh(container, "ls -A /vol").split() == [".hidden", "data.txt", "mysql"]  # new.txt is gone
    assert not docker_client.containers.list(all=True, filters={"name": f"{config.runtime.container_name}-restore"})
    assert SECRET not in out + err
    assert main(["--config", str(path), "backup", "list", "--to", backups, "--json"]) == 0
    listed = {b["id"]: b for b in _out(capsys)["backups"]}
    safety = report["safety_backup"]
    assert set(listed) == {made["id"], safety} and listed[safety]["kind"] == "volume"

    # the safety backup holds /vol as it was just before: restoring it brings the change back
    assert main(["--config", str(path), "restore", safety, "--yes", "--no-safety-backup", "--no-watch", "--to",
                 backups]) == 0
    assert _sh(container, "cat /vol/data.txt /vol/new.txt") == "changed\nnew\n"


def test_a_damaged_volume_backup_is_refused_before_vol_is_touched(tmp_path: Path, docker_runtimes: Any,
                                                                  docker_client: Any, standin_image: str,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(standin_image)
    path = write_config(tmp_path / "config.toml", config)
    container = _deployed(docker_runtimes, docker_client, config)
    backups = tmp_path / "b"
    assert main(["--config", str(path), "backup", "--yes", "--to", str(backups), "--json"]) == 0
    made = _out(capsys)
    _sh(container, "echo changed > /vol/data.txt")
    container.reload()
    started = container.attrs["State"]["StartedAt"]
    archive = backups / made["manifest"]["file"]
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    assert main(["--config", str(path), "restore", made["id"], "--yes", "--to", str(backups)]) == 1
    err = capsys.readouterr().err
    assert "sha256" in err and "Nothing was changed" in err
    container.reload()
    assert container.attrs["State"]["StartedAt"] == started  # never stopped
    assert _sh(container, "cat /vol/data.txt") == "changed\n"
    assert main(["--config", str(path), "backup", "verify", made["id"], "--to", str(backups)]) == 1
    assert "verify FAILED" in capsys.readouterr().out

    # on Kubernetes a /vol backup is not restored, and a backup of embedded stores is not made: exit 3, why
    config.runtime.backend = "kubernetes"
    write_config(path, config)
    assert main(["--config", str(path), "restore", made["id"], "--yes", "--to", str(backups)]) == 3
    assert "kubectl cp" in capsys.readouterr().err
    assert main(["--config", str(path), "backup", "--yes", "--to", str(backups)]) == 3
    assert "not covered" in capsys.readouterr().err


def test_read_only_refuses_a_volume_backup(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent.sock")  # it must not even ask the daemon
    path = write_config(tmp_path / "config.toml", _config("wbtui-test/local:dev"))
    assert main(["--read-only", "--config", str(path), "backup", "--yes", "--to", str(tmp_path / "b")]) == 2
    assert "read-only mode: refusing to stop the server to archive /vol" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


def _entry(kind: str, days: int, now: datetime) -> dst.Entry:
    created = now - timedelta(days=days)
    name = f"wbtui-{kind}-{created.strftime('%Y%m%dT%H%M%SZ')}"
    manifest = Manifest(id=name, created=created.isoformat(), database="", host="", server_version="",
                        file=name + ".x", compression="zstd", size=1, sha256="0" * 64, tables=[], migration=None,
                        image="", tag="", tool={}, seconds=0.0, wbtui_version="", kind=kind)
    return dst.Entry(name, "local", "/b", manifest, name + ".x", 1, created)


def test_retention_keeps_the_newest_good_backup_of_each_kind() -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    entries = [_entry("database", 1, now), _entry("database", 20, now), _entry("volume", 30, now),
               _entry("volume", 40, now)]
    gone = [e.id for e in to_prune(entries, timedelta(days=7), now)]
    assert gone == [entries[3].id, entries[1].id]  # the old volume backup stays: it is the newest of its kind


def test_an_archive_with_a_path_outside_vol_is_not_a_volume_backup(tmp_path: Path) -> None:
    def archive(*names: str) -> Path:
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tar:
            for name in names:
                info = tarfile.TarInfo(name)
                info.size = 2
                tar.addfile(info, io.BytesIO(b"x\n"))
        path = tmp_path / f"{len(names)}-{names[-1].replace('/', '_')}.vol.tar.gz"
        path.write_bytes(gzip.compress(raw.getvalue()))
        return path

    assert archive_problem(archive("vol/a", "vol/mysql/b"), "gzip") == ""
    assert "outside vol/" in archive_problem(archive("vol/a", "vol/../etc/passwd"), "gzip")
    assert "outside vol/" in archive_problem(archive("etc/passwd"), "gzip")
    cut = archive("vol/a", "vol/c")
    cut.write_bytes(cut.read_bytes()[:40])
    assert "cut short" in archive_problem(cut, "gzip") or "not a readable tar" in archive_problem(cut, "gzip")
