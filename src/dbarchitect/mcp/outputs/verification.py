"""The ``verify_design`` tool's structured result."""

from __future__ import annotations

import json

from pydantic import Field

from dbarchitect.mcp.outputs.base import OutModel, redacted
from dbarchitect.mcp.outputs.levers import EquivalenceInfo
from dbarchitect.verify.replay import Verification, verification_json

# ---------------------------------------------------------------------------------------------
# verify_design


class TableLoad(OutModel):
    table: str
    rows: int
    wanted: int
    rejected: int
    seconds: float


class Generation(OutModel):
    tables: list[TableLoad]
    seconds: float
    schema_seconds: float
    notes: list[str]
    rows: int
    rows_per_second: float


class FullSizeProjection(OutModel):
    """The statement's latency at the brief's full size, from two scales and the model's growth law."""

    small_scale: float | None = Field(description="the second, smaller scale measured (None: one scale)")
    small_p50_ms: float | None
    small_p95_ms: float | None
    model_growth: float | None = Field(
        description="growth from small_scale to scale the model's law predicts"
    )
    measured_growth: float | None = Field(
        description="measured growth from small_scale to scale, on the 10th percentiles (the medians "
        "when one is missing)"
    )
    growth_agrees: bool | None = Field(description="measured growth within 1.5x of the model's")
    full_estimated_p50_ms: float | None = Field(description="the model's estimated median at full size")
    full_p50_ms: float | None
    full_p95_ms: float | None = Field(
        description="the p95 implied at the brief's size: what the SLO is judged on"
    )
    full_p99_ms: float | None
    method: str = Field(description="how the figures were carried to full size")


class Measurement(OutModel):
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
    p10_ms: float | None = Field(default=None, description="the quietest tenth of the runs")
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
    measured: bool = Field(default=True, description="ran on data (no empty table read)")
    empty_tables: list[str] = Field(
        default_factory=list, description="tables it reads that got no rows: not measured"
    )
    judged_p95_ms: float | None = Field(
        default=None,
        description="the p95 the SLO is judged on (the full-size projection's when there is one)",
    )
    full_estimated_p50_ms: float | None = Field(
        default=None, description="the model's estimated median at the brief's size"
    )
    estimated_fixed_ms: float | None = Field(
        default=None, description="the part of the estimated median that does not grow with the data"
    )
    projection: FullSizeProjection | None = None


class TaxedWriteInfo(OutModel):
    statement: str
    summary: str
    before: Measurement
    after: Measurement


class LeverResultInfo(OutModel):
    """A summary table or rewrite built on the scratch database, proven and measured."""

    kind: str = Field(description="rewrite or summary")
    lever: str
    statement: str
    proofs: list[EquivalenceInfo]
    before: Measurement | None
    after: Measurement | None
    taxed: list[TaxedWriteInfo]
    error: str | None
    summary_rows: int | None
    burst: list[int] | None = Field(description="(writes run, writes refused) in the burst")


class RatioSummary(OutModel):
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


class VerificationResult(OutModel):
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
    small_scale: float | None = Field(default=None, description="the second scale measured (None: one)")
    small_generation: Generation | None = Field(default=None, description="the data at small_scale")
    judged: str = Field(default="", description="how the SLOs were judged (which scales, the growth law)")
    levers: list[LeverResultInfo] = Field(
        default_factory=list,
        description="summary tables and rewrites built, proven equal (or dropped, with the reason) "
        "and measured",
    )


def verification_result(verification: Verification) -> VerificationResult:
    return VerificationResult.model_validate(redacted(json.loads(verification_json(verification))))
