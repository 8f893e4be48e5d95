"""Upgrades that can be undone: back up, remember, deploy, watch; and the rollback that undoes one.

Both faces run these: `wbtui upgrade TAG` / `wbtui rollback` and the Runtime pane's upgrade and roll back.
The steps they show before asking come from ``upgrade_steps`` and ``rollback_plan``; the work is
``run_upgrade`` and ``run_rollback``. The record (``upgrade_record``) is written before the deploy, so even
a wbtui killed mid-upgrade leaves the previous tag and the backup id behind.

Whether the new version started is the startup watch's answer; an interrupted migration is what the
diagnosis engine found in the start-up log the watch saw (its ``migration-*`` rules), no second reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config.model import Config
from ..present.durations import duration
from . import upgrade_record
from .lifecycle import action_steps, run_action, save_tag
from .upgrade_record import Outcome, UpgradeRecord

if TYPE_CHECKING:
    from ..config.urls import MysqlURL
    from ..health.watch import WatchResult
    from ..runtime.base import ProgressCallback, Runtime

Say = Callable[[str], None]
Watcher = Callable[["Runtime", Config], "WatchResult"]
"""Runs the startup watch (each face shows its progress its own way) and returns its result."""

INTERRUPTED_MIGRATION_RULES = frozenset({"migration-dirty", "migration-connection-lost"})
"""Diagnosis rules meaning a schema migration stopped half-way: the data needs the pre-upgrade backup."""
NO_BACKUP = "--no-backup"
EMBEDDED = "MYSQL is empty: the embedded database in /vol is not covered by wbtui backup"
TAG_BY_HAND = "to change the tag by hand: wbtui config set runtime.tag TAG, then wbtui up"


class UpgradeFailed(Exception):
    """An upgrade or rollback stopped; ``fix`` says what to do (the dashboard shows it as the fix)."""

    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(f"{message} ({fix})" if fix else message)
        self.message, self.fix = message, fix


class NothingToRollBack(UpgradeFailed):
    """No upgrade of this config is recorded, or the last one was rolled back already."""


def backup_covered(config: Config) -> bool:
    """Whether wbtui backup can dump this config's database (an external MYSQL)."""
    return bool(config.server.MYSQL.strip())


def _database(config: Config) -> str:
    from ..config.urls import MysqlURL, URLError

    try:
        url = MysqlURL.parse(config.server.MYSQL)
    except URLError:
        return "MYSQL's database"
    return f"{url.database} on {url.host}:{url.effective_port}"


def _backup_dir() -> Path:
    from .backup.destinations import default_dir

    return default_dir()


def _watch_step(watch_timeout: float | None, then: str = "") -> str:
    if watch_timeout is None:
        return "do not watch start-up (check it with wbtui status and wbtui probe)"
    return f"watch start-up until /ready answers (up to {duration(watch_timeout)}){then}"


def upgrade_steps(config: Config, tag: str, *, skip_reason: str | None, watch_timeout: float | None) -> list[str]:
    """What an upgrade will do, for the confirmation both faces show. ``skip_reason``: no backup, and why."""
    if skip_reason is None:
        first = (f"back up the database {_database(config)} to {_backup_dir()} (as wbtui backup does); "
                 "if the backup fails, nothing is changed")
    else:
        first = (f"NO database backup ({skip_reason}): recorded; a rollback can then bring back the previous "
                 "tag, not the data")
    kept = "the previous tag " + config.runtime.tag + (" and the backup's id" if skip_reason is None else "")
    return [first, f"record {kept} in {upgrade_record.default_path()}",
            *action_steps(config, "upgrade", tag), f"save runtime.tag = {tag} in the config",
            _watch_step(watch_timeout, "; if it fails, offer wbtui rollback")]


@dataclass
class UpgradeResult:
    record: UpgradeRecord
    image: str
    watch: WatchResult | None

    @property
    def failed(self) -> bool:
        return self.record.outcome in (Outcome.NOT_READY, Outcome.INTERRUPTED_MIGRATION)

    def failure(self) -> str:
        """What went wrong, plainly, with the way back; empty when nothing did."""
        r = self.record
        if r.outcome == Outcome.INTERRUPTED_MIGRATION:
            what = (f"the upgrade to {r.image}:{r.to_tag} failed: its database migration was interrupted and left "
                    "the schema half-applied (dirty); the server cannot start on it")
        elif r.outcome == Outcome.NOT_READY:
            what = f"the upgrade to {r.image}:{r.to_tag} failed: the new version did not become ready"
        else:
            return ""
        back = (f"wbtui rollback deploys {r.from_tag} again and restores the backup {r.backup_id} taken before"
                if not r.backup_skipped else
                f"wbtui rollback deploys {r.from_tag} again; the data cannot be restored (no backup: {r.skip_reason})")
        return f"{what}. To undo it: {back}."


def judge(result: WatchResult) -> str:
    """The record's outcome for a watch's result."""
    if result.ready:
        return Outcome.READY
    if any(d.rule in INTERRUPTED_MIGRATION_RULES for d in result.diagnosis):
        return Outcome.INTERRUPTED_MIGRATION
    return Outcome.NOT_READY


def _back_up(config: Config, timeout: float, say: Say) -> tuple[str, Path]:
    from .backup.destinations import Local
    from .backup.job import BackupFailed, NotCovered, run_backup

    directory = _backup_dir()
    dest = Local(directory)
    try:
        report = run_backup(config, [dest], keep=None, timeout=timeout, say=say)
    except NotCovered as exc:
        raise UpgradeFailed(f"no backup was taken, nothing was changed: {exc}",
                            "upgrade without a backup only on purpose: wbtui upgrade TAG --no-backup") from None
    except BackupFailed as exc:
        raise UpgradeFailed(f"the backup before the upgrade failed, nothing was changed: {exc}",
                            "fix the backup (wbtui backup shows the same), then upgrade again") from None
    return report.id, directory


def run_upgrade(config: Config, config_path: Path, runtime: Runtime, tag: str, *, skip_reason: str | None,
                watch: Watcher | None, timeout: float, say: Say = lambda _: None,
                progress: ProgressCallback | None = None, record_path: Path | None = None) -> UpgradeResult:
    """Back up (unless ``skip_reason``), record, deploy ``tag``, save it, watch; the record says how it went.

    ``timeout``: the backup's connect timeout. Raises UpgradeFailed when the backup fails (nothing changed);
    a failed deploy is recorded and its error raised as it came.
    """
    record = UpgradeRecord(time=upgrade_record.now(), config=upgrade_record.config_key(config_path),
                           image=config.runtime.image, from_tag=config.runtime.tag, to_tag=tag,
                           backup_skipped=skip_reason is not None, skip_reason=skip_reason or "")
    if skip_reason is None:
        say(f"backing up the database {_database(config)} before the upgrade")
        record.backup_id, directory = _back_up(config, timeout, say)
        record.backup_dir = str(directory)
        say(f"backup {record.backup_id} is in {directory}")
    else:
        say(f"no backup before the upgrade ({skip_reason})")
    where = upgrade_record.save(record, record_path)
    say(f"recorded the upgrade {record.from_tag} -> {tag} in {where}")
    try:
        image = run_action(runtime, "upgrade", tag, progress=progress)
    except BaseException as exc:
        record.outcome, record.detail = Outcome.DEPLOY_FAILED, str(exc)
        upgrade_record.save(record, record_path)
        raise
    save_tag(config_path, tag)
    say(f"now running {image}; runtime.tag saved as {tag}")
    if watch is None:
        record.outcome = Outcome.NOT_WATCHED
        upgrade_record.save(record, record_path)
        return UpgradeResult(record, image, None)
    try:
        result = watch(runtime, config)
    except BaseException:
        record.outcome, record.detail = Outcome.NOT_WATCHED, "the startup watch was interrupted"
        upgrade_record.save(record, record_path)
        raise
    record.outcome, record.detail = judge(result), result.message
    upgrade_record.save(record, record_path)
    return UpgradeResult(record, image, result)


# ---- rollback -------------------------------------------------------------------------------------------------

@dataclass
class RollbackPlan:
    record: UpgradeRecord
    steps: list[str]
    question: str

    @property
    def data(self) -> bool:
        """Whether the database is restored too (the upgrade took a backup)."""
        return not self.record.backup_skipped and bool(self.record.backup_id)


def rollback_plan(config: Config, config_path: Path, *, watch_timeout: float | None,
                  record_path: Path | None = None) -> RollbackPlan:
    """The last upgrade of this config and what undoing it will do; NothingToRollBack when there is none."""
    record = upgrade_record.last(config_path, record_path)
    where = record_path or upgrade_record.default_path()
    if record is None:
        raise NothingToRollBack(f"nothing to roll back: {where} records no upgrade made with the config "
                                f"{upgrade_record.config_key(config_path)}", TAG_BY_HAND)
    if record.rolled_back:
        raise NothingToRollBack(f"nothing to roll back: the last upgrade ({record.from_tag} -> {record.to_tag}, "
                                f"{record.when}) was rolled back already ({record.rolled_back})", TAG_BY_HAND)
    r = config.runtime
    target = (f"container {r.container_name}" if r.backend == "docker" else
              f"Deployment {config.kubernetes.name} in namespace {config.kubernetes.namespace}")
    previous = f"{record.image}:{record.from_tag}"
    steps: list[str] = []
    if record.backup_skipped or not record.backup_id:
        steps.append(f"the data CANNOT be rolled back: the upgrade of {record.when} took no backup "
                     f"({record.skip_reason or 'none recorded'}); the database stays as {record.to_tag} left it, and "
                     f"{record.from_tag} may refuse a schema a newer version migrated")
        question = f"Deploy {previous} again, without restoring the data?"
    else:
        steps += [f"check the backup {record.backup_id} (size, sha256, the whole dump) before anything is touched",
                  f"stop the server ({target})",
                  f"restore the pre-upgrade backup {record.backup_id} of {record.when} into the database "
                  f"{_database(config)}: its tables are replaced, changes made since then are lost"]
        question = f"Roll back to {previous} and the database as it was at {record.when}?"
    if r.tag != record.to_tag:
        steps.append(f"note: the config's runtime.tag is {r.tag} now, not {record.to_tag} as the upgrade left it")
    scale = (f", scaled back to {config.kubernetes.replicas} replica(s)"
             if r.backend == "kubernetes" and not record.backup_skipped and record.backup_id else "")
    steps += [f"deploy the previous tag: {target} from {previous}{scale}",
              f"save runtime.tag = {record.from_tag} in the config", _watch_step(watch_timeout)]
    return RollbackPlan(record, steps, question)


@dataclass
class RollbackResult:
    record: UpgradeRecord
    image: str
    watch: WatchResult | None

    @property
    def ready(self) -> bool:
        return self.watch is not None and self.watch.ready


def run_rollback(config: Config, config_path: Path, runtime: Runtime, plan: RollbackPlan, *,
                 watch: Watcher | None, timeout: float, say: Say = lambda _: None,
                 progress: ProgressCallback | None = None, admin: MysqlURL | None = None,
                 record_path: Path | None = None) -> RollbackResult:
    """Check the backup, stop the server, restore it (when there is one), deploy the previous tag, save it, mark
    the record rolled back, watch. ``admin``: restore as that account (a dump with triggers on a binlog server
    needs SUPER). Raises UpgradeFailed when the restore fails, saying whether anything was changed."""
    record = plan.record
    if plan.data:
        _restore(config, record, timeout, say, admin, before=lambda: _stop(runtime, say, progress))
    image = run_action(runtime, "upgrade", record.from_tag, progress=progress)
    if plan.data and config.runtime.backend == "kubernetes":  # a Deployment scaled to 0 stays there on a new image
        say(run_action(runtime, "start", progress=progress))
    save_tag(config_path, record.from_tag)
    say(f"now running {image}; runtime.tag saved as {record.from_tag}")
    record.rolled_back, record.outcome = upgrade_record.now(), Outcome.ROLLED_BACK
    record.rollback_detail = "tag and data" if plan.data else "tag only, the data was not restored"
    upgrade_record.save(record, record_path)
    if watch is None:
        return RollbackResult(record, image, None)
    result = watch(runtime, config)
    record.rollback_detail += f"; {result.message}" if result.ready else f"; not ready: {result.message}"
    upgrade_record.save(record, record_path)
    return RollbackResult(record, image, result)


def _stop(runtime: Runtime, say: Say, progress: ProgressCallback | None) -> None:
    """Nothing may write to the database while it is replaced; one not deployed (a failed deploy) writes nothing."""
    from ..runtime.base import NotDeployed

    try:
        say(run_action(runtime, "stop", progress=progress))
    except NotDeployed:
        say("the server is not deployed: nothing to stop")


def _restore(config: Config, record: UpgradeRecord, timeout: float, say: Say, admin: MysqlURL | None,
             before: Callable[[], None]) -> None:
    from .backup.destinations import Local
    from .backup.restore import RestoreFailed, restore_database

    assert record.backup_id is not None and record.backup_dir is not None
    stopped: list[bool] = []

    def stop() -> None:
        before()
        stopped.append(True)

    say(f"checking {record.backup_id} in {record.backup_dir}, then restoring it")
    try:
        restore_database(config, record.backup_id, [Local(Path(record.backup_dir))], timeout=timeout, say=say,
                         admin=admin, before=stop)
    except RestoreFailed as exc:
        if exc.touched:
            state = "the database was changed half-way and the server is stopped"
        elif stopped:
            state = "the database is unchanged and the server is stopped"
        else:
            state = "nothing was changed"
        raise UpgradeFailed(f"restoring {record.backup_id} failed: {exc}; {state} (still on {record.to_tag})",
                            "fix the cause and run wbtui rollback again (nothing was marked rolled back)") from None
