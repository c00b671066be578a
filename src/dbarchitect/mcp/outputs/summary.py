"""What an MCP tool returns by default: a summary an agent can act on (the verdict, the DDL, the top
advice, what missed its target) in a few kilobytes, with the full typed document one resource read
away (``full.uri``), or embedded in the result when the call asks ``detail="full"``.

Each summary is computed from the tool's full result model (``design.py``, ``indexes.py``...), so
the two never disagree; the tests check every summary against its ``outputSchema`` and that what it
leaves out is counted (``more``) rather than dropped silently.

This module imports pydantic only: the server registers its tools with these models as output
schemas before anything heavy is loaded (``initialize`` is answered fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from dbarchitect.mcp.outputs.base import Level

if TYPE_CHECKING:
    from dbarchitect.mcp.outputs.design import DesignResult
    from dbarchitect.mcp.outputs.indexes import IndexAdviceResult, RecommendedIndex
    from dbarchitect.mcp.outputs.inspection import InspectionResult, StatementInfo
    from dbarchitect.mcp.outputs.migration import MigrationResult
    from dbarchitect.mcp.outputs.verdict import DesignFinding, VerdictResult
    from dbarchitect.mcp.outputs.verification import VerificationResult

#: Findings a summary lists (errors first); the rest are counted in ``more``.
TOP_FINDINGS = 10
#: ...and at most this many bytes of them (JSON), so long messages do not crowd out the DDL.
FINDINGS_BYTES = 3500
#: Recommended indexes a summary lists (by benefit, as the advice orders them).
TOP_INDEXES = 12

Detail = Literal["summary", "full"]


class Summary(BaseModel):
    """The base of the summaries: fixed fields (their schema needs no ``additionalProperties``)."""

    model_config = ConfigDict(populate_by_name=True)


class FullResult(Summary):
    """Where the full result is: a resource the server keeps for its most recent calls."""

    uri: str = Field(description="resources/read this URI for the full JSON document")
    bytes: int = Field(description="size of the full document")
    schema_uri: str = Field(description="the full document's JSON Schema (a resource)")


class Finding(Summary):
    rule: str
    level: Level
    where: str | None = Field(description="table, table.column, statement or engine it is about")
    message: str
    hint: str | None


class Verdict(Summary):
    passed: bool = Field(description="false when a finding is an error")
    errors: int
    warnings: int
    findings: list[Finding] = Field(description=f"errors first, at most {TOP_FINDINGS} (and a few kB)")
    more: int = Field(description="findings left out here (all are in the full document)")


class IndexAdvice(Summary):
    ddl: str
    size_bytes: float | None
    helps: list[str] = Field(description="statements whose cost it lowers")
    reason: str


class EngineDdl(Summary):
    engine: str
    target: bool
    notes: int = Field(description="what this engine cannot express (listed in the DDL's -- note: lines)")
    uri: str = Field(description="resource with this engine's DDL")


class Partitioning(Summary):
    table: str
    verdict: Literal["partition", "keep"]
    layout: str
    reason: str


class DesignSummary(Summary):
    """The design in brief: the verdict, the target engine's DDL (advised indexes included), the top
    index advice, partitioning, and each engine's DDL as a resource."""

    brief: str
    engine: str
    verdict: Verdict | None
    ddl: str = Field(description="the target engine's schema DDL")
    engines: list[EngineDdl]
    indexes: list[IndexAdvice] = Field(description=f"recommended indexes, at most {TOP_INDEXES}")
    more_indexes: int
    workload_cost_relative: float | None = Field(description="workload cost with the indexes / without")
    over_slo: list[str] = Field(description="statements estimated over their SLO")
    partitioning: list[Partitioning]
    embedded_check: str | None = Field(description="the schema and workload run on embedded SQLite")
    notes: list[str]
    full: FullResult


class TableLine(Summary):
    name: str
    rows_now: float
    rows_at_horizon: float
    bytes_at_horizon: float
    indexes: list[str]


class StatementLine(Summary):
    name: str
    kind: str
    rate_per_second: float
    slo_p95_ms: float | None
    access: list[str] = Field(description="per table: index or full scan, with the rows estimated")


class InspectionSummary(Summary):
    """What was understood: tables with sizes, statements with their access paths."""

    brief: str
    engine: str
    bytes_now: float
    bytes_at_horizon: float
    storage_budget: float | None
    tables: list[TableLine]
    unsized_tables: list[str]
    statements: list[StatementLine]
    full: FullResult


class DropIndex(Summary):
    index: str
    reason: str
    drop_sql: str


class IndexSummary(Summary):
    """Indexes for the workload within the budget, and existing ones to drop."""

    engine: str
    backend: str = Field(description="builtin (cost model) or hypopg (the real planner)")
    workload_cost_relative: float | None
    used_bytes: float
    budget_bytes: float | None
    recommended: list[IndexAdvice]
    more: int
    drop: list[DropIndex]
    rejected: int = Field(description="candidates rejected, each with its reason in the full document")
    notes: list[str]
    full: FullResult


class StepLine(Summary):
    phase: str
    description: str
    sql: list[str]
    lock: str
    rewrites: bool
    estimated_seconds: float | None


class RehearsalLine(Summary):
    ok: bool
    steps_failed: int
    max_write_stall_s: float | None
    tables_changed: list[str] = Field(description="tables whose data differs after the rehearsal")


class MigrationSummary(Summary):
    """The plan's steps with SQL and lock, what would be lost, renames to confirm; the down-plan,
    rollbacks and prechecks are in the full document."""

    engine: str
    steps: list[StepLine]
    down_steps: int
    data_loss: list[str]
    irreversible: list[str]
    renames_to_confirm: list[str] = Field(description="renames entries that would confirm a guessed rename")
    notes: list[str]
    unplanned: list[str] = Field(
        default_factory=list,
        description="differences the plan does not make (the plan is incomplete when not empty), "
        "each naming the object and why",
    )
    rehearsal: RehearsalLine | None
    full: FullResult


class VerdictSummary(Summary):
    """The guardrail verdict: counts and the top findings, errors first."""

    brief: str
    engine: str
    verdict: Verdict
    notes: list[str]
    full: FullResult


class MeasuredLine(Summary):
    name: str
    p95_ms: float | None
    slo_p95_ms: float | None
    meets_slo: bool | None
    estimated_ms: float | None
    error: str | None


class VerificationSummary(Summary):
    """Measured p95 per statement against its SLO and the estimate."""

    engine: str
    ok: bool
    scale: float
    rows: int
    statements: list[MeasuredLine]
    notes: list[str]
    full: FullResult


# ---------------------------------------------------------------------------------------------
# From the full documents


def _where(f: DesignFinding) -> str | None:
    if f.table and f.column:
        return f"{f.table}.{f.column}"
    return f.table or f.statement or f.engine


def verdict(v: VerdictResult) -> Verdict:
    """Errors first, at most :data:`TOP_FINDINGS` and :data:`FINDINGS_BYTES` of them (the first
    always)."""
    ordered = sorted(v.findings, key=lambda f: f.level != "error")
    top: list[Finding] = []
    spent = 0
    for f in ordered[:TOP_FINDINGS]:
        item = Finding(rule=f.rule, level=f.level, where=_where(f), message=f.message, hint=f.hint)
        spent += len(item.model_dump_json())
        if top and spent > FINDINGS_BYTES:
            break
        top.append(item)
    return Verdict(
        passed=v.passed,
        errors=v.errors,
        warnings=v.warnings,
        findings=top,
        more=len(v.findings) - len(top),
    )


def _index(r: RecommendedIndex) -> IndexAdvice:
    return IndexAdvice(
        ddl=r.ddl, size_bytes=r.size_bytes, helps=[h.statement for h in r.helps], reason="; ".join(r.reasons)
    )


def _access(s: StatementInfo) -> list[str]:
    out = []
    for t in s.tables:
        p = t.access_path
        if p is None:
            continue
        label = f"{t.table}: {p.kind}" + (f" {p.index}" if p.index else "")
        if p.rows_estimated is not None and p.kind != "no filter":
            label += f" ~{p.rows_estimated:.3g} rows"
        out.append(label)
    return out


def design_summary(d: DesignResult, full: FullResult, ddl_uri: dict[str, str]) -> DesignSummary:
    target = next((s for s in d.schemas if s.target), d.schemas[0])
    ix = d.indexes
    over = [s.statement for s in (d.latency.statements if d.latency else []) if s.over_slo]
    partitioning = [
        Partitioning(
            table=p.table,
            verdict=p.verdict,
            layout=f"{p.chosen.layout.method.upper()} ({p.chosen.layout.column})"
            + (f" by {p.chosen.layout.unit}" if p.chosen.layout.unit else ""),
            reason="; ".join(p.reasons),
        )
        for p in (d.partitioning.decisions if d.partitioning else [])
        if p.verdict != "no" and p.chosen is not None
    ]
    check = d.embedded_check
    embedded = None
    if check is not None:
        compiled = sum(1 for s in check.statements if s.ok)
        embedded = (
            f"SQLite {check.sqlite_version}: schema {'executed' if check.schema_ok else 'FAILED'}, "
            f"{compiled}/{len(check.statements)} statements compiled"
            + "".join(f"; {s.statement}: {'; '.join(s.detail)}" for s in check.statements if not s.ok)
        )
    return DesignSummary(
        brief=d.brief.name,
        engine=d.brief.engine,
        verdict=verdict(d.verdict) if d.verdict is not None else None,
        ddl=target.sql,
        engines=[
            EngineDdl(engine=s.engine, target=s.target, notes=len(s.notes), uri=ddl_uri[s.engine])
            for s in d.schemas
        ],
        indexes=[_index(r) for r in (ix.recommended[:TOP_INDEXES] if ix else [])],
        more_indexes=max(0, len(ix.recommended) - TOP_INDEXES) if ix else 0,
        workload_cost_relative=ix.workload_cost.relative if ix else None,
        over_slo=over,
        partitioning=partitioning,
        embedded_check=embedded,
        notes=list(d.notes),
        full=full,
    )


def inspection_summary(i: InspectionResult, full: FullResult) -> InspectionSummary:
    return InspectionSummary(
        brief=i.brief.name,
        engine=i.brief.engine,
        bytes_now=i.storage.bytes_now,
        bytes_at_horizon=i.storage.bytes_at_horizon,
        storage_budget=i.storage.storage_budget,
        tables=[
            TableLine(
                name=t.name,
                rows_now=t.size.rows_now,
                rows_at_horizon=t.size.rows_at_horizon,
                bytes_at_horizon=t.size.data_bytes_at_horizon + t.size.index_bytes_at_horizon,
                indexes=[x.name for x in t.indexes],
            )
            for t in i.tables
        ],
        unsized_tables=list(i.unsized_tables),
        statements=[
            StatementLine(
                name=s.name,
                kind=s.kind,
                rate_per_second=s.rate_per_second,
                slo_p95_ms=s.slo.p95_ms if s.slo else None,
                access=_access(s),
            )
            for s in i.statements
        ],
        full=full,
    )


def index_summary(a: IndexAdviceResult, full: FullResult) -> IndexSummary:
    return IndexSummary(
        engine=a.engine,
        backend=a.backend,
        workload_cost_relative=a.workload_cost.relative,
        used_bytes=a.budget.used_bytes,
        budget_bytes=a.budget.index_storage_bytes,
        recommended=[_index(r) for r in a.recommended[:TOP_INDEXES]],
        more=max(0, len(a.recommended) - TOP_INDEXES),
        drop=[DropIndex(index=e.index, reason=e.reason, drop_sql=e.drop_sql) for e in a.existing],
        rejected=len(a.rejected),
        notes=list(a.notes),
        full=full,
    )


def migration_summary(m: MigrationResult, full: FullResult) -> MigrationSummary:
    plan, r = m.plan, m.rehearsal
    return MigrationSummary(
        engine=plan.engine,
        steps=[
            StepLine(
                phase=s.phase,
                description=s.description,
                sql=list(s.sql),
                lock=s.lock,
                rewrites=s.rewrites,
                estimated_seconds=s.estimated_seconds,
            )
            for s in plan.steps
        ],
        down_steps=len(plan.down),
        data_loss=list(plan.data_loss),
        irreversible=list(plan.irreversible),
        renames_to_confirm=[h.entry for h in plan.rename_hints],
        notes=list(plan.notes),
        unplanned=list(plan.unplanned),
        rehearsal=RehearsalLine(
            ok=r.ok,
            steps_failed=sum(1 for s in r.steps if not s.ok),
            max_write_stall_s=r.max_write_stall_s,
            tables_changed=[t.table for t in r.data if not t.ok],
        )
        if r is not None
        else None,
        full=full,
    )


def verdict_summary(v: VerdictResult, full: FullResult) -> VerdictSummary:
    return VerdictSummary(brief=v.brief, engine=v.engine, verdict=verdict(v), notes=list(v.notes), full=full)


def verification_summary(v: VerificationResult, full: FullResult) -> VerificationSummary:
    return VerificationSummary(
        engine=v.engine,
        ok=v.ok,
        scale=v.scale,
        rows=v.generation.rows,
        statements=[
            MeasuredLine(
                name=s.name,
                p95_ms=s.p95_ms,
                slo_p95_ms=s.slo_p95_ms,
                meets_slo=s.meets_slo,
                estimated_ms=s.estimated_ms,
                error=s.error,
            )
            for s in v.statements
        ],
        notes=list(v.notes),
        full=full,
    )


# ---------------------------------------------------------------------------------------------
# The text block: a digest for clients that read only text (the data is in structuredContent;
# sending it twice doubled every result)


def _findings_lines(v: Verdict) -> list[str]:
    """Errors with their message and hint; warnings by rule and place (their messages are in the
    structured content and the full result)."""
    lines = []
    for f in v.findings:
        where = f" {f.where}" if f.where else ""
        if f.level == "error":
            lines.append(f"- error {f.rule}{where}: {f.message}" + (f" Fix: {f.hint}" if f.hint else ""))
        else:
            lines.append(f"- warning {f.rule}{where}")
    if v.more:
        lines.append(f"- ... {v.more} more in the full result")
    return lines


def digest(tool: str, summary: BaseModel) -> str:
    """A few lines an agent reading only text can act on, pointing at the rest: the verdict and its
    top findings, the advice, what missed its target; the DDL and the full document are the
    resource links beside it."""
    lines: list[str]
    if isinstance(summary, DesignSummary):
        lines = [f"design of {summary.brief} on {summary.engine}"]
        if summary.verdict is not None:
            v = summary.verdict
            outcome = "pass" if v.passed else "FAIL"
            lines += [
                f"guardrails: {outcome}, {v.errors} error(s), {v.warnings} warning(s)",
                *_findings_lines(v),
            ]
        if summary.indexes:
            cost = summary.workload_cost_relative
            lines.append(
                f"indexes ({len(summary.indexes) + summary.more_indexes}"
                + (f", workload cost {cost:.3f} of today" if cost is not None else "")
                + "):"
            )
            lines += [f"- {i.ddl}" for i in summary.indexes]
        if summary.over_slo:
            lines.append(f"estimated over their SLO: {', '.join(summary.over_slo)}")
        lines += [f"partitioning: {p.table} {p.layout} ({p.verdict})" for p in summary.partitioning]
        if summary.embedded_check:
            lines.append(summary.embedded_check)
        lines.append("DDL (the target's is structuredContent.ddl):")
        lines += [f"- {e.engine}{' (target)' if e.target else ''}: {e.uri}" for e in summary.engines]
    elif isinstance(summary, VerdictSummary):
        v = summary.verdict
        lines = [
            f"guardrails of {summary.brief} on {summary.engine}: {'pass' if v.passed else 'FAIL'}, "
            f"{v.errors} error(s), {v.warnings} warning(s)",
            *_findings_lines(v),
            *(f"note: {n}" for n in summary.notes),
        ]
    else:
        import json

        data = summary.model_dump(mode="json", by_alias=True, exclude={"full"})
        lines = [f"{tool}: " + json.dumps(data, ensure_ascii=False, separators=(",", ":"))]
    full = getattr(summary, "full", None)
    if isinstance(full, FullResult):
        lines.append(f"full result: {full.uri} ({full.bytes:,} bytes; schema {full.schema_uri})")
    return "\n".join(lines)
