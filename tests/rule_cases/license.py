"""Positive and negative cases: The LICENSE rules.

[public] lines are copied from the report named next to them; [shape] lines are
written in the shape of the server's output where no public sample exists.
"""

from __future__ import annotations

from .base import GORILLA_CONFIG, Case

NO_LICENSE_BANNER = "You need a license for this instance of W&B Local"  # [public] wandb/wandb#2890
JWS = "Invalid License square/go-jose: compact JWS format must have three parts"  # [public] wandb/server#138
BAD_JSON = ("Invalid License json: cannot unmarshal string into Go struct field WeaveLimits.weaveLimits."
            "weaveLimitBytes of type int64")  # [public] wandb/wandb#9110
GRACE = ("You need to renew your license immediately. You can continue logging data, but since the 3-day grace "
         "period has elapsed, you won't be able to use the UI until you renew your license.")  # [public] wandb#5520
LICENSE_DNS = ('Request to license server failed: Put "https://api.wandb.ai/license?deploymentId=59526da6-d1a0-473a-'
               '96ac-7044bf8f20e1&uid=A5TiYP9XvgFowq7NPPlYxwTIP_1KILF9YPdrUTuQ&version=0.47.3": dial tcp: lookup '
               'api.wandb.ai on 192.168.65.7:53: no such host')  # [public] wandb/wandb#6704
TELEMETRY = '127.0.0.1 - - [14/Dec/2023:15:00:00 +0000] "GET /api/telemetry HTTP/1.1" 500 254'  # [public] #6704

CASES = [
    Case("license-missing", True, [NO_LICENSE_BANNER]),
    Case("license-missing", False, [JWS]),
    Case("license-missing", False, [GRACE]),
    Case("license-missing", False, [GORILLA_CONFIG]),  # License:, alone is any unlicensed server, not a failure
    Case("license-invalid", True, [JWS]),
    Case("license-invalid", True, [BAD_JSON]),
    Case("license-invalid", False, [NO_LICENSE_BANNER, GORILLA_CONFIG]),
    Case("license-invalid", False, [GRACE]),
    Case("license-expired", True, [GRACE]),
    Case("license-expired", True, ['{"level":"WARN","msg":"license has expired","expiresAt":"2024-01-01"}']),  # [shape]
    Case("license-expired", False, [NO_LICENSE_BANNER]),
    Case("license-expired", False, [JWS]),
    Case("license-server-unreachable", True, [LICENSE_DNS]),
    Case("license-server-unreachable", True,
         ['Get "https://deploy.wandb.ai/api/license": dial tcp 35.186.224.25:443: i/o timeout']),  # [shape]
    Case("license-server-unreachable", False, [TELEMETRY, "Get a license at https://deploy.wandb.ai"]),
]
