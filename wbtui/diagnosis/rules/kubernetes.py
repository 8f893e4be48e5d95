"""Kubernetes installs: Helm values the chart rejects, templates that do not render, and the W&B operator's
WeightsAndBiases resource producing objects the API server refuses.

The operator renders the operator-wandb chart with the resource's spec.values and
logs "Failed to apply config changes." with the API server's reason
(wandb/terraform-aws-wandb#270, wandb/helm-charts#279); Helm itself stops at
schema validation ("values don't meet the specifications of the schema(s)") or at
a template that reads a value the release does not have (wandb/helm-charts#134).
The operator first fetches the chart spec from deploy.wandb.ai; a controller that cannot
reach it ("Failed to get spec from deployer") deploys nothing at all (wandb/operator#20). The
operator chart renders cert-manager objects without depending on cert-manager, so on a cluster
without its CRDs `helm install` stops at "no matches for kind "Certificate"" (wandb/operator#288).
A connection string built in the pod spec from other variables (`$(KAFKA_BROKER_PORT)`) stays literal
when the variable it names is not defined before it in that container (wandb/helm-charts#401).
"""

from __future__ import annotations

from .facts import Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "operator-deployer-unreachable", "The operator cannot reach W&B's deployer", "critical",
        "The W&B operator's controller asks deploy.wandb.ai for the chart spec before it renders anything, and "
        "that request failed ({error}): the cluster has no route or DNS to the internet (air-gapped, egress "
        "blocked, a proxy not configured), so not a single W&B object is created.",
        "Allow the operator's pod egress to https://deploy.wandb.ai (HTTPS, port 443; set the proxy variables "
        "if the cluster uses one), or install for an air-gapped cluster as W&B's air-gapped operator guide "
        "describes: the operator chart with `airgapped: true` and the operator-wandb chart and images in "
        "your internal repositories. `kubectl logs -n <operator namespace> deploy/<operator>` shows the next "
        "attempt.",
        patterns=(r"Failed to get spec from deployer.*?(?P<error>(?:dial tcp|proxyconnect tcp)[^\"\\]*)",
                  r"Failed to get spec from deployer"),
        explains=("operator-apply-rejected",),
    ),
    Rule(
        "cert-manager-missing", "cert-manager is not installed in the cluster", "critical",
        "The chart creates cert-manager objects ({kind}, cert-manager.io) for the operator's certificates, "
        "and the cluster does not know that kind: cert-manager's CRDs (for that apiVersion) are not "
        "installed. The W&B operator chart renders these objects but does not install cert-manager itself.",
        "Install cert-manager with its CRDs first (`helm upgrade --install cert-manager jetstack/cert-manager "
        "--repo https://charts.jetstack.io -n cert-manager --create-namespace --set crds.enabled=true`), "
        "wait until its pods are ready (`kubectl get pods -n cert-manager`), then run the W&B chart's "
        "install again.",
        patterns=(r"no matches for kind \"(?P<kind>Certificate|Issuer|ClusterIssuer)\"(?:/\"Issuer\")? in version "
                  r"\"cert-manager\.io/",),
        explains=("helm-template-failed",),
    ),
    Rule(
        "k8s-env-reference-unresolved", "A pod's setting holds an unexpanded $(VARIABLE)", "critical",
        "A service parsed a connection URL that still contains the literal text `$({var})`: Kubernetes "
        "expands `$(NAME)` in a container's env only from variables defined earlier in that same "
        "container, and leaves the text as it is when there is none. {var} is not defined for that pod "
        "(or only after the variable that uses it), so the URL does not parse and the service panics.",
        "Define {var} in that service's env, before the variable that refers to it (in the WeightsAndBiases "
        "resource's spec.values or the chart values for that service), and apply again; `kubectl get deploy "
        "<name> -o yaml` shows the container's env in order. With an operator-managed install, upgrade the "
        "chart if its template omits the variable.",
        patterns=(r"invalid port \":\$\((?P<var>[A-Z_][A-Z0-9_]*)\)\"",
                  r"parse \"[a-z][a-z0-9+.-]*://[^\"]*\$\((?P<var>[A-Z_][A-Z0-9_]*)\)"),
        explains=("restart-loop",),
    ),
    Rule(
        "operator-apply-rejected", "The operator's rendered objects were rejected", "critical",
        "The W&B operator rendered the chart from the WeightsAndBiases resource's values and the "
        "Kubernetes API refused the result ({detail}): a value in spec.values (often one a Terraform "
        "module or an older values file wrote) produces an invalid object, e.g. an env entry with both "
        "value and valueFrom, or a secretKeyRef with no key.",
        "Read the field the API names, then fix it in the resource's values: `kubectl get weightsandbiases "
        "-A -o yaml`, correct spec.values, `kubectl apply -f` it (with the Terraform modules, upgrade the "
        "module or apply the corrected resource by hand); `kubectl logs -n <operator namespace> "
        "deploy/<operator>` shows the next attempt.",
        patterns=(r"Failed to apply config changes\..*is invalid: (?P<detail>[^\s\"\\:]+)",
                  r"Failed to apply config changes\."),
    ),
    Rule(
        "helm-values-schema", "Helm rejected the values (chart schema)", "error",
        "`helm install/upgrade` checked the values against the chart's values.schema.json and they do "
        "not match it: a key with the wrong type, a missing required key, or a key the chart does not know.",
        "Fix the keys Helm lists (each line names the path and the type wanted) against the values.yaml "
        "of the chart version you install (`helm show values wandb/operator-wandb --version ...`), then "
        "run the upgrade again.",
        patterns=(r"values don't meet the specifications of the schema",),
    ),
    Rule(
        "helm-template-failed", "The chart's templates did not render with these values", "error",
        "Helm could not render the chart: a template reads a value this release does not have, typically "
        "after `--reuse-values` carried the values of an older chart version into a newer one, or a bug "
        "of that chart version.",
        "Upgrade with a complete values file instead of `--reuse-values` (or `--reset-then-reuse-values`, "
        "Helm 3.14+), starting from the chart version's own values.yaml; `helm repo update` and use the "
        "latest chart version, which may carry the template fix.",
        patterns=(r"(?:UPGRADE|INSTALLATION) FAILED: template: ", r"nil pointer evaluating interface \{\}",
                  r"error calling index: index of nil pointer"),
    ),
    Rule(
        "wandb-resource-invalid", "The WeightsAndBiases resource was rejected", "error",
        "The API server refused the WeightsAndBiases resource itself: it does not match the CRD the "
        "operator installed (an unknown or misspelt field, a wrong type, or an apiVersion the CRD lacks).",
        "Compare the resource with the CRD (`kubectl explain weightsandbiases.spec`, `kubectl get crd "
        "weightsandbiases.apps.wandb.com -o yaml`): settings belong under spec.values; fix the field "
        "named and apply again. Upgrade the operator chart if the CRD is older than the resource.",
        patterns=(r"WeightsAndBiases(?:\.apps\.wandb\.com)? \"[^\"]+\" is invalid",
                  r"cannot be handled as a WeightsAndBiases",
                  r"no matches for kind \"WeightsAndBiases\""),
    ),
)
