"""Positive and negative cases: the Redis rules.

Lines marked [public] are copied from the public report named next to them; [shape] lines are written
in the shape of Go's net package where no public sample was found.
"""

from __future__ import annotations

from typing import Any

from wbtui.config.model import Config

from .base import Case, config


def with_redis(url: str, **values: Any) -> Config:
    """A config with REDIS in the container's environment, as operators set it (`env.REDIS`)."""
    c = config(**values)
    c.env["REDIS"] = url
    return c


PORT_ZERO = "panic: dial tcp 10.152.243.127:0: i/o timeout"  # [public] wandb/terraform-google-wandb#139
NOAUTH = "NOAUTH Authentication required."  # [public] netbox-community/netbox-docker#140

CASES = [
    Case("redis-no-port", True, [PORT_ZERO]),
    Case("redis-no-port", True, config=with_redis("redis://wandb-redis-master?ttlInSeconds=60480")),
    Case("redis-no-port", False, ["dial tcp :0: connect: connection refused"]),  # [public] go-sql-driver#1339
    Case("redis-no-port", False, config=with_redis("redis://wandb-redis-master:6379?ttlInSeconds=60480")),
    Case("redis-no-port", False, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"]),  # server#104
    Case("redis-auth", True, [NOAUTH]),
    Case("redis-auth", True, [r">> receive data: b'-NOAUTH Authentication required.\r\n'"]),  # [public] vulhub#8
    Case("redis-auth", False, ["Successfully added arn:minio:sqs:wandb-local:_:redis"]),  # [public] server#104
    Case("redis-unreachable", True, [  # [public] mehmetgoren/feniks#41
        "mngr-instance              | 2024/07/01 11:27:02 Error getting all stream from redis:  dial tcp "
        "127.0.0.1:6379: connect: connection refused"]),
    Case("redis-unreachable", True, [  # [public] oliver006/redis_exporter#79
        'time="2017-06-21T09:13:03Z" level=info msg="redis err: dial tcp 127.0.0.1:6379: getsockopt: connection '
        'refused" ']),
    Case("redis-unreachable", True, ["**dial tcp 40.128.8.87:6380: connect: connection refused**"],  # go-redis#1334
         config=with_redis("rediss://:pw@e49ab3c6-8f72-416a-a6c1-ddfe75gf200e.redis.cache.windows.net:6380")),
    Case("redis-unreachable", True, ["dial tcp: lookup redis.internal on 127.0.0.11:53: no such host"],  # [shape]
         config=with_redis("redis://redis.internal:6379")),
    Case("redis-unreachable", False, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"]),  # server#104
    Case("redis-unreachable", False, [  # [public] redis/go-redis#1334: the port REDIS does not name
        "**dial tcp 40.128.8.87:6380: connect: connection refused**"]),
    Case("redis-unreachable", False, ["dial tcp: lookup api.wandb.ai on 127.0.0.11:53: no such host"],  # [shape]
         config=with_redis("redis://redis.internal:6379")),
]
