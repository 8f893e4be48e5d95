"""Validation: one finding per problem with a fix, for every guide variable; never an exception."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.config_samples import canary_config, license_expiring_in, make_jws
from wbtui.config.model import FIELDS, Config, FieldSpec, set_value
from wbtui.config.validate import Finding, has_errors, validate, validate_field


def findings_for(key: str, **values: str) -> list[Finding]:
    config = canary_config()
    for k, v in values.items():
        set_value(config, k.replace("__", "."), v)
    return validate_field(config, key)


def severities(findings: list[Finding]) -> set[str]:
    return {f.severity for f in findings}


def test_canary_config_has_no_errors_or_warnings() -> None:
    assert [f for f in validate(canary_config()) if f.severity != "info"] == []


def test_every_finding_names_a_known_field_and_has_a_fix() -> None:
    keys = {spec.key for spec in FIELDS}
    for f in validate(Config()):
        assert f.field in keys and f.fix


@pytest.mark.parametrize(("value", "severity", "words"), [
    ("wandb.example.com", "error", "no scheme"),
    ("http://wandb.example.com", "warning", "http://"),
    ("https://wandb.example.com/wandb", "error", "path"),
    ("https://wandb.example.com?x=1", "error", "query"),
    ("https://user:pw@wandb.example.com", "error", "credentials"),
    ("ftp://wandb.example.com", "error", "scheme"),
    ("https://wandb.example.com:99x", "error", "port"),
    ("https://[::1", "error", "not a URL"),
    ("https://localhost", "warning", "loopback"),
    ("", "error", "not set"),
])
def test_host(value: str, severity: str, words: str) -> None:
    found = findings_for("HOST", HOST=value)
    assert severity in severities(found)
    assert any(words in f.message for f in found)


def test_host_https_is_clean() -> None:
    assert findings_for("HOST", HOST="https://wandb.example.com:8443/") == []


@pytest.mark.parametrize(("value", "severity", "words"), [
    ("not-a-license", "error", "three parts"),
    ("a.b", "error", "three parts"),
    ("!!!.e30.c2ln", "error", "header"),
    (make_jws({"exp": 1_000_000_000}), "error", "expired"),
    (license_expiring_in(10), "warning", "unverified"),
    (license_expiring_in(200), "info", "unverified"),
    (make_jws({"sub": "acme"}), "info", "no expiry"),
    ("", "warning", "needs one"),
])
def test_license(value: str, severity: str, words: str) -> None:
    found = findings_for("LICENSE", LICENSE=value)
    assert [f.severity for f in found] == [severity]
    assert words in found[0].message


@pytest.mark.parametrize(("value", "severity", "words"), [
    ("s3://AK:SK@minio:9000", "error", "bucket is wrong"),
    ("s3://AK@minio/wandb", "error", "credentials is wrong"),
    ("s3://AK:@minio/wandb", "error", "secret key is empty"),
    ("s3://AK:SK@minio/Wandb_Files", "warning", "naming"),
    ("s3://AK:SK@minio/wandb-files", "info", "tls=true"),
    ("s3://AK:SK@minio:80/wandb-files?tls=true", "warning", "port 80"),
    ("s3://AK:SK@127.0.0.1:9000/wandb-files", "warning", "signed URLs"),
    ("s3://AK:SK@localhost:9000/wandb-files", "warning", "container itself"),
    ("s3://AK:SK@[::1]:9000/wandb-files", "warning", "container itself"),
    ("", "warning", "embedded"),
])
def test_bucket(value: str, severity: str, words: str) -> None:
    found = findings_for("BUCKET", BUCKET=value)
    assert severity in severities(found)
    assert any(words in f.message for f in found)


def test_bucket_url_error_fix_is_an_example_command() -> None:
    (finding,) = findings_for("BUCKET", BUCKET="s3://AK:SK@minio:99999/wandb")
    assert finding.message.startswith("port is wrong")
    assert finding.fix.startswith("wbtui config set BUCKET 's3://")


def test_bucket_queue_needs_internal_for_non_aws() -> None:
    found = findings_for("BUCKET_QUEUE", BUCKET_QUEUE="sqs://queue")
    assert severities(found) == {"error"} and "internal://" in found[0].fix
    assert findings_for("BUCKET_QUEUE", BUCKET_QUEUE="") != []
    aws = {"BUCKET": "s3://AK:SK@s3.us-east-1.amazonaws.com/wandb-files?tls=true"}
    assert findings_for("BUCKET_QUEUE", BUCKET_QUEUE="sqs://queue", **aws) == []
    assert severities(findings_for("BUCKET_QUEUE", BUCKET_QUEUE="kafka://q", **aws)) == {"error"}


def test_region() -> None:
    assert severities(findings_for("AWS_REGION", AWS_REGION="US East")) == {"error"}
    assert severities(findings_for("AWS_REGION", AWS_REGION="us_east 1")) == {"error"}
    assert severities(findings_for("AWS_REGION", AWS_REGION="")) == {"warning"}
    assert findings_for("AWS_REGION", AWS_REGION="default") == []


@pytest.mark.parametrize(("value", "severity", "words"), [
    ("mysql://u:p@", "error", "host is wrong"),
    ("mysql://u:p@db", "error", "database is wrong"),
    ("mysql://u:@db/wandb", "warning", "password is empty"),
    ("mysql://u:p@127.0.0.1/wandb", "warning", "container itself"),
    ("", "warning", "embedded"),
])
def test_mysql(value: str, severity: str, words: str) -> None:
    found = findings_for("MYSQL", MYSQL=value)
    assert severity in severities(found)
    assert any(words in f.message for f in found)


@pytest.mark.parametrize(("key", "value", "severity"), [
    ("runtime.tag", "latest", "warning"),
    ("runtime.tag", "bad tag", "error"),
    ("runtime.image", "Wandb/Local", "error"),
    ("runtime.image", "registry.example.com:5000/wandb/local", None),
    ("runtime.container_name", "-bad", "error"),
    ("runtime.port", "0", "error"),
    ("runtime.bind_address", "localhost", "error"),
    ("runtime.bind_address", "::1", None),
    ("runtime.volume", "", "warning"),
    ("runtime.volume", "/srv/wandb", None),
    ("runtime.volume", "/srv/a:b", "error"),
    ("runtime.volume", "bad volume", "error"),
    ("runtime.cpu_limit", "2", "warning"),
    ("runtime.cpu_limit", "4000m", None),
    ("runtime.cpu_limit", "four", "error"),
    ("runtime.memory_limit", "4G", "warning"),
    ("runtime.memory_limit", "8Gi", None),
    ("runtime.memory_limit", "8000m", "error"),
    ("runtime.memory_limit", "8K", "error"),
    ("runtime.cpu_request", "5", "error"),
    ("runtime.memory_request", "16G", "error"),
    ("kubernetes.namespace", "Wandb", "error"),
    ("kubernetes.name", "wandb.local", "error"),
    ("kubernetes.dns_name", "wandb.example.com", None),
    ("kubernetes.dns_name", "wandb_example", "error"),
    ("kubernetes.body_size", "1.5g", "error"),
    ("kubernetes.body_size", "100m", None),
    ("kubernetes.ingress_class", "Nginx!", "error"),
    ("kubernetes.volume_claim", "wandb-data", None),
    ("app.timeout", "0", "error"),
])
def test_runtime_and_kubernetes(key: str, value: str, severity: str | None) -> None:
    found = findings_for(key, **{key.replace(".", "__"): value})
    assert ({severity} if severity else set()) == severities(found), found


def test_openshift_uid_requires_gid_zero() -> None:
    config = canary_config()
    set_value(config, "runtime.uid", "100000")
    (finding,) = validate_field(config, "runtime.gid")
    assert finding.severity == "error" and finding.fix == "wbtui config set runtime.gid 0"
    set_value(config, "runtime.gid", "0")
    assert validate_field(config, "runtime.gid") == []
    set_value(config, "runtime.uid", "1000")
    set_value(config, "runtime.gid", "1000")
    assert validate_field(config, "runtime.gid") == []


def test_gid_without_uid_warns() -> None:
    assert severities(findings_for("runtime.gid", runtime__gid="0")) == {"warning"}


def test_digest_pinned_image_needs_no_tag() -> None:
    digest = "wandb/local@sha256:" + "a" * 64
    assert findings_for("runtime.tag", runtime__image=digest, runtime__tag="") == []
    assert severities(findings_for("runtime.tag", runtime__image=digest, runtime__tag="1.0")) == {"error"}


@pytest.mark.parametrize(("name", "value", "words"), [
    ("1BAD", "x", "not a valid environment variable name"),
    ("HOST", "x", "main setting"),
    ("OK_NAME", "a\nb", "newline"),
])
def test_extra_env(name: str, value: str, words: str) -> None:
    found = findings_for(f"env.{name}", **{f"env__{name}": value})
    assert any(words in f.message for f in found) and has_errors(found)


def test_replicas_with_embedded_mysql_warn() -> None:
    assert severities(findings_for("kubernetes.replicas", kubernetes__replicas="3", MYSQL="")) == {"warning"}


def test_set_value_strips_pasted_whitespace() -> None:
    config = Config()
    set_value(config, "AWS_REGION", " us-east-1\n")
    set_value(config, "env.MOTD", " spaced ")
    assert config.server.AWS_REGION == "us-east-1"
    assert config.env["MOTD"] == " spaced "  # extra env values are kept exactly


def _arbitrary(spec: FieldSpec) -> st.SearchStrategy:
    """Any value of the field's type (None only where the model allows it)."""
    kind = spec.kind
    if kind is int:
        return st.one_of(st.none(), st.integers()) if spec.optional else st.integers()
    if kind is float:
        return st.floats(allow_nan=True, allow_infinity=True)
    if kind is bool:
        return st.booleans()
    return st.text()


ARBITRARY_CONFIGS = st.builds(
    lambda values, env: (values, env),
    st.fixed_dictionaries({spec.key: _arbitrary(spec) for spec in FIELDS}),
    st.dictionaries(st.text(), st.text(), max_size=4),
)


def build(values: dict, env: dict) -> Config:
    """Set every field directly (bypassing coercion) so even type-valid garbage reaches validate."""
    config = Config()
    for spec in FIELDS:
        setattr(getattr(config, spec.section), spec.attr, values[spec.key])
    config.env.update(env)
    return config


@settings(max_examples=200, deadline=None)
@given(ARBITRARY_CONFIGS)
def test_validate_never_raises(data: tuple[dict, dict]) -> None:
    config = build(*data)
    for finding in validate(config):
        assert finding.severity in ("error", "warning", "info")
        assert isinstance(finding.message, str)
    if isinstance(config.app.timeout, float) and math.isnan(config.app.timeout):
        assert has_errors(validate_field(config, "app.timeout"))
