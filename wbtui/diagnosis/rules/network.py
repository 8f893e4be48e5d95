"""What the server and its clients see of each other: TLS trust, the HOST origin and the file URLs made from HOST.

Files do not travel through the API: the server hands clients URLs built from
HOST (``http://HOST/local-files/...?X-Amz-Signature=...`` for the embedded
store), so a client that reaches the server at any other address (an SSH tunnel,
a port-forward, a load balancer's name) gets 403s on ``/local-files`` or
connection errors on downloads while logins and metrics still work
(wandb/wandb#1208, wandb/wandb#2565, wandb/server#37).
"""

from __future__ import annotations

import re

from .facts import Facts, Rule

_ARTIFACT_DOWNLOAD = re.compile(r"Downloading (large )?artifact", re.IGNORECASE)
_REFUSED = re.compile(r"ConnectionRefusedError|Connection refused|Failed to establish a new connection",
                      re.IGNORECASE)


def file_download_refused(facts: Facts) -> str | None:
    """A client downloading files (an artifact) was refused a connection: the URL's host, from HOST, is wrong."""
    started = False
    for line in facts.lines:
        if _ARTIFACT_DOWNLOAD.search(line):
            started = True
        if started and _REFUSED.search(line):
            return line
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "tls-untrusted", "A TLS certificate the container does not trust", "critical",
        "A service the server talks to (object store with ?tls=true, database, license server) "
        "presents a certificate that is self-signed, from a private CA, expired or for another name.",
        "W&B does not support self-signed certificates: use a certificate from a trusted CA, or drop "
        "?tls=true for a store on a trusted network.",
        patterns=(r"x509: certificate signed by unknown authority", r"x509: certificate has expired",
                  r"x509: certificate is valid for", r"x509: cannot validate certificate",
                  r"certificate verify failed"),
        explains=("bucket-settings",),
    ),
    Rule(
        "origin-not-allowed", "Request origin not allowed (HOST mismatch)", "error",
        "Browsers reach the server at an address ({origin}) other than HOST ({host}); the server "
        "rejects requests from any other origin, so logins and the system console fail.",
        "Set HOST to exactly the address users type (scheme, name and port): `wbtui config set HOST "
        "https://...` and `wbtui up`; or browse to HOST.",
        patterns=(r"origin not allowed:? ?(?P<origin>[^\s\"',”]*)", r"CORS (request )?(rejected|denied|not allowed)"),
    ),
    Rule(
        "signed-url-host-mismatch", "File uploads refused: clients use another address than HOST", "error",
        "Clients upload and download files through URLs the server signs for HOST ({host}); the embedded "
        "store rejects (403 on /local-files) a signed request that arrives under another address, as "
        "through an SSH tunnel, a port-forward or a load balancer's name.",
        "Set HOST to the one address every client and browser uses (scheme, name and port, e.g. the load "
        "balancer's URL): `wbtui config set HOST ...` and `wbtui up`; point `wandb login --host` "
        "at the same address. Through a tunnel, forward the same host:port that HOST names.",
        patterns=(r"Forbidden for url: \S*/local-files/", r"/local-files/\S*: 403 Client Error",
                  r"<Code>AccessDenied</Code>.*<BucketName>local-files</BucketName>"),
    ),
    Rule(
        "proxy-alters-upload", "A proxy in front of the server changes file uploads", "error",
        "The embedded store received an upload whose Content-MD5 or headers differ from what the client "
        "signed: a reverse proxy or load balancer in front of the server drops or rewrites headers.",
        "Make the proxy pass requests through unchanged (nginx: `proxy_set_header Host $http_host;`, keep "
        "Content-MD5 and the other headers, no body rewriting); or use an external bucket (S3/GCS) so "
        "files bypass the proxy.",
        patterns=(r"<Code>BadDigest</Code>", r"Content-Md5 you specified did not match what we received"),
    ),
    Rule(
        "file-url-unreachable", "Clients cannot reach the file URLs (HOST)", "error",
        "The API answers, but downloading files failed with connection refused: file URLs are built "
        "from HOST ({host}), which is an address the client cannot reach (localhost by default).",
        "Set HOST to the address clients reach the server at (its LAN name or IP and port, or the load "
        "balancer): `wbtui config set HOST ...` and `wbtui up`.",
        predicate=file_download_refused,
        source="log",
    ),
)
