"""Kubernetes manifests: valid for the API (kubernetes-validate, strict), secrets only in the Secret."""

from __future__ import annotations

import json

import kubernetes_validate
import pytest
import yaml

from tests.config_samples import assert_no_canary, canary_config
from wbtui.config.model import Config, container_env, set_value
from wbtui.runtime.kubernetes import render as k8s

K8S_VERSION = "1.30.0"


def by_kind(objects: list[dict]) -> dict[str, dict]:
    return {o["kind"]: o for o in objects}


def container(objects: list[dict]) -> dict:
    return by_kind(objects)["Deployment"]["spec"]["template"]["spec"]["containers"][0]


def full_config() -> Config:
    config = canary_config()
    for key, value in (("runtime.uid", "100000"), ("runtime.gid", "0"), ("kubernetes.namespace", "wandb"),
                       ("kubernetes.volume_claim", "wandb-data"), ("kubernetes.tls_secret", "wandb-tls"),
                       ("kubernetes.service_type", "ClusterIP"), ("kubernetes.body_size", "500m")):
        set_value(config, key, value)
    return config


CONFIGS = {"full": full_config, "canary": canary_config, "defaults": Config}


@pytest.mark.parametrize("name", CONFIGS)
@pytest.mark.parametrize("version", [K8S_VERSION, "1.37.0"])
def test_every_object_validates_strictly(name: str, version: str) -> None:
    manifests = k8s.render(CONFIGS[name](), reveal=True)
    for obj in yaml.safe_load_all(manifests.text):
        kubernetes_validate.validate(obj, version, strict=True)
    assert list(yaml.safe_load_all(manifests.text)) == manifests.objects


def test_validator_rejects_a_broken_object() -> None:
    broken = k8s.deployment(canary_config())
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["pathh"] = "/x"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_secrets_only_in_the_secret() -> None:
    config = full_config()
    objects = k8s.objects(config)
    kinds = by_kind(objects)
    secret_keys = set(kinds["Secret"]["stringData"])
    assert secret_keys == {"LICENSE", "BUCKET", "MYSQL", "OIDC_CLIENT_SECRET", "REDIS"}
    assert {k: v for k, v in container_env(config).items() if k in secret_keys} == kinds["Secret"]["stringData"]
    for obj in objects:
        if obj["kind"] != "Secret":
            assert_no_canary(json.dumps(obj))
    env = {e["name"]: e for e in container(objects)["env"]}
    assert list(env) == list(container_env(config))
    for name in secret_keys:
        assert env[name] == {"name": name, "valueFrom": {"secretKeyRef": {"name": "wandb-secret", "key": name}}}
    assert env["HOST"] == {"name": "HOST", "value": "https://wandb.example.com"}


def test_text_is_masked_unless_revealed() -> None:
    config = full_config()
    masked = k8s.render_yaml(config)
    assert_no_canary(masked)
    shown = by_kind(list(yaml.safe_load_all(masked)))["Secret"]["stringData"]
    assert shown["MYSQL"] == "mysql://wandb_local:****@db.example.com:3306/wandb_local"
    assert k8s.render(config).objects == k8s.objects(config)  # the backend still gets real values
    with pytest.raises(AssertionError):
        assert_no_canary(k8s.render_yaml(config, reveal=True))


def test_deployment_follows_the_guide() -> None:
    objects = k8s.objects(full_config())
    deployment = by_kind(objects)["Deployment"]
    c = container(objects)
    assert deployment["spec"]["strategy"] == {"type": "RollingUpdate"}
    assert c["imagePullPolicy"] == "IfNotPresent" and c["image"] == "wandb/local:0.60.0"
    assert c["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    assert c["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert c["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert c["startupProbe"] == {"httpGet": {"path": "/ready", "port": "http"},
                                 "failureThreshold": 60, "periodSeconds": 10}
    assert c["resources"] == {"requests": {"cpu": "2", "memory": "4G"}, "limits": {"cpu": "4", "memory": "8G"}}
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"] == {"runAsUser": 100000, "runAsGroup": 0}
    assert pod["volumes"] == [{"name": "wandb", "persistentVolumeClaim": {"claimName": "wandb-data"}}]
    assert c["volumeMounts"] == [{"name": "wandb", "mountPath": "/vol"}]


def test_defaults_use_empty_dir_and_no_security_context() -> None:
    objects = k8s.objects(Config())
    pod = by_kind(objects)["Deployment"]["spec"]["template"]["spec"]
    assert pod["volumes"] == [{"name": "wandb", "emptyDir": {}}] and "securityContext" not in pod
    assert "Secret" not in by_kind(objects)


def test_labels_namespace_and_selectors() -> None:
    objects = k8s.objects(full_config())
    for obj in objects:
        assert obj["metadata"]["namespace"] == "wandb"
        assert obj["metadata"]["labels"] == {"app.kubernetes.io/name": "wandb",
                                             "app.kubernetes.io/managed-by": "wbtui"}
    kinds = by_kind(objects)
    selector = kinds["Deployment"]["spec"]["selector"]["matchLabels"]
    assert selector.items() <= kinds["Deployment"]["spec"]["template"]["metadata"]["labels"].items()
    assert kinds["Service"]["spec"]["selector"] == selector


def test_service_and_ingress() -> None:
    kinds = by_kind(k8s.objects(full_config()))
    assert kinds["Service"]["spec"]["type"] == "ClusterIP"
    assert kinds["Service"]["spec"]["ports"] == [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http"}]
    ingress = kinds["Ingress"]
    assert ingress["apiVersion"] == "networking.k8s.io/v1"
    assert ingress["metadata"]["annotations"] == {"nginx.ingress.kubernetes.io/proxy-body-size": "500m"}
    spec = ingress["spec"]
    assert spec["ingressClassName"] == "nginx"
    assert spec["rules"][0]["host"] == "wandb.example.com"
    assert spec["rules"][0]["http"]["paths"][0]["backend"] == {
        "service": {"name": "wandb-service", "port": {"number": 80}}}
    assert spec["tls"] == [{"hosts": ["wandb.example.com"], "secretName": "wandb-tls"}]


def test_ingress_host_choices() -> None:
    config = canary_config()
    set_value(config, "kubernetes.dns_name", "ml.example.org")
    set_value(config, "kubernetes.ingress_class", "")
    spec = k8s.ingress(config)["spec"]
    assert spec["rules"][0]["host"] == "ml.example.org" and "ingressClassName" not in spec
    for host in ("https://10.0.0.5", "https://[2001:db8::1]", ""):
        config = Config()
        set_value(config, "HOST", host)
        spec = k8s.ingress(config)["spec"]
        assert "rules" not in spec and spec["defaultBackend"]["service"]["name"] == "wandb-service"
        kubernetes_validate.validate(k8s.ingress(config), K8S_VERSION, strict=True)


def test_a_long_secret_with_spaces_stays_on_one_line_so_redaction_finds_it() -> None:
    from wbtui.config import masking

    config = full_config()
    secret = "pass phrase " * 12  # YAML folded such a value over several lines at its default width
    config.env["SMTP_PASSWORD"] = secret.strip()
    revealed = k8s.render_yaml(config, reveal=True)
    assert any(secret.strip() in line for line in revealed.splitlines())
    assert secret.strip() not in masking.screen(config)(revealed)
