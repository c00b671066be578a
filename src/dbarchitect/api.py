"""The one module that chains the stages: brief -> catalog and workload -> analysis -> schemas.

Every operation is a function returning a typed result; the CLI and (later) the MCP server are thin
shells over these. Nothing here writes to a user's database: reading a ``source`` database is
read-only, and the only database ever written is SQLite in memory, to prove the rendered schema runs.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from dbarchitect.advisors.access_paths import access_paths
from dbarchitect.advisors.indexes.advisor import Algorithm, IndexAdvice, Progress, with_advised_indexes
from dbarchitect.advisors.indexes.advisor import recommend_indexes as _recommend_indexes
from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.cost import WhatIfBackend
from dbarchitect.advisors.indexes.planner import HypoPGBackend
from dbarchitect.advisors.indexes.selection import DEFAULT_FLOOR_ELASTICITY, Budget
from dbarchitect.advisors.levers import LeverSet
from dbarchitect.advisors.levers.search import LeverAdvice, search_levers
from dbarchitect.advisors.migrations import MigrationPlan
from dbarchitect.advisors.migrations import plan_migration as _plan_migration
from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.advisors.operations import plan_operations as _plan_operations
from dbarchitect.advisors.operations.hardware import resolve_machine
from dbarchitect.advisors.operations.plan import service_times
from dbarchitect.advisors.partitioning import recommend_partitioning
from dbarchitect.advisors.schema.designer import SchemaDesign, design_schema
from dbarchitect.advisors.sharding.advisor import ShardingAdvice
from dbarchitect.advisors.sharding.advisor import advise_sharding as _advise_sharding
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.brief import Brief, NodeSpec, load_brief
from dbarchitect.engines.connection import readonly_counts
from dbarchitect.engines.ddl import render_schema, render_schema_with_notes
from dbarchitect.engines.registry import get_traits, traits_for
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic, UnsupportedError, redact
from dbarchitect.guardrails import LintResult, combine_results, lint_sql, rule_ids
from dbarchitect.guardrails.design.rule import StatementCost
from dbarchitect.guardrails.design.runner import DesignVerdict
from dbarchitect.ingest.ddl import load_ddl_file
from dbarchitect.ingest.live import introspect
from dbarchitect.ingest.sources import apply_sizes, load_catalog, load_workload
from dbarchitect.limits import check_path_text, read_input_text, read_stream_text
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Statement
from dbarchitect.results import Design, EngineSchema, Inspection, PartitioningResult
from dbarchitect.verify.calibration import Calibration, load_latency_model
from dbarchitect.verify.calibration import calibrate as _calibrate
from dbarchitect.verify.drill import DrillOptions, DrillResult
from dbarchitect.verify.drill import run_drill as _run_drill
from dbarchitect.verify.embedded import check_on_sqlite
from dbarchitect.verify.measurements import MIN_DRAWS
from dbarchitect.verify.partitioning import PruningMeasurement, measure_pruning
from dbarchitect.verify.portability import check_design
from dbarchitect.verify.projection import project_full_size
from dbarchitect.verify.rehearse import LoadSpec, Rehearsal, rates_from_workload, rehearse_plan
from dbarchitect.verify.replay import Verification, verify_design
from dbarchitect.verify.synthetic import ProgressCallback as VerifyProgress

#: Progress of a long operation: ``progress(stage, done, total)`` (``total`` 0 when unknown), called
#: as each stage starts and as it advances; the CLI shows it on standard error.
StageProgress = Callable[[str, int, int], None]


def _stage(progress: StageProgress | None, stage: str, done: int = 0, total: int = 0) -> None:
    if progress is not None:
        progress(stage, done, total)


def _index_progress(progress: StageProgress | None) -> Progress | None:
    """The index search's ``(steps done, expected, best cost)`` as a stage of a longer operation."""
    if progress is None:
        return None
    return lambda done, total, _best: progress("choosing indexes", done, total)


def inspect_brief(brief: Brief | str | Path, *, file: str | None = None, strict: bool = True) -> Inspection:
    """Load a brief (or take a loaded one) and analyze it: catalog with sizes, workload, access paths.
    Not ``strict``: statements that cannot be analyzed are left out (``workload.left_out``) instead
    of refusing the brief."""
    if not isinstance(brief, Brief):
        file = str(brief)
        brief = load_brief(brief)
    traits = get_traits(brief.engine.name, brief.engine.version)
    schema_design: SchemaDesign | None = None
    if brief.schema_.entities is not None:
        # Entities are designed (keys, relationships, domains, normalization), not just transcribed.
        portable = [get_traits(e.name, e.version) for e in brief.portable_to]
        schema_design = design_schema(brief, traits, portable=portable, file=file)
        catalog = apply_sizes(schema_design.catalog, brief, file=file)
    else:
        catalog = load_catalog(brief, file=file)
    workload = load_workload(brief, catalog, file=file, strict=strict)
    sizes = tuple(estimate_table_size(t, traits, brief.horizon) for t in catalog.tables)
    paths = tuple(p for s in workload.statements for p in access_paths(s, catalog))
    return Inspection(brief, catalog, workload, traits, sizes, paths, file or "<brief>", schema_design)


#: The wall-clock safety net of the index search in ``design`` (and the MCP tool's default): far
#: above what the work budget takes (bench/scale's 400-table brief: 26 s of CPU for the whole
#: search), so it stops a search only on a machine far slower or busier than expected, and the
#: advice then says it is not reproducible. The work budget (``Budget.work_limit``) is what decides.
DESIGN_INDEX_TIME_LIMIT_S = 300.0


def _lever_costs(levers: LeverAdvice | None, traits: EngineTraits) -> dict[str, StatementCost]:
    """The estimates the guardrails judge statements on when levers serve them (or tax them)."""
    out: dict[str, StatementCost] = {}
    for outcome in levers.outcomes if levers is not None else ():
        if outcome.lever is None and not outcome.taxed_by:
            continue
        taxes = "".join(f" + {ms:.3g} ms of {name}'s triggers" for name, ms in outcome.taxed_by)
        out[outcome.statement] = StatementCost(
            outcome.statement,
            0.0,
            outcome.lever or "the statement as written",
            None,
            outcome.after_ms,
            outcome.estimate + taxes,
            traits.latency.source,
        )
    return out


def _design_levers(
    inspection: Inspection, advice: IndexAdvice | None, *, database: str | None = None
) -> tuple[LeverAdvice | None, IndexAdvice | None, list[str]]:
    """The levers beyond indexes (summary tables, rewrites) for the brief, searched with the index
    advice, then the indexes searched again for the workload as it will run (rewritten statements,
    the summaries' tables) so a summary and the indexes on it are chosen together
    (:mod:`dbarchitect.advisors.levers.search`). Returns the lever advice, the final index advice
    and notes."""
    brief = inspection.brief
    engines = [get_traits(e.name, e.version) for e in brief.engines]
    params = {s.name: dict(s.params) for s in brief.workload.statements if s.params}
    staleness = {s.name: float(s.max_staleness) for s in brief.workload.statements if s.max_staleness}
    budgets = brief.budgets
    used = sum(s.total_bytes_at_horizon for s in inspection.sizes)
    if advice is not None:
        used += sum(r.size_at_horizon_bytes for r in advice.recommended)

    def search(index_advice: IndexAdvice | None) -> LeverAdvice:
        config = frozenset(r.candidate for r in index_advice.recommended) if index_advice else frozenset()
        return search_levers(
            inspection.catalog,
            inspection.workload,
            inspection.traits,
            engines=engines,
            params=params,
            staleness=staleness,
            config=config,
            horizon_days=brief.horizon,
            storage_budget=budgets.storage,
            storage_used=used,
            write_amplification=budgets.write_amplification,
        )

    notes: list[str] = []
    try:
        levers = search(advice)
    except DbarchError as exc:
        return None, advice, [f"no summary tables or rewrites: {exc}"]
    if not levers.chosen or advice is None:
        return levers, advice, notes
    # the indexes again, for the statements as they will run and the summaries' tables
    served = {r.statement: r.after_statements for r in levers.chosen.rewrites}
    served.update({s.statement: (s.after_statement,) for s in levers.chosen.summaries if s.after_statement})
    statements: list[Statement] = []
    for statement in inspection.workload.statements:
        parts = served.get(statement.name)
        if parts is None:
            statements.append(statement)
        else:
            statements += [
                replace(
                    p,
                    name=statement.name if len(parts) == 1 else f"{statement.name}#{i + 1}",
                    rate=statement.rate,
                )
                for i, p in enumerate(parts)
            ]
    tables = (*inspection.catalog.tables, *(s.table for s in levers.chosen.summaries))
    running = replace(
        inspection,
        catalog=Catalog(tables, inspection.catalog.views, inspection.catalog.origin),
        workload=replace(inspection.workload, statements=tuple(statements)),
    )
    try:
        again = recommend_indexes(running, database=database, time_limit_s=DESIGN_INDEX_TIME_LIMIT_S)
    except DbarchError as exc:
        notes.append(f"indexes not searched again for the rewritten workload: {exc}")
        return levers, advice, notes
    # the summaries are not in the design's catalog: their indexes go with them
    known = {t.name.key for t in inspection.catalog.tables}
    kept = tuple(r for r in again.recommended if r.candidate.table.key in known)
    final = replace(again, recommended=kept)
    try:
        levers = search(final)
    except DbarchError as exc:
        notes.append(f"levers not weighed again under the final indexes: {exc}")
    return levers, final, notes


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
    _stage(progress, "reading the brief")
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    advice: IndexAdvice | None = None
    notes: list[str] = []
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
        notes.append(f"no index advice: {exc}")
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


def drill_brief(
    brief: Inspection | Brief | str | Path,
    *,
    scratch_dir: str | Path,
    scale: float = 0.001,
    kills: int = 5,
    async_kills: int = 0,
    rate: float = 100.0,
    ttl: int | None = None,
    engine: str | None = None,
    log_seconds: float = 8.0,
    second_scale: bool = True,
    backups: bool = True,
    measure_log: bool = True,
    replay: bool = True,
    keep: bool = False,
    progress: Callable[[str], None] | None = None,
    file: str | None = None,
) -> DrillResult:
    """Start the brief's generated topology for real on loopback in a new directory under
    ``scratch_dir`` (removed afterwards unless ``keep``) and drill it: fill it at ``scale``, run the
    write mix (at most ``rate`` commits a second), kill the primary ``kills`` times, back up and
    restore to a point in time, measure the log volume, replica lag, temporary files and pool wait
    (see :mod:`dbarchitect.verify.drill`); ``async_kills`` more after switching a synchronous cluster to
    asynchronous replication (the loss is reported). ``ttl`` replaces the design's leader-key TTL (a test's
    shorter one); ``engine`` picks one of the brief's server engines (default: the target)."""
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    catalog = inspection.catalog
    try:
        advice = recommend_indexes(inspection, time_limit_s=DESIGN_INDEX_TIME_LIMIT_S)
        catalog = with_advised_indexes(catalog, advice, inspection.traits)
    except DbarchError:
        pass  # drilled as the brief gives it, without advised indexes
    options = DrillOptions(
        scale=scale,
        kills=kills,
        async_kills=async_kills,
        rate=rate,
        log_seconds=log_seconds,
        ttl=ttl,
        second_scale=second_scale,
        backups=backups,
        measure_log=measure_log,
        replay=replay,
    )
    return _run_drill(
        inspection.brief,
        catalog,
        inspection.workload,
        inspection.traits,
        Path(scratch_dir),
        options,
        engine=engine,
        progress=progress,
        keep=keep,
    )


def plan_operations(
    brief: Inspection | Brief | str | Path,
    *,
    advice: IndexAdvice | None = None,
    file: str | None = None,
) -> OperationsPlan:
    """The operations design of the brief on its target engine: topology from the availability goals,
    backups and restore time, capacity over the horizon, server configuration and pool, the files
    (Patroni, etcd, pgBackRest, PgBouncer, postgresql.conf; my.cnf, failover and backup scripts for
    MariaDB) and the runbooks. ``advice``: the index advice the design carries (computed when not
    given)."""
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    if advice is None:
        try:
            advice = recommend_indexes(inspection, time_limit_s=DESIGN_INDEX_TIME_LIMIT_S)
        except DbarchError:
            advice = None
    catalog = with_advised_indexes(inspection.catalog, advice, inspection.traits)
    traits = inspection.traits
    sizes = tuple(estimate_table_size(t, traits, inspection.brief.horizon) for t in catalog.tables)
    paths = tuple(p for s in inspection.workload.statements for p in access_paths(s, catalog))
    median, p95 = service_times(inspection.workload, catalog, traits, advice)
    return _plan_operations(
        inspection.brief,
        catalog,
        inspection.workload,
        traits,
        sizes,
        paths,
        service_ms=median,
        p95_ms=p95,
    )


def advise_partitioning(
    brief: Inspection | Brief | str | Path,
    *,
    engine_urls: Mapping[str, str] | None = None,
    today: date | datetime | None = None,
    file: str | None = None,
    progress: StageProgress | None = None,
) -> PartitioningResult:
    """Whether partitioning pays per table, the key and layout, what the engine's rules change, the
    maintenance plan and the migration (the built-in pruning model); with ``engine_urls`` (``{"postgresql":
    url, "mariadb": url}``: scratch databases, left as they were) every statement is also EXPLAINed
    against the partitioned design there and the partitions its plan reads are counted. ``today``
    anchors the partitions when no time column has a ``max`` in the brief's statistics."""
    _stage(progress, "reading the brief")
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    params = {s.name: dict(s.params) for s in inspection.brief.workload.statements if s.params}
    _stage(progress, "choosing keys and layouts")
    advice = recommend_partitioning(
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        horizon_days=inspection.brief.horizon,
        engine=inspection.brief.engine.name,
        params=params,
        today=today,
    )
    measurements: list[PruningMeasurement] = []
    for engine, url in _engine_urls(engine_urls).items():
        if get_traits(engine).partitioning.max_partitions == 0:
            raise UnsupportedError(
                Diagnostic(
                    f"{engine.value} has no table partitioning: nothing to measure there",
                    field="--engine-url",
                    hint="give a PostgreSQL or MariaDB/MySQL scratch database",
                )
            )
        _stage(progress, f"measuring pruning on {engine.value}")
        measurements.append(measure_pruning(advice, url, inspection.brief.engine.name, engine))
    return PartitioningResult(advice, tuple(measurements))


def _planner_url(inspection: Inspection, database: str | None) -> str | None:
    """The PostgreSQL database to cost on: the one named, else the brief's ``source`` when it is
    PostgreSQL, else none (the built-in model)."""
    if database is not None:
        return database
    source = inspection.brief.schema_.source
    if source is not None and urlsplit(source.url).scheme.split("+")[0] in ("postgresql", "postgres"):
        return source.url
    return None


@contextmanager
def cost_backend(inspection: Inspection, database: str | None = None) -> Iterator[WhatIfBackend]:
    """The what-if backend for a brief: HypoPG on a named PostgreSQL database (read-only: hypothetical
    indexes live only in the session), else the built-in cost model."""
    url = _planner_url(inspection, database)
    if url is None:
        yield BuiltinCostModel(inspection.catalog, inspection.traits)
        return
    if inspection.traits.engine != EngineName.POSTGRESQL:
        raise UnsupportedError(
            Diagnostic(
                "planner costing with HypoPG needs a PostgreSQL target; "
                f"this brief targets {inspection.traits}",
                field="--database",
                hint="leave out --database to use the built-in cost model",
            )
        )
    with HypoPGBackend(url, inspection.catalog, dialect=inspection.brief.engine.name) as backend:
        yield backend


def _index_budget(
    inspection: Inspection,
    budget_bytes: float | None = None,
    time_limit_s: float | None = None,
    work_limit: int | None = None,
) -> Budget:
    """The index search's bounds. ``budget_bytes`` (``--budget``) is the storage budget as given.
    Without it, the default an architect would choose: the brief's ``budgets.index_storage``; else
    the room ``budgets.storage`` leaves beside the data and existing indexes at the horizon (in
    today's bytes); else as much as the data itself — and in all three a benefit floor
    (:data:`~dbarchitect.advisors.indexes.selection.DEFAULT_FLOOR_ELASTICITY`). The brief's write
    amplification bounds every table the workload writes. ``work_limit`` (planner calls) bounds the
    search reproducibly (``None``: scaled to the workload); ``time_limit_s`` is a safety net."""
    budgets = inspection.brief.budgets
    data_now = sum(s.data_bytes_now for s in inspection.sizes)
    floor: float | None = DEFAULT_FLOOR_ELASTICITY
    if budget_bytes is not None:
        storage, source, floor = budget_bytes, "--budget", None
    elif budgets.index_storage is not None:
        storage, source = float(budgets.index_storage), "budgets.index_storage"
    elif budgets.storage is not None:
        data_later = sum(s.data_bytes_at_horizon for s in inspection.sizes)
        existing = sum(s.index_bytes_at_horizon for s in inspection.sizes)
        growth = data_now / data_later if data_later > 0 else 1.0
        storage = max(0.0, (float(budgets.storage) - data_later - existing) * growth)
        source = "budgets.storage less the data and existing indexes at the horizon"
    elif data_now > 0:
        storage, source = data_now, "default: as much as the data (the brief sets no index budget)"
    else:
        storage, source, floor = None, "none: the brief gives no sizes and no index budget", None
    return Budget(
        storage_bytes=storage,
        write_amplification=budgets.write_amplification,
        work_limit=work_limit,
        time_limit_s=time_limit_s,
        floor_elasticity=floor,
        data_bytes=data_now or None,
        storage_source=source,
    )


def recommend_indexes(
    brief: Inspection | Brief | str | Path,
    *,
    database: str | None = None,
    budget_bytes: float | None = None,
    algorithm: Algorithm | str = Algorithm.GREEDY,
    time_limit_s: float | None = None,
    progress: Progress | None = None,
    file: str | None = None,
    strict: bool = False,
    work_limit: int | None = None,
    validate: str | None = None,
    validate_scale: float = 0.01,
    validate_runs: int = 5,
) -> IndexAdvice:
    """Indexes for the brief's workload within its budget (``budget_bytes`` overrides the brief's
    ``budgets.index_storage``), costed by the real planner when a PostgreSQL database is named.

    A statement that cannot be analyzed or planned is left out of the advice and listed with its
    reason (``IndexAdvice.left_out``); ``strict`` refuses the brief instead.

    The search stops at its work budget, ``work_limit`` planner calls (default: scaled to the
    workload, :func:`~dbarchitect.advisors.indexes.selection.default_work_limit`), so the same brief
    gets the same advice on any machine; ``time_limit_s`` is only a wall-clock safety net, and advice
    it cut short says so (``stopped_by == "time_limit"``, ``reproducible`` false, a note).

    ``validate`` names an empty scratch database on which the advice is then built for real over
    synthetic data at ``validate_scale`` of the brief's rows, every statement timed before and after
    (median of ``validate_runs`` warm runs); an index no real plan uses, or after which a statement
    is more than 10% slower, is removed (``IndexAdvice.validation`` says which and why)."""
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file, strict=strict)
    budget = _index_budget(inspection, budget_bytes, time_limit_s, work_limit)
    with cost_backend(inspection, database) as backend:
        advice = _recommend_indexes(
            inspection.catalog,
            inspection.workload,
            inspection.traits,
            backend,
            budget,
            algorithm=Algorithm(algorithm),
            horizon_days=inspection.brief.horizon,
            progress=progress,
            strict=strict,
        )
    if validate is None:
        return advice
    from dbarchitect.verify.index_validation import validate_index_advice

    validation = validate_index_advice(
        advice,
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        validate,
        scale=validate_scale,
        runs=validate_runs,
        progress=(lambda stage, done, total: progress(done, total, advice.cost)) if progress else None,
    )
    kept = tuple(r for r in advice.recommended if r.name in validation.kept)
    return replace(
        advice,
        recommended=kept,
        size_bytes=sum(r.size_bytes for r in kept),
        validation=validation,
    )


def _node_capacity(brief: Brief) -> NodeSpec:
    """The node the sharding advisor checks the brief against: the brief's ``node:``, with the memory
    and disk of its ``hardware:`` (or instance class) when given — the figures the operations
    design sizes the same node with."""
    if brief.hardware is None:
        return brief.node
    machine = resolve_machine(brief)
    update: dict[str, int] = {}
    if not machine.source("memory").startswith("default"):
        update["memory"] = int(machine.memory)
    if not machine.source("disk size").startswith("default"):
        update["storage"] = int(machine.disk_bytes)
    if not update:
        return brief.node
    return NodeSpec(**{**{f: getattr(brief.node, f) for f in brief.node.model_fields_set}, **update})


def advise_sharding(
    brief: Inspection | Brief | str | Path,
    *,
    simulate_executions: int = 0,
    seed: int = 0,
    file: str | None = None,
) -> ShardingAdvice:
    """Whether one node is enough for the brief (storage, write rate, working set against its
    ``node``), and how to spread it over many: a distribution column or reference copy per table,
    co-location groups, the shard count, the single-shard fraction of transactions and statements
    against baselines, skew, and the plans for Citus and Vitess. ``simulate_executions`` > 0 also
    counts distributed transactions on generated parameter values (seeded)."""
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    return _advise_sharding(
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        inspection.sizes,
        inspection.paths,
        _node_capacity(inspection.brief),
        name=inspection.brief.name,
        simulate_executions=simulate_executions,
        seed=seed,
    )


# ---------------------------------------------------------------------------------------------
# Migrations


def load_schema_from(spec: str | Path, engine: EngineName) -> Catalog:
    """A schema from what a user names on the command line: a database URL (read-only), a brief
    (YAML/JSON: its schema with its sizes), or a DDL file in ``engine``'s dialect."""
    text = str(spec)
    if "://" in text or text.startswith("${"):
        return introspect(text)
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        brief = load_brief(path)
        return load_catalog(brief, file=str(path))
    if not path.is_file():
        raise DbarchError(
            Diagnostic(
                "no such file",
                file=str(path),
                hint="give a DDL file, a brief (.yaml/.json) or a database URL",
            )
        )
    return load_ddl_file(path, engine)


def check_against_data(plan: MigrationPlan, url: str) -> tuple[tuple[str, int], ...]:
    """Run the plan's read-only prechecks on the database at ``url``: (step, rows that would make it
    fail) for every check, in plan order."""
    checks = plan.prechecks()
    counts = readonly_counts(url, [query for _, query in checks])
    return tuple((step, n) for (step, _), n in zip(checks, counts, strict=True))


def plan_schema_migration(
    current: str | Path | Catalog,
    target: str | Path | Catalog,
    engine: str,
    *,
    renames: dict[str, str] | None = None,
    allow_data_loss: bool = False,
    check_url: str | None = None,
    dev_url: str | None = None,
    progress: StageProgress | None = None,
) -> MigrationPlan:
    """The safe, ordered plan from ``current`` to ``target`` on ``engine`` (``postgresql 15``,
    ``mariadb 10.11``...), with its down-plan. With ``check_url``, the plan's prechecks run read-only
    against that database and a step existing rows would make fail is an error. With ``dev_url`` (an
    empty scratch database of the engine's kind), each side given as a DDL file or a brief is loaded
    into it, read back and dropped again, so both sides are compared as the engine keeps them."""
    traits = traits_for(engine)
    _stage(progress, "reading the current schema")
    source = _migration_side(current, traits, dev_url)
    _stage(progress, "reading the target schema")
    wanted = _migration_side(target, traits, dev_url)
    sizes = {t.name.value: t.stats for t in source.tables if t.stats is not None}
    _stage(progress, "planning")
    plan = _plan_migration(
        source, wanted, traits, renames=renames, allow_data_loss=allow_data_loss, sizes=sizes
    )
    if check_url is not None:
        _stage(progress, "checking the target against the data")
        failing = [(step, n) for step, n in check_against_data(plan, check_url) if n > 0]
        if failing:
            listed = "; ".join(f"{step}: {n} row(s)" for step, n in failing)
            raise DbarchError(
                Diagnostic(
                    f"the target does not fit the data in {redact(check_url)}: {listed}",
                    hint="clean those rows (or change the target) before migrating",
                )
            )
    return plan


def _migration_side(spec: str | Path | Catalog, traits: EngineTraits, dev_url: str | None) -> Catalog:
    if isinstance(spec, Catalog):
        return spec
    text = str(spec)
    if dev_url is None or "://" in text or text.startswith("${"):
        return load_schema_from(spec, traits.engine)
    from dbarchitect.verify.dev_database import catalog_through_dev_database

    if Path(text).suffix.lower() in (".yaml", ".yml", ".json"):
        rendered = render_schema(load_schema_from(spec, traits.engine), traits)
        return catalog_through_dev_database(text, traits, dev_url, text=rendered)
    return catalog_through_dev_database(text, traits, dev_url)


def rehearse_schema_migration(
    plan: MigrationPlan,
    current: str | Path | Catalog,
    engine: str,
    url: str,
    *,
    allow_existing: bool = False,
    brief: Brief | str | Path | None = None,
) -> Rehearsal:
    """Apply ``plan`` to the scratch database at ``url`` while writers and readers hit the tables it
    changes, and measure it (steps, write and read stalls, per-column checksums); ``url`` must name
    an empty database unless ``allow_existing``. The load runs at the rates of ``brief``'s workload
    (or of ``current`` when it is a brief), else at default rates. The only function here that
    writes to a database: the one named for it."""
    traits = traits_for(engine)
    source = current if isinstance(current, Catalog) else load_schema_from(current, traits.engine)
    if (
        brief is None
        and isinstance(current, str | Path)
        and Path(current).suffix.lower() in (".yaml", ".yml", ".json")
    ):
        brief = current
    spec = LoadSpec()
    if brief is not None:
        loaded = brief if isinstance(brief, Brief) else load_brief(brief)
        label = None if isinstance(brief, Brief) else str(brief)
        workload = load_workload(loaded, load_catalog(loaded, file=label), file=label)
        spec = LoadSpec(rates=rates_from_workload(workload))
    return rehearse_plan(plan, source, traits, url, allow_existing=allow_existing, load=spec)


# ---------------------------------------------------------------------------------------------
# Lint


def lint_migration(
    path: str | Path,
    engine: str,
    *,
    brief: Brief | str | Path | None = None,
    config: dict[str, str] | None = None,
) -> LintResult:
    """Lint a hand-written migration file for ``engine`` (``postgresql 15``...). With ``brief``, the
    rules know the schema, the table sizes and growth, and the brief's ``guardrails:`` levels (which
    ``config`` overrides)."""
    return lint_migrations([path], engine, brief=brief, config=config)


def migration_files(paths: Sequence[str | Path]) -> list[Path]:
    """The files ``dbarch lint`` reads for ``paths``: a file as given, a directory's ``.sql`` files in
    name order (numbers compared as numbers: ``V2__`` before ``V10__``, as migration tools apply
    them), ``-`` for standard input; an error names a path that is neither."""
    files: list[Path] = []
    for given in paths:
        path = Path(check_path_text(given))
        if str(given) == "-":
            files.append(path)
        elif path.is_dir():
            found = sorted(
                (p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".sql"), key=_natural
            )
            if not found:
                raise DbarchError(Diagnostic("the directory holds no .sql file", file=str(path)))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            raise DbarchError(
                Diagnostic("no such file; give a migration .sql file or a directory", file=str(path))
            )
    return files


def _natural(path: Path) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in re.split(r"(\d+)", path.name) if p)


def lint_migrations(
    paths: Sequence[str | Path],
    engine: str,
    *,
    brief: Brief | str | Path | None = None,
    config: dict[str, str] | None = None,
    stdin: TextIO | None = None,
    progress: StageProgress | None = None,
) -> LintResult:
    """Lint several migration files, directories (their ``.sql`` files in name order) or ``-``
    (standard input, named ``<stdin>``) one after the other, as :func:`lint_migration` does each;
    the result holds every file's findings, each naming its file."""
    if brief is not None:
        _stage(progress, "reading the brief")
    loaded = brief if isinstance(brief, Brief) or brief is None else load_brief(brief)
    results = []
    files = migration_files(paths)
    for done, file in enumerate(files):
        _stage(progress, f"linting {'<stdin>' if str(file) == '-' else file.name}", done, len(files))
        if str(file) == "-":
            text, name = read_stream_text(stdin or sys.stdin), "<stdin>"
        else:
            text, name = read_input_text(file, what="the migration"), str(file)
        label = str(brief) if brief is not None and not isinstance(brief, Brief) else None
        results.append(
            lint_migration_sql(text, engine, file=name, brief=loaded, config=config, brief_file=label)
        )
    return combine_results(results)


def lint_migration_sql(
    text: str,
    engine: str,
    *,
    file: str | None = None,
    brief: Brief | str | Path | None = None,
    config: dict[str, str] | None = None,
    brief_file: str | None = None,
) -> LintResult:
    """Lint migration SQL text (``file`` names it in findings); otherwise as :func:`lint_migration`."""
    traits = traits_for(engine)
    catalog: Catalog | None = None
    levels: dict[str, str] = {}
    if brief is not None:
        loaded = brief if isinstance(brief, Brief) else load_brief(brief)
        where = brief_file if isinstance(brief, Brief) else str(brief)
        catalog = load_catalog(loaded, file=where)
        levels = {k: v for k, v in loaded.guardrails.items() if k in rule_ids()}
    levels.update(config or {})
    sizes = {t.name.value: t.stats for t in catalog.tables if t.stats is not None} if catalog else None
    return lint_sql(text, traits, file=file, catalog=catalog, sizes=sizes, config=levels or None)


# ---------------------------------------------------------------------------------------------
# Guardrail verdict


def _engine_urls(urls: Mapping[str, str] | None) -> dict[EngineName, str]:
    out: dict[EngineName, str] = {}
    for name, url in (urls or {}).items():
        out[get_traits(name).engine] = url
    return out


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
    _stage(progress, "reading the brief")
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    advice: IndexAdvice | None = None
    notes: list[str] = []
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
        notes.append(f"judged without index advice: {exc}")
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


# ---------------------------------------------------------------------------------------------
# Verify against the SLOs


def verify_brief(
    brief: Inspection | Brief | str | Path,
    *,
    engine_url: str | None = None,
    scale: float = 0.01,
    seconds_per_statement: float = 2.0,
    repetitions: int = 200,
    seed: int = 0,
    progress: VerifyProgress | None = None,
    file: str | None = None,
    calibration: str | Path | None = None,
    two_scales: bool = True,
    levers: bool = True,
    draws: int = MIN_DRAWS,
) -> Verification:
    """Build the brief's design (with the advised indexes) on a scratch database (``engine_url``, or
    SQLite in a temporary file), fill it with synthetic data following the brief's sizes (× ``scale``)
    and statistics, replay the workload and measure each statement. Beside each measurement goes the
    estimate for the data as loaded: the built-in cost model at the loaded sizes through the measured
    engine's latency model (or the one in the ``calibration`` file from ``dbarch calibrate -o``).

    The SLO is judged at the brief's size: with ``two_scales`` the design is first built and measured
    at ``scale`` / 4 (then its tables are dropped), and each statement's latency at full size is
    projected from both measurements and the cost model's growth law between them
    (:mod:`dbarchitect.verify.projection`); without, from the one measurement and the model.

    With ``levers`` the design's summary tables and rewrites (the same search as ``design``) are built too,
    each proven to return the statement's rows for ``draws`` parameter draws (a summary again after a
    burst of the brief's writes) and measured; a lever whose proof fails is dropped and reported."""
    if scale <= 0 or scale > 10:
        raise DbarchError(Diagnostic(f"--scale {scale:g} is out of range", hint="give a number in (0, 10]"))
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    latency = load_latency_model(calibration) if calibration is not None else None
    catalog = inspection.catalog
    _stage(progress, "choosing indexes")
    try:
        advice = recommend_indexes(
            inspection, time_limit_s=DESIGN_INDEX_TIME_LIMIT_S, progress=_index_progress(progress)
        )
    except DbarchError:
        advice = None  # verified as the brief gives it, without advised indexes
    chosen: LeverSet | None = None
    if levers:
        _stage(progress, "summary tables and rewrites")
        lever_advice, advice, _ = _design_levers(inspection, advice)
        chosen = lever_advice.chosen if lever_advice is not None else None
    if advice is not None:
        catalog = with_advised_indexes(catalog, advice, inspection.traits)

    def run(at: float, *, drop_after: bool) -> Verification:
        def report(stage: str, done: int, total: int) -> None:
            if progress is not None:
                progress(f"{stage} at scale {at:g}", done, total)

        return verify_design(
            catalog,
            inspection.workload,
            inspection.traits,
            url=engine_url,
            scale=at,
            seconds_per_statement=seconds_per_statement,
            repetitions=repetitions,
            progress=report,
            seed=seed,
            latency=latency,
            full_catalog=catalog,
            drop_after=drop_after,
            levers=chosen,
            draws=draws,
        )

    small = run(scale / SMALL_SCALE_DIVISOR, drop_after=True) if two_scales else None
    return project_full_size(run(scale, drop_after=False), small)


#: ``verify`` measures at its scale and at the scale divided by this.
SMALL_SCALE_DIVISOR = 4.0


def calibrate_engine(
    engine_url: str | None = None,
    *,
    scale: float = 1.0,
    seconds_per_statement: float = 2.0,
    repetitions: int = 300,
    seed: int = 0,
    progress: VerifyProgress | None = None,
) -> Calibration:
    """Fit the latency model of the engine at ``engine_url`` (an EMPTY scratch database; None: SQLite
    in a temporary file) from a fixed micro-workload built, filled and replayed there (see
    :mod:`dbarchitect.verify.calibration`). Writes only to that database."""
    return _calibrate(
        engine_url,
        scale=scale,
        seconds_per_statement=seconds_per_statement,
        repetitions=repetitions,
        seed=seed,
        progress=progress,
    )
