"""What a backup holds, written beside it as ``ID.manifest.json``; and the database's inventory it records.

The inventory (tables with row counts and ``CHECKSUM TABLE``, the server version, the schema migration version)
is read in one ``START TRANSACTION WITH CONSISTENT SNAPSHOT`` opened just before the dump starts its own: on a
server nobody writes to, it is exactly what the dump holds. A verify's result goes to ``ID.verify.json``, so the
manifest stays as the backup wrote it.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from ...config.sql_quoting import sql_identifier
from ...config.urls import MysqlURL
from .tools import Family

FORMAT = 1
MIGRATION_TABLES = ("schema_migrations",)
"""golang-migrate's table (version, dirty), which W&B's server keeps its schema version in."""


@dataclass
class Table:
    name: str
    rows: int
    checksum: int | None
    engine: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Table:
        return cls(str(data["name"]), int(data["rows"]),
                   None if data.get("checksum") is None else int(data["checksum"]), str(data.get("engine", "")))


@dataclass
class Inventory:
    server_version: str
    tables: list[Table]
    migration: dict[str, Any] | None = None
    non_transactional: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    id: str
    created: str  # UTC ISO-8601
    database: str
    host: str  # host:port, never a credential
    server_version: str
    file: str
    compression: str
    size: int
    sha256: str
    tables: list[Table]
    migration: dict[str, Any] | None
    image: str
    tag: str
    tool: dict[str, str]
    seconds: float
    wbtui_version: str
    notes: list[str] = field(default_factory=list)
    kind: str = "database"
    """"database": a dump of MYSQL's database; "volume": a tar of the container's /vol (embedded stores)."""
    volume: str = ""  # a volume backup's Docker volume (or host directory)
    format: int = FORMAT

    @property
    def created_at(self) -> datetime:
        return datetime.fromisoformat(self.created)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def dumps(self) -> bytes:
        return (json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def loads(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a wbtui backup manifest (format 1)")
        data["tables"] = [Table.from_dict(t) for t in data.get("tables", [])]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def backup_id(moment: datetime, database: str) -> str:
    """``wbtui-DATABASE-20261202T042252Z``: sorts by time within a database, safe as a file and key name."""
    safe = "".join(c if c.isalnum() or c in "_-" else "_" for c in database)[:64] or "db"
    return f"wbtui-{safe}-{moment.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def connect(url: MysqlURL, timeout: float, *, database: str | None = "") -> Any:
    """A pymysql connection: ``timeout`` to connect; reads may take an hour (COUNT(*) of a big table)."""
    from ...checks.mysql_connect import open_connection

    return open_connection(url, timeout, database=True if database == "" else database,
                           read_timeout=3600.0)


def family_of(version: str) -> Family:
    return "mariadb" if "mariadb" in version.lower() else "mysql"


def base_tables(cur: Any, database: str) -> list[tuple[str, str]]:
    cur.execute("SELECT TABLE_NAME, COALESCE(ENGINE, '') FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", (database,))
    return [(str(name), str(engine)) for name, engine in cur.fetchall()]


def count_and_checksum(cur: Any, database: str) -> list[Table]:
    """Every base table's row count and CHECKSUM TABLE, in the cursor's current transaction."""
    tables = []
    for name, engine in base_tables(cur, database):
        ident = f"{sql_identifier(database)}.{sql_identifier(name)}"
        tables.append(Table(name, _count(cur, ident), _checksum(cur, ident), engine))
    return tables


def count_and_checksum_loaded(conn: Any, second: Callable[[], Any], database: str) -> list[Table]:
    """``count_and_checksum`` of a database nothing else writes to (just loaded by a restore or a verify):
    the statements are shared between ``conn`` and a second connection (``second()``), so the server scans
    with two threads where it has the cores (one big table: its COUNT(*) beside its CHECKSUM TABLE). Without a
    second connection, all of it on ``conn``."""
    with conn.cursor() as cur:
        listed = base_tables(cur, database)
    try:
        other = second()
    except Exception:
        with conn.cursor() as cur:
            return count_and_checksum(cur, database)
    idents = [f"{sql_identifier(database)}.{sql_identifier(name)}" for name, _ in listed]
    work = [(i, kind) for i in range(len(listed)) for kind in (_checksum, _count)]  # the longer scan first
    found: dict[tuple[int, Callable[[Any, str], Any]], Any] = {}
    lock = threading.Lock()
    failed: list[BaseException] = []

    def drain(connection: Any) -> None:
        try:
            with connection.cursor() as cur:
                while not failed:
                    with lock:
                        if not work:
                            return
                        i, kind = work.pop(0)
                    found[(i, kind)] = kind(cur, idents[i])
        except BaseException as exc:
            failed.append(exc)

    helper = threading.Thread(target=drain, args=(other,), name="wbtui-table-scans", daemon=True)
    helper.start()
    try:
        drain(conn)
        helper.join()
    finally:
        with contextlib.suppress(Exception):
            other.close()
    if failed:
        raise failed[0]
    return [Table(name, found[(i, _count)], found[(i, _checksum)], engine) for i, (name, engine) in enumerate(listed)]


def _count(cur: Any, ident: str) -> int:
    cur.execute(f"SELECT COUNT(*) FROM {ident}")
    return int(cur.fetchone()[0])


def _checksum(cur: Any, ident: str) -> int | None:
    cur.execute(f"CHECKSUM TABLE {ident}")
    row = cur.fetchone()
    return None if row is None or row[1] is None else int(row[1])


def migration_version(cur: Any, database: str) -> dict[str, Any] | None:
    """The schema version from golang-migrate's ``schema_migrations`` (version, dirty), when present."""
    for table in MIGRATION_TABLES:
        cur.execute("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s AND "
                    "TABLE_NAME = %s", (database, table))
        columns = {str(c[0]).lower() for c in cur.fetchall()}
        if "version" not in columns:
            continue
        dirty = ", dirty" if "dirty" in columns else ""
        cur.execute(f"SELECT version{dirty} FROM {sql_identifier(database)}.{sql_identifier(table)} "
                    "ORDER BY version DESC LIMIT 1")
        row = cur.fetchone()
        if row is None:
            return {"table": table, "version": None, "dirty": None}
        return {"table": table, "version": int(row[0]) if str(row[0]).isdigit() else str(row[0]),
                "dirty": bool(row[1]) if dirty else None}
    return None


def inventory(conn: Any, database: str) -> Inventory:
    """The database as a consistent snapshot sees it (the transaction is left open for the caller to end)."""
    with conn.cursor() as cur:
        cur.execute("SELECT VERSION()")
        version = str(cur.fetchone()[0])
        cur.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cur.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        tables = count_and_checksum(cur, database)
        migration = migration_version(cur, database)
        cur.execute("COMMIT")
    odd = [t.name for t in tables if t.engine and t.engine.lower() not in ("innodb", "xtradb", "rocksdb")]
    return Inventory(version, tables, migration, odd)
