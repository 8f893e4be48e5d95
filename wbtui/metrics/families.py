"""Every metric `wbtui metrics` serves: its name, help text and labels (data only; the collector builds them).

A source sets values of these names; the collector serves each family whose values exist, so a metric of a
source that did not answer is absent rather than stale.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    name: str
    help: str
    labels: tuple[str, ...] = ()


_ALL = (
    Family("wbtui_source_up", "1 when the source answered at its last sample, 0 when it (or part of it) did not",
           ("source",)),
    Family("wbtui_source_last_success_timestamp_seconds", "Unix time of the source's last complete sample",
           ("source",)),
    Family("wbtui_source_duration_seconds", "How long the source's last sample took", ("source",)),
    # the server: runtime status and probes
    Family("wbtui_server_up", "1 when /healthz answers 200 (the process is alive)"),
    Family("wbtui_server_ready", "1 when /ready answers 200 (migrations done, serving)"),
    Family("wbtui_probe_latency_seconds", "Time to the answer of the last probe of the endpoint", ("endpoint",)),
    Family("wbtui_probe_http_status", "HTTP status of the last probe of the endpoint (absent: no answer)",
           ("endpoint",)),
    Family("wbtui_server_running", "1 when the runtime reports the server's container (pod) running"),
    Family("wbtui_server_restarts", "Restart count the runtime reports, as wbtui status shows it"),
    Family("wbtui_server_uptime_seconds", "Seconds since the server's container started"),
    # checks
    Family("wbtui_check_result", "1 for the severity the check's last result has, 0 for the others",
           ("id", "store", "severity", "acknowledged")),
    # the database
    Family("wbtui_mysql_connections", "Threads_connected"),
    Family("wbtui_mysql_max_connections", "max_connections"),
    Family("wbtui_mysql_threads_running", "Threads_running, this sampler's own query left out"),
    Family("wbtui_mysql_queries_per_second", "Questions per second between the last two samples"),
    Family("wbtui_mysql_commits_per_second", "Handler_commit per second between the last two samples"),
    Family("wbtui_mysql_transactions_per_second", "Com_commit + Com_rollback per second between the last two samples"),
    Family("wbtui_mysql_slow_queries_per_second", "Slow_queries per second between the last two samples"),
    Family("wbtui_mysql_row_lock_waits_per_second", "Innodb_row_lock_waits per second between the last two samples"),
    Family("wbtui_mysql_buffer_pool_hit_ratio", "InnoDB page reads served from the buffer pool (0-1)"),
    Family("wbtui_mysql_uptime_seconds", "The server's Uptime"),
    Family("wbtui_mysql_replica_lag_seconds", "Seconds_Behind_Master of this server's replica side"),
    Family("wbtui_mysql_replica_running", "1 when both replica threads (I/O and SQL) run"),
    Family("wbtui_mysql_cpu_percent", "The database process's share of this host's CPU (when it runs here)"),
    Family("wbtui_mysql_cpu_starved", "1 when the CPU has stayed above 40% for 5 minutes (the guide's rule)"),
    # storage
    Family("wbtui_storage_bucket_objects", "Objects under the W&B bucket/prefix", ("bucket",)),
    Family("wbtui_storage_bucket_bytes", "Bytes under the W&B bucket/prefix", ("bucket",)),
    Family("wbtui_storage_bucket_exact", "1 when the bucket figures are exact, 0 when estimated", ("bucket",)),
    Family("wbtui_storage_bucket_growth_bytes_per_day", "Bucket growth per day from the kept samples", ("bucket",)),
    Family("wbtui_storage_free_bytes", "Bytes free for unprivileged writers where W&B's data lands", ("place", "path")),
    Family("wbtui_storage_size_bytes", "Size of the filesystem where W&B's data lands", ("place", "path")),
    Family("wbtui_storage_free_ratio", "Free share (0-1) of the filesystem where W&B's data lands", ("place", "path")),
    # backups
    Family("wbtui_backup_found", "1 when a complete, not failed backup was found"),
    Family("wbtui_backup_newest_timestamp_seconds", "Unix time of the newest complete, not failed backup"),
    Family("wbtui_backup_age_seconds", "Seconds since the newest complete, not failed backup (at the scrape)"),
    # the front door
    Family("wbtui_certificate_expiry_timestamp_seconds", "Unix time HOST's certificate expires"),
    Family("wbtui_certificate_days_left", "Days until HOST's certificate expires (at the scrape)"),
    Family("wbtui_certificate_trusted", "1 when this machine's CA store trusts HOST's certificate chain"),
    Family("wbtui_certificate_name_matches", "1 when HOST's certificate names HOST"),
)

FAMILIES: dict[str, Family] = {f.name: f for f in _ALL}

DERIVED: dict[str, tuple[str, float, float]] = {
    "wbtui_backup_age_seconds": ("wbtui_backup_newest_timestamp_seconds", -1.0, 1.0),
    "wbtui_certificate_days_left": ("wbtui_certificate_expiry_timestamp_seconds", 1.0 / 86400, -1.0 / 86400),
}
"""Figures that age between samples, computed at the scrape from a cached time: name -> (source metric, a, b)
for ``a * value + b * now``."""
