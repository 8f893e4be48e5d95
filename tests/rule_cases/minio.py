"""Positive and negative cases: the embedded object store (MinIO on 127.0.0.1:9000 inside the container).

Every line is copied from the public report named next to it.
"""

from __future__ import annotations

from .base import MINIO_DOWN, Case, config

SUBMOUNT = ("ERROR Invalid command line arguments: Cross-device mounts detected on path (/vol/minio) at following "
            "locations [/vol/minio/local-files/xxxxxx/warehouse]. Export path should not have any sub-mounts, "
            "refusing to start.")  # [public] wandb/server#35
REFUSED_FILE = ('RequestError (500): send request failed (original: Get "http://127.0.0.1:9000/local-files/yang***/'
                '*****/3k2xr8hc/wandb-metadata.json": dial tcp 127.0.0.1:9000: connect: connection refused)'
                )  # [public] wandb/server#35
FS_BACKEND = ("ERROR Unable to use the drive /vol/minio: Drive /vol/minio: found backend type fs, expected xl or "
              "xl-single - to migrate to a supported backend visit https://min.io/docs/minio/linux/operations/"
              "install-deploy-manage/migrate-fs-gateway.html: Invalid arguments specified")  # [public] wandb/server#98
FS_BACKEND_MINIO = ("ERROR Unable to use the drive /mnt/datafs/data: Drive /mnt/datafs/data: found backend type fs, "
                    "expected xl or xl-single: Invalid arguments specified")  # [public] minio/minio#15999
MINIO_MKDIR = ("ERROR Unable to initialize backend: mkdir /vol/minio/.minio.sys/tmp/"
               "0519aff9-4e68-40de-a96d-78fcd159aea0: permission denied")  # [public] wandb/server#94
INSUFFICIENT = ("requests.exceptions.HTTPError: 507 Server Error: Insufficient Storage "
                "for url:")  # [public] wandb/server#14
FORBIDDEN = ('wandb: ERROR Error uploading "wandb-metadata.json": CommError, '
             '<Response [403]>')  # [public] wandb/server#108
EMBEDDED_MYSQL_REFUSED = "panic: dial tcp 127.0.0.1:3306: connect: connection refused"  # [public] wandb/server#39
EXTERNAL_BUCKET = "s3://AKIAEXAMPLE:secret@s3.example.com/wandb"

CASES = [
    Case("minio-submount", True, [REFUSED_FILE, SUBMOUNT]),
    Case("minio-submount", False, [FS_BACKEND]),
    Case("minio-legacy-backend", True, [MINIO_DOWN, FS_BACKEND]),
    Case("minio-legacy-backend", True, [FS_BACKEND_MINIO]),
    Case("minio-legacy-backend", False, [MINIO_MKDIR]),
    Case("minio-disk-full", True, [INSUFFICIENT]),
    Case("minio-disk-full", False, [FORBIDDEN]),
    Case("minio-down", True, [MINIO_DOWN]),  # BUCKET empty: the embedded MinIO
    Case("minio-down", True, [REFUSED_FILE]),
    Case("minio-down", False, [MINIO_DOWN], config=config(bucket=EXTERNAL_BUCKET)),
    Case("minio-down", False, [EMBEDDED_MYSQL_REFUSED]),
]
