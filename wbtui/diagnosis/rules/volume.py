"""The /vol data volume: who may write it and what the server makes of it at start."""

from __future__ import annotations

from .facts import Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "volume-permissions", "No permission to write the data volume", "critical",
        "The container's user cannot write /vol (a host directory owned by another UID, or an "
        "OpenShift random UID without GID 0).",
        "chown the volume to the container's UID (999 by default) or run with UID >= 100000 and "
        "GID 0 (`wbtui config set runtime.gid 0`).",
        patterns=(r"(mkdir|open|create) /vol[^\s:]*: permission denied",),
    ),
)
