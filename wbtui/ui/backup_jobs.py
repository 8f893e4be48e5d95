"""The Backups view's jobs (list, back up, verify, restore), each run in a thread worker that posts messages.

They call the same operations as `wbtui backup`, `wbtui backup list`, `wbtui backup verify` and `wbtui restore`
(``ops.backup.restore.run_restore``: stop, safety backup, replace the data, start); they never
touch a widget. A job's progress lines (the operation's ``say``) arrive as ``BackupProgress``, its end as
``BackupJobEnded``, a list as ``BackupsListed`` (which the app's store keeps for the pane and the Overview).
The admin URL of a verify lives only in the worker's arguments: no message, text or worker name carries it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

from .messages import Problem
from .workers import posting

if TYPE_CHECKING:
    from ..config.model import Config
    from ..config.urls import MysqlURL
    from ..ops.backup.destinations import Bucket, Entry, Local
    from .core import Core

Post = Callable[[Message], object]


class BackupsListed(Message):
    """Every backup of the local directory and the bucket, newest first (``errors``: places that could not be
    read); ``embedded`` is what is not covered when MYSQL is empty ("" otherwise)."""

    def __init__(self, entries: list[Entry], errors: list[str], locations: list[str], embedded: str,
                 listed_at: datetime) -> None:
        super().__init__()
        self.entries = entries
        self.errors = errors
        self.locations = locations
        self.embedded = embedded
        self.listed_at = listed_at


class BackupProgress(Message):
    """One line of a running job (``job``: backup, verify)."""

    def __init__(self, job: str, text: str) -> None:
        super().__init__()
        self.job = job
        self.text = text


@dataclass
class JobEnd:
    job: str
    backup_id: str = ""
    outcome: list[str] = field(default_factory=list)
    """What was done, one line each (shown and notified)."""
    problems: list[str] = field(default_factory=list)
    """What a verify found different: the backup is not to be relied on."""
    problem: Problem | None = None
    """Why the job could not run or failed, and what to do."""
    restarted: bool = False
    """A restore started the server again: the dashboard watches it come up."""

    @property
    def ok(self) -> bool:
        return self.problem is None and not self.problems


class RestorePlanned(Message):
    """What a restore of ``entry`` will do (``steps``), whether the server is deployed (then it is stopped and
    started again), or ``problem``: why the restore cannot be planned."""

    def __init__(self, entry: Entry, steps: list[str], deployed: bool, problem: Problem | None = None) -> None:
        super().__init__()
        self.entry = entry
        self.steps = steps
        self.deployed = deployed
        self.problem = problem


class BackupJobEnded(Message):
    def __init__(self, end: JobEnd) -> None:
        super().__init__()
        self.end = end


def list_backups(config: Config, post: Post) -> None:
    """List the local directory and the bucket (a network call) as `wbtui backup list` does."""
    from ..ops.backup.job import embedded_message, list_all
    from ..ops.backup.manifest import now
    from ..ops.backup.places import close, listed

    post = posting(post)
    embedded = "" if config.server.MYSQL.strip() else embedded_message(config)
    places, errors = listed(config)
    try:
        entries, unread = list_all(places)
    except Exception as exc:  # a client failure list_all does not classify: said, not raised
        entries, unread = [], [f"cannot list the backups: {exc}; run wbtui backup list to see more"]
    finally:
        close(places)
    post(BackupsListed(entries, errors + unread, [p.location for p in places], embedded, now()))


def back_up(config: Config, prune: bool, post: Post) -> None:
    """`wbtui backup` with the config's defaults; ``prune`` False (read-only mode) removes nothing."""
    from ..ops.backup.destinations import DestinationError
    from ..ops.backup.job import BackupFailed, NotCovered, run_backup
    from ..ops.backup.places import close, keep, targets

    end = JobEnd("backup")

    def say(line: str) -> None:
        post(BackupProgress("backup", line))

    try:
        places = targets(config)
    except DestinationError as exc:
        post(BackupJobEnded(JobEnd("backup", problem=Problem(str(exc), "set BUCKET, or backup.to_bucket = false"))))
        return
    try:
        report = run_backup(config, places, keep=keep(config) if prune else None, timeout=config.app.timeout,
                            say=say)
    except NotCovered as exc:
        end.problem = Problem(str(exc), "", "not-covered")
    except (BackupFailed, ValueError) as exc:  # ValueError: backup.keep is not a retention
        end.problem = Problem(str(exc), "" if isinstance(exc, BackupFailed) else "wbtui config set backup.keep 7d")
    except Exception as exc:  # unexpected: the job ends either way, and says how
        end.problem = Problem(f"the backup failed: {exc}", "run wbtui backup in a shell to see more")
    else:
        m = report.manifest
        end.backup_id = m.id
        end.outcome = [f"{m.id}: {len(m.tables)} tables, {sum(t.rows for t in m.tables):,} rows, {m.compression} in "
                       f"{max(m.seconds, 0.1):.1f}s", *[f"stored: {where}" for where in report.stored],
                       *[f"note: {note}" for note in report.notes],
                       *[f"removed (older than backup.keep): {gone}" for gone in report.pruned],
                       "next: v verifies it (restores it into a scratch database)"]
        if not prune:
            end.outcome.append("read-only mode: no old backup was removed")
    finally:
        close(places)
    post(BackupJobEnded(end))


def back_up_volume(core: Core, config: Config, prune: bool, post: Post) -> None:
    """`wbtui backup` of the embedded stores (Docker): stop the server, archive /vol, start it again, prune."""
    from ..ops.backup.places import keep, local
    from ..ops.backup.volume import run_volume_backup
    from ..runtime.docker.backend import DockerRuntime

    end = JobEnd("backup")

    def say(line: str) -> None:
        post(BackupProgress("backup", line))

    try:
        runtime = core.runtime()
        if not isinstance(runtime, DockerRuntime):
            raise TypeError("a /vol archive needs the Docker backend")
        manifest, pruned = run_volume_backup(config, runtime, local(config), keep=keep(config) if prune else None,
                                             say=say)
    except Exception as exc:  # VolumeBackupFailed, RuntimeProblem: the message says in what state and what to do
        end.problem = Problem(f"the /vol backup failed: {exc}",
                              "see 4 Runtime: the server is started again if it was running")
    else:
        end.backup_id = manifest.id
        end.outcome = [f"{manifest.id}: /vol of {config.runtime.container_name}, {manifest.size:,} bytes "
                       f"({manifest.compression}) in {max(manifest.seconds, 0.1):.1f}s",
                       *[f"removed (older than backup.keep): local: {gone}" for gone in pruned],
                       "next: v verifies it (reads the archive to the end)"]
        end.restarted = True
    post(BackupJobEnded(end))


def find(config: Config, backup_id: str, where: str, timeout: float) -> tuple[Entry, Local | Bucket]:
    """The backup ``backup_id`` in its place (``where``: local or bucket), read again now; LookupError when gone."""
    from ..ops.backup.destinations import DestinationError
    from ..ops.backup.places import bucket, local

    place: Local | Bucket
    try:
        place = local(config) if where == "local" else bucket(config, timeout)
        found = next((e for e in place.entries() if e.id == backup_id), None)
    except DestinationError as exc:
        raise LookupError(str(exc)) from None
    if found is None:
        raise LookupError(f"{backup_id} is no longer in {place.location} (removed meanwhile?); g lists again")
    return found, place


def verify_backup(config: Config, backup_id: str, where: str, admin_url: str, post: Post) -> None:
    """`wbtui backup verify ID` as the admin account (``admin_url`` "" for a /vol archive, checked as a file); the
    admin password is scrubbed from every text posted."""
    from ..config.masking import screen
    from ..config.urls import MysqlURL, URLError
    from ..ops.backup.places import UPLOAD_TIMEOUT, close
    from ..ops.backup.verify import VerifyError, verify

    end = JobEnd("verify", backup_id)
    try:
        admin = MysqlURL.parse(admin_url) if admin_url else None
    except URLError as exc:
        end.problem = Problem(f"the admin URL does not parse: {exc}",
                              "give it as mysql://root:PASSWORD@HOST:3306/mysql (v asks again)")
        post(BackupJobEnded(end))
        return
    redact = screen(config, extra=[admin.password] if admin is not None and admin.password else [])
    place: Local | Bucket | None = None
    try:
        entry, place = find(config, backup_id, where, UPLOAD_TIMEOUT)
        post(BackupProgress("verify", f"restoring {backup_id} into a scratch database on {admin.host}:"
                                      f"{admin.effective_port} as {admin.user} and comparing…" if admin is not None
                            else f"reading {backup_id}'s archive to the end…"))
        result = verify(entry, place, admin, timeout=config.app.timeout)
    except (LookupError, VerifyError) as exc:
        end.problem = Problem(redact(str(exc)))
    except Exception as exc:  # unexpected: the job ends either way, and says how (without the admin password)
        end.problem = Problem(redact(f"the verify failed: {exc}"), "run wbtui backup verify ID in a shell to see more")
    else:
        if result.ok and admin is None:
            end.outcome = [f"{backup_id}: a /vol archive whose size and sha256 match the manifest and whose tar "
                           f"reads to the end, in {result.seconds:.1f}s"]
        elif result.ok:
            end.outcome = [f"{backup_id}: {result.tables} tables, {result.rows:,} rows restored into "
                           f"{result.scratch} and matched the manifest (dropped again) in {result.seconds:.1f}s"]
        else:
            end.problems = [redact(p) for p in result.problems]
    finally:
        if place is not None:
            close([place])
    post(BackupJobEnded(end))


def _env_admin() -> MysqlURL | None:
    """WBTUI_MYSQL_ADMIN, as `wbtui restore` takes it: the account that loads the dump where MYSQL's may not."""
    import os

    from ..checks.mysql_connect import ADMIN_ENV
    from ..config.urls import MysqlURL, URLError

    text = os.environ.get(ADMIN_ENV, "")
    try:
        return MysqlURL.parse(text) if text else None
    except URLError:
        return None


def plan_restore(core: Core, config: Config, entry: Entry, post: Post) -> None:
    """Ask the runtime whether the server is deployed (a stop and a start are then part of it) and list the steps."""
    from ..ops.backup.restore import deployed, restore_steps

    post = posting(post)
    try:
        is_deployed = deployed(core.runtime())
    except Exception as exc:  # no daemon, no cluster: the restore would not know what it stops
        post(RestorePlanned(entry, [], False, Problem(f"cannot tell whether the server runs: {exc}; nothing was "
                                                      "changed", "start Docker (or reach the cluster), then r")))
        return
    post(RestorePlanned(entry, restore_steps(config, entry, safety_backup=True, is_deployed=is_deployed),
                        is_deployed))


def restore_backup(core: Core, config: Config, backup_id: str, is_deployed: bool, post: Post) -> None:
    """`wbtui restore ID` with a safety backup first; the startup watch is the dashboard's (``restarted``)."""
    from ..config.masking import screen
    from ..ops.backup.places import UPLOAD_TIMEOUT, close, listed
    from ..ops.backup.restore import RestoreFailed, run_restore

    admin = _env_admin()
    redact = screen(config, extra=[admin.password] if admin is not None and admin.password else [])
    end = JobEnd("restore", backup_id)

    def say(line: str) -> None:
        post(BackupProgress("restore", redact(line)))

    places, _ = listed(config, UPLOAD_TIMEOUT)
    try:
        report = run_restore(config, core.runtime() if is_deployed else None, backup_id, places, safety_backup=True,
                             say=say, timeout=config.app.timeout, admin=admin)
    except RestoreFailed as exc:
        end.problem = Problem(redact(str(exc)))
    except Exception as exc:  # the daemon went away meanwhile: the restore stopped there
        end.problem = Problem(redact(f"the restore stopped: {exc}"), "see 4 Runtime (the server's state) and g here")
    else:
        what = (f"{report.tables} tables, {report.rows:,} rows" if report.manifest.kind == "database"
                else f"/vol from {report.manifest.size:,} bytes")
        end.outcome = [f"restored {report.id} ({what}) in {report.duration:.1f}s",
                       *[f"done: {redact(step)}" for step in report.done]]
        if report.safety_backup:
            end.outcome.append(f"the data as it was before: backup {report.safety_backup} (r on it goes back)")
        end.restarted = is_deployed
    finally:
        close(places)
    post(BackupJobEnded(end))
