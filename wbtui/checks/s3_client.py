"""One object store as W&B reaches it: endpoint, keys and region from the config, clients with timeouts.

The boto3 client is built the way W&B talks to a non-AWS store (path-style, SigV4,
the configured region) with one attempt per call, so a dead endpoint costs exactly
the timeout and not the same timeout times boto3's retries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..config.model import Config
from ..config.urls import BucketURL

CHECK_PREFIX = "wbtui-check/"
DEFAULT_REGION = "us-east-1"


def is_aws(url: BucketURL) -> bool:
    host = url.host.lower().rstrip(".")
    return host == "amazonaws.com" or host.endswith(".amazonaws.com")


def normalise_location(constraint: str | None) -> str:
    """GetBucketLocation's answer as a region: empty means us-east-1, ``EU`` is eu-west-1."""
    if not constraint:
        return DEFAULT_REGION
    return "eu-west-1" if constraint == "EU" else constraint


@dataclass
class S3Target:
    """The configured store and its clients, created once per check run."""

    url: BucketURL
    region: str
    timeout: float
    _client: Any = field(default=None, repr=False)
    _http: Any = field(default=None, repr=False)

    @classmethod
    def from_config(cls, config: Config, timeout: float) -> S3Target:
        """Raises URLError when BUCKET does not parse."""
        return cls(BucketURL.parse(config.server.BUCKET), config.server.AWS_REGION or DEFAULT_REGION, timeout)

    @property
    def bucket(self) -> str:
        return self.url.bucket

    @property
    def hostport(self) -> str:
        port = self.url.port if self.url.port is not None else (443 if self.url.tls else 80)
        return f"{self.url.host}:{port}"

    @property
    def port(self) -> int:
        return int(self.hostport.rsplit(":", 1)[1])

    def client(self) -> Any:
        if self._client is None:
            self._client = make_client(self.url, self.region, self.timeout)
        return self._client

    def http(self) -> Any:
        """An httpx client: certificate verification on, every phase bounded by the timeout."""
        if self._http is None:
            import httpx

            self._http = httpx.Client(timeout=httpx.Timeout(self.timeout), follow_redirects=False)
        return self._http

    def object_url(self, key: str) -> str:
        from urllib.parse import quote

        return f"{self.url.endpoint_url}/{quote(self.bucket)}/{quote(key)}"

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
        if self._client is not None:
            self._client.close()


def make_client(url: BucketURL, region: str, timeout: float) -> Any:
    """boto3 S3 client for BUCKET: path-style, SigV4, one attempt, connect and read timeouts.

    Checksums only when the operation requires them: older MinIO and Ceph releases
    reject the trailing checksums newer boto3 adds by default, and W&B does not use them.
    """
    import boto3
    from botocore.config import Config as BotoConfig

    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=url.endpoint_url,
        region_name=region or DEFAULT_REGION,
        aws_access_key_id=url.access_key,
        aws_secret_access_key=url.secret_key,
        config=BotoConfig(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"total_max_attempts": 1, "mode": "standard"},
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )
