"""What a drill measured, beside the goal and the estimate (the typed result of ``dbarch drill``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DrillOptions:
    """How to run a drill: data ``scale``, primary ``kills``, the write ``rate`` cap (commits per
    second), seconds of writes for the log measurement, and the HA agent's TTL (None: the design's
    from the RTO; a test tunes it down)."""

    scale: float = 0.001
    kills: int = 5
    #: Kills after switching a synchronous cluster to asynchronous replication (its loss is reported).
    async_kills: int = 0
    rate: float = 100.0
    log_seconds: float = 8.0
    ttl: int | None = None
    replay_repetitions: int = 3
    seed: int = 0
    #: Measure the restore at twice the scale too (to check the projection).
    second_scale: bool = True
    #: Parts of the drill to run (a test may leave some out to stay short).
    backups: bool = True
    measure_log: bool = True
    replay: bool = True


@dataclass(frozen=True)
class KillResult:
    """One primary killed (SIGKILL of its agent, server and pooler) while the writer ran."""

    number: int
    killed: str
    new_primary: str
    #: Seconds from the kill to the first commit acknowledged after it.
    failover_s: float | None
    acked_before: int
    #: Acknowledged commits the new primary does not have.
    lost: int
    lost_ids: tuple[int, ...]
    errors: int
    #: The replication the cluster ran when the primary was killed.
    replication: str = ""


@dataclass(frozen=True)
class RestoreResult:
    """One backup restored to a new instance and brought up."""

    label: str
    database_bytes: float
    backup_seconds: float
    restore_seconds: float
    repository_bytes: float
    #: Point-in-time target, and whether every table's checksum matched the source at that point.
    target: str | None = None
    tables_checked: int = 0
    mismatched: tuple[str, ...] = ()
    #: Seconds of the restore spent copying the backup into place (the part that grows with the
    #: data); the rest is starting the server and replaying the log.
    copy_seconds: float = 0.0
    #: Seconds of the restore spent replaying the log up to the target when the drill times it
    #: apart (MariaDB's binlog through ``mariadb-binlog``; PostgreSQL replays inside the start): it
    #: grows with the writes since the backup, not with the data.
    replay_seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return self.database_bytes / self.restore_seconds if self.restore_seconds > 0 else 0.0


@dataclass(frozen=True)
class LogResult:
    """The change log written by the write mix, measured and estimated, and the replica lag."""

    seconds: float
    executions: dict[str, int]
    measured_bytes: float
    estimated_bytes: float
    replica_lag_max_s: float | None
    replica_lag_max_bytes: float | None
    estimated_lag_s: float
    #: The smallest lag the engine reports (MariaDB's Seconds_Behind_Master counts whole seconds).
    lag_resolution_s: float = 0.0

    @property
    def ratio(self) -> float | None:
        return self.measured_bytes / self.estimated_bytes if self.estimated_bytes > 0 else None


@dataclass(frozen=True)
class TempResult:
    """The read workload replayed at concurrency through the pool: temporary-file bytes with the
    generated sort memory and with the engine's default, and the pool's wait."""

    setting: str
    generated: str
    default: str
    executions: int
    temp_bytes_generated: float
    temp_bytes_default: float
    pool_wait_ms: float | None
    concurrency: int
    spilling_default: tuple[str, ...] = ()
    spilling_generated: tuple[str, ...] = ()
    #: What ``temp_*`` count: bytes written to temporary files (PostgreSQL), or MariaDB's disk
    #: temporary tables and sort merge passes.
    unit: str = "bytes"
    #: How ``pool_wait_ms`` was measured.
    pool_wait_how: str = "per transaction, PgBouncer's SHOW STATS"


@dataclass
class RunOutput:
    """What an engine's drill runner measured (the parts of :class:`DrillResult` it fills)."""

    kills: list[KillResult] = field(default_factory=list)
    restores: list[RestoreResult] = field(default_factory=list)
    log: LogResult | None = None
    temp: TempResult | None = None
    validated: list[str] = field(default_factory=list)
    #: The HA timing the drill ran with: (ttl, loop_wait) or the scripted failover's
    #: (checks x interval, 0).
    ttl: int = 0
    loop_wait: int = 0
    notes: list[str] = field(default_factory=list)
    #: The design's expected worst failover with the drill's timing, and that timing in words.
    estimated_failover_s: float = 0.0
    timing: str = ""


@dataclass(frozen=True)
class DrillResult:
    """A drill of the brief's generated topology (``dbarch drill``).

    Attributes:
        brief: The brief's name.
        engine: The engine drilled (``PostgreSQL 15``).
        scale: Fraction of the brief's rows loaded.
        replication: ``synchronous (strict)``, ``synchronous`` or ``asynchronous``.
        rpo_s: The brief's RPO (None: no availability goal).
        rto_s: The brief's RTO.
        estimated_failover_s: The design's expected worst failover with the drill's HA timing.
        ttl: The leader key's TTL the drill ran with (seconds; 0 for a scripted failover).
        timing: The failover timing the drill ran with, in words.
        kills: Each primary killed: failover time, acknowledged commits before it, those lost.
        restores: Each backup restored: sizes, times, the point-in-time target and checksums.
        projected_2x_s: Restore time at twice the scale, projected from the 1x restore (its copy grown
            with the bytes, its start and log replay kept).
        projected_full_s: Restore time projected at the brief's full size at the horizon.
        full_bytes: The brief's data and indexes at the horizon (bytes).
        log: The WAL/binlog volume measured and estimated, and the replica lag.
        temp: Temporary-file bytes of the replayed reads with the generated and default settings.
        validated: What the real tools accepted (config validation, servers started on the files).
        seconds: How long the drill took.
        notes: What was capped or left out, and why.
    """

    brief: str
    engine: str
    scale: float
    replication: str
    rpo_s: float | None
    rto_s: float | None
    estimated_failover_s: float
    ttl: int
    timing: str
    kills: tuple[KillResult, ...]
    restores: tuple[RestoreResult, ...]
    projected_2x_s: float | None
    projected_full_s: float | None
    full_bytes: float
    log: LogResult | None
    temp: TempResult | None
    validated: tuple[str, ...]
    seconds: float
    notes: tuple[str, ...] = field(default=())

    @property
    def lost_commits(self) -> int:
        """Acknowledged commits lost under the design's own replication."""
        return sum(k.lost for k in self.kills if not k.replication or k.replication == self.replication)

    @property
    def worst_failover_s(self) -> float | None:
        times = [k.failover_s for k in self.kills if k.failover_s is not None]
        return max(times) if times else None

    @property
    def measured_2x_s(self) -> float | None:
        two = next((r for r in self.restores if r.label == "2x"), None)
        return two.restore_seconds if two else None

    @property
    def projection_error(self) -> float | None:
        measured = self.measured_2x_s
        if measured is None or self.projected_2x_s is None or measured <= 0:
            return None
        return abs(self.projected_2x_s - measured) / measured
