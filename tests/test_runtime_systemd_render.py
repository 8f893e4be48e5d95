"""The systemd unit: keeps the container running, holds no secret, passes `systemd-analyze verify`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.config_samples import assert_no_canary, canary_config
from wbtui.config.model import set_value
from wbtui.runtime.docker import systemd_unit as systemd


def verify(unit_text: str, name: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("systemd-analyze")
    if binary is None:
        pytest.fail("systemd-analyze is not installed; run scripts/test.sh (installs systemd)")
    path = tmp_path / name
    path.write_text(unit_text)
    env = {**os.environ, "SYSTEMD_LOG_LEVEL": "notice", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"}
    return subprocess.run([binary, "verify", "--man=no", str(path)], capture_output=True, text=True,
                          timeout=60, env=env, cwd=tmp_path)


@pytest.mark.tools
def test_unit_verifies(tmp_path: Path) -> None:
    if not Path("/usr/bin/docker").exists():
        pytest.fail("/usr/bin/docker missing: install docker.io (scripts/test.sh)")
    config = canary_config()
    set_value(config, "runtime.volume", "/srv/w and b%x$y")
    set_value(config, "runtime.uid", "100000")
    set_value(config, "runtime.gid", "0")
    result = verify(systemd.render_unit(config), systemd.unit_name(config), tmp_path)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


@pytest.mark.tools
def test_broken_unit_fails_verify(tmp_path: Path) -> None:
    text = systemd.render_unit(canary_config()).replace("ExecStart=/usr/bin/docker", "ExecStart=docker-relative")
    assert verify(text, "broken.service", tmp_path).returncode != 0


def test_unit_keeps_the_container_running() -> None:
    config = canary_config()
    text = systemd.render_unit(config, env_file="/etc/wbtui/wandb.env")
    lines = text.splitlines()
    assert "After=docker.service network-online.target" in lines and "Requires=docker.service" in lines
    assert "Restart=always" in lines and "WantedBy=multi-user.target" in lines
    assert "ExecStartPre=-/usr/bin/docker rm -f wandb-local" in lines
    assert "ExecStop=/usr/bin/docker stop wandb-local" in lines
    (start,) = [line for line in lines if line.startswith("ExecStart=")]
    assert start.startswith("ExecStart=/usr/bin/docker run --rm --name wandb-local "
                            "--env-file /etc/wbtui/wandb.env --label app.kubernetes.io/managed-by=wbtui "
                            "--label wbtui.name=wandb-local --label wbtui.unit=wandb-local.service "
                            "-p 8080:8080 -v wandb-data:/vol")
    assert start.endswith(" wandb/local:0.60.0") and "--restart" not in start and " -e " not in start
    assert_no_canary(text)


def test_exec_quoting() -> None:
    assert systemd.quote("/srv/wandb:/vol") == "/srv/wandb:/vol"
    assert systemd.quote("/srv/w and b%x$y:/vol") == '"/srv/w and b%%x$$y:/vol"'
    assert systemd.quote('a"b\\c') == '"a\\"b\\\\c"'
