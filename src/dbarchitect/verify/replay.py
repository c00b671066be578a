"""Verify a design against its SLOs: build it in a scratch database, fill it, replay the workload.

:func:`verify_design` creates the schema on the database the user names for the purpose (it must be
empty: a database with tables in it is refused) or on SQLite in a temporary file, fills it with
:mod:`dbarchitect.verify.synthetic` data, runs ``ANALYZE`` so the planner sees the data, and then
runs every workload statement repeatedly with parameters drawn from the same distributions as the
data (an equality on ``orders.customer_id`` gets customer ids at the frequencies orders have them; a
range bound on ``placed_at`` a value from ``placed_at``'s range; an ``INSERT`` a fresh row that
satisfies the table's keys and checks). Writes run in a transaction that is rolled back, so every
execution sees the same data. Wall latency of each execution (fetching every row included) gives
p50/p95/p99, compared with the statement's SLO and, when given, with an estimate.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Collection, Mapping
from contextlib import suppress
from dataclasses import replace
from typing import Any

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.latency import LatencyEstimate, estimate_latency
from dbarchitect.advisors.levers import LeverSet
from dbarchitect.advisors.summaries.advisor import summary_sql_for
from dbarchitect.engines.traits import EngineTraits, LatencyModel
from dbarchitect.errors import DbarchError, Diagnostic, redact
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Statement, StatementKind, Workload
from dbarchitect.verify.levers import verify_levers
from dbarchitect.verify.measurements import (
    MIN_DRAWS,
    RATIO_TARGET,
    LeverResult,
    StatementResult,
    Verification,
    is_within_target,
    percentile,
)
from dbarchitect.verify.parameters import (
    Binding,
    bind_parameters,
    draw_parameters,
    example_bounds,
    prepare,
    rewrite_params,
)
from dbarchitect.verify.scratch import ScratchTarget, open_target
from dbarchitect.verify.synthetic import (
    ProgressCallback,
    SyntheticData,
    generate,
    loaded_catalog,
    workload_values,
)
from dbarchitect.verify.verification_report import (
    planner_ratio_summary,
    ratio_summary,
    verification_json,
    verification_markdown,
    verification_text,
)

#: Executions before measuring (plan caches, prepared statements, buffer warm-up).
WARMUP = 2
#: Runs of the speed probe before each statement and after the last; their median scales the
#: latency model.
PROBE_RUNS = 20


# ---------------------------------------------------------------------------------------------
# Measuring


def _with_estimate(result: StatementResult, estimate: LatencyEstimate | float | None) -> StatementResult:
    """``result`` with ``estimate`` beside it (a model's, with its parts, or a given number)."""
    detailed = estimate if isinstance(estimate, LatencyEstimate) else None
    return replace(
        result,
        estimated_ms=detailed.ms
        if detailed is not None
        else estimate
        if isinstance(estimate, float)
        else None,
        estimated_p50_ms=detailed.median_ms if detailed is not None else None,
        estimated_cost=detailed.cost if detailed is not None else None,
        estimate_detail=detailed.explain() if detailed is not None else None,
    )


def _with_planner_estimate(
    result: StatementResult, statement: Statement, catalog: Catalog, traits: EngineTraits, model: LatencyModel
) -> StatementResult:
    """``result`` with the estimate its engine's own plan cost gives through ``model`` (its cost per
    planner unit), as a design made against a live database estimates."""
    if result.planner_cost is None:
        return result
    estimate = estimate_latency(
        statement,
        result.planner_cost,
        catalog,
        traits,
        cost_source=f"{traits.label} planner",
        commit=result.committed,
        model=model,
    )
    return replace(result, planner_estimated_ms=estimate.ms, planner_estimated_p50_ms=estimate.median_ms)


def _measure(
    target: ScratchTarget,
    statement: Statement,
    source: EngineTraits,
    catalog: Catalog,
    data: SyntheticData,
    *,
    seconds: float,
    repetitions: int,
    rng: random.Random,
    estimate: LatencyEstimate | float | None,
    commit: bool = False,
) -> StatementResult:
    slo = statement.slo
    base = StatementResult(
        name=statement.name,
        kind=statement.kind.value,
        sql=statement.sql,
        slo_p95_ms=slo.p95_ms if slo else None,
        slo_p99_ms=slo.p99_ms if slo else None,
        executions=0,
        errors=0,
        error=None,
        p50_ms=None,
        p95_ms=None,
        p99_ms=None,
        plan=(),
        committed=commit,
    )
    base = _with_estimate(base, estimate)
    try:
        prepared = prepare(statement, source, catalog, target.traits, target.family)
    except DbarchError as exc:
        return replace(base, errors=1, error=str(exc))
    sql, unbound = prepared.sql, prepared.unbound
    write = (statement.is_write or statement.kind == StatementKind.OTHER) and not commit
    counter = [0]

    bounds = example_bounds(statement, source, catalog)

    def params() -> dict[str, Any]:
        return draw_parameters(prepared, data.tables, rng, counter, target.family, bounds)

    plan: tuple[str, ...] = ()
    planner_cost: float | None = None
    error: str | None = None
    errors = 0
    try:
        plan, planner_cost = target.explain(sql, params())
    except Exception as exc:  # a plan that cannot be shown is reported, and the runs still tried
        target.recover()
        plan = (f"(no plan: {_first_line(exc)})",)
    timings: list[float] = []
    started = time.perf_counter()
    attempts = 0
    while attempts < repetitions + WARMUP:
        attempts += 1
        try:
            took = target.run(sql, params(), write)
        except Exception as exc:  # an execution error is data: counted, the first one shown
            target.recover()
            errors += 1
            error = error or _first_line(exc)
            if errors >= 5 and not timings:
                break
            continue
        if attempts > WARMUP:
            timings.append(took * 1000)
        if time.perf_counter() - started > seconds and len(timings) >= 1:
            break
    timings.sort()
    return replace(
        base,
        sql=sql,
        executions=len(timings),
        errors=errors,
        error=error,
        p50_ms=percentile(timings, 0.5) if timings else None,
        p95_ms=percentile(timings, 0.95) if timings else None,
        p99_ms=percentile(timings, 0.99) if timings else None,
        p10_ms=percentile(timings, 0.1) if timings else None,
        plan=plan,
        planner_cost=planner_cost,
        unbound=unbound,
        supplied=prepared.supplied,
    )


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else exc.__class__.__name__)


def verify_design(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    *,
    url: str | None = None,
    scale: float = 0.01,
    seconds_per_statement: float = 2.0,
    repetitions: int = 200,
    progress: ProgressCallback | None = None,
    seed: int = 0,
    estimates: Mapping[str, float] | None = None,
    latency: LatencyModel | None = None,
    committed: Collection[str] = (),
    on_loaded: Callable[[Catalog], None] | None = None,
    full_catalog: Catalog | None = None,
    drop_after: bool = False,
    levers: LeverSet | None = None,
    draws: int = MIN_DRAWS,
) -> Verification:
    """Build ``catalog`` on the empty scratch database at ``url`` (None: SQLite in a temporary file),
    fill it with synthetic data at ``scale``, replay ``workload`` (written for ``traits``' engine) and
    measure each statement (up to ``repetitions`` runs or ``seconds_per_statement``).

    Beside each measurement goes an estimate made for the data as loaded (:func:`estimate_loaded`:
    the built-in cost model at the loaded sizes, through the measured engine's latency model, or
    ``latency`` when given), or the milliseconds ``estimates`` maps statement names to. Writes are
    rolled back, so their estimates leave out the commit; the write statements named in ``committed``
    run committed on their own instead (a calibration measures the commit so). ``on_loaded`` is
    given the catalog at the loaded sizes (:func:`~dbarchitect.verify.synthetic.loaded_catalog`).
    ``full_catalog`` (the design at the brief's sizes) adds each statement's estimate at full size,
    through the same latency model. A statement reading a table that got no rows is marked
    ``empty_tables`` (not measured). ``drop_after`` drops the tables built once measured (a second
    scale follows on the same database). ``levers`` (rewrites, summaries) are then built, proven
    with ``draws`` parameter draws and measured (:mod:`dbarchitect.verify.levers`): a proven lever's
    measurement replaces its statement's, and the writes a summary taxes are measured again."""
    if seconds_per_statement <= 0 or repetitions < 1:
        raise DbarchError(Diagnostic("give a positive time per statement and at least one repetition"))
    with open_target(url, traits) as target:
        data = generate(
            catalog,
            target.loader,
            scale=scale,
            seed=seed,
            progress=progress,
            named=workload_values(workload),
        )
        target.analyze(catalog)
        rng = random.Random(f"{seed}:replay")
        results: list[StatementResult] = []
        total = len(workload.statements)
        source: str | None = "given" if estimates is not None else None
        loaded: dict[str, LatencyEstimate] = {}
        sized = loaded_catalog(catalog, data, scale)
        if on_loaded is not None:
            on_loaded(sized)
        probes: list[float] = []
        for n, statement in enumerate(workload.statements):
            # the speed probe runs between the statements, so its median is the machine's speed
            # over the whole replay (a shared machine's speed drifts within minutes)
            probes += target.probe(PROBE_RUNS)
            estimate = estimates.get(statement.name) if estimates is not None else None
            results.append(
                _measure(
                    target,
                    statement,
                    traits,
                    catalog,
                    data,
                    seconds=seconds_per_statement,
                    repetitions=repetitions,
                    rng=rng,
                    estimate=estimate,
                    commit=statement.name in committed and statement.is_write,
                )
            )
            if progress is not None:
                progress("replay", n + 1, total)
        probes += target.probe(PROBE_RUNS)
        probe = percentile(sorted(probes), 0.5)
        factor = 1.0
        if estimates is None:
            model, factor = (latency or target.traits.latency).scaled(probe)
            loaded, source = estimate_loaded(sized, workload, target.traits, model, committed)
            results = [
                _with_planner_estimate(
                    _with_estimate(r, loaded.get(r.name)), statement, sized, target.traits, model
                )
                for r, statement in zip(results, workload.statements, strict=True)
            ]
            results = [
                replace(r, estimated_fixed_ms=_fixed_ms(model, statement, r.committed))
                for r, statement in zip(results, workload.statements, strict=True)
            ]
            if full_catalog is not None:
                full, _ = estimate_loaded(full_catalog, workload, target.traits, model, committed)
                results = [
                    replace(r, full_estimated_p50_ms=e.median_ms) if (e := full.get(r.name)) else r
                    for r in results
                ]
        lever_results: tuple[LeverResult, ...] = ()
        if levers:
            scaled = (latency or target.traits.latency).scaled(probe)[0] if estimates is None else None

            def measure(statement: Statement, estimate: LatencyEstimate | None) -> StatementResult:
                done = _measure(
                    target,
                    statement,
                    traits,
                    lever_catalog,
                    data,
                    seconds=seconds_per_statement,
                    repetitions=repetitions,
                    rng=rng,
                    estimate=estimate,
                )
                if scaled is not None:
                    done = replace(done, estimated_fixed_ms=_fixed_ms(scaled, statement, False))
                return done

            lever_catalog = Catalog((*catalog.tables, *(s.table for s in levers.summaries)), catalog.views)
            lever_results = verify_levers(
                target,
                levers,
                catalog,
                workload,
                traits,
                data,
                rng,
                sized=sized,
                full=full_catalog,
                model=scaled,
                before={r.name: r for r in results},
                measure=measure,
                draws=draws,
            )
            results = _served(results, lever_results)
        empty = {t.table.lower() for t in data.generation.tables if t.rows == 0}
        results = [
            replace(r, empty_tables=_empty_reads(statement, empty)) if empty else r
            for r, statement in zip(results, workload.statements, strict=True)
        ]
        notes = list(data.generation.notes)
        for r in results:
            if r.unbound:
                notes.append(
                    f"{r.name}: no column found for parameter(s) {', '.join(r.unbound)}; bound to NULL"
                )
            if r.supplied:
                notes.append(
                    f"{r.name}: {target.traits.label} cannot generate {', '.join(r.supplied)} (an identity "
                    "that is not its rowid); the replay supplies fresh values, as an application must"
                )
        if target.family == EngineName.SQLITE and traits.engine != EngineName.SQLITE:
            notes.append(
                f"measured on SQLite, not on the brief's {traits}: latencies show plans, not production"
            )
        briefed_empty = {t.table.lower() for t in data.generation.tables if t.wanted == 0}
        for r in results:
            if r.empty_tables:
                why = (
                    " (the brief gives it rows: 0; give the size it will have to measure it)"
                    if all(t.lower() in briefed_empty for t in r.empty_tables)
                    else ""
                )
                notes.append(
                    f"{r.name}: not measured: it reads {', '.join(r.empty_tables)}, which got no rows{why}"
                )
        if drop_after:
            for summary in levers.summaries if levers else ():
                with suppress(Exception):  # a summary that was never built
                    for sql in summary_sql_for(summary, target.traits, traits, catalog).drop:
                        target.loader.execute(sql)
            target.drop_tables(catalog)
        label = str(target.traits)
        return Verification(
            label,
            target.shown,
            scale,
            seed,
            data.generation,
            tuple(results),
            tuple(notes),
            source,
            target.server,
            probe,
            factor,
            levers=lever_results,
        )


def _served(results: list[StatementResult], levers: tuple[LeverResult, ...]) -> list[StatementResult]:
    """The replay's results with each proven lever's measurement in its statement's place, and the
    writes a summary taxes as measured with its triggers."""
    after: dict[str, StatementResult] = {}
    for lever in levers:
        if lever.proven and lever.after is not None:
            after[lever.statement] = lever.after
            for taxed in lever.taxed:
                after[taxed.statement] = taxed.after
    return [after.get(r.name, r) for r in results]


def _fixed_ms(model: LatencyModel, statement: Statement, commit: bool) -> float:
    """The part of ``model``'s median for ``statement`` that does not grow with the data."""
    fixed = model.statement_ms
    if statement.is_write:
        fixed += model.write_ms + (model.commit_ms if commit else 0.0)
    return fixed


def _empty_reads(statement: Statement, empty: Collection[str]) -> tuple[str, ...]:
    """Tables ``statement`` reads (an INSERT's target is written, not read) among the ``empty`` ones."""
    out: list[str] = []
    for access in statement.tables:
        key = access.table.value.lower()
        inserting = access.is_write_target and statement.kind in (StatementKind.INSERT, StatementKind.UPSERT)
        if key in empty and not inserting and access.table.value not in out:
            out.append(access.table.value)
    return tuple(out)


def estimate_loaded(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    latency: LatencyModel | None = None,
    committed: Collection[str] = (),
) -> tuple[dict[str, LatencyEstimate], str]:
    """Each statement's estimated latency on ``traits``' engine over ``catalog`` at the sizes loaded
    (:func:`~dbarchitect.verify.synthetic.loaded_catalog`): the built-in cost model's plan cost through
    the engine's latency model (or ``latency``), without a commit unless the statement is named in
    ``committed``; and a sentence saying so. A statement the model cannot cost gets no estimate."""
    model = BuiltinCostModel(catalog, traits)
    used = latency or traits.latency
    out: dict[str, LatencyEstimate] = {}
    for statement in workload.statements:
        plan = model.plan_cost(statement, frozenset())
        if plan.error is not None or not math.isfinite(plan.cost):
            continue
        out[statement.name] = estimate_latency(
            statement,
            plan.cost,
            catalog,
            traits,
            io=plan.io,
            cost_source="built-in model",
            commit=statement.name in committed,
            model=used,
        )
    source = (
        f"built-in cost model on the design at the loaded sizes x the {traits} latency model "
        f"({used.source}); writes rolled back, so no commit"
    )
    return out, source


__all__ = [
    "RATIO_TARGET",
    "Binding",
    "StatementResult",
    "Verification",
    "bind_parameters",
    "estimate_loaded",
    "is_within_target",
    "percentile",
    "planner_ratio_summary",
    "ratio_summary",
    "rewrite_params",
    "verification_json",
    "verification_markdown",
    "verification_text",
    "verify_design",
]
