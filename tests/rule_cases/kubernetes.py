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
    'when `value` is not empty"')  # [public] wandb/terraform-aws-wandb#270 (line cut where the excerpt ends)
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

CASES = [
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
