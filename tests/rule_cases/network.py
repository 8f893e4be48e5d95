"""Positive and negative cases: TLS trust, the HOST origin and the file URLs made from HOST.

[public] lines are copied from the report named next to them; [shape] lines are
written in the shape of crypto/x509's output where no public sample exists.
"""

from __future__ import annotations

from .base import GORILLA_CONFIG, Case

# [public] minio/minio#1293
X509_MINIO = "Put https://localhost:9000/my-bucket/: x509: certificate signed by unknown authority"
CUSTOM_CERTS = ["*** Found custom SSL certifcates, updating root trust...",
                "Updating certificates in /etc/ssl/certs..."]  # [public] wandb/helm-charts#90
ORIGIN = "request origin not allowed: http://127.0.0.1:8080"  # [public] wandb/server#46 (comment 2024-03-13)
FORBIDDEN_LOCAL_FILES = (
    "2023-02-13 15:37:16,447 ERROR   Thread-20 :3721785 [internal_api.py:upload_file():1924] upload_file exception "
    "http://localhost:8080/local-files/jiarunliu/stDLNN/3o5oqdf5/requirements.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=8eYcMlh0NyJX6qfZk7BL0g%3D%3D%2F20230213%2Fwandb-local%2Fs3%2Faws4_request&X-Amz-Date="
    "20230213T073716Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-User=jiarunliu&X-Amz-Signature=1ea82a51c65d"
    "4491d4869ac08f675075e9697446c126d1afaf0a825fe87ae542: 403 Client Error: Forbidden fo")  # [public] server#108 (cut)
ACCESS_DENIED_BODY = (
    "2023-02-13 15:37:16,438 ERROR   Thread-18 :3721785 [internal_api.py:upload_file():1928] upload_file response "
    "body: b'<?xml version=\"1.0\" encoding=\"UTF-8\"?>\\n<Error><Code>AccessDenied</Code><Message>Access Denied."
    "</Message><Key>jiarunliu/stDLNN/3o5oqdf5/config.yaml</Key><BucketName>local-files</BucketName><Resource>/local-"
    "files/jiarunliu/stDLNN/3o5oqdf5/config.yaml</Resource><RequestId>1743522C46B46025</RequestId><HostId>d617ec31-"
    "ea6d-44f3-90f2-89cb4a611522</HostId></Error>'")  # [public] wandb/server#108
METADATA_403 = ("requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: "
                "http://{URL}/local-files/redev/YOLOv5/l0vuxdui/wandb-metadata.json..")  # [public] wandb/wandb#6526
GCS_403 = ('wandb: ERROR Error uploading "wandb-metadata.json": CommError, HTTP 403: <?xml version=\'1.0\' '
           "encoding='UTF-8'?><Error><Code>AccessDenied</Code><Message>Access denied.</Message><Details>gorilla-files-"
           "url-signer@wandb-production.iam.gserviceaccount.com does not have storage.objects.delete access to the "
           "Google Cloud Storage object.</Details></Error>")  # [public] wandb/wandb#12066 (wandb.ai, not local-files)
BAD_DIGEST = ["    <Code>BadDigest</Code>",
              "    <Message>The Content-Md5 you specified did not match what we received.</Message>",
              "    <BucketName>local-files</BucketName>"]  # [public] wandb/wandb#1543
UPLOAD_400 = "400 Client Error: Bad Request for url:"  # [public] wandb/wandb#1543
# [public] wandb/wandb#2565
ARTIFACT = ("wandb: Downloading large artifact lyft-scenes:intgbhv3, 117.87MB. 318 files... Traceback (most recent "
            "call last):")
REFUSED = "ConnectionRefusedError: [Errno 111] Connection refused"  # [public] wandb/wandb#2565

CASES = [
    Case("tls-untrusted", True, [X509_MINIO]),
    Case("tls-untrusted", True, ["x509: certificate has expired or is not yet valid: current time "
                                 "2026-11-28T10:00:00Z is after 2026-10-01T00:00:00Z"]),  # [shape]
    Case("tls-untrusted", False, CUSTOM_CERTS),
    Case("origin-not-allowed", True, [ORIGIN]),
    Case("origin-not-allowed", False, [GORILLA_CONFIG]),
    Case("signed-url-host-mismatch", True, [FORBIDDEN_LOCAL_FILES]),
    Case("signed-url-host-mismatch", True, [ACCESS_DENIED_BODY]),
    Case("signed-url-host-mismatch", True, [METADATA_403]),
    Case("signed-url-host-mismatch", False, [GCS_403]),
    Case("signed-url-host-mismatch", False, BAD_DIGEST),
    Case("proxy-alters-upload", True, [UPLOAD_400, *BAD_DIGEST]),
    Case("proxy-alters-upload", False, [ACCESS_DENIED_BODY]),
    Case("file-url-unreachable", True, [ARTIFACT, REFUSED]),
    Case("file-url-unreachable", False, [REFUSED]),  # refused without a file download: the API itself
    Case("file-url-unreachable", False, [ARTIFACT]),
]
