"""The Docker engine the tests use, the W&B stand-in image, and cleanup of test containers.

Used by the pytest fixtures and by ``scripts/services.py``. Nothing is ever pulled:
the stand-in is built ``FROM scratch`` from tests/standin/ and Debian's static busybox.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.services.base import Process, ServiceError, require_binaries, wait_for

if TYPE_CHECKING:
    import docker

STANDIN_TAG = "wbtui-test/local:dev"
STANDIN_DIRTY_TAG = "wbtui-test/local:dirty"
"""The same build with crash mode as its default: a tag an upgrade to fails on a dirty migration (wandb/server#16)."""
STANDIN_TAGS = {STANDIN_TAG: "normal", STANDIN_DIRTY_TAG: "crash"}
"""Every tag of the stand-in and its STANDIN_DEFAULT_MODE build argument."""
STANDIN_DIR = Path(__file__).resolve().parent.parent / "standin"
STANDIN_FILES = ("Dockerfile", "entrypoint.sh", "http.sh")
CORPUS_DIR = STANDIN_DIR.parent / "diagnosis_corpus"
BUSYBOX = Path("/usr/bin/busybox")
HASH_LABEL = "wbtui-test.context-hash"
TEST_LABEL = "wbtui-test"
SESSION_LABEL = "wbtui-test.session"
NAME_PREFIX = "wbtui-test-"
DEFAULT_HOST = "unix:///var/run/docker.sock"
_BUILD_LOCK = Path(tempfile.gettempdir()) / "wbtui-standin-build.lock"
# Every test session using the engine holds this shared; the session that started dockerd stops it only
# when it can take it exclusively, so concurrent sessions (a repeat run beside a test run) keep their engine.
_USERS_LOCK = Path(tempfile.gettempdir()) / "wbtui-test-dockerd.users"


class DockerEngine:
    """Use the engine at ``host`` if it answers, otherwise start ``dockerd`` and own it."""

    def __init__(self, workdir: Path, host: str | None = None) -> None:
        self.workdir = Path(workdir)
        self.host = host or os.environ.get("DOCKER_HOST") or DEFAULT_HOST
        self.process: Process | None = None
        self.startup_seconds: float | None = None
        self._users: Any = None

    @property
    def started_here(self) -> bool:
        return self.process is not None

    def client(self, timeout: int = 60) -> docker.DockerClient:
        import docker

        return docker.DockerClient(base_url=self.host, timeout=timeout)

    def _answers(self) -> bool:
        with contextlib.closing(self.client(timeout=5)) as client:
            return bool(client.ping() and client.info().get("ServerVersion"))

    def start(self, timeout: float = 60) -> None:
        began = time.monotonic()
        _USERS_LOCK.touch(exist_ok=True)
        self._users = open(_USERS_LOCK)  # noqa: SIM115 (held until stop)
        fcntl.flock(self._users, fcntl.LOCK_SH)
        try:
            if self._answers():
                self.startup_seconds = time.monotonic() - began
                return
        except Exception:  # any failure means "not answering": start our own
            pass
        if not self.host.startswith("unix://"):
            raise ServiceError(f"Docker engine at {self.host} does not answer")
        require_binaries("dockerd")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = Process(
            ["dockerd", "--host", self.host, "--pidfile", str(self.workdir / "dockerd.pid")],
            self.workdir / "dockerd.log",
        )

        def ready() -> bool:
            if not self.process or not self.process.alive():
                raise ServiceError(f"dockerd exited:\n{self.process and self.process.tail()}")
            return self._answers()

        wait_for(ready, timeout, f"dockerd on {self.host}", interval=0.5)
        self.startup_seconds = time.monotonic() - began

    def stop(self) -> None:
        """Stop dockerd only if this object started it and no other test session still uses it."""
        if self._users is None:
            return
        try:
            if self.process is not None:
                try:
                    fcntl.flock(self._users, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return  # another session uses it: it stays up (a later session reuses it)
                self.process.stop(timeout=30)
                self.process = None
        finally:
            self._users.close()
            self._users = None


def scenario_logs() -> dict[str, str]:
    """Corpus case name → its real log lines, verbatim: what ``STANDIN_SCENARIO=NAME`` prints."""
    logs = {}
    for path in sorted(CORPUS_DIR.glob("*.toml")):
        try:
            text = tomllib.loads(path.read_text(encoding="utf-8"))["lines"]
        except (tomllib.TOMLDecodeError, KeyError):
            continue  # a broken case fails tests/test_diagnosis_corpus.py; the image still builds
        logs[path.stem] = "".join(f"{line}\n" for line in text.splitlines() if line.strip())
    return logs


def standin_context_hash() -> str:
    """Hash of everything the stand-in image is built from (build files, busybox, the corpus scenarios)."""
    digest = hashlib.sha256()
    for path in [*(STANDIN_DIR / name for name in STANDIN_FILES), BUSYBOX]:
        digest.update(path.name.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name, text in scenario_logs().items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(text.encode()).digest())
    return digest.hexdigest()


def ensure_standin_image(client: docker.DockerClient) -> tuple[Any, bool]:
    """The stand-in image (STANDIN_TAG), built only when its build files changed; (image, built_now).

    Every tag of STANDIN_TAGS is built from the same context (only the default mode differs), so the
    dirty tag is there whenever the stand-in is. A file lock serialises concurrent test sessions that
    would otherwise build twice.
    """
    import docker

    if not BUSYBOX.is_file():
        raise ServiceError(f"{BUSYBOX} missing: install Debian's busybox-static")
    wanted = standin_context_hash()
    _BUILD_LOCK.touch(exist_ok=True)
    with open(_BUILD_LOCK) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        images: dict[str, Any] = {}
        for tag in STANDIN_TAGS:
            with contextlib.suppress(docker.errors.ImageNotFound):
                image = client.images.get(tag)
                if image.labels.get(HASH_LABEL) == wanted:
                    images[tag] = image
        if len(images) == len(STANDIN_TAGS):
            return images[STANDIN_TAG], False
        with tempfile.TemporaryDirectory(prefix="wbtui-standin-") as ctx:
            for name in STANDIN_FILES:
                shutil.copy2(STANDIN_DIR / name, ctx)
            shutil.copy2(BUSYBOX, Path(ctx) / "busybox")
            scenarios = Path(ctx) / "scenarios"
            scenarios.mkdir()
            for name, text in scenario_logs().items():
                (scenarios / f"{name}.log").write_text(text, encoding="utf-8")
            for tag, mode in STANDIN_TAGS.items():
                if tag not in images:
                    images[tag] = _build(client, ctx, tag, mode, wanted)
        return images[STANDIN_TAG], True


def _build(client: docker.DockerClient, ctx: str, tag: str, mode: str, context_hash: str) -> Any:
    import docker

    try:
        image, _ = client.images.build(
            path=ctx, tag=tag, labels={HASH_LABEL: context_hash}, buildargs={"STANDIN_DEFAULT_MODE": mode},
            rm=True, forcerm=True, pull=False,
        )
    except docker.errors.BuildError as exc:
        log = "".join(str(chunk.get("stream", chunk)) for chunk in exc.build_log)
        raise ServiceError(f"building {tag} failed: {exc}\n{log[-2000:]}") from exc
    return image


def _owner_gone(session: str) -> bool:
    """A session label is ``PID-TOKEN``; its containers are stale once that PID is gone."""
    pid = session.partition("-")[0]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _owned(labels: dict[str, str] | None, session: str, include_unowned: bool) -> bool:
    owner = (labels or {}).get(SESSION_LABEL, "")
    if not owner:
        return include_unowned
    return owner == session or _owner_gone(owner)


def remove_test_objects(client: docker.DockerClient, session: str,
                        include_unowned: bool) -> list[str]:
    """Remove containers and volumes labelled ``wbtui-test=1`` that belong to this session.

    Belonging: labelled with this session or with a session whose process is gone; those
    without a session label only if ``include_unowned`` (another session may own them).
    """
    import docker

    removed: list[str] = []
    for container in client.containers.list(all=True, filters={"label": f"{TEST_LABEL}=1"}):
        if _owned(container.labels, session, include_unowned):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                container.remove(force=True, v=True)
                removed.append(container.name)
    for volume in client.volumes.list(filters={"label": f"{TEST_LABEL}=1"}):
        if _owned(volume.attrs.get("Labels"), session, include_unowned):
            with contextlib.suppress(docker.errors.NotFound, docker.errors.APIError):
                volume.remove(force=True)
                removed.append(volume.name)
    return removed
