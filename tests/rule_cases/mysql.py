"""Positive and negative cases: the database rules.

Every line is copied from the public report named next to it ([public]); a line written in the
shape of a library's output, where no public one was found, is marked [shape].
"""

from __future__ import annotations

from .base import MINIO_DOWN, Case, config, connect

EMBEDDED = config(mysql="")

# InnoDB's page cleaner on a slow volume, as the maintainer quoted it from the reporter's mysql.log
SLOW_1 = ("2022-02-23T07:44:47.800227Z 0 [Note] InnoDB: page_cleaner: 1000ms intended loop took 7801ms. "
          "The settings might not be optimal. (flushed=200 and evicted=0, during the time.)")  # [public] server#39
SLOW_2 = ("2022-02-23T07:45:01.712284Z 0 [Note] InnoDB: page_cleaner: 1000ms intended loop took 6675ms. "
          "The settings might not be optimal. (flushed=200 and evicted=0, during the time.)")  # [public] server#39
READ_TIMEOUT = ("[mysql] 2022/02/23 07:47:40 packets.go:36: read tcp 127.0.0.1:49070->127.0.0.1:3306: "
                "i/o timeout")  # [public] wandb/server#39
DIAL_REFUSED = "panic: dial tcp 127.0.0.1:3306: connect: connection refused"  # [public] wandb/server#104
ONEAPI_DENIED = ("Error 1045 (28000): Access denied for user 'oneapi'@'172.24.0.7' "
                 "(using password:YES)")  # [public] songquanpeng/one-api#2119 (go-sql-driver)
BILL_DENIED = ("ERROR 1045 (28000): Access denied for user 'bill'@'localhost' "
               "(using password: YES)")  # [public] http://www.kouhan.cn/en/article/00000592 (anonymous user)

ROOT_NO_PASSWORD = ("ERROR 1045 (28000): Access denied for user 'root'@'localhost' "
                    "(using password: NO)")  # [public] shogo82148/actions-setup-mysql#1188
GSD_TIMEOUT = " dial tcp 172.17.0.2:3306: connect: operation timed out"  # [public] go-sql-driver/mysql#860

# [public] wandb/server#99: wandb/local 0.9.40 started on a volume 0.9.49 had migrated
DOWNGRADE = ["*** Migrating database...", "panic: file does not exist", "", "goroutine 1 [running]:", "main.main()",
             "        /mnt/ramdisk/core/services/gorilla/cmd/migrate/main.go:115 +0xb05"]
# [public] wandb/server#16: the same migration context, another failure
DIRTY_16 = ["*** Migrating database...", "panic: Dirty database version 1. Fix and force version.", "",
            "goroutine 1 [running]:", "main.main()",
            "\t/mnt/ramdisk/core/services/gorilla/cmd/migrate/main.go:115 +0xb05"]

CASES = [
    Case("migration-downgrade", True, DOWNGRADE),
    Case("migration-downgrade", True, DOWNGRADE[1:]),  # the stack trace alone says it was the migration
    Case("migration-downgrade", False, DIRTY_16),
    Case("migration-downgrade", False, ["panic: file does not exist"]),  # [public] server#99, without its context
    Case("migration-dirty", True, ["panic: Dirty database version 5. Fix and force version."]),  # [public] server#7
    Case("migration-dirty", True, ["panic: Dirty database version 6. Fix and force version."]),  # [public] wandb#1054
    Case("migration-dirty", True, ["panic: Dirty database version 1. Fix and force version."]),  # [public] server#20
    Case("migration-dirty", False, ["2024/04/27 06:32:55 Running squash migration from version 0 to 214...",
                                    "No change."]),  # [public] wandb/server#139
    Case("mysql-slow-disk", True, [SLOW_1, SLOW_2, READ_TIMEOUT], config=EMBEDDED),
    Case("mysql-slow-disk", True, [  # [public] nextcloud-snap/nextcloud-snap#1624
        "2021-01-30T12:34:29.441428Z 0 [Note] InnoDB: page_cleaner: 1000ms intended loop took 5687ms. The "
        "settings might not be optimal. (flushed=162 and evicted=0, during the time.)",
        "2021-01-30T12:34:46.722137Z 0 [Note] InnoDB: page_cleaner: 1000ms intended loop took 5113ms. The "
        "settings might not be optimal. (flushed=0 and evicted=0, during the time.)"]),
    Case("mysql-slow-disk", True, [  # [public] kiwix/container-images#162: one loop of 48 s is enough
        "2020-12-08T09:54:53.538295Z 0 [Note] InnoDB: page_cleaner: 1000ms intended loop took 48372ms. The "
        "settings might not be optimal. (flushed=202 and evicted=0, during the time.)"]),
    Case("mysql-slow-disk", False, [SLOW_1, READ_TIMEOUT], config=EMBEDDED),  # one slow loop is not a slow disk
    Case("mysql-slow-disk", False, [  # [public] wandb/server#105
        "2023-01-19T14:52:02.820240Z 0 [Note] InnoDB: If the mysqld execution user is authorized, page cleaner "
        "thread priority can be changed. See the man page of setpriority()."], config=EMBEDDED),
    Case("migration-connection-lost", True, [  # [public] wandb/server#39 (leeyh20, 2021-10-20)
        "(details: invalid connection) and driver: bad connection in line 0: SELECT RELEASE_LOCK(?)"]),
    Case("migration-connection-lost", False, [READ_TIMEOUT]),
    Case("embedded-mysql-datadir", True, [  # [public] wandb/server#7
        "2021-01-16T03:20:00.804592Z 0 [Warning] Can't create test file /vol/mysql/2b5d2a25275e.lower-test"]),
    Case("embedded-mysql-datadir", True, [  # [public] wandb/server#7
        "mysqld: Can't create directory '/vol/mysql/' (Errcode: 17 - File exists)"], config=EMBEDDED),
    Case("embedded-mysql-datadir", True, [  # [public] phoronix-test-suite/test-profiles#47
        "Nov 23 06:36:55 vs-int-prd-bch-fr-301 mysqld: 2018-11-23  6:36:55 0 [ERROR] InnoDB: The error means "
        "mysqld does not have the access rights to the directory."]),
    Case("embedded-mysql-disk-full", True, [  # [public] geerlingguy/ansible-role-mysql#216
        "InnoDB: Error number 28 means 'No space left on device'."]),
    Case("embedded-mysql-disk-full", False, [  # [public] geerlingguy/ansible-role-mysql#216
        "InnoDB: Check that your OS and file system support files of this size."]),
    Case("embedded-mysql-datadir", False, [  # [public] wandb/server#7
        "2021-01-16T03:20:00.809129Z 0 [Warning] One can only use the --user switch if running as root"]),
    Case("embedded-mysql-threads-denied", True, [  # [public] wandb/server#86
        "2022-11-03T09:16:20.154765Z 0 [ERROR] Failed to create timer notify thread (errno= 1).", DIAL_REFUSED],
        config=EMBEDDED),
    Case("embedded-mysql-threads-denied", True, [  # [public] wandb/server#97
        "2022-11-11T13:18:18.433885Z 0 [ERROR] Failed to initialize timer component (errno 1)."]),
    Case("embedded-mysql-threads-denied", False, [  # [public] wandb/server#97
        "2022-11-11T13:18:18.436712Z 0 [Note] InnoDB: Using Linux native AIO", DIAL_REFUSED], config=EMBEDDED),
    Case("embedded-mysql-threads-denied", True, [  # [public] wandb/server#86
        "2022-11-03T09:15:48.834273Z 0 [ERROR] [FATAL] InnoDB: pthread_create returned 1"]),
    Case("embedded-mysql-corrupt", True, [  # [public] wandb/server#105
        "2023-01-08T02:11:42.300540Z 0 [ERROR] InnoDB: Page [page id: space=0, page number=553] log sequence "
        "number 24578128915 is in the future! Current system log sequence number 355841221.", DIAL_REFUSED],
        config=EMBEDDED),
    Case("embedded-mysql-corrupt", True, [  # [public] dlandon/zoneminder.machine.learning#208 (MariaDB)
        "2023-01-09 16:39:15 0 [ERROR] InnoDB: Your database may be corrupt or you may have copied the InnoDB "
        "tablespace but not the InnoDB log files. Please refer to https://mariadb.com/kb/en/library/innodb-"
        "recovery-modes/ for information about forcing recovery."]),
    Case("embedded-mysql-corrupt", False, [  # [public] dlandon/zoneminder.machine.learning#208
        "2023-01-09 16:39:15 0 [Note] InnoDB: 128 out of 128 rollback segments are active."]),
    Case("embedded-mysql-down", True, [DIAL_REFUSED], config=EMBEDDED),
    Case("embedded-mysql-down", True, [READ_TIMEOUT], config=EMBEDDED),
    Case("embedded-mysql-down", False, [MINIO_DOWN, "*** Setting up mysql database..."], config=EMBEDDED),
    Case("embedded-mysql-down", False, [DIAL_REFUSED]),  # external MYSQL: that is mysql-unreachable
    Case("mysql-unreachable", True, ["[mysql] 2019/01/04 17:57:28 driver.go:81: net.Error from Dial()': dial tcp "
                                     "192.168.1.2:3306: connect: connection timed out"]),  # [public] gocraft/dbr#161
    Case("mysql-unreachable", True, [GSD_TIMEOUT]),
    Case("mysql-unreachable", True, [  # [public] perkeep/perkeep#474
        "[MySQL] 2014/07/12 21:36:34 packets.go:30: read tcp 172.17.0.3:3306: no route to host"]),
    Case("mysql-unreachable", True, [DIAL_REFUSED]),  # MYSQL=...@127.0.0.1 would be the container itself
    Case("mysql-unreachable", True, ["dial tcp: lookup db.internal on 127.0.0.11:53: no such host"]),  # [shape] net
    Case("mysql-unreachable", True, ["dial tcp 10.20.0.5:13306: connect: connection refused"],  # [shape] net
         config=config(mysql="mysql://u:p@db.internal:13306/wandb_local")),
    Case("mysql-unreachable", False, [MINIO_DOWN, "dial tcp: lookup api.wandb.ai on 127.0.0.11:53: no such host"]),
    Case("mysql-unreachable", False, [DIAL_REFUSED], config=EMBEDDED),
    Case("mysql-host-not-allowed", True, [  # [public] docker-library/mysql#152
        "MySQL Connection Error: (1130) Host '172.17.0.8' is not allowed to connect to this MySQL server"]),
    Case("mysql-host-not-allowed", True, [  # [public] Kloadut/dokku-md-plugin#11
        "ERROR 1130 (HY000): Host '172.17.42.1' is not allowed to connect to this MariaDB server"]),
    Case("mysql-host-not-allowed", True, [  # [public] docker/docs#18968
        "Error: Host '172.18.0.3' is not allowed to connect to this MySQL server"]),
    Case("mysql-host-not-allowed", False, [  # [public] cachethq/cachet#809
        "mysql_1  | 2015-07-22 12:27:25 1 [Warning] IP address '172.17.0.11' could not be resolved: Name or "
        "service not known"]),
    Case("mysql-anonymous-user-shadows", True, [BILL_DENIED]),
    Case("mysql-anonymous-user-shadows", True, [  # [public] mysqljs/mysql#2017
        "ER_ACCESS_DENIED_ERROR: Access denied for user 'fernando'@'localhost' (using password: YES)"]),
    Case("mysql-anonymous-user-shadows", False, [ONEAPI_DENIED]),  # from the container's address: not loopback
    Case("mysql-anonymous-user-shadows", False, [BILL_DENIED], config=EMBEDDED),
    Case("mysql-no-user", True, [  # [public] cookieY/Yearning#335 (go-sql-driver)
        "Error 1045: Access denied for user ''@'localhost' (using password: NO)"]),
    Case("mysql-no-user", False, [ONEAPI_DENIED]),
    Case("mysql-no-password", True, [ROOT_NO_PASSWORD]),
    Case("mysql-no-password", False, [ONEAPI_DENIED]),
    Case("mysql-anonymous-user-shadows", False, [ROOT_NO_PASSWORD]),  # no password sent: not a shadowed account
    Case("mysql-access-denied", True, [ONEAPI_DENIED]),
    Case("mysql-access-denied", True, [ROOT_NO_PASSWORD]),
    Case("mysql-access-denied", False, ["GRANT ALL ON wandb_local.* TO 'wandb_local'@'%' WITH GRANT OPTION"]),
    Case("mysql-unknown-database", True, ["panic: Error 1049 (42000): Unknown database 'wandb'"]),  # [shape] gsd
    Case("mysql-unknown-database", True, ["Error 1049: Unknown database 'wandb_local'"]),  # [shape] go-sql-driver
    Case("mysql-unknown-database", False, ["CREATE DATABASE wandb_local CHARACTER SET utf8mb4"]),
    Case("mysql-schema-mismatch", True, [  # [public] wandb/wandb#1054
        "panic: github.com/wandb/core/services/gorilla/mysql.(*metadataStore).prepareInsertUser-fm: Error 1054: "
        "Unknown column 'user_info_text' in 'field list'"]),
    Case("mysql-schema-mismatch", True, [  # [public] WeChatPadPro/WeChatPadPro#144 (go-sql-driver)
        "启动报错：Error 1054 (42S22): Unknown column 'proxy_url' in 'field list'"]),
    Case("mysql-schema-mismatch", False, ["[1054] Unknown column 'Level' in 'field list'"]),  # [public] 82Flex#11
    Case("mysql-connection-lost", True, [  # [public] allinurl/goaccess#298
        "[MySQL] 2015/09/11 11:51:50 connection.go:108: Invalid Connection"]),
    Case("mysql-connection-lost", True, [  # [public] allinurl/goaccess#298
        "[MySQL] 2015/09/11 11:51:50 packets.go:32: unexpected EOF"]),
    Case("mysql-connection-lost", False, [  # [public] wandb/server#40
        "2021-09-28T20:26:26.091626Z 0 [Note] mysqld: ready for connections."]),
    Case("mysql-reachable-only-from-host", True, [GSD_TIMEOUT],
         checks=[connect(True)]),
    Case("mysql-reachable-only-from-host", True, [ONEAPI_DENIED], checks=[connect(True)]),
    Case("mysql-reachable-only-from-host", True, ["Error: Host '172.18.0.3' is not allowed to connect to this MySQL "
                                                  "server"], checks=[connect(True)]),  # [public] docker/docs#18968
    Case("mysql-reachable-only-from-host", False, [GSD_TIMEOUT],
         checks=[connect(False)]),
    Case("mysql-reachable-only-from-host", False, ["*** Migrating database..."], checks=[connect(True)]),
    Case("mysql-loopback", True, config=config(mysql="mysql://u:p@127.0.0.1:3306/wandb_local")),
    Case("mysql-loopback", True, config=config(mysql="mysql://u:p@localhost/wandb_local")),
    Case("mysql-loopback", False),
    Case("mysql-loopback", False, config=EMBEDDED),
]
