"""Pulling with layer progress, from a registry on 127.0.0.1 that serves the stand-in image.

Docker treats 127.0.0.0/8 registries as insecure (plain HTTP) by default, so a small
registry (the v2 API: /v2/, manifests, blobs) in the test process is enough for the
engine to really pull: nothing leaves the host.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import secrets
import tarfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.test_runtime_docker import make_config
from wbtui.runtime.base import Progress
from wbtui.runtime.docker.backend import DockerRuntime

pytestmark = pytest.mark.docker

MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json"


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _new_layer(size: int) -> bytes:
    """A layer tar holding one file of random bytes: content the engine cannot have yet."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        info = tarfile.TarInfo(f"pulled-{secrets.token_hex(4)}")
        info.size = size
        tar.addfile(info, io.BytesIO(secrets.token_bytes(size)))
    return out.getvalue()


def registry_content(saved: bytes, extra: bytes) -> tuple[bytes, dict[str, bytes]]:
    """A schema 2 manifest and its blobs (gzipped layers, the config) from a ``docker save`` tar,
    plus the ``extra`` layer on top, so there is something to download."""
    with tarfile.open(fileobj=io.BytesIO(saved)) as archive:
        (entry,) = json.loads(archive.extractfile("manifest.json").read())
        config = json.loads(archive.extractfile(entry["Config"]).read())
        tars = [archive.extractfile(path).read() for path in entry["Layers"]]
    config["rootfs"]["diff_ids"].append(_digest(extra))
    config["history"].append({"created_by": "wbtui test registry"})
    config_blob = json.dumps(config).encode()
    blobs = {_digest(config_blob): config_blob}
    layers = []
    for tar in [*tars, extra]:
        layer = gzip.compress(tar, mtime=0)
        blobs[_digest(layer)] = layer
        layers.append({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                       "size": len(layer), "digest": _digest(layer)})
    config = config_blob
    manifest = json.dumps({"schemaVersion": 2, "mediaType": MANIFEST_TYPE,
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                                      "size": len(config), "digest": _digest(config)},
                           "layers": layers}).encode()
    return manifest, blobs


class Registry(ThreadingHTTPServer):
    def __init__(self, repository: str, manifest: bytes, blobs: dict[str, bytes]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.repository, self.manifest, self.blobs = repository, manifest, blobs
        self.requests: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    server: Registry

    def log_message(self, *args: Any) -> None:
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        self.server.requests.append(self.path)
        prefix = f"/v2/{self.server.repository}/"
        data, kind, digest = None, "application/octet-stream", ""
        if self.path == "/v2/":
            data, kind = b"{}", "application/json"
        elif self.path.startswith(prefix + "manifests/"):
            data, kind, digest = self.server.manifest, MANIFEST_TYPE, _digest(self.server.manifest)
        elif self.path.startswith(prefix + "blobs/"):
            digest = self.path.rsplit("/", 1)[1]
            data = self.server.blobs.get(digest)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if digest:
            self.send_header("Docker-Content-Digest", digest)
        self.end_headers()
        if body:
            self.wfile.write(data)


@pytest.fixture
def registry(docker_client: Any, standin_image: str) -> Iterator[Registry]:
    manifest, blobs = registry_content(b"".join(docker_client.images.get(standin_image).save(named=True)),
                                       _new_layer(3 * 2**20))
    server = Registry("wbtui-test/pulled", manifest, blobs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_missing_image_is_pulled_with_layer_progress(registry: Registry, docker_client: Any,
                                                     docker_labels: dict[str, str]) -> None:
    import docker

    image = f"127.0.0.1:{registry.server_address[1]}/wbtui-test/pulled:t{secrets.token_hex(3)}"
    runtime = DockerRuntime(make_config(image), labels=docker_labels)
    steps: list[Progress] = []
    runtime.progress = steps.append
    try:
        assert runtime.deploy().startswith(f"created and started {runtime.name} from {image}")
        assert docker_client.images.get(image)
        assert runtime.status().state == "running"
    finally:
        runtime.progress = None  # the clean-up's own steps (stopping, stopped) are not the pull's
        with contextlib.suppress(Exception):
            runtime.remove(purge=True)
        runtime.close()
        with contextlib.suppress(docker.errors.ImageNotFound):
            docker_client.images.remove(image)
    assert steps[0] == Progress(f"pulling {image}") and steps[-1] == Progress(f"pulled {image}")
    sized = [s for s in steps if s.total]
    assert sized and all(0 <= s.current <= s.total for s in sized)
    new_layer = json.loads(registry.manifest)["layers"][-1]
    assert any(path.endswith(new_layer["digest"]) for path in registry.requests)  # really downloaded
    assert sized[-1].current == sized[-1].total >= new_layer["size"]
    assert sized[-1].message.endswith(f"{len(json.loads(registry.manifest)['layers'])} layers")
