"""Which access path each statement can take to each table with the indexes that exist now.

For every (statement, table) pair: the filters it applies, their estimated selectivity (from the
brief's or the engine's statistics; a range from its bounds - literals or the brief's example parameter
values - over the column's min/max or time span, :mod:`dbarchitect.advisors.range_selectivity`, all the
ranges on one column read together; PostgreSQL's documented planner defaults where none are given,
and then marked as defaults), and the best existing index by the textbook B-tree rule — equality
(and IN) columns as a leading prefix, then at most one range or LIKE-prefix column — or a full scan
when no index matches. Primary keys and unique constraints count as indexes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dbarchitect.advisors.range_selectivity import range_estimate
from dbarchitect.model.catalog import Catalog, Column, Index, IndexKey, Table
from dbarchitect.model.names import Name
from dbarchitect.model.types import TypeKind
from dbarchitect.model.workload import Predicate, PredicateKind, Statement, TableAccess

# PostgreSQL's selectivity defaults (src/include/utils/selfuncs.h), used only when no statistics exist.
DEFAULT_EQ_SEL = 0.005
DEFAULT_INEQ_SEL = 1.0 / 3.0
DEFAULT_RANGE_SEL = 0.005
DEFAULT_MATCH_SEL = 0.005
DEFAULT_UNK_SEL = 0.005

_INDEXABLE_EQ = (PredicateKind.EQ, PredicateKind.IN, PredicateKind.IS_NULL)
_INDEXABLE_RANGE = (PredicateKind.RANGE, PredicateKind.LIKE_PREFIX)


class PathKind(StrEnum):
    INDEX = "index"
    FULL_SCAN = "full scan"
    NO_FILTER = "no filter"


@dataclass(frozen=True)
class Selectivity:
    value: float
    #: ``statistics`` when derived from known distinct counts / hot values / a range's known bounds
    #: and extent, else ``default``.
    source: str
    #: What a range's estimate was read from, in words (empty for other filters).
    basis: str = ""


@dataclass(frozen=True)
class AccessPath:
    statement: str
    table: str
    kind: PathKind
    index: str | None
    #: Index columns the filters match, in index order.
    matched: tuple[str, ...]
    #: Columns filtered on (predicates), in statement order.
    filtered: tuple[str, ...]
    selectivity: float
    selectivity_source: str
    rows_total: float | None
    rows_estimated: float | None
    #: ORDER BY of this table served by the chosen index's order (no sort needed).
    order_served: bool
    reason: str


def _is_unique(table: Table, column: Column) -> bool:
    """The column alone is the primary key or a unique key (or a single-column unique index)."""
    keys = [table.primary_key.columns] if table.primary_key is not None else []
    keys += [u.columns for u in table.uniques]
    keys += [i.columns for i in table.indexes if i.unique and i.where is None and len(i.keys) == 1]
    return any(len(k) == 1 and k[0].matches(column.name) for k in keys)


def _distinct(table: Table, column: Column | None) -> tuple[float | None, str]:
    """Distinct values of ``column`` and where that number comes from: the statistics, or — for a
    column that is unique on its own — the table's row count (as PostgreSQL's ``n_distinct = -1``)."""
    if column is None:
        return None, "default"
    if column.stats is not None and column.stats.distinct:
        return column.stats.distinct, "statistics"
    if _is_unique(table, column) and table.stats is not None and table.stats.rows:
        return table.stats.rows, "statistics"
    if column.stats is not None and column.stats.referenced_rows:
        rows = table.stats.rows if table.stats is not None and table.stats.rows else None
        return min(column.stats.referenced_rows, rows or column.stats.referenced_rows), "statistics"
    return None, "default"


def referenced_basis(table: Table, predicate: Predicate) -> str | None:
    """How an equality on a foreign key column was counted, in words, when the brief gave no distinct
    count for it and its parent's row count stood in."""
    column = table.column(predicate.column.column)
    stats = column.stats if column is not None else None
    if column is None or stats is None or stats.distinct or not stats.referenced_rows:
        return None
    if _is_unique(table, column):
        return None
    distinct, _ = _distinct(table, column)
    return (
        f"{column.name.value} counted as {distinct:,.0f} values, one per row of {stats.referenced_table} "
        "(its foreign key; give distinct in the brief if children gather on few parents)"
    )


def default_equality_basis(table: Table, predicate: Predicate) -> str | None:
    """In words, an equality (or IN list) against a value that is estimated at the planner's default
    share of the rows because the brief gives the column no distinct count (nor the value as a hot
    one): the estimate rests on it, so the plan says so and what to give. None otherwise (a join's
    column compared with another table's is a join, not a filter)."""
    if predicate.kind not in (PredicateKind.EQ, PredicateKind.IN) or predicate.value is None:
        return None
    if predicate_selectivity(table, predicate).source != "default":
        return None
    column = predicate.column.column.value
    value = predicate.value if predicate.kind == PredicateKind.EQ else "(...)"
    return (
        f"{column} {predicate.operator} {value} at the planner's default ({DEFAULT_EQ_SEL:.1%} of the rows "
        "per value): "
        f"the brief gives no distinct count for {table.name.value}.{column} "
        f"(tables.{table.name.value}.columns.{column}.distinct)"
    )


_TRUE = frozenset({"true", "t", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "f", "0", "no", "n", "off"})


def _value_key(text: str | None, boolean: bool = False) -> str | None:
    """A literal's text as hot values are keyed: quotes stripped, booleans in lower case (``TRUE``
    in SQL matches ``true`` in the brief); on a boolean column every spelling of true and false
    (``1``, ``'t'``, ``TRUE``) is one key, so ``approved = TRUE`` finds a brief's ``"1": 0.8``."""
    if text is None:
        return None
    value = text.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1].replace("''", "'")
    lowered = value.lower()
    if boolean and (lowered in _TRUE or lowered in _FALSE):
        return "true" if lowered in _TRUE else "false"
    return lowered if lowered in ("true", "false") else value


def _equality_selectivity(table: Table, column: Column | None, values: tuple[str, ...]) -> Selectivity:
    """Fraction of rows equal to one of ``values`` (literal texts), or to one parameter when
    ``values`` is empty."""
    stats = column.stats if column is not None else None
    boolean = column is not None and column.type.kind == TypeKind.BOOLEAN
    hot: dict[str | None, float] = {}
    for v, f in stats.most_common if stats is not None else ():
        hot[_value_key(v, boolean)] = hot.get(_value_key(v, boolean), 0.0) + f
    distinct, source = _distinct(table, column)
    if distinct is None:
        if values and all(_value_key(v, boolean) in hot for v in values):
            return Selectivity(min(1.0, sum(hot[_value_key(v, boolean)] for v in values)), "statistics")
        return Selectivity(min(1.0, DEFAULT_EQ_SEL * max(len(values), 1)), "default")
    rest = max(distinct - len(hot), 1.0)
    cold = max(0.0, 1.0 - sum(hot.values()))
    if values:
        # Each literal: its own frequency when hot, else an equal share of the values that are not.
        return Selectivity(
            min(1.0, sum(hot.get(_value_key(v, boolean), cold / rest) for v in values)), source
        )
    if hot:
        # A parameter may hit a hot value: average over the value distribution (sum of f²).
        return Selectivity(sum(f * f for f in hot.values()) + cold * cold / rest, source)
    return Selectivity(cold / rest, source)


def predicate_selectivity(table: Table, predicate: Predicate) -> Selectivity:
    """Fraction of ``table``'s rows a single predicate keeps."""
    column = table.column(predicate.column.column)
    stats = column.stats if column is not None else None
    if predicate.kind == PredicateKind.IS_NULL:
        if stats is not None and stats.null_fraction is not None:
            return Selectivity(stats.null_fraction, "statistics")
        return Selectivity(DEFAULT_EQ_SEL, "default")
    if predicate.kind in (PredicateKind.EQ, PredicateKind.IN, PredicateKind.NOT_EQ):
        if predicate.in_values:
            literals = predicate.in_values
        elif predicate.value not in (None, "?"):
            literals = (predicate.value or "",)
        else:
            literals = ()
        one = _equality_selectivity(table, column, literals)
        if predicate.kind == PredicateKind.NOT_EQ:
            return Selectivity(max(0.0, 1.0 - one.value), one.source)
        if predicate.kind == PredicateKind.IN and not literals:
            return Selectivity(min(1.0, one.value * max(predicate.values, 1)), one.source)
        return one
    if predicate.kind == PredicateKind.RANGE:
        return range_selectivity(table, (predicate,))
    if predicate.kind in (PredicateKind.LIKE_PREFIX, PredicateKind.LIKE):
        return Selectivity(DEFAULT_MATCH_SEL, "default")
    return Selectivity(DEFAULT_UNK_SEL, "default")


def range_selectivity(table: Table, predicates: tuple[Predicate, ...]) -> Selectivity:
    """Fraction of ``table``'s rows the range ``predicates`` on one column keep together: from their
    bounds over the column's extent when the brief says enough (``statistics``, with the basis in
    words), else PostgreSQL's defaults for each (``default``: 1/3 for a bound, 0.005 for a BETWEEN)."""
    known = range_estimate(table, predicates)
    if known.value is not None:
        return Selectivity(known.value, "statistics", known.basis)
    value = 1.0
    for p in predicates:
        value *= DEFAULT_RANGE_SEL if p.operator.upper() == "BETWEEN" else DEFAULT_INEQ_SEL
    column = predicates[0].column.column.value if predicates else "?"
    return Selectivity(value, "default", f"{column} at the planner's default selectivity: {known.basis}")


def filters_selectivity(table: Table, filters: list[Predicate]) -> tuple[float, set[str], list[str]]:
    """The share of ``table``'s rows all ``filters`` keep (independent columns multiplied; every range
    filter on a column read together), the sources used and the ranges' bases."""
    value = 1.0
    sources: set[str] = set()
    bases: list[str] = []
    ranges: dict[str, list[Predicate]] = {}
    for p in filters:
        if p.kind == PredicateKind.RANGE:
            ranges.setdefault(p.column.column.key, []).append(p)
            continue
        s = predicate_selectivity(table, p)
        value *= s.value
        sources.add(s.source)
        basis = (
            referenced_basis(table, p) or default_equality_basis(table, p)
            if p.kind in (PredicateKind.EQ, PredicateKind.IN)
            else None
        )
        if basis is not None and basis not in bases:
            bases.append(basis)
    for group in ranges.values():
        s = range_selectivity(table, tuple(group))
        value *= s.value
        sources.add(s.source)
        bases.append(s.basis)
    return value, sources, bases


def table_indexes(table: Table) -> tuple[Index, ...]:
    """Every B-tree the table has: primary key and unique constraints first, then its indexes."""
    backing: list[Index] = []
    if table.primary_key is not None:
        name = table.primary_key.name or Name(f"{table.name.value}_pkey")
        backing.append(Index(name, tuple(IndexKey(column=c) for c in table.primary_key.columns), unique=True))
    for u in table.uniques:
        name = u.name or Name(f"{table.name.value}_{'_'.join(c.value for c in u.columns)}_key")
        backing.append(Index(name, tuple(IndexKey(column=c) for c in u.columns), unique=True))
    return (*backing, *(i for i in table.indexes if i.method in (None, "btree")))


def _match(index: Index, access: TableAccess) -> tuple[tuple[str, ...], bool]:
    """Index columns matched by the access's filters (equality prefix then one range), and whether
    the index order serves the ORDER BY after the equality prefix."""
    eq = {p.column.column.key for p in access.predicates if p.kind in _INDEXABLE_EQ}
    rng = {p.column.column.key for p in access.predicates if p.kind in _INDEXABLE_RANGE}
    matched: list[str] = []
    keys = [k for k in index.keys]
    position = 0
    for key in keys:
        if key.column is None or key.column.key not in eq:
            break
        matched.append(key.column.value)
        position += 1
    if position < len(keys) and keys[position].column is not None:
        col = keys[position].column
        assert col is not None
        if col.key in rng:
            matched.append(col.value)
    order_served = False
    if access.order_by:
        rest = keys[position:]
        wanted = [(o.column.column.key, o.descending) for o in access.order_by]
        if len(rest) >= len(wanted) and all(
            k.column is not None and k.column.key == c for k, (c, _) in zip(rest, wanted, strict=False)
        ):
            flips = {k.descending != d for k, (_, d) in zip(rest, wanted, strict=False)}
            order_served = len(flips) == 1  # all same direction, or all reversed (backward scan)
    return tuple(matched), order_served


def unique_key_fixed(table: Table, filters: list[Predicate]) -> bool:
    """Some unique key (primary key, unique constraint, full unique index) has every column compared
    for equality with a single value."""
    fixed = {p.column.column.key for p in filters if p.kind == PredicateKind.EQ}
    keys = [table.primary_key.columns] if table.primary_key is not None else []
    keys += [u.columns for u in table.uniques]
    keys += [
        i.columns for i in table.indexes if i.unique and i.where is None and len(i.columns) == len(i.keys)
    ]
    return any(k and all(c.key in fixed for c in k) for k in keys)


def access_path(statement: Statement, table: Table, access: TableAccess) -> AccessPath:
    """The best access path to ``table`` for ``statement`` with the table's current indexes."""
    filters = [p for p in access.predicates if p.column.table.matches(table.name)]
    selectivity, sources, bases = filters_selectivity(table, filters)
    if unique_key_fixed(table, filters):  # one row whatever the columns' counts: no default to name
        bases = [b for b in bases if b not in {default_equality_basis(table, p) for p in filters}]
    rows_from = f" (rows: {'; '.join(bases)})" if bases else ""
    source = "default" if "default" in sources else ("statistics" if sources else "none")
    rows = table.stats.rows if table.stats is not None else None
    if rows and unique_key_fixed(table, filters):
        # Every column of a unique key equal to one value: one row at most, as the planner knows from
        # the unique index however little it knows of the columns' statistics.
        selectivity, source = min(selectivity, 1.0 / rows), "statistics"
    # Like PostgreSQL's clamp_row_est: a filter on a non-empty table is estimated at one row or more.
    estimated = max(rows * selectivity, 1.0) if rows else rows
    filtered = tuple(dict.fromkeys(p.column.column.value for p in filters))
    best: tuple[Index, tuple[str, ...], bool] | None = None
    for index in table_indexes(table):
        matched, order_served = _match(index, access)
        score = (len(matched), order_served)
        if (matched or order_served) and (best is None or score > (len(best[1]), best[2])):
            best = (index, matched, order_served)
    if best is not None:
        index, matched, order_served = best
        parts = []
        if matched:
            parts.append(f"filters on {', '.join(matched)} match the leading column(s)")
        if order_served:
            parts.append("its order serves ORDER BY" + (" with LIMIT" if statement.limit is not None else ""))
        return AccessPath(
            statement.name,
            table.name.value,
            PathKind.INDEX,
            index.name.value,
            matched,
            filtered,
            selectivity,
            source,
            rows,
            estimated,
            order_served,
            f"index {index.name.value}: " + "; ".join(parts) + rows_from,
        )
    if not filters:
        return AccessPath(
            statement.name,
            table.name.value,
            PathKind.NO_FILTER,
            None,
            (),
            (),
            1.0,
            "none",
            rows,
            rows,
            False,
            "no filter on this table: read whole, or reached through a join",
        )
    return AccessPath(
        statement.name,
        table.name.value,
        PathKind.FULL_SCAN,
        None,
        (),
        filtered,
        selectivity,
        source,
        rows,
        estimated,
        False,
        f"no index leads with {', '.join(filtered)}" + rows_from,
    )


def access_paths(statement: Statement, catalog: Catalog) -> tuple[AccessPath, ...]:
    """Access paths of ``statement`` to every catalog table it touches, in the statement's order."""
    paths: list[AccessPath] = []
    for access in statement.tables:
        table = catalog.table(access.table)
        if table is not None:
            paths.append(access_path(statement, table, access))
    return tuple(paths)
