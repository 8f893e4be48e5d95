"""The bucket's CORS rules: browsers upload and download files straight from the store.

W&B hands browsers signed URLs, so the store must accept GET, PUT and HEAD from HOST's
origin, any request header, and expose ETag (multipart uploads read it).
"""

from __future__ import annotations

import json
import shlex
from typing import Any
from xml.sax.saxutils import escape

from ..config.masking import MASK
from ..config.model import Config
from ..config.urls import host_parts
from .common import bucket_or_note


def cors_rules(config: Config) -> dict[str, Any]:
    """boto3 ``put_bucket_cors(CORSConfiguration=...)`` shape."""
    return {"CORSRules": [{
        "AllowedHeaders": ["*"],
        "AllowedMethods": ["GET", "PUT", "HEAD"],
        "AllowedOrigins": [host_parts(config.server.HOST).origin],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": 3000,
    }]}


def render_json(config: Config) -> str:
    """For ``aws s3api put-bucket-cors --cors-configuration file://cors.json``."""
    return json.dumps(cors_rules(config), indent=2) + "\n"


def render_xml(config: Config) -> str:
    """The S3 XML form, for ``mc cors set ALIAS/BUCKET cors.xml``."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">']
    for rule in cors_rules(config)["CORSRules"]:
        out.append("  <CORSRule>")
        for field, tag in (("AllowedHeaders", "AllowedHeader"), ("AllowedMethods", "AllowedMethod"),
                           ("AllowedOrigins", "AllowedOrigin"), ("ExposeHeaders", "ExposeHeader")):
            out += [f"    <{tag}>{escape(value)}</{tag}>" for value in rule[field]]
        out.append(f"    <MaxAgeSeconds>{rule['MaxAgeSeconds']}</MaxAgeSeconds>")
        out.append("  </CORSRule>")
    out.append("</CORSConfiguration>")
    return "\n".join(out) + "\n"


def render_commands(config: Config, reveal: bool = False, alias: str = "local",
                    json_path: str = "cors.json", xml_path: str = "cors.xml") -> str:
    """How to apply the rules: ``aws s3api put-bucket-cors`` or ``mc cors set``."""
    url = bucket_or_note(config)
    if isinstance(url, str):
        return url
    secret = url.secret_key if reveal else MASK
    aws = ["env", f"AWS_ACCESS_KEY_ID={url.access_key}", f"AWS_SECRET_ACCESS_KEY={secret}",
           "aws", "s3api", "put-bucket-cors", "--endpoint-url", url.endpoint_url,
           "--region", config.server.AWS_REGION or "us-east-1", "--bucket", url.bucket,
           "--cors-configuration", f"file://{json_path}"]
    mc = ["mc", "cors", "set", f"{alias}/{url.bucket}", xml_path]
    lines = [f"# Write the rules: wbtui render cors -o {shlex.quote(json_path)}; "
             f"wbtui render cors --format xml -o {shlex.quote(xml_path)}",
             "# With the AWS CLI:", shlex.join(aws),
             f"# With the MinIO client (alias {alias} from `wbtui render mc`):", shlex.join(mc)]
    if not reveal:
        lines.insert(1, "# The secret key is masked (****): render with --reveal to run these.")
    return "\n".join(lines) + "\n"
