"""Positive and negative cases: The /vol data volume rules."""

from __future__ import annotations

from .base import Case

CASES = [
    Case("volume-permissions", True, ["ERROR Unable to initialize backend: mkdir /vol/minio/.minio.sys/tmp/"
                                      "0519aff9-4e68-40de-a96d-78fcd159aea0: permission denied"]),  # [public] #94
    Case("volume-permissions", False, ["mkdir /tmp/cache: permission denied", "*** Loading settings from /vol/env"]),
]
