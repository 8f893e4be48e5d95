"""A W&B-like database for the backup tests and benchmark: users, projects, runs with 4-byte utf8mb4 text,
files with binary blobs, a view, a trigger, a procedure, an event and golang-migrate's schema_migrations.

The tests in this file check the schema builder itself (the other test_backup_* files use it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from wbtui.config.model import Config

EMOJI = "run 🚀 ✓ 𝄞 名前 \U0001f9ea"
BLOB = bytes(range(256)) * 4 + b"\x00'\"\\\n\r\x1a" + os.urandom(64)
MIGRATION_VERSION = 42
BIG_ROW = 2 << 20


@dataclass(frozen=True)
class WandbLike:
    url: str
    database: str
    user: str
    password: str
    rows: int

    def config(self, **server: str) -> Config:
        config = Config()
        config.server.MYSQL = self.url
        config.runtime.image, config.runtime.tag = "wandb/local", "0.59.2"
        for key, value in server.items():
            setattr(config.server, key, value)
        return config


SCHEMA = (
    "CREATE TABLE users (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(64) NOT NULL, "
    "email VARCHAR(255) UNIQUE) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE projects (id INT PRIMARY KEY AUTO_INCREMENT, user_id INT NOT NULL, name VARCHAR(128), "
    "FOREIGN KEY (user_id) REFERENCES users(id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE runs (id BIGINT PRIMARY KEY AUTO_INCREMENT, project_id INT NOT NULL, display_name "
    "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, config JSON, summary LONGTEXT, "
    "updated_count INT NOT NULL DEFAULT 0, FOREIGN KEY (project_id) REFERENCES projects(id)) "
    "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    "CREATE TABLE files (id BIGINT PRIMARY KEY AUTO_INCREMENT, run_id BIGINT NOT NULL, name VARCHAR(255), "
    "content LONGBLOB) ENGINE=InnoDB",
    "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty TINYINT(1) NOT NULL) ENGINE=InnoDB",
    "CREATE TABLE audit (id BIGINT PRIMARY KEY AUTO_INCREMENT, run_id BIGINT, note VARCHAR(64)) ENGINE=InnoDB",
    "CREATE VIEW run_names AS SELECT r.id, r.display_name, p.name AS project FROM runs r JOIN projects p "
    "ON p.id = r.project_id",
)


def build(mariadb: Any, scratch: Any, runs: int = 50, blob_bytes: int = 0) -> WandbLike:
    """Create ``scratch``'s database and user (ALL on the database, as `wbtui db init` grants) with the schema and
    rows; ``blob_bytes`` adds file rows of that many random bytes in all (for multipart uploads)."""
    import pymysql

    mariadb.create_database(scratch.database)
    mariadb.create_user(scratch.user, scratch.password)
    mariadb.grant("ALL PRIVILEGES", f"`{scratch.database}`.*", scratch.user)
    conn = pymysql.connect(host=mariadb.host, port=mariadb.port, user=scratch.user, password=scratch.password,
                           database=scratch.database, charset="utf8mb4", autocommit=True)
    try:
        with conn.cursor() as cur:
            for statement in SCHEMA:
                cur.execute(statement)
            cur.execute("CREATE PROCEDURE run_count(OUT n BIGINT) SELECT COUNT(*) INTO n FROM runs")
            cur.execute("CREATE EVENT tidy_audit ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM audit WHERE id < 0")
            cur.executemany("INSERT INTO users (name, email) VALUES (%s, %s)",
                            [(f"user{i} ✨", f"u{i}@example.com") for i in range(5)])
            cur.executemany("INSERT INTO projects (user_id, name) VALUES (%s, %s)",
                            [(1 + i % 5, f"project {i} 📈") for i in range(10)])
            cur.executemany("INSERT INTO runs (project_id, display_name, config, summary) VALUES (%s, %s, %s, %s)",
                            [(1 + i % 10, f"{EMOJI} {i}", '{"lr": 0.001, "emoji": "🔥"}', "x" * (i * 37))
                             for i in range(runs)])
            cur.executemany("INSERT INTO files (run_id, name, content) VALUES (%s, %s, %s)",
                            [(1 + i % runs, f"media/{i}.bin", BLOB + i.to_bytes(4, "big")) for i in range(20)])
            for part in range(0, blob_bytes, BIG_ROW):  # rows under the server's 16 MiB max_allowed_packet
                cur.execute("INSERT INTO files (run_id, name, content) VALUES (1, %s, %s)",
                            (f"big/{part}.bin", os.urandom(min(BIG_ROW, blob_bytes - part))))
            cur.executemany("INSERT INTO schema_migrations (version, dirty) VALUES (%s, %s)",
                            [(v, 0) for v in (1, 7, MIGRATION_VERSION)])
        # a trigger needs SUPER while the binary log is on (MariaDB): root creates it for the W&B account, in the
        # database (unqualified names, as a migration writes them: a trigger keeps its text as written)
        root = pymysql.connect(host=mariadb.host, port=mariadb.port, user="root", password=mariadb.root_password,
                               database=scratch.database, charset="utf8mb4", autocommit=True)
        try:
            with root.cursor() as cur:
                cur.execute("CREATE DEFINER = %s@'%%' TRIGGER runs_touch BEFORE UPDATE ON runs FOR EACH ROW "
                            "SET NEW.updated_count = OLD.updated_count + 1", (scratch.user,))
        finally:
            root.close()
    finally:
        conn.close()
    total = 5 + 10 + runs + 20 + -(-blob_bytes // BIG_ROW) + 3
    return WandbLike(scratch.url, scratch.database, scratch.user, scratch.password, total)


def write_config(path: Path, config: Config) -> Path:
    from wbtui.config import store

    store.save(config, path)
    return path


@pytest.mark.mysql
def test_the_schema_has_what_a_backup_must_carry(mariadb: Any, mysql_scratch: Any) -> None:
    db = build(mariadb, mysql_scratch, runs=3)
    names = {r[0] for r in mariadb.execute("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA=%s",
                                           (db.database,))}
    assert {"users", "projects", "runs", "files", "schema_migrations", "audit", "run_names"} <= names
    assert mariadb.execute(f"SELECT COUNT(*) FROM `{db.database}`.runs")[0][0] == 3
    assert mariadb.execute("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA=%s",
                           (db.database,))[0][0] == 1
