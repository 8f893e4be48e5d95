"""Every file a deployment is made of, in one list, so the setup review, the setup's
"write the files" step and the dashboard offer the same set with the same names.

It gathers the backends' renderers (docker run, env file, systemd unit, Kubernetes
manifests) and the datastore and proxy ones in ``render/`` (nginx, SQL, mc, CORS), so
it sits in ``runtime/``, above ``render/``, where the setup flow can reach it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config.model import Config
from ..render import cors, mc, nginx, sql
from .docker import render as docker
from .docker import systemd_unit as systemd
from .kubernetes import render as kubernetes


@dataclass(frozen=True)
class Artifact:
    kind: str
    title: str
    filename: Callable[[Config], str]
    holds_secrets: bool
    render: Callable[[Config, bool], str]
    """``render(config, reveal)``: secrets masked unless reveal."""


def _fixed(name: str) -> Callable[[Config], str]:
    return lambda _config: name


ARTIFACTS: tuple[Artifact, ...] = (
    Artifact("docker", "docker run command", _fixed("wandb-docker-run.sh"), True, docker.render_command),
    Artifact("docker-env", "container environment (--env-file)", _fixed("wandb.env"), True,
             docker.render_env_file),
    Artifact("systemd", "systemd unit", systemd.unit_name, False, lambda c, _r: systemd.render_unit(c)),
    Artifact("nginx", "nginx reverse proxy", _fixed("nginx.conf"), False, lambda c, _r: nginx.render_nginx(c)),
    Artifact("kubernetes", "Kubernetes manifests", _fixed("wandb-kubernetes.yaml"), True, kubernetes.render_yaml),
    Artifact("sql", "MySQL bootstrap SQL", _fixed("wandb-mysql.sql"), True,
             lambda c, r: sql.render_sql(c, reveal=r, if_not_exists=True)),
    Artifact("mc", "MinIO mc commands", _fixed("minio-mc.sh"), True, mc.render_mc),
    Artifact("cors", "S3 CORS rules (JSON)", _fixed("cors.json"), False, lambda c, _r: cors.render_json(c)),
    Artifact("cors-commands", "S3 CORS commands (aws, mc)", _fixed("cors.sh"), True,
             lambda c, r: cors.render_commands(c, r)),
)
BY_KIND = {a.kind: a for a in ARTIFACTS}


def write_artifact(artifact: Artifact, config: Config, directory: Path, reveal: bool = False) -> Path:
    """Write one file atomically; a file holding real secrets is readable by its owner only."""
    from ..config.store import write_private

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / artifact.filename(config)
    write_private(path, artifact.render(config, reveal).encode())
    if not (artifact.holds_secrets and reveal):
        path.chmod(0o644)
    return path
