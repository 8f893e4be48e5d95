"""A systemd unit that keeps the W&B container running (the guide's process-manager advice), and the timer
with its one-shot service that runs ``wbtui backup`` on the configured schedule (the guide's daily backup).

No unit holds a secret: the container environment comes from a root-only ``--env-file``
(``wbtui render docker-env --reveal -o /etc/wbtui/wandb.env``), and the backup service names only the path of
the config file, which ``wbtui backup`` reads itself.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from ...config import backup
from ...config.model import Config
from .render import DEFAULT_ENV_FILE, runtime_args
from .spec import MANAGED_BY, MANAGED_BY_VALUE, NAME_LABEL, UNIT_LABEL

_BARE = re.compile(r"[A-Za-z0-9_@+=:,./\[\]-]+")


def quote(arg: str) -> str:
    """One Exec= argument: specifiers (%) and variables ($) escaped, quoted when needed."""
    arg = arg.replace("%", "%%").replace("$", "$$")
    if _BARE.fullmatch(arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _assignment(name: str, value: str) -> str:
    """``NAME=value`` for Environment=: specifiers (%) escaped, quoted when needed (no $ expansion there)."""
    text = f"{name}={value}".replace("%", "%%")
    if _BARE.fullmatch(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _exec(argv: list[str]) -> str:
    return " ".join(quote(a) for a in argv)


def unit_name(config: Config) -> str:
    return f"{config.runtime.container_name}.service"


def render_unit(config: Config, env_file: str = DEFAULT_ENV_FILE, docker: str = "/usr/bin/docker") -> str:
    """``[Unit]``/``[Service]``/``[Install]`` running ``docker run --rm`` in the foreground.

    systemd restarts it (Restart=always), so Docker's own ``--restart`` is not used. The
    labels let wbtui find the container for status and logs, and tell it that start, stop
    and redeploy go through systemctl.
    """
    name = config.runtime.container_name
    labels = {MANAGED_BY: MANAGED_BY_VALUE, NAME_LABEL: name, UNIT_LABEL: unit_name(config)}
    run = [docker, "run", "--rm", "--name", name, "--env-file", env_file,
           *[arg for k, v in labels.items() for arg in ("--label", f"{k}={v}")],
           *runtime_args(config), config.runtime.image_ref]
    return "\n".join([
        "# W&B Server (wandb/local) kept running by systemd, rendered by wbtui.",
        f"# Install: copy to /etc/systemd/system/{unit_name(config)}, then",
        f"#   systemctl daemon-reload && systemctl enable --now {unit_name(config)}",
        "[Unit]",
        f"Description=W&B Server container {name}",
        "After=docker.service network-online.target",
        "Requires=docker.service",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=simple",
        "# Pulling the image on first start can take a while.",
        "TimeoutStartSec=0",
        "Restart=always",
        "RestartSec=10",
        f"ExecStartPre=-{_exec([docker, 'rm', '-f', name])}",
        f"ExecStart={_exec(run)}",
        f"ExecStop={_exec([docker, 'stop', name])}",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ])


PODMAN = "/usr/bin/podman"
PODMAN_STOP_TIMEOUT = 30
"""Seconds ``podman stop`` gives the server after SIGTERM (the Docker backend's stop timeout)."""


def render_podman_unit(config: Config, env_file: str = DEFAULT_ENV_FILE, podman: str = PODMAN) -> str:
    """The unit ``podman generate systemd --new`` would write, with wbtui's labels and no secret in it.

    ``generate systemd --new`` cannot be used for wbtui's container: it replays the command that created
    the container, and one created through the API has none (Podman 4.3 refuses: "container's create
    command is too short"); and it would write ``-e MYSQL=...`` into the unit. Quadlet (a ``.container``
    file) needs Podman 4.4. conmon tells systemd when the container runs (``--sdnotify=conmon``), and
    systemd restarts it, so Podman's own restart policy (which nothing applies after a reboot) is not used.
    """
    name = config.runtime.container_name
    unit = unit_name(config)
    cid = "%t/%n.ctr-id"
    labels = {MANAGED_BY: MANAGED_BY_VALUE, NAME_LABEL: name, UNIT_LABEL: unit}
    run = ["--cgroups=no-conmon", "--rm", "--sdnotify=conmon", "-d", "--replace", "--name", name,
           "--env-file", env_file, *[arg for k, v in labels.items() for arg in ("--label", f"{k}={v}")],
           *runtime_args(config), config.runtime.image_ref]
    # %t and %n are systemd's specifiers here: written as they are, not escaped like the arguments
    exec_start = f"{quote(podman)} run --cidfile={cid} {_exec(run)}"
    return "\n".join([
        "# W&B Server (wandb/local) on Podman, kept running by systemd; rendered by wbtui in the shape of",
        "# `podman generate systemd --new`. Install: copy to /etc/systemd/system/" + unit + " (rootless:",
        "# ~/.config/systemd/user/, then systemctl --user and loginctl enable-linger USER), then",
        f"#   systemctl daemon-reload && systemctl enable --now {unit}",
        "[Unit]",
        f"Description=W&B Server container {name} (Podman)",
        "Documentation=man:podman-generate-systemd(1)",
        "Wants=network-online.target",
        "After=network-online.target",
        "RequiresMountsFor=%t/containers",
        "",
        "[Service]",
        "Environment=PODMAN_SYSTEMD_UNIT=%n",
        "Restart=always",
        "RestartSec=10",
        "# Pulling the image on first start can take a while.",
        "TimeoutStartSec=0",
        f"TimeoutStopSec={PODMAN_STOP_TIMEOUT + 40}",
        f"ExecStartPre=/bin/rm -f {cid}",
        f"ExecStart={exec_start}",
        f"ExecStop={podman} stop --ignore -t {PODMAN_STOP_TIMEOUT} --cidfile={cid}",
        f"ExecStopPost={podman} rm -f --ignore -t {PODMAN_STOP_TIMEOUT} --cidfile={cid}",
        "Type=notify",
        "NotifyAccess=all",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ])


BACKUP_RANDOM_DELAY = "5min"
"""Spread over a few minutes, so many hosts on one schedule do not hit a shared database at the same second."""


def backup_names(config: Config) -> tuple[str, str]:
    """``NAME-backup.service`` and ``NAME-backup.timer``."""
    base = f"{config.runtime.container_name}-backup"
    return f"{base}.service", f"{base}.timer"


def backup_schedule(config: Config, given: str | None = None) -> backup.Schedule | None:
    """``given`` (``--backup``), else ``backup.schedule``; None when neither is set. ScheduleError when bad."""
    text = given if given is not None else config.backup.schedule
    return backup.parse_schedule(text) if text.strip() else None


def wbtui_command() -> list[str]:
    """How a unit runs this wbtui: the console script beside the running Python, else ``python -m wbtui``."""
    script = Path(sys.executable).parent / "wbtui"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "wbtui"]


def render_backup_service(config: Config, config_path: Path, command: list[str] | None = None) -> str:
    """A one-shot ``wbtui --config PATH backup``: the config (0600) holds MYSQL; the unit names only its path.

    With ``backup.directory`` empty the backups go to the default directory of whoever renders the unit (its
    XDG data directory is set in the unit), so ``wbtui backup list`` and the backup check look in the same place.
    """
    timer = backup_names(config)[1]
    argv = [*(command or wbtui_command()), "--config", str(config_path), "backup"]
    env = []
    if not config.backup.directory.strip():
        data_home = backup.default_directory().parent.parent
        env = [f"Environment={_assignment('XDG_DATA_HOME', str(data_home))}"]
    return "\n".join([
        f"# wbtui backup of the W&B database, started by {timer}; rendered by wbtui.",
        f"# Install both files in /etc/systemd/system, then: systemctl daemon-reload && systemctl enable --now {timer}",
        "[Unit]",
        f"Description=wbtui backup of the W&B database ({config.runtime.container_name})",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=oneshot",
        *env,
        f"ExecStart={_exec(argv)}",
        "# A dump holds every secret the database does: files 0600, nothing else on this host touched.",
        "UMask=0077",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectSystem=full",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectControlGroups=yes",
        "RestrictSUIDSGID=yes",
        "LockPersonality=yes",
        "RestrictRealtime=yes",
        "Nice=10",
        "IOSchedulingClass=best-effort",
        "IOSchedulingPriority=7",
        "",
    ])


def render_backup_timer(config: Config, schedule: backup.Schedule) -> str:
    """``OnCalendar=`` the schedule; ``Persistent=true`` runs a backup missed while the host was off."""
    service = backup_names(config)[0]
    return "\n".join([
        f"# Starts {service} on the schedule ({schedule.on_calendar}); rendered by wbtui.",
        "[Unit]",
        f"Description=wbtui backup of the W&B database ({config.runtime.container_name}), {schedule.on_calendar}",
        "",
        "[Timer]",
        f"OnCalendar={schedule.on_calendar}",
        "Persistent=true",
        f"RandomizedDelaySec={BACKUP_RANDOM_DELAY}",
        f"Unit={service}",
        "",
        "[Install]",
        "WantedBy=timers.target",
        "",
    ])


def metrics_name(config: Config) -> str:
    return f"{config.runtime.container_name}-metrics.service"


def render_metrics_service(config: Config, config_path: Path, listen: str, command: list[str] | None = None) -> str:
    """A long-running ``wbtui --config PATH metrics --listen ADDR``: no secret in the unit (the config holds them).

    With ``backup.directory`` empty it sets the XDG data directory the backup service sets, so the backup age it
    serves is that of the backups the timer makes."""
    argv = [*(command or wbtui_command()), "--config", str(config_path), "metrics", "--listen", listen]
    env = []
    if not config.backup.directory.strip():
        env = [f"Environment={_assignment('XDG_DATA_HOME', str(backup.default_directory().parent.parent))}"]
    return "\n".join([
        f"# wbtui metrics for Prometheus ({listen}/metrics); rendered by wbtui.",
        f"# Install in /etc/systemd/system, then: systemctl daemon-reload && "
        f"systemctl enable --now {metrics_name(config)}",
        "[Unit]",
        f"Description=wbtui metrics of W&B Server ({config.runtime.container_name})",
        "After=network-online.target docker.service",
        "Wants=network-online.target",
        "",
        "[Service]",
        "Type=simple",
        *env,
        f"ExecStart={_exec(argv)}",
        "Restart=on-failure",
        "RestartSec=10",
        "UMask=0077",
        "NoNewPrivileges=yes",
        "PrivateTmp=yes",
        "PrivateDevices=yes",
        "ProtectSystem=full",
        "ProtectKernelTunables=yes",
        "ProtectKernelModules=yes",
        "ProtectControlGroups=yes",
        "RestrictSUIDSGID=yes",
        "LockPersonality=yes",
        "RestrictRealtime=yes",
        "Nice=5",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
    ])


def render_units(config: Config, config_path: Path, schedule: backup.Schedule | None, *,
                 env_file: str = DEFAULT_ENV_FILE, docker: str = "/usr/bin/docker",
                 command: list[str] | None = None, metrics: str | None = None,
                 engine: str = "docker") -> dict[str, str]:
    """Every unit by file name: the container's (``engine`` docker or podman; ``docker`` is then the podman
    binary), with a schedule the backup service and its timer, and with ``metrics`` (the address) the metrics
    service."""
    units = {unit_name(config): render_podman_unit(config, env_file, docker) if engine == "podman"
             else render_unit(config, env_file, docker)}
    if schedule is not None:
        service, timer = backup_names(config)
        units[service] = render_backup_service(config, config_path, command)
        units[timer] = render_backup_timer(config, schedule)
    if metrics is not None:
        units[metrics_name(config)] = render_metrics_service(config, config_path, metrics, command)
    return units
