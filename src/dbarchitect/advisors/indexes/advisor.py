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

from dbarchitect.advisors.indexes.candidates import (
    CandidateInfo,
    IndexCandidate,
    generate_candidates,
    index_names,
)
from dbarchitect.advisors.indexes.cost import PlanCost, WhatIfBackend, WhatIfCost
from dbarchitect.advisors.indexes.exact import select_exact
from dbarchitect.advisors.indexes.existing import (
    ExistingIndexFinding,
    FindingKind,
    analyze_existing,
    drop_index_sql,
)
from dbarchitect.advisors.indexes.greedy import select_greedy
from dbarchitect.advisors.indexes.hygiene import candidate_shape, constraint_prefix, dominates
from dbarchitect.advisors.indexes.methods import workload_terms
from dbarchitect.advisors.indexes.selection import Budget, Rejection, Selection, StopReason
from dbarchitect.advisors.indexes.validation import IndexValidation
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
        replaces: Existing indexes it makes redundant (it serves all they serve): dropped with it,
            their bytes and write cost given back (``IndexAdvice.existing`` has their DROP).
        index_only: Statements whose new plan reads it without visiting the table.
        constraint: When its key is that of the primary key or a unique constraint (whose index
            serves its lookups), that constraint: it is advised only for the index-only reads.
        index_only_gain: With ``constraint``: what the index-only reads are worth, as
            ``(statement, cost without it, cost with it)`` for each statement whose plan reads it
            index-only and is cheaper for it (without it, the constraint's index serves the
            statement). Never empty for such an index: one that pays nothing is not advised.
        checked_by: Who judged that the engine uses it: ``planner`` (the engine's own, with the
            hypothetical index), ``built-in model`` (the model of the engine's planner), or for another
            access method ``built-in model's BRIN rule`` (``GIN``, ``HASH``: the rules of
            :mod:`dbarchitect.advisors.indexes.builtin_methods`).
        serves: Statements whose new plan uses it at no gain (what the indexes it replaces served).
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
    replaces: tuple[str, ...] = ()
    index_only: tuple[str, ...] = ()
    constraint: str | None = None
    checked_by: str = "planner"
    serves: tuple[str, ...] = ()
    index_only_gain: tuple[tuple[str, float, float], ...] = ()


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
        budget: The limits: index storage bytes, write amplification, the search's work budget
            (planner calls; the default's value when none was given) and its wall-clock safety net.
        recommended: The indexes to create, each with its numbers.
        rejected: ``(candidate, reason)`` for every candidate not recommended; the reason is a
            :class:`~dbarchitect.advisors.indexes.selection.Rejection` (``no_benefit``,
            ``over_budget``, ``write_budget``, ``write_cost``, ``dominated``, ``constraint_key``,
            ``below_floor``, ``work_limit``, ``time_limit``).
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
        stopped_early: ``True`` when the work budget or the safety net ended the search (the best
            so far is given; ``stopped_by`` says which).
        notes: Caveats of the backend and statements left out, with the reason.
        stopped_by: The bound that ended the search: ``storage_budget``, ``write_budget``,
            ``benefit_floor``, ``exhausted`` (nothing left lowers the cost), ``work_limit`` (the work
            budget: the same brief gives the same advice) or ``time_limit`` (the wall-clock safety
            net: the advice depends on the machine's speed and load).
        reproducible: ``False`` when the wall-clock safety net stopped the search, so that the same
            brief may get other advice on another machine or under another load (a note says so).
        net_bytes: Bytes the advice adds less those of the existing indexes it drops (what the
            storage budget counts).
        left_out: Statements the advice leaves out, each with why (could not be analyzed or planned).
        validation: When asked for (``--validate``), the advice built and timed for real on a
            scratch database: per statement the planner's promise and the measured ratio, the
            indexes kept and those removed with why (``recommended`` then holds the kept ones).
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
    stopped_by: str = "exhausted"
    net_bytes: float = 0.0
    left_out: tuple[tuple[str, str], ...] = ()
    validation: IndexValidation | None = None
    reproducible: bool = True

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


class _Losses:
    """What removing one chosen index costs, kept incrementally: per statement, rate × cost under the
    current set, so a trial re-plans only the statements on the index's table."""

    def __init__(self, cost: WhatIfCost, chosen: list[IndexCandidate]) -> None:
        self.cost = cost
        self.chosen = chosen
        self.statements = cost.statements
        answers = cost.costs([(s, chosen) for s in self.statements])
        self.weighted = [_weight(s.rate, a) for s, a in zip(self.statements, answers, strict=True)]
        self.by_table: dict[str, list[int]] = {}
        for i, s in enumerate(self.statements):
            for key in cost.tables_of(s):
                self.by_table.setdefault(key, []).append(i)

    def loss(self, candidate: IndexCandidate) -> tuple[float, dict[int, float]]:
        """Rise of the workload cost if ``candidate`` went (write costs included: its own and those
        of the existing indexes it alone replaces), and the statements' costs then."""
        cost = self.cost
        rest = [c for c in self.chosen if c != candidate]
        touched = self.by_table.get(candidate.table.key, [])
        trial = cost.costs([(self.statements[i], rest) for i in touched])
        change = {i: _weight(self.statements[i].rate, a) for i, a in zip(touched, trial, strict=True)}
        others = [c for c in rest if c.table.key == candidate.table.key]
        back = [i for i in cost.replaces(candidate) if not any(i in cost.replaces(o) for o in others)]
        home = cost.catalog.table(candidate.table)
        upkeep = cost.maintenance(candidate) - (
            sum(cost.existing_maintenance(home, index) for index in back) if home is not None else 0.0
        )
        return sum(change[i] - self.weighted[i] for i in touched) - upkeep, change

    def drop(self, candidate: IndexCandidate, change: dict[int, float]) -> None:
        self.chosen = [c for c in self.chosen if c != candidate]
        for i, value in change.items():
            self.weighted[i] = value


def _weight(rate: float, answer: PlanCost) -> float:
    return rate * answer.cost if answer.error is None else 0.0


def _prune(cost: WhatIfCost, selection: Selection, floor: float = 0.0) -> Selection:
    """Drop every chosen index the rest make redundant: one whose removal does not raise the
    workload cost (a left prefix of a wider chosen index is the usual case), largest first, so the
    space goes back where it counts; then, with a benefit floor, every index whose loss per byte is
    below it (lowest first, each re-judged on what is left). The selection's cost is re-read from
    the same cache."""
    losses = _Losses(cost, list(selection.indexes))
    tolerance = 1e-9 * max(1.0, abs(cost.workload_cost(losses.chosen)))
    for candidate in sorted(losses.chosen, key=lambda c: (-cost.size(c), c.key)):
        delta, change = losses.loss(candidate)
        if delta <= tolerance:
            losses.drop(candidate, change)
    below: list[IndexCandidate] = []
    if floor > 0:
        ratios = {c: losses.loss(c)[0] / max(cost.size(c), 1.0) for c in losses.chosen}
        for candidate in sorted(losses.chosen, key=lambda c: (ratios[c], c.key)):
            if ratios[candidate] >= floor:
                break
            delta, change = losses.loss(candidate)
            if delta / max(cost.size(candidate), 1.0) < floor:
                losses.drop(candidate, change)
                below.append(candidate)
    chosen = losses.chosen
    if len(chosen) == len(selection.indexes):
        return selection
    current = cost.workload_cost(chosen)
    dropped = tuple(
        (c, Rejection.BELOW_FLOOR if c in below else Rejection.DOMINATED)
        for c in selection.indexes
        if c not in chosen
    )
    stopped_by = selection.stopped_by
    if below and stopped_by == StopReason.EXHAUSTED:
        stopped_by = StopReason.BENEFIT_FLOOR
    return replace(
        selection,
        indexes=tuple(chosen),
        cost=current,
        size_bytes=sum(cost.size(c) for c in chosen),
        net_bytes=cost.net_bytes(chosen),
        rejected=(*selection.rejected, *dropped),
        optimal=selection.optimal and not dropped,
        stopped_by=stopped_by,
    )


def _paid_constraint_keys(
    cost: WhatIfCost, selection: Selection, catalog: Catalog
) -> tuple[Selection, dict[IndexCandidate, tuple[tuple[str, float, float], ...]]]:
    """Each chosen index whose key is a primary or unique key's (or a prefix of it), with what its
    index-only reads save: per statement whose plan under the selection reads it index-only, the
    statement's cost without it (the constraint's index serving) and with it. An index whose
    index-only reads save nothing is dropped (``CONSTRAINT_KEY``), and the rest judged again."""
    gains: dict[IndexCandidate, tuple[tuple[str, float, float], ...]] = {}
    dropped: list[IndexCandidate] = []
    chosen = list(selection.indexes)
    while True:
        keyed = [
            c
            for c in chosen
            if (t := catalog.table(c.table)) is not None and constraint_prefix(c, t) is not None
        ]
        if not keyed:
            break
        config = frozenset(chosen)
        tables = {c.table.key for c in keyed}
        near = [s for s in cost.statements if not tables.isdisjoint(cost.tables_of(s))]
        with_all = {s.name: a for s, a in zip(near, cost.costs([(s, config) for s in near]), strict=True)}
        gains = {}
        unpaid: IndexCandidate | None = None
        for c in keyed:
            readers = [s for s in near if c in with_all[s.name].index_only]
            without = cost.costs([(s, config - {c}) for s in readers])
            mine = tuple(
                (s.name, w.cost, with_all[s.name].cost)
                for s, w in zip(readers, without, strict=True)
                if w.error is None and with_all[s.name].cost < w.cost * (1 - 1e-9)
            )
            if not mine:
                unpaid = c
                break
            gains[c] = mine
        if unpaid is None:
            break
        chosen.remove(unpaid)
        dropped.append(unpaid)
    if not dropped:
        return selection, gains
    return (
        replace(
            selection,
            indexes=tuple(chosen),
            cost=cost.workload_cost(chosen),
            size_bytes=sum(cost.size(c) for c in chosen),
            net_bytes=cost.net_bytes(chosen),
            rejected=(*selection.rejected, *((c, Rejection.CONSTRAINT_KEY) for c in dropped)),
            optimal=False,
        ),
        gains,
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
    strict: bool = False,
) -> IndexAdvice:
    """Indexes for ``workload`` on ``catalog`` within ``budget``, costed by ``backend``.

    Raises :class:`DbarchError` only when nothing can be advised: no statement could be planned, or
    the budget is smaller than every index that would help.
    """
    started = time.monotonic()
    methods: frozenset[str] = getattr(backend, "index_methods", frozenset({"btree"}))
    terms = workload_terms(workload, catalog, traits.sqlglot_dialect)
    infos = generate_candidates(workload, catalog, traits, methods=methods, terms=terms)
    cost = WhatIfCost(backend, workload, catalog, traits)
    before = cost.statement_costs(frozenset())
    failed = [name for name, plan in before.items() if plan.error is not None]
    if strict and failed:
        raise DbarchError(
            Diagnostic(
                f"{len(failed)} statement(s) could not be planned on {backend.name} "
                f"(first: {failed[0]}: {before[failed[0]].error})",
                hint="fix the statement, or leave out --strict to advise on the others",
            )
        )
    if workload.statements and len(failed) == len(workload.statements):
        first = before[failed[0]].error
        raise DbarchError(
            Diagnostic(
                f"no statement could be planned on {backend.name} (first: {failed[0]}: {first})",
                hint="check that the database holds the brief's schema",
            )
        )
    selection = _select(algorithm, cost, infos, budget, catalog, progress)
    floor = 0.0
    if budget.floor_elasticity is not None and budget.data_bytes:
        floor = budget.floor_elasticity * selection.base_cost / budget.data_bytes
    selection = _prune(cost, selection, floor)
    selection, gains = _paid_constraint_keys(cost, selection, catalog)
    by_candidate = {info.candidate: info for info in infos}
    names = index_names(selection.indexes, catalog, traits.identifier_max_length)
    after = cost.statement_costs(frozenset(selection.indexes))
    effects = _effects(cost, before, after, names)
    checked_by = "planner" if backend.name == "hypopg" else "built-in model"
    users: dict[str, list[StatementEffect]] = {}
    for e in effects:
        for name in e.uses:
            users.setdefault(name, []).append(e)
    read_only: dict[IndexCandidate, list[str]] = {}
    for statement_name, plan in after.items():
        for c in plan.index_only:
            read_only.setdefault(c, []).append(statement_name)
    recommended: list[RecommendedIndex] = []
    for candidate in selection.indexes:
        table = catalog.table(candidate.table)
        if table is None:  # pragma: no cover - candidates come from the catalog
            continue
        ddl = create_index_sql(
            table,
            candidate.to_index(Name(names[candidate]), traits.identifier_max_length),
            traits,
            concurrently=True,
        )
        size = cost.size(candidate)
        rows_now = table.stats.rows if table.stats and table.stats.rows else 0.0
        growth = rows_at(table, horizon_days) / rows_now if rows_now else 1.0
        mine = users.get(names[candidate], [])
        helps = tuple((e.statement, e.before, e.after) for e in mine if e.after < e.before)
        # Plans that use it without getting cheaper: those of an index it replaces (as served).
        serves = tuple(e.statement for e in mine if e.after >= e.before)
        info = by_candidate.get(candidate)
        index_only = tuple(read_only.get(candidate, ()))
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
                info.reasons if info else _merged_reasons(candidate, infos),
                replaces=tuple(i.name.value for i in cost.replaces(candidate)),
                serves=serves,
                index_only=index_only,
                constraint=constraint_prefix(candidate, table),
                index_only_gain=gains.get(candidate, ()),
                checked_by=checked_by
                if checked_by == "planner" or candidate.method is None
                else f"built-in model's {candidate.method.upper()} rule",
            )
        )
    touched = sorted({a.table.value for s in workload.statements for a in s.tables})
    notes: list[str] = list(backend.caveats(touched))
    left_out = list(workload.left_out) + [
        (name, f"cannot be planned: {before[name].error}") for name in failed
    ]
    if left_out:
        notes.append(
            f"{len(left_out)} statement(s) left out of the advice: {', '.join(n for n, _ in left_out)}"
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
    existing = _existing_findings(cost, workload, traits, recommended, before, after)
    notes.extend(_stop_notes(selection, budget))
    if any(r.replaces for r in recommended) and not getattr(backend, "hides_existing", False):
        notes.append(
            f"costs after assume the replaced indexes still exist: {backend.name} cannot plan without a "
            "real index (HypoPG 1.4's hypopg_hide_index can); the replacing index serves every lookup "
            "they serve"
        )
    return IndexAdvice(
        engine=str(traits),
        backend=backend.name,
        settings=dict(backend.settings()),
        algorithm=selection.algorithm,
        budget=replace(budget, work_limit=selection.work_limit),
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
        stopped_by=selection.stopped_by.value,
        left_out=tuple(left_out),
        net_bytes=selection.net_bytes if selection.net_bytes is not None else selection.size_bytes,
        reproducible=selection.stopped_by != StopReason.TIME_LIMIT,
    )


def _stop_notes(selection: Selection, budget: Budget) -> list[str]:
    """What the work budget or the safety net did to the search, when one of them stopped it."""
    if selection.stopped_by == StopReason.TIME_LIMIT:
        return [
            f"NOT REPRODUCIBLE: the wall-clock safety net ({budget.time_limit_s:g} s) stopped the index "
            f"search before its work budget ({selection.work_limit:,} planner calls) was spent, so this "
            "advice depends on this machine's speed and load and another run may differ; raise the time "
            "limit (--time-limit) or lower the work budget (--work-limit) for reproducible advice"
        ]
    if selection.stopped_by == StopReason.WORK_LIMIT:
        return [
            f"the index search stopped at its work budget of {selection.work_limit:,} planner calls "
            "(reproducible: the same brief gets the same advice on any machine); the candidates it did "
            "not reach are rejected as work_limit, and a larger budget (--work-limit) may find a cheaper set"
        ]
    return []


def _merged_reasons(candidate: IndexCandidate, infos: tuple[CandidateInfo, ...]) -> tuple[str, ...]:
    """The reasons of the candidates a merged index carries (it was made by the search)."""
    mine = candidate_shape(candidate)
    reasons: list[str] = []
    for info in infos:
        if dominates(mine, candidate_shape(info.candidate)):
            for reason in info.reasons:
                if reason not in reasons:
                    reasons.append(reason)
    return (*reasons[:4], "merged: one index serving what its siblings served") if reasons else ()


def _existing_findings(
    cost: WhatIfCost,
    workload: Workload,
    traits: EngineTraits,
    recommended: list[RecommendedIndex],
    before: dict[str, PlanCost],
    after: dict[str, PlanCost],
) -> tuple[ExistingIndexFinding, ...]:
    """Existing indexes to drop: those a recommended index replaces (one move with it), then the
    duplicates, left prefixes and indexes no plan uses, judged on the plans after the advice."""
    catalog = cost.catalog
    replaced: list[ExistingIndexFinding] = []
    done: set[tuple[str, str]] = set()
    for rec in recommended:
        table = catalog.table(rec.candidate.table)
        for index in cost.replaces(rec.candidate):
            key = (rec.candidate.table.key, index.name.key)
            if table is None or key in done:
                continue
            done.add(key)
            users = sorted(s for s, plan in before.items() if index.name.value in _names(plan.existing_used))
            replaced.append(
                ExistingIndexFinding(
                    index=index.name.value,
                    table=table.name.value,
                    kind=FindingKind.REPLACED,
                    reason=f"replaced by {rec.name}, which serves every lookup it serves and holds its "
                    "columns",
                    bytes_saved=cost.existing_size(table, index),
                    drop_sql=drop_index_sql(table, index, traits),
                    covered_by=rec.name,
                    write_cost_saved=cost.existing_maintenance(table, index),
                    evidence=tuple(users),
                )
            )
    used: dict[str, bool] = {}
    for plan in after.values():
        for name in plan.existing_used:
            used[name.lower()] = True
    # The planner judges every index; the built-in model plans B-trees only (a GIN, GiST or BRIN
    # index serves operators it does not model, so it is left to the access-path rule's caution).
    judged = {
        index.name.value: used.get(index.name.key, False) or used.get(index.name.value.lower(), False)
        for table in catalog.tables
        for index in table.indexes
        if cost.backend.name == "hypopg" or index.method in (None, "btree")
    }
    others = analyze_existing(
        catalog,
        workload,
        judged,
        traits,
        skip=frozenset(done),
        sizes=cost.existing_size,
        upkeep=cost.existing_maintenance,
        judge="the planner's plans" if cost.backend.name == "hypopg" else "the built-in model's plans",
    )
    return (*replaced, *others)


def _names(names: frozenset[str]) -> set[str]:
    return set(names) | {n.lower() for n in names}


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
        kept = tuple(i for i in table.indexes if not any(i.name.matches(r) for r in rec.replaces))
        catalog = catalog.replace_table(replace(table, indexes=(*kept, index)))
    return catalog
