"""A fake what-if backend driven by a cost table, so selection algorithms have known answers.

Each statement has a base cost (no new index) and a list of plans: (indexes the plan needs, cost).
The fake planner, like a real one, takes the cheapest plan whose indexes all exist and reports
those indexes as used. A plan needing two indexes models an interaction (both together beat each
alone). Index sizes come from a table too. Every request is recorded so tests can count calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.cost import CostRequest, PlanCost, WhatIfCost
from dbarchitect.model.catalog import Catalog, Column, Index, IndexKey, PrimaryKey, Table, TableStats
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType, TypeKind
from dbarchitect.model.workload import Statement, StatementKind, TableAccess, Workload

COLUMNS = ("id", "a", "b", "c", "d", "e")


def idx(table: str, *columns: str, include: tuple[str, ...] = ()) -> IndexCandidate:
    """``idx("t", "a", "b")`` is the candidate ``t(a, b)``."""
    return IndexCandidate(
        Name(table), tuple(Name(c) for c in columns), include=tuple(Name(c) for c in include)
    )


def make_table(name: str, existing: int = 0) -> Table:
    """A table with a primary key on ``id`` and ``existing`` secondary indexes."""
    indexes = tuple(
        Index(Name(f"{name}_{COLUMNS[1 + i]}_idx"), (IndexKey(column=Name(COLUMNS[1 + i])),))
        for i in range(existing)
    )
    return Table(
        name=Name(name),
        columns=tuple(Column(Name(c), LogicalType(TypeKind.BIGINT)) for c in COLUMNS),
        primary_key=PrimaryKey((Name("id"),)),
        indexes=indexes,
        stats=TableStats(rows=1000),
    )


def select(name: str, *tables: str, rate: float = 1.0) -> Statement:
    return Statement(
        name=name,
        sql=f"SELECT /* {name} */ * FROM {', '.join(tables)}",
        kind=StatementKind.SELECT,
        fingerprint=f"fp-{name}",
        rate=rate,
        tables=tuple(TableAccess(table=Name(t)) for t in tables),
    )


def insert(name: str, table: str, rate: float) -> Statement:
    return Statement(
        name=name,
        sql=f"INSERT INTO {table} VALUES (...)",
        kind=StatementKind.INSERT,
        fingerprint=f"fp-{name}",
        rate=rate,
        tables=(
            TableAccess(
                table=Name(table), columns_written=tuple(Name(c) for c in COLUMNS), is_write_target=True
            ),
        ),
    )


@dataclass
class FakeBackend:
    """``plans[statement name]``: (required indexes, cost) pairs; ``base[statement name]``: cost with
    no new index (statements without one cost ``default_base``); ``sizes``: bytes per candidate."""

    base: Mapping[str, float]
    plans: Mapping[str, Sequence[tuple[Iterable[IndexCandidate], float]]]
    sizes: Mapping[IndexCandidate, float]
    default_base: float = 10.0
    failing: frozenset[str] = frozenset()
    name: str = "fake"
    requests: list[CostRequest] = field(default_factory=list)

    def plan_costs(self, requests: Sequence[CostRequest]) -> list[PlanCost]:
        self.requests.extend(requests)
        return [self._plan(r) for r in requests]

    def _plan(self, request: CostRequest) -> PlanCost:
        name = request.statement.name
        if name in self.failing:
            return PlanCost(float("inf"), error="fake planner error")
        best = PlanCost(self.base.get(name, self.default_base))
        for needed, cost in self.plans.get(name, ()):
            needed = frozenset(needed)
            if needed <= request.indexes and cost < best.cost:
                best = PlanCost(cost, used=needed, plan=" + ".join(sorted(c.key for c in needed)))
        return best

    def index_size(self, candidate: IndexCandidate) -> float:
        return self.sizes[candidate]

    def settings(self) -> Mapping[str, str]:
        return {"fake": "yes"}


@dataclass
class Problem:
    """A fake catalog, workload and backend, ready for :class:`WhatIfCost`."""

    tables: Sequence[Table]
    statements: Sequence[Statement]
    backend: FakeBackend

    @property
    def catalog(self) -> Catalog:
        return Catalog(tables=tuple(self.tables))

    def whatif(self) -> WhatIfCost:
        return WhatIfCost(self.backend, Workload(tuple(self.statements)), self.catalog)


def independent(items: Mapping[str, tuple[float, float]], base: float = 100.0) -> Problem:
    """One table ``t_<name>`` and one query ``q_<name>`` per item; the item's index ``t_<name>(a)`` of
    the given (size, benefit) lowers only that query's cost by ``benefit``: a knapsack."""
    tables = [make_table(f"t_{n}") for n in items]
    statements = [select(f"q_{n}", f"t_{n}") for n in items]
    candidates = {n: idx(f"t_{n}", "a") for n in items}
    backend = FakeBackend(
        base={f"q_{n}": base for n in items},
        plans={f"q_{n}": [((candidates[n],), base - benefit)] for n, (_, benefit) in items.items()},
        sizes={candidates[n]: size for n, (size, _) in items.items()},
    )
    return Problem(tables, statements, backend)
