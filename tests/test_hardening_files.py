"""Files written and read by real `wbtui` processes: no leftover secret, no clobbered file (issue 18).

Each test drives `python -m wbtui` in a subprocess (with a timeout: nothing may hang) on files
under tmp_path, and looks at the files afterwards.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wbtui.config import store
from wbtui.config.model import Config

SECRET = "s3cr3t-license-canary"


def wbtui(path: Path, *argv: str, stdin: bytes = b"", timeout: float = 30) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "wbtui", "--config", str(path), *argv], input=stdin,
                          capture_output=True, timeout=timeout, env={**os.environ, "COLUMNS": "250"})
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    return lines[0]


def secret_config() -> Config:
    config = Config()
    config.server.LICENSE = SECRET
    return config


# --- 2. a killed save leaves a temp file with the secrets: the next save removes it ----------------------

_KILLED_MID_SAVE = textwrap.dedent("""
    import os, sys
    from wbtui.config import store
    from wbtui.config.model import Config

    def hang(fd):  # the data is in the temporary file: say so, then wait to be killed
        print("writing", flush=True)
        sys.stdin.read()

    store.os.fsync = hang
    config = store.load(store.Path(sys.argv[1]))
    config.env["LATER"] = "1"
    store.save(config, store.Path(sys.argv[1]))
""")


def test_a_save_killed_mid_write_leaves_a_temp_file_the_next_save_removes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    store.save(secret_config(), path)
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_MID_SAVE, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
    writer.kill()  # kill -9
    writer.wait(timeout=30)
    [left] = tmp_path.glob(".config.toml.*.tmp")
    assert SECRET in left.read_text()  # what a killed save leaves behind: the secrets
    others = [tmp_path / ".config.toml.swp", tmp_path / "config.toml.tmp", tmp_path / ".other.toml.abcdefgh.tmp",
              tmp_path / f".config.toml.{os.getpid()}.0123abcd.tmp"]  # another program's, a live writer's
    for other in others:
        other.write_text("keep")

    done = wbtui(path, "config", "set", "env.NEXT", "2")
    assert done.returncode == 0, done.stderr
    assert not left.exists()
    assert all(other.read_text() == "keep" for other in others)
    assert store.load(path).env == {"NEXT": "2"}


def test_an_old_temp_file_is_removed_even_when_its_pid_runs_again(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    store.save(secret_config(), path)
    reused = tmp_path / ".config.toml.1.0123abcd.tmp"  # pid 1 always runs
    earlier = tmp_path / ".config.toml.k2j_x9qa.tmp"  # the name earlier versions used
    for old in (reused, earlier):
        old.write_text(SECRET)
        os.utime(old, (0, 0))
    assert wbtui(path, "config", "set", "env.NEXT", "2").returncode == 0
    assert not reused.exists() and not earlier.exists()


# --- 3. a planted symlink never makes us write through it ------------------------------------------------


def test_service_install_never_writes_through_a_planted_symlink(tmp_path: Path) -> None:
    path, root = tmp_path / "config.toml", tmp_path / "root"
    store.save(secret_config(), path)
    env_dir = root / "etc" / "wbtui"
    env_dir.mkdir(parents=True, mode=0o700)
    victims = {name: tmp_path / f"victim-{name}" for name in ("old-temp", "target")}
    for victim in victims.values():
        victim.write_text("precious\n")
    (env_dir / ".wandb-local.env.tmp").symlink_to(victims["old-temp"])  # the fixed name of earlier versions
    (env_dir / "wandb-local.env").symlink_to(victims["target"])

    done = wbtui(path, "service", "install", "--root", str(root), "--yes")
    assert done.returncode == 0, done.stderr
    assert all(victim.read_text() == "precious\n" for victim in victims.values())
    env_file = env_dir / "wandb-local.env"
    assert not env_file.is_symlink() and SECRET in env_file.read_text()
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600


def test_a_symlinked_backup_is_replaced_not_followed(tmp_path: Path) -> None:
    path, victim = tmp_path / "config.toml", tmp_path / "victim"
    store.save(secret_config(), path)
    victim.write_text("precious\n")
    store.backup_path(path).symlink_to(victim)
    assert wbtui(path, "config", "set", "env.NEXT", "2").returncode == 0
    assert victim.read_text() == "precious\n"
    assert SECRET in store.backup_path(path).read_text() and not store.backup_path(path).is_symlink()


# --- 4. --config must be a regular file ---------------------------------------------------------------


def test_a_fifo_as_config_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    for argv in (("config", "show"), ("config", "set", "HOST", "https://w.example.com")):
        done = wbtui(fifo, *argv, timeout=30)
        assert done.returncode == 2
        assert "is a FIFO, not a config file" in one_line_error(done)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_a_device_as_config_is_refused_and_left_alone(tmp_path: Path) -> None:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a copy of /dev/null
    for argv in (("config", "set", "HOST", "https://w.example.com"), ("ack", "mysql.config", "--why", "x")):
        done = wbtui(null, *argv)
        assert done.returncode == 2
        assert "is a character device, not a config file" in one_line_error(done)
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_symlink_to_a_config_file_is_written_through(tmp_path: Path) -> None:
    real, link = tmp_path / "real" / "config.toml", tmp_path / "config.toml"
    store.save(secret_config(), real)
    link.symlink_to(real)
    assert wbtui(link, "config", "set", "env.NEXT", "2").returncode == 0
    assert link.is_symlink() and store.load(real).env == {"NEXT": "2"}
    assert store.load(store.backup_path(real)).server.LICENSE == SECRET


# --- 5. reading: deep nesting, bytes that are not UTF-8, unknown keys ----------------------------------


def test_a_deeply_nested_config_is_one_line_not_a_recursion_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("x = " + "[" * 2000 + "]" * 2000 + "\n")
    done = wbtui(path, "config", "show")
    assert done.returncode == 1
    assert "nests arrays or tables too deeply" in one_line_error(done)


def test_an_import_of_deep_brackets_is_one_line_not_a_recursion_error(tmp_path: Path) -> None:
    source = tmp_path / "deep.json"
    source.write_text("[" * 100_000)
    for fmt in ((), ("--from", "docker"), ("--from", "kubernetes")):
        done = wbtui(tmp_path / "config.toml", "config", "import", str(source), *fmt)
        assert done.returncode == 2
        assert "nests arrays or objects too deeply" in one_line_error(done)
    assert not (tmp_path / "config.toml").exists()


def test_bytes_that_are_not_utf8_are_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[server]\nHOST = "https://w\xff.example.com"\n')
    done = wbtui(path, "config", "show")
    assert done.returncode == 1 and "not UTF-8 text (byte 0xff at offset 26)" in one_line_error(done)
    other = tmp_path / "other.toml"
    done = wbtui(other, "config", "import", "-", "--from", "env", stdin=b"HOST=https://w\xff.example.com\n")
    assert done.returncode == 2 and "stdin: it is not UTF-8 text" in one_line_error(done)
    assert not other.exists()


def test_unknown_keys_are_warned_with_the_closest_known_one(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[server]\nHSOT = "https://w.example.com"\n[runtime]\ntga = "0.60.0"\n[colour]\nx = 1\n')
    os.chmod(path, 0o600)
    done = wbtui(path, "config", "validate", "--json")
    findings = {f["field"]: f for f in json.loads(done.stdout)["findings"]}
    assert findings["HSOT"]["severity"] == "warning" and "rename it to HOST" in findings["HSOT"]["fix"]
    assert "rename it to runtime.tag" in findings["runtime.tga"]["fix"]
    assert "is not a setting wbtui knows" in findings["colour"]["message"]
    shown = wbtui(path, "config", "show")
    assert "HSOT in config.toml is not a setting wbtui knows" in shown.stdout
