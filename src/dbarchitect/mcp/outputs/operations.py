"""The operations section of the ``design`` tool's result (``doc["operations"]``)."""

from __future__ import annotations

from pydantic import Field

from dbarchitect.mcp.outputs.base import OutModel


class Tools(OutModel):
    ha: str
    backup: str
    pooler: str | None


class Goals(OutModel):
    uptime_percent: float
    rpo_s: float
    rto_s: float
    regions: int
    maintenance_window: str | None
    backup_retention_days: float
    pitr: bool


class Machine(OutModel):
    cores: int
    memory_bytes: float
    disk_type: str
    iops: float
    throughput_bytes_per_s: float
    disk_bytes: float
    sources: dict[str, str] = Field(
        description="where each figure comes from (the brief, an instance class, a default)"
    )


class ReplicationInfo(OutModel):
    mode: str = Field(description="synchronous, asynchronous or none")
    quorum: int
    strict: bool
    max_lag_on_failover_bytes: int


class Timing(OutModel):
    ttl: int
    loop_wait: int
    retry_timeout: int
    check_interval_s: float
    checks_to_fail: int


class FailureRates(OutModel):
    node_failures_per_year: float
    node_repair_hours: float
    region_outages_per_year: float
    region_outage_hours: float
    planned_restarts_per_year: float


class AvailabilityInfo(OutModel):
    percent: float = Field(description="availability on paper with the stated failure rates")
    downtime_hours_per_year: float
    failover_hours: float
    planned_hours: float
    region_hours: float
    quorum_hours: float
    rates: FailureRates


class ReadRoute(OutModel):
    statement: str
    target: str
    reason: str


class TopologyInfo(OutModel):
    nodes: int
    replicas: int
    read_replicas: int
    replication: ReplicationInfo
    failover: str
    detection_s: float
    promotion_s: float
    failover_s: float = Field(description="expected worst time until writes succeed again")
    timing: Timing
    availability: AvailabilityInfo
    read_routes: list[ReadRoute]
    regions: int
    region_commit_latency_ms: float
    reasons: list[str]


class RestoreModel(OutModel):
    fixed_s: float
    bytes_per_s: float
    replay_bytes_per_s: float
    source: str


class BackupInfo(OutModel):
    tool: str
    full: str
    differential: str | None
    incremental: str | None
    pitr: bool
    pitr_days: float
    archive_timeout_s: int
    restore_s: float = Field(description="restore time at the horizon's size")
    restore_bytes: float
    replay_bytes: float
    repository_bytes: float
    restore_loss_s: float | None
    restore_model: RestoreModel
    reasons: list[str]


class LogInfo(OutModel):
    name: str
    bytes_per_s: float
    bytes_per_day: float
    record_bytes_per_s: float
    commit_bytes_per_s: float
    page_image_bytes_per_s: float
    commits_per_s: float
    checkpoint_s: float


class ResourcePoint(OutModel):
    day: float
    needed: float


class ResourceInfo(OutModel):
    name: str
    unit: str
    capacity: float
    now: float
    at_horizon: float
    use_at_horizon: float
    runs_out_day: float | None
    detail: str
    points: list[ResourcePoint]


class FirstOut(OutModel):
    resource: str
    day: float


class CapacityInfo(OutModel):
    log: LogInfo
    working_set_bytes: float
    working_set_largest: str
    resources: list[ResourceInfo]
    first_out: FirstOut | None
    verdict: str
    notes: list[str]


class PoolInfo(OutModel):
    tool: str | None
    mode: str
    pool_size: int
    reserve: int
    max_client_conn: int
    busy_connections: float
    reason: str


class SettingInfo(OutModel):
    file: str
    name: str
    value: str
    reason: str


class TableSetting(OutModel):
    table: str
    threshold: int
    scale_factor: float
    reason: str


class SortNeed(OutModel):
    statement: str
    operation: str
    rows: float
    bytes: float


class FileInfo(OutModel):
    name: str
    content: str


class RunbookStep(OutModel):
    what: str
    command: str | None


class RunbookInfo(OutModel):
    title: str
    when: str
    steps: list[RunbookStep]


class OperationsInfo(OutModel):
    """Topology, backups, capacity, configuration files and runbooks of the design."""

    engine: str
    tools: Tools
    defaults: list[str] = Field(description="what the brief left out and the default taken")
    goals: Goals | None
    machine: Machine
    topology: TopologyInfo
    backup: BackupInfo
    capacity: CapacityInfo
    pool: PoolInfo
    settings: list[SettingInfo]
    table_settings: list[TableSetting]
    sort_needs: list[SortNeed]
    files: list[FileInfo]
    runbooks: list[RunbookInfo]
    unmet: list[str] = Field(description="goals the design cannot meet, with why")
    capacity_rows: list[list[str]] = Field(
        description="the capacity table: resource, now, at horizon, node, runs out"
    )
