"""One search over the levers: which rewrites and summary tables a design uses, against the SLOs and
the storage and write budgets, and what no lever can do.

The objective is first every SLO met, then the workload's rate-weighted cost. Per statement the
options are the statement as written (under the design's indexes), each rewrite proposed for it and
the summary proposed for it, each with its estimated p95 (built-in model through the engine's
latency model) and, for a summary, the latency it adds to every write on its sources and the
storage it takes:

1. a statement over its SLO takes the fastest option that brings it under, among those that keep
   every write it taxes within that write's SLO; if none does, the fastest option all the same, and
   its **bound**: when returning only the rows the statement returns takes longer than the SLO at
   the brief's size (:mod:`~dbarchitect.advisors.levers.bound`), the proof that no lever can meet it
   and what would have to change (the SLO, fewer rows, a faster machine); else the best estimate
   any lever searched reaches, what would have to change (the SLO, staleness for a refreshed
   summary, a machine that many times faster), and that it is not proven out of reach;
2. a statement within its SLO takes a rewrite the model shows faster (rewrites cost nothing to keep),
   and a summary only when what it saves the reads per second outweighs what it adds to the writes;
3. summaries then fit the budgets: the storage budget at the horizon (the data, the indexes and the
   summaries) and the write budget (``write_amplification``: index entries and summary rows written
   per row of a table); the summary saving the least per byte is dropped first, and its statement
   falls back to its next option.

The indexes are then searched again for the workload as it will run (rewritten statements, the
summaries' tables), so a summary and the indexes on it are chosen together, and the estimates
are made once more under them (``api.design`` runs both passes).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from dbarchitect.advisors.denormalization import (
    DenormalizationAdvice,
    ProposedDenormalization,
    recommend_denormalizations,
)
from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.latency import LatencyEstimate, estimate_latency
from dbarchitect.advisors.levers.bound import Floor, default_estimates, floor_of
from dbarchitect.advisors.levers.model import LeverSet
from dbarchitect.advisors.rewrites import ProposedRewrite, RewriteAdvice, recommend_rewrites
from dbarchitect.advisors.summaries.advisor import ProposedSummary, SummaryAdvice, recommend_summaries
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Statement, Workload


@dataclass(frozen=True)
class StatementOutcome:
    """One statement under the chosen levers.

    Attributes:
        statement: Its name.
        slo_ms: Its p95 SLO (or p99), if any.
        before_ms: Its estimated p95 as written, under the design's indexes.
        after_ms: Under the chosen lever (a write: plus what the summaries add to it).
        lever: The lever serving it (``summary x``, ``rewrite offset-to-keyset``), if any.
        taxed_by: Summaries whose triggers run inside it (a write), with the ms each adds.
        meets: Whether ``after_ms`` is within the SLO (None without one).
        bound: When no lever meets the SLO: the bound that proves it, and what would have to change.
        estimate: How ``after_ms`` adds up.
    """

    statement: str
    slo_ms: float | None
    before_ms: float
    after_ms: float
    lever: str | None = None
    taxed_by: tuple[tuple[str, float], ...] = ()
    meets: bool | None = None
    bound: str | None = None
    estimate: str = ""


@dataclass(frozen=True)
class LeverAdvice:
    """The levers chosen for a design (``Design.levers``).

    Attributes:
        chosen: The rewrites and summaries the design uses (what ``verify`` builds and proves).
        rewrites: Every rewrite proposed and rejected, with reasons.
        summaries: Every summary proposed and rejected, with reasons.
        denormalizations: Every copied column proposed (with its fan-out and integrity risk) and
            rejected, with reasons; one is chosen only when a statement needs it for its SLO.
        outcomes: Per statement with an SLO (and every write a summary taxes): before and after.
        storage_bytes: The chosen summaries' size at the horizon.
        dropped: Levers left out of the design, with the reason (budgets, a write's SLO, no need).
        notes: What was not done, and why.
    """

    chosen: LeverSet
    rewrites: RewriteAdvice
    summaries: SummaryAdvice
    outcomes: tuple[StatementOutcome, ...] = ()
    denormalizations: DenormalizationAdvice = field(default_factory=DenormalizationAdvice)
    storage_bytes: float = 0.0
    dropped: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default=())

    def outcome(self, statement: str) -> StatementOutcome | None:
        return next((o for o in self.outcomes if o.statement == statement), None)


def _slo(statement: Statement) -> float | None:
    slo = statement.slo
    if slo is None:
        return None
    return slo.p95_ms if slo.p95_ms is not None else slo.p99_ms


def _estimate(
    statement: Statement, catalog: Catalog, traits: EngineTraits, config: frozenset[IndexCandidate]
) -> LatencyEstimate | None:
    plan = BuiltinCostModel(catalog, traits).plan_cost(statement, config)
    if plan.error is not None or not math.isfinite(plan.cost):
        return None
    return estimate_latency(
        statement,
        plan.cost,
        catalog,
        traits,
        io=plan.io,
        cost_source="built-in model",
        commit=statement.is_write,
    )


@dataclass(frozen=True)
class _Option:
    lever: str | None
    ms: float
    detail: str
    rewrite: ProposedRewrite | None = None
    summary: ProposedSummary | ProposedDenormalization | None = None


def search_levers(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    *,
    engines: Sequence[EngineTraits] = (),
    params: Mapping[str, Mapping[str, object]] | None = None,
    staleness: Mapping[str, float] | None = None,
    config: frozenset[IndexCandidate] = frozenset(),
    horizon_days: float = 0.0,
    storage_budget: float | None = None,
    storage_used: float = 0.0,
    write_amplification: float | None = None,
) -> LeverAdvice:
    """The levers for ``workload`` over ``catalog`` (the design) with the indexes ``config`` adds (see the
    module docstring). ``storage_used`` is the design's data and indexes at the horizon."""
    rewrites = recommend_rewrites(catalog, workload, traits, engines=engines, params=params, config=config)
    summaries = recommend_summaries(
        catalog,
        workload,
        traits,
        engines=engines,
        staleness=staleness,
        config=config,
        horizon_days=horizon_days,
    )
    denormalizations = recommend_denormalizations(
        catalog, workload, traits, engines=engines, config=config, horizon_days=horizon_days
    )
    baseline: dict[str, LatencyEstimate] = {}
    for statement in workload.statements:
        est = _estimate(statement, catalog, traits, config)
        if est is not None:
            baseline[statement.name] = est
    for r in rewrites.proposed:
        # the rewrite's "before" prices what the model misses (OFFSET's skipped rows, a loop's round trips)
        known = baseline.get(r.statement)
        if known is not None and r.before_ms > known.ms:
            baseline[r.statement] = replace(r.before, ms=r.before_ms)
    options: dict[str, list[_Option]] = {}
    for r in rewrites.proposed:
        options.setdefault(r.statement, []).append(
            _Option(f"rewrite {r.rule}", r.after.ms, r.after.explain(), rewrite=r)
        )
    for s in summaries.proposed:
        options.setdefault(s.statement, []).append(
            _Option(f"summary {s.name}", s.after.ms, s.after.explain(), summary=s)
        )
    for d in denormalizations.proposed:
        options.setdefault(d.statement, []).append(
            _Option(f"copies {d.name}", d.after.ms, d.after.explain(), summary=d)
        )
    dropped: list[tuple[str, str]] = []
    chosen: dict[str, _Option] = {}
    by_name = {s.name: s for s in workload.statements}
    for statement in workload.statements:
        opts = sorted(options.get(statement.name, []), key=lambda o: o.ms)
        if not opts or statement.name not in baseline:
            continue
        before = baseline[statement.name].ms
        slo = _slo(statement)
        if slo is not None and before > slo:
            over = {id(o): _write_over(o, chosen, baseline, by_name) for o in opts}
            feasible = [o for o in opts if over[id(o)] is None]
            for o in opts:
                if o not in feasible:
                    dropped.append(
                        (
                            o.lever or "",
                            f"{statement.name}: it would push a write over its SLO ({over[id(o)]})",
                        )
                    )
            pick = next((o for o in feasible if o.ms <= slo), feasible[0] if feasible else None)
            if pick is not None:
                chosen[statement.name] = pick
            continue
        best = next((o for o in opts if not isinstance(o.summary, ProposedDenormalization)), None)
        if best is None:
            dropped.append(
                (
                    opts[0].lever or "",
                    f"{statement.name} meets its SLO without it: copies are kept for SLOs only",
                )
            )
            continue
        if best.rewrite is not None:
            chosen[statement.name] = best
            continue
        if best.summary is not None:
            saved = (before - best.ms) * statement.rate
            taxed = sum(
                t.extra_ms * by_name[t.statement].rate
                for t in best.summary.write_taxes
                if t.statement in by_name
            )
            if saved > taxed and _write_over(best, chosen, baseline, by_name) is None:
                chosen[statement.name] = best
            else:
                dropped.append(
                    (
                        best.lever or "",
                        f"{statement.name} meets its SLO without it; it would save {saved:.3g} ms/s of "
                        "reads and "
                        f"cost {taxed:.3g} ms/s of writes",
                    )
                )
    # budgets: storage at the horizon, write amplification per written table
    picked = [o for o in chosen.values() if o.summary is not None]
    picked.sort(key=lambda o: o.summary.bytes_at_horizon if o.summary else 0.0, reverse=True)
    total = sum(o.summary.bytes_at_horizon for o in picked if o.summary)
    if storage_budget is not None:
        for o in list(picked):
            if storage_used + total <= storage_budget:
                break
            assert o.summary is not None
            total -= o.summary.bytes_at_horizon
            chosen.pop(o.summary.statement, None)
            dropped.append(
                (
                    o.lever or "",
                    f"storage budget: {storage_used + total + o.summary.bytes_at_horizon:,.0f} B at the "
                    "horizon with it",
                )
            )
    if write_amplification is not None:
        per_table: dict[str, list[_Option]] = {}
        for o in chosen.values():
            if o.summary is not None:
                for table in o.summary.sources:
                    per_table.setdefault(table.lower(), []).append(o)
        for table, opts in per_table.items():
            t = catalog.table(table)
            indexes = (1 if t and t.primary_key else 0) + (len(t.uniques) + len(t.indexes) if t else 0)
            while opts and indexes + len(opts) > write_amplification:
                o = opts.pop()
                assert o.summary is not None
                chosen.pop(o.summary.statement, None)
                dropped.append(
                    (
                        o.lever or "",
                        f"write budget: {table} would write {indexes + len(opts) + 1} structures per row",
                    )
                )
    lever_set = LeverSet(
        tuple(o.rewrite for o in chosen.values() if o.rewrite is not None),
        tuple(o.summary for o in chosen.values() if isinstance(o.summary, ProposedSummary)),
        tuple(o.summary for o in chosen.values() if isinstance(o.summary, ProposedDenormalization)),
    )
    floors = {
        s.name: f
        for s in workload.statements
        if (f := floor_of(s, catalog, traits)) is not None and _slo(s) is not None
    }
    uncounted = {s.name: u for s in workload.statements if (u := default_estimates(s, catalog))}
    outcomes = outcomes_of(lever_set, workload, baseline, options, floors, dropped, uncounted)
    return LeverAdvice(
        lever_set,
        rewrites,
        summaries,
        outcomes,
        denormalizations,
        sum(s.bytes_at_horizon for s in lever_set.summaries)
        + sum(d.bytes_at_horizon for d in lever_set.denormalizations),
        tuple(dropped),
    )


def _write_over(
    option: _Option,
    chosen: Mapping[str, _Option],
    baseline: Mapping[str, LatencyEstimate],
    by_name: Mapping[str, Statement],
) -> str | None:
    """The first write ``option`` taxes that would go over its SLO with the summaries chosen so far,
    in words (``advance_order_status: 0.72 ms against 0.66 ms``); None when every one stays within."""
    if option.summary is None:
        return None
    for tax in option.summary.write_taxes:
        write = by_name.get(tax.statement)
        slo = _slo(write) if write is not None else None
        if slo is None or tax.statement not in baseline:
            continue
        others = sum(
            t.extra_ms
            for o in chosen.values()
            if o.summary is not None
            for t in o.summary.write_taxes
            if t.statement == tax.statement
        )
        total = baseline[tax.statement].ms + others + tax.extra_ms
        if total > slo:
            return f"{tax.statement}: {total:,.2f} ms against {slo:g} ms"
    return None


def outcomes_of(
    levers: LeverSet,
    workload: Workload,
    baseline: Mapping[str, LatencyEstimate],
    options: Mapping[str, Sequence[_Option]] | None = None,
    floors: Mapping[str, Floor] | None = None,
    dropped: Sequence[tuple[str, str]] = (),
    uncounted: Mapping[str, tuple[str, ...]] | None = None,
) -> tuple[StatementOutcome, ...]:
    """Per statement with an SLO, or taxed by a summary: its estimate before and after the levers;
    one over its SLO gets its bound (``floors``: what returning only its rows takes, see
    :mod:`~dbarchitect.advisors.levers.bound`; ``uncounted``: the filters its estimate takes at the
    planner's default, named when its rows cannot be counted)."""
    served = {r.statement: (f"rewrite {r.rule}", r.after) for r in levers.rewrites}
    served.update({s.statement: (f"summary {s.name}", s.after) for s in levers.summaries})
    served.update({d.statement: (f"copies {d.name}", d.after) for d in levers.denormalizations})
    taxes: dict[str, list[tuple[str, float]]] = {}
    taxing: list[ProposedSummary | ProposedDenormalization] = [*levers.summaries, *levers.denormalizations]
    for s in taxing:
        for t in s.write_taxes:
            taxes.setdefault(t.statement, []).append((s.name, t.extra_ms))
    out: list[StatementOutcome] = []
    for statement in workload.statements:
        est = baseline.get(statement.name)
        if est is None:
            continue
        slo = _slo(statement)
        taxed = tuple(taxes.get(statement.name, ()))
        if slo is None and statement.name not in served and not taxed:
            continue
        lever, after = served.get(statement.name, (None, est))
        after_ms = after.ms + sum(ms for _, ms in taxed)
        bound = None
        if slo is not None and after_ms > slo:
            fastest = min((options or {}).get(statement.name, []), key=lambda o: o.ms, default=None)
            if fastest is not None and fastest.ms <= slo:
                why = next((r for lever_, r in dropped if lever_ == fastest.lever), "the budgets")
                bound = (
                    f"no lever meets its {slo:g} ms SLO within the design's other limits: "
                    f"{fastest.lever} would bring it to {fastest.ms:,.1f} ms but is left out ({why}); "
                    f"it would take relaxing that limit, an SLO of at least {after_ms:,.0f} ms, "
                    f"or a machine {after_ms / slo:.1f}x faster"
                )
            else:
                best = min(fastest.ms, after_ms) if fastest is not None else after_ms
                bound = _bound(
                    slo,
                    best,
                    (floors or {}).get(statement.name),
                    read=not statement.is_write,
                    uncounted=(uncounted or {}).get(statement.name, ()),
                )
        out.append(
            StatementOutcome(
                statement.name,
                slo,
                est.ms,
                after_ms,
                lever,
                taxed,
                None if slo is None else after_ms <= slo,
                bound,
                after.explain(),
            )
        )
    return tuple(out)


def _bound(
    slo: float, best: float, floor: Floor | None, *, read: bool = True, uncounted: tuple[str, ...] = ()
) -> str:
    """Why no lever meets the SLO: proven when returning only the statement's rows takes longer,
    else the best estimate the levers searched reach, and what would have to change."""
    if floor is not None and floor.ms > slo:
        estimate = (
            f"the best lever searched reaches {best:,.1f} ms"
            if best >= floor.ms
            else f"the cost model's {best:,.1f} ms is below it: parallel workers may share a scan, but the "
            "rows reach the client through one connection"
        )
        return (
            f"no lever can meet its {slo:g} ms SLO: even returning only the {floor.rows:,.0f} row(s) "
            f"it returns ({floor.how}) takes {floor.ms:,.1f} ms at the brief's size, "
            f"whatever table or index they come from ({estimate}); it would take an SLO of at least "
            f"{floor.ms:,.0f} ms, fewer rows (a LIMIT, a narrower filter, a coarser grouping), or a machine "
            f"{floor.ms / slo:.1f}x faster"
        )
    text = (
        f"no lever searched meets its {slo:g} ms SLO: the best estimate any of them reaches is "
        f"{best:,.1f} ms at the brief's size (it would take an SLO of at least {best:,.0f} ms, "
        "a staleness budget (max_staleness) for a summary refreshed on a schedule, "
        f"or a machine {best / slo:.1f}x faster)"
    )
    if floor is not None:
        text += (
            f"; not proven out of reach: returning only its {floor.rows:,.0f} row(s) ({floor.how}) "
            f"would take {floor.ms:,.2f} ms; `dbarch verify` measures it"
        )
    elif read and uncounted:
        text += (
            "; not proven out of reach: the rows it returns cannot be counted from the brief's statistics, "
            f"its estimate takes {'; '.join(uncounted)}; `dbarch verify` measures it"
        )
    elif read:
        text += (
            "; not proven out of reach: the rows it returns cannot be counted from the brief's statistics "
            "(an OR, a function of a column, a subquery, a range on a parameter the estimate prices at the "
            "planner's default); `dbarch verify` measures it"
        )
    return text
