"""The ``plan_migration`` tool's structured result."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from dbarchitect.advisors.migrations import MigrationPlan, plan_json
from dbarchitect.mcp.outputs.base import OutModel, redacted
from dbarchitect.report.json import to_jsonable
from dbarchitect.verify.rehearse import Rehearsal

# ---------------------------------------------------------------------------------------------
# plan_migration


class MigrationStep(OutModel):
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


class RenameHint(OutModel):
    kind: str
    table: str
    old: str
    new: str
    reason: str
    entry: str = Field(description="the renames entry that confirms it")


class MigrationPlanResult(OutModel):
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


class BackfillRun(OutModel):
    """What a batched backfill reported when it finished."""

    table: str
    rows: int
    batches: int
    slowest_seconds: float = Field(description="the slowest batch")
    last_batch_rows: int = Field(description="rows per batch the batch-time target settled at")
    paused_seconds: float = Field(description="time slept between batches, leaving room for writes")


class RehearsalStep(OutModel):
    number: int
    description: str
    ok: bool
    seconds: float
    tries: int
    batches: int
    error: str | None
    started_at: float = Field(description="seconds since the rehearsal started")
    backfill: BackfillRun | None = None


class TableCheck(OutModel):
    table: str
    rows_before: int
    rows_after: int | None
    changed_columns: list[str]
    missing_columns: list[str]
    ok: bool


class RehearsalResult(OutModel):
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


class MigrationResult(OutModel):
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
