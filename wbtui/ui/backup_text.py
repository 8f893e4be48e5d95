"""What the dashboard says about backups: the table's cells, the selected backup's details, its manifest as
text, and the Overview's one line. Plain strings (no Textual): the pane and the widget style them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from ..config.backup import DAILY
from ..ops.backup.destinations import Entry
from ..ops.backup.manifest import Table
from ..present.durations import ago
from ..present.sizes import size

"""The guide's rule is a daily backup: a newest backup older than a day and some slack is a warning."""
TIME_FORMAT = "%Y-%m-%d %H:%M"


class Cell(NamedTuple):
    text: str
    tone: str = ""  # "good", "warn", "bad", "muted" or ""


def verified_cell(entry: Entry) -> Cell:
    if not entry.complete:
        return Cell("incomplete", "bad")
    return {True: Cell("yes", "good"), False: Cell("FAILED", "bad"), None: Cell("no", "muted")}[entry.verified]


def schema_cell(entry: Entry) -> Cell:
    migration = entry.manifest.migration if entry.manifest is not None else None
    if not migration or migration.get("version") is None:
        return Cell("-", "muted")
    dirty = bool(migration.get("dirty"))
    return Cell(f"{migration['version']}{' dirty' if dirty else ''}", "warn" if dirty else "")


def row_cells(entry: Entry, now: datetime) -> list[Cell]:
    """CREATED (UTC), AGE, SIZE, WHERE, VERIFIED, SCHEMA."""
    return [Cell(entry.created.strftime(TIME_FORMAT)), Cell(ago((now - entry.created).total_seconds())),
            Cell(size(entry.size)), Cell(entry.where), verified_cell(entry), schema_cell(entry)]


COLUMNS = ("CREATED (UTC)", "AGE", "SIZE", "WHERE", "VERIFIED", "SCHEMA")


def verify_lines(entry: Entry) -> list[Cell]:
    """The last verify's result: when, what it restored, or every difference it found."""
    result = entry.verify
    if not entry.complete:
        return [Cell("Incomplete: there is no manifest or no dump (cut short, or still being written). It cannot be "
                     "verified or restored; retention removes it. b makes a new backup.", "bad")]
    if result is None:
        return [Cell("Never verified: v restores it into a scratch database and compares it with its manifest.",
                     "muted")]
    when = str(result.get("when", ""))[:16].replace("T", " ")
    if result.get("ok") and entry.manifest is not None and entry.manifest.kind == "volume":
        return [Cell(f"Verified {when} UTC: the archive's size and sha256 match the manifest and its tar reads to "
                     "the end.", "good")]
    if result.get("ok"):
        return [Cell(f"Verified {when} UTC: {result.get('tables', 0)} tables, {int(result.get('rows', 0)):,} rows "
                     "restored and matched the manifest.", "good")]
    problems = [str(p) for p in result.get("problems", [])] or ["(no reason recorded)"]
    return [Cell(f"Verify FAILED {when} UTC: do not rely on this backup; b makes a new one, then v verifies it.",
                 "bad"), *[Cell(f"  {p}") for p in problems]]


def detail_lines(entry: Entry) -> list[Cell]:
    """The selected backup, in the box under the table (the manifest in full is one key away: enter)."""
    out = [Cell(entry.id, "strong"), Cell(f"{entry.where}: {entry.location}")]
    m = entry.manifest
    image = f" · W&B {m.image}:{m.tag}" if m is not None and m.image else ""
    if m is not None and m.kind == "volume":
        out.append(Cell(f"/vol of the container (volume {m.volume or '?'}), archived with the server stopped"
                        + image))
    elif m is not None:
        rows = sum(t.rows for t in m.tables)
        out.append(Cell(f"{m.database} on {m.host} ({m.server_version}) · {len(m.tables)} tables, {rows:,} rows"
                        + image))
    out += verify_lines(entry)
    if m is not None:
        out += [Cell(f"Note: {note}", "warn") for note in m.notes]
    return out


def manifest_text(entry: Entry, now: datetime) -> str:
    """Everything the backup's manifest and last verify say, for the text view (``s`` saves it)."""
    out = [f"Backup {entry.id}", "", f"Where:     {entry.where}, {entry.location}"]
    m = entry.manifest
    if m is None:
        out += [f"Files:     {', '.join(k.rsplit('/', 1)[-1] for k in entry.keys)}",
                f"Modified:  {entry.modified.strftime(TIME_FORMAT)} UTC "
                f"({ago((now - entry.modified).total_seconds())})",
                "", *[c.text for c in verify_lines(entry)]]
        return "\n".join(out) + "\n"
    if m.kind == "volume":
        out += [f"File:      {m.file} ({size(m.size)}, {m.compression})", f"sha256:    {m.sha256}",
                f"Created:   {entry.created.strftime(TIME_FORMAT)} UTC ({ago((now - entry.created).total_seconds())}), "
                f"the archive took {m.seconds:.1f}s",
                f"Holds:     the container's /vol (volume {m.volume or '?'}): W&B's embedded stores",
                f"W&B:       {m.image}:{m.tag}" if m.image else "W&B:       (no image recorded)",
                f"wbtui:     {m.wbtui_version}", "", *[c.text for c in verify_lines(entry)]]
        if m.notes:
            out += ["", "Notes:", *[f"  - {note}" for note in m.notes]]
        return "\n".join(out) + "\n"
    rows = sum(t.rows for t in m.tables)
    migration = m.migration or {}
    out += [
        f"File:      {m.file} ({size(m.size)}, {m.compression})",
        f"sha256:    {m.sha256}",
        f"Created:   {entry.created.strftime(TIME_FORMAT)} UTC ({ago((now - entry.created).total_seconds())}), "
        f"the dump took {m.seconds:.1f}s",
        f"Database:  {m.database} on {m.host}, {m.server_version}",
        f"W&B:       {m.image}:{m.tag}" if m.image else "W&B:       (no image recorded)",
        (f"Schema:    {migration.get('table')} version {migration.get('version')}"
         + (" (dirty: a migration failed half-way)" if migration.get("dirty") else "")) if migration
        else "Schema:    no schema_migrations table",
        f"Tool:      {m.tool.get('version') or m.tool.get('name', '?')}",
        f"Why:       {m.tool.get('why') or '-'}",
        f"wbtui:     {m.wbtui_version}",
        "",
        *[c.text for c in verify_lines(entry)],
    ]
    if m.notes:
        out += ["", "Notes:", *[f"  - {note}" for note in m.notes]]
    out += ["", f"Tables: {len(m.tables)}, {rows:,} rows", _table_rows(m.tables)]
    return "\n".join(out) + "\n"


def _table_rows(tables: Sequence[Table]) -> str:
    rows = [("NAME", "ENGINE", "ROWS", "CHECKSUM")]
    for t in tables:
        rows.append((t.name, t.engine or "-", f"{t.rows:,}", "-" if t.checksum is None else str(t.checksum)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join(f"  {r[0]:<{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}" for r in rows)


def newest(entries: Sequence[Entry]) -> list[Entry]:
    """The newest complete backup and its copies elsewhere (the same ID in the bucket and on disk)."""
    complete = [e for e in entries if e.complete]
    if not complete:
        return []
    first = max(complete, key=lambda e: (e.created, e.id))
    return [e for e in complete if e.id == first.id]


def overview_line(entries: Sequence[Entry] | None, errors: Sequence[str], embedded: bool, now: datetime) -> Cell:
    """``Backup: 3h ago, 12.4 MiB, local (verified)``, or what is missing and the key that makes it."""
    if embedded and not any(e.complete for e in entries or ()):
        return Cell("Backup: none of the embedded database (MYSQL is empty) - 7 says what to do", "warn")
    if entries is None:
        return Cell("Backup: not listed yet (7 lists them)", "muted")
    copies = newest(entries)
    if not copies:
        if errors:
            return Cell("Backup: cannot list the backups - 7 says why", "bad")
        return Cell("Backup: none - press 7 then b", "warn")
    entry = copies[0]
    where = " + ".join(sorted({e.where for e in copies}))
    verified = [e.verified for e in copies]
    state = "verified" if True in verified else "verify FAILED" if False in verified else "not verified"
    age = now - entry.created
    text = f"Backup: {ago(age.total_seconds())}, {size(entry.size)}, {where} ({state})"
    if age > DAILY:
        return Cell(f"{text} - older than {DAILY.total_seconds() / 3600:.0f} h: 7 then b", "warn")
    return Cell(text, "bad" if state == "verify FAILED" else "")
