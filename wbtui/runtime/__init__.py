"""Running the server: one interface, a Docker and a Kubernetes backend."""

from .base import Runtime, RuntimeProblem, runtime_for

__all__ = ["Runtime", "RuntimeProblem", "runtime_for"]
