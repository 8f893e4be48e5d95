"""An endpoint that answers HTTP but not S3 (a web server, a proxy's page) is named as such, with its fix.

Before: a server answering 200 with an empty or HTML body passed the endpoint, credentials,
bucket and (HTML) region checks, then failed with 'unexpected error: ParseError: no element
found' or "KeyError: 'ETag'". The server here is a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from wbtui.checks.model import CheckFailed, Status
from wbtui.checks.s3 import run_s3_checks
from wbtui.checks.s3_client import S3Target
from wbtui.checks.s3_transport import NOT_S3, boto_call
from wbtui.config.model import Config
from wbtui.config.urls import BucketURL

BODIES = {"empty": b"", "html": b"<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>"}


def web_server(body: bytes) -> Iterator[int]:
    class Answer(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html" if body else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = do_OPTIONS = _answer

        def log_message(self, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(params=sorted(BODIES))
def not_s3_port(request: pytest.FixtureRequest) -> Iterator[int]:
    yield from web_server(BODIES[request.param])


def config_for(port: int) -> Config:
    config = Config()
    config.server.BUCKET = BucketURL("AKIATEST", "web-secret", "127.0.0.1", "wandb", port).format()
    config.server.BUCKET_QUEUE = "internal://"
    config.server.HOST = "http://127.0.0.1:8080"
    return config


def test_the_endpoint_check_says_it_is_not_s3(not_s3_port: int) -> None:
    results = {r.id: r for r in run_s3_checks(config_for(not_s3_port), timeout=3.0)}
    endpoint = results["s3.endpoint"]
    assert endpoint.status is Status.FAIL
    assert NOT_S3 in endpoint.summary and endpoint.data["cause"] == "not-s3"
    assert "point BUCKET at the object store's S3 API" in endpoint.fix
    assert "HTTP 200" in endpoint.details
    assert all(results[i].status is Status.SKIPPED for i in ("s3.credentials", "s3.bucket", "s3.objects"))
    assert not any("unexpected error" in r.summary or "web-secret" in r.summary + r.details for r in results.values())


def test_an_s3_call_answered_with_an_empty_body_is_not_a_raw_parse_error() -> None:
    """GetBucketLocation parses its XML itself: an empty body raised ParseError straight out of boto3."""
    for port in web_server(BODIES["empty"]):
        target = S3Target(BucketURL("AKIATEST", "web-secret", "127.0.0.1", "wandb", port), "us-east-1", 3.0)
        try:
            with pytest.raises(CheckFailed) as failed:
                boto_call(target, "GetBucketLocation", target.client().get_bucket_location, Bucket="wandb")
        finally:
            target.close()
    assert NOT_S3 in failed.value.summary and failed.value.data["cause"] == "not-s3"
    assert "GetBucketLocation" in failed.value.details
