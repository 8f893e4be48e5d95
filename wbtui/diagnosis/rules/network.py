"""What the server and its clients see of each other: TLS trust and the HOST origin."""

from __future__ import annotations

from .facts import Rule

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
    ),
    Rule(
        "origin-not-allowed", "Request origin not allowed (HOST mismatch)", "error",
        "Browsers reach the server at an address ({origin}) other than HOST ({host}); the server "
        "rejects requests from any other origin, so logins and the system console fail.",
        "Set HOST to exactly the address users type (scheme, name and port): `wbtui config set HOST "
        "https://...` and `wbtui restart`; or browse to HOST.",
        patterns=(r"origin not allowed:? ?(?P<origin>[^\s\"',]*)", r"CORS (request )?(rejected|denied|not allowed)"),
    ),
)
