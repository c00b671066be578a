"""Greedy index selection with swaps: Extend-style growth, then a DTA-style swap phase.

The growth phase follows Extend (Schlosser, Kossmann, Boissier: "Efficient Scalable Multi-Attribute
Index Selection Using Recursive Strategies", ICDE 2019), adapted to a given candidate set: starting
from no new index, each step takes the move with the best benefit per extra byte, where a move is

- adding a candidate (narrow ones win on the ratio, wide ones when they are worth their bytes), or
- merging it with the chosen indexes it is a sibling of (one key a prefix of the other: see
  :mod:`.hygiene`): the merged index has the longer key and the union of the INCLUDE columns and
  replaces them — which is Extend's widening of a chosen index when the candidate carries it, and
  keeps the configuration free of near-duplicates a DBA would send back;

and benefit is the drop in workload cost: Σ rate × plan cost plus the maintenance the indexes add
to the workload's writes (less that of the existing indexes a chosen one replaces), so tables
written often resist indexes. It stops when no move fits the budget, lowers the cost and clears the
benefit floor (``Budget.floor_elasticity``). The swap phase (after the Database Tuning Advisor's
search, Chaudhuri & Narasayya, VLDB 1997 / 2004) then drops one chosen index at a time and refills
the freed budget greedily, by ratio and by absolute benefit, and tries the unchosen candidates with
the largest benefit of their own in place of the chosen ones that lose least per byte, keeping any
change that lowers the cost — it keeps using budget where the ratio greedy stalls. Each trial
refills from the candidates near the change (on tables sharing a statement with it) and the best
unchosen ones, so a pass costs in proportion to the configuration, and the phase runs a fixed number
of passes (``SWAP_PASSES``): its work, and so the answer, never depends on the machine's speed.

What keeps planner calls down (they are most of the time spent):

- a seed of one plan per statement holding all its candidates at once, repeated without the
  candidates chosen so far (a few rounds): candidates the planner never uses in any seed plan are
  pruned (rejected ``NO_BENEFIT``);
- deltas per statement: a move on table ``t`` re-plans only the statements touching ``t``, and
  :class:`~dbarchitect.advisors.indexes.cost.WhatIfCost` caches by the indexes relevant to each
  statement;
- lazy evaluation (CELF, Leskovec et al., KDD 2007): a move's last benefit is an upper bound to
  re-check only when it reaches the top of the queue, a few at a time in one batch.

Anytime, and reproducible: the search stops when its work budget (``Budget.work_limit`` planner
calls, by default scaled to the workload: see :func:`~.selection.default_work_limit`) is spent, and
returns the best configuration so far with ``stopped_early=True`` and ``stopped_by=work_limit``;
since it counts calls, not seconds, the same brief gets the same answer on any machine. The wall
clock (``Budget.time_limit_s``) is only a safety net: when it stops the search, ``stopped_by`` is
``time_limit`` and the advice says it is not reproducible. A last sweep (:func:`~.state.finish`)
costs every remaining candidate on the final configuration (adding any that still fits and helps)
and gives each rejection its reason.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.cost import WhatIfCost
from dbarchitect.advisors.indexes.hygiene import are_siblings, candidate_shape
from dbarchitect.advisors.indexes.selection import (
    Budget,
    Candidates,
    Progress,
    Selection,
    candidate_list,
    default_work_limit,
    stop_reason,
    write_allowance,
)
from dbarchitect.advisors.indexes.state import (
    EVALUATION_BATCH,
    ConfigurationCost,
    Move,
    SearchLimit,
    acceptable,
    alone_deltas,
    benefit_floor,
    finish,
    order_key,
    ordered,
    rejections,
    seed_plans,
)
from dbarchitect.model.catalog import Catalog

#: Unchosen candidates with the largest own benefit that the swap phase tries to make room for.
SWAP_CANDIDATES = 10
#: Passes of the swap phase (each tries every chosen index once); a fixed amount of work, not a
#: number of seconds, so the same brief always gets the same answer.
SWAP_PASSES = 2
#: Planner calls the swap phase may make, as a multiple of those the growth phase made: the local
#: search polishes, it must not cost several times the search itself. Measured on TPC-H SF1 at 1 GB
#: (HypoPG, equal weights): no swap 0.572, this cap 0.569, three unbounded passes 0.567 for four
#: times the calls. Counted in calls, not seconds, so the answer never depends on the machine's speed.
SWAP_CALLS_PER_GROWTH_CALL = 1.0


@dataclass(order=True)
class _Entry:
    priority: float
    order: int
    move: Move = field(compare=False)
    evaluated_at: int = field(compare=False)
    delta: float = field(compare=False)


class _Fill:
    """One lazy greedy run over a configuration: add candidates (merged with their chosen siblings)
    while a move fits the budget, lowers the cost and clears the benefit floor, best ``key`` first
    (``ratio``: benefit per extra byte; ``benefit``: absolute)."""

    def __init__(
        self,
        state: ConfigurationCost,
        pool: Sequence[IndexCandidate],
        bounds: dict[IndexCandidate, float],
        budget: Budget,
        allowance: dict[str, int],
        limit: SearchLimit,
        key: str = "ratio",
        exclude: frozenset[IndexCandidate] = frozenset(),
        floor: float = 0.0,
    ) -> None:
        self.state = state
        self.pool = [c for c in pool if c not in exclude]
        self.bounds = bounds
        self.budget = budget
        self.allowance = allowance
        self.limit = limit
        self.key = key
        self.floor = floor
        self.heap: list[_Entry] = []
        self.counter = itertools.count()
        self.seen: set[Move] = set()
        self.exclude = exclude
        #: Set when the ratio fill stopped because the best move was below the floor.
        self.floor_hit = False
        #: The pool by table: only candidates on a chosen index's table can be its siblings.
        self.pool_by_table: dict[str, list[IndexCandidate]] = {}
        for c in self.pool:
            self.pool_by_table.setdefault(c.table.key, []).append(c)
        for c in self.pool:
            if c not in state.config:
                move = state.normalize(Move(add=(c,)))
                if move is not None:
                    self._push(move, bounds.get(c, 0.0), evaluated_at=-1)
        for table in sorted(self.pool_by_table):
            for chosen in ordered(state._on_table(table)):
                self._push_merges(chosen)

    def _push(self, move: Move, delta: float, evaluated_at: int) -> None:
        self.seen.add(move)
        priority = -self._score(move, delta) if evaluated_at >= 0 or delta < 0 else math.inf
        heapq.heappush(self.heap, _Entry(priority, next(self.counter), move, evaluated_at, delta))

    def _push_merges(self, chosen: IndexCandidate) -> None:
        """Moves merging ``chosen`` with each sibling candidate of the pool (widening it by a column
        or by INCLUDE columns), bounded by the candidate's own benefit."""
        mine = candidate_shape(chosen)
        for c in self.pool_by_table.get(chosen.table.key, ()):
            if c in self.state.config or not are_siblings(mine, candidate_shape(c)):
                continue
            move = self.state.normalize(Move(add=(c,)))
            if move is not None and move not in self.seen:
                # Unknown benefit: at most the candidate's own, so use it as the bound.
                self._push(move, self.bounds.get(c, 0.0), evaluated_at=-1)

    def _score(self, move: Move, delta: float) -> float:
        benefit = -delta
        if self.key == "benefit" or benefit <= 0:
            return benefit
        return benefit / max(self.state.effect(move).bytes, 1.0)

    def _current(self, move: Move) -> Move | None:
        """``move`` as it stands on the current configuration (re-normalized when a sibling has been
        chosen since it was queued), ``None`` when it no longer applies."""
        config = self.state.config
        if any(c not in config for c in move.remove) or any(c in config for c in move.add):
            return None
        return self.state.normalize(Move(add=move.add, remove=move.remove))

    def run(self) -> int:
        """Apply moves until none helps; returns how many were applied."""
        applied = 0
        eps = 1e-9 * max(1.0, abs(self.state.total))
        while self.heap:
            if self.limit.expired():
                break
            top = self.heap[0]
            if top.priority >= 0 and top.evaluated_at >= 0 and self.state.fresh(top.move, top.evaluated_at):
                # The best known move does not lower the cost. (A stale one is costed again below:
                # index benefits are not submodular, so a candidate that helped nothing alone may
                # pay once a partner is chosen, e.g. both sides of a join.)
                break
            current = self._current(top.move)
            if current != top.move:
                heapq.heappop(self.heap)
                if current is not None and current not in self.seen:
                    self._push(current, top.delta, evaluated_at=-1)
                continue
            if not self.state.fits(top.move, self.budget, self.allowance):
                heapq.heappop(self.heap)
                continue
            if top.evaluated_at >= 0 and self.state.fresh(top.move, top.evaluated_at):
                heapq.heappop(self.heap)
                if top.delta >= -eps:
                    break
                if not acceptable(self.state, top.move, top.delta, self.floor):
                    if self.key == "ratio":
                        # Best benefit per byte first: nothing after it clears the floor either.
                        self.floor_hit = True
                        break
                    continue
                self.state.apply(top.move)
                applied += 1
                for c in top.move.add:
                    self._push_merges(c)
                continue
            batch: list[_Entry] = []
            while self.heap and len(batch) < EVALUATION_BATCH:
                entry = heapq.heappop(self.heap)
                current = self._current(entry.move)
                if current != entry.move:
                    if current is not None and current not in self.seen:
                        self._push(current, entry.delta, evaluated_at=-1)
                    continue
                if not self.state.fits(entry.move, self.budget, self.allowance):
                    continue
                if (
                    batch
                    and entry.priority >= 0
                    and entry.evaluated_at >= 0
                    and self.state.fresh(entry.move, entry.evaluated_at)
                ):
                    heapq.heappush(self.heap, entry)
                    break
                batch.append(entry)
            step = self.state.step
            for entry, (delta, _) in zip(batch, self.state.deltas([e.move for e in batch]), strict=True):
                if math.isfinite(delta):
                    self._push(entry.move, delta, evaluated_at=step)
        return applied


@dataclass(frozen=True)
class _Bounds:
    """Benefit bounds for refills in the swap phase: each candidate's own benefit (``alone``) and its
    marginal benefit on the configuration the pass started from (``marginal``)."""

    alone: dict[IndexCandidate, float]
    marginal: dict[IndexCandidate, float]

    #: Tables changed since the marginal benefits were costed (their candidates' bounds are stale).
    stale: set[str] = field(default_factory=set)

    def near(
        self, state: ConfigurationCost, changed: frozenset[str], pool: Sequence[IndexCandidate]
    ) -> dict[IndexCandidate, float]:
        """Bounds for ``pool`` after indexes on the ``changed`` tables were added or removed: a
        candidate costed on statements that touch none of them keeps its marginal benefit (exact: its
        statements' plans did not change); the others get back their own benefit, an optimistic bound."""
        touched: set[int] = set()
        for table in changed | self.stale:
            touched.update(state.by_table.get(table, ()))
        out: dict[IndexCandidate, float] = {}
        for c in pool:
            if c not in self.alone:
                continue
            mine = state.by_table.get(c.table.key, ())
            near = c not in self.marginal or any(i in touched for i in mine)
            out[c] = self.alone[c] if near else self.marginal[c]
        return out


class _Neighbourhood:
    """Which candidates a change on some tables can interact with: those on tables that share a
    statement with them, plus the best unchosen candidates anywhere (the freed bytes may go there)."""

    def __init__(
        self, state: ConfigurationCost, pool: Sequence[IndexCandidate], bounds: dict[IndexCandidate, float]
    ) -> None:
        self.pool = pool
        self.linked: dict[str, set[str]] = {}
        for tables in state.tables:
            for t in tables:
                self.linked.setdefault(t, set()).update(tables)
        self.by_table: dict[str, list[IndexCandidate]] = {}
        for c in pool:
            self.by_table.setdefault(c.table.key, []).append(c)
        self.best = sorted((c for c in pool if c in bounds), key=lambda c: (bounds[c], order_key(c)))
        self.position = {c: n for n, c in enumerate(pool)}

    def around(self, tables: frozenset[str], config: frozenset[IndexCandidate]) -> list[IndexCandidate]:
        near: set[str] = set()
        for t in tables:
            near.update(self.linked.get(t, {t}))
        found = {c for t in near for c in self.by_table.get(t, ())}
        best: list[IndexCandidate] = []
        for c in self.best:
            if len(best) >= 2 * SWAP_CANDIDATES:
                break
            if c not in config:
                best.append(c)
        found.update(best)
        return sorted(found, key=self.position.__getitem__)


def _add_and_evict(
    best: ConfigurationCost,
    wanted: IndexCandidate,
    losses_before: dict[IndexCandidate, float],
    area: _Neighbourhood,
    bounds: _Bounds,
    budget: Budget,
    allowance: dict[str, int],
    limit: SearchLimit,
    floor: float,
) -> ConfigurationCost:
    """Add ``wanted`` (merged with its chosen siblings), then evict the chosen indexes that lose least
    per byte freed (``losses_before``: each one's loss on ``best``, re-costed with ``wanted`` in place
    where it can differ) until the configuration fits again, then refill what is left greedily."""
    move = best.normalize(Move(add=(wanted,)))
    if move is None:
        return best
    trial = best.copy()
    trial.apply(move)
    others = [c for c in ordered(trial.config) if c not in move.add]
    # Re-cost the losses only where ``wanted`` can change them (indexes sharing a statement with it).
    shared = set(trial.by_table.get(wanted.table.key, ()))
    near = [c for c in others if not shared.isdisjoint(trial.by_table.get(c.table.key, ()))]
    losses = {c: losses_before.get(c, 0.0) for c in others}
    losses.update(zip(near, (d for d, _ in trial.deltas([Move(remove=(c,)) for c in near])), strict=True))
    size = trial.cost.size
    # Indexes on a table over its write allowance go first, then the cheapest loss per byte.
    for c in sorted(others, key=lambda c: (losses[c] / max(size(c), 1.0), order_key(c))):
        if trial.within(budget, allowance):
            break
        over_storage = budget.storage_bytes is not None and trial.bytes > budget.storage_bytes
        over_table = c.table.key in allowance and trial.counts.get(c.table.key, 0) > allowance[c.table.key]
        if over_storage or over_table:
            trial.apply(Move(remove=(c,)))
    if not trial.within(budget, allowance):
        return best
    changed = frozenset(c.table.key for c in best.config ^ trial.config)
    pool = area.around(changed, trial.config)
    _Fill(
        trial, pool, bounds.near(trial, changed, pool), budget, allowance, limit, "ratio", floor=floor
    ).run()
    return trial


def _drop_and_refill(
    best: ConfigurationCost,
    dropped: IndexCandidate,
    area: _Neighbourhood,
    bounds: _Bounds,
    budget: Budget,
    allowance: dict[str, int],
    limit: SearchLimit,
    floor: float,
) -> ConfigurationCost:
    """Drop one chosen index and refill the freed budget greedily, by ratio and by absolute benefit;
    the better of the two."""
    trials: list[ConfigurationCost] = []
    changed = frozenset({dropped.table.key})
    pool = area.around(changed, best.config)
    near = bounds.near(best, changed, pool)
    for key in ("ratio", "benefit"):
        trial = best.copy()
        trial.apply(Move(remove=(dropped,)))
        _Fill(trial, pool, near, budget, allowance, limit, key, frozenset({dropped}), floor).run()
        trials.append(trial)
    return min(trials, key=lambda t: t.total)


def _marginal(state: ConfigurationCost, rest: Sequence[IndexCandidate]) -> dict[IndexCandidate, float]:
    moves = {c: state.normalize(Move(add=(c,))) for c in rest}
    valid = [c for c in rest if moves[c] is not None]
    found = state.deltas([m for m in (moves[c] for c in valid) if m is not None])
    return {c: d for c, (d, _) in zip(valid, found, strict=True)}


def _swap(
    state: ConfigurationCost,
    pool: Sequence[IndexCandidate],
    bounds: dict[IndexCandidate, float],
    budget: Budget,
    allowance: dict[str, int],
    limit: SearchLimit,
    floor: float,
    progress: Progress | None,
    done: int,
    total: int,
    max_calls: float = math.inf,
) -> ConfigurationCost:
    """Local search around the greedy answer, ``SWAP_PASSES`` passes at most, each keeping every
    change that lowers the cost:

    1. drop the chosen indexes whose removal no longer raises the cost (a later, wider one carries
       them), freeing their bytes;
    2. add each of the ``SWAP_CANDIDATES`` unchosen candidates with the largest benefit of their own,
       evicting the chosen indexes that lose least per byte until it fits, and refill;
    3. drop each chosen index in turn and refill its bytes greedily (by ratio and by absolute benefit).
    """
    best = state
    area = _Neighbourhood(state, pool, bounds)
    start = state.cost.calls

    def spent() -> bool:
        return limit.expired() or state.cost.calls - start >= max_calls

    for _ in range(SWAP_PASSES):
        if spent():
            break
        improved = False
        eps = 1e-9 * max(1.0, abs(best.total))
        while not limit.expired():
            config = ordered(best.config)
            losses = {
                c: d
                for c, (d, _) in zip(config, best.deltas([Move(remove=(c,)) for c in config]), strict=True)
            }
            free = next((c for c, d in losses.items() if d <= 0.0), None)
            if free is None:
                break
            best = best.copy()
            best.apply(Move(remove=(free,)))
            improved = True
        pass_bounds = _Bounds(bounds, _marginal(best, [c for c in pool if c not in best.config]))
        room = math.inf if budget.storage_bytes is None else budget.storage_bytes
        big = [
            c
            for c in area.best
            if c not in best.config
            and best.cost.size(c) <= room
            and best.normalize(Move(add=(c,))) is not None
        ][:SWAP_CANDIDATES]
        small_first = sorted(best.config, key=lambda c: (best.cost.size(c), order_key(c)))
        moves: list[tuple[str, IndexCandidate]] = [("add", c) for c in big] + [
            ("drop", c) for c in small_first
        ]
        for n, (kind, c) in enumerate(moves):
            if spent():
                break
            if progress is not None:
                done = max(done, done + (total - done) * n // max(1, len(moves) * 2))
                progress(done, total, best.total)
            if kind == "add":
                if c in best.config:
                    continue
                trial = _add_and_evict(best, c, losses, area, pass_bounds, budget, allowance, limit, floor)
            else:
                if c not in best.config:
                    continue
                trial = _drop_and_refill(best, c, area, pass_bounds, budget, allowance, limit, floor)
            if trial.total < best.total - eps and trial.within(budget, allowance):
                pass_bounds.stale.update(c.table.key for c in best.config ^ trial.config)
                best = trial
                improved = True
        if not improved:
            break
    return best


def select_greedy(
    cost: WhatIfCost,
    candidates: Candidates,
    budget: Budget | None = None,
    catalog: Catalog | None = None,
    progress: Progress | None = None,
) -> Selection:
    """Choose indexes from ``candidates`` for ``cost``'s workload within ``budget`` (Extend-style
    growth, then swaps). ``catalog`` (default: ``cost.catalog``) tells which indexes exist, for the
    write-amplification budget. See the module docstring for the method."""
    budget = budget or Budget()
    calls = cost.calls
    pool = candidate_list(candidates)
    work_limit = budget.work_limit
    if work_limit is None:
        work_limit = default_work_limit([cost.tables_of(s) for s in cost.statements], pool)
    limit = SearchLimit(cost, work_limit, budget.time_limit_s)
    allowance = write_allowance(catalog or cost.catalog, cost.workload, budget)
    state = ConfigurationCost(cost)
    base_cost = state.total
    floor = benefit_floor(state, budget)
    total_work = 3 * len(pool)

    used, reports = seed_plans(state, pool)
    seen_used = frozenset(c for sets in used.values() for u in sets for c in u)
    pruned = frozenset(c for c in pool if c not in seen_used) if reports else frozenset()
    kept = [c for c in pool if c not in pruned]
    if reports:
        # Cost each candidate on the statements whose seed plans took it, not on every statement
        # of its table (a planner that reports used indexes has told us where each one can help).
        state.learn(kept)

    alone = alone_deltas(state, kept, limit, progress, total_work)
    eps = 1e-9 * max(1.0, abs(base_cost))
    useful = [c for c in kept if c in alone and alone[c][0] < -eps]
    bounds = {c: alone[c][0] for c in kept if c in alone}

    fill = _Fill(state, useful, bounds, budget, allowance, limit, "ratio", floor=floor)
    fill.run()
    if progress is not None:
        progress(2 * len(pool), total_work, state.total)
    growth_calls = max(cost.calls - calls, len(pool))
    state = _swap(
        state,
        useful,
        bounds,
        budget,
        allowance,
        limit,
        floor,
        progress,
        2 * len(pool),
        total_work,
        max_calls=SWAP_CALLS_PER_GROWTH_CALL * growth_calls,
    )

    marginal = finish(state, useful, budget, allowance, limit, floor)
    chosen = tuple(ordered(state.config))
    final = cost.workload_cost(chosen)
    if progress is not None:
        progress(total_work, total_work, final)
    rejected = rejections(state, pool, alone, marginal, pruned, allowance, budget, floor, limit.not_reached())
    return Selection(
        algorithm="greedy",
        indexes=chosen,
        base_cost=base_cost,
        cost=final,
        size_bytes=sum(cost.size(c) for c in chosen),
        optimal=False,
        seconds=limit.elapsed,
        planner_calls=cost.calls - calls,
        rejected=rejected,
        stopped_early=limit.hit is not None,
        stopped_by=stop_reason(rejected, limit.hit),
        net_bytes=cost.net_bytes(chosen),
        work_limit=work_limit,
    )
