"""CPU and memory quantities: the suffixes Kubernetes and Docker read alike, nothing else."""

from __future__ import annotations

from wbtui.config.quantities import cpu_cores, memory_bytes


def test_quantities() -> None:
    assert cpu_cores("500m") == 0.5 and cpu_cores("1.5") == 1.5 and cpu_cores("٣") is None
    assert memory_bytes("8Gi") == 8 * 2**30 and memory_bytes("8G") == 8e9
    assert memory_bytes("8m") is None and memory_bytes("8E") is None
