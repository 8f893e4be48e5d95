"""CPU and memory quantities (2, 500m, 8Gi, 512M): parsed once for validation and every renderer.

Only the suffixes that Kubernetes and Docker read the same way are accepted, so a
value that validates means the same on both backends.
"""

from __future__ import annotations

import re

# No "K", "m" or "E": Kubernetes and Docker disagree on them (or one lacks them).
_SUFFIX = {"k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
           "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}
_MEMORY = re.compile(r"([0-9]+(?:\.[0-9]+)?)([A-Za-z]*)")
_CPU = re.compile(r"([0-9]+(?:\.[0-9]+)?)(m?)")


def memory_bytes(value: str) -> float | None:
    """Bytes of a memory quantity (8G, 8Gi, 512M, 1000000), or None when malformed."""
    m = _MEMORY.fullmatch(str(value))
    if not m or (m[2] and m[2] not in _SUFFIX):
        return None
    return float(m[1]) * (_SUFFIX[m[2]] if m[2] else 1)


def cpu_cores(value: str) -> float | None:
    """Cores of a CPU quantity (2, 1.5, 500m), or None when malformed."""
    m = _CPU.fullmatch(str(value))
    if not m:
        return None
    return float(m[1]) / (1000 if m[2] else 1)
