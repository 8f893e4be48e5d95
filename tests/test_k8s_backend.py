"""The Kubernetes backend against kmock, a Kubernetes API emulator served on 127.0.0.1.

No API server can be installed here. kmock stores objects and answers
create/get/list/patch/delete like one, but runs no controllers: the tests play
the Deployment controller and the kubelet by storing real-shaped ReplicaSets,
Pods, events and metrics (tests/k8s_fixtures), and script the log endpoint,
including dropping the connection and taking the whole API server away.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import copy
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp.test_utils
import kmock
import pytest
from aiohttp.web_runner import ServerRunner
from aiohttp.web_server import Server

from tests.services.base import free_port
from wbtui.config.model import Config
from wbtui.runtime.base import LogLine, NameConflict, NotDeployed, PermissionDenied, RuntimeProblem, Unreachable
from wbtui.runtime.kubernetes.apply import LAST_APPLIED, apply_patch, desired_state
from wbtui.runtime.kubernetes.backend import RESTARTED_AT, KubernetesRuntime
from wbtui.runtime.kubernetes.client import connect
from wbtui.runtime.kubernetes.kubeconfig import KubeconfigProblem, KubeContext, list_contexts
from wbtui.runtime.kubernetes.logs import LogCursor, split_timestamp

FIXTURES = Path(__file__).parent / "k8s_fixtures"
NS = "wandb"
LICENSE = "canary-license-7f3a9c1e5b"
DB_PASSWORD = "canary-db-pw-4d8e2a"
TOKEN = "kmock-bearer-token"
RESOURCES = ("v1/pods", "v1/events", "v1/services", "v1/secrets", "v1/persistentvolumeclaims",
             "apps/v1/deployments", "apps/v1/replicasets", "networking.k8s.io/v1/ingresses")

pytestmark = pytest.mark.timeout(60)


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


class QuickShutdownServer(aiohttp.test_utils.RawTestServer):
    """aiohttp's test server with a 1 s graceful shutdown instead of 60 s: a stream still open when the server
    goes (a ``hold``, a watch an app's thread was reading at its exit) is cut after 1 s, so the teardown's 10 s
    bound holds (it once did not in a full run)."""

    async def _make_runner(self, debug: bool = True, **kwargs: Any) -> ServerRunner:
        return ServerRunner(Server(self._handler, loop=self._loop, debug=debug, **kwargs), debug=debug,
                            shutdown_timeout=1.0, **kwargs)


class Emulator:
    """kmock's KubernetesEmulator on a loopback port, run by its own event-loop thread.

    ``down()``/``up()`` take the API server away and bring it back on the same port.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.kmock = kmock.KubernetesEmulator()
        self.server: kmock.Server | None = None
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.call(self.kmock.__aenter__)
        self.up()
        for res in RESOURCES:
            self.call(lambda res=res: self.kmock.resources.__setitem__(res, {}))

    def call(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn`` (sync or async) in the emulator's loop; its result."""
        async def run() -> Any:
            result = fn()
            return await result if asyncio.iscoroutine(result) else result
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(10)

    def up(self) -> None:
        async def start() -> None:
            self.server = kmock.Server(self.kmock, port=self.port, server_cls=QuickShutdownServer)
            await self.server.__aenter__()
        self.call(start)

    def down(self) -> None:
        server, self.server = self.server, None
        assert server is not None
        self.call(lambda: server.__aexit__(None, None, None))

    def close(self) -> None:
        if self.server is not None:
            self.down()
        self.call(lambda: self.kmock.__aexit__(None, None, None))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def react(self, criteria: str, *payload: Any) -> None:
        def add() -> None:
            view = self.kmock[criteria]
            for item in payload:
                view = view << item
        self.call(add)

    def get(self, resource: str, name: str) -> dict[str, Any] | None:
        def read() -> dict[str, Any] | None:
            key = (kmock.resource(resource), NS, name)
            if key not in self.kmock.objects or self.kmock.objects[key].deleted:
                return None
            return copy.deepcopy(self.kmock.objects[key].raw)
        return self.call(read)

    def put(self, resource: str, obj: dict[str, Any]) -> None:
        obj = copy.deepcopy(obj)
        self.call(lambda: self.kmock.objects.__setitem__((resource, NS, obj["metadata"]["name"]), obj))

    def patch(self, resource: str, name: str, patch: dict[str, Any]) -> None:
        self.call(lambda: self.kmock.objects[resource, NS, name].patch(patch))

    def requests(self, method: str | None = None) -> list[Any]:
        return [r for r in self.call(lambda: list(self.kmock)) if method is None or r.method == method]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    e = Emulator()
    yield e
    e.close()


def write_kubeconfig(path: Path, contexts: dict[str, tuple[str, str]], current: str) -> Path:
    """A kubeconfig (JSON is YAML) with one cluster per context: name -> (server, namespace)."""
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": current, "preferences": {},
        "clusters": [{"name": f"{n}-cluster", "cluster": {"server": url}} for n, (url, _) in contexts.items()],
        "users": [{"name": "operator", "user": {"token": TOKEN}}],
        "contexts": [{"name": n, "context": {"cluster": f"{n}-cluster", "user": "operator", "namespace": ns}}
                     for n, (_, ns) in contexts.items()],
    }))
    return path


@pytest.fixture
def kubeconfig(emu: Emulator, tmp_path: Path) -> Path:
    closed = f"http://127.0.0.1:{free_port()}"
    return write_kubeconfig(tmp_path / "kubeconfig", {"emu": (emu.url, NS), "offline": (closed, "team-b")}, "emu")


def make_config(**kube: Any) -> Config:
    config = Config()
    config.runtime.backend = "kubernetes"
    config.runtime.tag = "0.59.2"
    config.server.HOST = "https://wandb.example.com"
    config.server.LICENSE = LICENSE
    config.server.MYSQL = f"mysql://wandb:{DB_PASSWORD}@db.example.com:3306/wandb"
    config.kubernetes.context = "emu"
    config.kubernetes.namespace = NS
    config.app.timeout = 2.0
    for key, value in kube.items():
        setattr(config.kubernetes, key, value)
    return config


@pytest.fixture
def runtime(kubeconfig: Path) -> Iterator[KubernetesRuntime]:
    rt = KubernetesRuntime(make_config(), kubeconfig=str(kubeconfig))
    rt.reconnect_delays = (0.05, 0.2)
    yield rt
    rt.close()


def play_controller(emu: Emulator, deployment_state: str, *pod_states: str) -> None:
    """Do what the Deployment controller and the kubelet would: status, ReplicaSets, Pods.

    The fixtures carry the guide's ``app: wandb`` label; a controller copies the applied
    Deployment's template labels, so they are swapped for those here.
    """
    live = emu.get("apps/v1/deployments", "wandb")
    assert live is not None, "deploy first"
    shaped = fixture(deployment_state)
    emu.patch("apps/v1/deployments", "wandb", {
        "metadata": {"uid": shaped["metadata"]["uid"], "generation": shaped["metadata"]["generation"]},
        "status": shaped["status"]})
    labels = live["spec"]["template"]["metadata"]["labels"]
    for rs in fixture("replicasets")["items"]:
        rs_hash = rs["metadata"]["labels"]["pod-template-hash"]
        rs["metadata"]["labels"] = {**labels, "pod-template-hash": rs_hash}
        rs["spec"]["selector"]["matchLabels"] = {**live["spec"]["selector"]["matchLabels"],
                                                 "pod-template-hash": rs_hash}
        emu.put("apps/v1/replicasets", rs)
    for state in pod_states:
        pod = fixture(state)
        pod["metadata"]["labels"] = {**labels, "pod-template-hash": pod["metadata"]["labels"]["pod-template-hash"]}
        emu.put("v1/pods", pod)


# --- kubeconfig, contexts, connection errors ------------------------------------------------

def test_contexts_and_namespaces_come_from_the_kubeconfig(kubeconfig: Path) -> None:
    contexts, current = list_contexts(str(kubeconfig))
    assert current == "emu"
    assert contexts == [KubeContext("emu", "emu-cluster", "operator", NS),
                        KubeContext("offline", "offline-cluster", "operator", "team-b")]


def test_kubeconfig_list_in_the_environment_is_merged(kubeconfig: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    extra = write_kubeconfig(tmp_path / "extra", {"lab": ("https://127.0.0.1:6443", "lab-ns")}, "lab")
    monkeypatch.setenv("KUBECONFIG", f"{kubeconfig}:{extra}")
    contexts, current = list_contexts()
    assert [c.name for c in contexts] == ["emu", "offline", "lab"]
    assert current == "emu"


def test_missing_kubeconfig_outside_a_cluster_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(KubeconfigProblem, match="no kubeconfig") as info:
        connect(kubeconfig=str(tmp_path / "absent"))
    assert "KUBECONFIG" in info.value.fix


def test_unknown_context_lists_the_known_ones(kubeconfig: Path) -> None:
    with pytest.raises(KubeconfigProblem, match=r"'prod'.*contexts: emu, offline"):
        connect("prod", kubeconfig=str(kubeconfig))


def test_in_cluster_service_account_is_used_without_a_kubeconfig(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from kubernetes.config import incluster_config

    (tmp_path / "token").write_text("in-cluster-token")
    (tmp_path / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(tmp_path / "token"))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(tmp_path / "ca.crt"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "6443")
    api = connect(kubeconfig=str(tmp_path / "absent"))
    try:
        assert (api.context, api.server) == ("in-cluster", "https://127.0.0.1:6443")
        assert api.api_client.configuration.verify_ssl
        assert api.api_client.configuration.auth_settings()["BearerToken"]["value"] == "bearer in-cluster-token"
    finally:
        api.close()


def test_runtime_for_reads_kubeconfig_from_the_environment(emu: Emulator, kubeconfig: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from wbtui.runtime.base import runtime_for

    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    config = make_config(context="", namespace="")
    rt = runtime_for(config)
    try:
        assert isinstance(rt, KubernetesRuntime)
        assert rt.status().state == "missing"
        assert rt.namespace == NS  # the current context's namespace
        assert emu.requests("GET")[0].url.path == f"/apis/apps/v1/namespaces/{NS}/deployments/wandb"
    finally:
        rt.close()


def test_doctor_and_status_ask_the_same_cluster(emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A KUBECONFIG list whose files name different current contexts: kubectl takes the first file's.

    Both commands must reach that cluster and say so; the other one hears nothing.
    """
    from wbtui.cli import main
    from wbtui.config import store

    other = Emulator()
    try:
        first = write_kubeconfig(tmp_path / "first", {"emu": (emu.url, NS)}, "emu")
        second = write_kubeconfig(tmp_path / "second", {"other": (other.url, NS)}, "other")
        monkeypatch.setenv("KUBECONFIG", f"{first}:{second}")
        monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
        config = make_config(context="")
        config.server.MYSQL = ""
        config.server.HOST = f"http://127.0.0.1:{free_port()}"
        path = store.save(config, tmp_path / "config.toml")
        main(["--config", str(path), "status", "--json"])
        status = json.loads(capsys.readouterr().out)
        main(["--config", str(path), "doctor", "--json", "--timeout", "5"])
        doctor = json.loads(capsys.readouterr().out)
        assert status["target"]["context"] == doctor["target"]["context"] == "emu"
        assert status["target"]["server"] == doctor["target"]["server"] == emu.url
        assert {r.url.path for r in emu.requests()} >= {"/version", f"/apis/apps/v1/namespaces/{NS}/deployments/wandb"}
        assert other.requests() == []
    finally:
        other.close()


def test_unreachable_api_server_is_a_typed_problem_within_the_timeout(kubeconfig: Path) -> None:
    config = make_config(context="offline")
    config.app.timeout = 1.0
    rt = KubernetesRuntime(config, kubeconfig=str(kubeconfig))
    started = time.monotonic()
    with pytest.raises(Unreachable) as info:
        rt.status()
    assert time.monotonic() - started < 3
    assert "connection refused" in info.value.message and "offline" in info.value.message
    assert "cluster-info" in info.value.fix


def test_forbidden_explains_the_rbac_rights_to_grant(emu: Emulator, runtime: KubernetesRuntime) -> None:
    emu.react(f"get /apis/apps/v1/namespaces/{NS}/deployments/wandb", 403, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'deployments.apps "wandb" is forbidden: User "system:serviceaccount:ci:deployer" cannot get '
                   'resource "deployments" in API group "apps" in the namespace "wandb"',
        "reason": "Forbidden", "details": {"name": "wandb", "group": "apps", "kind": "deployments"}, "code": 403})
    with pytest.raises(PermissionDenied) as info:
        runtime.status()
    assert "cannot get resource" in info.value.message
    assert "kubectl auth can-i get deployments.apps -n wandb" in info.value.fix
    assert "kubectl create role wbtui -n wandb" in info.value.fix


def test_rejected_credentials_say_to_log_in_again(emu: Emulator, runtime: KubernetesRuntime) -> None:
    emu.react(f"get /apis/apps/v1/namespaces/{NS}/deployments/wandb", 401, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Unauthorized", "reason": "Unauthorized", "code": 401})
    with pytest.raises(PermissionDenied, match="401") as info:
        runtime.status()
    assert "credentials" in info.value.fix


def test_missing_namespace_says_how_to_create_it(emu: Emulator, runtime: KubernetesRuntime) -> None:
    emu.react(f"post /api/v1/namespaces/{NS}/secrets", 404, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'namespaces "wandb" not found', "reason": "NotFound",
        "details": {"name": "wandb", "kind": "namespaces"}, "code": 404})
    with pytest.raises(NotDeployed) as info:
        runtime.deploy()
    assert info.value.fix == "create the namespace: kubectl create namespace wandb"


def test_create_conflict_is_a_name_conflict(emu: Emulator, runtime: KubernetesRuntime) -> None:
    emu.react(f"post /apis/apps/v1/namespaces/{NS}/deployments", 409, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": 'deployments.apps "wandb" already exists', "reason": "AlreadyExists",
        "details": {"name": "wandb", "group": "apps", "kind": "deployments"}, "code": 409})
    with pytest.raises(NameConflict, match="already exists"):
        runtime.deploy()


def test_server_messages_echoing_secrets_are_masked(emu: Emulator, runtime: KubernetesRuntime) -> None:
    emu.react(f"post /api/v1/namespaces/{NS}/secrets", 422, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'Secret "wandb-secret" is invalid: data[LICENSE]: Invalid value: "{LICENSE}"',
        "reason": "Invalid", "code": 422})
    with pytest.raises(RuntimeProblem) as info:
        runtime.deploy()
    assert "is invalid" in str(info.value) and LICENSE not in str(info.value)


# --- apply ------------------------------------------------------------------------------------

def test_deploy_creates_then_a_second_apply_changes_nothing_and_says_so(emu: Emulator,
                                                                        runtime: KubernetesRuntime) -> None:
    assert runtime.deploy().splitlines() == [
        "secret/wandb-secret created", "deployment.apps/wandb created", "service/wandb-service created",
        "ingress.networking.k8s.io/wandb-ingress created"]
    secret = emu.get("v1/secrets", "wandb-secret")
    assert secret is not None and "stringData" not in secret
    assert base64.b64decode(secret["data"]["LICENSE"]).decode() == LICENSE
    assert LAST_APPLIED not in secret["metadata"].get("annotations", {})
    assert LICENSE not in json.dumps(emu.get("apps/v1/deployments", "wandb"))

    writes = len(emu.requests("POST")) + len(emu.requests("PATCH"))
    assert runtime.deploy().splitlines() == [
        "secret/wandb-secret unchanged", "deployment.apps/wandb unchanged", "service/wandb-service unchanged",
        "ingress.networking.k8s.io/wandb-ingress unchanged"]
    assert len(emu.requests("POST")) + len(emu.requests("PATCH")) == writes


def test_apply_ignores_server_defaults_and_canonical_quantities(emu: Emulator, kubeconfig: Path) -> None:
    config = make_config()
    config.runtime.cpu_request = "2000m"
    rt = KubernetesRuntime(config, kubeconfig=str(kubeconfig))
    rt.deploy()
    live = emu.get("apps/v1/deployments", "wandb")
    assert live is not None
    container = live["spec"]["template"]["spec"]["containers"][0]
    # What a real API server adds or rewrites on its way to storage.
    container.update(terminationMessagePath="/dev/termination-log", terminationMessagePolicy="File")
    container["resources"]["requests"]["cpu"] = "2"
    container["livenessProbe"].update(timeoutSeconds=1, periodSeconds=10, successThreshold=1, failureThreshold=3)
    emu.patch("apps/v1/deployments", "wandb", {"spec": {
        "progressDeadlineSeconds": 600, "revisionHistoryLimit": 10,
        "template": {"spec": {"containers": [container], "dnsPolicy": "ClusterFirst"}}}})
    assert "deployment.apps/wandb unchanged" in rt.deploy()


def test_changed_settings_patch_only_what_changed_and_remove_what_is_gone(emu: Emulator, kubeconfig: Path) -> None:
    config = make_config(tls_secret="wandb-tls")
    rt = KubernetesRuntime(config, kubeconfig=str(kubeconfig))
    rt.deploy()
    assert emu.get("networking.k8s.io/v1/ingresses", "wandb-ingress")["spec"]["tls"]  # type: ignore[index]

    config.runtime.tag = "0.60.0"
    config.kubernetes.tls_secret = ""
    config.server.MYSQL = ""
    assert rt.deploy().splitlines() == [
        "secret/wandb-secret configured", "deployment.apps/wandb configured", "service/wandb-service unchanged",
        "ingress.networking.k8s.io/wandb-ingress configured"]
    dep = emu.get("apps/v1/deployments", "wandb")
    assert dep is not None
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "wandb/local:0.60.0"
    assert "tls" not in emu.get("networking.k8s.io/v1/ingresses", "wandb-ingress")["spec"]  # type: ignore[index]
    assert set(emu.get("v1/secrets", "wandb-secret")["data"]) == {"LICENSE"}  # type: ignore[index]
    assert "unchanged" in rt.deploy().splitlines()[1]


def test_no_pull_deploys_with_image_pull_policy_never(emu: Emulator, kubeconfig: Path) -> None:
    KubernetesRuntime(make_config(), pull=False, kubeconfig=str(kubeconfig)).deploy()
    containers = emu.get("apps/v1/deployments", "wandb")["spec"]["template"]["spec"]["containers"]  # type: ignore[index]
    assert [c["imagePullPolicy"] for c in containers] == ["Never"]
    KubernetesRuntime(make_config(), kubeconfig=str(kubeconfig)).deploy()
    containers = emu.get("apps/v1/deployments", "wandb")["spec"]["template"]["spec"]["containers"]  # type: ignore[index]
    assert [c["imagePullPolicy"] for c in containers] == ["IfNotPresent"]


def test_running_config_reads_the_live_deployment_and_its_secret(emu: Emulator, runtime: KubernetesRuntime) -> None:
    base = make_config()
    base.server.LICENSE = base.server.MYSQL = ""
    base.runtime.tag = "0.1.0"
    assert runtime.running_config(base) is None  # nothing deployed
    runtime.deploy()
    running = runtime.running_config(base)
    assert running is not None
    assert (running.server.LICENSE, running.server.MYSQL) == (LICENSE, runtime.config.server.MYSQL)  # from the Secret
    assert (running.runtime.tag, running.kubernetes.name) == ("0.59.2", "wandb")
    assert base.server.LICENSE == ""  # read over a copy


def test_describe_names_the_cluster_without_asking_and_versions_ask_it(emu: Emulator,
                                                                        runtime: KubernetesRuntime) -> None:
    emu.react("GET /version", {"gitVersion": "v1.30.2", "platform": "linux/amd64"})
    target = runtime.describe()
    assert (target["context"], target["server"], target["namespace"]) == ("emu", emu.url, NS)
    assert emu.requests() == []
    assert runtime.versions() == {"kubernetes": "v1.30.2 (linux/amd64)"}


def test_apply_patch_is_none_only_when_live_holds_everything() -> None:
    obj = desired_state({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                         "spec": {"type": "NodePort", "ports": [{"port": 80, "targetPort": "http"}]}}, NS)
    live = copy.deepcopy(obj)
    live["spec"]["ports"][0].update(nodePort=31380, protocol="TCP")
    live["spec"]["clusterIP"] = "10.96.4.17"
    assert apply_patch(obj, live) is None
    live["spec"]["ports"].append({"port": 443})
    assert apply_patch(obj, live)["spec"]["ports"] == obj["spec"]["ports"]  # type: ignore[index]


# --- lifecycle --------------------------------------------------------------------------------

def test_restart_sets_the_rollout_restart_annotation(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    before = datetime.now(UTC).replace(microsecond=0)
    assert runtime.restart().startswith("deployment.apps/wandb restarted")
    annotations = emu.get("apps/v1/deployments", "wandb")["spec"]["template"]["metadata"]["annotations"]  # type: ignore[index]
    at = datetime.fromisoformat(annotations[RESTARTED_AT].replace("Z", "+00:00"))
    assert before <= at <= datetime.now(UTC)
    assert "deployment.apps/wandb unchanged" in runtime.deploy()  # apply keeps the restart


def test_stop_scales_to_zero_and_start_back_to_the_configured_replicas(emu: Emulator, kubeconfig: Path) -> None:
    rt = KubernetesRuntime(make_config(replicas=2), kubeconfig=str(kubeconfig))
    rt.deploy()
    assert rt.stop() == "deployment.apps/wandb scaled to 0 (was 2)"
    assert emu.get("apps/v1/deployments", "wandb")["spec"]["replicas"] == 0  # type: ignore[index]
    assert rt.start() == "deployment.apps/wandb scaled to 2 (was 0)"
    assert emu.get("apps/v1/deployments", "wandb")["spec"]["replicas"] == 2  # type: ignore[index]


def test_upgrade_replaces_only_the_image(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    before = emu.get("apps/v1/deployments", "wandb")["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    assert runtime.upgrade("0.61.1") == "deployment.apps/wandb image wandb/local:0.59.2 -> wandb/local:0.61.1"
    after = emu.get("apps/v1/deployments", "wandb")["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    assert after == {**before, "image": "wandb/local:0.61.1"}
    assert emu.requests("PATCH")[-1].headers["Content-Type"] == "application/json-patch+json"


def test_operations_on_nothing_deployed_say_so(runtime: KubernetesRuntime) -> None:
    status = runtime.status()
    assert (status.exists, status.state) == (False, "missing")
    for action in (runtime.restart, runtime.stop, lambda: runtime.upgrade("1")):
        with pytest.raises(NotDeployed, match='no Deployment "wandb" in namespace wandb'):
            action()
    assert runtime.usage() is None


def test_remove_keeps_the_volume_claim_unless_purged(emu: Emulator, kubeconfig: Path) -> None:
    rt = KubernetesRuntime(make_config(volume_claim="wandb-data"), kubeconfig=str(kubeconfig))
    emu.put("v1/persistentvolumeclaims", {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim",
        "metadata": {"name": "wandb-data", "namespace": NS, "uid": "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "100Gi"}},
                 "storageClassName": "standard", "volumeMode": "Filesystem", "volumeName": "pvc-5e6f7a8b"},
        "status": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "100Gi"}, "phase": "Bound"}})
    rt.deploy()
    assert rt.remove().splitlines() == [
        "ingress.networking.k8s.io/wandb-ingress deleted", "service/wandb-service deleted",
        "deployment.apps/wandb deleted", "secret/wandb-secret deleted",
        "persistentvolumeclaim/wandb-data kept (its data stays; --purge deletes it)"]
    assert emu.get("apps/v1/deployments", "wandb") is None
    assert emu.get("v1/persistentvolumeclaims", "wandb-data") is not None
    delete = emu.requests("DELETE")[0]
    assert delete.data == {"propagationPolicy": "Background"}

    rt.deploy()
    assert "persistentvolumeclaim/wandb-data deleted" in rt.remove(purge=True)
    assert emu.get("v1/persistentvolumeclaims", "wandb-data") is None
    assert "deployment.apps/wandb not found" in rt.remove()


# --- status, events, usage, local URL ---------------------------------------------------------

@pytest.mark.parametrize(("deployment", "pods", "state", "reason"), [
    ("deployment_available", ["pod_running_ready"], "running", ""),
    ("deployment_unavailable", ["pod_crashloop_oomkilled"], "failed", "CrashLoopBackOff"),
    ("deployment_unavailable", ["pod_imagepullbackoff"], "failed", "ImagePullBackOff"),
    ("deployment_unavailable", ["pod_pending_unschedulable"], "pending", "Unschedulable"),
    ("deployment_unavailable", ["pod_createcontainerconfigerror"], "failed", "CreateContainerConfigError"),
    ("deployment_rolling", ["pod_running_ready", "pod_terminating"], "progressing", "OldReplicasPending"),
    ("deployment_deadline", ["pod_running_not_ready"], "failed", "ProgressDeadlineExceeded"),
])
def test_status_reads_deployment_replicasets_and_pods(emu: Emulator, runtime: KubernetesRuntime, deployment: str,
                                                      pods: list[str], state: str, reason: str) -> None:
    runtime.deploy()
    play_controller(emu, deployment, *pods)
    status = runtime.status()
    assert (status.exists, status.state, status.reason) == (True, state, reason)
    assert [p.name for p in status.pods] == [fixture(p)["metadata"]["name"] for p in pods]
    assert status.ports == ["NodePort 80/TCP -> http"]
    assert status.image == "wandb/local:0.59.2"


def test_status_ignores_pods_of_other_deployments(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    play_controller(emu, "deployment_available", "pod_running_ready")
    stranger = fixture("pod_crashloop")
    stranger["metadata"].update(name="grafana-6b9f7c5d4-kq8zt", labels={"app.kubernetes.io/name": "grafana"})
    emu.put("v1/pods", stranger)
    status = runtime.status()
    assert (status.state, [p.name for p in status.pods]) == ("running", ["wandb-7d4f8b6c9d-x2kqp"])


def test_events_of_the_deployment_and_its_pods_sorted_by_time(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    play_controller(emu, "deployment_unavailable", "pod_crashloop")
    for event in fixture("events")["items"]:
        emu.put("v1/events", event)
    events = runtime.events()
    assert [(e.object, e.reason) for e in events] == [
        ("Deployment/wandb", "ScalingReplicaSet"), ("ReplicaSet/wandb-7d4f8b6c9d", "SuccessfulCreate"),
        ("Pod/wandb-7d4f8b6c9d-x2kqp", "Scheduled"), ("Pod/wandb-7d4f8b6c9d-x2kqp", "Pulled"),
        ("Pod/wandb-7d4f8b6c9d-x2kqp", "Started"), ("Pod/wandb-7d4f8b6c9d-x2kqp", "BackOff")]
    assert events[-1].type == "Warning" and events[-1].message.endswith("(x27)")
    asked = {r.params.get("fieldSelector") for r in emu.requests("GET") if r.url.path.endswith("/events")}
    assert "involvedObject.name=wandb-7d4f8b6c9d-x2kqp" in asked and "involvedObject.name=wandb" in asked
    assert "involvedObject.name=wandb-5b8c7d9f4f" not in asked  # the old ReplicaSet, scaled to 0 long ago
    assert [e.reason for e in runtime.events(limit=2)] == ["Started", "BackOff"]


def test_usage_is_none_without_metrics_server_and_summed_with_it(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    play_controller(emu, "deployment_available", "pod_running_ready")
    assert runtime.usage() is None  # metrics.k8s.io is not served: 404
    for item in fixture("podmetrics")["items"]:
        emu.call(lambda item=item: emu.kmock.objects.__setitem__(
            ("metrics.k8s.io/v1beta1/pods", NS, item["metadata"]["name"]), item))
    usage = runtime.usage()
    assert usage is not None
    assert (usage.cpu_percent, usage.memory_bytes, usage.memory_limit_bytes) == (125.4, 3177940 * 1024, 8 * 10**9)


@pytest.mark.parametrize(("host_ip", "expected"), [("127.0.0.1", "http://127.0.0.1:31380"), ("192.0.2.10", None)])
def test_local_url_only_for_a_node_port_on_this_machine(emu: Emulator, runtime: KubernetesRuntime,
                                                        host_ip: str, expected: str | None) -> None:
    runtime.deploy()
    assert runtime.local_url() is None  # no node port allocated yet
    play_controller(emu, "deployment_available", "pod_running_ready")
    emu.patch("v1/pods", "wandb-7d4f8b6c9d-x2kqp", {"status": {"hostIP": host_ip}})
    emu.patch("v1/services", "wandb-service", {"spec": {"clusterIP": "10.96.4.17", "ports": [
        {"name": "http", "nodePort": 31380, "port": 80, "protocol": "TCP", "targetPort": "http"}]}})
    assert runtime.local_url() == expected


# --- logs -------------------------------------------------------------------------------------

POD = "wandb-7d4f8b6c9d-x2kqp"
LOG_PATH = f"get /api/v1/namespaces/{NS}/pods/*/log"


def log_lines(*entries: tuple[str, str]) -> list[bytes]:
    return [f"{ts} {text}\n".encode() for ts, text in entries]


async def hold(event: asyncio.Event | None = None) -> None:
    """Keep a scripted stream open (until ``event``, else until the server goes), sending nothing."""
    await (event or asyncio.Event()).wait()


async def take(stream: AsyncIterator[LogLine], count: int, timeout: float = 10) -> list[LogLine]:
    out = []
    async with asyncio.timeout(timeout):
        while len(out) < count:
            out.append(await anext(stream))
    return out


def test_timestamps_split_exactly_and_cursor_drops_only_repeats() -> None:
    key, when, text = split_timestamp("2024-05-14T09:13:04.123456789Z migrating: 12 of 40")
    assert key == (1715677984, 123456789) and text == "migrating: 12 of 40"
    assert when == datetime(2024, 5, 14, 9, 13, 4, 123456, tzinfo=UTC)
    assert split_timestamp("no timestamp here") == (None, None, "no timestamp here")

    cursor = LogCursor()
    assert cursor.resume(POD) is None
    for ts, line in [((10, 5), "a"), ((11, 0), "b"), ((11, 0), "c")]:
        assert cursor.accept(ts, line)
    assert cursor.resume(POD) == "1970-01-01T00:00:11Z"
    assert [cursor.accept(k, t) for k, t in [((10, 5), "a"), ((11, 0), "c"), ((11, 0), "d"), ((12, 0), "e")]] \
        == [False, False, True, True]
    assert cursor.resume("another-pod") == "1970-01-01T00:00:12Z"
    assert cursor.accept((10, 0), "older line of the new pod")


async def test_logs_of_the_newest_ready_pod_with_tail_and_timestamps(emu: Emulator,
                                                                     runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    play_controller(emu, "deployment_available", "pod_running_ready", "pod_terminating")
    requests: list[Any] = []
    emu.react(LOG_PATH, {"Content-Type": "text/plain"}, lambda r: (requests.append(r), tuple(log_lines(
        ("2024-05-14T09:13:04.5Z", "Starting W&B"), ("2024-05-14T09:13:05Z", "ready")))))
    async with contextlib.aclosing(runtime.logs(follow=False, tail=50, timestamps=True)) as stream:
        lines = [line async for line in stream]
    assert [(x.text, x.timestamp, x.source, x.gap) for x in lines] == [
        ("2024-05-14T09:13:04.5Z Starting W&B", datetime(2024, 5, 14, 9, 13, 4, 500000, tzinfo=UTC), POD, False),
        ("2024-05-14T09:13:05Z ready", datetime(2024, 5, 14, 9, 13, 5, tzinfo=UTC), POD, False)]
    assert requests[0].url.path == f"/api/v1/namespaces/{NS}/pods/{POD}/log"
    assert requests[0].params == {"container": "wandb", "timestamps": "true", "tailLines": "50"}


async def test_previous_instance_of_a_chosen_pod(emu: Emulator, kubeconfig: Path) -> None:
    rt = KubernetesRuntime(make_config(), kubeconfig=str(kubeconfig))
    rt.deploy()
    play_controller(emu, "deployment_rolling", "pod_running_ready", "pod_terminating")
    requests: list[Any] = []
    emu.react(LOG_PATH, lambda r: (requests.append(r), tuple(log_lines(("2024-05-14T09:31:11Z", "fatal: OOM")))))
    async with contextlib.aclosing(rt.logs(follow=True, tail=None, previous=True,
                                           pod="wandb-5b8c7d9f4f-9hv2c")) as stream:
        lines = [line async for line in stream]
    assert [(x.text, x.timestamp) for x in lines] == [("fatal: OOM", datetime(2024, 5, 14, 9, 31, 11, tzinfo=UTC))]
    assert requests[0].url.path.endswith("/pods/wandb-5b8c7d9f4f-9hv2c/log")
    assert requests[0].params == {"container": "wandb", "timestamps": "true", "previous": "true"}
    rt.close()


async def test_logs_when_nothing_is_deployed_raise_not_deployed(runtime: KubernetesRuntime) -> None:
    with pytest.raises(NotDeployed):
        async with contextlib.aclosing(runtime.logs(follow=True)) as stream:
            await anext(stream)


async def test_follow_survives_the_api_server_going_away(emu: Emulator, runtime: KubernetesRuntime) -> None:
    """Lines, then the API server dies mid-stream and refuses connections; it comes back:
    the stream marks the gap, resumes from the last timestamp and repeats nothing."""
    runtime.deploy()
    play_controller(emu, "deployment_available", "pod_running_ready")
    dying = asyncio.Event()
    requests: list[Any] = []

    def drop(request: Any) -> None:
        request._raw_request.transport.close()

    def session(request: Any) -> Any:
        requests.append(request)
        if len(requests) == 1:
            return (*log_lines(("2024-05-14T09:13:04.1Z", "one"), ("2024-05-14T09:13:04.5Z", "two"),
                               ("2024-05-14T09:13:05.25Z", "three")), lambda: hold(dying), drop)
        return (*log_lines(("2024-05-14T09:13:05.25Z", "three"), ("2024-05-14T09:13:05.25Z", "three and a half"),
                           ("2024-05-14T09:13:06Z", "four")), hold)

    emu.react(LOG_PATH, {"Content-Type": "text/plain"}, session)
    async with contextlib.aclosing(runtime.logs(follow=True, tail=10)) as stream:
        assert [x.text for x in await take(stream, 3)] == ["one", "two", "three"]
        emu.call(dying.set)  # connections drop ...
        emu.down()           # ... and new ones are refused
        await asyncio.sleep(0.5)  # reconnects meet a closed port meanwhile
        emu.up()
        gap, *rest = await take(stream, 3)
        assert gap.gap and gap.text.startswith("--- log stream interrupted: ")
        assert "; reconnected after " in gap.text and float(gap.text.split(" after ")[1][:-5]) >= 0.4
        assert [(x.text, x.gap) for x in rest] == [("three and a half", False), ("four", False)]
    assert requests[0].params == {"container": "wandb", "timestamps": "true", "follow": "true", "tailLines": "10"}
    assert requests[1].params == {"container": "wandb", "timestamps": "true", "follow": "true",
                                  "sinceTime": "2024-05-14T09:13:05Z"}
    assert len(requests) == 2


async def test_follow_continues_after_the_container_restarts(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    play_controller(emu, "deployment_available", "pod_running_ready")
    requests: list[Any] = []

    def session(request: Any) -> Any:
        requests.append(request)
        if len(requests) == 1:  # the container exits: the kubelet ends the stream
            return tuple(log_lines(("2024-05-14T09:20:30Z", "panic: dirty database version 64")))
        return (*log_lines(("2024-05-14T09:20:30Z", "panic: dirty database version 64"),
                           ("2024-05-14T09:21:40Z", "starting again")), hold)

    emu.react(LOG_PATH, session)
    async with contextlib.aclosing(runtime.logs(follow=True, tail=None)) as stream:
        lines = await take(stream, 2)
    assert [(x.text, x.gap) for x in lines] == [("panic: dirty database version 64", False), ("starting again", False)]
    assert requests[1].params["sinceTime"] == "2024-05-14T09:20:30Z"


async def test_closing_the_stream_stops_the_reader_thread(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    play_controller(emu, "deployment_available", "pod_running_ready")
    emu.react(LOG_PATH, lambda r: (*log_lines(("2024-05-14T09:13:04Z", "hello")), hold))
    async with contextlib.aclosing(runtime.logs(follow=True)) as stream:
        assert (await take(stream, 1))[0].text == "hello"
    deadline = time.monotonic() + 5
    while any(t.name.startswith("wbtui-k8s-logs") for t in threading.enumerate()) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not any(t.name.startswith("wbtui-k8s-logs") for t in threading.enumerate())


async def test_follow_waits_for_the_first_pod(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    play_controller(emu, "deployment_unavailable")
    requests: list[Any] = []
    emu.react(LOG_PATH, lambda r: (requests.append(r), (*log_lines(("2024-05-14T09:13:04Z", "first words")), hold)))
    async with contextlib.aclosing(runtime.logs(follow=True, tail=20)) as stream:
        await asyncio.sleep(0.3)  # polls find no pod meanwhile
        assert requests == []
        play_controller(emu, "deployment_unavailable", "pod_running_not_ready")
        assert [(x.text, x.gap) for x in await take(stream, 1)] == [("first words", False)]
    assert requests[0].params["tailLines"] == "20"


async def test_log_lines_are_redacted(emu: Emulator, runtime: KubernetesRuntime) -> None:
    runtime.deploy()
    play_controller(emu, "deployment_available", "pod_running_ready")
    emu.react(LOG_PATH, lambda r: tuple(log_lines(
        ("2024-05-14T09:13:04Z", f"license: {LICENSE}"),
        ("2024-05-14T09:13:05Z", f"dsn mysql://wandb:{DB_PASSWORD}@db.example.com:3306/wandb"))))
    async with contextlib.aclosing(runtime.logs(follow=False)) as stream:
        text = "\n".join([line.text async for line in stream])
    assert LICENSE not in text and DB_PASSWORD not in text
    assert "license: ****" in text and "mysql://wandb:****@db.example.com" in text


def test_up_asks_only_when_the_apply_would_roll_running_pods(emu: Emulator, kubeconfig: Path) -> None:
    config = make_config()
    rt = KubernetesRuntime(config, pull=False, kubeconfig=str(kubeconfig))
    assert rt.replaced_by_deploy() == ""  # nothing deployed
    rt.deploy()
    play_controller(emu, "deployment_available", "pod_running_ready")
    assert rt.replaced_by_deploy() == ""  # the same config: the apply changes nothing
    config.runtime.tag = "0.60.0"
    assert rt.replaced_by_deploy() == "wandb"  # a new pod template replaces the running pods
    emu.patch("apps/v1/deployments", "wandb", {"status": {"replicas": 0, "readyReplicas": 0}})  # scaled to 0
    assert rt.replaced_by_deploy() == ""  # no pod runs
