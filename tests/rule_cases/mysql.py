"""Positive and negative cases: The database rules."""

from __future__ import annotations

from .base import MINIO_DOWN, Case, config, connect

CASES = [
    Case("migration-dirty", True, ["panic: Dirty database version 5. Fix and force version."]),  # [public] #7
    Case("migration-dirty", True, ["FATAL: Dirty database version 42. Fix and force version."]),  # [stand-in]
    Case("migration-dirty", True, ['{"level":"FATAL","info":{"program":"gorilla"},'
                                   '"error":"Dirty database version 118. Fix and force version."}']),
    Case("migration-dirty", False, ["2024/04/27 06:32:55 Running squash migration from version 0 to 214...",
                                    "migrations complete (version 42)", "No change."]),  # [public] #139
    Case("embedded-mysql-down", True, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"],
         config=config(mysql="")),  # [public] wandb/server#104
    Case("embedded-mysql-down", True, ["[mysql] 2022/02/23 07:47:40 packets.go:36: read tcp "
                                       "127.0.0.1:49070->127.0.0.1:3306: i/o timeout"],
         config=config(mysql="")),  # [public] wandb/server#39
    Case("embedded-mysql-down", False, [MINIO_DOWN, "*** Setting up mysql database..."], config=config(mysql="")),
    Case("embedded-mysql-down", False, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"]),
    Case("mysql-unreachable", True, ["panic: dial tcp 10.20.0.5:3306: connect: connection refused"]),
    Case("mysql-unreachable", True, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"]),
    Case("mysql-unreachable", True, ["dial tcp: lookup db.internal on 127.0.0.11:53: no such host"]),
    Case("mysql-unreachable", True, ["[mysql] 2024/05/01 10:00:00 packets.go:37: read tcp "
                                     "172.17.0.2:52114->10.20.0.5:3306: i/o timeout"]),
    Case("mysql-unreachable", True, ["dial tcp 10.20.0.5:13306: connect: connection refused"],
         config=config(mysql="mysql://u:p@db.internal:13306/wandb_local")),
    Case("mysql-unreachable", False, [MINIO_DOWN, "dial tcp: lookup api.wandb.ai on 127.0.0.11:53: no such host"]),
    Case("mysql-unreachable", False, ["panic: dial tcp 127.0.0.1:3306: connect: connection refused"],
         config=config(mysql="")),
    Case("mysql-access-denied", True, ["Error 1045: Access denied for user 'wandb_local'@'172.17.0.2' "
                                       "(using password: YES)"]),
    Case("mysql-access-denied", True, ["panic: Error 1045 (28000): Access denied for user "
                                       "'wandb_local'@'10.0.0.7' (using password: YES)"]),
    Case("mysql-access-denied", False, ["GRANT ALL ON wandb_local.* TO 'wandb_local'@'%' WITH GRANT OPTION"]),
    Case("mysql-unknown-database", True, ["panic: Error 1049 (42000): Unknown database 'wandb'"]),
    Case("mysql-unknown-database", True, ["Error 1049: Unknown database 'wandb_local'"]),
    Case("mysql-unknown-database", False, ["CREATE DATABASE wandb_local CHARACTER SET utf8mb4"]),
    Case("mysql-connection-lost", True, ["ERROR: lost connection to MySQL server during query"]),  # [stand-in]
    Case("mysql-connection-lost", True, ["[mysql] 2024/05/01 10:00:00 packets.go:123: closing bad idle "
                                         "connection: unexpected EOF"]),
    Case("mysql-connection-lost", False, ["*** Connecting to MySQL ... ok"]),  # [stand-in]
    Case("mysql-reachable-only-from-host", True, ["dial tcp 10.20.0.5:3306: i/o timeout"],
         checks=[connect(True)]),
    Case("mysql-reachable-only-from-host", True, ["Error 1045: Access denied for user 'wandb_local'@'172.17.0.2'"],
         checks=[connect(True)]),
    Case("mysql-reachable-only-from-host", False, ["dial tcp 10.20.0.5:3306: i/o timeout"],
         checks=[connect(False)]),
    Case("mysql-reachable-only-from-host", False, ["*** Migrating database..."], checks=[connect(True)]),
    Case("mysql-loopback", True, config=config(mysql="mysql://u:p@127.0.0.1:3306/wandb_local")),
    Case("mysql-loopback", True, config=config(mysql="mysql://u:p@localhost/wandb_local")),
    Case("mysql-loopback", False),
    Case("mysql-loopback", False, config=config(mysql="")),
]
