"""The ``inspect_brief`` tool's structured result."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from dbarchitect.mcp.outputs.base import OutModel, redacted
from dbarchitect.report.document import inspection_document
from dbarchitect.results import Inspection

# ---------------------------------------------------------------------------------------------
# inspect_brief


class ToolInfo(OutModel):
    name: str
    version: str


class BriefInfo(OutModel):
    name: str
    file: str
    engine: str
    portable_to: list[str]
    horizon_days: float
    schema_source: str = Field(alias="schema", description="where the schema came from")


class ColumnStats(OutModel):
    distinct: float | None
    null_fraction: float | None
    avg_width: float | None
    most_common: list[tuple[str, float]] = Field(description="(value, frequency) pairs")
    correlation: float | None
    minimum: str | None = Field(description="smallest value now, as literal text")
    maximum: str | None = Field(description="largest value now, as literal text")
    referenced_rows: float | None = Field(
        default=None,
        description="without a distinct count: the row count of the table a single-column foreign key "
        "on this column references (one value per referenced row, for estimates)",
    )
    referenced_table: str | None = Field(default=None, description="that referenced table")


class ColumnInfo(OutModel):
    name: str
    type: str
    nullable: bool
    default: str | int | float | bool | None
    identity: bool
    stats: ColumnStats | None = None


class ForeignKeyInfo(OutModel):
    columns: list[str]
    references: str
    ref_columns: list[str]
    on_delete: str


class IndexInfo(OutModel):
    name: str
    keys: list[str]
    unique: bool
    where: str | None
    include: list[str]
    method: str | None


class PartitionInfo(OutModel):
    name: str
    bounds: list[str]
    is_default: bool


class PartitioningInfo(OutModel):
    method: str
    columns: list[str]
    partitions: list[PartitionInfo]
    count: int | None


class IndexSize(OutModel):
    name: str
    entry_bytes: float
    bytes_now: float
    bytes_at_horizon: float


class TableSize(OutModel):
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


class TableInfo(OutModel):
    name: str
    columns: list[ColumnInfo]
    primary_key: list[str] | None
    unique: list[list[str]]
    foreign_keys: list[ForeignKeyInfo]
    checks: list[str]
    indexes: list[IndexInfo]
    partitioning: PartitioningInfo | None
    size: TableSize


class Storage(OutModel):
    engine: str
    bytes_now: float
    bytes_at_horizon: float
    index_bytes_at_horizon: float
    storage_budget: float | None
    index_budget: float | None
    within_storage_budget: bool | None
    within_index_budget: bool | None


class WorkloadSummary(OutModel):
    statements: int
    total_rate_per_second: float
    write_rate_per_second: float


class Slo(OutModel):
    p95_ms: float | None
    p99_ms: float | None


class Join(OutModel):
    left: str
    right: str
    kind: str


class PredicateInfo(OutModel):
    column: str
    kind: str
    operator: str
    value: str | None = Field(description="the literal's text, '?' for a parameter, null for an expression")
    values: int | None = Field(default=None, description="entries of an IN list (absent for one value)")


class AccessPath(OutModel):
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


class TableAccess(OutModel):
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


class StatementInfo(OutModel):
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


class DesignDecision(OutModel):
    subject: str
    kind: str
    choice: str
    reason: str


class NormalForm(OutModel):
    table: str
    normal_form: str
    keys: list[list[str]]
    reason: str
    proposed_3nf: list[str] | None
    proposed_bcnf: list[str] | None
    bcnf_loses: list[str]


class SchemaDesign(OutModel):
    decisions: list[DesignDecision]
    normalization: list[NormalForm]


class InspectionResult(OutModel):
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
