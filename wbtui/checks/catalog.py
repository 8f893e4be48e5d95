"""Every datastore check by id, with its title: the ids an operator may acknowledge.

The checks themselves name their ids where they run (mysql.py, s3.py); this list is what
a command can offer before running anything (tests/test_acknowledged.py keeps the two equal).
"""

from __future__ import annotations

CHECKS: dict[str, str] = {
    "mysql.config": "MySQL configured",
    "mysql.connect": "Connect",
    "mysql.server": "Server version",
    "mysql.charset": "Database charset",
    "mysql.privileges": "Privileges",
    "mysql.write": "Write test",
    "mysql.settings": "Recommended settings",
    "mysql.binlog": "Binary log and backups",
    "mysql.load": "Load",
    "mysql.replication": "Hot standby",
    "mysql.cpu": "CPU (this host)",
    "mysql.from_container": "Connect from the container",
    "mysql.backup": "Newest backup",
    "s3.config": "BUCKET setting",
    "s3.queue": "BUCKET_QUEUE",
    "s3.endpoint": "Endpoint reachable",
    "s3.credentials": "Access key and secret",
    "s3.bucket": "Bucket exists",
    "s3.location": "Bucket region",
    "s3.objects": "Object round trip",
    "s3.signed_urls": "Signed URLs",
    "s3.cors": "CORS rules",
    "s3.cors_preflight": "CORS preflight",
}


def store_of(check_id: str) -> str:
    """``mysql.server`` → ``mysql``: the store whose run produces the check."""
    return check_id.split(".", 1)[0]
