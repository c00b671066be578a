"""Random fake selection problems (hypothesis) and a brute-force optimum, shared by the greedy and
exact tests."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from hypothesis import strategies as st

from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.cost import WhatIfCost
from dbarchitect.advisors.indexes.selection import Budget, Selection, write_allowance
from tests.advisors.indexes.fake_cost import FakeBackend, Problem, idx, insert, make_table, select


@st.composite
def problems(draw: st.DrawFn, max_candidates: int = 7) -> tuple[Problem, list[IndexCandidate], Budget]:
    """1–3 tables with 1–3 candidates each (at most ``max_candidates``), 1–4 queries over one or two
    tables whose plans need one or two of their candidates (interactions), maybe an insert stream,
    a storage budget and maybe a write-amplification budget."""
    n_tables = draw(st.integers(1, 3))
    names = [f"t{i}" for i in range(n_tables)]
    candidates: list[IndexCandidate] = []
    for t in names:
        for col in ["a", "b", "c"][: draw(st.integers(1, 3))]:
            if len(candidates) < max_candidates:
                candidates.append(idx(t, col))
    statements = []
    base: dict[str, float] = {}
    plans: dict[str, list[tuple[tuple[IndexCandidate, ...], float]]] = {}
    for q in range(draw(st.integers(1, 4))):
        tables = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
        name = f"q{q}"
        statements.append(select(name, *tables, rate=draw(st.sampled_from([0.5, 1.0, 3.0]))))
        base[name] = float(draw(st.integers(50, 200)))
        relevant = [c for c in candidates if c.table.value in tables]
        plans[name] = []
        for _ in range(draw(st.integers(0, 4))):
            if not relevant:
                break
            needed = draw(st.lists(st.sampled_from(relevant), min_size=1, max_size=2, unique=True))
            plans[name].append((tuple(needed), float(draw(st.integers(1, int(base[name]))))))
    tables = [make_table(t, existing=draw(st.integers(0, 2))) for t in names]
    if draw(st.booleans()):
        statements.append(insert("w", names[0], rate=draw(st.sampled_from([0.1, 1.0, 10.0]))))
    sizes = {c: float(draw(st.integers(1, 10))) for c in candidates}
    budget = Budget(
        storage_bytes=float(draw(st.integers(0, 30))),
        write_amplification=draw(st.sampled_from([None, 2.0, 3.0, 4.0])),
    )
    return Problem(tables, statements, FakeBackend(base, plans, sizes)), candidates, budget


def feasible(cost: WhatIfCost, config: Sequence[IndexCandidate], budget: Budget) -> bool:
    """Within the storage budget and every written table's write-amplification allowance."""
    if budget.storage_bytes is not None and sum(cost.size(c) for c in config) > budget.storage_bytes + 1e-9:
        return False
    allowance = write_allowance(cost.catalog, cost.workload, budget)
    return all(sum(1 for c in config if c.table.key == t) <= n for t, n in allowance.items())


def brute_force(
    cost: WhatIfCost, candidates: Sequence[IndexCandidate], budget: Budget
) -> tuple[float, frozenset[IndexCandidate]]:
    """The cheapest feasible configuration, by trying every subset."""
    best = (math.inf, frozenset[IndexCandidate]())
    for r in range(len(candidates) + 1):
        for combo in itertools.combinations(candidates, r):
            if feasible(cost, combo, budget):
                best = min(best, (cost.workload_cost(combo), frozenset(combo)), key=lambda b: b[0])
    return best


def check_selection(
    cost: WhatIfCost, candidates: Sequence[IndexCandidate], budget: Budget, s: Selection
) -> None:
    """What every selection must satisfy, whatever the algorithm."""
    assert feasible(cost, s.indexes, budget)
    assert s.size_bytes == sum(cost.size(c) for c in s.indexes)
    # Honest accounting: the reported cost is the workload's cost with exactly these indexes.
    assert math.isclose(s.cost, cost.workload_cost(s.indexes), rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(s.base_cost, cost.workload_cost(()), rel_tol=1e-9, abs_tol=1e-9)
    # Never worse than building nothing, and reads never get dearer.
    assert s.cost <= s.base_cost + 1e-9
    assert cost.query_cost(s.indexes) <= cost.query_cost(()) + 1e-9
    # Every candidate is either chosen or rejected with a reason, once.
    rejected = [c for c, _ in s.rejected]
    assert sorted([*s.indexes, *rejected]) == sorted(set(candidates))
