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
    unplanned: list[str] = Field(
        default_factory=list,
        description="differences the plan does not make, each naming the object and why: when not "
        "empty the plan is incomplete (dbarch migrate exits 1) and these must be applied by hand",
    )


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


class LoadedTable(OutModel):
    """A table the rehearsal's writers and readers hit, and at what rates."""

    table: str
    why: str
    write_rate: float = Field(description="writes per second run (0: no writer, see note)")
    read_rate: float = Field(description="reads per second run")
    asked_writes: float = Field(description="writes per second the brief asks (or the default)")
    asked_reads: float
    source: str = Field(description="brief or default")
    note: str | None


class RehearsalResult(OutModel):
    """The plan applied to an empty scratch database while writers and readers hit the tables it
    changes at the brief's rates (open loop: a wait for a lock counts in full)."""

    engine: str
    ok: bool
    steps: list[RehearsalStep]
    not_run: list[str]
    load_table: str | None
    load_note: str | None
    loads: list[LoadedTable]
    writes: int
    failed_writes: int
    max_write_stall_s: float | None
    max_write_stall_step: int | None = Field(description="the step running during the slowest write")
    max_write_stall_table: str | None
    reads: int
    failed_reads: int
    max_read_stall_s: float | None
    max_read_stall_step: int | None = Field(description="the step running during the slowest read")
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
    worst_read = r.max_read_stall
    read_step = r.step_at(worst_read.started_at) if worst_read is not None else None
    return {
        "engine": r.engine,
        "ok": r.ok,
        "steps": to_jsonable(r.steps),
        "not_run": list(r.not_run),
        "load_table": r.load_table,
        "load_note": r.load_note,
        "loads": [
            {
                "table": t.table,
                "why": t.why,
                "write_rate": t.write_rate,
                "read_rate": t.read_rate,
                "asked_writes": t.asked.writes,
                "asked_reads": t.asked.reads,
                "source": t.asked.source,
                "note": t.note,
            }
            for t in r.loads
        ],
        "writes": len(r.writes),
        "failed_writes": r.failed_writes,
        "max_write_stall_s": worst.seconds if worst is not None else None,
        "max_write_stall_step": step.number if step is not None else None,
        "max_write_stall_table": worst.table if worst is not None else None,
        "reads": len(r.reads),
        "failed_reads": r.failed_reads,
        "max_read_stall_s": worst_read.seconds if worst_read is not None else None,
        "max_read_stall_step": read_step.number if read_step is not None else None,
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
