"""A systemd unit that keeps the W&B container running (the guide's process-manager advice).

The unit holds no secret: the container environment comes from a root-only
``--env-file`` (``wbtui render docker-env --reveal -o /etc/wbtui/wandb.env``).
"""

from __future__ import annotations

import re

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
