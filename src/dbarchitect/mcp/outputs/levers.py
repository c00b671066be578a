"""Typed sections for the design's summary tables and rewrites (``design``) and for their proof on a
scratch database (``verify_design``)."""

from __future__ import annotations

from pydantic import Field

from dbarchitect.mcp.outputs.base import OutModel


class RewriteEngineSql(OutModel):
    engine: str
    original: str
    rewritten: str | None = Field(description="None when this engine cannot run the rewrite")


class ProposedRewriteInfo(OutModel):
    rule: str = Field(description="offset-to-keyset, or-to-union, not-in-to-not-exists, ...")
    statement: str
    change: str
    semantics: str = Field(description="why the answers are the same, and the conditions (NULLs, ties)")
    requires: str | None = Field(description="what the application must do differently")
    original: str
    rewritten: str
    per_engine: list[RewriteEngineSql]
    before_ms: float = Field(
        description="the statement's estimated p95 as written (x the executions it replaces)"
    )
    after_ms: float
    gain: float
    estimate: str
    proof: str = Field(description="how verify proves it: same, projection, keyset, batch")
    notes: list[str]


class RejectedRewriteInfo(OutModel):
    rule: str
    statement: str
    reason: str
    rewritten: str | None
    unsafe: bool = Field(description="not exact: refused (NOT IN over a nullable column...)")
    unweighed: bool = Field(default=False, description="exact, but the brief lacks what weighing it needs")


class RewritesInfo(OutModel):
    proposed: list[ProposedRewriteInfo]
    rejected: list[RejectedRewriteInfo]
    cost_source: str


class WriteTaxInfo(OutModel):
    statement: str
    table: str
    rows: float = Field(description="source rows the write touches per execution")
    extra_ms: float = Field(description="p95 latency the summary's triggers add per execution")
    extra_cost: float
    summary_rows: float = Field(description="summary rows written per execution (the write budget's share)")
    detail: str


class SummaryEngineSqlInfo(OutModel):
    engine: str
    create: list[str]
    backfill: list[str]
    maintain: list[str] = Field(description="the triggers (empty for a materialized view)")
    refresh: list[str] = Field(description="the refresh and its schedule (a materialized view)")
    drop: list[str]
    rewritten: list[list[str]] = Field(description="(statement, SQL) on this engine")
    note: str | None


class ProposedSummaryInfo(OutModel):
    name: str
    statement: str
    maintenance: str = Field(
        description="triggers (exact) or refresh (a materialized view within max_staleness)"
    )
    grain: str | None
    keys: list[str]
    measures: list[str]
    sources: list[str]
    definition: str
    rewritten: str
    rows_now: float
    rows_at_horizon: float
    bytes_now: float
    bytes_at_horizon: float
    before_ms: float
    after_ms: float
    gain: float
    estimate: str
    write_taxes: list[WriteTaxInfo]
    refresh_every_s: float | None
    refresh_ms: float | None
    hot_row: str | None
    semantics: str
    per_engine: list[SummaryEngineSqlInfo]


class RejectedSummaryInfo(OutModel):
    statement: str
    reason: str


class SummariesInfo(OutModel):
    proposed: list[ProposedSummaryInfo]
    rejected: list[RejectedSummaryInfo]


class TaxInfo(OutModel):
    summary: str
    ms: float


class OutcomeInfo(OutModel):
    statement: str
    slo_ms: float | None
    before_ms: float
    after_ms: float
    lever: str | None
    taxed_by: list[TaxInfo]
    meets: bool | None
    bound: str | None = Field(
        description="when no lever meets the SLO: the bound and what would have to change"
    )


class CopiedColumn(OutModel):
    column: str
    from_: str = Field(alias="from", description="the parent column it copies (table.column)")


class ProposedDenormalizationInfo(OutModel):
    name: str
    statement: str
    child: str
    parent: str
    copies: list[CopiedColumn]
    rewritten: str
    before_ms: float
    after_ms: float
    gain: float
    write_taxes: list[WriteTaxInfo]
    fan_out: float = Field(description="child rows one parent update rewrites")
    bytes_at_horizon: float
    integrity_risk: str
    per_engine: list[SummaryEngineSqlInfo]


class RejectedDenormalizationInfo(OutModel):
    statement: str
    reason: str


class DenormalizationsInfo(OutModel):
    proposed: list[ProposedDenormalizationInfo]
    rejected: list[RejectedDenormalizationInfo]


class ChosenLevers(OutModel):
    rewrites: list[str]
    summaries: list[str]
    denormalizations: list[str] = Field(default_factory=list)


class DroppedLever(OutModel):
    lever: str
    reason: str


class LeversInfo(OutModel):
    """Summary tables and query rewrites searched with the indexes against the SLOs and budgets."""

    chosen: ChosenLevers
    outcomes: list[OutcomeInfo]
    rewrites: RewritesInfo
    summaries: SummariesInfo
    denormalizations: DenormalizationsInfo | None = None
    storage_bytes: float
    dropped: list[DroppedLever]
    notes: list[str]


# ---------------------------------------------------------------------------------------------
# verify_design


class EquivalenceInfo(OutModel):
    lever: str
    statement: str
    phase: str = Field(description="loaded data, or after a burst of writes")
    engine: str
    draws: int
    rows: int
    mismatches: int
    mismatch: str | None
    errors: int
    error: str | None
    wanted: int
