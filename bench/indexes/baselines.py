"""Baseline index selectors for the benchmark (not product code): what ours is measured against.

Both are costed exactly like ours — PostgreSQL's planner over HypoPG through
:class:`~dbarchitect.advisors.indexes.cost.WhatIfCost` — so relative costs are comparable:

- :func:`single_column`: every single-column index on a column the workload filters or joins on,
  taken greedily by benefit (drop in Σ plan cost) until the budget is used or nothing helps.
- :func:`dexter_style`: in the style of Dexter (ankane/dexter): per query, single- and two-column
  candidates from its filter and join columns; the planner is asked once per query with all of them
  (and once with the single-column ones) and only the indexes it uses are kept; then a greedy pick by
  absolute cost reduction under the budget. No covering (INCLUDE) and no partial indexes.

Greedy steps are evaluated lazily (CELF): a candidate's last benefit is an upper bound re-checked only
when it reaches the top, a few at a time in one batch. Indexes that an existing index already leads
with (the primary keys) are never proposed.
"""

from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dbarchitect.advisors.access_paths import table_indexes
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.cost import WhatIfCost
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import Name
from dbarchitect.model.workload import Statement, TableAccess

#: Candidates re-costed together when the lazy queue needs fresh numbers (one backend batch).
BATCH = 8


@dataclass(frozen=True)
class BaselineResult:
    name: str
    indexes: tuple[IndexCandidate, ...]
    seconds: float
    planner_calls: int
    candidates: int


def _access_columns(access: TableAccess) -> list[Name]:
    """The access's filter and join columns, in first-seen order."""
    seen: dict[str, Name] = {}
    for predicate in access.predicates:
        if predicate.column.table.matches(access.table):
            seen.setdefault(predicate.column.column.key, predicate.column.column)
    for column in access.join_columns:
        seen.setdefault(column.key, column)
    return list(seen.values())


def _existing(catalog: Catalog, table: Name) -> set[tuple[str, ...]]:
    """Key-column prefixes of the table's existing B-trees (primary key included)."""
    found = catalog.table(table)
    prefixes: set[tuple[str, ...]] = set()
    if found is None:
        return prefixes
    for index in table_indexes(found):
        keys = tuple(k.column.key for k in index.keys if k.column is not None)
        prefixes.update(keys[:n] for n in range(1, len(keys) + 1))
    return prefixes


def _new(catalog: Catalog, candidate: IndexCandidate) -> bool:
    return tuple(c.key for c in candidate.columns) not in _existing(catalog, candidate.table)


def _touching(cost: WhatIfCost, candidate: IndexCandidate) -> list[Statement]:
    return [s for s in cost.statements if any(a.table.matches(candidate.table) for a in s.tables)]


def lazy_greedy(
    cost: WhatIfCost, candidates: Sequence[IndexCandidate], budget_bytes: float | None
) -> tuple[IndexCandidate, ...]:
    """Greedy by absolute benefit (drop in Σ rate × plan cost), lazily re-evaluated, within the budget."""
    chosen: list[IndexCandidate] = []
    used = 0.0
    touching = {c: _touching(cost, c) for c in candidates}

    def benefits(items: Sequence[IndexCandidate]) -> list[float]:
        pairs: list[tuple[Statement, frozenset[IndexCandidate]]] = []
        for c in items:
            for s in touching[c]:
                pairs.append((s, frozenset(chosen)))
                pairs.append((s, frozenset((*chosen, c))))
        answers = iter(cost.costs(pairs))
        out = []
        for c in items:
            gain = 0.0
            for s in touching[c]:
                before, after = next(answers), next(answers)
                if before.error is None and after.error is None:
                    gain += s.rate * (before.cost - after.cost)
            out.append(gain)
        return out

    fits = [c for c in candidates if budget_bytes is None or cost.size(c) <= budget_bytes]
    order = itertools.count()
    heap = [(-b, next(order), c, 0) for c, b in zip(fits, benefits(fits), strict=True)]
    heapq.heapify(heap)
    step = 0
    while heap:
        negative, _, top, stamp = heap[0]
        if -negative <= 0:
            break
        if budget_bytes is not None and used + cost.size(top) > budget_bytes:
            heapq.heappop(heap)  # sizes do not change: it will never fit again
            continue
        if stamp == step:
            heapq.heappop(heap)
            chosen.append(top)
            used += cost.size(top)
            step += 1
            continue
        stale: list[IndexCandidate] = []
        while heap and len(stale) < BATCH:
            _, _, c, s = heap[0]
            if s == step and stale:
                break
            heapq.heappop(heap)
            if budget_bytes is not None and used + cost.size(c) > budget_bytes:
                continue
            stale.append(c)
        for c, b in zip(stale, benefits(stale), strict=True):
            heapq.heappush(heap, (-b, next(order), c, step))
    return tuple(chosen)


def single_column(cost: WhatIfCost, catalog: Catalog, budget_bytes: float | None) -> BaselineResult:
    """Baseline 3: single-column indexes on every filter/join column, greedy by benefit."""
    started, calls = time.monotonic(), cost.calls
    found: dict[IndexCandidate, None] = {}
    for statement in cost.statements:
        for access in statement.tables:
            for column in _access_columns(access):
                candidate = IndexCandidate(access.table, (column,))
                if _new(catalog, candidate):
                    found.setdefault(candidate, None)
    candidates = sorted(found)
    chosen = lazy_greedy(cost, candidates, budget_bytes)
    return BaselineResult(
        "single-column", chosen, time.monotonic() - started, cost.calls - calls, len(candidates)
    )


def _dexter_candidates(
    statement: Statement, catalog: Catalog
) -> tuple[list[IndexCandidate], list[IndexCandidate]]:
    singles: dict[IndexCandidate, None] = {}
    pairs: dict[IndexCandidate, None] = {}
    for access in statement.tables:
        columns = _access_columns(access)
        for column in columns:
            candidate = IndexCandidate(access.table, (column,))
            if _new(catalog, candidate):
                singles.setdefault(candidate, None)
        for first, second in itertools.permutations(columns, 2):
            candidate = IndexCandidate(access.table, (first, second))
            if _new(catalog, candidate):
                pairs.setdefault(candidate, None)
    return list(singles), list(pairs)


def dexter_style(cost: WhatIfCost, catalog: Catalog, budget_bytes: float | None) -> BaselineResult:
    """Baseline 4: Dexter-style single + two-column candidates per query, kept when the planner uses
    them, then greedy by cost reduction."""
    started, calls = time.monotonic(), cost.calls
    per_statement = {s.name: _dexter_candidates(s, catalog) for s in cost.statements}
    requests: list[tuple[Statement, Iterable[IndexCandidate]]] = []
    for statement in cost.statements:
        singles, pairs = per_statement[statement.name]
        requests.append((statement, frozenset(singles)))
        requests.append((statement, frozenset((*singles, *pairs))))
    used: dict[IndexCandidate, None] = {}
    for answer in cost.costs(requests):
        for candidate in sorted(answer.used):
            used.setdefault(candidate, None)
    candidates = sorted(used)
    total = len({c for s, p in per_statement.values() for c in (*s, *p)})
    chosen = lazy_greedy(cost, candidates, budget_bytes)
    return BaselineResult("dexter-style", chosen, time.monotonic() - started, cost.calls - calls, total)
