"""The /vol data volume and the container's own filesystem: who may write them, and what fails when not.

The image's init script (/etc/my_init.d/02_load-settings.sh) creates /vol/env and gives /vol to the root
group (chgrp 0, chmod g+rwX), because the container runs as uid 999 (or, on OpenShift, a random uid) in
group 0. The lines below are what coreutils, Go and Python print when that is not allowed; the knock-on
(no /vol/env, so no users.htpasswd, so no default user) ranks after its cause.
"""

from __future__ import annotations

import re

from .facts import Facts, Rule

_VOL = r"['‘]?/vol(?:/[^'’:\s]*)?['’]?"

# Knock-ons of an unwritable /vol: the settings directory is missing, MySQL and MinIO cannot start.
_VOLUME_KNOCK_ONS = ("volume-default-user", "embedded-mysql-down", "embedded-mysql-datadir", "minio-down",
                     "restart-loop")

_SINGULARITY = re.compile(r"Converting SIF file|\bsingularity\b|\bapptainer\b|\.sif\b", re.IGNORECASE)
_READ_ONLY = re.compile(r"Read-only file system|chgrp: changing group of " + _VOL + r": Invalid argument",
                        re.IGNORECASE)


def singularity_read_only(facts: Facts) -> str | None:
    """Singularity/Apptainer ran the image read-only: its own lines, and a write the image's init needs refused."""
    if not any(_SINGULARITY.search(line) for line in facts.lines):
        return None
    return next((line for line in facts.lines if _READ_ONLY.search(line)), None)


_MAKE_WRITABLE = (
    "A host directory: `sudo chown -R 999:0 DIR && sudo chmod -R "
    "g+rwX DIR` (999 is the image's uid; with `runtime.uid` set, use that uid, always group 0). Or use a "
    "Docker named volume (`wbtui config set runtime.volume wandb`), which Docker creates with the right "
    "owner. On OpenShift or with a non-root policy run with UID >= 100000 and GID 0 (`wbtui config set "
    "runtime.uid 100000` and `runtime.gid 0`; in Kubernetes runAsUser: 100000, runAsGroup: 0), as the "
    "guide's OpenShift section says."
)
_FIX_OWNER = "Give /vol to the container's user. " + _MAKE_WRITABLE

_IMAGE_UID = 999
_OPENSHIFT_MIN_UID = 100000


def unsupported_uid(facts: Facts) -> str | None:
    """runtime.uid/gid outside what the image supports: its own uid 999, or uid >= 100000 in group 0."""
    if facts.config is None or facts.config.runtime.uid is None:
        return None
    uid, gid = facts.config.runtime.uid, facts.config.runtime.gid
    if uid == _IMAGE_UID or (uid >= _OPENSHIFT_MIN_UID and gid == 0):
        return None
    return f"runtime.uid {uid}, runtime.gid {'unset' if gid is None else gid}"


RULES: tuple[Rule, ...] = (
    Rule(
        "volume-permissions", "No permission to write the data volume", "critical",
        "The container's user cannot create files in /vol ({path}): the host directory mounted there is "
        "owned by another user (a directory made by root or another account, an NFS export with "
        "root_squash), or the container runs with a UID/GID the directory does not admit (a random UID "
        "without GID 0). MySQL, MinIO and the settings in /vol/env then cannot start.",
        _FIX_OWNER + " An NFS export with root_squash: export it with the container's uid/gid as owner "
        "(or no_root_squash), or keep /vol on a local disk.",
        patterns=(r"mkdir: cannot create directory (?P<path>" + _VOL + r"): Permission denied",
                  r"(?:mkdir|open|create) (?P<path>/vol[^\s:]*): permission denied"),
        explains=_VOLUME_KNOCK_ONS,
    ),
    Rule(
        "volume-ownership", "The data volume's files belong to someone else", "critical",
        "At start the container takes /vol for its group (chgrp 0, chmod g+rwX) and the filesystem refused "
        "({path}): the files are owned by another uid (a volume copied or restored from another machine "
        "keeps its old owners), or /vol is a network share (Samba/CIFS, sshfs, NFS) that does not let the "
        "container change owners or modes.",
        "A copied or restored volume: on the host, as root, `sudo chown -R 999:0 DIR && sudo chmod -R "
        "g+rwX DIR` (the uid in `runtime.uid` if set; group 0). A network share: chown/chmod cannot work "
        "there (chmod 777 does not help), so keep /vol on a local directory or a Docker named volume "
        "(`wbtui config set runtime.volume wandb`) and back it up to the share instead; or mount the share "
        "with the container's uid/gid (CIFS `uid=999,gid=0`, sshfs `-o uid=999,gid=0`). For production, an "
        "external MySQL and bucket keep the data off /vol altogether.",
        patterns=(r"(?:chmod|chgrp|chown): changing (?:permissions|group|ownership) of (?P<path>" + _VOL +
                  r"): Operation not permitted",),
        explains=_VOLUME_KNOCK_ONS,
    ),
    Rule(
        "singularity-read-only", "Singularity/Apptainer runs the image read-only", "critical",
        "The image was converted to Singularity/Apptainer, which mounts it read-only and maps the caller's "
        "own uid: the init scripts cannot write /etc/container_environment or take /vol for group 0. W&B "
        "does not support or test Singularity.",
        "Run W&B Server under Docker or Kubernetes on a machine meant for services (the compute nodes only "
        "need to reach it). If you must use Singularity: `singularity run --writable-tmpfs --no-home -B "
        "DIR:/vol IMAGE.sif` with a writable DIR owned by you.",
        predicate=singularity_read_only, source="log",
        explains=("container-read-only", "volume-ownership", "volume-default-user", "restart-loop"),
    ),
    Rule(
        "container-read-only", "The container's own filesystem is not writable", "critical",
        "The image's init (/sbin/my_init) could not write /etc/container_environment, inside the container "
        "itself, not /vol: the container runs with a read-only root filesystem (`--read-only`, a "
        "readOnlyRootFilesystem security context) or as a user who may not write it, or the Docker "
        "installation mounts container filesystems read-only.",
        "Run the container with a writable root filesystem (no `--read-only`, readOnlyRootFilesystem: false) "
        "and its default user, or as root; if Docker itself mounts it read-only, upgrade Docker (the "
        "maintainer's advice in wandb/wandb#2883) and recreate the container: `wbtui down`, then `wbtui up`.",
        patterns=(r"(?:PermissionError|OSError): \[Errno (?:13|30)\] (?:Permission denied|Read-only file system): "
                  r"'/etc/container_environment",),
        explains=("volume-default-user", "restart-loop"),
    ),
    Rule(
        "uid-unsupported", "The container runs with a UID/GID the image does not support", "warning",
        "The image runs as uid 999, or, as the guide's OpenShift section says, as a uid of 100000 or more "
        "in group 0 (GID 0): its files and /vol are writable by group 0. Another uid, or a gid other than "
        "0, cannot write them, so MySQL, MinIO and the settings in /vol/env fail.",
        "Unset `runtime.uid` (the image's 999), or use a uid >= 100000 with gid 0: `wbtui config set "
        "runtime.uid 100000` and `wbtui config set runtime.gid 0` (Kubernetes: runAsUser: 100000, "
        "runAsGroup: 0); then chown /vol to that uid, group 0, and recreate the container.",
        predicate=unsupported_uid,
    ),
    Rule(
        "volume-default-user", "The server could not create its default user", "error",
        "The server keeps its users in /vol/env/users.htpasswd, and /vol/env does not exist: the init script "
        "could not create it, almost always because the container's user cannot write /vol (see the volume "
        "findings, or `mkdir`/`chmod`/`chgrp` lines earlier in the log).",
        "Make /vol writable by the container's user. " + _MAKE_WRITABLE
        + " Then recreate the container (`wbtui down`, `wbtui up`).",
        patterns=(r"Error adding user: open /vol/env/users\.htpasswd: no such file or directory",
                  r"panic: Can't create default user"),
        explains=("restart-loop",),
    ),
)
