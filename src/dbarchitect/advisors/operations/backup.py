"""Backups and recovery: the schedule, the retention that keeps the point-in-time window, the
repository's size, and the restore time at the horizon's size against the RTO.

A restore copies the last full backup (and the differential/incremental ones after it) and replays
the log written since the last of them. Its time is modelled as ``fixed + bytes / throughput +
log / replay rate``: the fixed part (starting the tool and the server, checking the result)
dominates small databases, the copy large ones. The defaults — :data:`RESTORE_FIXED_S`,
:data:`RESTORE_BYTES_PER_S` (bounded by the disk's throughput) and :data:`REPLAY_BYTES_PER_S` —
are replaced by what ``dbarch drill`` measures (two scales: the second checks the projection).

The schedule: a full backup weekly, a differential daily, and incrementals as often as the RTO needs
so that replaying the log written since the last one fits in what the RTO leaves after the copy
(every 24, 12, 6, 4, 2 or 1 hours: the longest that fits). Without an availability goal: a weekly full
and a daily differential ("daily backups"). The repository keeps full backups for the PITR window
(``backup.retention``) with the log in between, compressed by :data:`COMPRESSION` (lz4 on row data;
the drill measures it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dbarchitect.brief import AvailabilitySpec, BackupSpec
from dbarchitect.engines.operations import BackupSchedule

RESTORE_FIXED_S = 10.0
RESTORE_BYTES_PER_S = 200e6
REPLAY_BYTES_PER_S = 60e6
COMPRESSION = 0.5
FULL_INTERVAL_DAYS = 7.0
#: A quiet server archives its log at least this often (seconds).
ARCHIVE_TIMEOUT_S = 60
_INCREMENT_HOURS = (24, 12, 6, 4, 2, 1)


def _copies_only(
    backup: BackupSpec, goals: AvailabilitySpec | None, data_bytes: float, restore: RestoreModel
) -> BackupPlan:
    """Backups of an engine whose log cannot be archived: whole copies, as often as the RPO asks (at
    most hourly, at least daily); a restore loses what was written since the last copy."""
    rpo_h = goals.rpo / 3600.0 if goals is not None else 24.0
    hours = max(h for h in _INCREMENT_HOURS if h <= max(1.0, min(24.0, rpo_h)))
    cron = (
        "30 1 * * *"
        if hours >= 24
        else f"0 {','.join(str(x) for x in range(0, 24, hours)) if hours > 1 else '*'} * * *"
    )
    unmet: list[str] = []
    if goals is not None and goals.rpo < hours * 3600:
        unmet.append(
            f"rpo {goals.rpo:g}s is shorter than the most frequent copy ({hours} h): the log cannot "
            "be archived"
        )
    restore_s = restore.seconds(data_bytes, 0.0)
    if goals is not None and restore_s > goals.rto:
        unmet.append(f"a restore takes {restore_s:,.0f}s, over the rto of {goals.rto:g}s")
    copies = math.ceil(backup.retention * 24 / hours)
    schedule = BackupSchedule(cron, None, None, copies, 0, backup.retention, False, 0.0)
    return BackupPlan(
        schedule,
        restore,
        restore_s,
        data_bytes,
        0.0,
        copies * data_bytes,
        hours * 3600.0,
        (
            f"a copy of the whole database every {hours} h (no log to archive), kept "
            f"{backup.retention:g} days",
        ),
        tuple(unmet),
    )


@dataclass(frozen=True)
class RestoreModel:
    fixed_s: float
    bytes_per_s: float
    replay_bytes_per_s: float
    source: str

    def seconds(self, data_bytes: float, log_bytes: float) -> float:
        return self.fixed_s + data_bytes / self.bytes_per_s + log_bytes / self.replay_bytes_per_s


@dataclass(frozen=True)
class BackupPlan:
    schedule: BackupSchedule
    restore: RestoreModel
    #: Restore time at the horizon's size (worst case: just before the next incremental).
    restore_s: float
    restore_bytes: float
    replay_bytes: float
    repository_bytes: float
    #: Most a restore from the repository alone can lose (the archive timeout; None without PITR).
    restore_loss_s: float | None
    reasons: tuple[str, ...]
    unmet: tuple[str, ...]


def default_restore_model(disk_throughput: float) -> RestoreModel:
    rate = min(RESTORE_BYTES_PER_S, disk_throughput * 0.8)
    return RestoreModel(
        RESTORE_FIXED_S,
        rate,
        REPLAY_BYTES_PER_S,
        f"default: {RESTORE_FIXED_S:g}s fixed, {rate / 1e6:.0f} MB/s copy (at most 80% of the disk's), "
        f"{REPLAY_BYTES_PER_S / 1e6:.0f} MB/s log replay; `dbarch drill` measures them",
    )


def plan_backup(
    backup: BackupSpec,
    goals: AvailabilitySpec | None,
    *,
    data_bytes_at_horizon: float,
    log_bytes_per_day: float,
    change_bytes_per_day: float,
    restore: RestoreModel,
    has_replicas: bool,
    archivable: bool = True,
) -> BackupPlan:
    reasons: list[str] = []
    unmet: list[str] = []
    if not archivable:
        return _copies_only(backup, goals, data_bytes_at_horizon, restore)
    copy_s = restore.fixed_s + data_bytes_at_horizon / restore.bytes_per_s
    log_per_hour = log_bytes_per_day / 24.0
    if goals is None:
        hours = 24
        reasons.append("no availability goal: a weekly full backup and a daily differential (daily backups)")
        incr = None
        diff = "30 1 * * 1-6"
    else:
        left = goals.rto - copy_s
        hours = _INCREMENT_HOURS[-1]
        for h in _INCREMENT_HOURS:
            if log_per_hour * h / restore.replay_bytes_per_s <= max(0.0, left):
                hours = h
                break
        diff = "30 1 * * 1-6"
        incr = (
            None
            if hours >= 24
            else f"15 {','.join(str(x) for x in range(0, 24, hours)) if hours > 1 else '*'} * * *"
        )
        if hours < 24:
            reasons.append(
                f"incremental backups every {hours} h: the log written since the last one "
                f"({log_per_hour * hours / 1e6:,.0f} MB) replays in "
                f"{log_per_hour * hours / restore.replay_bytes_per_s:,.0f}s, within what the rto "
                "leaves after "
                f"copying the backup ({max(0.0, left):,.0f}s)"
            )
        else:
            reasons.append(
                "a weekly full backup and a daily differential keep the log to replay within the rto"
            )
    replay = log_per_hour * hours
    restore_s = copy_s + replay / restore.replay_bytes_per_s
    if goals is not None and restore_s > goals.rto:
        over = (
            f"a restore at the horizon's size takes {restore_s:,.0f}s "
            f"({data_bytes_at_horizon / 1e9:,.1f} GB at "
            f"{restore.bytes_per_s / 1e6:,.0f} MB/s plus the log), over the rto of {goals.rto:g}s"
        )
        if has_replicas:
            reasons.append(
                over + ": a node failure is a failover, so this only bounds recovery from a disaster (data "
                "damaged on every node)"
            )
        else:
            unmet.append(over + ": with no replica a node failure is a restore")
    fulls = math.ceil(backup.retention / FULL_INTERVAL_DAYS) + 1
    diffs = 6 * change_bytes_per_day * 3.5  # six differentials a week, each the week's changes so far
    repository = (
        fulls * data_bytes_at_horizon + diffs + log_bytes_per_day * (backup.retention + FULL_INTERVAL_DAYS)
    ) * COMPRESSION
    reasons.append(
        f"full backups kept for {backup.retention:g} days ({fulls} at a time)"
        + (" with the log in between: any point in that window can be restored" if backup.pitr else "")
    )
    schedule = BackupSchedule(
        full_cron="30 1 * * 0",
        diff_cron=diff,
        incr_cron=incr,
        full_retention=fulls,
        archive_timeout_s=ARCHIVE_TIMEOUT_S,
        pitr_days=backup.retention,
        pitr=backup.pitr,
        log_retention_days=backup.retention + FULL_INTERVAL_DAYS,
    )
    return BackupPlan(
        schedule,
        restore,
        restore_s,
        data_bytes_at_horizon,
        replay,
        repository,
        float(ARCHIVE_TIMEOUT_S) if backup.pitr else None,
        tuple(reasons),
        tuple(unmet),
    )
