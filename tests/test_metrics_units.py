"""The metrics service for systemd: `wbtui render systemd --metrics` and `wbtui service install --metrics` render
NAME-metrics.service (wbtui --config PATH metrics --listen ADDR), which passes systemd-analyze verify and holds
no secret; the install writes and enables it."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.config_samples import assert_no_canary, canary_config
from tests.test_runtime_systemd_render import verify
from wbtui.cli import main
from wbtui.config import store
from wbtui.runtime.docker import systemd_unit as systemd


@pytest.mark.tools
@pytest.mark.parametrize("listen", ["127.0.0.1:9187", "[::1]:9100"])
def test_the_metrics_unit_verifies_and_holds_no_secret(listen: str, tmp_path: Path) -> None:
    config = canary_config()
    config.runtime.container_name = "w-and-b"
    units = systemd.render_units(config, Path("/etc/wbtui/con fig%.toml"), None, metrics=listen)
    assert list(units) == ["w-and-b.service", "w-and-b-metrics.service"]
    for name, text in units.items():
        assert_no_canary(text)
        (tmp_path / name).write_text(text)
    result = verify(units["w-and-b-metrics.service"], "w-and-b-metrics.service", tmp_path)
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr
    service = units["w-and-b-metrics.service"].splitlines()
    (start,) = [line for line in service if line.startswith("ExecStart=")]
    assert start == (f"ExecStart={' '.join(systemd.wbtui_command())} --config \"/etc/wbtui/con fig%%.toml\" "
                     f"metrics --listen {listen}")
    assert "Restart=on-failure" in service and "NoNewPrivileges=yes" in service
    assert "WantedBy=multi-user.target" in service


@pytest.mark.tools
def test_a_broken_metrics_unit_fails_verify(tmp_path: Path) -> None:
    text = systemd.render_metrics_service(canary_config(), Path("/c.toml"), "127.0.0.1:9187", ["wbtui"])
    assert verify(text, "wandb-local-metrics.service", tmp_path).returncode != 0  # a relative ExecStart


def test_render_systemd_metrics_prints_the_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    store.save(canary_config(), path)
    assert main(["--config", str(path), "render", "systemd", "--metrics", "--wbtui", "/usr/bin/wbtui"]) == 0
    out = capsys.readouterr().out
    assert "# ==> /etc/systemd/system/wandb-local-metrics.service <==" in out
    assert f"ExecStart=/usr/bin/wbtui --config {path} metrics --listen 127.0.0.1:9187" in out
    assert_no_canary(out)


def test_service_install_metrics_writes_and_enables_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    store.save(canary_config(), path)
    root = tmp_path / "root"
    assert main(["--config", str(path), "service", "install", "--metrics", "[::1]:9187", "--root", str(root),
                 "--yes"]) == 0
    out = capsys.readouterr().out
    units = root / "etc/systemd/system"
    unit = units / "wandb-local-metrics.service"
    assert stat.S_IMODE(unit.stat().st_mode) == 0o644
    assert f"--config {path} metrics --listen [::1]:9187" in unit.read_text()
    assert_no_canary(unit.read_text())
    assert (units / "multi-user.target.wants/wandb-local-metrics.service").is_symlink()
    assert "wandb-local-metrics.service" in out and "did not start them" in out
