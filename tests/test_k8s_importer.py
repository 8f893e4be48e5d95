"""Adopting a Kubernetes install: Deployment manifests (and their Secrets) read back as settings."""

from __future__ import annotations

import json

import pytest

from tests.config_samples import assert_no_canary, canary_config
from wbtui.config.importers import ImportFailure
from wbtui.config.model import Config
from wbtui.runtime.kubernetes import render as render_k8s
from wbtui.runtime.kubernetes.importer import import_kubernetes

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
