"""Every diagnosis rule's cases, one module per rule family (as wbtui/diagnosis/rules/ is split).

Lines marked [public] are copied from public reports (the source next to them);
tests/diagnosis_corpus/ holds whole real reports. A family module's CASES list
is all its owner edits.
"""

from __future__ import annotations

from . import host, kubernetes, license, minio, mysql, network, redis, runtime, storage, volume
from .base import Case

CASES: list[Case] = [*license.CASES, *mysql.CASES, *storage.CASES, *minio.CASES, *network.CASES, *volume.CASES,
                     *runtime.CASES, *kubernetes.CASES, *host.CASES, *redis.CASES]
