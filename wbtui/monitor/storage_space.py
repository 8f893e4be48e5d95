"""Free space where W&B's data lands on this host, against thresholds that say what to do.

The places: Docker's data root (images, container logs, volumes by default), the ``/vol`` volume
(W&B's local files; on Kubernetes a PersistentVolume this host cannot see) and a local MySQL's
data directory. Each is measured with ``os.statvfs`` on the path this host sees: a MySQL running here
is looked at through its process's root (``/proc/PID/root``), so a containerised one is measured
in its own filesystem, not this host's directory of the same name.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..config.model import Config
from ..config.urls import MysqlURL, URLError

WARN_PERCENT = 15.0
CRITICAL_PERCENT = 5.0

OK, WARN, CRITICAL, UNKNOWN = "ok", "warning", "critical", "unknown"


@dataclass
class Space:
    """One place: its free space and level, or why it could not be measured (``note``)."""

    what: str  # "Docker data root", "/vol (volume wandb)", "MySQL data directory"
    path: str = ""
    total: int | None = None
    free: int | None = None  # available to unprivileged writers (f_bavail), as df shows it
    level: str = UNKNOWN
    note: str = ""
    fix: str = ""

    @property
    def percent_free(self) -> float | None:
        if self.total is None or self.free is None or self.total == 0:
            return None
        return 100.0 * self.free / self.total

    @property
    def crossed(self) -> bool:
        return self.level in (WARN, CRITICAL)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        percent = self.percent_free
        out["percent_free"] = None if percent is None else round(percent, 2)
        return out


def measure(what: str, path: str, fix: str, *, warn: float = WARN_PERCENT,
            critical: float = CRITICAL_PERCENT) -> Space:
    """statvfs of ``path``; ``fix`` is what to do when free space is below ``warn`` percent."""
    space = Space(what, path)
    try:
        st = os.statvfs(path)
    except OSError as exc:
        space.note = f"cannot look at {path}: {exc.strerror}"
        space.fix = ("run wbtui storage as root to see it" if isinstance(exc, PermissionError)
                     else "check the path exists on this host")
        return space
    space.total, space.free = st.f_blocks * st.f_frsize, st.f_bavail * st.f_frsize
    percent = space.percent_free
    if percent is None:
        space.note = f"{path} is on a filesystem that reports no size"
        return space
    space.level = CRITICAL if percent < critical else WARN if percent < warn else OK
    if space.crossed:
        space.fix = fix
    return space


def not_visible(what: str, note: str) -> Space:
    return Space(what, note=note)


DOCKER_FIX = ("free space on the Docker data root: docker image prune -a, docker builder prune, remove stopped "
              "containers; or move data-root (/etc/docker/daemon.json) to a larger disk")
VOL_FIX = ("W&B's files under /vol grow with embedded stores and logs: move MySQL and objects to external "
           "stores (MYSQL, BUCKET), or grow the volume's filesystem")
MYSQL_FIX = ("grow the database's disk, or purge old binary logs (PURGE BINARY LOGS BEFORE ...; set "
             "binlog_expire_logs_seconds); MySQL stops writing when it is full")


def docker_root(timeout: float) -> Space:
    """The daemon's DockerRootDir, when the daemon is on this host (a unix socket)."""
    from ..runtime.base import RuntimeProblem
    from ..runtime.docker.connect import connect, endpoint
    from ..runtime.docker.errors import translated

    what = "Docker data root"
    if not endpoint().local:
        return not_visible(what, f"the Docker daemon is at {endpoint().shown}, not on this host: look there (df)")
    try:
        client = connect(timeout)
        try:
            with translated("read the daemon's info", timeout=timeout):
                root = str(client.info().get("DockerRootDir") or "")
        finally:
            client.close()
    except RuntimeProblem as exc:
        return Space(what, note=str(exc), fix=exc.fix or "start the Docker daemon (systemctl start docker)")
    if not root:
        return not_visible(what, "the daemon does not say its data root (docker info)")
    return measure(what, root, DOCKER_FIX)


def vol(config: Config, timeout: float) -> Space:
    """Where the server's ``/vol`` is on this host: a host directory, or a named volume's Mountpoint."""
    from ..runtime.docker.spec import is_host_path

    volume = config.runtime.volume
    if config.runtime.backend == "kubernetes":
        return not_visible("/vol", "on Kubernetes /vol is a PersistentVolume, not visible from here: see its "
                                   "use with kubectl exec POD -- df -h /vol or the cluster's monitoring")
    if not volume:
        return not_visible("/vol", "no volume is configured (the server keeps /vol in the container); set "
                                   "runtime.volume to keep it")
    if is_host_path(volume):
        return measure(f"/vol (host directory {volume})", volume, VOL_FIX)
    return _named_volume(volume, timeout)


def _named_volume(volume: str, timeout: float) -> Space:
    from ..runtime.base import RuntimeProblem
    from ..runtime.docker.connect import connect, endpoint
    from ..runtime.docker.errors import translated

    what = f"/vol (volume {volume})"
    if not endpoint().local:
        return not_visible(what, f"the Docker daemon is at {endpoint().shown}, not on this host: look there")
    import docker.errors

    try:
        client = connect(timeout)
        try:
            with translated("inspect the data volume", timeout=timeout):
                try:
                    mountpoint = str(client.api.inspect_volume(volume).get("Mountpoint") or "")
                except docker.errors.NotFound:
                    return not_visible(what, f"no volume {volume} yet: wbtui up creates it")
        finally:
            client.close()
    except RuntimeProblem as exc:
        return Space(what, note=str(exc), fix=exc.fix or "start the Docker daemon (systemctl start docker)")
    if not mountpoint:
        return not_visible(what, f"docker volume inspect {volume} names no Mountpoint (a volume driver's)")
    return measure(what, mountpoint, VOL_FIX)


def mysql_datadir(config: Config, timeout: float) -> Space | None:
    """The data directory of MYSQL's server when it runs on this host; None when MYSQL is not local."""
    from ..checks.mysql_host import find_mysqld, is_local_host

    what = "MySQL data directory"
    if not config.server.MYSQL:
        return None
    try:
        url = MysqlURL.parse(config.server.MYSQL)
    except URLError:
        return None
    if not is_local_host(url.host):
        return None
    try:
        datadir = _ask_datadir(url, timeout)
    except Exception as exc:
        from ..checks.mysql_connect import error_message

        return Space(what, note=f"cannot ask MySQL for its datadir: {error_message(exc)}",
                     fix="run wbtui check mysql for a diagnosis")
    pids, _ = find_mysqld(url.effective_port)
    if len(pids) == 1:
        seen = Path(f"/proc/{pids[0]}/root") / datadir.lstrip("/")
        space = measure(what, str(seen), MYSQL_FIX)
        space.path = datadir  # as MySQL names it; measured through its process's root
        return space
    if pids:
        return not_visible(what, f"{datadir}: {len(pids)} database processes here, none known to be MYSQL's")
    return not_visible(what, f"{datadir} is in another filesystem namespace (a container, a VM): look there (df)")


def _ask_datadir(url: MysqlURL, timeout: float) -> str:
    from ..checks.mysql_connect import open_connection

    conn = open_connection(url, timeout, database=False)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT @@datadir")
            row = cur.fetchone()
    finally:
        conn.close()
    return str(row[0]) if row and row[0] else "/var/lib/mysql"
