"""The built-in model's working parts: a table's facts, an index as the model sees it, a way into a
table (a path), one table access of a statement, and the page-fetch formula they share."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from dbarchitect.advisors.access_paths import (
    DEFAULT_INEQ_SEL,
    DEFAULT_MATCH_SEL,
    default_equality_basis,
    predicate_selectivity,
)
from dbarchitect.advisors.indexes.candidate import IndexCandidate
from dbarchitect.advisors.range_selectivity import range_estimate
from dbarchitect.model.catalog import Table
from dbarchitect.model.names import Name
from dbarchitect.model.workload import ColumnRef, Predicate, PredicateKind, TableAccess

BLOCK = 8192.0


@dataclass(frozen=True)
class TableFacts:
    table: Table
    rows: float
    pages: float
    #: Bytes of the primary key columns (carried by InnoDB secondary entries).
    pk_width: float


@dataclass(frozen=True, eq=False)
class Shape:
    """An index as the model sees it (existing or hypothetical)."""

    label: str
    candidate: IndexCandidate | None
    keys: tuple[str, ...]
    descending: tuple[bool, ...]
    held: frozenset[str]
    where: str | None
    unique: bool
    tuples: float
    pages: float
    height: int
    correlation: float
    #: Access method when not a B-tree (``brin``, ``hash``, ``gin``).
    method: str | None = None


@dataclass(frozen=True)
class Path:
    cost: float
    startup: float
    text: str
    candidate: IndexCandidate | None
    #: The path returns rows in the statement's ORDER BY.
    ordered: bool = False
    #: The part of ``cost`` charged for reading pages (``seq_page_cost`` / ``random_page_cost``).
    io: float = 0.0
    #: The table's name key when the path reads it whole (a sequential scan).
    seq_table: str | None = None
    #: The index is read without visiting the table (an index-only scan).
    index_only: bool = False
    #: The existing index the path reads (its name), when it reads one.
    existing: str | None = None


@dataclass
class Access:
    """One table access of one statement, with what costing needs precomputed."""

    access: TableAccess
    facts: TableFacts
    filters: tuple[Predicate, ...]
    #: Column key -> (selectivity, IN-list scans, single value) of equality-like filters.
    eq: dict[str, tuple[float, float, bool]]
    #: Column key -> selectivity of range / LIKE-prefix filters.
    rng: dict[str, float]
    #: Column key -> selectivity of all filters on it.
    col_sel: dict[str, float]
    selectivity: float
    out_rows: float
    read: frozenset[str]
    #: (my join column key, partner access index) pairs.
    partners: list[tuple[str, int]] = field(default_factory=list)
    #: Partner access index -> the rows that partner brings to a join with this access: its own filtered
    #: rows, narrowed by its other joins (see ``BuiltinCostModel._join_flows``).
    partner_rows: dict[int, float] = field(default_factory=dict)
    #: Join column key -> the share of this table's rows one probe value finds (``eqjoinsel``).
    join_sel: dict[str, float] = field(default_factory=dict)
    #: Join column key -> every column of this table joined to the same partner (a composite key).
    join_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Partner access index -> the columns joined to it, and the share of this table's rows one of
    #: the partner's rows finds through all of them (see :func:`group_selectivity`).
    partner_group: dict[int, tuple[str, ...]] = field(default_factory=dict)
    group_sel: dict[tuple[str, ...], float] = field(default_factory=dict)
    #: Partners whose join narrows this table's rows (inner joins; not an outer join's preserved side).
    narrowed_by: set[int] = field(default_factory=set)
    #: This table's rows that survive all its joins (its filtered rows when no join narrows them).
    joined_rows: float = 0.0
    #: ORDER BY keys when the statement's whole ORDER BY is on this table and no GROUP BY intervenes.
    order: tuple[tuple[str, bool], ...] = ()
    #: Key (column or expression key) -> selectivity of the filters only a GIN index serves.
    gin: dict[str, float] = field(default_factory=dict)
    #: Join column key -> (ORDER BY keys, rows) when each probe reads only its first rows by that order.
    per_key: dict[str, tuple[tuple[tuple[str, bool], ...], int]] = field(default_factory=dict)
    #: What each column's range filters were estimated from, in words (for the plan's text).
    ranges: tuple[str, ...] = ()


_EQ = (PredicateKind.EQ, PredicateKind.IN, PredicateKind.IS_NULL)
_RANGE = (PredicateKind.RANGE, PredicateKind.LIKE_PREFIX)


def _selectivity(table: Table, predicate: Predicate) -> float:
    """:func:`predicate_selectivity` of a filter that is not a range, with a planner behaviour it leaves
    to the caller: a negated pattern (``NOT LIKE``) keeps all but a pattern's default share."""
    operator = predicate.operator.upper()
    if predicate.kind == PredicateKind.OTHER and operator.startswith("NOT ") and "LIKE" in operator:
        return 1.0 - DEFAULT_MATCH_SEL
    return predicate_selectivity(table, predicate).value


def filter_selectivities(
    table: Table, preds: tuple[Predicate, ...]
) -> tuple[dict[str, float], dict[str, tuple[float, float, bool]], dict[str, float], tuple[str, ...]]:
    """Per column key of ``table``: the selectivity of all its filters, of its equality-like filters
    (with IN-list scans and whether it is one value) and of its range / LIKE-prefix filters; and what
    each column's range filters were estimated from. All the range filters on one column are read
    together when the brief places all their bounds (:func:`range_estimate`), else each at the planner's
    default (1/3 a bound; a BETWEEN counts as two bounds, 1/9, as a lower and an upper bound written apart
    do)."""
    col_sel: dict[str, float] = {}
    eq: dict[str, tuple[float, float, bool]] = {}
    rng: dict[str, float] = {}
    bases: list[str] = []
    joint: dict[str, float | None] = {}
    for p in preds:
        key = p.column.column.key
        if p.kind == PredicateKind.RANGE and key not in joint:
            on_key = [q for q in preds if q.kind == PredicateKind.RANGE and q.column.column.key == key]
            known = range_estimate(table, on_key)
            joint[key] = known.value
            if known.value is not None:
                col_sel[key] = col_sel.get(key, 1.0) * known.value
                rng[key] = rng.get(key, 1.0) * known.value
                bases.append(known.basis)
            else:
                bases.append(f"{p.column.column.value} at the planner's default (1/3 a bound): {known.basis}")
        if p.kind == PredicateKind.RANGE:
            if joint.get(key) is not None:
                continue
            # a bound the brief does not place: every range on the column at the planner's default
            sel = 1.0 / 9.0 if p.operator.upper() == "BETWEEN" else DEFAULT_INEQ_SEL
        else:
            sel = _selectivity(table, p)
            unknown = default_equality_basis(table, p)
            if unknown is not None and unknown not in bases:
                bases.append(unknown)
        col_sel[key] = col_sel.get(key, 1.0) * sel
        if p.kind in _EQ:
            scans = float(max(len(p.in_values), p.values)) if p.kind == PredicateKind.IN else 1.0
            eq[key] = (sel, scans, scans == 1.0)
        elif p.kind in _RANGE:
            rng[key] = rng.get(key, 1.0) * sel
    return col_sel, eq, rng, tuple(bases)


def pages_fetched(
    s: Mapping[str, float], tuples: float, pages: float, index_pages: float, total_pages: float
) -> float:
    """Mackert–Lohman (``index_pages_fetched``): distinct pages read when fetching ``tuples`` rows
    in random order from ``pages`` pages, with ``effective_cache_size`` shared by the query."""
    t = max(pages, 1.0)
    total = max(total_pages + index_pages, 1.0)
    b = max(1.0, math.ceil(s["effective_cache_size_pages"] * t / total))
    n = tuples
    if t <= b:
        fetched = min(2.0 * t * n / (2.0 * t + n), t)
    else:
        lim = 2.0 * t * b / (2.0 * t - b)
        fetched = 2.0 * t * n / (2.0 * t + n) if n <= lim else b + (n - lim) * (t - b) / t
    return float(math.ceil(fetched))


def sort_cost(s: Mapping[str, float], tuples: float, width: float, limit: int | None) -> float:
    """``cost_sort``: a bounded heap sort under a LIMIT that fits ``work_mem``, an external merge
    beyond it, else an in-memory quicksort."""
    tuples = max(tuples, 2.0)
    compare = 2.0 * s["cpu_operator_cost"]
    data = tuples * (math.ceil(width / 8.0) * 8.0 + 24.0)
    work_mem = s["work_mem_kb"] * 1024.0
    if limit is not None and tuples > 2.0 * limit and data * 2.0 * limit / tuples <= work_mem:
        startup = compare * tuples * math.log2(2.0 * limit)
    elif data > work_mem:
        pages = math.ceil(data / BLOCK)
        runs = data / work_mem
        order = max(6.0, min(500.0, work_mem / (BLOCK * 33.0)))
        log_runs = max(1.0, math.ceil(math.log(runs) / math.log(order))) if runs > 1 else 1.0
        accesses = 2.0 * pages * log_runs
        startup = compare * tuples * math.log2(tuples)
        startup += accesses * (s["seq_page_cost"] * 0.75 + s["random_page_cost"] * 0.25)
    else:
        startup = compare * tuples * math.log2(tuples)
    return startup + s["cpu_operator_cost"] * tuples


def probe_selectivity(table: Table, column: str, other: Table, other_column: str) -> float:
    """Share of ``table``'s rows one value of ``other.other_column`` finds through ``column = ...``:
    ``1 / max(distinct on each side)``, as PostgreSQL's ``eqjoinsel`` without common values, where a
    side whose distinct count the brief does not give counts the planner's default. So a column the
    brief gives no statistics for, joined to a primary key of 40M rows, finds 1/40M of its rows per
    value (the planner's estimate), not its default 0.5% for an equality with a parameter."""
    mine = predicate_selectivity(
        table, Predicate(ColumnRef(table.name, Name(column)), PredicateKind.EQ, "=", "?")
    )
    theirs = predicate_selectivity(
        other, Predicate(ColumnRef(other.name, Name(other_column)), PredicateKind.EQ, "=", "?")
    )
    if theirs.source != "statistics":
        return mine.value
    return min(mine.value, theirs.value)


def group_selectivity(
    table: Table, other: Table, pairs: list[tuple[str, str]], singles: list[float]
) -> float:
    """Share of ``table``'s rows one row of ``other`` finds through the join columns ``pairs`` (mine,
    theirs): one column's own share (``singles``); for several, as PostgreSQL does with a foreign key
    (``get_foreign_key_join_selectivity``): one row when they hold a unique key of mine, one per row of
    ``other`` when they are a foreign key of mine referencing those columns of ``other``, else the
    product of each column's share."""
    if len(singles) == 1:
        return singles[0]
    mine = {c for c, _ in pairs}
    keys = [table.primary_key.columns] if table.primary_key is not None else []
    keys += [u.columns for u in table.uniques]
    keys += [
        tuple(k.column for k in i.keys if k.column is not None)
        for i in table.indexes
        if i.unique and i.where is None
    ]
    rows = table.stats.rows if table.stats is not None and table.stats.rows else None
    if rows and any(k and {c.key for c in k} <= mine for k in keys):
        return 1.0 / rows
    referenced = other.stats.rows if other.stats is not None and other.stats.rows else None
    for fk in table.foreign_keys:
        if (
            referenced
            and fk.ref_table.matches(other.name)
            and {(c.key, r.key) for c, r in zip(fk.columns, fk.ref_columns, strict=True)} == set(pairs)
        ):
            return min(1.0, 1.0 / referenced)
    return math.prod(singles)


def join_flows(accesses: list[Access]) -> None:
    """Sets each access's ``partner_rows`` (the rows each partner brings to its join with it: the
    partner's filtered rows, or fewer when another of its inner joins narrows it) and ``joined_rows``.
    ``orders (buyer_id = ?) -> listings (id) -> sellers (id)`` probes sellers once per order found, not
    once per listing of the table, since each order meets one listing. Through an inner join, a table
    keeps at most the rows its partner brings times its rows per partner row (``group_sel``) that pass
    its filters; a partner's narrowing never counts back through the join it is computed for."""

    def flow(i: int, came_from: int, seen: frozenset[int]) -> float:
        a = accesses[i]
        rows = a.out_rows
        for partner, group in a.partner_group.items():
            if partner == came_from or partner in seen or partner not in a.narrowed_by:
                continue
            brought = flow(partner, i, seen | {i})
            rows = min(rows, max(1.0, brought * a.group_sel[group] * a.facts.rows * a.selectivity))
        return rows

    for i, a in enumerate(accesses):
        a.partner_rows = {p: flow(p, i, frozenset({i})) for p in a.partner_group}
        a.joined_rows = flow(i, -1, frozenset())


def choose_paths(accesses: list[Access], alone: list[Path], probe: list[Path | None]) -> list[Path]:
    """Each table's cheaper way in; in every joined group at least one table is read on its own
    (the outer side), the one for which that costs least extra."""
    chosen = [p if p is not None and p.cost < a.cost else a for a, p in zip(alone, probe, strict=True)]
    group = list(range(len(accesses)))

    def find(x: int) -> int:
        while group[x] != x:
            group[x] = group[group[x]]
            x = group[x]
        return x

    for i, a in enumerate(accesses):
        for _, j in a.partners:
            group[find(i)] = find(j)
    members: dict[int, list[int]] = {}
    for i in range(len(accesses)):
        members.setdefault(find(i), []).append(i)
    for ids in members.values():
        if all(chosen[i] is not alone[i] for i in ids):
            driver = min(ids, key=lambda i: (alone[i].cost - chosen[i].cost, i))
            chosen[driver] = alone[driver]
    return chosen


def serves_order(a: Access, shape: Shape) -> bool:
    """The index's key order gives the ORDER BY (columns fixed by single-value equalities skipped;
    read forwards or backwards)."""
    if not a.order:
        return False
    fixed = {k for k, (_, _, single) in a.eq.items() if single}
    wanted = [(c, d) for c, d in a.order if c not in fixed]
    if not wanted:
        return True
    flips: set[bool] = set()
    position = 0
    for key, desc in zip(shape.keys, shape.descending, strict=True):
        if position == len(wanted):
            break
        column, want_desc = wanted[position]
        if key == column:
            flips.add(desc != want_desc)
            position += 1
        elif key not in fixed:
            return False
    return position == len(wanted) and len(flips) == 1
