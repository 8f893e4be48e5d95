"""Redis: the cache and locks the server keeps in Redis (the embedded one, or REDIS=redis://host:port).

What the log shows, and the public reports the rules were written from:
- a Redis address without a port: the server dials port 0 (`dial tcp 10.152.243.127:0: i/o timeout` from
  gorilla's RequiredCache, wandb/terraform-google-wandb#139, where the URL was redis://wandb-redis-master:0);
- Redis unreachable: a dial error to port 6379 or to the host in REDIS;
- Redis asking for a password the server did not send (`NOAUTH Authentication required`, wandb/wandb#2021),
  or refusing the one it sent.

REDIS is not one of the guide's settings: operators pass it as an extra environment variable, so it is
read from the config's ``[env]`` table (``wbtui config set env.REDIS redis://HOST:6379``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .facts import Facts, Rule

DEFAULT_PORT = 6379
_DIAL = re.compile(r"dial tcp (?:[^\s]+->)?(?P<addr>[^\s]+):(?P<port>\d+): (?:connect: |getsockopt: )?"
                   r"(connection refused|i/o timeout|no route to host|network is unreachable|"
                   r"connection timed out|operation timed out)", re.IGNORECASE)
_LOOKUP = re.compile(r"dial tcp: lookup (?P<name>[^\s:]+)(?: on [^\s]+)?: no such host", re.IGNORECASE)


def redis_url(facts: Facts) -> str:
    """REDIS as configured in the container's environment ("" when unset)."""
    if facts.config is None:
        return ""
    return facts.config.env.get("REDIS", "").strip()


def _host_port(url: str) -> tuple[str, int | None]:
    try:
        parts = urlsplit(url if "://" in url else f"redis://{url}")
        return (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "", None


def redis_without_port(facts: Facts) -> str | None:
    """REDIS names a host but no port."""
    url = redis_url(facts)
    host, port = _host_port(url)
    if url and host and port is None and not url.startswith(("unix://", "redis+unix://")):
        return f"REDIS has no port: {url.split('@')[-1]}"
    return None


def redis_dial_failed(facts: Facts) -> str | None:
    """A line where the server fails to connect to Redis: port 6379, or the host/port in REDIS."""
    host, port = _host_port(redis_url(facts))
    for line in facts.lines:
        m = _DIAL.search(line)
        if m:
            dialled, addr = int(m["port"]), m["addr"].strip("[]").lower()
            if dialled == (port or DEFAULT_PORT) or (host and dialled != 3306 and addr == host):
                return line
        m = _LOOKUP.search(line)
        if m and host and m["name"].lower() == host:
            return line
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        "redis-no-port", "The Redis address has no port", "critical",
        "The server dials Redis on port 0: the Redis URL (REDIS, or the redis host/port a Helm chart or "
        "Terraform module fills in) names a host without a port or with port 0, and the server dials it "
        "as given instead of 6379. With the Terraform modules this happens when no Redis was created (wandb/terraform-"
        "google-wandb#139: redis://wandb-redis-master:0).",
        "Give the port: REDIS=redis://HOST:6379 (add ?tls=true for a TLS endpoint such as ElastiCache "
        "or Memorystore with in-transit encryption); with Terraform, create the Redis (create_redis = "
        "true) or pass its host and port. Unset REDIS to use the container's own Redis.",
        patterns=(r"dial tcp (?:[^\s]+->)?(?:\[[0-9a-fA-F:.]+\]|[^\s:\[\]]+):0: ",),
        predicate=redis_without_port,
    ),
    Rule(
        "redis-auth", "Redis rejected the server's login", "critical",
        "Redis requires a password (or user and password) that the server did not send or sent wrong. "
        "wandb/local of 2021 could not log in to an external Redis at all (wandb/wandb#2021).",
        "Put the credentials in REDIS: redis://:PASSWORD@HOST:6379 (or redis://USER:PASSWORD@HOST:6379 "
        "for a Redis 6 ACL user), percent-encoding special characters; on an old server version, or "
        "if unsure, unset REDIS to use the container's own Redis.",
        patterns=(r"NOAUTH Authentication required", r"WRONGPASS invalid username-password pair",
                  r"ERR invalid password", r"ERR AUTH <password> called without any password configured"),
    ),
    Rule(
        "redis-unreachable", "Redis unreachable from the server", "critical",
        "The server cannot open a connection to Redis (the address in the line): the host or port in "
        "REDIS is wrong, Redis is not listening on an address the container reaches, or a firewall or "
        "security group blocks the port.",
        "Check REDIS (redis://HOST:6379; localhost inside the container is the container itself), that "
        "Redis listens on that address (bind, protected-mode) and that port 6379 is open from the "
        "container's network: `docker exec wandb-local bash -c 'echo > /dev/tcp/HOST/6379'`.",
        predicate=redis_dial_failed, source="log",
    ),
)
