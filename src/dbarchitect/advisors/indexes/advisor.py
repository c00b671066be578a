"""The index advisor end to end: candidates -> what-if costs -> selection -> advice with evidence.

:func:`recommend_indexes` is backend-agnostic: it takes a :class:`~.cost.WhatIfBackend` (the real
planner through HypoPG, or the built-in model) and returns an :class:`IndexAdvice` in which every
recommendation carries its numbers — size, the statements it helps with their cost before and
after, the write overhead it adds — and every candidate left out carries its reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from dbarchitect.advisors.indexes.candidates import CandidateInfo, IndexCandidate, generate_candidates
from dbarchitect.advisors.indexes.cost import PlanCost, WhatIfBackend, WhatIfCost
from dbarchitect.advisors.indexes.exact import select_exact
from dbarchitect.advisors.indexes.existing import ExistingIndexFinding, analyze_existing
from dbarchitect.advisors.indexes.greedy import select_greedy
from dbarchitect.advisors.indexes.selection import Budget, Rejection, Selection
from dbarchitect.advisors.sizing import rows_at
from dbarchitect.brief import format_size
from dbarchitect.engines.ddl import create_index_sql
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import Name
from dbarchitect.model.workload import Workload

#: Progress callback: (steps done, steps expected, best workload cost so far).
Progress = Callable[[int, int, float], None]


class Algorithm(StrEnum):
    """The index search: ``greedy`` (Extend-style growth, then swaps) or ``exact`` (an integer
    program solved with HiGHS, anytime under the time limit)."""

    GREEDY = "greedy"
    EXACT = "exact"


@dataclass(frozen=True)
class StatementEffect:
    """One statement's planner cost without and with the recommended indexes.

    Attributes:
        statement: The statement's name in the brief.
        rate: Executions per second.
        before: Cost of one execution with the existing indexes (planner cost units).
        after: Cost of one execution with the recommended indexes too.
        plan_before: A short plan summary before, e.g. ``Limit <- Seq Scan on orders``.
        plan_after: The plan summary after.
        uses: Names of the recommended indexes the new plan uses.
        error: Why the statement could not be planned (it is then left out of the advice).
        io_before: The part of ``before`` spent reading pages, when the cost model says (built-in).
        io_after: The part of ``after`` spent reading pages, likewise.
        seq_scans_after: Tables the plan after reads whole (sequential scans), by name key.
    """

    statement: str
    rate: float
    before: float
    after: float
    plan_before: str | None
    plan_after: str | None
    uses: tuple[str, ...]
    error: str | None = None
    io_before: float | None = None
    io_after: float | None = None
    seq_scans_after: tuple[str, ...] = ()

    @property
    def ratio(self) -> float:
        """``after / before``: 0.1 means ten times cheaper."""
        return self.after / self.before if self.before else 1.0


@dataclass(frozen=True)
class RecommendedIndex:
    """One index to create, with its numbers.

    Attributes:
        name: The index name (within the engine's identifier limit).
        table: The table it is on.
        candidate: Its definition: key columns with direction, INCLUDE columns, partial predicate
            (``candidate.key`` reads ``orders(customer_id, placed_at DESC) INCLUDE (total)``).
        ddl: Engine-ready DDL that builds it without blocking writes (``CREATE INDEX CONCURRENTLY``
            on PostgreSQL, ``ALGORITHM=INPLACE`` and ``LOCK=NONE`` on MySQL/MariaDB).
        size_bytes: Its estimated size now, in bytes (what the budget is spent in).
        size_at_horizon_bytes: Its estimated size at the brief's horizon, from the table's growth.
        maintenance: Cost per second the workload's writes spend keeping it up to date (planner
            units, part of the workload cost it is chosen against).
        helps: ``(statement, cost before, cost after)`` for each statement whose new plan uses it.
        reasons: Why it was a candidate (the predicates, ordering or join it serves).
    """

    name: str
    table: str
    candidate: IndexCandidate
    ddl: str
    size_bytes: float
    size_at_horizon_bytes: float
    maintenance: float
    helps: tuple[tuple[str, float, float], ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class IndexAdvice:
    """Indexes for a workload within a budget (``dbarchitect.recommend_indexes``, ``dbarch indexes``).

    Costs are planner cost units: PostgreSQL's own planner through HypoPG (``backend`` ``hypopg``)
    or the built-in model of it (``builtin``). The workload cost is Σ rate × cost per second, index
    maintenance included.

    Attributes:
        engine: The engine the advice is for, e.g. ``PostgreSQL 15``.
        backend: Who costed the plans: ``hypopg`` (the real planner) or ``builtin`` (the model).
        settings: The planner settings the costs were measured under.
        algorithm: The search that chose them: ``greedy`` or ``exact``.
        budget: The limits: index storage bytes, write amplification, search seconds.
        recommended: The indexes to create, each with its numbers.
        rejected: ``(candidate, reason)`` for every candidate not recommended; the reason is a
            :class:`~dbarchitect.advisors.indexes.selection.Rejection` (``no_benefit``,
            ``over_budget``, ``write_budget``, ``write_cost``, ``dominated``, ``time_limit``).
        statements: Every statement's cost before and after, with the indexes its new plan uses.
        existing: Existing indexes proposed for removal (redundant or unused; never one that backs
            a constraint), each with its reason and its DROP statement.
        candidates: How many candidate indexes were generated from the workload.
        base_cost: Workload cost with the existing indexes (planner units per second).
        cost: Workload cost with the recommended indexes too.
        size_bytes: Total size of the recommended indexes now, in bytes.
        planner_calls: Plans costed by the backend.
        cache_hits: Plans answered from the cache instead.
        seconds: Wall time of the advice.
        optimal: ``True`` when the exact search proved the selection optimal.
        stopped_early: ``True`` when the time limit ended the search (the best so far is given).
        notes: Caveats of the backend and statements left out, with the reason.
    """

    engine: str
    backend: str
    settings: dict[str, str]
    algorithm: str
    budget: Budget
    recommended: tuple[RecommendedIndex, ...]
    rejected: tuple[tuple[str, Rejection], ...]
    statements: tuple[StatementEffect, ...]
    existing: tuple[ExistingIndexFinding, ...]
    candidates: int
    base_cost: float
    cost: float
    size_bytes: float
    planner_calls: int
    cache_hits: int
    seconds: float
    optimal: bool
    stopped_early: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def relative_cost(self) -> float:
        """``cost / base_cost``: 0.6 means the workload costs 40% less with the indexes."""
        return self.cost / self.base_cost if self.base_cost else 1.0


def _select(
    algorithm: Algorithm,
    cost: WhatIfCost,
    infos: tuple[CandidateInfo, ...],
    budget: Budget,
    catalog: Catalog,
    progress: Progress | None,
) -> Selection:
    if algorithm == Algorithm.EXACT:
        return select_exact(cost, infos, budget, catalog, progress=progress)
    return select_greedy(cost, infos, budget, catalog, progress=progress)


def _prune(cost: WhatIfCost, selection: Selection) -> Selection:
    """Drop every chosen index the rest make redundant: one whose removal does not raise the
    workload cost (a left prefix of a wider chosen index is the usual case). Largest first, so the
    space goes back where it counts; the selection's cost is re-read from the same cache."""
    chosen = list(selection.indexes)
    # Per statement, rate x cost under the current set: removing an index re-plans only the
    # statements on its table (the rest keep their cost), so each trial costs O(its statements).
    statements = cost.statements
    answers = cost.costs([(s, chosen) for s in statements])
    weighted = [s.rate * a.cost if a.error is None else 0.0 for s, a in zip(statements, answers, strict=True)]
    by_table: dict[str, list[int]] = {}
    for i, s in enumerate(statements):
        for table in cost.tables_of(s):
            by_table.setdefault(table, []).append(i)
    tolerance = 1e-9 * max(1.0, abs(cost.workload_cost(chosen)))
    for candidate in sorted(chosen, key=lambda c: (-cost.size(c), c.key)):
        rest = [c for c in chosen if c != candidate]
        touched = by_table.get(candidate.table.key, [])
        trial = cost.costs([(statements[i], rest) for i in touched])
        change = {
            i: statements[i].rate * a.cost if a.error is None else 0.0
            for i, a in zip(touched, trial, strict=True)
        }
        delta = sum(change[i] - weighted[i] for i in touched) - cost.maintenance(candidate)
        if delta <= tolerance:
            chosen = rest
            for i, value in change.items():
                weighted[i] = value
    if len(chosen) == len(selection.indexes):
        return selection
    current = cost.workload_cost(chosen)
    dropped = tuple((c, Rejection.DOMINATED) for c in selection.indexes if c not in chosen)
    return replace(
        selection,
        indexes=tuple(chosen),
        cost=current,
        size_bytes=sum(cost.size(c) for c in chosen),
        rejected=(*selection.rejected, *dropped),
        optimal=selection.optimal and not dropped,
    )


def _effects(
    cost: WhatIfCost,
    before: dict[str, PlanCost],
    after: dict[str, PlanCost],
    names: dict[IndexCandidate, str],
) -> tuple[StatementEffect, ...]:
    effects: list[StatementEffect] = []
    for statement in cost.statements:
        b, a = before[statement.name], after[statement.name]
        uses = tuple(sorted(names[c] for c in a.used if c in names))
        effects.append(
            StatementEffect(
                statement.name,
                statement.rate,
                b.cost,
                a.cost,
                b.plan,
                a.plan,
                uses,
                b.error or a.error,
                b.io,
                a.io,
                tuple(sorted(a.seq_scans)),
            )
        )
    return tuple(effects)


def recommend_indexes(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    backend: WhatIfBackend,
    budget: Budget,
    *,
    algorithm: Algorithm = Algorithm.GREEDY,
    horizon_days: float = 0.0,
    progress: Progress | None = None,
) -> IndexAdvice:
    """Indexes for ``workload`` on ``catalog`` within ``budget``, costed by ``backend``.

    Raises :class:`DbarchError` only when nothing can be advised: no statement could be planned, or
    the budget is smaller than every index that would help.
    """
    started = time.monotonic()
    infos = generate_candidates(workload, catalog, traits)
    cost = WhatIfCost(backend, workload, catalog)
    before = cost.statement_costs(frozenset())
    failed = [name for name, plan in before.items() if plan.error is not None]
    if workload.statements and len(failed) == len(workload.statements):
        first = before[failed[0]].error
        raise DbarchError(
            Diagnostic(
                f"no statement could be planned on {backend.name} (first: {failed[0]}: {first})",
                hint="check that the database holds the brief's schema",
            )
        )
    selection = _prune(cost, _select(algorithm, cost, infos, budget, catalog, progress))
    by_candidate = {info.candidate: info for info in infos}
    names: dict[IndexCandidate, str] = {}
    for candidate in selection.indexes:
        names[candidate] = candidate.default_name(traits.identifier_max_length).value
    after = cost.statement_costs(frozenset(selection.indexes))
    effects = _effects(cost, before, after, names)
    recommended: list[RecommendedIndex] = []
    for candidate in selection.indexes:
        table = catalog.table(candidate.table)
        if table is None:  # pragma: no cover - candidates come from the catalog
            continue
        ddl = create_index_sql(
            table, candidate.to_index(None, traits.identifier_max_length), traits, concurrently=True
        )
        size = cost.size(candidate)
        rows_now = table.stats.rows if table.stats and table.stats.rows else 0.0
        growth = rows_at(table, horizon_days) / rows_now if rows_now else 1.0
        helps = tuple((e.statement, e.before, e.after) for e in effects if names[candidate] in e.uses)
        info = by_candidate.get(candidate)
        recommended.append(
            RecommendedIndex(
                names[candidate],
                table.name.value,
                candidate,
                ddl or "",
                size,
                size * growth,
                cost.maintenance(candidate),
                helps,
                info.reasons if info else (),
            )
        )
    touched = sorted({a.table.value for s in workload.statements for a in s.tables})
    notes: list[str] = list(backend.caveats(touched))
    if failed:
        notes.append(
            f"{len(failed)} statement(s) could not be planned and were left out: {', '.join(sorted(failed))}"
        )
    useful = [c for c, r in selection.rejected if r == Rejection.OVER_BUDGET]
    if not selection.indexes and useful and budget.storage_bytes is not None:
        smallest = min(cost.size(c) for c in useful)
        raise DbarchError(
            Diagnostic(
                f"the index budget ({format_size(budget.storage_bytes)}) is smaller than every index that "
                f"would help (the smallest needs {format_size(smallest)})",
                hint="raise --budget or budgets.index_storage",
            )
        )
    used = {
        name: any(name in (e.plan_before or "") for e in effects)
        for table in catalog.tables
        for name in (i.name.value for i in table.indexes)
    }
    existing = analyze_existing(catalog, workload, used if backend.name == "hypopg" else None, traits)
    return IndexAdvice(
        engine=str(traits),
        backend=backend.name,
        settings=dict(backend.settings()),
        algorithm=selection.algorithm,
        budget=budget,
        recommended=tuple(recommended),
        rejected=tuple((c.key, r) for c, r in selection.rejected),
        statements=effects,
        existing=existing,
        candidates=len(infos),
        base_cost=selection.base_cost,
        cost=selection.cost,
        size_bytes=selection.size_bytes,
        planner_calls=cost.calls,
        cache_hits=cost.hits,
        seconds=time.monotonic() - started,
        optimal=selection.optimal,
        stopped_early=selection.stopped_early,
        notes=tuple(notes),
    )


def with_advised_indexes(catalog: Catalog, advice: IndexAdvice | None, traits: EngineTraits) -> Catalog:
    """``catalog`` with the advice's recommended indexes added to their tables (those not already
    there by name): the design as it will be built."""
    if advice is None:
        return catalog
    for rec in advice.recommended:
        table = catalog.table(rec.candidate.table)
        if table is None or any(i.name.matches(rec.name) for i in table.indexes):
            continue
        index = rec.candidate.to_index(Name(rec.name), traits.identifier_max_length)
        catalog = catalog.replace_table(replace(table, indexes=(*table.indexes, index)))
    return catalog
