"""The bucket's CORS rules: GET/PUT/HEAD from HOST's origin, as boto3 dict, JSON, XML and commands."""

from __future__ import annotations

import json
import shlex
import xml.etree.ElementTree as ET

import pytest

from tests.config_samples import BUCKET_SECRET, assert_no_canary, canary_config
from wbtui.config.model import Config, set_value
from wbtui.render import cors

RULE = {
    "AllowedHeaders": ["*"],
    "AllowedMethods": ["GET", "PUT", "HEAD"],
    "AllowedOrigins": ["https://wandb.example.com"],
    "ExposeHeaders": ["ETag"],
    "MaxAgeSeconds": 3000,
}


def test_rules_dict_and_json() -> None:
    config = canary_config()
    assert cors.cors_rules(config) == {"CORSRules": [RULE]}
    assert json.loads(cors.render_json(config)) == {"CORSRules": [RULE]}


def test_origin_keeps_scheme_and_port() -> None:
    config = Config()
    set_value(config, "HOST", "http://wandb.internal:8080/")
    assert cors.cors_rules(config)["CORSRules"][0]["AllowedOrigins"] == ["http://wandb.internal:8080"]
    assert cors.cors_rules(Config())["CORSRules"][0]["AllowedOrigins"] == ["https://wandb.invalid"]


def test_xml_for_mc() -> None:
    root = ET.fromstring(cors.render_xml(canary_config()).encode())
    ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
    rule = root.find("s3:CORSRule", ns)
    assert [e.text for e in rule.findall("s3:AllowedMethod", ns)] == ["GET", "PUT", "HEAD"]
    assert rule.find("s3:AllowedOrigin", ns).text == "https://wandb.example.com"
    assert rule.find("s3:ExposeHeader", ns).text == "ETag"
    assert rule.find("s3:MaxAgeSeconds", ns).text == "3000"


def test_commands() -> None:
    lines = [shlex.split(line) for line in cors.render_commands(canary_config(), reveal=True).splitlines()
             if not line.startswith("#")]
    aws, mc = lines
    assert aws[:3] == ["env", "AWS_ACCESS_KEY_ID=CANARYACCESSKEY", f"AWS_SECRET_ACCESS_KEY={BUCKET_SECRET}"]
    assert aws[3:6] == ["aws", "s3api", "put-bucket-cors"]
    assert aws[aws.index("--endpoint-url") + 1] == "https://minio.example.com:9000"
    assert aws[-2:] == ["--cors-configuration", "file://cors.json"]
    assert mc == ["mc", "cors", "set", "local/wandb-files", "cors.xml"]
    assert_no_canary(cors.render_commands(canary_config()))
    assert cors.render_commands(Config()).startswith("# BUCKET is empty")


@pytest.mark.s3
def test_store_accepts_the_rules(radosgw, s3_bucket: str) -> None:
    """radosgw takes the dict as boto3's CORSConfiguration and returns the same rule."""
    client = radosgw.s3_client()
    client.put_bucket_cors(Bucket=s3_bucket, CORSConfiguration=cors.cors_rules(canary_config()))
    (rule,) = client.get_bucket_cors(Bucket=s3_bucket)["CORSRules"]
    assert {k: v for k, v in rule.items() if k != "ID"} == RULE
