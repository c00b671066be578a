"""The search state shared by the selection algorithms: a configuration, its cost kept per statement,
and the moves that change it.

A **move** adds and removes candidates. Every algorithm (``greedy``, ``exact``'s final sweep, and any
later search over other kinds of design moves) goes through :class:`ConfigurationCost`, which keeps

- the workload cost per statement, re-planning only the statements a move can change;
- the budget accounts, net: the bytes, index counts per written table and write cost of the new
  indexes, less those of the existing indexes they replace (an existing B-tree a chosen index
  dominates, see :mod:`.hygiene`, is dropped with it);
- the hygiene of the configuration: :meth:`ConfigurationCost.normalize` turns a move that would leave
  two siblings (one index's key a prefix of the other's) into the move that merges them, and refuses
  one whose index another chosen index already carries; a candidate whose key is that of the primary
  key or a unique constraint is accepted only where a plan reads it index-only.

Plugging in another kind of move (a summary table, a rewrite) means giving it the same three things:
the statements it can change (``affected``), its bytes and write cost (``effect``), and the planner's
cost of those statements with it (``WhatIfCost``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.cost import PlanCost, WhatIfCost
from dbarchitect.advisors.indexes.hygiene import conflicts, constraint_prefix, merged
from dbarchitect.advisors.indexes.selection import Budget, Progress, Rejection, StopReason
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.model.catalog import Index, Table
from dbarchitect.model.workload import Statement

#: Moves re-costed together when a lazy queue needs fresh numbers (one backend batch).
EVALUATION_BATCH = 8
#: Seed rounds: plans with all of a statement's candidates, then without the ones used so far. Two
#: rounds find the indexes each statement's best and second-best plans take (TPC-DS SF1: 197 seed
#: plans instead of 295, at the same relative cost).
SEED_ROUNDS = 2


_EMPTY: frozenset[IndexCandidate] = frozenset()


def order_key(candidate: IndexCandidate) -> tuple[str, str, bool]:
    """A total, stable order of candidates (their dataclass order fails when only some are partial)."""
    return (candidate.table.key, candidate.key, candidate.unique)


def ordered(candidates: Iterable[IndexCandidate]) -> list[IndexCandidate]:
    return sorted(candidates, key=order_key)


def _weighted(statement: Statement, answer: PlanCost) -> float:
    """rate × cost; a statement that fails to plan counts nothing, as in ``WhatIfCost.query_cost``."""
    return statement.rate * answer.cost if answer.error is None and math.isfinite(answer.cost) else 0.0


class SearchLimit:
    """Where a search stops: its work budget and the wall-clock safety net.

    The work budget counts planner calls (``WhatIfCost.calls``: cache hits are free) since the
    search started. It is checked at the same points of the search on every machine and the calls
    made up to each point depend only on the brief, so when it stops the search the answer is the
    same everywhere. The wall clock (``Budget.time_limit_s``) is checked at the same points but only
    as a safety net: when it stops the search first, :attr:`hit` is ``StopReason.TIME_LIMIT`` and the
    answer depends on the machine's speed and load (the advice says so).
    """

    def __init__(
        self, cost: WhatIfCost | None = None, work_limit: int | None = None, time_limit_s: float | None = None
    ) -> None:
        self.start = time.monotonic()
        self.cost = cost
        self.start_calls = cost.calls if cost is not None else 0
        self.work_limit = work_limit if cost is not None else None
        self.limit_s = time_limit_s
        #: The limit that stopped the search, once one has.
        self.hit: StopReason | None = None

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.start

    @property
    def remaining(self) -> float:
        """Seconds left before the safety net (``inf`` without one)."""
        return math.inf if self.limit_s is None else self.limit_s - self.elapsed

    @property
    def work(self) -> int:
        """Planner calls made since the search started."""
        return self.cost.calls - self.start_calls if self.cost is not None else 0

    @property
    def work_left(self) -> float:
        return math.inf if self.work_limit is None else self.work_limit - self.work

    def expired(self) -> bool:
        if self.hit is None:
            if self.work_left <= 0:
                self.hit = StopReason.WORK_LIMIT
            elif self.remaining <= 0:
                self.hit = StopReason.TIME_LIMIT
        return self.hit is not None

    def not_reached(self) -> Rejection:
        """Why a candidate the search stopped before reaching is left out."""
        return Rejection.TIME_LIMIT if self.hit == StopReason.TIME_LIMIT else Rejection.WORK_LIMIT


@dataclass(frozen=True)
class Move:
    """A change of configuration: indexes added and indexes removed."""

    add: tuple[IndexCandidate, ...] = ()
    remove: tuple[IndexCandidate, ...] = ()

    @property
    def tables(self) -> frozenset[str]:
        return frozenset(c.table.key for c in (*self.add, *self.remove))


@dataclass(frozen=True)
class Effect:
    """What a move changes in the budget accounts: net bytes, net write cost (maintenance) and net
    index count per table; existing indexes the move makes replaced (or brings back) included."""

    bytes: float
    maintenance: float
    counts: dict[str, int]
    #: Reference counts of replaced existing indexes after the move, for those it changes.
    refs: dict[tuple[str, str], int]


def benefit_floor(state: ConfigurationCost, budget: Budget) -> float:
    """The least benefit per byte a move must bring (``Budget.floor_elasticity``): an index that takes
    1% of the data's bytes must save at least ``floor_elasticity`` % of the workload's cost. 0 when
    the budget sets no floor."""
    if budget.floor_elasticity is None or state.base_total <= 0:
        return 0.0
    data = budget.data_bytes
    if data is None:
        data = sum(
            estimate_table_size(t, state.cost.traits, 0.0).data_bytes_now for t in state.cost.catalog.tables
        )
    if data <= 0:
        return 0.0
    return budget.floor_elasticity * state.base_total / data


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
        self.config: frozenset[IndexCandidate] = frozenset()
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
        self.per_statement = [_weighted(s, p) for s, p in plannable]
        #: Indexes each statement's current plan uses.
        self.uses: list[frozenset[IndexCandidate]] = [p.used for _, p in plannable]
        self.maintenance = 0.0
        #: Net bytes and net index count per table of the configuration (replaced existing ones off).
        self.bytes = 0.0
        self.counts: dict[str, int] = {}
        #: How many chosen indexes replace each existing one, by (table key, index name key).
        self.refs: dict[tuple[str, str], int] = {}
        #: Step at which each statement's cost last changed (for the lazy queue's freshness test).
        self.changed = [0] * len(self.statements)
        self.step = 0
        #: Statements whose plans have used each candidate, and the candidates costed on every
        #: statement of their table (shared by copies: it is knowledge about the planner).
        self.helps: dict[IndexCandidate, set[int]] = {}
        self.known: set[IndexCandidate] = set()
        self._by_table_config: dict[str, frozenset[IndexCandidate]] = {}
        #: Candidates whose key is a constraint's (shared by copies): they need an index-only plan.
        self.key_of: dict[IndexCandidate, str | None] = {}
        for i, (_, p) in enumerate(plannable):
            self._saw(i, p)
        #: Workload cost with no new index.
        self.base_total = self.total
        if config:
            self.apply(Move(add=tuple(ordered(config))))
            self.step = 0
            self.changed = [0] * len(self.statements)

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
        other.counts = dict(self.counts)
        other.refs = dict(self.refs)
        other._by_table_config = dict(self._by_table_config)
        return other

    # --- hygiene ---------------------------------------------------------------------------------

    def constraint_key(self, candidate: IndexCandidate) -> str | None:
        """The constraint whose key ``candidate``'s key equals or prefixes (it needs an index-only
        plan to be worth anything), or ``None``."""
        if candidate not in self.key_of:
            self.key_of[candidate] = constraint_prefix(candidate, self.cost.catalog.table(candidate.table))
        return self.key_of[candidate]

    def normalize(self, move: Move) -> Move | None:
        """``move`` made hygienic on the current configuration: an added index with chosen siblings
        becomes their merge, replacing them (the widening move of Extend is the case where the added
        index already carries the chosen one). ``None`` when the move adds nothing a chosen index does
        not already carry, or the siblings cannot be merged (no INCLUDE on the engine)."""
        removed = list(move.remove)
        gone = set(removed)
        added: list[IndexCandidate] = []
        include = self.cost.traits.features.include_columns
        for c in move.add:
            result: IndexCandidate | None = c
            rest = [x for x in self._on_table(c.table.key) if x not in gone]
            for sibling in conflicts(c, [*rest, *(a for a in added if a.table.key == c.table.key)]):
                result = merged(result, sibling, include_columns=include) if result is not None else None
                if result is None:
                    return None
                if sibling in added:
                    added.remove(sibling)
                elif sibling not in gone:
                    gone.add(sibling)
                    removed.append(sibling)
            if result is None or result in self.config:
                return None  # a chosen index already carries it: nothing to add
            added.append(result)
        if not added and not removed:
            return None
        if not all(c in self.config for c in removed):
            return None
        return Move(add=tuple(added), remove=tuple(removed))

    # --- accounts --------------------------------------------------------------------------------

    def effect(self, move: Move) -> Effect:
        """The move's net change of bytes, write cost and index counts per table."""
        cost = self.cost
        size = sum(cost.size(c) for c in move.add) - sum(cost.size(c) for c in move.remove)
        upkeep = sum(cost.maintenance(c) for c in move.add) - sum(cost.maintenance(c) for c in move.remove)
        counts: dict[str, int] = {}
        for c in move.add:
            counts[c.table.key] = counts.get(c.table.key, 0) + 1
        for c in move.remove:
            counts[c.table.key] = counts.get(c.table.key, 0) - 1
        refs: dict[tuple[str, str], int] = {}
        existing: dict[tuple[str, str], tuple[Table, Index]] = {}
        for sign, items in ((-1, move.remove), (1, move.add)):
            for c in items:
                replaced = cost.replaces(c)
                table = cost.catalog.table(c.table) if replaced else None
                for index in replaced:
                    key = (c.table.key, index.name.key)
                    refs[key] = refs.get(key, self.refs.get(key, 0)) + sign
                    if table is not None:
                        existing[key] = (table, index)
        for key, after in refs.items():
            before = self.refs.get(key, 0)
            if (before > 0) == (after > 0) or key not in existing:
                continue
            table, index = existing[key]
            gone = 1 if after > 0 else -1  # +1: replaced by the move; -1: back again
            size -= gone * cost.existing_size(table, index)
            upkeep -= gone * cost.existing_maintenance(table, index)
            counts[key[0]] = counts.get(key[0], 0) - gone
        return Effect(size, upkeep, counts, refs)

    def fits(self, move: Move, budget: Budget, allowance: dict[str, int]) -> bool:
        """Whether the configuration after ``move`` stays within the storage and write budgets."""
        effect = self.effect(move)
        storage = budget.storage_bytes
        if storage is not None and effect.bytes > 0 and self.bytes + effect.bytes > storage:
            return False
        for table, change in effect.counts.items():
            if change > 0 and table in allowance and self.counts.get(table, 0) + change > allowance[table]:
                return False
        return True

    def within(self, budget: Budget, allowance: dict[str, int]) -> bool:
        """Whether the whole configuration is within the storage and write budgets."""
        if budget.storage_bytes is not None and self.bytes > budget.storage_bytes * (1 + 1e-12):
            return False
        return all(self.counts.get(t, 0) <= limit for t, limit in allowance.items())

    # --- costing ---------------------------------------------------------------------------------

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
        """The configuration's indexes on ``table`` (kept per table and updated by every move, so a
        statement's relevant set is built from its tables' parts instead of the whole configuration)."""
        return self._by_table_config.get(table, _EMPTY)

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

    def _read_index_only(self, move: Move, touched: Sequence[int], answers: Sequence[PlanCost]) -> bool:
        """Every added index whose key is a constraint's is read index-only by some plan."""
        for c in move.add:
            if self.constraint_key(c) is None:
                continue
            if not any(c in a.index_only for a in answers):
                return False
        return True

    def deltas(self, moves: Sequence[Move]) -> list[tuple[float, float]]:
        """For each move, the estimated (change of workload cost, change of query cost alone); one
        backend batch. ``inf`` when a statement fails to plan under the move, or when it adds an
        index with a constraint's key that no plan reads index-only."""
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
            mine = answers[lo:hi]
            for i, answer in zip(touched, mine, strict=True):
                self._saw(i, answer)
                if answer.error is not None or not math.isfinite(answer.cost):
                    query = math.inf
                    break
                query += self.statements[i].rate * answer.cost - self.per_statement[i]
            if math.isfinite(query) and not self._read_index_only(move, touched, mine):
                query = math.inf
            upkeep = self.effect(move).maintenance
            results.append((query + upkeep, query))
        return results

    def apply(self, move: Move) -> None:
        """Change the configuration, re-planning every statement the move can change."""
        config = self.after(move)
        touched = self.touching(move)
        answers = self.cost.relevant_costs(
            [(self.statements[i], self.relevant_after(i, move)) for i in touched]
        )
        effect = self.effect(move)
        for table in move.tables:
            mine = (self._on_table(table) - frozenset(move.remove)) | frozenset(
                c for c in move.add if c.table.key == table
            )
            if mine:
                self._by_table_config[table] = mine
            else:
                self._by_table_config.pop(table, None)
        self.step += 1
        for i, answer in zip(touched, answers, strict=True):
            self._saw(i, answer)
            self.per_statement[i] = _weighted(self.statements[i], answer)
            self.uses[i] = answer.used
            self.changed[i] = self.step
        self.maintenance += effect.maintenance
        self.bytes += effect.bytes
        for table, change in effect.counts.items():
            self.counts[table] = self.counts.get(table, 0) + change
        for key, refs in effect.refs.items():
            if refs > 0:
                self.refs[key] = refs
            else:
                self.refs.pop(key, None)
        self.config = config

    def fresh(self, move: Move, evaluated_at: int) -> bool:
        """Whether a delta computed at step ``evaluated_at`` still holds (no affected statement changed)."""
        return all(self.changed[i] <= evaluated_at for i in self.affected(move))


def seed_plans(
    state: ConfigurationCost, candidates: Sequence[IndexCandidate], rounds: int = SEED_ROUNDS
) -> tuple[dict[int, list[frozenset[IndexCandidate]]], bool]:
    """Plans of each statement with all its candidates at once, then again without the ones used so
    far, for ``rounds`` rounds: returns the used sets per statement (by position in
    ``state.statements``, best first) and whether the backend reports used indexes at all. The state
    learns which statements each candidate's seed plans used it in (``helps``): the statements a
    candidate is costed on from then on (per-statement upper bounds, as in Dexter and DTA: a candidate
    the planner never takes for a statement, even offered every candidate at once, is not costed on
    it)."""
    used: dict[int, list[frozenset[IndexCandidate]]] = {}
    excluded: dict[int, set[IndexCandidate]] = {}
    reports = False
    by_table: dict[str, list[IndexCandidate]] = {}
    for c in candidates:
        by_table.setdefault(c.table.key, []).append(c)
    everything = [
        frozenset(c for t in state.tables[i] for c in by_table.get(t, ()))
        for i in range(len(state.statements))
    ]
    for _ in range(rounds):
        pairs: list[tuple[int, frozenset[IndexCandidate]]] = []
        for i in range(len(state.statements)):
            relevant = everything[i] - excluded.get(i, set())
            if relevant:
                pairs.append((i, relevant))
        if not pairs:
            break
        answers = state.cost.costs([(state.statements[i], config) for i, config in pairs])
        found = False
        for (i, _), answer in zip(pairs, answers, strict=True):
            state._saw(i, answer)
            if answer.used:
                reports = found = True
                used.setdefault(i, []).append(answer.used)
                excluded.setdefault(i, set()).update(answer.used)
        if not found:
            break
    # Another access method (BRIN, hash, GIN) is rarely the planner's pick beside B-trees on the same
    # column, yet is far smaller: its statements are planned once with only those candidates, so that
    # a tight budget can still take it.
    others = [
        (i, frozenset(c for c in everything[i] if c.method is not None)) for i in range(len(state.statements))
    ]
    pairs = [(i, config) for i, config in others if config and not config <= excluded.get(i, set())]
    if pairs:
        answers = state.cost.costs([(state.statements[i], config) for i, config in pairs])
        for (i, _), answer in zip(pairs, answers, strict=True):
            state._saw(i, answer)
            if answer.used:
                reports = True
                used.setdefault(i, []).append(answer.used)
    return used, reports


def alone_deltas(
    state: ConfigurationCost,
    candidates: Sequence[IndexCandidate],
    limit: SearchLimit,
    progress: Progress | None = None,
    progress_total: int = 0,
) -> dict[IndexCandidate, tuple[float, float]]:
    """Each candidate alone on top of ``state``: (change of workload cost, change of query cost), in
    batches so the limits are checked between them. Candidates not reached are absent."""
    result: dict[IndexCandidate, tuple[float, float]] = {}
    chunk = max(EVALUATION_BATCH, 32)
    for lo in range(0, len(candidates), chunk):
        if limit.expired():
            break
        part = candidates[lo : lo + chunk]
        moves = [state.normalize(Move(add=(c,))) or Move(add=(c,)) for c in part]
        for c, d in zip(part, state.deltas(moves), strict=True):
            result[c] = d
        if not state.config:
            state.learn(part)
        if progress is not None:
            progress(len(result), progress_total, state.total)
    return result


def acceptable(state: ConfigurationCost, move: Move, delta: float, floor: float) -> bool:
    """Whether a move that changes the cost by ``delta`` brings at least ``floor`` per extra byte."""
    if floor <= 0:
        return True
    extra = state.effect(move).bytes
    return extra <= 0 or -delta / extra >= floor


def finish(
    state: ConfigurationCost,
    useful: Sequence[IndexCandidate],
    budget: Budget,
    allowance: dict[str, int],
    limit: SearchLimit,
    floor: float = 0.0,
) -> dict[IndexCandidate, float]:
    """Final sweep without lazy bounds: cost every useful candidate not chosen on top of the final
    configuration (merged with its chosen siblings where it has some); while one fits, lowers the
    cost and clears the floor, apply the best per extra byte. Returns each remaining candidate's last
    marginal change of workload cost (absent when a limit stopped it; ``inf`` when a chosen index already
    carries it)."""
    marginal: dict[IndexCandidate, float] = {}
    while not limit.expired():
        rest = [c for c in useful if c not in state.config]
        moves = {c: state.normalize(Move(add=(c,))) for c in rest}
        valid = [c for c in rest if moves[c] is not None]
        found = state.deltas([moves[c] for c in valid])  # type: ignore[misc]
        marginal = {c: math.inf for c in rest}
        marginal.update({c: d for c, (d, _) in zip(valid, found, strict=True)})
        eps = 1e-9 * max(1.0, abs(state.total))
        best: tuple[float, IndexCandidate] | None = None
        for c in valid:
            move = moves[c]
            assert move is not None
            if marginal[c] < -eps and state.fits(move, budget, allowance):
                if not acceptable(state, move, marginal[c], floor):
                    continue
                ratio = -marginal[c] / max(state.effect(move).bytes, 1.0)
                if best is None or ratio > best[0]:
                    best = (ratio, c)
        if best is None:
            return marginal
        chosen = moves[best[1]]
        assert chosen is not None
        state.apply(chosen)
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
    floor: float = 0.0,
    not_reached: Rejection = Rejection.WORK_LIMIT,
) -> tuple[tuple[IndexCandidate, Rejection], ...]:
    """Why each candidate outside the final configuration is not recommended:

    - ``NO_BENEFIT``: the planner never used it in a seed plan, or alone it makes no plan cheaper;
    - ``CONSTRAINT_KEY``: its key is that of the primary key or a unique constraint, whose index
      serves its lookups, and no plan reads it index-only;
    - ``WRITE_COST``: alone it makes plans cheaper, but its maintenance costs more than that;
    - ``DOMINATED``: on top of the chosen indexes it no longer lowers the cost (they already give
      what it would: a chosen index carries it, or a wider one serves its statements);
    - ``WRITE_BUDGET``: it would still help, but its table has no write-amplification allowance left;
    - ``OVER_BUDGET``: it would still help, but does not fit the storage the chosen indexes leave;
    - ``BELOW_FLOOR``: it would still help, but less per byte than the budget's benefit floor;
    - ``not_reached`` (``WORK_LIMIT`` or ``TIME_LIMIT``, see :meth:`SearchLimit.not_reached`): the
      search stopped before it was costed (``marginal`` is the final sweep's :func:`finish` result).
    """
    eps = 1e-9 * max(1.0, abs(state.total))
    out: list[tuple[IndexCandidate, Rejection]] = []
    for c in candidates:
        if c in state.config:
            continue
        move = state.normalize(Move(add=(c,)))
        if c in pruned:
            reason = Rejection.NO_BENEFIT
        elif c not in alone:
            reason = not_reached
        elif state.constraint_key(c) is not None and not math.isfinite(alone[c][1]):
            reason = Rejection.CONSTRAINT_KEY
        elif alone[c][1] >= -eps:
            reason = Rejection.NO_BENEFIT
        elif alone[c][0] >= -eps:
            reason = Rejection.WRITE_COST
        elif move is None:
            reason = Rejection.DOMINATED
        elif c not in marginal:
            reason = not_reached
        elif marginal[c] >= -eps:
            reason = Rejection.DOMINATED
        elif not state.fits(move, Budget(), allowance):
            reason = Rejection.WRITE_BUDGET
        elif not state.fits(move, Budget(storage_bytes=budget.storage_bytes), {}):
            reason = Rejection.OVER_BUDGET
        elif not acceptable(state, move, marginal[c], floor):
            reason = Rejection.BELOW_FLOOR
        else:  # pragma: no cover - finish() adds every candidate that fits and helps
            reason = not_reached
        out.append((c, reason))
    return tuple(out)
