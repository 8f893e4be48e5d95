"""The Ceph radosgw test service is a real S3: signed URLs work and a wrong secret is refused."""

from __future__ import annotations

import os
import secrets
import socket

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.services.base import unavailable
from tests.services.ceph import CephCluster

pytestmark = pytest.mark.s3


def test_signed_url_round_trip(radosgw, s3_bucket):
    s3 = radosgw.s3_client()
    body = secrets.token_bytes(4096)
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": s3_bucket, "Key": "smoke/obj"},
                                        ExpiresIn=60)
    put = httpx.put(put_url, content=body, timeout=10)
    assert put.status_code == 200, put.text
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "smoke/obj"},
                                        ExpiresIn=60)
    got = httpx.get(get_url, timeout=10)
    assert got.status_code == 200
    assert got.content == body


def test_tampered_signed_url_is_refused(radosgw, s3_bucket):
    s3 = radosgw.s3_client()
    s3.put_object(Bucket=s3_bucket, Key="smoke/obj", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "smoke/obj"}, ExpiresIn=60)
    tampered = url.replace("smoke/obj", "smoke/other")
    got = httpx.get(tampered, timeout=10)
    assert got.status_code == 403
    assert b"SignatureDoesNotMatch" in got.content


def test_wrong_secret_is_signature_does_not_match(radosgw, s3_bucket):
    s3 = radosgw.s3_client(secret_key=radosgw.secret_key + "x")
    with pytest.raises(ClientError) as caught:
        s3.list_objects_v2(Bucket=s3_bucket)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_bucket_location_is_the_region(radosgw, s3_bucket):
    s3 = radosgw.s3_client()
    assert s3.get_bucket_location(Bucket=s3_bucket)["LocationConstraint"] == radosgw.region
    with pytest.raises(ClientError) as caught:
        s3.create_bucket(Bucket=s3_bucket + "-x", CreateBucketConfiguration={"LocationConstraint": "xx-nowhere-1"})
    assert caught.value.response["Error"]["Code"] == "InvalidLocationConstraint"


def test_a_taken_port_moves_radosgw_and_a_failed_start_leaves_nothing(tmp_path):
    """Someone grabbed radosgw's port after free_port(): the cluster moves to another one."""
    cluster = CephCluster(tmp_path / "ceph")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", cluster.host_port))
        squatter.listen(1)
        taken = cluster.host_port
        try:
            cluster.start(timeout=60)
        except Exception as exc:
            unavailable("Ceph radosgw", exc)
        try:
            assert cluster.host_port != taken
            assert httpx.get(cluster.endpoint, timeout=10).status_code == 200
            pids = list(cluster.pids.values())
            assert len(pids) == 3
        finally:
            cluster.stop()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
