"""The database view's engine against the real MariaDB under load generated here: rates, threads, CPU rule.

Load is threads of this test running statements on their own connections; the watch runs at its own
pace in a thread and the test waits for the states it expects (each wait ends as soon as it is reached).
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pymysql
import pytest

from tests.services.mariadb import MariaDB
from tests.services.mysql_fixtures import Scratch
from wbtui.checks.model import CheckFailed
from wbtui.config.urls import MysqlURL
from wbtui.monitor.mysql_cpu import CpuReading, CpuRule
from wbtui.monitor.mysql_lines import cpu_chart, sections, spark
from wbtui.monitor.mysql_status import CpuState, DbStatus
from wbtui.monitor.mysql_watch import MysqlWatch
from wbtui.present.sizes import size

LOADED = 5.0  # percent of the machine: busy mariadbd is above it, idle far below
WAIT = 90.0  # seconds: the most any state below may take to be reached on a loaded 2-core machine
BUSY = "SELECT BENCHMARK(2000000, SHA2('wbtui', 256))"  # ~0.3-1 s of one core per statement


def prepare(mariadb: MariaDB, s: Scratch, *, process: bool = True) -> MysqlURL:
    mariadb.create_database(s.database)
    mariadb.create_user(s.user, s.password)
    mariadb.grant("ALL", f"`{s.database}`.*", s.user)
    if process:
        mariadb.grant("PROCESS", "*.*", s.user)
    mariadb.execute(f"CREATE TABLE `{s.database}`.runs (id INT AUTO_INCREMENT PRIMARY KEY, name TEXT)")
    return MysqlURL.parse(s.url)


@contextlib.contextmanager
def load(url: MysqlURL, statement: str, threads: int) -> Iterator[threading.Event]:
    """``threads`` connections running ``statement`` over and over until the block ends."""
    stop = threading.Event()

    def worker() -> None:
        conn = pymysql.connect(host=url.host, port=url.effective_port, user=url.user, password=url.password,
                               database=url.database, autocommit=True)
        try:
            with conn.cursor() as cur:
                while not stop.is_set():
                    cur.execute(statement)
                    cur.fetchall()
        finally:
            conn.close()

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for w in workers:
        w.start()
    try:
        yield stop
    finally:
        stop.set()
        for w in workers:
            w.join(60)


@contextlib.contextmanager
def watching(watch: MysqlWatch, every: float) -> Iterator[Callable[[Callable[[DbStatus], bool]], DbStatus]]:
    """The watch running in a thread; the block gets ``until(predicate)``: the first status it holds for."""
    results: queue.Queue[DbStatus | CheckFailed] = queue.Queue()
    stop = threading.Event()
    thread = threading.Thread(target=watch.run, args=(every, stop, results.put), daemon=True)
    thread.start()

    def until(predicate: Callable[[DbStatus], bool]) -> DbStatus:
        seen: list[Any] = []
        deadline = time.monotonic() + WAIT
        with contextlib.suppress(queue.Empty):
            while True:
                result = results.get(timeout=max(deadline - time.monotonic(), 0.001))
                if isinstance(result, CheckFailed):
                    raise AssertionError(f"the watch failed: {result.summary}")
                seen.append(result)
                if predicate(result):
                    return result
        raise AssertionError(f"no status within {WAIT:g}s matched; the last: {seen[-1:] and seen[-1].to_json()}")

    try:
        yield until
    finally:
        stop.set()
        thread.join(30)
        watch.close()


@pytest.mark.mysql
def test_load_moves_the_rates_and_threads_running_and_shows_the_statements(mariadb: MariaDB,
                                                                          mysql_scratch: Scratch) -> None:
    url = prepare(mariadb, mysql_scratch)
    watch = MysqlWatch(url, 5.0)
    with watching(watch, 0.3) as until:
        idle = until(lambda s: s.rates["queries"] is not None)
        assert idle.threads_running < 3
        insert = f"INSERT INTO `{url.database}`.runs (name) VALUES ('run')"
        with load(url, BUSY, 3), load(url, insert, 2):
            busy = until(lambda s: s.threads_running >= 3 and (s.rates["queries"] or 0) > 20
                         and (s.rates["commits"] or 0) > 20 and bool(s.statements)
                         and any("BENCHMARK" in st.text for st in s.statements or []))
        assert busy.history["queries"][-1] == busy.rates["queries"]
        assert all(st.user == url.user for st in busy.statements or [])
        quiet = until(lambda s: s.threads_running == 0 and s.rates["commits"] is not None
                      and (s.rates["commits"] or 0) < 5)
    text = "\n".join(line.text for part in sections(busy, 80).values() for line in part)
    assert "queries/s" in text and "longest statements" in text and "BENCHMARK" in text
    assert quiet.queries <= 6, "a refresh stays a handful of cheap queries"
    assert mysql_scratch.password not in repr(busy.to_json())


@pytest.mark.mysql
def test_the_cpu_rule_fires_on_sustained_load_and_clears_after(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    """On the shared 2-core test machine mariadbd (in its own scheduler group) gets ~1/N of the CPU when N
    groups are busy, so the guide's 40% cannot be reached reliably; the rule is the same with a lower
    threshold (idle mariadbd stays well under 1%), and the 40% default is tested with readings below."""
    url = prepare(mariadb, mysql_scratch)
    watch = MysqlWatch(url, 5.0, cpu_rule=CpuRule(threshold=LOADED, window=2.0))
    threads = 3 * (os.cpu_count() or 2)
    with watching(watch, 0.5) as until:
        first = until(lambda s: s.cpu is not None and s.cpu.percent is not None)
        assert first.cpu is not None and "listening on port" in first.cpu.how
        with load(url, BUSY, threads):
            fired = until(lambda s: s.cpu is not None and s.cpu.alert)
        cleared = until(lambda s: s.cpu is not None and not s.cpu.alert and s.cpu.above_for == 0)
    assert fired.cpu is not None and fired.cpu.percent is not None and fired.cpu.percent > LOADED
    assert fired.cpu.above_for >= 2.0
    alert = next(a for a in fired.alerts if f"CPU above {LOADED:g}%" in a.summary)
    assert alert.severity == "error" and "resource starved" in alert.summary and "more CPU" in alert.fix
    assert f"{LOADED:g}% rule" in "\n".join(line.text for line in sections(fired, 80)["cpu"])
    assert not [a for a in cleared.alerts if "CPU" in a.summary]


@pytest.mark.mysql
def test_without_process_the_view_names_the_grant(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    url = prepare(mariadb, mysql_scratch, process=False)
    watch = MysqlWatch(url, 5.0)
    try:
        status = watch.snapshot(0.2)
    finally:
        watch.close()
    account = f"'{url.user}'@'%'"
    assert status.statements is None
    assert status.replication.role == "unknown"
    assert f"GRANT PROCESS, SLAVE MONITOR ON *.* TO {account};" in status.replication.hidden
    lines = "\n".join(line.text for line in sections(status, 80)["statements"])
    assert f"GRANT PROCESS ON *.* TO {account};" in lines


@pytest.mark.mysql
def test_table_sizes_and_their_growth(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    url = prepare(mariadb, mysql_scratch)
    watch = MysqlWatch(url, 5.0, tables_every=3600)
    try:
        first = watch.step()
        assert first.tables is not None and [t.name for t in first.tables] == ["runs"]
        assert first.tables[0].grown is None
        table = f"`{url.database}`.runs"
        mariadb.execute(f"INSERT INTO {table} (name) SELECT REPEAT('x', 2000) FROM `{url.database}`.seq_1_to_3000")
        mariadb.execute(f"ANALYZE TABLE {table}")
        later = watch.step()
        assert later.tables is not None and later.tables[0].grown is None  # not due yet: the same reading
        watch.read_tables_next()
        grown = watch.step()
    finally:
        watch.close()
    assert grown.tables is not None
    runs = grown.tables[0]
    assert runs.rows > 1000 and runs.grown is not None and runs.grown > 1_000_000 and runs.since_start == runs.grown
    shown = "\n".join(line.text for line in sections(grown, 80)["tables"])
    assert f"+{size(runs.grown)} (+{size(runs.grown)} in all)" in shown


@pytest.mark.mysql
def test_a_wrong_password_fails_with_the_cause_and_fix(mariadb: MariaDB, mysql_scratch: Scratch) -> None:
    prepare(mariadb, mysql_scratch)
    bad = MysqlURL.parse(mysql_scratch.url)
    watch = MysqlWatch(MysqlURL(bad.user, "wrong", bad.host, bad.database, bad.port), 5.0)
    with pytest.raises(CheckFailed) as info:
        watch.step()
    assert "access denied" in info.value.summary and "wbtui db init" in info.value.fix


def test_the_rule_holds_only_while_every_reading_is_above() -> None:
    rule = CpuRule(window=8)
    assert CpuRule().threshold == 40 and CpuRule().window == 300  # the guide's rule by default
    verdicts = [rule.add(CpuReading(at, percent, at - 2)) for at, percent in
                ((2, 50), (4, 60), (6, 45), (8, 70))]
    assert [v.alert for v in verdicts] == [False, False, False, True] and verdicts[-1].above_for == 8
    assert not rule.add(CpuReading(10, 40, 8)).alert  # 40% is not above 40%
    assert rule.add(CpuReading(12, 90, 10)).above_for == 2


def test_the_chart_draws_the_threshold_where_the_bars_stay_below() -> None:
    cpu = CpuState(55.0, [10.0, 30.0, 55.0, 100.0], 40.0, 300.0, 0.0, False, "mariadbd")
    rows = [line.text for line in cpu_chart(cpu, 6)]
    assert len(rows) == 4
    assert rows[0].startswith("   █  ") and rows[0].endswith("100%")
    assert rows[2].startswith("╌▂██╌╌") and "40% rule" in rows[2]
    assert spark([0, 5, 10], 3) == "▁▅█" and spark([0, 0], 5) == "▁▁" and spark([], 4) == ""
