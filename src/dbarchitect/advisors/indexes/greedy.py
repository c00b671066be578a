"""Greedy index selection with swaps: Extend-style growth, then a DTA-style swap phase.

The growth phase follows Extend (Schlosser, Kossmann, Boissier: "Efficient Scalable Multi-Attribute
Index Selection Using Recursive Strategies", ICDE 2019), adapted to a given candidate set: starting
from no new index, each step takes the move with the best benefit per extra byte, where a move is

- adding a candidate (narrow ones win on the ratio, wide ones when they are worth their bytes), or
- widening a chosen index: replacing it with a candidate whose key starts with its keys (a column
  appended) or that covers it (INCLUDE columns added) — so multi-column indexes grow one step at a
  time, as in Extend,

and benefit is the drop in workload cost: Σ rate × plan cost plus the maintenance the indexes add
to the workload's writes, so tables written often resist indexes. It stops when no move fits the
budget and improves the cost. The swap phase (after the Database Tuning Advisor's search, Chaudhuri
& Narasayya, VLDB 1997 / 2004) then drops one chosen index at a time and refills the freed budget
greedily, by ratio and by absolute benefit, keeping any change that lowers the cost — it keeps using
budget where the ratio greedy stalls.

What keeps planner calls down (they are most of the time spent):

- a seed of one plan per statement holding all its candidates at once, repeated without the
  candidates chosen so far (a few rounds): candidates the planner never uses in any seed plan are
  pruned (rejected ``NO_BENEFIT``);
- deltas per statement: a move on table ``t`` re-plans only the statements touching ``t``, and
  :class:`~dbarchitect.advisors.indexes.cost.WhatIfCost` caches by the indexes relevant to each
  statement;
- lazy evaluation (CELF, Leskovec et al., KDD 2007): a move's last benefit is an upper bound to
  re-check only when it reaches the top of the queue, a few at a time in one batch.

Anytime: when ``Budget.time_limit_s`` runs out, the best configuration so far is returned with
``stopped_early=True``. A last sweep costs every remaining candidate on the final configuration
(adding any that still fits and helps) and gives each rejection its reason. :class:`ConfigurationCost`,
:func:`seed_plans`, :func:`finish` and :func:`rejections` are shared with the exact search.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.cost import PlanCost, WhatIfCost
from dbarchitect.advisors.indexes.selection import (
    Budget,
    Candidates,
    Progress,
    Rejection,
    Selection,
    candidate_list,
    write_allowance,
)
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Statement

#: Moves re-costed together when the lazy queue needs fresh numbers (one backend batch).
EVALUATION_BATCH = 8
#: Seed rounds: plans with all of a statement's candidates, then without the ones used so far.
SEED_ROUNDS = 3
#: Unchosen candidates with the largest own benefit that the swap phase tries to make room for.
SWAP_CANDIDATES = 10
#: Seconds the swap phase may run (within the caller's time limit). Each improving swap restarts the
#: pass and every trial refills greedily, so at large budgets (many chosen indexes) the local search
#: can go on for many minutes for fractions of a percent; it keeps the best configuration found.
SWAP_SECONDS = 15.0


def order_key(candidate: IndexCandidate) -> tuple[str, str, bool]:
    """A total, stable order of candidates (their dataclass order fails when only some are partial)."""
    return (candidate.table.key, candidate.key, candidate.unique)


def ordered(candidates: Iterable[IndexCandidate]) -> list[IndexCandidate]:
    return sorted(candidates, key=order_key)


def _weighted(statement: Statement, answer: PlanCost) -> float:
    """rate × cost; a statement that fails to plan counts nothing, as in ``WhatIfCost.query_cost``."""
    return statement.rate * answer.cost if answer.error is None and math.isfinite(answer.cost) else 0.0


class Deadline:
    """The search's clock: seconds since start and whether ``Budget.time_limit_s`` has run out."""

    def __init__(self, limit_s: float | None) -> None:
        self.start = time.monotonic()
        self.limit_s = limit_s
        self.hit = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start

    @property
    def remaining(self) -> float:
        return math.inf if self.limit_s is None else self.limit_s - self.elapsed

    def expired(self) -> bool:
        if self.remaining <= 0:
            self.hit = True
        return self.hit


@dataclass(frozen=True)
class Move:
    """A change of configuration: indexes added and indexes removed."""

    add: tuple[IndexCandidate, ...] = ()
    remove: tuple[IndexCandidate, ...] = ()

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(c.table.key for c in (*self.add, *self.remove))


class ConfigurationCost:
    """One configuration's workload cost, kept per statement so that a move is costed on the
    statements it can change only.

    Applying a move re-plans every statement touching a table it adds or removes an index on, so
    :attr:`total` is always the configuration's real workload cost. Estimating a move
    (:meth:`deltas`) re-plans fewer: for an added candidate, the statements whose plans have used it
    so far (every statement on its table until it has been costed once on all of them — see
    :meth:`learn`); for a removed index, the statements whose current plans use it. Which indexes a
    plan uses is the planner's own answer (``PlanCost.used``), a strong signal that keeps planner
    calls near one per (candidate, statement it helps) instead of per statement on its table.

    Statements that fail to plan without any new index are left out (as
    :meth:`WhatIfCost.query_cost` does); a move under which a statement fails to plan is refused.
    """

    def __init__(self, cost: WhatIfCost, config: Iterable[IndexCandidate] = ()) -> None:
        self.cost = cost
        self.config = frozenset(config)
        base = cost.costs([(s, frozenset()) for s in cost.statements])
        plannable = [
            (s, p)
            for s, p in zip(cost.statements, base, strict=True)
            if p.error is None and math.isfinite(p.cost)
        ]
        self.statements: tuple[Statement, ...] = tuple(s for s, _ in plannable)
        self.by_table: dict[str, tuple[int, ...]] = {}
        for i, s in enumerate(self.statements):
            for table in sorted({a.table.key for a in s.tables}):
                self.by_table[table] = (*self.by_table.get(table, ()), i)
        #: Per statement, the keys of the tables whose indexes can change its cost.
        self.tables: list[frozenset[str]] = [cost.tables_of(s) for s in self.statements]
        if self.config:
            answers = cost.costs([(s, self.config) for s in self.statements])
        else:
            answers = [p for _, p in plannable]
        self.per_statement = [_weighted(s, p) for s, p in zip(self.statements, answers, strict=True)]
        #: Indexes each statement's current plan uses.
        self.uses: list[frozenset[IndexCandidate]] = [p.used for p in answers]
        self.maintenance = sum(cost.maintenance(c) for c in self.config)
        #: Step at which each statement's cost last changed (for the lazy queue's freshness test).
        self.changed = [0] * len(self.statements)
        self.step = 0
        #: Statements whose plans have used each candidate, and the candidates costed on every
        #: statement of their table (shared by copies: it is knowledge about the planner).
        self.helps: dict[IndexCandidate, set[int]] = {}
        self.known: set[IndexCandidate] = set()
        self._by_table_config: dict[str, frozenset[IndexCandidate]] = {}
        for i, p in enumerate(answers):
            self._saw(i, p)

    def _saw(self, i: int, answer: PlanCost) -> None:
        for c in answer.used:
            self.helps.setdefault(c, set()).add(i)

    def learn(self, candidates: Iterable[IndexCandidate]) -> None:
        """Mark ``candidates`` as costed on every statement of their table: from now on an added
        candidate is re-costed only on the statements whose plans have used it."""
        self.known.update(candidates)

    @property
    def total(self) -> float:
        return sum(self.per_statement) + self.maintenance

    def copy(self) -> ConfigurationCost:
        other = object.__new__(ConfigurationCost)
        other.__dict__.update(self.__dict__)
        other.per_statement = list(self.per_statement)
        other.uses = list(self.uses)
        other.changed = list(self.changed)
        other._by_table_config = dict(self._by_table_config)
        return other

    def touching(self, move: Move) -> tuple[int, ...]:
        """Every statement on a table the move adds or removes an index on."""
        found: set[int] = set()
        for table in move.tables:
            found.update(self.by_table.get(table, ()))
        return tuple(sorted(found))

    def affected(self, move: Move) -> tuple[int, ...]:
        """The statements a move is estimated on (see the class docstring)."""
        found: set[int] = set()
        for c in move.add:
            if c in self.known:
                found.update(self.helps.get(c, ()))
            else:
                found.update(self.by_table.get(c.table.key, ()))
        for c in move.remove:
            found.update(i for i in self.by_table.get(c.table.key, ()) if c in self.uses[i])
        return tuple(sorted(found))

    def after(self, move: Move) -> frozenset[IndexCandidate]:
        return (self.config - frozenset(move.remove)) | frozenset(move.add)

    def _on_table(self, table: str) -> frozenset[IndexCandidate]:
        """The configuration's indexes on ``table`` (kept per table, so a statement's relevant set is
        built from its tables' parts instead of filtering the whole configuration)."""
        found = self._by_table_config.get(table)
        if found is None:
            found = self._by_table_config[table] = frozenset(c for c in self.config if c.table.key == table)
        return found

    def relevant_after(self, i: int, move: Move) -> frozenset[IndexCandidate]:
        """The indexes relevant to statement ``i`` once ``move`` is applied."""
        tables = self.tables[i]
        parts = [self._on_table(t) for t in tables]
        current = parts[0] if len(parts) == 1 else frozenset[IndexCandidate]().union(*parts)
        removed = [c for c in move.remove if c.table.key in tables]
        added = [c for c in move.add if c.table.key in tables]
        if removed:
            current = current - frozenset(removed)
        if added:
            current = current | frozenset(added)
        return current

    def deltas(self, moves: Sequence[Move]) -> list[tuple[float, float]]:
        """For each move, the estimated (change of workload cost, change of query cost alone); one
        backend batch. ``inf`` when a statement fails to plan under the move."""
        pairs: list[tuple[Statement, frozenset[IndexCandidate]]] = []
        spans: list[tuple[int, int, tuple[int, ...]]] = []
        for move in moves:
            touched = self.affected(move)
            spans.append((len(pairs), len(pairs) + len(touched), touched))
            pairs.extend((self.statements[i], self.relevant_after(i, move)) for i in touched)
        answers = self.cost.relevant_costs(pairs)
        results: list[tuple[float, float]] = []
        for move, (lo, hi, touched) in zip(moves, spans, strict=True):
            query = 0.0
            for i, answer in zip(touched, answers[lo:hi], strict=True):
                self._saw(i, answer)
                if answer.error is not None or not math.isfinite(answer.cost):
                    query = math.inf
                    break
                query += self.statements[i].rate * answer.cost - self.per_statement[i]
            upkeep = sum(self.cost.maintenance(c) for c in move.add) - sum(
                self.cost.maintenance(c) for c in move.remove
            )
            results.append((query + upkeep, query))
        return results

    def apply(self, move: Move) -> None:
        """Change the configuration, re-planning every statement the move can change."""
        config = self.after(move)
        touched = self.touching(move)
        answers = self.cost.relevant_costs(
            [(self.statements[i], self.relevant_after(i, move)) for i in touched]
        )
        for table in move.tables:
            self._by_table_config.pop(table, None)
        self.step += 1
        for i, answer in zip(touched, answers, strict=True):
            self._saw(i, answer)
            self.per_statement[i] = _weighted(self.statements[i], answer)
            self.uses[i] = answer.used
            self.changed[i] = self.step
        self.maintenance += sum(self.cost.maintenance(c) for c in move.add) - sum(
            self.cost.maintenance(c) for c in move.remove
        )
        self.config = config

    def fresh(self, move: Move, evaluated_at: int) -> bool:
        """Whether a delta computed at step ``evaluated_at`` still holds (no affected statement changed)."""
        return all(self.changed[i] <= evaluated_at for i in self.affected(move))


def seed_plans(
    state: ConfigurationCost, candidates: Sequence[IndexCandidate], rounds: int = SEED_ROUNDS
) -> tuple[dict[int, list[frozenset[IndexCandidate]]], bool]:
    """Plans of each statement with all its candidates at once, then again without the ones used so
    far, for ``rounds`` rounds: returns the used sets per statement (by position in
    ``state.statements``, best first) and whether the backend reports used indexes at all."""
    used: dict[int, list[frozenset[IndexCandidate]]] = {}
    excluded: dict[int, set[IndexCandidate]] = {}
    reports = False
    for _ in range(rounds):
        pairs: list[tuple[int, frozenset[IndexCandidate]]] = []
        for i, s in enumerate(state.statements):
            relevant = state.cost.relevant(s, candidates) - excluded.get(i, set())
            if relevant:
                pairs.append((i, relevant))
        if not pairs:
            break
        answers = state.cost.costs([(state.statements[i], config) for i, config in pairs])
        found = False
        for (i, _), answer in zip(pairs, answers, strict=True):
            if answer.used:
                reports = found = True
                used.setdefault(i, []).append(answer.used)
                excluded.setdefault(i, set()).update(answer.used)
        if not found:
            break
    return used, reports


def extends(wider: IndexCandidate, index: IndexCandidate) -> bool:
    """Whether ``wider`` grows ``index``: same table and predicate, ``index``'s keys as its key
    prefix (same directions), ``index``'s INCLUDE columns still carried, and something more."""
    if wider == index or not wider.table.matches(index.table) or wider.where != index.where:
        return False
    width = index.width
    if wider.columns[:width] != index.columns:
        return False
    if any(wider.is_descending(i) != index.is_descending(i) for i in range(width)):
        return False
    carried = {c.key for c in (*wider.columns, *wider.include)}
    return all(c.key in carried for c in index.include)


@dataclass(order=True)
class _Entry:
    priority: float
    order: int
    move: Move = field(compare=False)
    evaluated_at: int = field(compare=False)
    delta: float = field(compare=False)


class _Fill:
    """One lazy greedy run over a configuration: add candidates and widen chosen ones while a move
    fits the budget and lowers the cost, best ``key`` first (``ratio``: benefit per extra byte;
    ``benefit``: absolute)."""

    def __init__(
        self,
        state: ConfigurationCost,
        pool: Sequence[IndexCandidate],
        bounds: dict[IndexCandidate, float],
        budget: Budget,
        allowance: dict[str, int],
        deadline: Deadline,
        key: str = "ratio",
        exclude: frozenset[IndexCandidate] = frozenset(),
    ) -> None:
        self.state = state
        self.pool = [c for c in pool if c not in exclude]
        self.bounds = bounds
        self.budget = budget
        self.allowance = allowance
        self.deadline = deadline
        self.key = key
        self.heap: list[_Entry] = []
        self.counter = itertools.count()
        self.seen: set[Move] = set()
        self.exclude = exclude
        #: The pool by table: only candidates on a chosen index's table can extend it.
        self.pool_by_table: dict[str, list[IndexCandidate]] = {}
        for c in self.pool:
            self.pool_by_table.setdefault(c.table.key, []).append(c)
        for c in self.pool:
            if c not in state.config:
                self._push(Move(add=(c,)), bounds[c], evaluated_at=-1)
        for chosen in ordered(state.config):
            self._push_extensions(chosen)

    def _push(self, move: Move, delta: float, evaluated_at: int) -> None:
        self.seen.add(move)
        priority = -self._score(move, delta) if evaluated_at >= 0 or delta < 0 else math.inf
        heapq.heappush(self.heap, _Entry(priority, next(self.counter), move, evaluated_at, delta))

    def _push_extensions(self, chosen: IndexCandidate) -> None:
        for c in self.pool_by_table.get(chosen.table.key, ()):
            if c not in self.state.config and extends(c, chosen):
                move = Move(add=(c,), remove=(chosen,))
                if move not in self.seen:
                    # Unknown benefit: at most the candidate's own, so use it as the bound.
                    self._push(move, self.bounds.get(c, 0.0), evaluated_at=-1)

    def extra_bytes(self, move: Move) -> float:
        cost = self.state.cost
        return sum(cost.size(c) for c in move.add) - sum(cost.size(c) for c in move.remove)

    def _score(self, move: Move, delta: float) -> float:
        benefit = -delta
        if self.key == "benefit" or benefit <= 0:
            return benefit
        return benefit / max(self.extra_bytes(move), 1.0)

    def used_bytes(self) -> float:
        return sum(self.state.cost.size(c) for c in self.state.config)

    def valid(self, move: Move) -> bool:
        config = self.state.config
        return all(c in config for c in move.remove) and not any(c in config for c in move.add)

    def fits(self, move: Move) -> bool:
        return fits(self.state, move, self.budget, self.allowance)

    def run(self) -> int:
        """Apply moves until none helps; returns how many were applied."""
        applied = 0
        eps = 1e-9 * max(1.0, abs(self.state.total))
        while self.heap:
            if self.deadline.expired():
                break
            top = self.heap[0]
            if top.priority >= 0 and top.evaluated_at >= 0 and self.state.fresh(top.move, top.evaluated_at):
                # The best known move does not lower the cost. (A stale one is costed again below:
                # index benefits are not submodular, so a candidate that helped nothing alone may
                # pay once a partner is chosen, e.g. both sides of a join.)
                break
            if not self.valid(top.move) or not self.fits(top.move):
                heapq.heappop(self.heap)
                continue
            if top.evaluated_at >= 0 and self.state.fresh(top.move, top.evaluated_at):
                heapq.heappop(self.heap)
                if top.delta >= -eps:
                    break
                self.state.apply(top.move)
                applied += 1
                for c in top.move.add:
                    self._push_extensions(c)
                continue
            batch: list[_Entry] = []
            while self.heap and len(batch) < EVALUATION_BATCH:
                entry = heapq.heappop(self.heap)
                if not self.valid(entry.move) or not self.fits(entry.move):
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


def fits(state: ConfigurationCost, move: Move, budget: Budget, allowance: dict[str, int]) -> bool:
    """Whether the configuration after ``move`` stays within the storage and write budgets."""
    cost = state.cost
    after = state.after(move)
    if budget.storage_bytes is not None and sum(cost.size(c) for c in after) > budget.storage_bytes:
        return False
    for table in move.tables:
        if table in allowance and sum(1 for c in after if c.table.key == table) > allowance[table]:
            return False
    return True


def alone_deltas(
    state: ConfigurationCost,
    candidates: Sequence[IndexCandidate],
    deadline: Deadline,
    progress: Progress | None = None,
    progress_total: int = 0,
) -> dict[IndexCandidate, tuple[float, float]]:
    """Each candidate alone on top of ``state``: (change of workload cost, change of query cost), in
    batches so the clock is checked between them. Candidates not reached in time are absent."""
    result: dict[IndexCandidate, tuple[float, float]] = {}
    chunk = max(EVALUATION_BATCH, 32)
    for lo in range(0, len(candidates), chunk):
        if deadline.expired():
            break
        part = candidates[lo : lo + chunk]
        for c, d in zip(part, state.deltas([Move(add=(c,)) for c in part]), strict=True):
            result[c] = d
        if not state.config:
            state.learn(part)
        if progress is not None:
            progress(len(result), progress_total, state.total)
    return result


def finish(
    state: ConfigurationCost,
    useful: Sequence[IndexCandidate],
    budget: Budget,
    allowance: dict[str, int],
    deadline: Deadline,
) -> dict[IndexCandidate, float]:
    """Final sweep without lazy bounds: cost every useful candidate not chosen on top of the final
    configuration; while one fits and lowers the cost, add the best per extra byte. Returns each
    remaining candidate's last marginal change of workload cost (absent when time ran out)."""
    marginal: dict[IndexCandidate, float] = {}
    while not deadline.expired():
        rest = [c for c in useful if c not in state.config]
        marginal = {
            c: d for c, (d, _) in zip(rest, state.deltas([Move(add=(c,)) for c in rest]), strict=True)
        }
        eps = 1e-9 * max(1.0, abs(state.total))
        best: tuple[float, IndexCandidate] | None = None
        for c in rest:
            if marginal[c] < -eps and fits(state, Move(add=(c,)), budget, allowance):
                ratio = -marginal[c] / max(state.cost.size(c), 1.0)
                if best is None or ratio > best[0]:
                    best = (ratio, c)
        if best is None:
            return marginal
        state.apply(Move(add=(best[1],)))
        marginal = {}
    return marginal


def rejections(
    state: ConfigurationCost,
    candidates: Sequence[IndexCandidate],
    alone: dict[IndexCandidate, tuple[float, float]],
    marginal: dict[IndexCandidate, float],
    pruned: frozenset[IndexCandidate],
    allowance: dict[str, int],
    budget: Budget,
) -> tuple[tuple[IndexCandidate, Rejection], ...]:
    """Why each candidate outside the final configuration is not recommended:

    - ``NO_BENEFIT``: the planner never used it in a seed plan, or alone it makes no plan cheaper;
    - ``WRITE_COST``: alone it makes plans cheaper, but its maintenance costs more than that;
    - ``DOMINATED``: on top of the chosen indexes it no longer lowers the cost (they already give
      what it would, e.g. a wider index that carries it);
    - ``WRITE_BUDGET``: it would still help, but its table has no write-amplification allowance left;
    - ``OVER_BUDGET``: it would still help, but does not fit the storage the chosen indexes leave;
    - ``TIME_LIMIT``: the search stopped before it was costed (``marginal`` is the final sweep's
      :func:`finish` result).
    """
    eps = 1e-9 * max(1.0, abs(state.total))
    out: list[tuple[IndexCandidate, Rejection]] = []
    for c in candidates:
        if c in state.config:
            continue
        if c in pruned:
            reason = Rejection.NO_BENEFIT
        elif c not in alone:
            reason = Rejection.TIME_LIMIT
        elif alone[c][1] >= -eps:
            reason = Rejection.NO_BENEFIT
        elif alone[c][0] >= -eps:
            reason = Rejection.WRITE_COST
        elif c not in marginal:
            reason = Rejection.TIME_LIMIT
        elif marginal[c] >= -eps:
            reason = Rejection.DOMINATED
        elif not fits(state, Move(add=(c,)), Budget(), allowance):
            reason = Rejection.WRITE_BUDGET
        elif not fits(state, Move(add=(c,)), Budget(storage_bytes=budget.storage_bytes), {}):
            reason = Rejection.OVER_BUDGET
        else:  # pragma: no cover - finish() adds every candidate that fits and helps
            reason = Rejection.TIME_LIMIT
        out.append((c, reason))
    return tuple(out)


@dataclass(frozen=True)
class _Bounds:
    """Benefit bounds for refills in the swap phase: each candidate's own benefit (``alone``) and its
    marginal benefit on the configuration the pass started from (``marginal``)."""

    alone: dict[IndexCandidate, float]
    marginal: dict[IndexCandidate, float]

    def near(self, state: ConfigurationCost, changed: frozenset[str]) -> dict[IndexCandidate, float]:
        """Bounds after indexes on the ``changed`` tables were added or removed: a candidate costed on
        statements that touch none of them keeps its marginal benefit (exact: its statements' plans
        did not change); the others get back their own benefit, an optimistic bound."""
        touched: set[int] = set()
        for table in changed:
            touched.update(state.by_table.get(table, ()))
        out: dict[IndexCandidate, float] = {}
        for c, own in self.alone.items():
            mine = state.by_table.get(c.table.key, ())
            near = c not in self.marginal or any(i in touched for i in mine)
            out[c] = own if near else self.marginal[c]
        return out


def within(state: ConfigurationCost, budget: Budget, allowance: dict[str, int]) -> bool:
    """Whether the whole configuration is within the storage and write budgets."""
    return fits(state, Move(add=tuple(state.config)), budget, allowance) if state.config else True


def _add_and_evict(
    best: ConfigurationCost,
    wanted: IndexCandidate,
    losses_before: dict[IndexCandidate, float],
    pool: Sequence[IndexCandidate],
    bounds: _Bounds,
    budget: Budget,
    allowance: dict[str, int],
    deadline: Deadline,
) -> ConfigurationCost:
    """Add ``wanted``, then evict the chosen indexes that lose least per byte freed (``losses_before``:
    each one's loss on ``best``, re-costed with ``wanted`` in place where it can differ) until the
    configuration fits again, then refill what is left greedily."""
    trial = best.copy()
    trial.apply(Move(add=(wanted,)))
    others = [c for c in ordered(trial.config) if c != wanted]
    # Re-cost the losses only where ``wanted`` can change them (indexes sharing a statement with it).
    shared = set(trial.by_table.get(wanted.table.key, ()))
    near = [c for c in others if not shared.isdisjoint(trial.by_table.get(c.table.key, ()))]
    losses = {c: losses_before[c] for c in others}
    losses.update(zip(near, (d for d, _ in trial.deltas([Move(remove=(c,)) for c in near])), strict=True))
    size = trial.cost.size
    # Indexes on a table over its write allowance go first, then the cheapest loss per byte.
    for c in sorted(others, key=lambda c: (losses[c] / max(size(c), 1.0), order_key(c))):
        if within(trial, budget, allowance):
            break
        over_storage = not fits(trial, Move(), budget, {})
        over_table = c.table.key in allowance and not fits(trial, Move(add=(c,)), Budget(), allowance)
        if over_storage or over_table:
            trial.apply(Move(remove=(c,)))
    if not within(trial, budget, allowance):
        return best
    changed = frozenset(c.table.key for c in best.config ^ trial.config)
    _Fill(trial, pool, bounds.near(trial, changed), budget, allowance, deadline, "ratio").run()
    return trial


def _drop_and_refill(
    best: ConfigurationCost,
    dropped: IndexCandidate,
    pool: Sequence[IndexCandidate],
    bounds: _Bounds,
    budget: Budget,
    allowance: dict[str, int],
    deadline: Deadline,
) -> ConfigurationCost:
    """Drop one chosen index and refill the freed budget greedily, by ratio and by absolute benefit;
    the better of the two."""
    trials: list[ConfigurationCost] = []
    near = bounds.near(best, frozenset({dropped.table.key}))
    for key in ("ratio", "benefit"):
        trial = best.copy()
        trial.apply(Move(remove=(dropped,)))
        _Fill(trial, pool, near, budget, allowance, deadline, key, frozenset({dropped})).run()
        trials.append(trial)
    return min(trials, key=lambda t: t.total)


def _swap(
    state: ConfigurationCost,
    pool: Sequence[IndexCandidate],
    bounds: dict[IndexCandidate, float],
    budget: Budget,
    allowance: dict[str, int],
    deadline: Deadline,
    progress: Progress | None,
    done: int,
    total: int,
) -> ConfigurationCost:
    """Local search around the greedy answer; each pass takes the first change that lowers the cost
    and starts over, until a full pass finds none (or time runs out):

    1. drop a chosen index whose removal no longer raises the cost (a later, wider one carries it),
       freeing its bytes;
    2. add one of the ``SWAP_CANDIDATES`` unchosen candidates with the largest benefit of their own,
       evicting the chosen indexes that lose least per byte until it fits, and refill;
    3. drop one chosen index and refill its bytes greedily (by ratio and by absolute benefit).
    """
    best = state
    improved = True
    while improved and not deadline.expired():
        improved = False
        eps = 1e-9 * max(1.0, abs(best.total))
        config = ordered(best.config)
        losses = {
            c: d for c, (d, _) in zip(config, best.deltas([Move(remove=(c,)) for c in config]), strict=True)
        }
        for c, delta in losses.items():
            if delta <= 0.0:
                best = best.copy()
                best.apply(Move(remove=(c,)))
                improved = True
                break
        if improved:
            continue
        rest = [c for c in pool if c not in best.config]
        marginal = {c: d for c, (d, _) in zip(rest, best.deltas([Move(add=(c,)) for c in rest]), strict=True)}
        pass_bounds = _Bounds(bounds, marginal)
        room = math.inf if budget.storage_bytes is None else budget.storage_bytes
        big = sorted(
            (c for c in pool if c not in best.config and c in bounds and best.cost.size(c) <= room),
            key=lambda c: (bounds[c], order_key(c)),
        )[:SWAP_CANDIDATES]
        small_first = sorted(best.config, key=lambda c: (best.cost.size(c), order_key(c)))
        moves: list[tuple[str, IndexCandidate]] = [("add", c) for c in big] + [
            ("drop", c) for c in small_first
        ]
        for n, (kind, c) in enumerate(moves):
            if deadline.expired():
                break
            if progress is not None:
                # Monotone: a later pass counts on from where the last one stopped.
                done = max(done, done + (total - done) * n // max(1, len(moves) * 2))
                progress(done, total, best.total)
            if kind == "add":
                trial = _add_and_evict(best, c, losses, pool, pass_bounds, budget, allowance, deadline)
            else:
                trial = _drop_and_refill(best, c, pool, pass_bounds, budget, allowance, deadline)
            if trial.total < best.total - eps and within(trial, budget, allowance):
                best = trial
                improved = True
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
    deadline = Deadline(budget.time_limit_s)
    calls = cost.calls
    pool = candidate_list(candidates)
    allowance = write_allowance(catalog or cost.catalog, cost.workload, budget)
    state = ConfigurationCost(cost)
    base_cost = state.total
    total_work = 3 * len(pool)

    used, reports = seed_plans(state, pool)
    seen_used = frozenset(c for sets in used.values() for u in sets for c in u)
    pruned = frozenset(c for c in pool if c not in seen_used) if reports else frozenset()
    kept = [c for c in pool if c not in pruned]

    alone = alone_deltas(state, kept, deadline, progress, total_work)
    eps = 1e-9 * max(1.0, abs(base_cost))
    useful = [c for c in kept if c in alone and alone[c][0] < -eps]
    bounds = {c: alone[c][0] for c in kept if c in alone}

    _Fill(state, useful, bounds, budget, allowance, deadline, "ratio").run()
    if progress is not None:
        progress(2 * len(pool), total_work, state.total)
    swap_deadline = Deadline(min(deadline.remaining, SWAP_SECONDS))
    state = _swap(
        state, useful, bounds, budget, allowance, swap_deadline, progress, 2 * len(pool), total_work
    )

    marginal = finish(state, useful, budget, allowance, deadline)
    chosen = tuple(ordered(state.config))
    final = cost.workload_cost(chosen)
    if progress is not None:
        progress(total_work, total_work, final)
    return Selection(
        algorithm="greedy",
        indexes=chosen,
        base_cost=base_cost,
        cost=final,
        size_bytes=sum(cost.size(c) for c in chosen),
        optimal=False,
        seconds=deadline.elapsed,
        planner_calls=cost.calls - calls,
        rejected=rejections(state, pool, alone, marginal, pruned, allowance, budget),
        stopped_early=deadline.hit,
    )
