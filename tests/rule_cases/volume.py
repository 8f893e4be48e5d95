"""Positive and negative cases: the /vol data volume and the container's own filesystem.

Every line is copied from the public report named next to it.
"""

from __future__ import annotations

from wbtui.config.model import Config

from .base import Case, config

MKDIR_ENV = "mkdir: cannot create directory ‘/vol/env’: Permission denied"  # [public] wandb/wandb#2941
MINIO_MKDIR = ("ERROR Unable to initialize backend: mkdir /vol/minio/.minio.sys/tmp/"
               "0519aff9-4e68-40de-a96d-78fcd159aea0: permission denied")  # [public] wandb/server#94
SAMBA_CHMOD = "chmod: changing permissions of '/vol/env': Operation not permitted  <-------"  # [public] wandb/server#33
COPIED_CHGRP = "chgrp: changing group of '/vol/env/key.pem': Operation not permitted"  # [public] wandb/server#112
OTHER_CHGRP = ("chgrp: changing group of ‘/opt/app-root/include/python3.5m’: "
               "Operation not permitted")  # [public] sclorg/django-ex#85
HTPASSWD = ("2023/08/07 07:06:18 Error adding user: open /vol/env/users.htpasswd: "
            "no such file or directory")  # [public] wandb/server#125
NO_DEFAULT_USER = "panic: Can't create default user"  # [public] wandb/server#125, wandb/wandb#2941
HTPASSWD_DUPLICATE = ("panic: invalid htpasswords file - user local@wandb.com was already "
                      "defined")  # [public] wandb/server#12
READ_ONLY_ROOTFS = ("PermissionError: [Errno 13] Permission denied: "
                    "'/etc/container_environment/PATH'")  # [public] wandb/server#13
SIF = "INFO:    Converting SIF file to temporary sandbox..."  # [public] wandb/wandb#2265
SIF_READ_ONLY = ("OSError: [Errno 30] Read-only file system: "
                 "'/etc/container_environment/BASH_FUNC_module()'")  # [public] wandb/wandb#2265
SIF_MOUNT = ("WARNING: Skipping mount /THL5/software/singularity/3.7.3/var/singularity/mnt/session/etc/r"
             "                                                             esolv.conf [files]: /etc/resolv.conf "
             "doesn't exist in container")  # [public] wandb/wandb#2362 (the report's own line wrap)
SIF_CHGRP = "chgrp: changing group of '/vol/env': Invalid argument"  # [public] wandb/wandb#2362
CLIENT_TMP = "PermissionError: [Errno 13] Permission denied: '/tmp/debug-cli.log'"  # [public] wandb/wandb#3437
LOADING = "*** Loading settings..."  # [public] wandb/wandb#2941


def with_uid(uid: int | None, gid: int | None = None) -> Config:
    c = config()
    c.runtime.uid, c.runtime.gid = uid, gid
    return c


CASES = [
    Case("volume-permissions", True, [MKDIR_ENV]),
    Case("volume-permissions", True, [MINIO_MKDIR]),
    Case("volume-permissions", False, [SAMBA_CHMOD, COPIED_CHGRP, LOADING]),
    Case("volume-permissions", False, [CLIENT_TMP, HTPASSWD]),
    Case("volume-ownership", True, [SAMBA_CHMOD]),
    Case("volume-ownership", True, [COPIED_CHGRP]),
    Case("volume-ownership", False, [OTHER_CHGRP, MKDIR_ENV]),
    Case("singularity-read-only", True, [SIF, SIF_READ_ONLY]),
    Case("singularity-read-only", True, [SIF_MOUNT, SIF_CHGRP]),
    Case("singularity-read-only", False, [READ_ONLY_ROOTFS]),  # Docker: no Singularity line
    Case("singularity-read-only", False, [SIF, LOADING]),
    Case("container-read-only", True, [READ_ONLY_ROOTFS]),
    Case("container-read-only", True, [SIF, SIF_READ_ONLY]),
    Case("container-read-only", False, [CLIENT_TMP]),
    Case("uid-unsupported", True, config=with_uid(1001, 0)),  # `docker run -u 1001:0` [public] wandb/server#39
    Case("uid-unsupported", True, config=with_uid(100000)),  # the guide's uid without its gid 0
    Case("uid-unsupported", False, config=with_uid(100000, 0)),  # the guide's OpenShift setting
    Case("uid-unsupported", False, config=with_uid(None)),
    Case("uid-unsupported", False, config=with_uid(999)),
    Case("volume-default-user", True, [HTPASSWD, NO_DEFAULT_USER]),
    Case("volume-default-user", True, [NO_DEFAULT_USER]),
    Case("volume-default-user", False, [HTPASSWD_DUPLICATE]),
]
