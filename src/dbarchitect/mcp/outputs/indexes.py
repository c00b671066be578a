"""The ``recommend_indexes`` tool's structured result."""

from __future__ import annotations

from pydantic import Field

from dbarchitect.advisors.indexes.advisor import IndexAdvice
from dbarchitect.mcp.outputs.base import OutModel, redacted
from dbarchitect.report.indexes import index_advice_document

# ---------------------------------------------------------------------------------------------
# recommend_indexes


class IndexBudget(OutModel):
    index_storage_bytes: float | None
    write_amplification: float | None
    work_limit: int | None = Field(
        description="planner calls the search may make: the deterministic budget that decides where it stops"
    )
    time_limit_s: float | None = Field(description="the wall-clock safety net, in seconds")
    used_bytes: float
    net_bytes: float | None = Field(description="bytes added less those of the existing indexes dropped")
    source: str | None = Field(description="where the storage budget came from")
    floor_elasticity: float | None
    stopped_by: str = Field(
        description="the bound that ended the search: storage_budget, write_budget, benefit_floor, "
        "exhausted, work_limit (reproducible) or time_limit (the safety net: not reproducible)"
    )


class WorkloadCost(OutModel):
    before: float | None
    after: float | None
    relative: float | None
    unit: str


class SearchStats(OutModel):
    candidates: int
    planner_calls: int
    cache_hits: int
    seconds: float | None


class StatementGain(OutModel):
    statement: str
    cost_before: float | None
    cost_after: float | None


class IndexOnlyGain(OutModel):
    statement: str
    cost_without: float | None = Field(description="the statement's cost without the index")
    cost_with: float | None


class RecommendedIndex(OutModel):
    name: str
    table: str
    index: str
    ddl: str
    size_bytes: float | None
    size_at_horizon_bytes: float | None
    maintenance_cost_per_second: float | None
    helps: list[StatementGain]
    reasons: list[str]
    replaces: list[str]
    serves: list[str]
    index_only: list[str]
    constraint: str | None
    index_only_gain: list[IndexOnlyGain] = Field(
        description="with a constraint's key: what each index-only read saves (cost without → with it)"
    )
    checked_by: str
    move: str


class StatementCost(OutModel):
    statement: str
    rate_per_second: float
    cost_before: float | None
    cost_after: float | None
    plan_before: str | None
    plan_after: str | None
    uses: list[str]
    error: str | None


class ExistingIndexFinding(OutModel):
    index: str
    table: str
    kind: str
    reason: str
    bytes_saved: float
    drop_sql: str
    covered_by: str | None
    write_cost_saved: float
    evidence: list[str]
    caution: str


class LeftOut(OutModel):
    statement: str
    reason: str


class RejectedCandidate(OutModel):
    index: str
    reason: str


class IndexAdviceResult(OutModel):
    """Indexes for the workload within the budget, each with its size, the statements it helps (cost
    before and after) and its write cost; existing indexes proposed for removal; every rejection."""

    engine: str
    backend: str = Field(description="'builtin' (the cost model) or 'hypopg' (the real planner)")
    planner_settings: dict[str, str]
    algorithm: str
    optimal: bool
    stopped_early: bool
    reproducible: bool = Field(
        description="false when the wall-clock safety net stopped the search: another run may differ"
    )
    budget: IndexBudget
    workload_cost: WorkloadCost
    search: SearchStats
    recommended: list[RecommendedIndex]
    statements: list[StatementCost]
    existing: list[ExistingIndexFinding]
    rejected: list[RejectedCandidate]
    notes: list[str]
    left_out: list[LeftOut]


def index_advice_result(advice: IndexAdvice) -> IndexAdviceResult:
    return IndexAdviceResult.model_validate(redacted(index_advice_document(advice)))
