"""The floor under a read: what returning only the rows it returns takes at the brief's size.

No lever beats it. A summary table, a rewrite, a copied column or an index changes how a statement
finds its rows; none changes how many rows it returns, and every one of them is at least a tuple
handed to the client. So when the rows a statement returns take longer than its SLO, no design can
meet it: the SLO, the statement (a LIMIT, a narrower filter, a coarser grouping) or the machine
has to change. When they take less, the SLO is not proven out of reach, and the search says so.

The rows returned are estimated from the brief's statistics, the way the built-in model estimates
them, and only when every filter is one the statistics price: each WHERE and ON term a column
compared with a value or a column (``=``, ``<>``, ``IN``, ``IS NULL``; no OR, no function of a column,
no subquery), no HAVING and no DISTINCT, and no filter priced by a planner default (a range on a
parameter is a third of the rows to the planner, not to the user who asks for the last hour).
Anything else could keep far fewer rows, and then there is no floor (None), never a guessed one.

- an aggregate without GROUP BY returns one row (whatever its filters);
- a GROUP BY returns at most the rows it groups, and at least as many groups as its most varied
  plain column has values among its table's filtered rows (a grouping expression such as a
  ``CAST(ts AS date)`` counts as one group: how many days a range holds is not known here);
- otherwise the rows of the statement's largest table that pass its filters, reduced by the
  filters on the tables it joins, when each of them is a parent it joins along a NOT NULL foreign
  key (one parent row per child row; any other join, or a table joined twice, and there is no floor);
- a LIMIT caps them (an OFFSET's skipped rows are not returned: keyset pagination avoids them).

Each returned row costs at least PostgreSQL's ``cpu_tuple_cost`` (0.01 planner units) through the
engine's latency model, plus the statement's fixed cost, times the model's p95/p50.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.advisors.access_paths import (
    access_path,
    default_equality_basis,
    range_selectivity,
    unique_key_fixed,
)
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.ingest.parsed import parse_statement
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.workload import Predicate, PredicateKind, Statement

#: PostgreSQL's cpu_tuple_cost: the least a row handed up a plan costs, in planner units.
CPU_TUPLE_COST = 0.01


@dataclass(frozen=True)
class Floor:
    """What returning only a statement's rows takes at the brief's size.

    Attributes:
        rows: The rows it returns (estimated from the brief's statistics, kept low where it is silent).
        ms: Their p95, milliseconds: the statement's fixed cost and one tuple per row.
        how: How ``rows`` was counted, in words.
    """

    rows: float
    ms: float
    how: str


def _plain_columns(nodes: list[exp.Expr]) -> list[exp.Column]:
    """The plain columns among GROUP BY items (an expression counts as one group: left out)."""
    return [node for node in nodes if isinstance(node, exp.Column)]


def _outer_tables(select: exp.Select) -> dict[str, str]:
    """Alias (or name) -> table name of the tables the outer query reads in FROM and JOIN."""
    out: dict[str, str] = {}
    sources = [select.args.get("from_") or select.args.get("from"), *(select.args.get("joins") or [])]
    for source in sources:
        if source is None:
            continue
        node = source.this
        if isinstance(node, exp.Table) and node.name:
            out[(node.alias_or_name or node.name).lower()] = node.name.lower()
    return out


_COMPARISONS = (exp.EQ, exp.NEQ, exp.In, exp.Is)
_VALUES = (exp.Literal, exp.Placeholder, exp.Parameter, exp.Null, exp.Boolean, exp.Column)


def _simple(term: exp.Expr) -> bool:
    """A WHERE/ON term the statistics price: a column compared with a value, a parameter or a column."""
    if isinstance(term, exp.Paren):
        return _simple(term.this)
    if not isinstance(term, _COMPARISONS):
        return False
    if not isinstance(term.this, exp.Column):
        return False
    if isinstance(term, exp.In):
        return not term.args.get("query") and all(isinstance(v, _VALUES) for v in term.expressions)
    return isinstance(term.expression, _VALUES)


def _conjuncts(node: exp.Expr | None) -> list[exp.Expr]:
    if node is None:
        return []
    if isinstance(node, exp.Where):
        return _conjuncts(node.this)
    if isinstance(node, exp.And):
        return _conjuncts(node.this) + _conjuncts(node.expression)
    return [node]


def _understood(select: exp.Select) -> bool:
    """Every filter of ``select`` is one the statistics price (see the module docstring)."""
    if select.args.get("having") is not None or select.args.get("distinct") is not None:
        return False
    terms = _conjuncts(select.args.get("where"))
    for join in select.args.get("joins") or []:
        if join.args.get("using"):
            return False
        terms += _conjuncts(join.args.get("on"))
    return all(_simple(t) for t in terms)


def _parent_of(statement: Statement, child: Table, parent: Table) -> bool:
    """``parent`` is joined to ``child`` along a foreign key of ``child`` whose columns are NOT NULL:
    each ``child`` row meets exactly one ``parent`` row, so the join keeps ``child``'s rows (fewer only
    by ``parent``'s filters)."""
    pairs = {
        frozenset(((j.left.table.key, j.left.column.key), (j.right.table.key, j.right.column.key)))
        for j in statement.joins
        if j.kind in ("inner", "left")
    }
    for fk in child.foreign_keys:
        if not fk.ref_table.matches(parent.name.value) or len(fk.columns) != len(fk.ref_columns):
            continue
        columns = [child.column(c) for c in fk.columns]
        if any(c is None or c.nullable for c in columns):
            continue
        if all(
            frozenset(((child.name.key, c.key), (parent.name.key, r.key))) in pairs
            for c, r in zip(fk.columns, fk.ref_columns, strict=True)
        ):
            return True
    return False


def returned_rows(statement: Statement, catalog: Catalog, traits: EngineTraits) -> tuple[float, str] | None:
    """The rows ``statement`` returns at the brief's size and how they were counted; None for a write,
    a compound query, or tables the brief does not size."""
    if statement.is_write:
        return None
    try:
        tree = parse_statement(statement.sql, traits.sqlglot_dialect)
    except SqlglotError:
        return None
    if not isinstance(tree, exp.Select):
        return None
    group = tree.args.get("group")
    aggregate = any(e.find(exp.AggFunc) is not None and e.find(exp.Window) is None for e in tree.expressions)
    if group is None and aggregate:
        return 1.0, "one row (an aggregate without GROUP BY)"
    tables = _outer_tables(tree)
    if not tables or not _understood(tree):
        return None
    filtered: dict[str, tuple[Table, float, float]] = {}  # table -> (table, total rows, selectivity)
    for access in statement.tables:
        name = access.table.value.lower()
        if name not in tables.values():
            continue
        table = catalog.table(access.table.value)
        if table is None or table.stats is None or not table.stats.rows:
            return None
        path = access_path(statement, table, access)
        if path.selectivity_source == "default":
            return None
        filtered[name] = (table, float(table.stats.rows), path.selectivity)
    if not filtered:
        return None
    largest = max(filtered, key=lambda n: filtered[n][1] * filtered[n][2])
    if any(a.occurrences > 1 for a in statement.tables) or not all(
        _parent_of(statement, filtered[largest][0], filtered[other][0])
        for other in filtered
        if other != largest
    ):
        return None
    rows = max(1.0, filtered[largest][1] * filtered[largest][2])
    for name, (_, _, selectivity) in filtered.items():
        if name != largest:
            rows *= selectivity
    rows = max(1.0, rows)
    how = f"the rows of {largest} its filters keep" + (
        ", times the share of the joined tables' rows theirs keep" if len(filtered) > 1 else ""
    )
    if group is not None:
        columns = _plain_columns(list(group.expressions))
        groups = 1.0
        for column in columns:
            owner = tables.get(column.table.lower()) if column.table else None
            if owner is None and len(filtered) == 1:
                owner = next(iter(filtered))
            known = filtered.get(owner or "")
            if known is None:
                continue
            table, total, selectivity = known
            found = table.column(column.name)
            stats = found.stats if found is not None else None
            distinct = stats.distinct if stats is not None and stats.distinct else None
            key = table.primary_key.columns if table.primary_key is not None else ()
            if distinct is None and len(key) == 1 and key[0].matches(column.name):
                distinct = total
            if distinct is not None:
                groups = max(groups, min(distinct, total * selectivity))
        rows = max(1.0, min(rows, groups))
        how = "its groups (the most varied grouping column's values among the rows it groups)"
    if statement.limit is not None and statement.limit < rows:
        rows, how = float(max(statement.limit, 1)), f"its LIMIT {statement.limit}"
    return rows, how


def floor_of(statement: Statement, catalog: Catalog, traits: EngineTraits) -> Floor | None:
    """What returning only ``statement``'s rows takes (see the module docstring); None when they
    cannot be counted."""
    counted = returned_rows(statement, catalog, traits)
    if counted is None:
        return None
    rows, how = counted
    model = traits.latency
    ms = (model.statement_ms + rows * CPU_TUPLE_COST * model.ms_per_cpu_unit) * model.p95_factor
    return Floor(rows, ms, how)


def default_estimates(statement: Statement, catalog: Catalog) -> tuple[str, ...]:
    """In words, each filter of ``statement`` its row estimate takes at the planner's default share
    because the brief says too little (an equality on a column with no distinct count, a range whose
    bounds it cannot place): what to give for the rows it returns to be counted."""
    out: list[str] = []
    for access in statement.tables:
        table = catalog.table(access.table)
        if table is None:
            continue
        ranges: dict[str, list[Predicate]] = {}
        mine = [p for p in access.predicates if p.column.table.matches(table.name)]
        fixed = unique_key_fixed(table, mine)
        for p in mine:
            if fixed and p.kind != PredicateKind.RANGE:
                continue
            if p.kind == PredicateKind.RANGE:
                ranges.setdefault(p.column.column.key, []).append(p)
            elif (basis := default_equality_basis(table, p)) is not None:
                out.append(f"{table.name.value}.{basis}")
        for group in ranges.values():
            estimate = range_selectivity(table, tuple(group))
            if estimate.source == "default" and estimate.basis:
                out.append(f"{table.name.value}.{estimate.basis}")
    return tuple(dict.fromkeys(out))
