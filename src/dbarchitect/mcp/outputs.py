"""The MCP tools' structured results: typed models of the documents the reports already produce
(``report/document.py``, ``report/indexes.py``, the migration, lint, verdict and verification JSON).

Each tool publishes its model's JSON Schema as its ``outputSchema``, and every result is validated
against it before it leaves the server. A key a document gains before its model here does is passed
through untyped (``extra="allow"``) rather than failing the call; the tests fail on it instead
(:func:`untyped_keys`), so the models keep up. Field order is declaration order, which follows the
documents, so output is stable.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from dbarchitect.advisors.indexes.advisor import IndexAdvice
from dbarchitect.advisors.migrations import MigrationPlan, plan_json
from dbarchitect.errors import redact
from dbarchitect.guardrails import LintResult, lint_json
from dbarchitect.guardrails.design.runner import DesignVerdict, verdict_json
from dbarchitect.report.document import design_document, inspection_document
from dbarchitect.report.indexes import index_advice_document
from dbarchitect.report.json import to_jsonable
from dbarchitect.results import Design, Inspection
from dbarchitect.verify.rehearse import Rehearsal
from dbarchitect.verify.replay import Verification, verification_json

Level = Literal["error", "warning"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


def untyped_keys(model: BaseModel, where: str = "") -> list[str]:
    """Paths of the keys inside ``model`` (recursively) that no field of its model types."""
    found = [f"{where}.{k}".lstrip(".") for k in (model.model_extra or {})]
    for name in type(model).model_fields:
        found += _untyped(getattr(model, name), f"{where}.{name}".lstrip("."))
    return found


def _untyped(value: Any, where: str) -> list[str]:
    if isinstance(value, BaseModel):
        return untyped_keys(value, where)
    if isinstance(value, list | tuple):
        return [k for i, v in enumerate(value) for k in _untyped(v, f"{where}[{i}]")]
    return []


def redacted(value: Any) -> Any:
    """Every string inside ``value`` with database passwords hidden (a last line of defence: the
    documents are built from redacted sources already)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# inspect_brief


class ToolInfo(_Out):
    name: str
    version: str


class BriefInfo(_Out):
    name: str
    file: str
    engine: str
    portable_to: list[str]
    horizon_days: float
    schema_source: str = Field(alias="schema", description="where the schema came from")


class ColumnStats(_Out):
    distinct: float | None
    null_fraction: float | None
    avg_width: float | None
    most_common: list[tuple[str, float]] = Field(description="(value, frequency) pairs")
    correlation: float | None
    minimum: str | None = Field(description="smallest value now, as literal text")
    maximum: str | None = Field(description="largest value now, as literal text")


class ColumnInfo(_Out):
    name: str
    type: str
    nullable: bool
    default: str | int | float | bool | None
    identity: bool
    stats: ColumnStats | None = None


class ForeignKeyInfo(_Out):
    columns: list[str]
    references: str
    ref_columns: list[str]
    on_delete: str


class IndexInfo(_Out):
    name: str
    keys: list[str]
    unique: bool
    where: str | None
    include: list[str]
    method: str | None


class PartitionInfo(_Out):
    name: str
    bounds: list[str]
    is_default: bool


class PartitioningInfo(_Out):
    method: str
    columns: list[str]
    partitions: list[PartitionInfo]
    count: int | None


class IndexSize(_Out):
    name: str
    entry_bytes: float
    bytes_now: float
    bytes_at_horizon: float


class TableSize(_Out):
    unsized: bool = Field(description="the brief gave no row count: sizes are zero")
    rows_now: float
    rows_at_horizon: float
    growth_rows_per_day: float | None
    retention_days: float | None
    row_bytes: float
    data_bytes_now: float
    data_bytes_at_horizon: float
    index_bytes_now: float
    index_bytes_at_horizon: float
    indexes: list[IndexSize]


class TableInfo(_Out):
    name: str
    columns: list[ColumnInfo]
    primary_key: list[str] | None
    unique: list[list[str]]
    foreign_keys: list[ForeignKeyInfo]
    checks: list[str]
    indexes: list[IndexInfo]
    partitioning: PartitioningInfo | None
    size: TableSize


class Storage(_Out):
    engine: str
    bytes_now: float
    bytes_at_horizon: float
    index_bytes_at_horizon: float
    storage_budget: float | None
    index_budget: float | None
    within_storage_budget: bool | None
    within_index_budget: bool | None


class WorkloadSummary(_Out):
    statements: int
    total_rate_per_second: float
    write_rate_per_second: float


class Slo(_Out):
    p95_ms: float | None
    p99_ms: float | None


class Join(_Out):
    left: str
    right: str
    kind: str


class PredicateInfo(_Out):
    column: str
    kind: str
    operator: str
    value: str | None = Field(description="the literal's text, '?' for a parameter, null for an expression")
    values: int | None = Field(default=None, description="entries of an IN list (absent for one value)")


class AccessPath(_Out):
    statement: str
    table: str
    kind: Literal["index", "full scan", "no filter"]
    index: str | None
    matched: list[str]
    filtered: list[str]
    selectivity: float | None
    selectivity_source: str
    rows_total: float | None
    rows_estimated: float | None
    order_served: bool
    reason: str


class TableAccess(_Out):
    table: str
    aliases: list[str]
    occurrences: int
    predicates: list[PredicateInfo]
    join_columns: list[str]
    group_by: list[str]
    order_by: list[str]
    columns_read: list[str]
    columns_written: list[str]
    write_target: bool
    access_path: AccessPath | None


class StatementInfo(_Out):
    name: str
    kind: str
    rate_per_second: float
    slo: Slo | None
    fingerprint: str
    limit: int | None
    parameters: list[str]
    joins: list[Join]
    tables: list[TableAccess]
    origin: str | None
    sql: str


class DesignDecision(_Out):
    subject: str
    kind: str
    choice: str
    reason: str


class NormalForm(_Out):
    table: str
    normal_form: str
    keys: list[list[str]]
    reason: str
    proposed_3nf: list[str] | None
    proposed_bcnf: list[str] | None
    bcnf_loses: list[str]


class SchemaDesign(_Out):
    decisions: list[DesignDecision]
    normalization: list[NormalForm]


class InspectionResult(_Out):
    """What the architect understood from a brief: tables with sizes now and at the horizon, and every
    statement's predicates, joins, ordering and access path."""

    tool: ToolInfo
    brief: BriefInfo
    tables: list[TableInfo]
    unsized_tables: list[str]
    storage: Storage
    workload: WorkloadSummary
    statements: list[StatementInfo]
    schema_design: SchemaDesign | None


def inspection_result(inspection: Inspection) -> InspectionResult:
    return InspectionResult.model_validate(redacted(inspection_document(inspection)))


# ---------------------------------------------------------------------------------------------
# recommend_indexes


class IndexBudget(_Out):
    index_storage_bytes: float | None
    write_amplification: float | None
    time_limit_s: float | None
    used_bytes: float


class WorkloadCost(_Out):
    before: float | None
    after: float | None
    relative: float | None
    unit: str


class SearchStats(_Out):
    candidates: int
    planner_calls: int
    cache_hits: int
    seconds: float | None


class StatementGain(_Out):
    statement: str
    cost_before: float | None
    cost_after: float | None


class RecommendedIndex(_Out):
    name: str
    table: str
    index: str
    ddl: str
    size_bytes: float | None
    size_at_horizon_bytes: float | None
    maintenance_cost_per_second: float | None
    helps: list[StatementGain]
    reasons: list[str]


class StatementCost(_Out):
    statement: str
    rate_per_second: float
    cost_before: float | None
    cost_after: float | None
    plan_before: str | None
    plan_after: str | None
    uses: list[str]
    error: str | None


class ExistingIndexFinding(_Out):
    index: str
    table: str
    kind: str
    reason: str
    bytes_saved: float
    drop_sql: str
    covered_by: str | None


class RejectedCandidate(_Out):
    index: str
    reason: str


class IndexAdviceResult(_Out):
    """Indexes for the workload within the budget, each with its size, the statements it helps (cost
    before and after) and its write cost; existing indexes proposed for removal; every rejection."""

    engine: str
    backend: str = Field(description="'builtin' (the cost model) or 'hypopg' (the real planner)")
    planner_settings: dict[str, str]
    algorithm: str
    optimal: bool
    stopped_early: bool
    budget: IndexBudget
    workload_cost: WorkloadCost
    search: SearchStats
    recommended: list[RecommendedIndex]
    statements: list[StatementCost]
    existing: list[ExistingIndexFinding]
    rejected: list[RejectedCandidate]
    notes: list[str]


def index_advice_result(advice: IndexAdvice) -> IndexAdviceResult:
    return IndexAdviceResult.model_validate(redacted(index_advice_document(advice)))


# ---------------------------------------------------------------------------------------------
# check_design


class DesignFinding(_Out):
    rule: str
    level: Level
    table: str | None
    column: str | None
    statement: str | None
    engine: str | None
    message: str
    hint: str | None


class VerdictResult(_Out):
    """The guardrail verdict of a design: findings errors first; ``passed`` when none is an error."""

    brief: str
    engine: str
    passed: bool
    errors: int
    warnings: int
    rules: list[str]
    notes: list[str]
    findings: list[DesignFinding]


def verdict_result(verdict: DesignVerdict) -> VerdictResult:
    return VerdictResult.model_validate(redacted(json.loads(verdict_json(verdict))))


# ---------------------------------------------------------------------------------------------
# plan_migration


class MigrationStep(_Out):
    description: str
    phase: str
    kind: str
    sql: list[str]
    session_sql: list[str]
    lock: str
    blocks_reads: bool
    blocks_writes: bool
    rewrites: bool
    scans: bool
    algorithm: str | None
    transactional: bool
    table: str | None
    estimated_seconds: float | None
    rollback_sql: list[str]
    check_sql: str | None
    on_failure_sql: list[str]
    repeat_until_no_rows: bool
    precheck_sql: str | None
    notes: list[str]


class RenameHint(_Out):
    kind: str
    table: str
    old: str
    new: str
    reason: str
    entry: str = Field(description="the renames entry that confirms it")


class MigrationPlanResult(_Out):
    engine: str
    operations: list[str]
    steps: list[MigrationStep]
    down: list[MigrationStep]
    rename_hints: list[RenameHint]
    data_loss: list[str]
    irreversible: list[str]
    notes: list[str]
    lock_timeout_advice: str
    reordered_tables: list[str]


class RehearsalStep(_Out):
    number: int
    description: str
    ok: bool
    seconds: float
    tries: int
    batches: int
    error: str | None
    started_at: float = Field(description="seconds since the rehearsal started")


class TableCheck(_Out):
    table: str
    rows_before: int
    rows_after: int | None
    changed_columns: list[str]
    missing_columns: list[str]
    ok: bool


class RehearsalResult(_Out):
    """The plan applied to an empty scratch database under concurrent single-row writes."""

    engine: str
    ok: bool
    steps: list[RehearsalStep]
    not_run: list[str]
    load_table: str | None
    load_note: str | None
    writes: int
    failed_writes: int
    max_write_stall_s: float | None
    max_write_stall_step: int | None = Field(description="the step running during the slowest write")
    data: list[TableCheck]
    total_seconds: float
    migration_seconds: float
    generated_rows: int
    notes: list[str]


class MigrationResult(_Out):
    """A safe, ordered, reversible plan (and, when asked, its rehearsal on a scratch database)."""

    plan: MigrationPlanResult
    rehearsal: RehearsalResult | None


def _rehearsal(r: Rehearsal) -> dict[str, Any]:
    worst = r.max_stall
    step = r.step_at(worst.started_at) if worst is not None else None
    return {
        "engine": r.engine,
        "ok": r.ok,
        "steps": to_jsonable(r.steps),
        "not_run": list(r.not_run),
        "load_table": r.load_table,
        "load_note": r.load_note,
        "writes": len(r.writes),
        "failed_writes": r.failed_writes,
        "max_write_stall_s": worst.seconds if worst is not None else None,
        "max_write_stall_step": step.number if step is not None else None,
        "data": [{**to_jsonable(t), "ok": t.ok} for t in r.data],
        "total_seconds": r.total_seconds,
        "migration_seconds": r.migration_seconds,
        "generated_rows": r.generated_rows,
        "notes": list(r.notes),
    }


def migration_result(plan: MigrationPlan, rehearsal: Rehearsal | None) -> MigrationResult:
    return MigrationResult.model_validate(
        redacted({"plan": plan_json(plan), "rehearsal": _rehearsal(rehearsal) if rehearsal else None})
    )


# ---------------------------------------------------------------------------------------------
# design


class RenderNote(_Out):
    table: str
    feature: str
    message: str


class EngineSchema(_Out):
    engine: str
    target: bool
    sql: str = Field(description="the schema's DDL for this engine, indexes included")
    notes: list[RenderNote] = Field(description="what this engine cannot express, and what was rendered")


class StatementCheck(_Out):
    statement: str
    ok: bool
    detail: list[str] = Field(description="SQLite's query plan when ok, else its error")
    sql: str


class EmbeddedCheck(_Out):
    engine: str
    sqlite_version: str
    schema_ok: bool
    schema_error: str | None
    statements: list[StatementCheck]


class StatementLatency(_Out):
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


class Latency(_Out):
    source: str | None
    ms_per_cost_unit: float
    calibrated_on: str = Field(description="where the target engine's latency model comes from")
    statements: list[StatementLatency]


class PartitionLayout(_Out):
    method: str = Field(description="range, list or hash")
    column: str
    count: int = Field(description="partitions made")
    unit: str | None = Field(description="a RANGE's interval (day, week, month...)")
    start: str | None
    end: str | None
    ahead: int = Field(description="intervals made ahead of the newest row")
    catch_all: bool = Field(description="a DEFAULT/MAXVALUE partition catches what no bound takes")
    values: list[str] = Field(description="a LIST's values")


class StatementPruning(_Out):
    statement: str
    rate: float = Field(description="executions per second")
    partitions: float = Field(description="partitions the statement reads (the model's)")
    within_two: float = Field(description="share of its executions that read at most 2 partitions")
    reason: str


class WorkloadPruning(StatementPruning):
    touches_partitioned: bool


class ConstraintChange(_Out):
    table: str
    kind: str
    before: str
    after: str | None
    consequence: str = Field(description="what the engine's rule costs the design's integrity")


class PartitionCandidate(_Out):
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


class CandidateSummary(_Out):
    key: str
    pruning_share: float
    partitions: int
    rows_per_partition: float
    infeasible: str | None
    blocker: str | None


class PartitionMaintenance(_Out):
    unit: str
    ahead: int
    retention_days: float | None
    setup_sql: list[str]
    run_sql: list[str]
    schedule: str
    partman_sql: list[str]
    notes: list[str]


class PartitionDecision(_Out):
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


class PruningTotals(_Out):
    weighted_within_two: float = Field(
        description="rate-weighted share of the workload reading at most 2 partitions"
    )
    partitioned_within_two: float | None
    total_rate_per_second: float


class BindingInfo(_Out):
    name: str
    value: str | None
    source: str
    column: str | None


class BoundStatementInfo(_Out):
    name: str
    rate: float
    sql: str = Field(description="the statement with the values the model and the EXPLAIN used")
    bindings: list[BindingInfo]
    error: str | None
    source_sql: str = Field(default="", description="the statement as written, with its parameters")


class MeasuredPruning(_Out):
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


class PruningMeasurementInfo(_Out):
    engine: str
    database: str
    weighted_within_two: float
    partitioned_within_two: float | None
    statements: list[MeasuredPruning]
    notes: list[str]


class PartitioningAdvice(_Out):
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


def design_result(design: Design) -> DesignResult:
    doc = design_document(design)
    sql = {s.engine.name.value: s.sql for s in design.schemas}
    doc["schemas"] = [
        {
            "engine": s["engine"],
            "target": s["target"],
            "sql": sql[s["engine"].split()[0]],
            "notes": s["notes"],
        }
        for s in doc["schemas"]
    ]
    return DesignResult.model_validate(redacted(doc))


# ---------------------------------------------------------------------------------------------
# lint_migration


class Fix(_Out):
    description: str
    replacement: str


class LintFinding(_Out):
    rule: str
    level: Level
    message: str
    file: str | None
    line: int
    column: int
    end_line: int
    end_column: int
    hint: str | None
    fix: Fix | None


class LintReport(_Out):
    """Findings of the migration linter, in file order; ``errors`` > 0 fails a CI gate."""

    file: str | None
    engine: str
    statements: int
    rules: list[str]
    errors: int
    warnings: int
    findings: list[LintFinding]


def lint_report(result: LintResult) -> LintReport:
    return LintReport.model_validate(redacted(json.loads(lint_json(result))))


# ---------------------------------------------------------------------------------------------
# verify_design


class TableLoad(_Out):
    table: str
    rows: int
    wanted: int
    rejected: int
    seconds: float


class Generation(_Out):
    tables: list[TableLoad]
    seconds: float
    schema_seconds: float
    notes: list[str]
    rows: int
    rows_per_second: float


class Measurement(_Out):
    name: str
    kind: str
    sql: str = Field(description="the SQL as run on the scratch engine")
    slo_p95_ms: float | None
    slo_p99_ms: float | None
    executions: int
    errors: int
    error: str | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    plan: list[str]
    estimated_ms: float | None
    unbound: list[str] = Field(description="parameters no column was found for (bound to NULL)")
    supplied: list[str] = Field(
        default_factory=list,
        description="identity columns (table.column) the engine cannot fill, given values by the replay",
    )
    estimated_cost: float | None = Field(default=None, description="the plan cost behind the estimate")
    estimate_detail: str | None = Field(default=None, description="how the estimate adds up")
    committed: bool = Field(default=False, description="a write that ran committed (a calibration run)")
    estimated_p50_ms: float | None = Field(
        default=None, description="the estimated median (estimated_ms is it x the model's p95/p50)"
    )
    ratio: float | None = Field(description="measured p95 / estimate")
    median_ratio: float | None = Field(default=None, description="measured p50 / estimated median")
    planner_cost: float | None = Field(
        default=None, description="the engine's own plan cost on the loaded data (PostgreSQL's EXPLAIN)"
    )
    planner_estimated_ms: float | None = Field(
        default=None, description="the p95 estimated from planner_cost (as a design made with a database)"
    )
    planner_estimated_p50_ms: float | None = None
    planner_ratio: float | None = Field(default=None, description="measured p95 / planner_estimated_ms")
    meets_slo: bool | None


class RatioSummary(_Out):
    """Measured/estimated p95 over the statements with both (only ``count`` when there are none)."""

    count: int
    within_2x: int | None = None
    measured_above_2x: int | None = Field(default=None, description="statements the estimate understates")
    measured_below_half: int | None = Field(default=None, description="statements the estimate overstates")
    min: float | None = None
    p25: float | None = None
    median: float | None = None
    p75: float | None = None
    max: float | None = None
    medians_within_2x: int | None = Field(
        default=None, description="statements whose p50 is within 2x of the estimated median"
    )
    medians_count: int | None = None


class VerificationResult(_Out):
    """The design built on a scratch database with synthetic data, the workload replayed: p50/p95/p99
    per statement against its SLO, with the plan used and the estimate beside it."""

    engine: str
    database: str
    server: str = Field(default="", description="the server's own version string")
    scale: float
    seed: int
    ok: bool
    estimate_source: str | None = Field(default=None, description="how the estimates were made")
    probe_ms: float = Field(
        default=0.0, description="median of the speed probe (a 200-row recursive CTE) between the statements"
    )
    speed_factor: float = Field(
        default=1.0, description="how much the latency model was scaled to the probe (1.0: not scaled)"
    )
    generation: Generation
    statements: list[Measurement]
    ratios: RatioSummary
    planner_ratios: RatioSummary = Field(
        default_factory=lambda: RatioSummary(count=0),
        description="the same distribution for the estimates from the engine's own plan costs",
    )
    notes: list[str]


def verification_result(verification: Verification) -> VerificationResult:
    return VerificationResult.model_validate(redacted(json.loads(verification_json(verification))))
