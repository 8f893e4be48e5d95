"""The scheduled backup on Kubernetes: a CronJob that runs mysqldump in a MySQL client image into a volume claim.

The credentials come from the Deployment's own Secret (its ``MYSQL`` key, through ``secretKeyRef``): the script
takes the password out of that URL (the last ``@`` ends the credentials and the first ``:`` splits them, as wbtui
reads MYSQL), percent-decodes it with shell built-ins, removes MYSQL from the environment its children get and
hands the password to mysqldump in a 0600 option file, never in an argv. Host, port,
user and database are not secret and come as plain values. The dump is as consistent as ``wbtui backup``'s
(one snapshot, routines, triggers, events, utf8mb4), is gzipped into a hidden file renamed into place when
complete, and only after a good dump are files older than ``backup.keep`` removed, so the newest stays.
"""

from __future__ import annotations

from typing import Any

from ...config.backup import Schedule, parse_keep
from ...config.model import Config
from ...config.urls import MysqlURL

BACKUP_DIR = "/backups"
RUN_AS = 999
"""The mysql user of the official MySQL images: the job runs as it, never as root."""

SCRIPT = r"""set -eu
umask 077
pct() {
  s=$1 out=
  while [ -n "$s" ]; do
    case $s in
      %[0-9A-Fa-f][0-9A-Fa-f]*)
        h=${s#%}; h=${h%"${h#??}"}
        out=$out$(printf "\\$(printf %03o "0x$h")")
        s=${s#%??} ;;
      *) c=${s%"${s#?}"}; out=$out$c; s=${s#?} ;;
    esac
  done
  printf '%s' "$out"
}
esc() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
userinfo=${MYSQL#mysql://}
unset MYSQL  # no child process gets the URL in its environment
userinfo=${userinfo%@*}
password=$(pct "${userinfo#*:}")
work=$(mktemp -d)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
name="$DB_NAME-$stamp.sql.gz"
partial="$BACKUP_DIR/.$name.partial"
trap 'rm -rf "$work" "$partial"' EXIT
printf '[client]\nuser="%s"\npassword="%s"\n' "$(esc "$DB_USER")" "$(esc "$password")" > "$work/client.cnf"
extra=
help=$(mysqldump --help 2>/dev/null || true)
case $help in *set-gtid-purged*) extra="$extra --set-gtid-purged=OFF" ;; esac
case $help in *column-statistics*) extra="$extra --column-statistics=0" ;; esac
{ if mysqldump --defaults-extra-file="$work/client.cnf" --host="$DB_HOST" --port="$DB_PORT" --protocol=TCP \
    --single-transaction --quick --routines --triggers --events --default-character-set=utf8mb4 --hex-blob \
    --no-tablespaces --max-allowed-packet=1G $extra "$DB_NAME" 2>"$work/stderr"
  then echo 0 > "$work/rc"; else echo $? > "$work/rc"; fi; } | gzip -c > "$partial"
if [ "$(cat "$work/rc")" != 0 ]; then
  echo "mysqldump failed (exit $(cat "$work/rc")): $(tail -c 2000 "$work/stderr")" >&2
  echo "nothing was written; check the MYSQL secret and that the database answers (wbtui check mysql)" >&2
  exit 1
fi
mv "$partial" "$BACKUP_DIR/$name"
echo "backup written: $BACKUP_DIR/$name ($(wc -c < "$BACKUP_DIR/$name") bytes)"
find "$BACKUP_DIR" -maxdepth 1 -type f -name "$DB_NAME-*.sql.gz" -mmin "+$KEEP_MINUTES" -print -exec rm -f {} +
"""


def backup_names(config: Config) -> dict[str, str]:
    base = config.kubernetes.name
    return {"cronjob": f"{base}-backup", "claim": f"{base}-backups"}


def _labels(config: Config) -> dict[str, str]:
    """Not the Deployment's selector (app.kubernetes.io/name: NAME): its status must never count a backup pod."""
    return {"app.kubernetes.io/name": backup_names(config)["cronjob"],
            "app.kubernetes.io/part-of": config.kubernetes.name, "app.kubernetes.io/managed-by": "wbtui"}


def _meta(config: Config, name: str) -> dict[str, Any]:
    return {"name": name, "namespace": config.kubernetes.namespace, "labels": _labels(config)}


def claim(config: Config) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": _meta(config, backup_names(config)["claim"]),
            "spec": {"accessModes": ["ReadWriteOnce"],
                     "resources": {"requests": {"storage": config.backup.claim_size}}}}


def cronjob(config: Config, schedule: Schedule, secret_name: str) -> dict[str, Any]:
    """The CronJob for MYSQL's database (which must parse: see ``skipped``)."""
    url = MysqlURL.parse(config.server.MYSQL)
    keep_minutes = int(parse_keep(config.backup.keep).total_seconds() // 60)
    env = [
        {"name": "MYSQL", "valueFrom": {"secretKeyRef": {"name": secret_name, "key": "MYSQL"}}},
        {"name": "DB_HOST", "value": url.host.strip("[]")},
        {"name": "DB_PORT", "value": str(url.effective_port)},
        {"name": "DB_USER", "value": url.user},
        {"name": "DB_NAME", "value": url.database},
        {"name": "BACKUP_DIR", "value": BACKUP_DIR},
        {"name": "KEEP_MINUTES", "value": str(keep_minutes)},
    ]
    container = {
        "name": "backup",
        "image": config.backup.image,
        "imagePullPolicy": "IfNotPresent",
        "command": ["/bin/sh", "-c", SCRIPT],
        "env": env,
        "volumeMounts": [{"name": "backups", "mountPath": BACKUP_DIR}, {"name": "tmp", "mountPath": "/tmp"}],
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
    }
    pod = {
        "restartPolicy": "Never",
        "securityContext": {"runAsNonRoot": True, "runAsUser": RUN_AS, "runAsGroup": RUN_AS, "fsGroup": RUN_AS,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [container],
        "volumes": [{"name": "backups", "persistentVolumeClaim": {"claimName": backup_names(config)["claim"]}},
                    {"name": "tmp", "emptyDir": {}}],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _meta(config, backup_names(config)["cronjob"]),
        "spec": {
            "schedule": schedule.cron,
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 3600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {"spec": {
                "backoffLimit": 1,
                "template": {"metadata": {"labels": _labels(config)}, "spec": pod},
            }},
        },
    }


def skipped(config: Config) -> str:
    """Why no CronJob can be rendered for this config ('' when one can)."""
    from ...config.urls import URLError

    if not config.server.MYSQL.strip():
        return ("MYSQL is empty: the database is embedded in the W&B container and a CronJob cannot dump it; "
                "set MYSQL to an external MySQL")
    try:
        MysqlURL.parse(config.server.MYSQL)
        parse_keep(config.backup.keep)
    except (URLError, ValueError) as exc:
        return f"{exc}; fix it (wbtui config validate) and render again"
    return ""
