"""Install the rendered systemd unit (the process manager the guide asks for) and, with a schedule, the backup
timer and its one-shot service (the guide's daily backup).

The unit (wbtui.render.systemd) runs ``docker run --rm`` in the foreground with
``--env-file``; the env file holds the secrets, so it is written root-only
(0600, in a 0700 directory) and the unit itself holds none. Both go through
``store.write_atomic``: a random temporary name created with O_EXCL|O_NOFOLLOW, so a
symlink planted in /etc/wbtui never makes root write the secrets elsewhere. When systemd runs
(PID 1, /run/systemd/system exists) the unit is enabled and started; when it
does not, or when installing into another root (an image being built, tests),
it is only enabled for boot with ``systemctl --root``, and the result says so. The backup service holds no
secret either: it runs ``wbtui --config PATH backup``, and the config file (0600) holds MYSQL.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ...config.store import write_atomic
from ..base import RuntimeProblem

if TYPE_CHECKING:
    from ...config.backup import Schedule
    from ...config.model import Config

UNIT_DIR = "etc/systemd/system"
ENV_DIR = "etc/wbtui"
SYSTEMCTL_TIMEOUT = 120.0


@dataclass
class InstallResult:
    unit_path: Path
    env_path: Path
    enabled: bool
    started: bool
    message: str
    backup_paths: tuple[Path, ...] = ()
    """The backup service and timer, when a schedule was installed."""


def systemd_running(root: Path = Path("/")) -> bool:
    """sd_booted(): systemd is PID 1 on this system."""
    return (root / "run/systemd/system").is_dir()


def _pid1() -> str:
    try:
        return Path("/proc/1/comm").read_text().strip() or "unknown"
    except OSError:
        return "unknown"


def _systemctl(*args: str) -> None:
    binary = shutil.which("systemctl")
    if binary is None:
        raise RuntimeProblem("systemctl not found", "install systemd, or run the container with wbtui up")
    try:
        done = subprocess.run([binary, *args], capture_output=True, text=True, timeout=SYSTEMCTL_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeProblem(f"systemctl {' '.join(args)} did not finish within {SYSTEMCTL_TIMEOUT:.0f}s",
                             "check systemctl status and journalctl -xe") from None
    if done.returncode != 0:
        detail = " ".join((done.stderr or done.stdout).split())
        raise RuntimeProblem(f"systemctl {' '.join(args)} failed: {detail}", "see journalctl -xe")


ENGINES = ("auto", "docker", "podman")


def unit_engine(config: Config, wanted: str = "auto") -> str:
    """``docker`` or ``podman``: the engine the unit runs the container with. ``auto``: the one answering on
    DOCKER_HOST (Podman's API socket names itself), docker when none answers (a unit rendered elsewhere)."""
    if wanted != "auto":
        return wanted
    from .backend import DockerRuntime

    runtime = DockerRuntime(config)
    try:
        return runtime.engine().kind
    except RuntimeProblem:
        return "docker"
    finally:
        runtime.close()


def install_service(config: Config, root: Path | str = "/", *, config_path: Path | None = None,
                    schedule: Schedule | None = None, metrics: str | None = None,
                    engine: str = "auto") -> InstallResult:
    """Write the unit and its env file under ``root``, then enable (and start, when systemd runs) it; with
    ``schedule`` also the backup service and timer (running ``wbtui --config config_path backup``), with
    ``metrics`` (an address) the metrics service. ``engine``: see ``unit_engine``."""
    from .render import render_env_file
    from .systemd_unit import PODMAN, render_units, unit_name

    root = Path(root)
    kind = unit_engine(config, engine)
    name = unit_name(config)
    env_file = f"/{ENV_DIR}/{config.runtime.container_name}.env"
    env_path = root / env_file.lstrip("/")
    if (schedule is not None or metrics is not None) and config_path is None:
        raise ValueError("a backup schedule or the metrics service needs the config file's path")
    units = render_units(config, Path(config_path or "/"), schedule, env_file=env_file, metrics=metrics,
                         engine=kind, docker=PODMAN if kind == "podman" else "/usr/bin/docker")
    paths = {unit: root / UNIT_DIR / unit for unit in units}
    try:
        env_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(env_path, render_env_file(config, reveal=True).encode(), 0o600)
        paths[name].parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        for unit, text in units.items():
            write_atomic(paths[unit], text.encode(), 0o644)
    except OSError as exc:
        raise RuntimeProblem(f"cannot install the unit under {root}: {exc.strerror or exc}",
                             "run as root, or pass --root DIR to install into another tree") from None
    timer = [unit for unit in units if unit.endswith((".timer", "-metrics.service"))]
    extra = tuple(path for unit, path in paths.items() if unit != name)
    scheduled = f"; backups {schedule.on_calendar} by {timer[0]} (systemctl list-timers {timer[0]})" \
        if schedule is not None else ""
    live = root.resolve() == Path("/")
    if live and systemd_running():
        _systemctl("daemon-reload")
        _systemctl("enable", "--now", name, *timer)
        return InstallResult(paths[name], env_path, True, True,
                             f"installed, enabled and started {name} (systemctl status {name}){scheduled}", extra)
    _systemctl(f"--root={root}", "enable", name, *timer)
    started = " ".join([name, *timer])
    it = "them" if timer else "it"
    if live:
        why = f"systemd is not running on this host (PID 1 is {_pid1()!r})"
        todo = f"on a host booted with systemd: systemctl daemon-reload && systemctl start {started}"
    else:
        why = f"installed into {root}, not the running system"
        todo = f"on the target system: systemctl daemon-reload && systemctl start {started}"
    return InstallResult(paths[name], env_path, True, False,
                         f"installed {' and '.join([name, *timer])} and enabled {it} for boot, but did not start "
                         f"{it}: {why}; {todo}{scheduled}", extra)
