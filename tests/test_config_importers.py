"""Adopting an existing install: env files, docker inspect / a live container, Deployment manifests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.config_samples import BUCKET_SECRET, LICENSE, MYSQL_PASSWORD, assert_no_canary, canary_config
from wbtui.config.importers import ImportFailure, import_env_text, parse_env_text, split_image
from wbtui.config.model import Config, container_env
from wbtui.runtime.docker import render as render_docker
from wbtui.runtime.docker.importer import import_docker_container, import_docker_inspect
from wbtui.runtime.importers import detect_format, import_text
from wbtui.runtime.kubernetes import render as render_k8s
from wbtui.runtime.kubernetes.importer import import_kubernetes

ENV_FILE = r"""
# W&B settings
export HOST=https://wandb.example.com
LICENSE='eyJ.a#b.c'
BUCKET="s3://AK:se\"cr\\et@minio:9000/wandb"   # trailing comment
BUCKET_QUEUE=internal://
AWS_REGION = us-east-1
MYSQL=mysql://u:p@db/wandb # comment
OIDC_ISSUER=https://sso.example.com/#/x
EMPTY=
this line is junk
BROKEN="unterminated
1BAD=x
"""


def test_parse_env_text() -> None:
    env, notes = parse_env_text(ENV_FILE)
    assert env == {
        "HOST": "https://wandb.example.com",
        "LICENSE": "eyJ.a#b.c",
        "BUCKET": 's3://AK:se"cr\\et@minio:9000/wandb',
        "BUCKET_QUEUE": "internal://",
        "AWS_REGION": "us-east-1",
        "MYSQL": "mysql://u:p@db/wandb",
        "OIDC_ISSUER": "https://sso.example.com/#/x",
        "EMPTY": "",
    }
    assert [(n.field, n.severity) for n in notes] == [
        ("line 11", "warning"), ("line 12", "warning"), ("line 13", "warning")]
    assert "unterminated" in notes[1].message


def test_env_import_maps_guide_variables_and_extras() -> None:
    result = import_env_text(ENV_FILE)
    assert result.config.server.HOST == "https://wandb.example.com"
    assert result.config.server.MYSQL == "mysql://u:p@db/wandb"
    assert result.config.env == {"OIDC_ISSUER": "https://sso.example.com/#/x", "EMPTY": ""}
    assert {n.field for n in result.notes if n.severity == "info"} >= {"HOST", "MYSQL", "env.OIDC_ISSUER"}


def test_rendered_env_file_imports_back() -> None:
    config = canary_config()
    result = import_env_text(render_docker.render_env_file(config, reveal=True))
    assert container_env(result.config) == container_env(config)
    assert_no_canary(json.dumps([n.to_dict() for n in result.notes]))


def test_import_merges_into_base() -> None:
    base = Config()
    base.runtime.port = 9000
    result = import_env_text("HOST=https://w.example.com\n", base)
    assert result.config.runtime.port == 9000 and base.server.HOST == ""


def inspect_output(**overrides: object) -> list[dict]:
    """Trimmed real `docker inspect` output for `docker run ... wandb/local:0.60.0`."""
    data = {
        "Name": "/wandb-local",
        "Image": "sha256:abc",
        "Config": {
            "User": "100000:0",
            "Env": ["HOST=https://wandb.example.com", f"LICENSE={LICENSE}",
                    f"MYSQL=mysql://wandb_local:{MYSQL_PASSWORD}@db/wandb_local",
                    "GORILLA_X=1", "PATH=/usr/local/sbin:/usr/bin", "NOEQUALS"],
            "Image": "registry.example.com:5000/wandb/local:0.60.0",
        },
        "HostConfig": {
            "PortBindings": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8081"}]},
            "RestartPolicy": {"Name": "always", "MaximumRetryCount": 0},
            "NanoCpus": 4_000_000_000, "Memory": 8 * 2**30,
            "Binds": ["/srv/wandb:/vol:rw"],
        },
        "Mounts": [{"Type": "bind", "Source": "/srv/wandb", "Destination": "/vol"}],
    }
    data.update(overrides)
    return [data]


def test_docker_inspect_json() -> None:
    result = import_docker_inspect(inspect_output())
    c = result.config
    assert (c.runtime.image, c.runtime.tag) == ("registry.example.com:5000/wandb/local", "0.60.0")
    assert (c.runtime.container_name, c.runtime.port, c.runtime.bind_address) == ("wandb-local", 8081, "127.0.0.1")
    assert (c.runtime.restart_policy, c.runtime.cpu_limit, c.runtime.memory_limit) == ("always", "4", "8Gi")
    assert (c.runtime.volume, c.runtime.uid, c.runtime.gid) == ("/srv/wandb", 100000, 0)
    assert c.server.LICENSE == LICENSE and c.env == {"GORILLA_X": "1"}
    skipped = {n.field for n in result.notes if n.severity == "warning"}
    assert "env.PATH" in skipped
    assert_no_canary(json.dumps([n.to_dict() for n in result.notes]))


def test_docker_inspect_without_limits_ports_or_volume() -> None:
    host = {"PortBindings": {}, "RestartPolicy": {"Name": ""}, "NanoCpus": 0, "Memory": 0}
    result = import_docker_inspect(inspect_output(HostConfig=host, Mounts=[])[0])
    c = result.config
    assert c.runtime.restart_policy == "no" and c.runtime.volume == ""
    assert (c.runtime.cpu_limit, c.runtime.memory_limit) == ("4", "8G")  # kept
    assert {"runtime.port", "runtime.volume", "runtime.cpu_limit"} <= {
        n.field for n in result.notes if n.severity == "warning"}


@pytest.mark.parametrize("data", [[], [{}, {}], {"Config": None}, "text"])
def test_docker_inspect_rejects_other_json(data: object) -> None:
    with pytest.raises(ImportFailure):
        import_docker_inspect(data)


def test_split_image() -> None:
    assert split_image("wandb/local") == ("wandb/local", "latest")
    assert split_image("localhost:5000/wandb/local") == ("localhost:5000/wandb/local", "latest")
    assert split_image("wandb/local:0.60.0") == ("wandb/local", "0.60.0")
    digest = "wandb/local@sha256:" + "a" * 64
    assert split_image(digest) == (digest, "")


@pytest.mark.docker
def test_live_container(run_standin, tmp_path: Path) -> None:
    standin = run_standin(env={"HOST": "https://wandb.example.com", "BUCKET_QUEUE": "internal://",
                               "OIDC_ISSUER": "https://sso.example.com"},
                          wait_healthz=False, nano_cpus=1_500_000_000, mem_limit="512m",
                          restart_policy={"Name": "unless-stopped"},
                          volumes={str(tmp_path): {"bind": "/vol", "mode": "rw"}})
    result = import_docker_container(standin.container.name, timeout=10)
    c = result.config
    assert c.server.HOST == "https://wandb.example.com"
    assert c.env == {"OIDC_ISSUER": "https://sso.example.com"}  # the image's PATH is left out
    assert c.runtime.container_name == standin.container.name
    assert (c.runtime.port, c.runtime.bind_address) == (standin.port, "127.0.0.1")
    assert (c.runtime.cpu_limit, c.runtime.memory_limit) == ("1.5", "512Mi")
    assert (c.runtime.restart_policy, c.runtime.volume) == ("unless-stopped", str(tmp_path))


@pytest.mark.docker
def test_missing_container(docker_client) -> None:
    with pytest.raises(ImportFailure, match="no container named"):
        import_docker_container("wbtui-test-does-not-exist", timeout=10)


GUIDE_DEPLOYMENT = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wandb
  labels:
    app: wandb
spec:
  strategy:
    type: RollingUpdate
  replicas: 1
  selector:
    matchLabels:
      app: wandb
  template:
    metadata:
      labels:
        app: wandb
    spec:
      containers:
        - name: wandb
          env:
            - name: HOST
              value: https://YOUR_DNS_NAME
            - name: LICENSE
              value: XXXXXXXXXXXXXXX
            - name: BUCKET
              value: s3://$ACCESS_KEY:$SECRET_KEY@$HOST/$BUCKET_NAME
            - name: BUCKET_QUEUE
              value: internal://
            - name: AWS_REGION
              value: us-east-1
            - name: MYSQL
              valueFrom:
                secretKeyRef: {name: wandb-db, key: url}
            - name: POD_IP
              valueFrom:
                fieldRef: {fieldPath: status.podIP}
          envFrom:
            - secretRef: {name: wandb-extra}
          imagePullPolicy: IfNotPresent
          image: wandb/local:latest
          resources:
            requests: {cpu: "2000m", memory: 4G}
            limits: {cpu: "4000m", memory: 8G}
---
apiVersion: v1
kind: Service
metadata: {name: wandb-service}
spec: {type: ClusterIP}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: wandb-ingress
  annotations:
    kubernetes.io/ingress.class: nginx
"""


def test_guide_manifest() -> None:
    result = import_kubernetes(GUIDE_DEPLOYMENT)
    c = result.config
    assert c.server.HOST == "https://YOUR_DNS_NAME" and c.server.LICENSE == "XXXXXXXXXXXXXXX"
    assert c.server.MYSQL == "" and c.runtime.backend == "kubernetes"
    assert (c.runtime.cpu_request, c.runtime.cpu_limit, c.runtime.memory_limit) == ("2000m", "4000m", "8G")
    assert (c.kubernetes.service_type, c.kubernetes.ingress_class) == ("ClusterIP", "nginx")
    warnings = {n.field: n for n in result.notes if n.severity == "warning"}
    assert "wandb-db" in warnings["MYSQL"].message and "stdin" in warnings["MYSQL"].fix
    assert "env.POD_IP" in warnings and "env" in warnings and "kubernetes.volume_claim" in warnings


def test_rendered_manifests_import_back() -> None:
    config = canary_config()
    for key, value in (("runtime.uid", 100000), ("runtime.gid", 0), ("kubernetes.namespace", "wandb"),
                       ("kubernetes.volume_claim", "wandb-pvc"), ("kubernetes.tls_secret", "wandb-tls"),
                       ("kubernetes.replicas", 2), ("kubernetes.body_size", "100m")):
        section, attr = key.split(".")
        setattr(getattr(config, section), attr, value)
    config.runtime.backend = "kubernetes"
    config.kubernetes.dns_name = "wandb.example.com"
    text = render_k8s.render_yaml(config, reveal=True)
    result = import_kubernetes(text, Config())
    assert result.config == config, [n for n in result.notes if n.severity == "warning"]
    assert_no_canary(json.dumps([n.to_dict() for n in result.notes]))
    # The same objects as JSON (kubectl get -o json shape) import the same way.
    as_json = json.dumps({"kind": "List", "items": render_k8s.objects(config)})
    assert import_kubernetes(as_json, Config()).config == config


def test_masked_manifest_leaves_secrets_to_the_operator() -> None:
    result = import_kubernetes(render_k8s.render_yaml(canary_config()), Config())
    # The Secret in the file holds masks; they are imported as text and fail validation loudly.
    assert "****" in result.config.server.MYSQL


@pytest.mark.parametrize(("text", "words"), [
    ("kind: Service\n", "no Deployment"),
    ("{not json", "not valid JSON"),
    ("a: [", "not valid YAML"),
    ("kind: Deployment\nspec: {template: {spec: {containers: []}}}\n", "no containers"),
])
def test_bad_manifests(text: str, words: str) -> None:
    with pytest.raises(ImportFailure, match=words):
        import_kubernetes(text)


def test_malformed_manifest_shapes_do_not_crash() -> None:
    text = ("kind: Deployment\nmetadata: [1]\nspec:\n  replicas: many\n  template:\n    spec:\n"
            "      containers:\n      - name: wandb\n        env: [1, {name: HOST, value: https://w.example.com}]\n"
            "        resources: {limits: [1]}\n        volumeMounts: {}\n")
    result = import_kubernetes(text)
    assert result.config.server.HOST == "https://w.example.com"
    assert any(n.field == "kubernetes.replicas" and n.severity == "warning" for n in result.notes)


def test_detect_format() -> None:
    assert detect_format(json.dumps(inspect_output())) == "docker"
    assert detect_format(GUIDE_DEPLOYMENT) == "kubernetes"
    assert detect_format(json.dumps({"kind": "Deployment"})) == "kubernetes"
    assert detect_format(ENV_FILE) == "env"
    with pytest.raises(ImportFailure, match="unknown format"):
        import_text("", "helm")
    assert import_text(json.dumps(inspect_output()), "docker").config.runtime.port == 8081
    assert BUCKET_SECRET not in detect_format(BUCKET_SECRET)
