"""Object-store checks without a store: silent and closed ports, TLS mix-ups, bad settings.

The TLS servers here are real (Python's ssl with certificates made by the openssl
tool); they stand in for a TLS proxy in front of a store, which is all these
checks look at before any S3 request.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.services.base import free_port
from wbtui.checks.model import CheckFailed, Outcome, Status
from wbtui.checks.s3 import check_queue, run_s3_checks
from wbtui.checks.s3_client import S3Target, make_client, normalise_location
from wbtui.checks.s3_transport import boto_call, causes, clock_skew, diagnose_transport
from wbtui.config.model import Config
from wbtui.config.urls import BucketURL

SECRET = "s3cr3t/with@odd:chars%"


def config_for(port: int, tls: bool = False, queue: str = "internal://", host: str = "127.0.0.1") -> Config:
    config = Config()
    config.server.BUCKET = BucketURL("AKIATEST", SECRET, host, "wandb", port, tls).format()
    config.server.BUCKET_QUEUE = queue
    config.server.HOST = "http://127.0.0.1:8080"
    return config


def by_id(results):
    return {r.id: r for r in results}


@pytest.fixture
def silent_port():
    """A port that accepts TCP connections (the kernel completes them) and never sends a byte."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def test_silent_endpoint_fails_within_the_timeout(silent_port):
    """The whole run, client set-up included, costs the timeout once (slack for a busy machine)."""
    timeout = 2.0
    started = time.monotonic()
    results = by_id(run_s3_checks(config_for(silent_port), timeout=timeout))
    elapsed = time.monotonic() - started
    endpoint = results["s3.endpoint"]
    assert endpoint.status is Status.FAIL
    assert endpoint.data["cause"] == "read-timeout"
    assert f"sent no answer within {timeout:g}s" in endpoint.summary
    assert results["s3.credentials"].status is Status.SKIPPED
    assert timeout <= elapsed < timeout * 1.5, elapsed


def test_boto3_makes_one_attempt_per_call(silent_port):
    """One attempt: a hung store costs the timeout once, not once per boto3 retry."""
    timeout = 2.0
    target = S3Target(BucketURL("AKIATEST", SECRET, "127.0.0.1", "wandb", silent_port), "us-east-1", timeout)
    client = target.client()
    started = time.monotonic()
    with pytest.raises(CheckFailed) as caught:
        boto_call(target, "ListBuckets", client.list_buckets)
    elapsed = time.monotonic() - started
    target.close()
    assert caught.value.data["cause"] == "read-timeout"
    assert timeout <= elapsed < timeout * 1.5, elapsed


def test_refused_port_is_named():
    port = free_port()
    endpoint = by_id(run_s3_checks(config_for(port), timeout=2.0))["s3.endpoint"]
    assert endpoint.status is Status.FAIL
    assert endpoint.summary == f"nothing listens on 127.0.0.1:{port} (connection refused)"


def test_dns_failure_is_named():
    target = S3Target(BucketURL("AKIATEST", SECRET, "store.invalid", "wandb", 9000), "us-east-1", 1.0)
    try:
        raise httpx.ConnectError("name resolution failed") from socket.gaierror(-2, "Name or service not known")
    except httpx.ConnectError as exc:
        failure = diagnose_transport(exc, target, "GET")
    assert failure.summary == "the host name 'store.invalid' does not resolve"


def test_causes_follow_botocore_wrapped_errors():
    from botocore.exceptions import EndpointConnectionError

    inner = ConnectionRefusedError(111, "refused")
    outer = EndpointConnectionError(endpoint_url="http://x", error=inner)
    assert inner in list(causes(outer))


def test_empty_bucket_is_the_embedded_store_warning():
    results = run_s3_checks(Config())
    assert [(r.id, r.status) for r in results] == [("s3.config", Status.WARN)]
    assert "embedded store" in results[0].summary and "not for production" in results[0].summary


def test_unparseable_bucket_fails_and_stops():
    config = Config()
    config.server.BUCKET = f"s3://AKIATEST:{SECRET}@/wandb"
    results = run_s3_checks(config)
    assert [(r.id, r.status) for r in results] == [("s3.config", Status.FAIL)]
    assert "host" in results[0].summary
    assert SECRET not in json.dumps([r.to_dict() for r in results])


def test_bucket_queue_must_be_internal_for_a_non_aws_store():
    results = by_id(run_s3_checks(config_for(free_port(), queue="sqs://wandb-queue"), timeout=1.0))
    assert results["s3.queue"].status is Status.FAIL
    assert results["s3.queue"].fix == "wbtui config set BUCKET_QUEUE internal://"


def test_bucket_queue_on_aws_may_be_sqs():
    target = S3Target(BucketURL("AKIATEST", SECRET, "s3.us-east-2.amazonaws.com", "wandb"), "us-east-2", 1.0)
    assert isinstance(check_queue("sqs://queue", target), Outcome)


def test_no_secret_in_any_result():
    results = run_s3_checks(config_for(free_port()), timeout=1.0)
    text = json.dumps([r.to_dict() for r in results])
    assert SECRET not in text and "s3cr3t" not in text


@pytest.mark.parametrize(("constraint", "region"), [(None, "us-east-1"), ("", "us-east-1"), ("EU", "eu-west-1"),
                                                    ("us-east1", "us-east1")])
def test_location_constraint_to_region(constraint, region):
    assert normalise_location(constraint) == region


def test_clock_skew_from_the_date_header():
    from email.utils import formatdate

    skew = clock_skew(formatdate(time.time() + 3600, usegmt=True))
    assert skew is not None and 3598 < skew < 3602
    assert clock_skew("not a date") is None and clock_skew(None) is None


def test_client_is_path_style_sigv4_in_the_region():
    client = make_client(BucketURL("AKIATEST", SECRET, "127.0.0.1", "wandb", 9000), "eu-west-1", 2.0)
    url = client.generate_presigned_url("get_object", Params={"Bucket": "wandb", "Key": "k"}, ExpiresIn=60)
    assert url.startswith("http://127.0.0.1:9000/wandb/k?")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url and "%2Feu-west-1%2Fs3%2F" in url


# -- TLS --------------------------------------------------------------------------------------


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    """A private CA, a server certificate it signed, and a self-signed one, all for 127.0.0.1."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl tool is not installed")
    d = tmp_path_factory.mktemp("certs")
    san = "subjectAltName=IP:127.0.0.1"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem",
             "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", san, cwd=d)
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=wbtui test CA", cwd=d)
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
             "-subj", "/CN=127.0.0.1", cwd=d)
    (d / "ext.cnf").write_text(san + "\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf", cwd=d)
    return d


class _Quiet(http.server.BaseHTTPRequestHandler):
    """Answers as an S3 endpoint's root does (an empty 200 is a web server, not S3)."""

    def do_GET(self) -> None:
        body = b'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult/>'
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def tls_server(cert: Path, key: Path):
    """An HTTPS server on a free loopback port; handshake failures are dropped quietly."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Quiet)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda *args: None
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_self_signed_certificate_is_reported(certs):
    with tls_server(certs / "self.pem", certs / "self.key") as port:
        endpoint = by_id(run_s3_checks(config_for(port, tls=True), timeout=3.0))["s3.endpoint"]
    assert endpoint.status is Status.FAIL
    assert endpoint.summary == f"the TLS certificate of 127.0.0.1:{port} is not trusted: it is self-signed"
    assert "does not support self-signed" in endpoint.details


def test_private_ca_certificate_is_reported(certs):
    with tls_server(certs / "server.pem", certs / "server.key") as port:
        endpoint = by_id(run_s3_checks(config_for(port, tls=True), timeout=3.0))["s3.endpoint"]
    assert endpoint.data["cause"] == "untrusted-certificate"
    assert "issued by a CA this machine does not trust" in endpoint.summary


def test_trusted_certificate_passes(certs, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certs / "ca.pem"))
    with tls_server(certs / "server.pem", certs / "server.key") as port:
        endpoint = by_id(run_s3_checks(config_for(port, tls=True), timeout=3.0))["s3.endpoint"]
    assert endpoint.status is Status.PASS, endpoint.summary
    assert endpoint.summary.startswith(f"https://127.0.0.1:{port} answers HTTP 200")


def test_plain_http_to_a_tls_port_says_add_tls(certs, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certs / "ca.pem"))
    with tls_server(certs / "server.pem", certs / "server.key") as port:
        endpoint = by_id(run_s3_checks(config_for(port), timeout=3.0))["s3.endpoint"]
    assert endpoint.data["cause"] == "plain-to-tls-port"
    assert endpoint.summary == f"127.0.0.1:{port} speaks TLS (HTTPS), but BUCKET has no ?tls=true"
    assert "?tls=true" in endpoint.fix and SECRET not in endpoint.fix
    assert "not trusted" not in endpoint.details


def test_plain_http_to_a_self_signed_tls_port_mentions_the_certificate(certs):
    with tls_server(certs / "self.pem", certs / "self.key") as port:
        endpoint = by_id(run_s3_checks(config_for(port), timeout=3.0))["s3.endpoint"]
    assert endpoint.data["cause"] == "plain-to-tls-port"
    assert "not trusted (it is self-signed)" in endpoint.details
