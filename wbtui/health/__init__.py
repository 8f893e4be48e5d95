"""Is the server alive and ready: probes of /healthz and /ready, their history, the startup watch."""

from .history import ProbeHistory, Transition
from .probe import NoTarget, Prober, ProbeResult, Sample, Target, probe_once, probe_sync
from .watch import WatchProgress, WatchResult, run_startup_watch, startup_watch

__all__ = [
    "NoTarget", "ProbeHistory", "ProbeResult", "Prober", "Sample", "Target", "Transition", "WatchProgress",
    "WatchResult", "probe_once", "probe_sync", "run_startup_watch", "startup_watch",
]
