"""radosgw's own bucket statistics: one request instead of a listing, when an admin key is configured.

Ceph's admin API (``GET /admin/bucket?bucket=NAME&stats=true``) answers with the bucket's object count
and bytes, but only to a user with the ``buckets=read`` capability, which W&B's own key should not have.
So it is used only when ``WBTUI_RGW_ADMIN`` holds such a key (``ACCESS_KEY:SECRET_KEY``, like
``WBTUI_MYSQL_ADMIN`` never saved or shown); otherwise, or when the store is not radosgw, the listing.
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import quote

from ..checks.s3_client import S3Target

ADMIN_ENV = "WBTUI_RGW_ADMIN"
CAPS_FIX = ("give that user the capability: radosgw-admin caps add --uid USER --caps 'buckets=read', or unset "
            f"{ADMIN_ENV} to list the bucket instead")


class StatsUnavailable(Exception):
    """The statistics could not be had; the message says why (the caller lists the bucket instead)."""


def admin_keys() -> tuple[str, str] | None:
    """The configured admin key, or None; raises StatsUnavailable for a value that is not KEY:SECRET."""
    value = os.environ.get(ADMIN_ENV, "")
    if not value:
        return None
    access, sep, secret = value.partition(":")
    if not (sep and access and secret):
        raise StatsUnavailable(f"{ADMIN_ENV} is not ACCESS_KEY:SECRET_KEY")
    return access, secret


def bucket_stats(target: S3Target, bucket: str, keys: tuple[str, str]) -> tuple[int, int]:
    """(objects, bytes) of ``bucket`` from radosgw's admin API, signed with ``keys``; each request bounded by
    the target's timeout. Raises StatsUnavailable with the reason."""
    import httpx
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"{target.url.endpoint_url}/admin/bucket?bucket={quote(bucket, safe='')}&format=json&stats=true"
    request = AWSRequest(method="GET", url=url)
    S3SigV4Auth(Credentials(*keys), "s3", target.region).add_auth(request)
    try:
        answer = target.http().get(url, headers=dict(request.headers.items()))
    except httpx.HTTPError as exc:
        raise StatsUnavailable(f"the admin API did not answer ({type(exc).__name__})") from None
    if answer.status_code == 403:
        raise StatsUnavailable(f"the admin API refused the key in {ADMIN_ENV} (403 {_code(answer.text)}): {CAPS_FIX}")
    if answer.status_code != 200:
        raise StatsUnavailable(f"the store has no radosgw admin API here (HTTP {answer.status_code})")
    try:
        main = json.loads(answer.text).get("usage", {}).get("rgw.main", {})
        return int(main.get("num_objects", 0)), int(main.get("size", 0))
    except (ValueError, AttributeError, TypeError):
        raise StatsUnavailable("the admin API's answer is not radosgw's bucket statistics") from None


def _code(body: str) -> str:
    """The error code radosgw names in its JSON or XML answer ("AccessDenied")."""
    try:
        return str(json.loads(body).get("Code", ""))
    except (ValueError, AttributeError):
        found = re.search(r"<Code>([A-Za-z]+)</Code>", body)
        return found[1] if found else ""
