"""Choosing the layout: a distribution column or a reference copy for every table, co-location
groups, maximizing the rate-weighted fraction of transactions and statements that stay on one shard.

**Candidates.** For each table: every column some statement pins to one value (directly or
through an equality join), every column of an equality join, and the first column of its primary
key — the ``MAX_CANDIDATES`` most pinned (by executions per second) are kept. A column with fewer
distinct values than shards is refused (some shards would stay empty, and the rest hold more), and
so is a type that cannot be hashed evenly (JSON, arrays, floats). A table may be a **reference
table** when its size at the horizon is at most ``REFERENCE_MEMORY_SHARE`` of one node's memory (a
copy on every node stays cached), and a layout's reference tables together must stay within that
share too (a layout over it is *infeasible*: it loses to every layout within it), and when it is
rarely written: every node applies every write of a reference table, so its writes may take at most
``REFERENCE_WRITE_SHARE`` of one node's write rate. Among those, whether a table *should* be one is
the objective's call: a write to a reference table is a multi-shard statement.

**Co-location groups** follow from the choice: two distributed tables are in one group when their
distribution columns have the same type and some transaction or statement pins both with the same
value (the same parameter, or related ones) or joins them on those columns. Tables with nothing in
common get groups of their own (Citus: ``colocate_with => 'none'`` for unrelated tables).

**Objective**, compared in order: feasibility (above), the weighted single-shard fraction
(:mod:`probability`), fewer
schema changes Citus needs (:mod:`citus`: keys widened, foreign keys dropped), fewer bytes copied
to every node, lower data skew (:mod:`skew`).

**Search.** When the candidates make at most ``EXHAUSTIVE_LIMIT`` layouts, every one is evaluated
(exact). Otherwise: coordinate descent (each table's options tried in turn with the others fixed,
the best kept, until a full pass improves nothing) from several starting layouts — one per *key
class* (columns linked by joins, foreign keys or a shared parameter: TPC-C's warehouse ids form
one), each table taking its column in that class — and the best result is kept. The result says
which method ran and how many layouts it evaluated.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dbarchitect.advisors.sharding.citus import adapt_catalog
from dbarchitect.advisors.sharding.footprint import Route, pinned_columns, route
from dbarchitect.advisors.sharding.layout import Layout, Placement, PlacementKind
from dbarchitect.advisors.sharding.probability import (
    Footprint,
    Unit,
    single_shard_probability,
    weighted_single_shard,
)
from dbarchitect.advisors.sharding.skew import TableSkew, distinct_values, table_skew
from dbarchitect.advisors.sizing import TableSize
from dbarchitect.brief import format_size
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.names import Name
from dbarchitect.model.types import TypeKind
from dbarchitect.model.workload import Statement

MAX_CANDIDATES = 4
REFERENCE_MEMORY_SHARE = 0.02
REFERENCE_WRITE_SHARE = 0.01
EXHAUSTIVE_LIMIT = 4096
MAX_PASSES = 20

_UNHASHABLE = frozenset({TypeKind.JSON, TypeKind.ARRAY, TypeKind.REAL, TypeKind.DOUBLE})


@dataclass(frozen=True)
class Option:
    """One way to place a table: a reference copy, or distributed by one column."""

    table: Name
    column: Name | None
    #: Executions per second that pin the column (0 for a reference copy).
    weight: float = 0.0

    @property
    def reference(self) -> bool:
        return self.column is None

    def placement(self) -> Placement:
        if self.column is None:
            return Placement(self.table, PlacementKind.REFERENCE)
        return Placement(self.table, PlacementKind.DISTRIBUTED, (self.column,))

    def describe(self) -> str:
        return f"{self.table}: reference" if self.column is None else f"{self.table}.{self.column}"


@dataclass(frozen=True)
class Refused:
    table: str
    option: str
    reason: str


@dataclass(frozen=True)
class Candidates:
    options: dict[str, tuple[Option, ...]]
    refused: tuple[Refused, ...]


@dataclass(frozen=True)
class Score:
    """A layout's objective, compared in order (larger is better)."""

    single_shard: float
    changes: int
    replicated_bytes: float
    skew: float
    #: The reference tables fit their share of a node's memory.
    feasible: bool = True

    def key(self) -> tuple[bool, float, float, float, float]:
        return (
            self.feasible,
            round(self.single_shard, 9),
            -self.changes,
            -round(self.replicated_bytes),
            -round(self.skew, 6),
        )


@dataclass(frozen=True)
class Evaluated:
    layout: Layout
    score: Score
    footprints: tuple[Footprint, ...]


@dataclass
class Evaluator:
    """Scores layouts, caching each statement's route by the placements of the tables it touches."""

    catalog: Catalog
    units: tuple[Unit, ...]
    sizes: dict[str, TableSize]
    shard_count: int
    #: Bytes all reference tables together may take (``REFERENCE_MEMORY_SHARE`` of a node's memory).
    reference_limit: float = float("inf")
    evaluations: int = 0
    _routes: dict[tuple[object, ...], Route] = field(default_factory=dict)
    _skews: dict[tuple[str, str], TableSkew] = field(default_factory=dict)

    def route_of(self, layout: Layout) -> Callable[[Statement], Route]:
        def get(statement: Statement) -> Route:
            placements = tuple(layout.placement(a.table) for a in statement.tables)
            key = (statement.name, statement.fingerprint, placements)
            found = self._routes.get(key)
            if found is None:
                found = self._routes[key] = route(statement, layout)
            return found

        return get

    def footprints(self, layout: Layout) -> tuple[Footprint, ...]:
        get = self.route_of(layout)
        return tuple(single_shard_probability(u, get, layout) for u in self.units)

    def evaluate(self, layout: Layout) -> Evaluated:
        self.evaluations += 1
        footprints = self.footprints(layout)
        _, changes = adapt_catalog(self.catalog, layout)
        replicated = sum(
            self.sizes[p.table.key].total_bytes_at_horizon
            for p in layout.placements
            if not p.distributed and p.table.key in self.sizes
        )
        skews = []
        for p in layout.placements:
            table = self.catalog.table(p.table)
            if table is None or not p.distributed or len(p.columns) != 1:
                continue
            key = (p.table.key, p.columns[0].key)
            if key not in self._skews:
                self._skews[key] = table_skew(self.catalog, table, p.columns[0], self.shard_count)
            skews.append(self._skews[key])
        weights = [
            self.sizes[s.table.lower()].total_bytes_at_horizon for s in skews if s.table.lower() in self.sizes
        ]
        total = sum(weights)
        skew = (
            sum(w * s.data_skew for w, s in zip(weights, skews, strict=False)) / total if total > 0 else 1.0
        )
        feasible = replicated <= self.reference_limit
        score = Score(weighted_single_shard(footprints), len(changes), replicated, skew, feasible)
        return Evaluated(layout, score, footprints)


def _hashable(table: Table, column: Name) -> bool:
    col = table.column(column)
    return col is not None and col.type.kind not in _UNHASHABLE


def candidates(
    catalog: Catalog,
    statements: Iterable[Statement],
    sizes: dict[str, TableSize],
    shard_count: int,
    node_memory: float,
    units: tuple[Unit, ...] = (),
    node_write_rate: float = float("inf"),
) -> Candidates:
    """Every table's options (see the module docstring): columns ranked by the executions per
    second that filter on them, then by how many other tables share their key class, then by the
    inserts that give them a value."""
    filtered: dict[tuple[str, str], float] = {}
    inserted: dict[tuple[str, str], float] = {}
    for statement in statements:
        for node in pinned_columns(statement, inserted=False):
            filtered[node] = filtered.get(node, 0.0) + statement.rate
        for node in pinned_columns(statement):
            inserted[node] = inserted.get(node, 0.0) + statement.rate
        for join in statement.joins:
            for side in (join.left, join.right):
                inserted.setdefault((side.table.key, side.column.key), 0.0)
    linked: dict[tuple[str, str], int] = {}
    for cls in _key_classes(catalog, units):
        tables_in = len({t for t, _ in cls})
        for node in cls:
            linked[node] = tables_in - 1
    weight = {
        node: (filtered.get(node, 0.0), linked.get(node, 0), inserted.get(node, 0.0))
        for node in {*filtered, *inserted}
    }
    options: dict[str, tuple[Option, ...]] = {}
    refused: list[Refused] = []
    reference_limit = REFERENCE_MEMORY_SHARE * node_memory
    write_limit = REFERENCE_WRITE_SHARE * node_write_rate
    writes: dict[str, float] = {}
    for statement in statements:
        target = statement.write_target
        if target is not None:
            writes[target.table.key] = writes.get(target.table.key, 0.0) + statement.rate
    for table in catalog.tables:
        found: dict[str, Option] = {}
        ranked = sorted(
            ((w, c) for (t, c), w in weight.items() if t == table.name.key),
            key=lambda wc: (-wc[0][0], -wc[0][1], -wc[0][2], wc[1]),
        )
        names = [table.column(c) for _, c in ranked]
        pk_first = table.primary_key.columns[0] if table.primary_key else None
        listed = [
            (w[0] + w[2], col.name) for (w, _), col in zip(ranked, names, strict=True) if col is not None
        ]
        if pk_first is not None and all(not n.matches(pk_first) for _, n in listed):
            listed.append((0.0, pk_first))
        for w, column in listed:
            if len(found) >= MAX_CANDIDATES:
                break
            label = f"{table.name}.{column}"
            if not _hashable(table, column):
                refused.append(Refused(table.name.value, label, "its type does not hash evenly"))
                continue
            distinct = distinct_values(catalog, table, column)
            if distinct.values is not None and distinct.values < shard_count:
                refused.append(
                    Refused(
                        table.name.value,
                        label,
                        f"{distinct.values:,.0f} distinct values for {shard_count} shards "
                        f"({distinct.source})",
                    )
                )
                continue
            found[column.key] = Option(table.name, column, w)
        size = sizes.get(table.name.key)
        bytes_at_horizon = size.total_bytes_at_horizon if size is not None else 0.0
        written = writes.get(table.name.key, 0.0)
        if bytes_at_horizon > reference_limit:
            refused.append(
                Refused(
                    table.name.value,
                    f"{table.name}: reference",
                    f"{format_size(bytes_at_horizon)} at the horizon is more than "
                    f"{REFERENCE_MEMORY_SHARE:.0%} of a node's memory to copy to every node",
                )
            )
        elif written > write_limit:
            refused.append(
                Refused(
                    table.name.value,
                    f"{table.name}: reference",
                    f"{written:,.1f} writes/s, each applied on every node: more than "
                    f"{REFERENCE_WRITE_SHARE:.0%} of a node's {node_write_rate:,.0f} writes/s",
                )
            )
        else:
            found["<reference>"] = Option(table.name, None)
        if not found and table.columns:
            # nothing qualifies: the first column that hashes, so every table has a place
            first = next((c.name for c in table.columns if _hashable(table, c.name)), table.columns[0].name)
            found[first.key] = Option(table.name, first)
        options[table.name.key] = tuple(found.values())
    return Candidates(options, tuple(refused))


def _same_type(catalog: Catalog, a: Placement, b: Placement) -> bool:
    ta, tb = catalog.table(a.table), catalog.table(b.table)
    if ta is None or tb is None:
        return False
    ca, cb = ta.column(a.columns[0]), tb.column(b.columns[0])
    if ca is None or cb is None:
        return False
    x, y = ca.type, cb.type
    return (x.kind, x.length, x.precision, x.scale) == (y.kind, y.length, y.precision, y.scale)


def with_groups(
    catalog: Catalog, placements: tuple[Placement, ...], units: tuple[Unit, ...], shards: int
) -> Layout:
    """The layout with co-location groups (see the module docstring): tables whose distribution
    columns share a value or an equality join, and have the same type, share a group named after
    its first table in dependency order."""
    ungrouped = Layout(
        tuple(
            Placement(p.table, p.kind, p.columns, p.table.value if p.distributed else "") for p in placements
        ),
        shards,
    )
    parent = {p.table.key: p.table.key for p in placements if p.distributed}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def link(a: Placement, b: Placement) -> None:
        if a.table.key == b.table.key or len(a.columns) != 1 or len(b.columns) != 1:
            return
        if _same_type(catalog, a, b):
            ra, rb = find(a.table.key), find(b.table.key)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

    for unit in units:
        by_value: dict[str, list[Placement]] = {}
        for statement in unit.statements:
            r = route(statement, ungrouped)
            for access in r.accesses:
                p = ungrouped.placement(access.table)
                if p is None or len(access.key) != 1:
                    continue
                var = access.key[0]
                name = var[1]
                if var[0] == "param":
                    seen = {name}
                    current = unit.parameter(name)
                    while current is not None and current.equals is not None and current.equals not in seen:
                        name = current.equals
                        seen.add(name)
                        current = unit.parameter(name)
                by_value.setdefault(f"{var[0]}:{name}", []).append(p)
            for join in statement.joins:
                left, right = ungrouped.placement(join.left.table), ungrouped.placement(join.right.table)
                if left is None or right is None or not (left.distributed and right.distributed):
                    continue
                if left.columns[0].matches(join.left.column) and right.columns[0].matches(join.right.column):
                    link(left, right)
        for tables in by_value.values():
            for other in tables[1:]:
                link(tables[0], other)
    order = [t.name.key for t in catalog.dependency_order()]
    leader: dict[str, str] = {}
    for key in order:
        if key in parent:
            leader.setdefault(find(key), key)
    named = {t.name.key: t.name.value for t in catalog.tables}
    out = []
    for p in placements:
        group = named.get(leader.get(find(p.table.key), p.table.key), p.table.value) if p.distributed else ""
        out.append(Placement(p.table, p.kind, p.columns, group))
    return Layout(tuple(out), shards)


@dataclass(frozen=True)
class SearchResult:
    best: Evaluated
    method: str
    evaluations: int
    candidates: Candidates


def _key_classes(catalog: Catalog, units: tuple[Unit, ...]) -> list[set[tuple[str, str]]]:
    """Columns linked by equality joins, foreign keys or a shared parameter, largest first."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: tuple[str, str], b: tuple[str, str]) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for table in catalog.tables:
        for fk in table.foreign_keys:
            for mine, theirs in zip(fk.columns, fk.ref_columns, strict=False):
                union((table.name.key, mine.key), (fk.ref_table.key, theirs.key))
    for unit in units:
        by_param: dict[str, tuple[str, str]] = {}
        for statement in unit.statements:
            for join in statement.joins:
                union(
                    (join.left.table.key, join.left.column.key), (join.right.table.key, join.right.column.key)
                )
            for node, values in pinned_columns(statement).items():
                for kind, name in values:
                    if kind != "param":
                        continue
                    root = name
                    current = unit.parameter(name)
                    seen = {name}
                    while current is not None and current.equals is not None and current.equals not in seen:
                        root = current.equals
                        seen.add(root)
                        current = unit.parameter(root)
                    if root in by_param:
                        union(by_param[root], node)
                    else:
                        by_param[root] = node
                        find(node)
    classes: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for node in list(parent):
        classes.setdefault(find(node), set()).add(node)
    return sorted(classes.values(), key=lambda c: (-len({t for t, _ in c}), sorted(c)))


def search(
    catalog: Catalog,
    units: tuple[Unit, ...],
    sizes: dict[str, TableSize],
    shard_count: int,
    node_memory: float,
    statements: Iterable[Statement],
    node_write_rate: float = float("inf"),
) -> SearchResult:
    """The best layout (see the module docstring)."""
    statements = tuple(statements)
    found = candidates(catalog, statements, sizes, shard_count, node_memory, units, node_write_rate)
    evaluator = Evaluator(catalog, units, sizes, shard_count, REFERENCE_MEMORY_SHARE * node_memory)
    tables = [t.name.key for t in catalog.tables]
    options = [found.options[t] for t in tables]

    def build(choice: Iterable[Option]) -> Evaluated:
        layout = with_groups(catalog, tuple(o.placement() for o in choice), units, shard_count)
        return evaluator.evaluate(layout)

    space = math.prod(len(o) for o in options)
    if space <= EXHAUSTIVE_LIMIT:
        best: Evaluated | None = None
        for combo in itertools.product(*options):
            result = build(combo)
            if best is None or result.score.key() > best.score.key():
                best = result
        assert best is not None
        return SearchResult(best, f"exhaustive over {space} layouts", evaluator.evaluations, found)
    seeds: list[list[Option]] = []
    for cls in _key_classes(catalog, units):
        seed: list[Option] = []
        for i, table in enumerate(tables):
            inside = [o for o in options[i] if o.column is not None and (table, o.column.key) in cls]
            reference = [o for o in options[i] if o.reference]
            seed.append(inside[0] if inside else (reference[0] if reference else options[i][0]))
        if seed not in seeds:
            seeds.append(seed)
    first = [o[0] for o in options]
    if first not in seeds:
        seeds.append(first)
    best = None
    for seed in seeds:
        current = list(seed)
        result = build(current)
        for _ in range(MAX_PASSES):
            improved = False
            for i in range(len(tables)):
                for option in options[i]:
                    if option == current[i]:
                        continue
                    trial = [*current[:i], option, *current[i + 1 :]]
                    candidate = build(trial)
                    if candidate.score.key() > result.score.key():
                        current, result, improved = trial, candidate, True
            if not improved:
                break
        if best is None or result.score.key() > best.score.key():
            best = result
    assert best is not None
    method = (
        f"coordinate descent from {len(seeds)} starting layouts (one per key class) over {space:,} "
        f"possible layouts (more than {EXHAUSTIVE_LIMIT} for an exhaustive search)"
    )
    return SearchResult(best, method, evaluator.evaluations, found)
