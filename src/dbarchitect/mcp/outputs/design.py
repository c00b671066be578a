"""The ``design`` tool's structured result."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dbarchitect.mcp.outputs.base import OutModel, redacted
from dbarchitect.mcp.outputs.indexes import IndexAdviceResult
from dbarchitect.mcp.outputs.inspection import InspectionResult, PartitioningInfo
from dbarchitect.mcp.outputs.levers import LeversInfo
from dbarchitect.mcp.outputs.migration import MigrationPlanResult
from dbarchitect.mcp.outputs.operations import OperationsInfo
from dbarchitect.mcp.outputs.verdict import VerdictResult
from dbarchitect.report.document import design_document
from dbarchitect.results import Design

# ---------------------------------------------------------------------------------------------
# design


class RenderNote(OutModel):
    table: str
    feature: str
    message: str
    error: bool = Field(
        default=False,
        description="the DDL fails on this engine or means something else (a name it cannot keep)",
    )


class EngineSchema(OutModel):
    engine: str
    target: bool
    file: str | None = Field(default=None, description="the file the DDL was written to (dbarch design -o)")
    sql: str = Field(description="the schema's DDL for this engine, indexes included")
    notes: list[RenderNote] = Field(description="what this engine cannot express, and what was rendered")


class StatementCheck(OutModel):
    statement: str
    ok: bool
    detail: list[str] = Field(description="SQLite's query plan when ok, else its error")
    sql: str


class EmbeddedCheck(OutModel):
    engine: str
    sqlite_version: str
    schema_ok: bool
    schema_error: str | None
    statements: list[StatementCheck]


class StatementLatency(OutModel):
    statement: str
    kind: str
    rate_per_second: float
    slo_p95_ms: float | None
    slo_p99_ms: float | None
    estimated_ms: float | None = Field(
        description="estimated p95: the plan's cost after the design's indexes and the writes it makes, "
        "through the target engine's latency model"
    )
    estimated_ms_before: float | None
    over_slo: bool | None
    cost_before: float | None
    cost_after: float | None
    plan_before: str | None
    plan: str | None
    advised_indexes: list[str] = Field(description="advised indexes the statement's new plan uses")
    existing_indexes: list[str] = Field(description="existing indexes its access paths use elsewhere")
    error: str | None


class Latency(OutModel):
    source: str | None
    ms_per_cost_unit: float
    calibrated_on: str = Field(description="where the target engine's latency model comes from")
    statements: list[StatementLatency]


class PartitionLayout(OutModel):
    method: str = Field(description="range, list or hash")
    column: str
    count: int = Field(description="partitions made")
    unit: str | None = Field(description="a RANGE's interval (day, week, month...)")
    start: str | None
    end: str | None
    ahead: int = Field(description="intervals made ahead of the newest row")
    catch_all: bool = Field(description="a DEFAULT/MAXVALUE partition catches what no bound takes")
    values: list[str] = Field(description="a LIST's values")


class StatementPruning(OutModel):
    statement: str
    rate: float = Field(description="executions per second")
    partitions: float = Field(description="partitions the statement reads (the model's)")
    within_two: float = Field(description="share of its executions that read at most 2 partitions")
    reason: str


class WorkloadPruning(StatementPruning):
    touches_partitioned: bool


class ConstraintChange(OutModel):
    table: str
    kind: str
    before: str
    after: str | None
    consequence: str = Field(description="what the engine's rule costs the design's integrity")


class PartitionCandidate(OutModel):
    key: str
    layout: PartitionLayout
    rows_per_partition: float
    bytes_per_partition: float
    pruning_share: float = Field(
        description="rate-weighted share of the statements reading at most 2 partitions"
    )
    statements: list[StatementPruning]
    constraint_changes: list[ConstraintChange]
    infeasible: str | None
    drops_expired: bool = Field(description="retention is kept by dropping partitions instead of DELETE")
    blocker: str | None


class CandidateSummary(OutModel):
    key: str
    pruning_share: float
    partitions: int
    rows_per_partition: float
    infeasible: str | None
    blocker: str | None


class PartitionMaintenance(OutModel):
    unit: str
    ahead: int
    retention_days: float | None
    setup_sql: list[str]
    run_sql: list[str]
    schedule: str
    partman_sql: list[str]
    notes: list[str]


class PartitionDecision(OutModel):
    table: str
    verdict: Literal["partition", "keep", "no"] = Field(
        description="partition as advised, keep the partitioning it has, or no"
    )
    rejection: str | None
    reasons: list[str]
    rows_now: float
    rows_at_horizon: float
    bytes_at_horizon: float
    growth_rows_per_day: float | None
    retention_days: float | None
    current: PartitioningInfo | None
    chosen: PartitionCandidate | None
    candidates: list[CandidateSummary]
    partitioning: PartitioningInfo | None
    maintenance: PartitionMaintenance | None


class PruningTotals(OutModel):
    weighted_within_two: float = Field(
        description="rate-weighted share of the workload reading at most 2 partitions"
    )
    partitioned_within_two: float | None
    total_rate_per_second: float


class BindingInfo(OutModel):
    name: str
    value: str | None
    source: str
    column: str | None


class BoundStatementInfo(OutModel):
    name: str
    rate: float
    sql: str = Field(description="the statement with the values the model and the EXPLAIN used")
    bindings: list[BindingInfo]
    error: str | None
    source_sql: str = Field(default="", description="the statement as written, with its parameters")


class MeasuredPruning(OutModel):
    statement: str
    rate: float
    listed: int | None = Field(description="partitions the plan lists")
    partitions: float = Field(description="partitions read")
    within_two: float
    touches_partitioned: bool
    how: str
    sql: str
    plan: list[str]
    error: str | None
    generic_listed: int | None = Field(
        default=None, description="PostgreSQL, prepared: partitions the generic plan still lists"
    )
    subplans_removed: int | None = Field(
        default=None, description="PostgreSQL, prepared: partitions the generic plan prunes at executor start"
    )


class PruningMeasurementInfo(OutModel):
    engine: str
    database: str
    weighted_within_two: float
    partitioned_within_two: float | None
    statements: list[MeasuredPruning]
    notes: list[str]


class PartitioningAdvice(OutModel):
    """Per table whether partitioning pays, the key and layout chosen, and the workload's pruning."""

    engine: str
    anchor: str = Field(description="the instant the time ranges are counted from")
    source: str
    workload: PruningTotals
    decisions: list[PartitionDecision]
    statements: list[WorkloadPruning]
    bindings: list[BoundStatementInfo]
    measurements: list[PruningMeasurementInfo]
    migration: MigrationPlanResult | None
    notes: list[str]


class DesignResult(InspectionResult):
    """The design: the schema per engine (target first) with the advised indexes, proof on embedded
    SQLite, the index advice and the guardrail verdict, each statement's estimated latency against its
    SLO, beside the inspection."""

    schemas: list[EngineSchema]
    embedded_check: EmbeddedCheck | None
    indexes: IndexAdviceResult | None
    notes: list[str]
    verdict: VerdictResult | None
    latency: Latency | None = None
    migration: MigrationPlanResult | None = Field(
        default=None, description="the plan from a current schema to this design (when there is one)"
    )
    partitioning: PartitioningAdvice | None = Field(
        default=None,
        description="the partitioning advice the design carries (partitioned tables are in its schemas)",
    )
    levers: LeversInfo | None = Field(
        default=None,
        description="summary tables and query rewrites: proposed, rejected with reasons, chosen; every "
        "statement before and after; the bound when no lever meets an SLO",
    )
    operations: OperationsInfo | None = Field(
        default=None,
        description="the operations design: topology, backups, capacity, configuration files, runbooks",
    )


def design_result(design: Design) -> DesignResult:
    return DesignResult.model_validate(redacted(design_document(design)))
