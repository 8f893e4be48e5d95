"""The database view as plain lines with a tone, the same for `wbtui db status` and the Database pane.

Alerts come first (at 80x24 they are never below the fold), then the figures, replication, the CPU chart
with the guide's threshold drawn across it, the longest statements and the largest tables. Each face maps
the tones to its colours; the sparklines and the chart are text.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..present.durations import ago, duration
from ..present.sizes import size
from .mysql_status import CpuState, DbStatus

BARS = "▁▂▃▄▅▆▇█"
CHART_ROWS = 4
ROLES = {"relay": "replica and primary", "standalone": "no replication", "unknown": "replication hidden"}


@dataclass(frozen=True)
class Line:
    text: str
    tone: str = ""  # "", "ok", "warn", "error", "muted", "head"


Section = list[Line]


def spark(values: list[float], width: int, top: float | None = None) -> str:
    """The newest ``width`` values as a row of bars scaled to ``top`` (default: their maximum)."""
    shown = values[-width:] if width > 0 else []
    if not shown:
        return ""
    peak = top if top is not None else max(shown)
    if peak <= 0:
        return BARS[0] * len(shown)
    return "".join(BARS[min(len(BARS) - 1, int(v / peak * (len(BARS) - 1) + 0.5))] for v in shown)


def cpu_chart(cpu: CpuState, width: int) -> list[Line]:
    """CHART_ROWS rows of 0-100% with the threshold as a dashed line where the bars stay below it."""
    values = cpu.series[-width:]
    rows: list[Line] = []
    step = 100.0 / CHART_ROWS
    for r in range(CHART_ROWS, 0, -1):
        low, high = (r - 1) * step, r * step
        threshold_here = low < cpu.threshold <= high
        cells = []
        for v in values:
            if v >= high:
                cells.append("█")
            elif v > low:
                cells.append(BARS[min(len(BARS) - 1, int((v - low) / step * len(BARS)))])
            else:
                cells.append("╌" if threshold_here else " ")
        pad = ("╌" if threshold_here else " ") * (width - len(values))
        label = f"{high:3.0f}%" + (f" ╌ {cpu.threshold:g}% rule" if threshold_here else "")
        above = bool(values) and values[-1] > cpu.threshold
        rows.append(Line("".join(cells) + pad + " " + label, "warn" if above and r * step > cpu.threshold else ""))
    return rows


def _rate(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def alert_lines(status: DbStatus) -> Section:
    lines: Section = []
    for alert in status.alerts:
        mark = "✘" if alert.severity == "error" else "!"
        lines.append(Line(f"{mark} {alert.summary}", "error" if alert.severity == "error" else "warn"))
        lines.append(Line(f"  fix: {alert.fix}", "muted"))
    return lines


def figure_lines(status: DbStatus, width: int) -> Section:
    rates, history = status.rates, status.history
    hit = f"{status.buffer_pool_hit:.1f}%" if status.buffer_pool_hit is not None else "-"
    role = ROLES.get(status.replication.role, status.replication.role)
    head = (f"{status.version} at {status.where} · up {duration(status.uptime)} · {role}"
            + (" · read-only" if status.read_only else ""))
    used = (f"connections {status.connections}/{status.max_connections} (peak {status.peak_connections})"
            f" · threads running {status.threads_running}")
    innodb = (f"buffer pool hit {hit} · row lock waits {_rate(rates.get('row_lock_waits'))}/s "
              f"({status.row_lock_current_waits} waiting now)")
    spark_width = max(8, min(60, width - 22))
    lines = [Line(head, "head"), Line(used), Line(innodb, "warn" if status.row_lock_current_waits else "")]
    for name, label in (("queries", "queries/s"), ("commits", "commits/s"), ("transactions", "tx/s"),
                        ("slow", "slow/s")):
        value = rates.get(name)
        tone = "warn" if name == "slow" and value else ""
        lines.append(Line(f"{label:<10}{_rate(value):>9}  {spark(history.get(name, []), spark_width)}", tone))
    return lines


def replication_lines(status: DbStatus) -> Section:
    repl = status.replication
    lines: Section = []
    if repl.replica is not None:
        r = repl.replica
        lag = f"{r.lag} s" if r.lag is not None else "unknown"
        bad = r.io_running != "Yes" or r.sql_running != "Yes"
        lines.append(Line(f"replica of {r.source} · IO thread {r.io_running or '?'} · SQL thread "
                          f"{r.sql_running or '?'} · lag {lag}", "error" if bad else "ok"))
        for error in (r.last_io_error, r.last_sql_error):
            if error:
                lines.append(Line(f"  last error: {error}", "error"))
    if repl.downstream:
        lines.append(Line(f"{len(repl.downstream)} replica(s) stream from this server", "ok"))
        for d in repl.downstream[:3]:
            lines.append(Line(f"  {d.host} · connected {duration(d.seconds)} · {d.state}", "muted"))
    if not lines and repl.role == "standalone":
        lines.append(Line("no replication: no hot standby streams from this server (the guide advises one)", "warn"))
    if repl.hidden:
        lines.append(Line(repl.hidden, "muted"))
    return lines


def cpu_lines(status: DbStatus, width: int) -> Section:
    cpu = status.cpu
    if cpu is None:
        return [Line(f"CPU: {status.cpu_note}", "muted")] if status.cpu_note else []
    now = f"{cpu.percent:g}%" if cpu.percent is not None else "-"
    held = (f", above {cpu.threshold:g}% for {duration(cpu.above_for)} of {duration(cpu.window)}"
            if cpu.above_for else "")
    head = Line(f"CPU (this host) {now} of the machine{held}",
                "error" if cpu.alert else "warn" if cpu.above_for else "")
    return [head, *cpu_chart(cpu, max(8, min(60, width - 20))), Line(cpu.how, "muted")]


def statement_lines(status: DbStatus, width: int) -> Section:
    if status.statements is None:
        return [Line("longest statements: hidden, the account sees only its own sessions: GRANT PROCESS ON *.* "
                     f"TO {status.account};", "muted")]
    if not status.statements:
        return [Line("longest statements: none running", "muted")]
    lines = [Line("longest statements", "head")]
    for s in status.statements:
        prefix = f"{duration(s.seconds):>6}  {s.user}  {s.db or '-'}  "
        lines.append(Line((prefix + s.text)[:max(width, 20)], "warn" if s.seconds >= 60 else ""))
    return lines


def table_lines(status: DbStatus) -> Section:
    if status.tables is None:
        return [Line("largest tables: not read yet", "muted")]
    if not status.tables:
        return [Line("largest tables: the database has no tables yet", "muted")]
    age = f" (read {ago(status.tables_age)}; growth since the reading before)"
    lines = [Line("largest tables" + age, "head")]
    for t in status.tables:
        grown = f"  {_signed(t.grown)}" if t.grown is not None else ""
        if t.since_start:
            grown += f" ({_signed(t.since_start)} in all)"
        lines.append(Line(f"{t.name:<18} {t.rows:>10,} rows {size(t.bytes):>10}{grown}"))
    return lines


def _signed(delta: int) -> str:
    return ("+" if delta >= 0 else "-") + size(abs(delta))


def footer_line(status: DbStatus) -> Line:
    return Line(f"{status.queries} queries in {status.refresh_seconds * 1000:.0f} ms per refresh", "muted")


def sections(status: DbStatus, width: int) -> dict[str, Section]:
    """Every part of the view in the order shown, by name (the pane keeps one widget per part)."""
    return {
        "alerts": alert_lines(status),
        "figures": figure_lines(status, width),
        "replication": replication_lines(status),
        "cpu": cpu_lines(status, width),
        "statements": statement_lines(status, width),
        "tables": table_lines(status),
        "footer": [footer_line(status)],
    }
