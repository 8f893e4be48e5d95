"""The Backups pane: the backups on disk and in the bucket; back up now, verify, restore, read a manifest.

It does what `wbtui backup`, `wbtui backup list`, `wbtui backup verify` and `wbtui restore` do, with the config's
defaults
(``backup.directory``, ``backup.to_bucket``, ``backup.prefix``, ``backup.keep``). Every list and job runs in a
thread worker (``ui.backup_jobs``): the bucket's list is a network call, a dump takes minutes.
"""

from __future__ import annotations

import os
import time
from functools import partial

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static

from ...config.model import Config
from ...ops.backup.destinations import Entry
from ...present.durations import ago
from ..backup_jobs import (
    BackupJobEnded,
    BackupProgress,
    BackupsListed,
    JobEnd,
    RestorePlanned,
    back_up,
    back_up_volume,
    list_backups,
    plan_restore,
    restore_backup,
    verify_backup,
)
from ..backup_text import COLUMNS, Cell, detail_lines, manifest_text, row_cells
from ..messages import Problem, RefreshStatus, StartupWatch
from ..text import TONE_VARIABLE, cell, lines, styled
from .base import Pane

JOB_TITLES = {"backup": "Backup", "verify": "Verify", "restore": "Restore"}
AGE_SECONDS = 30.0
ADMIN_EXAMPLE = "mysql://root:PASSWORD@db.example.com:3306/mysql"


def _content(row: Cell) -> Content:
    if row.tone == "strong":
        return styled((row.text, "bold"))
    variable = TONE_VARIABLE[row.tone or "plain"]
    return styled((row.text, variable)) if variable else Content(row.text)


class BackupsPane(Pane):
    DEFAULT_CSS = """
    BackupsPane #bk-job {
        max-height: 2;
    }

    BackupsPane #bk-table {
        height: 1fr;
    }

    BackupsPane #bk-details {
        height: auto;
        max-height: 12;
    }
    """

    PANE_ID = "backups"
    TITLE = "Backups"
    MUTATING = frozenset({"verify", "restore"})
    """A backup adds files and changes nothing (in read-only mode it removes no old one); a verify creates a
    database and a restore replaces W&B's data, so read-only mode refuses both, as the CLI does."""

    BINDINGS = [
        Binding("b", "backup", "Back up now", id="backups.back_up"),
        Binding("v", "verify", "Verify", id="backups.verify"),
        Binding("r", "restore", "Restore", id="backups.restore"),
        # the table's own enter would take it
        Binding("enter", "details", "Details", priority=True, id="backups.details"),
        Binding("g", "refresh", "Refresh", id="backups.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        """The backups the table shows (its row keys index this list)."""
        self.embedded = ""
        self.job = ""
        """The job running now ("backup", "verify"), or ""."""
        self._job_started = 0.0
        self._job_text = ""

    def compose(self) -> ComposeResult:
        yield Static(Content("Backups: not listed yet."), id="bk-status", classes="pane-status")
        yield Static(Content(""), id="bk-job", classes="pane-status")
        yield DataTable(id="bk-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="bk-details", classes="box"):
            yield Static(Content("b backs up the W&B database now."), id="bk-details-text")

    def on_mount(self) -> None:
        self.query_one("#bk-table", DataTable).add_columns(*COLUMNS)
        self.query_one("#bk-job", Static).display = False
        self._job_clock = self.set_interval(1.0, self._show_job, pause=True)
        self._ages = self.set_interval(AGE_SECONDS, self._show_ages, pause=True)
        self.watch(self.app, "backups", self.show_listed, init=False)

    def focus_default(self) -> None:
        self.query_one("#bk-table", DataTable).focus()

    def on_show(self) -> None:
        """Listed again each time the pane is shown: backups made elsewhere (a timer, a shell) appear."""
        self._ages.resume()
        self.list_now()

    def on_hide(self) -> None:
        self._ages.pause()

    # ---- the list -------------------------------------------------------------------------------------
    def list_now(self) -> None:
        if any(w.group == "backup-list" and w.is_running for w in self.workers):
            return
        self.run_worker(partial(list_backups, self.wbtui.session.saved.copy(), self.post_message), thread=True,
                        group="backup-list", exit_on_error=False, name="List backups")

    def action_refresh(self) -> None:
        self.list_now()
        self.notify("Listing the backups again…", markup=False, timeout=2)

    def show_listed(self, listed: BackupsListed | None) -> None:
        if listed is None:
            return
        redact = self.wbtui.session.redactor()
        chosen = self.selected()
        keep = (chosen.where, chosen.id) if chosen is not None else None
        self.entries = list(listed.entries)
        self.embedded = listed.embedded
        table = self.query_one("#bk-table", DataTable)
        table.clear()
        app = self.app
        for index, entry in enumerate(self.entries):
            table.add_row(*[cell(app, c.text, TONE_VARIABLE[c.tone or "plain"])
                            for c in row_cells(entry, listed.listed_at)], key=str(index))
            if keep == (entry.where, entry.id):
                table.move_cursor(row=index)
        rows: list[Content | str] = []
        if listed.embedded and self.wbtui.session.saved.runtime.backend == "docker":
            rows.append(styled(("MYSQL is empty (the embedded database): ", "$warning bold"),
                               "no dump; b archives /vol with the server stopped (asks first)."))
        elif listed.embedded:
            rows.append(styled(("Not covered: MYSQL is empty (the embedded database). ", "$warning bold"),
                               "What to do is below."))
        count = len(self.entries)
        where = " and ".join(listed.locations)
        if count:
            newest = max(self.entries, key=lambda e: (e.created, e.id))
            rows.append(Content(f"{count} backup{'s' if count != 1 else ''} in {where} · newest "
                                f"{ago((listed.listed_at - newest.created).total_seconds())}"))
        elif not listed.embedded:
            rows.append(styled(("No backups", "$warning bold"), f" in {where}: b backs up now."))
        rows += [styled(("✘ ", "$error bold"), redact(error)) for error in listed.errors]
        self.query_one("#bk-status", Static).update(lines(*rows))
        self._show_details()

    def _show_ages(self) -> None:
        """Keep the AGE cells true while the pane stays open (only cells whose text changed are redrawn)."""
        from ...ops.backup.manifest import now

        table = self.query_one("#bk-table", DataTable)
        if not self.display or not table.row_count:
            return
        moment = now()
        age_column = table.ordered_columns[1].key
        for row_key in list(table.rows):
            entry = self.entries[int(str(row_key.value))]
            text = row_cells(entry, moment)[1].text
            if str(table.get_cell(row_key, age_column)) != text:
                table.update_cell(row_key, age_column, cell(self.app, text))

    def selected(self) -> Entry | None:
        table = self.query_one("#bk-table", DataTable)
        if table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return self.entries[int(str(row_key.value))]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "bk-table":
            self._show_details()

    def _show_details(self) -> None:
        entry = self.selected()
        rows: list[Content | str] = []
        if self.embedded and (entry is None or self.wbtui.session.saved.runtime.backend != "docker"):
            rows.append(Content(self.embedded))  # on Docker, once there is a /vol archive, the status line says it
        if entry is not None:
            rows += [_content(row) for row in detail_lines(entry)]
            if entry.complete:
                rows.append(styled(("enter: the manifest · v verifies · r restores · b backs up now", "$text-muted")))
        elif not self.embedded:
            rows.append(Content("b backs up the W&B database now (it asks first and says where it goes)."))
        self.query_one("#bk-details-text", Static).update(lines(*rows))

    def action_details(self) -> None:
        from ...ops.backup.manifest import now
        from ..core import Rendered
        from ..widgets.text_screen import TextScreen

        entry = self.selected()
        if entry is None:
            self.notify("No backup selected: b makes one.", markup=False)
            return
        text = manifest_text(entry, now())
        self.app.push_screen(TextScreen(f"Backup {entry.id} ({entry.where})",
                                        [Rendered(entry.id, f"{entry.id}.txt", lambda: text)]))

    # ---- jobs -------------------------------------------------------------------------------------------
    def _busy(self) -> bool:
        if self.job:
            self.notify(f"{JOB_TITLES[self.job]} is still running: wait for it to end.", severity="warning",
                        markup=False)
        return bool(self.job)

    def _server_busy(self) -> bool:
        """A deploy, restart, upgrade... running: stopping the server for a restore or a /vol archive now would
        race it (the app refuses runtime actions while such a job runs, see ``server_job``)."""
        from ...ops.lifecycle import ACTION_TITLES

        running = self.wbtui.runtime_action
        if running is not None and not running.done:
            self.notify(f"{ACTION_TITLES[running.action]} (Runtime, 4) is still running: wait for it to end.",
                        severity="warning", markup=False)
            return True
        return False

    def _start(self, job: str, work: partial[None], what: str, stops_server: str = "") -> None:
        """Run ``work``; ``stops_server`` (the job's title) marks a job that stops the server, for the app."""
        if stops_server and self._server_busy():
            return
        self.wbtui.server_job = stops_server
        self.job, self._job_started, self._job_text = job, time.monotonic(), what
        self._job_clock.resume()
        self._show_job()
        self.run_worker(work, thread=True, group="backup-job", exit_on_error=False, name=JOB_TITLES[job],
                        description=JOB_TITLES[job])

    def _show_job(self) -> None:
        if not self.job:
            return
        elapsed = f"  {time.monotonic() - self._job_started:.0f} s"
        self._show_job_line(styled((f"{JOB_TITLES[self.job]}… ", "$warning bold"), self._job_text,
                                   (elapsed, "$text-muted")))

    def _show_job_line(self, content: Content) -> None:
        widget = self.query_one("#bk-job", Static)
        widget.update(content)
        widget.display = bool(content.plain)

    def on_backup_progress(self, message: BackupProgress) -> None:
        message.stop()
        self._job_text = self.wbtui.session.redactor()(message.text)
        self._show_job()

    def on_backup_job_ended(self, message: BackupJobEnded) -> None:
        message.stop()
        end = message.end
        self.job = ""
        self.wbtui.server_job = ""
        self._job_clock.pause()
        self._said(end)
        self.list_now()
        if end.job == "restore" or end.restarted:
            self.post_message(RefreshStatus())
            if end.restarted:
                self.post_message(StartupWatch())  # as after a deploy: the Health pane and a notice follow it

    def _said(self, end: JobEnd) -> None:
        """A job's end on the job line and as a notification (secrets scrubbed, never markup)."""
        redact = self.wbtui.session.redactor()
        title = JOB_TITLES[end.job]
        if end.problem is not None:
            problem = end.problem
            failed = "not covered" if problem.kind == "not-covered" else "failed"
            self._show_job_line(lines(styled((f"✘ {title} {failed}: ", "$error bold"), redact(problem.message)),
                                      styled(("fix: ", "$text-muted"), redact(problem.fix)) if problem.fix else ""))
            self.wbtui.show_problem(problem, f"{title} {failed}")
        elif end.problems:
            self._show_job_line(styled((f"✘ Verify FAILED for {end.backup_id}: ", "$error bold"),
                                       redact(end.problems[0])))
            self.notify("\n".join([*[redact(p) for p in end.problems[:6]],
                                   "Do not rely on this backup: b makes a new one, then v verifies it."]),
                        title=f"Verify FAILED: {end.backup_id}", severity="error", timeout=15, markup=False)
        else:
            self._show_job_line(styled((f"✔ {title}: ", "$success bold"), redact(end.outcome[0])))
            self.notify(redact("\n".join(end.outcome)), title=f"{title} done", timeout=10, markup=False)

    def action_backup(self) -> None:
        from ...ops.backup.places import keep, targets

        if self._busy():
            return
        config = self.wbtui.session.saved.copy()
        if not config.server.MYSQL.strip():
            self._back_up_volume(config)
            return
        try:
            places = [place.location for place in targets(config)]
            keep(config)
        except Exception as exc:  # BUCKET does not parse, or backup.keep is not a retention
            self.wbtui.show_problem(Problem.from_exception(exc), "Backup: cannot start")
            return
        from ...config.urls import MysqlURL, URLError

        try:
            url = MysqlURL.parse(config.server.MYSQL)
        except URLError as exc:
            self.wbtui.show_problem(Problem(f"MYSQL: {exc}", "fix it in the Config pane (2)"), "Backup: cannot start")
            return
        steps = [f"Dump the database {url.database} on {url.host}:{url.effective_port} with the MySQL client tools "
                 "on this host (mariadb-dump or mysqldump): one consistent snapshot (--single-transaction); W&B "
                 "keeps running.",
                 f"Write it compressed (zstd, else gzip), with its manifest, to {places[0]} (files 0600)."]
        steps += [f"Upload it to {place} (multipart), then its manifest." for place in places[1:]]
        if len(places) == 1 and config.server.BUCKET.strip():
            steps.append("Not to the bucket: backup.to_bucket is false (a copy away from this host survives "
                         "losing it: wbtui config set backup.to_bucket true).")
        if self.read_only:
            steps.append("Read-only mode: no old backup is removed.")
        else:
            steps.append(f"Then remove the backups older than {config.backup.keep} (backup.keep) from each place, "
                         "never its newest good one.")
        self.confirm("Back up the W&B database now?", steps,
                     lambda: self._start("backup", partial(back_up, config, not self.read_only, self.post_message),
                                         "starting…"), confirm_label="Back up")

    def _back_up_volume(self, config: Config) -> None:
        """The embedded stores live in /vol: on Docker, archive it with the server stopped (asked first, refused in
        read-only mode, as `wbtui backup` does); on Kubernetes, say what is not covered."""
        from ...ops.backup.job import embedded_message
        from ...ops.backup.places import local

        if config.runtime.backend != "docker":
            self.notify(embedded_message(config), title="Backup: not covered", severity="warning", timeout=20,
                        markup=False)
            return
        if self.refuse_read_only("stopping the server to archive /vol") or self._server_busy():
            return
        name, volume = config.runtime.container_name, config.runtime.volume
        steps = [f"Stop {name} if it runs: the server is down until the archive is written.",
                 f"Archive /vol (volume {volume}: W&B's embedded database and files) through the Docker API into "
                 f"{local(config).location} (zstd, else gzip; files 0600, with a manifest).",
                 f"Start {name} again, also when the archive fails.",
                 f"Then remove the local backups older than {config.backup.keep} (backup.keep), never the newest "
                 "good one. A /vol archive stays local (it is not uploaded to the bucket)."]
        self.confirm(f"Stop {name} and archive /vol?", steps,
                     lambda: self._start("backup", partial(back_up_volume, self.wbtui.core, config, True,
                                                           self.post_message), "stopping the server…",
                                         "Archive /vol"),
                     confirm_label="Stop and archive", danger=True)

    def action_verify(self) -> None:
        from ...checks.mysql_connect import ADMIN_ENV

        if self.refuse_read_only("verify") or self._busy():
            return
        entry = self.selected()
        if entry is None:
            self.notify("No backup selected: b makes one.", markup=False)
            return
        if not entry.complete:
            self.notify(f"{entry.id} is incomplete (no manifest or no dump): it cannot be verified. b makes a new "
                        "backup.", severity="warning", markup=False)
            return
        if entry.manifest is not None and entry.manifest.kind == "volume":  # a /vol archive is checked as a file
            self._confirm_verify(entry, "")
            return
        admin = os.environ.get(ADMIN_ENV, "")
        if admin:
            self._confirm_verify(entry, admin)
            return
        self.prompt("MySQL admin URL for the verify (used once, never saved)",
                    lambda url: self._confirm_verify(entry, url), placeholder=ADMIN_EXAMPLE, password=True,
                    help=f"An account allowed to CREATE and DROP the scratch database wbtui_verify_* on the same "
                         f"server. Set {ADMIN_ENV} before starting wbtui and this is not asked.")

    def _confirm_verify(self, entry: Entry, admin_url: str) -> None:
        from ...config.urls import MysqlURL, URLError
        from ...ops.backup.verify import SCRATCH_PREFIX

        config = self.wbtui.session.saved.copy()

        def run() -> None:
            self._start("verify", partial(verify_backup, config, entry.id, entry.where, admin_url, self.post_message),
                        f"{entry.id}…")

        if not admin_url:
            self.confirm(f"Verify {entry.id} ({entry.where})?",
                         [f"Check {entry.dump_name}'s size and sha256 against its manifest and read its tar to the "
                          "end (a /vol archive is checked as a file: nothing is restored).",
                          f"Record the result beside the backup ({entry.id}.verify.json)."], run,
                         confirm_label="Verify")
            return
        try:
            admin = MysqlURL.parse(admin_url)
        except URLError as exc:
            self.wbtui.show_problem(Problem(f"the admin URL does not parse: {exc}",
                                            f"give it as {ADMIN_EXAMPLE} (v asks again)"), "Verify")
            return
        manifest = entry.manifest
        tables = len(manifest.tables) if manifest is not None else 0
        steps = [f"Check {entry.dump_name}'s size and sha256 against its manifest (a changed or cut-short file "
                 "fails here, before anything is restored)."]
        if entry.where == "bucket":
            steps.append(f"Download it from {entry.location} to a private temporary directory first.")
        steps += [f"Create a scratch database {SCRATCH_PREFIX}XXXXXXXX on {admin.host}:{admin.effective_port} as "
                  f"{admin.user or '(no user)'} (the admin account: used once, never saved).",
                  f"Restore the dump into it; compare its {tables} tables, row counts and CHECKSUM TABLE with the "
                  "manifest.",
                  "Drop the scratch database, whatever happens.",
                  f"Record the result beside the backup ({entry.id}.verify.json)."]
        self.confirm(f"Verify {entry.id} ({entry.where})?", steps, run, confirm_label="Verify")


    def action_restore(self) -> None:
        if self.refuse_read_only("restore") or self._busy() or self._server_busy():
            return
        entry = self.selected()
        if entry is None:
            self.notify("No backup selected: b makes one.", markup=False)
            return
        if not entry.complete or entry.manifest is None:
            self.notify(f"{entry.id} is incomplete (no manifest or no dump): it cannot be restored. Pick a complete "
                        "one.", severity="warning", markup=False)
            return
        config = self.wbtui.session.saved.copy()
        if entry.manifest.kind == "volume" and config.runtime.backend == "kubernetes":
            self.notify(f"{entry.id} is a backup of a Docker container's /vol; this config runs W&B on Kubernetes, "
                        "whose volume is a PersistentVolumeClaim wbtui does not restore: copy the files back into "
                        "the claim yourself (kubectl cp into a pod that mounts it, with the server scaled to 0).",
                        title="Restore: not covered", severity="warning", timeout=20, markup=False)
            return
        if entry.verified is False:
            self.notify(f"{entry.id} failed its last verify: restoring it is asked for all the same.",
                        severity="warning", markup=False)
        self.run_worker(partial(plan_restore, self.wbtui.core, config, entry, self.post_message), thread=True,
                        group="backup-plan", exit_on_error=False, name="Plan restore", description="Plan restore")

    def on_restore_planned(self, message: RestorePlanned) -> None:
        message.stop()
        if message.problem is not None:
            self.wbtui.show_problem(message.problem, "Restore: cannot plan it")
            return
        entry = message.entry
        config = self.wbtui.session.saved.copy()
        redact = self.wbtui.session.redactor()
        steps = [redact(step) for step in message.steps]
        steps.append("The safety backup goes into the local backup directory, beside the others: r on it goes back.")
        self.confirm(f"Restore {entry.id} ({entry.where})? The current data is replaced.", steps,
                     lambda: self._start("restore", partial(restore_backup, self.wbtui.core, config, entry.id,
                                                            message.deployed, self.post_message), f"{entry.id}…",
                                                    "Restore"),
                     confirm_label="Restore", danger=True)
