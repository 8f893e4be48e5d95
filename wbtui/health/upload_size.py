"""Does the proxy in front of HOST let large uploads through? Measured with one real POST.

Run files and artifacts go up as large request bodies; nginx refuses any body over
``client_max_body_size`` (1 MB unless set) with 413 before W&B sees it. wbtui does
not know which config the proxy actually runs (a rendered one may have been edited,
or never installed), so it sends a body just over that default to a path W&B does
not serve: W&B answers it cheaply (404) and stores nothing; a 413 means the proxy
limits bodies.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from typing import Any

UPLOAD_BYTES = 1024 * 1024 + 64 * 1024
"""Just over nginx's default client_max_body_size (1m): the smallest body that limit refuses."""
UPLOAD_PATH = "/wbtui-upload-size-check"
BODY_FIX = ("nginx: `client_max_body_size 0;` in the server block (`wbtui render nginx` has it), then "
            "`nginx -s reload`; a Kubernetes Ingress: nginx.ingress.kubernetes.io/proxy-body-size: \"0\" "
            "(wbtui render kubernetes)")


@dataclass
class UploadCheck:
    url: str
    sent: int
    passed: bool | None
    """True: not refused for its size; False: refused (413); None: unknown (no answer)."""
    status_code: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "bytes": self.sent, "passed": self.passed, "status_code": self.status_code,
                "message": self.message}


def probe_upload(base_url: str, *, timeout: float = 5.0, verify: ssl.SSLContext | None = None) -> UploadCheck:
    """POST UPLOAD_BYTES to ``base_url`` + UPLOAD_PATH and say whether the proxy refused it for its size."""
    import httpx

    url = base_url.rstrip("/") + UPLOAD_PATH
    size = f"{UPLOAD_BYTES / 1e6:.1f} MB"
    try:
        response = httpx.post(url, content=b"\0" * UPLOAD_BYTES, timeout=timeout * 4, follow_redirects=False,
                              verify=verify or ssl.create_default_context(),
                              headers={"Content-Type": "application/octet-stream"})
    except httpx.TimeoutException:
        return UploadCheck(url, UPLOAD_BYTES, None, None, f"a {size} upload got no answer within {timeout * 4:g}s")
    except httpx.TransportError as exc:
        return UploadCheck(url, UPLOAD_BYTES, None, None,
                           f"a {size} upload was cut off ({type(exc).__name__}): a proxy may limit request bodies")
    if response.status_code == 413:
        return UploadCheck(url, UPLOAD_BYTES, False, 413,
                           f"a {size} upload was refused with 413 by the proxy in front of HOST: "
                           "run files and artifacts over its limit will fail")
    return UploadCheck(url, UPLOAD_BYTES, True, response.status_code,
                       f"a {size} upload passed the proxy (answered {response.status_code})")
