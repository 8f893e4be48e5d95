"""The Docker backend: the guide's `docker run` of wandb/local, kept in step with the config.

It finds its container again by name plus the labels it puts on it, and never
touches a same-named container it did not create. The config's hash is a label
too: deploy recreates the container (keeping the /vol volume) only when the
config changed. Calls block; the SDK is imported on first use.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..base import (
    ImageMissing,
    LogLine,
    NameConflict,
    NotDeployed,
    Runtime,
    RuntimeEvent,
    RuntimeProblem,
    ServerStatus,
)
from .connect import connect, docker_host, endpoint
from .engine import identify, is_podman, local_info, ping_headers, short_image, with_platform
from .errors import adopt_fix, image_fix, translated
from .spec import HASH_LABEL, UNIT_LABEL, is_host_path, is_ours, labelled_spec
from .status import (
    CPU_MEASURING,
    DockerUsage,
    cgroup_files,
    cpu_percent_between,
    cpu_usage_usec,
    event_from_docker,
    memory_from_cgroup,
    state_key,
    stats_cpu_reading,
    status_from_inspect,
    usage_from_stats,
)

if TYPE_CHECKING:
    from ...config.masking import Redactor
    from ...config.model import Config
    from ..logstream import ThreadStream
    from .engine import Engine
    from .status import CgroupFiles

STOP_TIMEOUT = 30
EVENTS_WINDOW = timedelta(hours=24)
EVENTS_REUSE = 60.0
"""Seconds a read of the events stands while every status() since shows the same state (``state_key``)."""
_PROGRESS_EVERY = 0.25


def _up(attrs: dict[str, Any]) -> bool:
    """Running, or between two runs of its restart policy: a stop is needed before a start or a removal."""
    state = attrs.get("State") or {}
    # Podman: "stopped" is an ended run whose cleanup (where its restart policy starts it again) is not done yet
    return bool(state.get("Running") or state.get("Restarting") or state.get("Status") == "stopped")


class DockerRuntime(Runtime):
    backend = "docker"

    def __init__(self, config: Config, *, pull: bool = True, labels: dict[str, str] | None = None) -> None:
        """``pull``: pull a missing image; ``labels``: extra labels for the container and its volume."""
        super().__init__(config, pull=pull)
        self.labels = dict(labels or {})
        self.timeout = max(float(config.app.timeout), 1.0)
        """Connecting and quick questions (ping, inspect)."""
        self.op_timeout = max(60.0, 6 * self.timeout)
        """Reads during operations that take a while (create, pull progress, stats)."""
        self._client: Any = None
        self._inspected: tuple[float, dict[str, Any]] | None = None
        """The last inspect by status() and when: usage() right after it needs no second one."""
        self._cpu: tuple[str, str, int, int, float] | None = None
        """The last CPU reading (container ID, source, container CPU, system CPU or 0, monotonic time)."""
        self._engine: Engine | None = None
        self._state_seen: tuple[float, tuple[Any, ...]] | None = None
        """When status() last inspected, and the state it saw."""
        self._events_read: tuple[float, tuple[Any, ...] | None, list[RuntimeEvent]] | None = None
        """The last default-window events read: when, the state seen before it, what it returned."""

    @property
    def name(self) -> str:
        return self.config.runtime.container_name

    @cached_property
    def redactor(self) -> Redactor:
        """Log lines and messages: the logs policy (see config/masking)."""
        from ...config import masking

        return masking.logs(self.config)

    # -- connection -------------------------------------------------------------------------

    def new_client(self) -> Any:
        """A client for DOCKER_HOST (or the default socket), checked with a short timeout."""
        return connect(self.timeout, self.op_timeout)

    def client(self) -> Any:
        if self._client is None:
            self._client = self.new_client()
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self._engine = None

    def engine(self, client: Any = None) -> Engine:
        """Docker or Podman, its version and whether rootless: asked once per connection (see engine.py)."""
        if self._engine is not None and client in (None, self._client):
            return self._engine
        client = client or self.client()
        with translated("ask the daemon which engine it is", timeout=self.timeout):
            headers = ping_headers(client)
            info = None
            if is_podman(headers):
                info = local_info(docker_host()) or client.info()
            engine = identify(headers, info)
        if client is self._client:
            self._engine = engine
        return engine

    def inspect(self, client: Any = None) -> dict[str, Any] | None:
        """Our container's ``docker inspect``; None when there is none; NameConflict for a stranger's."""
        import docker.errors

        client = client or self.client()
        with translated("inspect the container", timeout=self.timeout):
            try:
                attrs = client.api.inspect_container(self.name)
            except docker.errors.NotFound:
                return None
        if attrs.get("Name", "").lstrip("/") != self.name:  # matched an ID prefix, not the name
            return None
        if not is_ours((attrs.get("Config") or {}).get("Labels"), self.name):
            raise NameConflict(f"a container named {self.name} exists but was not created by wbtui",
                               adopt_fix(self.name))
        return dict(attrs)

    def _require(self, client: Any) -> dict[str, Any]:
        attrs = self.inspect(client)
        if attrs is None:
            raise NotDeployed(f"no container {self.name} on this host", "deploy it: wbtui up")
        return attrs

    def _refuse_if_unit(self, attrs: dict[str, Any] | None, action: str) -> None:
        """Refuse to change a container a systemd unit runs: systemd would fight the change."""
        unit = ((attrs or {}).get("Config") or {}).get("Labels", {}).get(UNIT_LABEL)
        if unit:
            raise RuntimeProblem(f"cannot {action} {self.name}: the systemd unit {unit} runs it",
                                 f"systemctl {'restart' if action in ('deploy', 'restart') else action} {unit}"
                                 f" (after a config change: wbtui service install, then systemctl restart {unit})")

    # -- lifecycle --------------------------------------------------------------------------

    def deploy(self) -> str:
        return self._deploy(self.config)

    def replaced_by_deploy(self) -> str:
        """Our name when a container runs with another configuration than the saved one (deploy recreates it)."""
        client = self.client()
        attrs = self.inspect(client)
        if attrs is None or not (attrs.get("State") or {}).get("Running"):
            return ""
        with translated("ask the daemon about the host"):
            host_cpus = client.info().get("NCPU")
        wanted = labelled_spec(self.config, host_cpus=host_cpus)["labels"][HASH_LABEL]
        return "" if attrs["Config"]["Labels"].get(HASH_LABEL) == wanted else self.name

    def _deploy(self, config: Config) -> str:
        client = self.client()
        with translated("ask the daemon about the host"):
            host_cpus = client.info().get("NCPU")
        spec = labelled_spec(config, host_cpus=host_cpus)
        spec["labels"] = {**self.labels, **spec["labels"]}
        attrs = self.inspect(client)
        self._refuse_if_unit(attrs, "deploy")
        if attrs is not None and attrs["Config"]["Labels"].get(HASH_LABEL) == spec["labels"][HASH_LABEL]:
            if (attrs.get("State") or {}).get("Running"):
                return f"{self.name} is up to date and running ({spec['image']})"
            self._start(client, attrs["Id"])
            return f"started {self.name} ({spec['image']}, configuration unchanged)"
        self.ensure_image(client, spec["image"])
        self._ensure_volume(client, config)
        if attrs is not None:
            self.report(f"removing the old {self.name} (volume kept)")
            self._stop_and_remove(client, attrs)
        port = f"{config.runtime.bind_address or '0.0.0.0'}:{config.runtime.port}"
        with translated("create the container", image=spec["image"], name=self.name, port=port):
            container = client.containers.create(**spec)
        self._start(client, container.id, port)
        verb = "recreated" if attrs is not None else "created"
        why = " (configuration changed, volume kept)" if attrs is not None else ""
        return f"{verb} and started {self.name} from {spec['image']}{why}{self._engine_notes(client, spec)}"

    def _engine_notes(self, client: Any, spec: dict[str, Any]) -> str:
        """What this engine does differently with the new container, said once where it was created."""
        engine = self.engine(client)
        notes = []
        if not engine.limits_apply and (spec.get("mem_limit") or spec.get("nano_cpus")):
            notes.append("rootless Podman on cgroup v1 ignores runtime.memory_limit and runtime.cpu_limit "
                         "(no cgroup delegation): run Podman as root, or on a cgroup v2 host")
        note = engine.reboot_note(spec["restart_policy"]["Name"])
        if note:
            notes.append(note)
        return "".join(f"; {n}" for n in notes)

    def _start(self, client: Any, container_id: str, port: str = "") -> None:
        if not port:
            port = f"{self.config.runtime.bind_address or '0.0.0.0'}:{self.config.runtime.port}"
        with translated("start the container", name=self.name, port=port):
            client.api.start(container_id)

    def _stop_and_remove(self, client: Any, attrs: dict[str, Any]) -> None:
        if _up(attrs):
            self._stop(client, attrs["Id"], STOP_TIMEOUT, "remove the container")
        with translated("remove the container", name=self.name):
            client.api.remove_container(attrs["Id"], v=False)

    def ensure_image(self, client: Any, image: str) -> bool:
        """Make ``image`` local: True when it had to be pulled; ImageMissing when it cannot be."""
        import docker.errors

        with translated("look up the image", image=image):
            try:
                client.images.get(image)
                return False
            except docker.errors.ImageNotFound:
                pass
        if not self.pull:
            raise ImageMissing(f"image {image} is not on this host (pulling is off)", image_fix(image))
        self._pull(client, image)
        return True

    def _pull(self, client: Any, image: str) -> None:
        from docker.utils import parse_repository_tag

        repository, tag = parse_repository_tag(image)
        layers: dict[str, tuple[int, int]] = {}
        last = 0.0
        self.report(f"pulling {image}")
        with translated("pull the image", image=image, timeout=self.op_timeout):
            for event in client.api.pull(repository, tag=tag or "latest", stream=True, decode=True):
                if event.get("error"):
                    detail = " ".join(str(event["error"]).split())
                    raise ImageMissing(f"image {image} is not on this host and could not be pulled ({detail})",
                                       image_fix(image))
                layer, status = event.get("id", ""), event.get("status", "")
                counts = event.get("progressDetail") or {}
                if layer and counts.get("total"):
                    layers[layer] = (int(counts.get("current", 0)), int(counts["total"]))
                elif layer and status in ("Download complete", "Pull complete", "Already exists"):
                    total = layers.get(layer, (0, 0))[1]
                    layers[layer] = (total, total)
                now = time.monotonic()
                if now - last >= _PROGRESS_EVERY or status.startswith(("Digest", "Status")):
                    last = now
                    done = sum(c for c, _ in layers.values())
                    total = sum(t for _, t in layers.values())
                    self.report(f"pulling {image}: {len(layers)} layers", done, total or None)
        self.report(f"pulled {image}")

    def _ensure_volume(self, client: Any, config: Config) -> None:
        import docker.errors

        from .spec import MANAGED_BY, MANAGED_BY_VALUE

        volume = config.runtime.volume
        if not volume or is_host_path(volume):
            return
        with translated("create the data volume"):
            try:
                client.volumes.get(volume)
            except docker.errors.NotFound:
                client.volumes.create(volume, labels={**self.labels, MANAGED_BY: MANAGED_BY_VALUE})

    def start(self) -> str:
        client = self.client()
        attrs = self._require(client)
        self._refuse_if_unit(attrs, "start")
        if (attrs.get("State") or {}).get("Running"):
            return f"{self.name} is already running"
        self._start(client, attrs["Id"])
        return f"started {self.name}"

    def stop(self, timeout: float = STOP_TIMEOUT) -> str:
        client = self.client()
        attrs = self._require(client)
        self._refuse_if_unit(attrs, "stop")
        if not (attrs.get("State") or {}).get("Running"):
            return f"{self.name} is not running"
        return f"stopped {self.name} ({self._stop(client, attrs['Id'], timeout, 'stop the container')})"

    def _stop(self, client: Any, container_id: str, timeout: float, doing: str) -> str:
        """``docker stop``, saying what it does while it waits (a server ignoring SIGTERM takes the whole timeout).

        Returns how it ended and how long it took (``exit 137 after SIGKILL, 30 s``).
        """
        self.report(f"stopping {self.name}: SIGTERM, SIGKILL after {timeout:.0f} s")
        began = time.monotonic()
        with translated(doing, name=self.name):
            client.api.stop(container_id, timeout=int(timeout))
        ended = f"{self._exit(client)}, {time.monotonic() - began:.0f} s"
        self.report(f"stopped {self.name} ({ended})")
        return ended

    def _exit(self, client: Any) -> str:
        """How the stopped container ended: ``exit 0``, or ``exit 137 after SIGKILL`` when it ignored SIGTERM."""
        state = ((self.inspect(client) or {}).get("State") or {})
        code = int(state.get("ExitCode") or 0)
        if state.get("OOMKilled"):
            return f"exit {code}: out of memory"
        return f"exit {code} after SIGKILL" if code == 137 else f"exit {code}"

    def restart(self) -> str:
        """``docker restart`` as its two steps, each reported (the stop alone may take the whole timeout)."""
        client = self.client()
        attrs = self._require(client)
        self._refuse_if_unit(attrs, "restart")
        stopped = ""
        if _up(attrs):
            stopped = f" (stopped: {self._stop(client, attrs['Id'], STOP_TIMEOUT, 'restart the container')})"
        self.report(f"starting {self.name}")
        self._start(client, attrs["Id"])
        self.report(f"started {self.name}")
        return f"restarted {self.name}{stopped}"

    def remove(self, purge: bool = False) -> str:
        import docker.errors

        client = self.client()
        attrs = self.inspect(client)
        self._refuse_if_unit(attrs, "stop")
        done = []
        if attrs is not None:
            self._stop_and_remove(client, attrs)
            done.append(f"removed container {self.name}")
        volume = self.config.runtime.volume
        if not volume:
            done.append("no data volume configured")
        elif is_host_path(volume):
            done.append(f"host directory {volume} kept" + (" (delete it yourself)" if purge else ""))
        elif purge:
            with translated("remove the data volume"):
                try:
                    client.volumes.get(volume).remove()
                    done.append(f"removed volume {volume}")
                except docker.errors.NotFound:
                    done.append(f"no volume {volume}")
        else:
            done.append(f"volume {volume} kept")
        if attrs is None and not purge:
            done.insert(0, f"no container {self.name}")
        return "; ".join(done)

    def upgrade(self, tag: str) -> str:
        """Recreate from ``image:tag`` with the same volume; returns the new image (the caller saves the tag)."""
        config = self.config.copy()
        config.runtime.tag = tag
        self._deploy(config)
        return config.runtime.image_ref

    # -- watching ---------------------------------------------------------------------------

    def status(self) -> ServerStatus:
        attrs = self.inspect()
        now = time.monotonic()
        self._inspected = None if attrs is None else (now, attrs)
        self._state_seen = (now, state_key(attrs))
        engine = self.engine()
        if attrs is None:
            return ServerStatus(backend="docker", name=self.name, exists=False, state="missing",
                                message=f"no container {self.name!r} (run `wbtui up`)", engine=engine.label)
        status = status_from_inspect(attrs, self.name)
        status.engine = engine.label
        if engine.podman:
            status.image = short_image(status.image)
        return status

    # -- resource usage: the cgroup files, else the stats API; CPU from two readings -----------------------

    STATUS_STANDS = 1.0
    """Seconds a status() inspect stands for the usage() and events() asked together with it."""

    def usage(self, settle: float = 0.0) -> DockerUsage | None:
        """Memory now, and CPU since the previous call (the dashboard's refresh interval); never a 1 s stats call.

        From the container's cgroup files when the daemon is local (found from its init PID, checked against
        its ID), else the stats API's one-shot answer (no second sample; before API 1.41, the classic
        stream=False, which waits for one). The first call has no CPU percentage (``cpu_note`` "measuring")
        unless ``settle`` > 0: then it reads twice, ``settle`` seconds apart (the CLI's short sample).
        """
        client = self.client()
        kept = self._inspected
        self._inspected = None
        if kept is not None and time.monotonic() - kept[0] <= self.STATUS_STANDS:
            attrs: dict[str, Any] | None = kept[1]
        else:
            attrs = self.inspect(client)
        if attrs is None or not (attrs.get("State") or {}).get("Running"):
            return None
        if not self.engine(client).limits_apply:
            return DockerUsage(None, None, cpu_note=UNMEASURED_ROOTLESS, source="none")
        with translated("read the container's resource usage"):
            usage = self._read_usage(client, attrs)
            if usage.cpu_percent is None and usage.cpu_note == CPU_MEASURING and settle > 0:
                time.sleep(settle)
                usage = self._read_usage(client, attrs)
        return usage

    def _read_usage(self, client: Any, attrs: dict[str, Any]) -> DockerUsage:
        container_id = str(attrs.get("Id") or "")
        files = self._cgroup(attrs)
        if files is not None:
            try:
                now = time.monotonic()
                usec = cpu_usage_usec(files, _read_text)
                used, limit = memory_from_cgroup(files, _read_text, _host_memory())
            except (OSError, ValueError):
                files = None
            else:
                source = f"cgroup v{files.version}"
                return self._with_cpu(DockerUsage(None, used, limit, source=source), container_id, source,
                                      usec, 0, now, lambda prev: cpu_percent_between(prev[2], prev[4], usec, now))
        if _api_version(client) < (1, 41):
            stats = client.api.stats(container_id, stream=False)  # waits for the daemon's second sample
            classic = usage_from_stats(stats)
            return DockerUsage(classic.cpu_percent, classic.memory_bytes, classic.memory_limit_bytes,
                               source="stats API (stream=False)", cpu_window=1.0 if classic.cpu_percent else None)
        now = time.monotonic()
        stats = client.api.stats(container_id, stream=False, one_shot=True)
        classic = usage_from_stats(stats)
        reading = stats_cpu_reading(stats)
        usage = DockerUsage(None, classic.memory_bytes, classic.memory_limit_bytes, source="stats API (one-shot)")
        if reading is None:
            return usage
        total, system, online = reading

        def percent(prev: tuple[str, str, int, int, float]) -> float | None:
            cpu_delta, system_delta = total - prev[2], system - prev[3]
            return round(cpu_delta / system_delta * online * 100.0, 2) if system_delta > 0 <= cpu_delta else None

        return self._with_cpu(usage, container_id, usage.source, total, system, now, percent)

    def _with_cpu(self, usage: DockerUsage, container_id: str, source: str, cpu: int, system: int, now: float,
                  percent: Callable[[tuple[str, str, int, int, float]], float | None]) -> DockerUsage:
        previous = self._cpu
        self._cpu = (container_id, source, cpu, system, now)
        if previous is None or previous[:2] != (container_id, source):  # a new container starts from zero
            usage.cpu_note = CPU_MEASURING
            return usage
        usage.cpu_percent = percent(previous)
        usage.cpu_window = round(now - previous[4], 3)
        return usage

    def _cgroup(self, attrs: dict[str, Any]) -> CgroupFiles | None:
        """The container's cgroup files, when this host runs it (a local daemon) and they can be read."""
        pid = int((attrs.get("State") or {}).get("Pid") or 0)
        if pid <= 0 or not docker_host().startswith("unix://"):
            return None
        try:
            proc_cgroup = _read_text(f"/proc/{pid}/cgroup")
        except OSError:
            return None
        return cgroup_files(proc_cgroup, str(attrs.get("Id") or "\0"))

    def events(self, limit: int = 50, since: datetime | None = None) -> list[RuntimeEvent]:
        """The daemon's events for our container name over a bounded window (never blocks).

        The dashboard asks every refresh, right after status(): while the state that status() just saw is
        the one seen before the last read (under EVENTS_REUSE old), no event we show can have come, so that
        read is the answer and the daemon is not asked (a streamed request, ~1.3 ms of CPU).
        """
        if since is None and self._reusable_events():
            kept = self._events_read[2] if self._events_read else []
            return kept[-limit:] if limit else list(kept)
        read_at, seen = time.monotonic(), self._state_seen
        out = self._read_events(since)
        if since is None:
            self._events_read = (read_at, seen[1] if seen is not None else None, out)
        return out[-limit:] if limit else out

    def _reusable_events(self) -> bool:
        kept, seen, now = self._events_read, self._state_seen, time.monotonic()
        return (kept is not None and seen is not None and kept[1] == seen[1]
                and now - seen[0] <= self.STATUS_STANDS and 0 <= seen[0] - kept[0] < EVENTS_REUSE)

    def _read_events(self, since: datetime | None) -> list[RuntimeEvent]:
        client = self.client()
        until = datetime.now(UTC)
        since = since or until - EVENTS_WINDOW
        out: list[RuntimeEvent] = []
        filters = {"type": "container", "container": self.name}
        with translated("read the daemon's events"):
            if self.engine(client).podman:
                stream: Any = _podman_events(client, since, filters)
            else:
                # The SDK would send datetimes as whole seconds, losing what came in the last one (the start
                # just made); the API takes seconds.nanoseconds.
                stream = client.api.events(since=_api_time(since), until=_api_time(until), decode=True,
                                           filters=filters)
            try:
                for raw in stream:
                    event = event_from_docker(raw)
                    if event is not None and (event.time is None or event.time <= until):
                        out.append(event)
            finally:
                stream.close()
        return out

    def logs(
        self,
        *,
        follow: bool = True,
        tail: int | None = 200,
        since: datetime | None = None,
        timestamps: bool = False,
        previous: bool = False,
        pod: str | None = None,
    ) -> ThreadStream[LogLine]:
        """The container's log; ``pod`` does not apply (one container, no pods)."""
        from ..logstream import ThreadStream  # here: asyncio (~25 ms) is for streams, not `wbtui status`
        from .logs import DockerLogReader

        reader = DockerLogReader(self, self.redactor, follow=follow, tail=tail, since=since,
                                 timestamps=timestamps, previous=previous)
        return ThreadStream(reader, name=f"docker-logs-{self.name}")

    def running_config(self, base: Config) -> Config | None:
        """The container's settings (``docker inspect``) over ``base``; the image's own env is left out."""
        from .importer import image_env, import_docker_inspect

        client = self.client()
        attrs = self.inspect(client)
        if attrs is None:
            return None
        with translated("inspect the container's image"):
            defaults = image_env(client, attrs.get("Image", ""))
        if self.engine(client).podman:  # docker.io/wandb/local is the config's wandb/local
            attrs["Config"] = {**(attrs.get("Config") or {}),
                               "Image": short_image(str((attrs.get("Config") or {}).get("Image") or ""))}
        return import_docker_inspect(attrs, base, defaults, source=f"container {self.name}").config

    def describe(self) -> dict[str, str]:
        where = endpoint()
        shown = {"docker context": where.context} if where.context not in ("", "default") else {}
        return {"docker host": where.address, **shown, "container": self.name}

    def versions(self) -> dict[str, str]:
        """``{"docker": "24.0.5 (API 1.43, linux/amd64)"}``, or ``{"podman": "4.3.1 (Docker-compatible API ...)"}``."""
        client = self.client()
        with translated("ask the daemon for its version", timeout=self.timeout):
            version = client.version()
        key, value = with_platform(self.engine(client), version).version_entry()
        return {key: value}

    def local_url(self) -> str | None:
        bind = self.config.runtime.bind_address
        host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(bind, bind)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.config.runtime.port}"


UNMEASURED_ROOTLESS = "not measured (rootless Podman on cgroup v1: its stats are the whole session's)"


def _podman_events(client: Any, since: datetime, filters: dict[str, str]) -> Any:
    """Podman's events up to now: its endpoint answers nothing when ``until`` is already past (4.3), so it is
    asked with ``stream=false`` (what it has, then the end) and the caller cuts at ``until``."""
    from docker.types.daemon import CancellableStream
    from docker.utils import convert_filters

    api = client.api
    params = {"since": int(since.timestamp()), "stream": "false", "filters": convert_filters(filters)}
    response = api._get(api._url("/events"), params=params, stream=True)
    api._raise_for_status(response)
    return CancellableStream(api._stream_helper(response, decode=True), response)


def _api_time(when: datetime) -> str:
    """A time as the events API reads it to the nanosecond: ``1764748812.772437000``."""
    return f"{when.timestamp():.9f}"


def _read_text(path: str) -> str:
    with open(path) as fh:
        return fh.read()


def _host_memory() -> int | None:
    """This host's memory (what the stats API gives as an unlimited container's limit)."""
    try:
        for line in _read_text("/proc/meminfo").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _api_version(client: Any) -> tuple[int, ...]:
    try:
        return tuple(int(n) for n in str(client.api.api_version).split("."))
    except (AttributeError, ValueError):
        return (0,)
