"""Positive and negative cases: Helm values, chart templates and the W&B operator's WeightsAndBiases resource.

[public] lines are copied from the report named next to them (Helm's own messages
from other charts' reports where no W&B one exists); [shape] lines are written in
the shape of kubectl's output where no public sample exists.
"""

from __future__ import annotations

from .base import Case

APPLY_ENV = (
    '{"level":"error","ts":"2024-07-10T09:35:42Z","msg":"Failed to apply config changes.","controller":'
    '"weightsandbiases","controllerGroup":"apps.wandb.com","controllerKind":"WeightsAndBiases","WeightsAndBiases":'
    '{"name":"wandb","namespace":"default"},"namespace":"default","name":"wandb","reconcileID":"32c6383c-9980-4da3-'
    'ad0b-e7793b7a4837","error":"cannot patch \\"wandb-app\\" with kind Deployment: Deployment.apps \\"wandb-app\\" '
    'is invalid: spec.template.spec.containers[0].env[16].valueFrom: Invalid value: \\"\\": may not be specified '
    'when `value` is not empty"')  # [public] wandb/terraform-aws-wandb#270 (line cut where the issue's excerpt ends)
APPLY_SECRET_KEY = (
    '{"level":"error","ts":"2024-12-14T07:17:01Z","msg":"Failed to apply config changes.","controller":'
    '"weightsandbiases","controllerGroup":"apps.wandb.com","controllerKind":"WeightsAndBiases","WeightsAndBiases":'
    '{"name":"wandb","namespace":"default"}')  # [public] wandb/helm-charts#279 (comment 2024-12-14, first line)
# [public] SQLJames/factorio-server-charts#75
SCHEMA = ("Error: values don't meet the specifications of the schema(s) in the following chart(s): "
          "factorio-server-charts: - map_gen_settings.seed: Invalid type. Expected: null, given: integer - "
          "map_gen_settings.starting_area: Invalid type. Expected: integer, given: number")
SCHEMA_FLUX = ("  Warning  InstallFailed  3s  helm-controller  Helm install failed for release clickhouse/clickhouse "
               "with chart clickhouse@0.3.5: values don't meet the specifications of the schema(s) in the following "
               "chart(s):")  # [public] Altinity/helm-charts#83
NIL_SECONDARY = ('Error: UPGRADE FAILED: template: operator-wandb/templates/ingress.yaml:89:14: executing '
                 '"operator-wandb/templates/ingress.yaml" at <.Values.ingress.secondary.create>: nil pointer '
                 'evaluating interface {}.create')  # [public] wandb/helm-charts#134
INDEX_NIL = "error calling index: index of nil pointer"  # [public] wandb/helm-charts#590
UPGRADED = 'Release "wandb" has been upgraded. Happy Helming!'  # [public] wandb/helm-charts#176
CR_UNKNOWN_FIELD = ('Error from server (BadRequest): error when creating "wandb.yaml": WeightsAndBiases in version '
                    '"v1" cannot be handled as a WeightsAndBiases: strict decoding error: unknown field '
                    '"spec.value"')  # [shape] kubectl/apiserver strict decoding
CR_INVALID = ('The WeightsAndBiases "wandb" is invalid: spec.chart: Invalid value: "string": spec.chart in body '
              'must be of type object: "string"')  # [shape] apiserver CRD validation

DEPLOYER = (
    '{"level":"info","ts":"2024-08-07T13:33:40Z","msg":"Failed to get spec from deployer","controller":'
    '"weightsandbiases","controllerGroup":"apps.wandb.com","controllerKind":"WeightsAndBiases","WeightsAndBiases":'
    '{"name":"wandb","namespace":"default"},"namespace":"default","name":"wandb","reconcileID":"08ea8f72-2387-4b9b-'
    'b445-0afc2b2caa58","error":"Get \\"https://deploy.wandb.ai/api/v1/operator/channel\\": dial tcp '
    '34.95.98.226:443: connect: network is unreachable"}')  # [public] wandb/operator#20 (air-gapped cluster)

NO_CERT_MANAGER = ('Error: INSTALLATION FAILED: unable to build kubernetes objects from release manifest: [unable to '
                   'recognize "": no matches for kind "Certificate" in version "cert-manager.io/v1", unable to '
                   'recognize "": no matches for kind "Issuer" in version "cert-manager.io/v1"]'
                   )  # [public] mongodb/helm-charts#115 (fixed by installing cert-manager)
NO_CERT_MANAGER_CRDS = ('Error: INSTALLATION FAILED: unable to build kubernetes objects from release manifest: '
                        '[resource mapping not found for name: "capi-operator-serving-cert" namespace: '
                        '"capi-operator-system" from "": no matches for kind "Certificate" in version '
                        '"cert-manager.io/v1"')  # [public] kubernetes-sigs/cluster-api-operator#531 (first line)
CERT_MANAGER_PR = ('cert-manager is required but undocumented.** `helm install` fails with `no matches for kind '
                   '"Certificate"/"Issuer" in version "cert-manager.io/v1"`')  # [public] wandb/operator#288
CLUSTER_ISSUER_TYPO = ('error: unable to recognize "cluster-issuer.yaml": no matches for kind "ClusterIssuer" in '
                       'version "certmananger.k8s.io/v1alpha2"')  # [public] cert-manager/cert-manager#3062 (a typo)

KAFKA_UNEXPANDED = (
    'panic: Got error with config.Addr, parse "kafka://$(KAFKA_CLIENT_USER):wandb@$(KAFKA_BROKER_HOST):'
    '$(KAFKA_BROKER_PORT)/wandb-run-updates-shadow?producer_batch_bytes=1048576&num_partitions=12&'
    'replication_factor=3": invalid port ":$(KAFKA_BROKER_PORT)" after host')  # [public] wandb/helm-charts#401
PORT_ZERO_CACHE = "panic: dial tcp 10.152.243.127:0: i/o timeout"  # [public] wandb/terraform-google-wandb#139

CASES = [
    Case("k8s-env-reference-unresolved", True, [KAFKA_UNEXPANDED]),
    Case("k8s-env-reference-unresolved", True, [  # the same report, the URL alone (no port named)
        'panic: Got error with config.Addr, parse "kafka://$(KAFKA_CLIENT_USER):wandb@$(KAFKA_BROKER_HOST):'
        '$(KAFKA_BROKER_PORT)/wandb-run-updates-shadow?producer_batch_bytes=1048576&num_partitions=12&'
        'replication_factor=3"']),
    Case("k8s-env-reference-unresolved", False, [PORT_ZERO_CACHE]),
    Case("k8s-env-reference-unresolved", False, [NIL_SECONDARY]),
    Case("cert-manager-missing", True, [NO_CERT_MANAGER]),
    Case("cert-manager-missing", True, [NO_CERT_MANAGER_CRDS]),
    Case("cert-manager-missing", True, [CERT_MANAGER_PR]),
    Case("cert-manager-missing", False, [CLUSTER_ISSUER_TYPO]),  # another API group: a misspelt apiVersion
    Case("cert-manager-missing", False, [NIL_SECONDARY]),
    Case("operator-deployer-unreachable", True, [DEPLOYER]),
    Case("operator-deployer-unreachable", False, [APPLY_ENV]),
    Case("operator-apply-rejected", False, [DEPLOYER]),
    Case("operator-apply-rejected", True, [APPLY_ENV]),
    Case("operator-apply-rejected", True, [APPLY_SECRET_KEY]),
    Case("operator-apply-rejected", False, [UPGRADED]),
    Case("operator-apply-rejected", False, [CR_INVALID]),
    Case("helm-values-schema", True, [SCHEMA]),
    Case("helm-values-schema", True, [SCHEMA_FLUX]),
    Case("helm-values-schema", False, [NIL_SECONDARY]),
    Case("helm-template-failed", True, [NIL_SECONDARY]),
    Case("helm-template-failed", True, [INDEX_NIL]),
    Case("helm-template-failed", False, [SCHEMA, UPGRADED]),
    Case("wandb-resource-invalid", True, [CR_UNKNOWN_FIELD]),
    Case("wandb-resource-invalid", True, [CR_INVALID]),
    Case("wandb-resource-invalid", False, [APPLY_ENV]),
]
