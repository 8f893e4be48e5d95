"""The guide's nginx reverse-proxy configuration, filled in from HOST.

TLS terminates here (W&B Server does not terminate TLS); uploads are unlimited
(``client_max_body_size 0``) because run files and artifacts are large; when HOST is
https, a second server redirects plain http to it.
"""

from __future__ import annotations

import re

from ..config.model import Config
from ..config.urls import host_parts

_BARE = re.compile(r"[A-Za-z0-9_./:\[\]*-]+")


def quote(value: str) -> str:
    """An nginx parameter: bare when safe, else double-quoted with escapes."""
    if _BARE.fullmatch(value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def default_upstream(config: Config) -> str:
    return f"127.0.0.1:{config.runtime.port}"


_MAPS = """\
    # If we receive X-Forwarded-Proto, pass it through; otherwise, pass along the
    # scheme used to connect to this server
    map $http_x_forwarded_proto $proxy_x_forwarded_proto {
        default $http_x_forwarded_proto;
        ''      $scheme;
    }

    # Also, in the above case, force HTTPS
    map $http_x_forwarded_proto $sts {
        default '';
        "https" "max-age=31536000; includeSubDomains";
    }

    # If we receive X-Forwarded-Host, pass it though; otherwise, pass along $http_host
    map $http_x_forwarded_host $proxy_x_forwarded_host {
        default $http_x_forwarded_host;
        ''      $http_host;
    }

    # If we receive X-Forwarded-Port, pass it through; otherwise, pass along the
    # server port the client connected to
    map $http_x_forwarded_port $proxy_x_forwarded_port {
        default $http_x_forwarded_port;
        ''      $server_port;
    }

    # If we receive Upgrade, set Connection to "upgrade"; otherwise, delete any
    # Connection header that may have been passed to this server
    map $http_upgrade $proxy_connection {
        default upgrade;
        '' close;
    }
"""


def render_nginx(config: Config, upstream: str | None = None, cert: str | None = None,
                 key: str | None = None) -> str:
    """A complete nginx.conf (``events {}`` + ``http {}``) proxying HOST to the container.

    ``upstream`` is the W&B container's address as nginx reaches it (default
    127.0.0.1:PORT); ``cert``/``key`` default to /etc/nginx/tls/HOSTNAME.{crt,key}.
    """
    host = host_parts(config.server.HOST)
    tls = host.scheme == "https"
    port = host.port or (443 if tls else 80)
    server_name = quote(host.hostname)
    cert = cert or f"/etc/nginx/tls/{host.hostname}.crt"
    key = key or f"/etc/nginx/tls/{host.hostname}.key"
    listen = f"{port} ssl" if tls else str(port)
    lines = [
        f"# Reverse proxy for W&B Server at {host.origin}, rendered by wbtui.",
        "events {}",
        "http {",
        _MAPS,
        "    server {",
        f"        listen {listen};",
        f"        server_name         {server_name};",
    ]
    if tls:
        lines += [
            f"        ssl_certificate     {quote(cert)};",
            f"        ssl_certificate_key {quote(key)};",
            "        add_header Strict-Transport-Security $sts always;",
        ]
    lines += [
        "",
        "        # Run files and artifacts are large: no upload limit at the proxy.",
        "        client_max_body_size 0;",
        "",
        "        proxy_http_version 1.1;",
        "        proxy_buffering off;",
        "        proxy_request_buffering off;",
        "        proxy_set_header Host $http_host;",
        "        proxy_set_header Upgrade $http_upgrade;",
        "        proxy_set_header Connection $proxy_connection;",
        "        proxy_set_header X-Real-IP $remote_addr;",
        "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "        proxy_set_header X-Forwarded-Proto $proxy_x_forwarded_proto;",
        "        proxy_set_header X-Forwarded-Host $proxy_x_forwarded_host;",
        "        proxy_set_header X-Forwarded-Port $proxy_x_forwarded_port;",
        "",
        "        location / {",
        "            # No URI after the address (the guide has a trailing '/'): nginx then passes",
        "            # the request URI unchanged instead of decoding and normalising it.",
        f"            proxy_pass  {quote(f'http://{upstream or default_upstream(config)}')};",
        "        }",
        "",
        "        keepalive_timeout 10;",
        "    }",
    ]
    if tls and port != 80:
        lines += [
            "",
            "    # Plain http: send browsers and SDK clients to https.",
            "    server {",
            "        listen 80;",
            f"        server_name {server_name};",
            f"        return 301 https://$host{'' if port == 443 else f':{port}'}$request_uri;",
            "    }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"
