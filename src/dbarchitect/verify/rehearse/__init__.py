"""Rehearse a migration plan on a scratch database under the application's concurrent load.

A plan is only as safe as its behaviour on a real server, so this applies it to a database the
user names for the purpose, and measures what matters:

1. The database must be empty (no table in its schema) unless the caller allows an existing one:
   rehearsing writes, and a database someone uses is not a scratch database. When empty, the
   current schema is created (rendered by :func:`dbarchitect.engines.ddl.render_schema`) and every
   table is filled with generated rows (:mod:`.rows`).
2. Writers and readers hit the tables the plan changes, the parents of the foreign keys it adds
   and the tables referencing a changed table, at the brief's rates, open loop, every operation
   timed from when it was due (:mod:`.load`). Only against a loopback server.
3. Every step runs as planned (:mod:`.steps`): session settings, transactions, batches (a backfill
   block reports its batches), checks, retries of lock timeouts.
4. Before and after: row count and a checksum per kept column of every table, limited to the rows
   that existed before (:mod:`.checksums`).

The report (:mod:`.report`) names the tables loaded and at what rates, the slowest write and read
(per table and per step), each backfill's batches and the stall they achieved, and the data check.
"""

from __future__ import annotations

import time
from dataclasses import replace

from dbarchitect.advisors.migrations.plan import MigrationPlan
from dbarchitect.engines.connection import redacted_url
from dbarchitect.engines.scratch import listed, scratch_objects
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.ops import AlterColumnType
from dbarchitect.verify.rehearse.checksums import KeptTable, checksums, kept_columns
from dbarchitect.verify.rehearse.load import (
    DEFAULT_RATE,
    Load,
    LoadSpec,
    Operation,
    TableLoad,
    TableRates,
    Write,
    build_load,
    loaded_tables,
    rates_from_workload,
)
from dbarchitect.verify.rehearse.report import rehearsal_markdown
from dbarchitect.verify.rehearse.result import Rehearsal, TableCheck
from dbarchitect.verify.rehearse.rows import DEFAULT_ROWS, check_rules, create_and_fill
from dbarchitect.verify.rehearse.scratch import (
    ScratchDb,
    error_message,
    has_tables,
    is_loopback,
    open_scratch,
)
from dbarchitect.verify.rehearse.steps import MAX_BATCHES, MAX_TRIES, StepResult, apply_step

__all__ = [
    "DEFAULT_RATE",
    "DEFAULT_ROWS",
    "MAX_BATCHES",
    "MAX_TRIES",
    "KeptTable",
    "LoadSpec",
    "Operation",
    "Rehearsal",
    "ScratchDb",
    "StepResult",
    "TableCheck",
    "TableLoad",
    "TableRates",
    "Write",
    "apply_step",
    "check_rules",
    "checksums",
    "kept_columns",
    "loaded_tables",
    "open_scratch",
    "rates_from_workload",
    "rehearsal_markdown",
    "rehearse_plan",
]


def rehearse_plan(
    plan: MigrationPlan,
    current_catalog: Catalog,
    traits: EngineTraits,
    url: str,
    *,
    allow_existing: bool = False,
    load: LoadSpec | None = None,
    rows: int = DEFAULT_ROWS,
) -> Rehearsal:
    """Apply ``plan`` to the scratch database at ``url`` under the load (see the module text)."""
    spec = load or LoadSpec()
    zero = time.perf_counter()
    db = open_scratch(url)
    running: Load | None = None
    wrote = allow_existing
    try:
        existing = has_tables(db)
        generated = 0
        found = [] if allow_existing else scratch_objects(db.family, db.query)
        if found:
            raise DbarchError(
                Diagnostic(
                    f"{redacted_url(db.url)} is not empty ({listed(found)}); a rehearsal writes to it",
                    field="--rehearse",
                    hint="name an empty scratch database, or add --rehearse-existing if this one is a copy",
                )
            )
        if not existing:
            wrote = True
            generated = create_and_fill(db, current_catalog, plan, traits, rows)
        note: str | None = None
        limits: dict[str, int] = {}
        from sqlalchemy.engine import make_url

        host = make_url(db.url).host
        if not is_loopback(host):
            note = f"no load: {host} is not a loopback address (stalls not measured)"
        elif not loaded_tables(plan, current_catalog):
            note = "no load: the plan changes no table of the current schema"
        else:
            running, limits = build_load(db, current_catalog, plan, traits, spec, zero, rows, bool(existing))
        kept = kept_columns(plan, current_catalog)
        type_changed = {
            (op.table.key, op.old.name.key) for op in plan.operations if isinstance(op, AlterColumnType)
        }
        limit_of = {k.table.name.key: limits.get(k.table.name.key) for k in kept}
        before = {
            k.table.name.key: checksums(db, k, False, limit_of[k.table.name.key], traits, type_changed)
            for k in kept
        }
        if running is not None:
            running.start()
            time.sleep(spec.settle_s)
        results: list[StepResult] = []
        not_run: list[str] = []
        started = time.perf_counter()
        for i, step in enumerate(plan.steps, start=1):
            if results and not results[-1].ok:
                not_run.append(f"{i}. {step.description}")
                continue
            results.append(apply_step(db, i, step, traits, zero))
        migration = time.perf_counter() - started
        operations: list[Operation] = []
        if running is not None:
            time.sleep(spec.settle_s)
            running.stop()
            operations = running.operations
        checks: list[TableCheck] = []
        for k in kept:
            rows_before, sums_before = before[k.table.name.key]
            try:
                rows_after, sums_after = checksums(
                    db, k, True, limit_of[k.table.name.key], traits, type_changed
                )
            except Exception as exc:
                checks.append(
                    TableCheck(str(k.after_name), rows_before, None, (), (f"({error_message(exc)})",))
                )
                continue
            changed = tuple(n for n, v in sums_before.items() if sums_after.get(n) != v)
            checks.append(TableCheck(str(k.after_name), rows_before, rows_after, changed, ()))
        rehearsal = Rehearsal(
            engine=str(traits),
            steps=tuple(results),
            not_run=tuple(not_run),
            operations=tuple(operations),
            loads=tuple(running.tables) if running is not None else (),
            load_note=note,
            data=tuple(checks),
            total_seconds=time.perf_counter() - zero,
            migration_seconds=migration,
            migration_started_at=started - zero,
            generated_rows=generated,
        )
        left = None if allow_existing or rehearsal.ok else _left_behind(db)
        return replace(rehearsal, notes=(*rehearsal.notes, left)) if left else rehearsal
    except DbarchError as exc:
        left = _left_behind(db) if wrote and not allow_existing else None
        if left is None:
            raise
        d = exc.diagnostic
        raise DbarchError(replace(d, message=f"{d.message}; {left}")) from None
    finally:
        if running is not None and not running.stop_event.is_set():
            running.stop()
        db.close()


def _left_behind(db: ScratchDb) -> str | None:
    """What a rehearsal that failed leaves in the scratch database, every object named."""
    try:
        found = scratch_objects(db.family, db.query)
    except DbarchError:
        return "what it left in the scratch database could not be listed; drop the database"
    if not found:
        return None
    return (
        f"the rehearsal left {len(found)} object(s) in the scratch database: {', '.join(found)} "
        "(drop them, or the database, before rehearsing again)"
    )
