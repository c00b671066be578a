"""Candidates beyond plain-column B-trees, and the statement facts they rest on.

The workload model records a filter on a function of a column (``lower(email) = ?``), a containment
(``profile @> ...``) or a per-key ``ORDER BY ... LIMIT`` inside a LATERAL subquery only as "some other
predicate on the column". This module reads the statement's SQL again for exactly those shapes
(:func:`statement_terms`), and proposes for them:

- an **expression B-tree** on the function of the column (``customers (lower(email))``), for an
  equality or a range on it (every engine with expression indexes);
- a **GIN** index for jsonb / array containment and overlap (``@>``, ``<@``, ``&&``) and for full-text
  matches on ``to_tsvector(...)`` (PostgreSQL; the built-in model costs it by rule, HypoPG cannot plan
  one, so with HypoPG it is not searched);
- a **BRIN** index on a large table's column that range filters read, when the column's values follow
  the table's physical order: a correlation of at least :data:`BRIN_MIN_CORRELATION` in the brief or
  the statistics, or - with no correlation known - a time column filled by its default
  (``CURRENT_TIMESTAMP``) on a table the workload only inserts into;
- a **hash** index for equality-only lookups on a wide column, where its fixed-size entries make it
  smaller than the B-tree;
- a **join key first, then the ORDER BY** composite for a table probed once per outer row that reads
  only the first rows per key (``LATERAL (... WHERE dl.driver_id = d.id ORDER BY recorded_at DESC
  LIMIT 1)``): ``(driver_id, recorded_at)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.ingest.parsed import parse_statement
from dbarchitect.model.catalog import Catalog, DefaultKind, Table
from dbarchitect.model.names import Name
from dbarchitect.model.types import TEMPORAL_KINDS
from dbarchitect.model.workload import Statement, StatementKind, Workload

#: Least rows for a BRIN candidate: below this a B-tree's size is no burden and BRIN's lossy ranges
#: cost more than they save.
BRIN_MIN_ROWS = 1_000_000.0
#: Least physical-order correlation of a column for BRIN (PostgreSQL's ``pg_stats.correlation``).
BRIN_MIN_CORRELATION = 0.9
#: Least average width (bytes) of a column for a hash candidate: a hash entry holds a 4-byte hash, so
#: it is smaller than the B-tree's only for keys wider than this.
HASH_MIN_WIDTH = 24.0

_COMPARISONS: dict[type[exp.Expr], str] = {
    exp.EQ: "eq",
    exp.GT: "range",
    exp.GTE: "range",
    exp.LT: "range",
    exp.LTE: "range",
}
#: Functions no index can be built on (aggregates, windows, volatile or session-dependent ones).
_NOT_INDEXABLE = re.compile(
    r"^(count|sum|avg|min|max|random|now|current_\w+|nextval|clock_timestamp|statement_timestamp|"
    r"row_number|rank|dense_rank|lag|lead|coalesce|cast|trycast)$",
    re.IGNORECASE,
)
_TIME_DEFAULTS = re.compile(r"current_timestamp|now\(\)|localtimestamp|current_date", re.IGNORECASE)


@dataclass(frozen=True)
class ExpressionTerm:
    """A filter on a function of one column: ``lower(email) = ?`` -> table customers, column email,
    expression ``LOWER(email)`` (neutral SQL, unqualified), kind ``eq`` or ``range``."""

    table: Name
    column: Name
    expression: str
    kind: str


@dataclass(frozen=True)
class OperatorTerm:
    """A filter only a GIN index serves: ``contains`` (``@>``, ``<@``), ``overlap`` (``&&``) on a
    column, or ``match`` (``@@``) on ``to_tsvector(...)`` of it (``expression`` then set)."""

    table: Name
    column: Name
    kind: str
    expression: str | None = None


@dataclass(frozen=True)
class PerKeyLimit:
    """A table read once per outer row for its first ``limit`` rows by ``order`` among those matching
    ``column`` (a LATERAL / correlated subquery's ``WHERE t.key = outer.key ORDER BY ... LIMIT n``)."""

    table: Name
    column: Name
    order: tuple[tuple[Name, bool], ...]
    limit: int


@dataclass(frozen=True)
class StatementTerms:
    expressions: tuple[ExpressionTerm, ...] = ()
    operators: tuple[OperatorTerm, ...] = ()
    per_key: tuple[PerKeyLimit, ...] = ()


def expression_key(text: str) -> str:
    """Comparison key of an expression's text (case and spacing ignored)."""
    return re.sub(r"\s+", "", text).lower()


class _Resolver:
    """Column references of one statement to catalog tables: by qualifier (alias or table name,
    when it names one table only) or, unqualified, by the one table of the statement holding it."""

    def __init__(self, tree: exp.Expr, statement: Statement, catalog: Catalog) -> None:
        self.tables: list[Table] = []
        for access in statement.tables:
            table = catalog.table(access.table)
            if table is not None:
                self.tables.append(table)
        self.by_alias: dict[str, Table | None] = {}
        for node in tree.find_all(exp.Table):
            table = next((t for t in self.tables if t.name.matches(node.name)), None)
            if table is None:
                continue
            for alias in {node.alias_or_name.lower(), node.name.lower()}:
                seen = self.by_alias.get(alias, table)
                self.by_alias[alias] = table if seen is table else None

    def column(self, node: exp.Column) -> tuple[Table, Name] | None:
        name = node.name
        if node.table:
            table = self.by_alias.get(node.table.lower())
            return (table, Name(name)) if table is not None and table.has_column(Name(name)) else None
        holders = [t for t in self.tables if t.has_column(Name(name))]
        return (holders[0], Name(name)) if len(holders) == 1 else None


def _fixed(node: exp.Expr) -> bool:
    """A value the statement gives (literal, parameter, or a function of those: ``lower(:email)``)."""
    if isinstance(node, exp.Literal | exp.Placeholder | exp.Parameter | exp.Null | exp.Boolean):
        return True
    if isinstance(node, exp.Column | exp.Query | exp.Subquery | exp.Star):
        return False
    children = [c for c in node.iter_expressions()]
    return bool(children) and all(_fixed(c) for c in children)


def _function_of_one_column(node: exp.Expr, resolver: _Resolver) -> tuple[Table, Name, str] | None:
    """``(table, column, neutral SQL)`` when ``node`` is an indexable function of exactly one column."""
    while isinstance(node, exp.Paren):
        node = node.this
    if not isinstance(node, exp.Func) or isinstance(node, exp.AggFunc | exp.Cast | exp.TryCast):
        return None
    name = node.sql_name() if not isinstance(node, exp.Anonymous) else str(node.this)
    if _NOT_INDEXABLE.match(name):
        return None
    columns = list(node.find_all(exp.Column))
    if len(columns) != 1 or node.find(exp.Query, exp.Placeholder, exp.Parameter) is not None:
        return None
    found = resolver.column(columns[0])
    if found is None:
        return None
    table, column = found
    declared = table.column(column)
    bare = node.copy()
    for col in bare.find_all(exp.Column):
        col.set("table", None)
        col.set("db", None)
    return table, declared.name if declared is not None else column, bare.sql(normalize_functions="lower")


def _conditions(tree: exp.Expr) -> list[exp.Expr]:
    """Every AND-ed comparison of every WHERE / ON / HAVING in the statement (OR branches left out:
    an index serves an OR only through a union of scans)."""
    out: list[exp.Expr] = []
    for clause in (*tree.find_all(exp.Where), *tree.find_all(exp.Join)):
        condition = clause.this if isinstance(clause, exp.Where) else clause.args.get("on")
        stack = [condition] if isinstance(condition, exp.Expr) else []
        while stack:
            node = stack.pop()
            while isinstance(node, exp.Paren):
                node = node.this
            if isinstance(node, exp.And):
                stack.extend((node.this, node.expression))
            else:
                out.append(node)
    return out


def statement_terms(statement: Statement, catalog: Catalog, dialect: str) -> StatementTerms:
    """The expression, operator and per-key-limit facts of ``statement`` (none when its SQL does not
    parse: the workload analysis has already reported it)."""
    try:
        tree = parse_statement(statement.sql, dialect)
    except (SqlglotError, RecursionError, ValueError):
        return StatementTerms()
    if tree is None:
        return StatementTerms()
    resolver = _Resolver(tree, statement, catalog)
    expressions: list[ExpressionTerm] = []
    operators: list[OperatorTerm] = []
    for node in _conditions(tree):
        kind = _COMPARISONS.get(type(node))
        if kind is not None:
            for side, other in ((node.this, node.expression), (node.expression, node.this)):
                if not isinstance(side, exp.Expr) or not isinstance(other, exp.Expr) or not _fixed(other):
                    continue
                found = _function_of_one_column(side, resolver)
                if found is not None:
                    expressions.append(ExpressionTerm(found[0].name, found[1], found[2], kind))
                    break
            continue
        if isinstance(node, exp.ArrayContainsAll | exp.ArrayContainedBy | exp.ArrayOverlaps):
            op = "overlap" if isinstance(node, exp.ArrayOverlaps) else "contains"
            side, other = node.this, node.expression
            if isinstance(side, exp.Column) and isinstance(other, exp.Expr) and _fixed(other):
                hit = resolver.column(side)
                if hit is not None:
                    operators.append(OperatorTerm(hit[0].name, hit[1], op))
        elif isinstance(node, exp.MatchAgainst):
            vectors = [e for e in node.expressions if isinstance(e, exp.Anonymous)]
            if len(vectors) == 1 and str(vectors[0].this).lower() == "to_tsvector" and _fixed(node.this):
                found = _function_of_one_column(vectors[0], resolver)
                if found is not None:
                    operators.append(OperatorTerm(found[0].name, found[1], "match", found[2]))
    return StatementTerms(
        tuple(dict.fromkeys(expressions)),
        tuple(dict.fromkeys(operators)),
        tuple(dict.fromkeys(_per_key_limits(tree, resolver))),
    )


def _per_key_limits(tree: exp.Expr, resolver: _Resolver) -> list[PerKeyLimit]:
    """Subqueries over one table with ``WHERE t.key = <outer column> ... ORDER BY ... LIMIT n``."""
    out: list[PerKeyLimit] = []
    for select in tree.find_all(exp.Select):
        if select is tree or select.args.get("limit") is None or not select.args.get("order"):
            continue
        limit = select.args["limit"].expression
        if not isinstance(limit, exp.Literal) or not limit.is_int:
            continue
        sources = [t for t in select.find_all(exp.Table) if t.find_ancestor(exp.Select) is select]
        if len(sources) != 1:
            continue
        table = resolver.by_alias.get(sources[0].alias_or_name.lower())
        if table is None:
            continue
        local = {sources[0].alias_or_name.lower(), sources[0].name.lower()}
        where = select.args.get("where")
        key: Name | None = None
        for node in _conditions(exp.Select(where=where.copy())) if where is not None else []:
            if not isinstance(node, exp.EQ):
                continue
            sides = [node.this, node.expression]
            if not all(isinstance(s, exp.Column) for s in sides):
                continue
            mine = [s for s in sides if s.table.lower() in local]
            theirs = [s for s in sides if s.table and s.table.lower() not in local]
            if len(mine) == 1 and len(theirs) == 1 and table.has_column(Name(mine[0].name)):
                key = Name(mine[0].name)
                break
        if key is None:
            continue
        order: list[tuple[Name, bool]] = []
        for ordered in select.args["order"].expressions:
            col = ordered.this
            if not isinstance(col, exp.Column) or (col.table and col.table.lower() not in local):
                order = []
                break
            if not table.has_column(Name(col.name)):
                order = []
                break
            order.append((Name(col.name), bool(ordered.args.get("desc"))))
        if order:
            out.append(PerKeyLimit(table.name, key, tuple(order), int(limit.name)))
    return out


def workload_terms(workload: Workload, catalog: Catalog, dialect: str) -> dict[str, StatementTerms]:
    """:func:`statement_terms` of every statement that has any, by statement name."""
    out: dict[str, StatementTerms] = {}
    for statement in workload.statements:
        terms = statement_terms(statement, catalog, dialect)
        if terms.expressions or terms.operators or terms.per_key:
            out[statement.name] = terms
    return out


def append_only(workload: Workload, table: Table) -> bool:
    """The workload only inserts into ``table`` (no UPDATE or DELETE of its rows)."""
    for statement in workload.statements:
        target = statement.write_target
        written = target is not None and target.table.matches(table.name)
        if written and statement.kind in (StatementKind.UPDATE, StatementKind.DELETE, StatementKind.UPSERT):
            return False
    return True


def brin_rule(table: Table, column: Name, workload: Workload) -> str | None:
    """Why a BRIN index on ``column`` follows the table's physical order (the reason shown), or
    ``None`` when it may not: the table is large, and the column is correlated with the row order
    (statistics), or - unknown - a time column filled by its default on an insert-only table."""
    rows = table.stats.rows if table.stats is not None else None
    if rows is None or rows < BRIN_MIN_ROWS:
        return None
    col = table.column(column)
    if col is None:
        return None
    correlation = col.stats.correlation if col.stats is not None else None
    if correlation is not None:
        if abs(correlation) >= BRIN_MIN_CORRELATION:
            return f"BRIN: {col.name.value}'s correlation with the row order is {correlation:.2f}"
        return None
    default = col.default
    filled_by_clock = default is not None and (
        default.kind in (DefaultKind.CURRENT_TIMESTAMP, DefaultKind.CURRENT_DATE)
        or (default.kind == DefaultKind.EXPRESSION and bool(_TIME_DEFAULTS.search(default.value or "")))
    )
    if col.type.kind in TEMPORAL_KINDS and filled_by_clock and append_only(workload, table):
        return f"BRIN: {col.name.value} is filled with the insert time and rows are only appended"
    return None
