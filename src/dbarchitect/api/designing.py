"""The design of a brief (indexes, levers, partitioning, schemas per engine, operations) and its
guardrail verdict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from dbarchitect.advisors.indexes.advisor import IndexAdvice, with_advised_indexes
from dbarchitect.advisors.migrations import MigrationPlan
from dbarchitect.advisors.migrations import plan_migration as _plan_migration
from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.api.indexing import DESIGN_INDEX_TIME_LIMIT_S, recommend_indexes
from dbarchitect.api.inspection import inspect_brief
from dbarchitect.api.levers import _design_levers, _lever_costs
from dbarchitect.api.operations import plan_operations
from dbarchitect.api.placement import _engine_urls, advise_partitioning
from dbarchitect.api.progress import StageProgress, _index_progress, _stage
from dbarchitect.brief import Brief
from dbarchitect.engines.ddl import render_schema_with_notes
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.guardrails.design.runner import DesignVerdict
from dbarchitect.results import Design, EngineSchema, Inspection, PartitioningResult
from dbarchitect.verify.calibration import load_latency_model
from dbarchitect.verify.embedded import check_on_sqlite
from dbarchitect.verify.portability import check_design


def _inspect_and_advise(
    brief: Inspection | Brief | str | Path,
    file: str | None,
    database: str | None,
    progress: StageProgress | None,
    without: str,
) -> tuple[Inspection, IndexAdvice | None, list[str]]:
    """The brief inspected and its index advice; without a named ``database``, an advisor that fails
    leaves a note (``without``: what it says) instead of failing the design or the verdict."""
    _stage(progress, "reading the brief")
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    _stage(progress, "choosing indexes")
    try:
        advice = recommend_indexes(
            inspection,
            database=database,
            time_limit_s=DESIGN_INDEX_TIME_LIMIT_S,
            progress=_index_progress(progress),
        )
    except DbarchError as exc:
        if database is not None:
            raise
        return inspection, None, [f"{without}: {exc}"]
    return inspection, advice, []


def design(
    brief: Inspection | Brief | str | Path,
    *,
    file: str | None = None,
    database: str | None = None,
    progress: StageProgress | None = None,
) -> Design:
    """Inspect the brief, choose indexes for its workload (the built-in model, or HypoPG on a named
    PostgreSQL ``database``), then render the schema with them for the target and every portable
    engine and prove it on embedded SQLite."""
    inspection, advice, notes = _inspect_and_advise(brief, file, database, progress, "no index advice")
    _stage(progress, "summary tables and rewrites")
    levers, advice, lever_notes = _design_levers(inspection, advice, database=database)
    notes += lever_notes
    partitioning: PartitioningResult | None = None
    _stage(progress, "partitioning")
    try:
        partitioning = advise_partitioning(inspection)
    except DbarchError as exc:
        notes.append(f"no partitioning advice: {exc}")
    designed = partitioning.advice.catalog if partitioning is not None else inspection.catalog
    catalog = with_advised_indexes(designed, advice, inspection.traits)
    migration: MigrationPlan | None = None
    if inspection.brief.schema_.source is not None:
        # The schema is a live database's: plan the way from it to the design (the advised indexes).
        sizes = {t.name.value: t.stats for t in inspection.catalog.tables if t.stats is not None}
        _stage(progress, "planning the migration")
        migration = _plan_migration(inspection.catalog, catalog, inspection.traits, sizes=sizes)
    schemas: list[EngineSchema] = []
    for i, spec in enumerate(inspection.brief.engines):
        _stage(progress, "rendering schemas", i, len(inspection.brief.engines))
        traits = get_traits(spec.name, spec.version)
        rendered = render_schema_with_notes(catalog, traits)
        schemas.append(
            EngineSchema(spec, traits, rendered.sql, rendered.notes, spec == inspection.brief.engine)
        )
    sqlite = next((s for s in schemas if s.traits.engine.value == "sqlite"), None)
    if sqlite is not None:
        _stage(progress, "running the schema on SQLite")
    embedded = (
        check_on_sqlite(sqlite.sql, inspection.workload, inspection.brief.engine.name, catalog)
        if sqlite
        else None
    )
    _stage(progress, "guardrails")
    verdict = check_design(
        inspection.brief,
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        inspection.sizes,
        advice,
        source=inspection.source,
        lever_costs=_lever_costs(levers, inspection.traits),
        lever_bounds={o.statement: o.bound for o in levers.outcomes if o.bound} if levers else None,
    )
    operations: OperationsPlan | None = None
    try:
        operations = plan_operations(inspection, advice=advice)
    except DbarchError as exc:
        notes.append(f"no operations design: {exc}")
    return Design(
        inspection,
        tuple(schemas),
        embedded,
        advice,
        tuple(notes),
        verdict,
        migration,
        partitioning,
        operations=operations,
        levers=levers,
    )


def check_brief(
    brief: Inspection | Brief | str | Path,
    *,
    database: str | None = None,
    engine_urls: Mapping[str, str] | None = None,
    file: str | None = None,
    calibration: str | Path | None = None,
    progress: StageProgress | None = None,
) -> DesignVerdict:
    """The guardrail verdict of the brief's design (its schema with the indexes the advisor chooses):
    integrity, performance against the SLOs and budgets, portability (the schema and workload executed
    on SQLite, and on PostgreSQL/MariaDB scratch databases given in ``engine_urls``), security.
    Latency estimates use the target engine's shipped latency model, or the one in ``calibration``
    (a ``dbarch calibrate -o`` file)."""
    latency = load_latency_model(calibration) if calibration is not None else None
    inspection, advice, notes = _inspect_and_advise(
        brief, file, database, progress, "judged without index advice"
    )
    urls = _engine_urls(engine_urls)
    wanted = {e.name for e in inspection.brief.engines}
    for engine in urls:
        if engine not in wanted:
            listed = ", ".join(str(e) for e in inspection.brief.engines)
            raise DbarchError(
                Diagnostic(
                    f"{engine.value} is not an engine of this brief ({listed}): nothing would run on that "
                    "database",
                    field="--engine-url",
                    hint="name one of the brief's engines, or add it to portable_to",
                )
            )
    _stage(progress, "summary tables and rewrites")
    levers, advice, lever_notes = _design_levers(inspection, advice, database=database)
    notes += lever_notes
    _stage(progress, "guardrails" + (" and portability on " + ", ".join(engine_urls) if engine_urls else ""))
    verdict = check_design(
        inspection.brief,
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        inspection.sizes,
        advice,
        urls,
        source=inspection.source,
        latency=latency,
        lever_costs=_lever_costs(levers, inspection.traits),
        lever_bounds={o.statement: o.bound for o in levers.outcomes if o.bound} if levers else None,
    )
    return replace(verdict, notes=(*verdict.notes, *notes)) if notes else verdict
