"""Positive and negative cases: The LICENSE rules."""

from __future__ import annotations

from .base import GORILLA_CONFIG, Case

CASES = [
    Case("license-invalid", True,
         ["Invalid License square/go-jose: compact JWS format must have three parts"]),  # [public] #138
    Case("license-invalid", True, ['{"level":"ERROR","msg":"invalid license: square/go-jose: error in '
                                   'cryptographic primitive"}']),
    Case("license-invalid", False, ['{"level":"info","ts":"2026-01-01T00:00:00Z","logger":"local",'
                                    '"msg":"license: none found, running with default limits"}',  # [stand-in]
                                    GORILLA_CONFIG]),
    Case("license-expired", True, ["You need to renew your license immediately. You can continue logging data, "
                                   "but since the 3-day grace period has elapsed, you won't be able to use the "
                                   "UI until you renew your license."]),  # [public] wandb/wandb#5520
    Case("license-expired", True, ['{"level":"WARN","msg":"license has expired","expiresAt":"2024-01-01"}']),
    Case("license-expired", False, ['{"level":"INFO","msg":"license expires 2027-03-01 (in 90 days)"}']),
    Case("license-server-unreachable", True, [
        'Request to license server failed: Put "https://api.wandb.ai/license?deploymentId=59526da6&uid=A5Ti'
        '&version=0.47.3": dial tcp: lookup api.wandb.ai on 192.168.65.7:53: no such host']),  # [public] #6704
    Case("license-server-unreachable", True,
         ['Get "https://deploy.wandb.ai/api/license": dial tcp 35.186.224.25:443: i/o timeout']),
    Case("license-server-unreachable", False, [
        '127.0.0.1 - - [14/Dec/2023:15:00:00 +0000] "GET /api/telemetry HTTP/1.1" 200 254',
        "Get a license at https://deploy.wandb.ai"]),
]
