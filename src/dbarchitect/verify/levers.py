"""The design's levers built, proven and measured on the scratch database.

After the workload has been replayed as written (the "before" figures), ``verify``:

1. builds every summary on the scratch engine - its table (or materialized view), the fill from the
   loaded data, the triggers that keep it - and counts its rows;
2. proves every rewrite and every summary-served statement returns the same rows as the statement
   as written, for :data:`~dbarchitect.verify.equivalence.MIN_DRAWS` parameter draws;
3. when a summary is there, runs a burst of the brief's writes (:data:`BURST_PER_WRITE` committed
   executions of each write statement, parameters drawn as the replay draws them; a write the data
   refuses - a duplicate key - is counted, not fatal), refreshes the materialized views, and proves the
   summary-served statements again: the triggers (or the refresh) kept it exact;
4. measures each proven rewrite and summary-served statement, and each write a summary taxes (its
   triggers now fire), as the replay measures any statement.

A lever whose proof fails, or which cannot be built on this engine, is dropped: the statement is
judged as written and the report says why. The estimates beside the "after" figures are the
model's for the rewritten statement (for a taxed write: the write's own plus the trigger work).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from dbarchitect.advisors.denormalization import (
    DenormalizationSql,
    ProposedDenormalization,
    denormalization_sql_for,
)
from dbarchitect.advisors.latency import LatencyEstimate, estimate_latency
from dbarchitect.advisors.levers import LeverSet
from dbarchitect.advisors.rewrites import Proof, Protocol
from dbarchitect.advisors.summaries.advisor import (
    EngineSummarySql,
    ProposedSummary,
    estimate_read,
    rewritten_sql_for,
    summary_sql_for,
    taxes_at,
)
from dbarchitect.advisors.summaries.build import definition
from dbarchitect.advisors.summaries.volatility import Volatility, explain, volatility
from dbarchitect.engines.traits import EngineTraits, LatencyModel
from dbarchitect.errors import DbarchError
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Statement, Workload
from dbarchitect.verify.equivalence import prove_pair, prove_rewrite
from dbarchitect.verify.measurements import MIN_DRAWS, Equivalence, LeverResult, StatementResult, TaxedWrite
from dbarchitect.verify.parameters import draw_parameters, prepare
from dbarchitect.verify.scratch import ScratchTarget
from dbarchitect.verify.synthetic import SyntheticData

#: Committed executions of each write statement in the burst that tests a summary's maintenance.
BURST_PER_WRITE = 20

#: ``measure(statement, estimate) -> StatementResult``: the replay's measurement of one statement.
Measure = Callable[[Statement, LatencyEstimate | None], StatementResult]


def _execute_all(target: ScratchTarget, statements: Sequence[str]) -> None:
    for sql in statements:
        target.loader.execute(sql)


def _count(target: ScratchTarget, table: str) -> int:
    rows = target.query(f"SELECT count(*) FROM {target.traits.quote(table)}")
    return int(rows[0][0]) if rows else 0


def verify_levers(
    target: ScratchTarget,
    levers: LeverSet,
    catalog: Catalog,
    workload: Workload,
    source: EngineTraits,
    data: SyntheticData,
    rng: random.Random,
    *,
    sized: Catalog,
    full: Catalog | None,
    model: LatencyModel | None,
    before: Mapping[str, StatementResult],
    measure: Measure,
    draws: int = MIN_DRAWS,
) -> tuple[LeverResult, ...]:
    """Build, prove and measure ``levers`` on ``target`` (see the module docstring). ``catalog`` is the
    design as built (at the brief's sizes), ``sized`` the same at the loaded sizes and ``full`` at the
    brief's (for the estimates); ``before`` the replay's results by statement name."""
    results: list[LeverResult] = []
    statements = {s.name: s for s in workload.statements}
    built: list[tuple[Kept, int | None]] = []
    kept: list[Kept] = [*levers.summaries, *levers.denormalizations]
    for summary in kept:
        moving = _not_immutable(summary)
        if moving is not None:
            # a burst of writes within one clock tick would not show it: refused up front
            results.append(LeverResult(_kind(summary), summary.name, summary.statement, error=moving))
            continue
        sql = _sql(summary, target.traits, source, catalog)
        if sql.note is not None:
            results.append(LeverResult(_kind(summary), summary.name, summary.statement, error=sql.note))
            continue
        try:
            _execute_all(target, (*sql.create, *sql.backfill, *sql.maintain))
        except Exception as exc:  # the engine refused the DDL: reported, the statement judged as written
            target.recover()
            results.append(
                LeverResult(
                    _kind(summary), summary.name, summary.statement, error=f"cannot be built: {_first(exc)}"
                )
            )
            continue
        rows = _count(target, summary.name) if isinstance(summary, ProposedSummary) else None
        built.append((summary, rows))
    if built:
        target.analyze(catalog)
    extended = _extended(catalog, [s for s, _ in built])
    proofs: dict[str, list[Equivalence]] = {}
    for rewrite in levers.rewrites:
        original = statements.get(rewrite.statement)
        if original is None:
            continue
        proofs.setdefault(f"rewrite:{rewrite.statement}", []).append(
            prove_rewrite(target, rewrite, original, source, catalog, data, rng, draws=draws)
        )
    for summary, _ in built:
        original = statements[summary.statement]
        proofs.setdefault(f"summary:{summary.statement}", []).append(
            _prove_summary(target, summary, original, source, extended, data, rng, draws, "loaded data")
        )
    # the writes the summaries tax, measured with their triggers before the burst changes the data
    writes = [s for s in workload.statements if s.is_write]
    taxes_by_summary = {s.name: _taxes(s, sized, target.traits, writes, model) for s, _ in built}
    full_taxes: dict[str, float] = {}
    for s, _ in built:
        for name, ms in (_taxes(s, full, target.traits, writes, model) if full is not None else {}).items():
            full_taxes[name] = full_taxes.get(name, 0.0) + ms
    taxed_after: dict[str, StatementResult] = {}
    for write in writes:
        extra = sum(taxes.get(write.name, 0.0) for taxes in taxes_by_summary.values())
        if not extra or write.name not in before:
            continue
        taxed_after[write.name] = _taxed(
            measure(write, None), before[write.name], extra, full_taxes.get(write.name, 0.0)
        )
    burst: tuple[int, int] | None = None
    if built:
        burst = _burst(target, workload, source, catalog, data, rng)
        for summary, _ in built:
            sql = _sql(summary, target.traits, source, catalog)
            try:
                _execute_all(target, sql.refresh[:1])
            except Exception as exc:  # a refresh that fails is the proof's failure
                target.recover()
                proofs[f"summary:{summary.statement}"].append(
                    Equivalence(
                        summary.name,
                        summary.statement,
                        "after a burst of writes",
                        str(target.traits),
                        0,
                        0,
                        0,
                        errors=1,
                        error=_first(exc),
                    )
                )
                continue
            proofs[f"summary:{summary.statement}"].append(
                _prove_summary(
                    target,
                    summary,
                    statements[summary.statement],
                    source,
                    extended,
                    data,
                    rng,
                    draws,
                    "after a burst of writes",
                )
            )
    # measurements: each proven lever's statement, and the writes a summary taxes
    for rewrite in levers.rewrites:
        original = statements.get(rewrite.statement)
        if original is None:
            continue
        result = LeverResult(
            "rewrite",
            rewrite.rule,
            rewrite.statement,
            tuple(proofs.get(f"rewrite:{rewrite.statement}", ())),
            before.get(rewrite.statement),
        )
        if result.proven:
            after_statement = replace(
                rewrite.after_statements[0],
                sql=rewrite.rewritten,
                name=rewrite.statement,
                rate=original.rate,
                slo=original.slo,
            )
            estimate = _estimate(after_statement, sized, target.traits, model)
            after = measure(after_statement, estimate)
            full_estimate = (
                _estimate(after_statement, full, target.traits, model) if full is not None else None
            )
            result = replace(
                result,
                after=replace(
                    after, full_estimated_p50_ms=full_estimate.median_ms if full_estimate else None
                ),
            )
        results.append(result)
    for summary, rows in built:
        original = statements[summary.statement]
        result = LeverResult(
            _kind(summary),
            summary.name,
            summary.statement,
            tuple(proofs.get(f"summary:{summary.statement}", ())),
            before.get(summary.statement),
            summary_rows=rows,
            burst=burst,
        )
        if result.proven and summary.after_statement is not None:
            after_statement = replace(
                summary.after_statement, name=original.name, rate=original.rate, slo=original.slo
            )
            estimate = _read(summary, sized, target.traits, model, rows)
            after = measure(after_statement, estimate)
            full_estimate = _read(summary, full, target.traits, model, None) if full is not None else None
            after = replace(after, full_estimated_p50_ms=full_estimate.median_ms if full_estimate else None)
            taxed = tuple(
                TaxedWrite(name, summary.name, before[name], again)
                for name, again in taxed_after.items()
                if name in taxes_by_summary.get(summary.name, {})
            )
            result = replace(result, after=after, taxed=tuple(taxed))
        results.append(result)
    return tuple(results)


#: A lever that builds something on the scratch database: a summary, or copied columns.
Kept = ProposedSummary | ProposedDenormalization


def _kind(lever: Kept) -> str:
    return "summary" if isinstance(lever, ProposedSummary) else "copies"


def _sql(
    lever: Kept, traits: EngineTraits, source: EngineTraits, catalog: Catalog
) -> EngineSummarySql | DenormalizationSql:
    if isinstance(lever, ProposedSummary):
        return summary_sql_for(lever, traits, source, catalog)
    return denormalization_sql_for(lever, traits, source, catalog)


def _extended(catalog: Catalog, levers: Sequence[Kept]) -> Catalog:
    """``catalog`` with the summaries' tables and the children's copied columns."""
    out = Catalog(
        (*catalog.tables, *(s.table for s in levers if isinstance(s, ProposedSummary))), catalog.views
    )
    for lever in levers:
        if isinstance(lever, ProposedDenormalization):
            child = out.table(lever.child)
            if child is not None:
                added = tuple(c for c in lever.table.columns if not child.has_column(c.name))
                out = out.replace_table(replace(child, columns=(*child.columns, *added)))
    return out


def _read(
    lever: Kept, catalog: Catalog, traits: EngineTraits, model: LatencyModel | None, rows: int | None
) -> LatencyEstimate | None:
    if isinstance(lever, ProposedSummary):
        return estimate_read(lever, catalog, traits, model, float(rows) if rows is not None else None)
    if lever.after_statement is None:
        return None
    return _estimate(lever.after_statement, _extended(catalog, [lever]), traits, model)


def _taxes(
    lever: Kept,
    catalog: Catalog,
    traits: EngineTraits,
    writes: Sequence[Statement],
    model: LatencyModel | None,
) -> dict[str, float]:
    if isinstance(lever, ProposedSummary):
        return taxes_at(lever, catalog, traits, writes, model)
    return {t.statement: t.extra_ms for t in lever.write_taxes}


def _taxed(again: StatementResult, was: StatementResult, extra: float, full_extra: float) -> StatementResult:
    """A write measured again with the summaries' triggers, its estimate raised by what they add
    (``extra`` at the loaded sizes, ``full_extra`` at the brief's; p95 ms)."""
    estimated, median = _plus(was, extra)
    factor = was.estimated_ms / was.estimated_p50_ms if was.estimated_ms and was.estimated_p50_ms else 1.0
    return replace(
        again,
        estimated_ms=estimated,
        estimated_p50_ms=median,
        estimate_detail=(was.estimate_detail or "") + f" + {extra:.3g} ms of the summaries' triggers",
        estimated_fixed_ms=was.estimated_fixed_ms,
        full_estimated_p50_ms=(
            was.full_estimated_p50_ms + full_extra / factor if was.full_estimated_p50_ms is not None else None
        ),
    )


def _plus(result: StatementResult, extra_p95: float) -> tuple[float | None, float | None]:
    if result.estimated_ms is None or result.estimated_p50_ms is None:
        return None, None
    factor = result.estimated_ms / result.estimated_p50_ms if result.estimated_p50_ms else 1.0
    return result.estimated_ms + extra_p95, result.estimated_p50_ms + extra_p95 / factor


def _estimate(
    statement: Statement, catalog: Catalog | None, traits: EngineTraits, model: LatencyModel | None
) -> LatencyEstimate | None:
    if catalog is None:
        return None
    from dbarchitect.advisors.indexes.builtin import BuiltinCostModel

    plan = BuiltinCostModel(catalog, traits).plan_cost(statement, frozenset())
    if plan.error is not None:
        return None
    return estimate_latency(
        statement,
        plan.cost,
        catalog,
        traits,
        io=plan.io,
        cost_source="built-in model",
        commit=False,
        model=model,
    )


def _prove_summary(
    target: ScratchTarget,
    summary: Kept,
    original: Statement,
    source: EngineTraits,
    catalog: Catalog,
    data: SyntheticData,
    rng: random.Random,
    draws: int,
    phase: str,
) -> Equivalence:
    assert summary.after_statement is not None
    rewritten = replace(summary.after_statement, name=original.name)
    if isinstance(summary, ProposedSummary):
        try:
            # the proposal's statement for this engine (its division as the engine's AVG divides)
            sql = rewritten_sql_for(summary, source, target.traits, catalog)
        except DbarchError as exc:
            return Equivalence(
                summary.name, original.name, phase, str(target.traits), 0, 0, 0, errors=1, error=str(exc)
            )
        rewritten = replace(rewritten, sql=sql)
    return prove_pair(
        target,
        summary.name,
        original,
        rewritten,
        Proof(Protocol.SAME),
        source,
        catalog,
        data,
        rng,
        draws=draws,
        phase=phase,
    )


def _burst(
    target: ScratchTarget,
    workload: Workload,
    source: EngineTraits,
    catalog: Catalog,
    data: SyntheticData,
    rng: random.Random,
) -> tuple[int, int]:
    """Run every write statement :data:`BURST_PER_WRITE` times, committed: (run, refused)."""
    ran = refused = 0
    counter = [10_000]
    for statement in workload.statements:
        if not statement.is_write:
            continue
        try:
            prepared = prepare(statement, source, catalog, target.traits, target.family)
        except DbarchError:
            continue
        for _ in range(BURST_PER_WRITE):
            params: dict[str, Any] = draw_parameters(prepared, data.tables, rng, counter, target.family)
            try:
                target.query(prepared.sql, params)
                ran += 1
            except Exception:  # a duplicate key or a check the drawn values break: counted
                target.recover()
                refused += 1
    return ran, refused


def _not_immutable(lever: Kept) -> str | None:
    """Why a summary's definition cannot be kept by triggers: it computes something that is not a
    function of the rows written (the statement's time, a random value); None when it is."""
    if not isinstance(lever, ProposedSummary):
        return None
    level, what = volatility(definition(lever.spec))
    if level == Volatility.IMMUTABLE:
        return None
    return f"not built: its definition {explain(level, what)}"


def _first(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__
