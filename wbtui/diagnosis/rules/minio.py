"""The embedded object store: the MinIO the container runs on 127.0.0.1:9000 when BUCKET is empty.

When it does not answer, the server's log shows the refused connections and MinIO's own log
(/var/log/minio.log inside the container, also echoed to the container log) says why: a sub-mount
under /vol/minio, a data format a newer MinIO no longer reads, a full disk, or /vol permissions
(rules/volume.py). Each cause explains the refused connections.
"""

from __future__ import annotations

from .facts import Facts, Rule


def embedded_bucket(facts: Facts) -> bool:
    """BUCKET is empty: the container runs its own MinIO on 127.0.0.1:9000, with its data in /vol/minio."""
    return facts.config is not None and not facts.config.server.BUCKET.strip()


_MINIO_LOG = "`docker exec wandb-local cat /var/log/minio.log` (the container name is runtime.container_name)"

RULES: tuple[Rule, ...] = (
    Rule(
        "minio-submount", "Another filesystem is mounted inside /vol/minio", "critical",
        "The embedded MinIO refuses to start because a path under /vol/minio is a separate mount ({path}); "
        "MinIO serves one filesystem and stops on cross-device mounts, so every file request fails.",
        "Unmount it (or move that mount outside /vol): /vol/minio must be one filesystem. Keep other disks "
        "out of the data volume; to put the files on a larger disk, mount that disk at /vol itself (or use "
        "an external bucket). Then recreate the container: `wbtui down`, `wbtui up`.",
        patterns=(r"Cross-device mounts detected on path \(/vol/minio\) at following locations "
                  r"\[(?P<path>[^\]]+)\]",
                  r"Export path should not have any sub-mounts"),
        explains=("minio-down",),
    ),
    Rule(
        "minio-legacy-backend", "The embedded MinIO cannot read its old data format", "critical",
        "The data in /vol/minio was written by an old MinIO in its \"fs\" format, and the MinIO in this image "
        "no longer reads it (MinIO removed the fs backend in late 2022); it refuses the drive, so file "
        "requests fail. This happens on upgrades from old wandb/local versions.",
        "Move to wandb/local 0.25.0 or newer (`wbtui upgrade TAG`), which handles volumes created by old "
        "versions (wandb/server#98); do not downgrade over the volume. Back up /vol first. If it persists, "
        "send W&B support the layout of /vol/minio (`find /vol/minio -maxdepth 3`).",
        patterns=(r"found backend type fs, expected xl or xl-single",),
        explains=("minio-down",),
    ),
    Rule(
        "minio-disk-full", "The object store is out of space", "critical",
        "The object store answered 507 Insufficient Storage: the disk holding its data (/vol/minio for the "
        "embedded MinIO) is full, or below MinIO's free-space threshold, so uploads fail.",
        "Free space on the volume's disk (`docker system df`, `df -h` on the volume's path; delete old runs "
        "and artifacts in the UI) or move /vol to a larger disk; for production use an external bucket.",
        patterns=(r"507 (?:Server Error: )?Insufficient Storage", r"XMinioStorageFull"),
        explains=("minio-down",),
    ),
    Rule(
        "minio-down", "The embedded object store is not answering", "critical",
        "BUCKET is empty, so the container runs its own MinIO on 127.0.0.1:9000, and it refuses "
        "connections: it did not start or it stopped. File uploads and downloads fail.",
        "Read MinIO's own log: " + _MINIO_LOG + ". Its usual causes are /vol permissions, another "
        "filesystem mounted under /vol/minio, an old data format after an upgrade and a full disk (other "
        "findings name them). Recreate the container after fixing it (`wbtui down`, `wbtui up`).",
        patterns=(r"dial tcp (?:127\.0\.0\.1|localhost|\[::1\]):9000: connect: connection refused",),
        when=embedded_bucket,
    ),
)
