"""Workload statements -> the workload model: every statement parsed, every column resolved to its table.

Each statement is parsed with sqlglot in its dialect (the target engine's, or the statement's own for
logs). Name resolution is sqlglot's: views are expanded into derived tables, then
``sqlglot.optimizer.qualify`` qualifies every column against a schema built from the catalog, and
``sqlglot.optimizer.scope`` gives the scopes (subqueries, CTEs, derived tables, UNION branches) in
which each column's qualifier is looked up — outward for correlated subqueries. A column of a derived
table, CTE or view is followed through the projection that defines it to the base table column (its
*lineage*); a projection that is an expression (``SUM(x)``, ``SUBSTRING(c, 1, 2)``) ends the lineage.
UPDATE and DELETE are analyzed as the SELECT that finds their rows (``SELECT <set values> FROM target
[FROM/USING/JOIN ...] WHERE ...``); INSERT ... SELECT as its SELECT.

What is recorded, and the choices made:

- **Predicates** are taken from WHERE, JOIN ... ON and HAVING of every scope. A predicate is a column
  of a table compared with something fixed during one execution: a literal or constant expression, a
  parameter, an uncorrelated scalar subquery, or a column of an *outer* query (a correlated
  subquery's reference, constant for each outer row). Kinds: ``=`` -> EQ; ``<>`` -> NOT_EQ;
  ``< <= > >=`` and BETWEEN -> RANGE; IN (list) -> IN with the count of values; LIKE with a literal
  pattern that does not start with a wildcard -> LIKE_PREFIX, other LIKE/ILIKE -> LIKE; IS NULL ->
  IS_NULL; NOT IN -> NOT_EQ; everything else on a single column (a function of the column such as
  ``lower(email) = ?``, NOT LIKE, IS NOT NULL, NOT BETWEEN) -> OTHER. A comparison of two columns of
  the same table occurrence (``l_commitdate < l_receiptdate``) is no predicate; aggregates are no
  predicates.
- **OR**: a predicate holds for the table only when every branch implies it. Conditions identical in
  every branch are kept as they are; a column constrained in every branch by equalities / IN-lists
  becomes one IN predicate with the summed count of values (``a = 1 OR a = 2`` is ``a IN (1, 2)``);
  ranges and equalities mixed become RANGE with operator ``OR``; anything else OTHER. Columns not
  constrained in every branch give no predicate (they are still in ``columns_read``).
- **Joins** are equalities between columns of two different sources (``inner`` in WHERE, the join's
  side in JOIN ... ON, ``left`` = the tables before the join). A correlated equality is a join of the
  outer column with the inner one: ``semi`` inside EXISTS / IN / ANY, ``anti`` inside NOT EXISTS /
  NOT IN, ``inner`` for a scalar subquery; it is also an EQ predicate on the inner column (value
  ``None``). ``x IN (SELECT y ...)`` is a semi join of x and y (anti for NOT IN). Non-equality
  comparisons between tables are not joins.
- **GROUP BY / ORDER BY** keep only keys that are (lineage to) a base column, also through select
  aliases and positions. **LIMIT** is the outermost query's literal row count.
- **Writes**: the target has ``is_write_target``. ``columns_written``: INSERT's column list (all
  columns without one), UPDATE's SET columns plus an upsert's DO UPDATE SET columns, every column for
  DELETE (a deleted row leaves every index). UPDATE / DELETE WHERE predicates are predicates on the
  target. INSERT ... ON CONFLICT / ON DUPLICATE KEY and MySQL REPLACE are UPSERT.
- **Duplicates** (same fingerprint, literals and parameter styles normalized) merge into the first
  statement: its name, SQL, origin and analysis are kept, rates are summed, and the SLO is the first
  one given. Statements keep the order of their first occurrence.

Case folding follows :class:`~dbarchitect.model.names.Name`: unquoted identifiers fold, quoted ones
compare exactly, on every engine. Every failure a user can cause is a :class:`SqlError` naming the
statement and its origin; nothing else escapes (unexpected shapes become a SqlError too).
"""

from __future__ import annotations

import contextlib
import difflib
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, traverse_scope, walk_in_scope
from sqlglot.schema import MappingSchema

from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic, SqlError
from dbarchitect.ingest.fingerprint import fingerprint_of, normalize_expression, prepare_parameters
from dbarchitect.ingest.sql_limits import check_sql_text, deep_stack, parse_sql
from dbarchitect.limits import current, nesting_exceeded
from dbarchitect.model.catalog import Catalog, Table, View
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.workload import (
    ColumnRef,
    JoinPredicate,
    OrderKey,
    Predicate,
    PredicateKind,
    Slo,
    Statement,
    StatementKind,
    TableAccess,
    Workload,
)

logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(frozen=True)
class StatementInput:
    """One statement as the user gave it, before analysis."""

    name: str
    sql: str
    #: Executions per second.
    rate: float
    slo: Slo | None = None
    #: Where it came from (brief field, log file line, pg_stat_statements row), for messages.
    origin: str | None = None
    #: The SQL dialect it is written in, when not the target engine's (a log's dialect).
    dialect: EngineName | None = None


# Markers left in sqlglot nodes' ``meta`` while a statement is analyzed.
_CANONICAL = "dbarch_table"  # an exp.Table resolved to a catalog table (value: the table's key)
_TARGET = "dbarch_target"  # the table an UPDATE / DELETE writes
_WRITE = "dbarch_write"  # a projection standing for an UPDATE's SET column
_FROM_VIEW = "dbarch_from_view"  # a table named inside a view's body (its alias is not the user's)
_ALIAS = "dbarch_alias"  # the alias the user gave a table

_MAX_VIEW_DEPTH = 16
_MAX_LINEAGE_DEPTH = 64

_DDL_COMMANDS = frozenset({"CREATE", "ALTER", "DROP", "TRUNCATE", "GRANT", "REVOKE", "COMMENT", "RENAME"})
_DDL_NODES: tuple[type[exp.Expr], ...] = (
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.TruncateTable,
    exp.Comment,
    exp.Grant,
)

_EQ, _NE, _RANGE, _IN = PredicateKind.EQ, PredicateKind.NOT_EQ, PredicateKind.RANGE, PredicateKind.IN
#: Comparison node -> (operator, kind, operator when the sides are swapped, negated node type).
_COMPARISONS: dict[type[exp.Expr], tuple[str, PredicateKind, str, type[exp.Expr]]] = {
    exp.EQ: ("=", _EQ, "=", exp.NEQ),
    exp.NEQ: ("<>", _NE, "<>", exp.EQ),
    exp.NullSafeEQ: ("IS NOT DISTINCT FROM", _EQ, "IS NOT DISTINCT FROM", exp.NullSafeNEQ),
    exp.NullSafeNEQ: ("IS DISTINCT FROM", _NE, "IS DISTINCT FROM", exp.NullSafeEQ),
    exp.GT: (">", _RANGE, "<", exp.LTE),
    exp.GTE: (">=", _RANGE, "<=", exp.LT),
    exp.LT: ("<", _RANGE, ">", exp.GTE),
    exp.LTE: ("<=", _RANGE, ">=", exp.GT),
}


def _did_you_mean(word: str, options: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for the closest option (a difference in case only comes first)."""
    by_lower: dict[str, str] = {}
    for option in sorted(set(options)):
        by_lower.setdefault(option.lower(), option)
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1)
    if word.lower() in by_lower:
        close = [word.lower()]
    return f"; did you mean '{by_lower[close[0]]}'?" if close else ""


_TOKEN_REPR = re.compile(r"<Token token_type: TokenType\.(\w+), text: ([^,]*),[^>]*>")
_CLASS_REPR = re.compile(r"<class 'sqlglot\.[\w.]*\.(\w+)'>")


def _first_line(exc: BaseException) -> str:
    """The first line of a sqlglot error, readable."""
    lines = str(exc).strip().splitlines()
    return _readable(lines[0].strip() if lines else type(exc).__name__)


def _readable(text: str) -> str:
    """A sqlglot message with its token and class reprs written as words."""

    def token(match: re.Match[str]) -> str:
        return "the end of the statement" if match.group(1) == "SENTINEL" else f"'{match.group(2)}'"

    text = _TOKEN_REPR.sub(token, text)
    return _CLASS_REPR.sub(lambda m: m.group(1).upper(), text)


def _unparen(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren) and isinstance(node.this, exp.Expr):
        node = node.this
    return node


def _identifier_key(node: exp.Expr | None) -> str:
    """The comparison key of an identifier, as :attr:`Name.key` computes it."""
    if isinstance(node, exp.Identifier):
        return Name(node.this, bool(node.args.get("quoted"))).key
    return node.name if isinstance(node, exp.Expr) else ""


def _own_nodes(node: exp.Expr) -> Iterator[exp.Expr]:
    """``node`` and its descendants, not descending into subqueries (which are scopes of their own)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if current is not node and isinstance(current, exp.Query | exp.Subquery):
            continue
        stack.extend(reversed(list(current.iter_expressions())))


def _value_text(node: exp.Expr) -> str | None:
    """The text of a literal (``?`` for a parameter), or None for any other expression."""
    node = _unparen(node)
    if isinstance(node, exp.Placeholder | exp.Parameter):
        return "?"
    if isinstance(node, exp.Literal):
        return str(node.this)
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return f"-{node.this.this}"
    if isinstance(node, exp.Boolean):
        return "TRUE" if node.this else "FALSE"
    if isinstance(node, exp.Null):
        return "NULL"
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal):
        return str(node.this.this)
    return None


def _parameter_name(node: exp.Expr) -> str | None:
    """The name of a named parameter (``:w_id`` -> ``w_id``, ``$1``), None for ``?`` or anything else."""
    node = _unparen(node)
    if isinstance(node, exp.Placeholder):
        return node.name if node.name and node.name != "?" else None
    if isinstance(node, exp.Parameter):
        inner = node.this
        if isinstance(inner, exp.Literal) and not inner.is_string:
            return f"${inner.this}"
        if isinstance(inner, exp.Expr) and inner.name:
            return inner.name
    return None


def _int_literal(node: exp.Expr | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return int(str(node.this))
        except ValueError:
            return None
    return None


def _limit_of(node: exp.Expr) -> int | None:
    limit = node.args.get("limit")
    if isinstance(limit, exp.Limit):
        return _int_literal(limit.expression)
    if isinstance(limit, exp.Fetch):
        return _int_literal(limit.args.get("count"))
    if isinstance(limit, exp.Expr):
        return _int_literal(limit)
    return None


def _parameters(tree: exp.Expr) -> tuple[str, ...]:
    """Named parameters (``:name``, ``%(name)s``, ``@name``) and ``$n`` positions, in order of use."""
    found: dict[str, None] = {}
    for node in tree.walk(bfs=False):
        if isinstance(node, exp.Placeholder):
            name = node.name
            if name and name != "?":
                found[name] = None
        elif isinstance(node, exp.Parameter):
            inner = node.this
            if isinstance(inner, exp.Literal) and not inner.is_string:
                found[f"${inner.this}"] = None
            elif isinstance(inner, exp.Expr) and inner.name:
                found[inner.name] = None
    return tuple(found)


def _negated(node: exp.Expr) -> bool:
    """Whether a subquery predicate (EXISTS / IN / ANY) is under NOT."""
    if node.args.get("negate"):
        return True
    parent = node.parent
    while isinstance(parent, exp.Paren):
        parent = parent.parent
    return isinstance(parent, exp.Not)


@dataclass(frozen=True)
class _Side:
    """One side of a comparison: ``column`` (lineage to base columns), ``function`` (an expression
    over one column), ``const`` (fixed for the execution) or ``expr`` (anything else)."""

    kind: str
    refs: tuple[ColumnRef, ...] = ()
    local: bool = True
    source: int = 0
    value: str | None = None
    parameter: str | None = None

    @property
    def filterable(self) -> bool:
        return self.kind in ("column", "function") and self.local and bool(self.refs)

    @property
    def fixed(self) -> bool:
        """Fixed during one execution of the scope: a constant, or a column of an outer query."""
        return self.kind == "const" or (self.kind == "column" and not self.local)


@dataclass(frozen=True)
class _Context:
    """Where a condition is: the join kind of equalities between this scope's sources, the kind of
    a correlated equality with an outer query, and the source a JOIN ... ON joins (the right side)."""

    join_kind: str
    outer_kind: str
    joined: int | None = None


@dataclass
class _Facts:
    #: Predicates with the source (table occurrence, derived table) they filter — ``a.x = 1 OR b.x = 2``
    #: over two occurrences of one table constrains neither occurrence — and the condition's text:
    #: ``x IN (1, 2)`` and ``x IN (3, 4)`` are the same Predicate but not the same condition.
    predicates: list[tuple[int, Predicate, str]] = field(default_factory=list)
    joins: list[JoinPredicate] = field(default_factory=list)
    #: The text of the condition being read (set before each leaf condition).
    clause: str = ""

    def predicate(
        self,
        side: _Side,
        kind: PredicateKind,
        operator: str,
        value: str | None = None,
        values: int = 1,
        in_values: tuple[str, ...] = (),
        parameter: str | None = None,
    ) -> None:
        for ref in side.refs:
            predicate = Predicate(ref, kind, operator, value, values, in_values, parameter)
            self.predicates.append((side.source, predicate, self.clause))

    def join(self, left: Iterable[ColumnRef], right: Iterable[ColumnRef], kind: str) -> None:
        rights = tuple(right)
        for a in left:
            for b in rights:
                self.joins.append(JoinPredicate(a, b, kind))


def _same_join(a: JoinPredicate, b: JoinPredicate) -> bool:
    if a.kind != b.kind:
        return False
    if (a.left, a.right) == (b.left, b.right):
        return True
    return a.kind == "inner" and (a.left, a.right) == (b.right, b.left)


def _literal_values(predicate: Predicate) -> tuple[str, ...]:
    """The literal values an EQ or IN predicate keeps (empty when a parameter is among them)."""
    if predicate.kind == _IN:
        return predicate.in_values
    if predicate.value is not None and predicate.value != "?":
        return (predicate.value,)
    return ()


def _combine_disjunction(column: ColumnRef, per_branch: list[list[tuple[Predicate, str]]]) -> list[Predicate]:
    """The predicate on ``column`` implied by an OR whose every branch constrains it (each branch's
    predicates come with the text of their conditions)."""
    first = per_branch[0]
    if all(set(branch) == set(first) for branch in per_branch):
        return [p for p, _ in first]
    kinds = {p.kind for branch in per_branch for p, _ in branch}
    if kinds <= {_EQ, _IN} and all(len(branch) == 1 for branch in per_branch):
        count = sum(branch[0][0].values for branch in per_branch)
        complete = all(_literal_values(branch[0][0]) for branch in per_branch)
        literals = [v for branch in per_branch for v in _literal_values(branch[0][0])]
        in_values = tuple(dict.fromkeys(literals)) if complete else ()
        return [Predicate(column, _IN, "IN", None, count, in_values)]
    if kinds <= {_EQ, _IN, _RANGE}:
        return [Predicate(column, _RANGE, "OR")]
    return [Predicate(column, PredicateKind.OTHER, "OR")]


@dataclass
class _Access:
    """A table's facts while a statement is analyzed (becomes a :class:`TableAccess`)."""

    table: Table
    aliases: list[str] = field(default_factory=list)
    occurrences: int = 0
    predicates: list[Predicate] = field(default_factory=list)
    join_columns: list[Name] = field(default_factory=list)
    group_by: list[Name] = field(default_factory=list)
    order_by: list[OrderKey] = field(default_factory=list)
    read: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)
    target: bool = False
    inserted: list[Predicate] = field(default_factory=list)

    def freeze(self) -> TableAccess:
        def in_table_order(keys: set[str]) -> tuple[Name, ...]:
            return tuple(c.name for c in self.table.columns if c.name.key in keys)

        return TableAccess(
            table=self.table.name,
            aliases=tuple(dict.fromkeys(self.aliases)),
            occurrences=self.occurrences,
            predicates=tuple(dict.fromkeys(self.predicates)),
            join_columns=tuple(dict.fromkeys(self.join_columns)),
            group_by=tuple(dict.fromkeys(self.group_by)),
            order_by=tuple(dict.fromkeys(self.order_by)),
            columns_read=in_table_order(self.read),
            columns_written=in_table_order(self.written),
            is_write_target=self.target,
            inserted_values=tuple(self.inserted),
        )


@dataclass
class _Shape:
    """A statement reduced to what it reads (one query) and what it writes."""

    kind: StatementKind
    query: exp.Query | None = None
    insert_target: exp.Table | None = None
    #: INSERT's column list (None: all columns).
    insert_columns: list[exp.Expr] | None = None
    insert: exp.Insert | None = None
    limit: int | None = None


class _Analysis:
    """The analysis of one statement against the catalog."""

    def __init__(self, item: StatementInput, catalog: Catalog, schema: MappingSchema, views: _Views) -> None:
        self.item = item
        self.catalog = catalog
        self.schema = schema
        self.views = views
        self.tables = {t.name.key: t for t in catalog.tables}
        self.accesses: dict[str, _Access] = {}
        self.joins: list[JoinPredicate] = []
        self.scope_of: dict[int, Scope] = {}
        self.correlated: dict[int, bool] = {}

    # -- errors ---------------------------------------------------------------------------------

    def fail(self, message: str, hint: str | None = None) -> SqlError:
        return SqlError(
            Diagnostic(f"statement '{self.item.name}' {message}", file=self.item.origin, hint=hint)
        )

    # -- catalog lookups ------------------------------------------------------------------------

    def access(self, table: Table) -> _Access:
        acc = self.accesses.get(table.name.key)
        if acc is None:
            acc = self.accesses[table.name.key] = _Access(table)
        return acc

    def lookup_table(self, identifier: exp.Expr, what: str) -> Table:
        name = Name(identifier.name, bool(identifier.args.get("quoted")))
        table = self.catalog.table(name)
        if table is None:
            if self.catalog.view(name) is not None:
                raise self.fail(
                    f"writes to view '{name}'",
                    hint="dbarchitect analyzes writes to tables only; name the view's base table",
                )
            known = [t.name.value for t in self.catalog.tables] + [v.name.value for v in self.catalog.views]
            raise self.fail(
                f"{what} table '{name}', which is not in the schema{_did_you_mean(name.value, known)}"
            )
        return table

    def column_of(self, table: Table, identifier: exp.Expr, what: str) -> Name:
        key = _identifier_key(identifier)
        for column in table.columns:
            if column.name.key == key:
                return column.name
        known = [c.name.value for c in table.columns]
        raise self.fail(
            f"{what}: table '{table.name}' has no column '{identifier.name}'{_did_you_mean(key, known)}"
        )

    # -- shape: statement kinds, DML as queries ------------------------------------------------

    def shape(self, tree: exp.Expr) -> _Shape:
        if isinstance(tree, exp.Query):
            return _Shape(StatementKind.SELECT, query=tree.copy(), limit=_limit_of(tree))
        if isinstance(tree, exp.Insert):
            return self.insert_shape(tree)
        if isinstance(tree, exp.Update):
            return self.update_shape(tree)
        if isinstance(tree, exp.Delete):
            return self.delete_shape(tree)
        statement = type(tree).__name__.upper()
        if isinstance(tree, exp.Command):
            statement = str(tree.this).upper()
        if isinstance(tree, _DDL_NODES) or statement in _DDL_COMMANDS:
            kind = str(tree.args.get("kind") or "").upper()
            raise self.fail(
                f"is DDL ({' '.join(p for p in (statement, kind) if p)}); the workload holds queries and DML",
                hint="put schema statements in the schema's DDL file",
            )
        if isinstance(tree, exp.Merge):
            raise self.fail(
                "is a MERGE statement, which dbarchitect does not analyze yet",
                hint="write it as INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE, or as UPDATE and INSERT",
            )
        if isinstance(tree, exp.Command):
            raise self.fail(
                f"does not parse as a query or DML statement ({statement} is read only as an opaque command)",
                hint="the workload holds SELECT, INSERT, UPDATE and DELETE statements",
            )
        if isinstance(tree, exp.Condition | exp.Identifier):
            raise self.fail(
                "does not parse: it is an expression, not a statement",
                hint="the workload holds SELECT, INSERT, UPDATE and DELETE statements",
            )
        raise self.fail(
            f"is a {statement} statement, not a query or DML",
            hint="the workload holds SELECT, INSERT, UPDATE and DELETE statements; remove it",
        )

    def insert_shape(self, tree: exp.Insert) -> _Shape:
        target = tree.this
        columns: list[exp.Expr] | None = None
        if isinstance(target, exp.Schema):
            columns = list(target.expressions)
            target = target.this
        if not isinstance(target, exp.Table) or not isinstance(target.this, exp.Identifier):
            raise self.fail("inserts into something that is not a table")
        kind = StatementKind.UPSERT if tree.args.get("conflict") is not None else StatementKind.INSERT
        source = tree.expression
        query: exp.Query | None = None
        if isinstance(source, exp.Query):
            query = source.copy()
            with_ = tree.args.get("with_")
            if isinstance(with_, exp.With) and query.args.get("with_") is None:
                query.set("with_", with_.copy())
        elif isinstance(source, exp.Expr) and source.find(exp.Query) is not None:
            # VALUES holding subqueries: read them as the projections of a SELECT without FROM.
            values = [v.copy() for row in source.expressions for v in getattr(row, "expressions", [row])]
            query = exp.Select(expressions=values)
        limit = _limit_of(query) if query is not None else None
        return _Shape(kind, query, target, columns, tree, limit)

    def write_query(
        self, tree: exp.Update | exp.Delete, target: exp.Table, projections: list[exp.Expr]
    ) -> exp.Select:
        """The SELECT that finds an UPDATE's / DELETE's rows, with ``target`` as its first source."""
        joins: list[exp.Expr] = list(target.args.get("joins") or [])
        target.set("joins", None)
        extra: list[exp.Expr] = []
        for key in ("from_", "using"):
            value = tree.args.get(key)
            if isinstance(value, exp.From):
                extra.append(value.this)
            elif isinstance(value, list):
                extra.extend(v for v in value if isinstance(v, exp.Expr))
        for source in extra:
            nested = list(source.args.get("joins") or [])
            source.set("joins", None)
            joins.append(exp.Join(this=source))
            joins.extend(nested)
        returning = tree.args.get("returning")
        if isinstance(returning, exp.Returning):
            projections.extend(returning.expressions)
        select = exp.Select(expressions=projections or [exp.Literal.number(1)])
        select.set("from_", exp.From(this=target))
        if joins:
            select.set("joins", joins)
        for key in ("where", "order", "with_"):
            value = tree.args.get(key)
            if isinstance(value, exp.Expr):
                select.set(key, value)
        return select

    def update_shape(self, tree: exp.Update) -> _Shape:
        tree = tree.copy()
        target = tree.this
        if not isinstance(target, exp.Table) or not isinstance(target.this, exp.Identifier):
            raise self.fail("updates something that is not a table")
        target.meta[_TARGET] = True
        qualifier = target.args["alias"].this if target.alias else target.this
        projections: list[exp.Expr] = []
        for n, assignment in enumerate(tree.expressions):
            if not isinstance(assignment, exp.EQ):
                continue
            lhs = assignment.this
            lhs_columns = lhs.expressions if isinstance(lhs, exp.Tuple) else [lhs]
            for m, col in enumerate(lhs_columns):
                if not isinstance(col, exp.Column):
                    continue
                written = col.copy()
                if not written.table:
                    written.set("table", qualifier.copy())
                alias = exp.alias_(written, f"_dbarch_w{n}_{m}")
                alias.meta[_WRITE] = True
                projections.append(alias)
            value = assignment.expression
            if isinstance(value, exp.Column) and not value.table and value.name.upper() == "DEFAULT":
                continue
            projections.append(exp.alias_(value, f"_dbarch_v{n}"))
        return _Shape(
            StatementKind.UPDATE, self.write_query(tree, target, projections), limit=_limit_of(tree)
        )

    def delete_shape(self, tree: exp.Delete) -> _Shape:
        tree = tree.copy()
        target = tree.this
        if not isinstance(target, exp.Table) or not isinstance(target.this, exp.Identifier):
            raise self.fail("deletes from something that is not a table")
        listed = [t for t in tree.args.get("tables") or [] if isinstance(t, exp.Table)]
        query = self.write_query(tree, target, [])
        if listed:  # MySQL multi-table DELETE t1, t2 FROM ...: the listed names are the targets
            names = {_identifier_key(t.this) for t in listed}
            for table in query.find_all(exp.Table):
                if _identifier_key(table.args["alias"].this if table.alias else table.this) in names:
                    table.meta[_TARGET] = True
        else:
            target.meta[_TARGET] = True
        return _Shape(StatementKind.DELETE, query, limit=_limit_of(tree))

    # -- preparing the query: views, table names, column checks ----------------------------------

    def prepare(self, query: exp.Query) -> exp.Query:
        """Expand views, resolve every table to the catalog (canonical, quoted names), check columns."""
        for _ in range(_MAX_VIEW_DEPTH):
            if not self.resolve_tables(query):
                break
        else:
            raise self.fail("nests views too deeply (a view that refers to itself?)")
        for node in query.find_all(exp.Exists):
            inner = node.this
            if isinstance(inner, exp.Select) and any(isinstance(p, exp.Star) for p in inner.expressions):
                inner.set("expressions", [exp.Literal.number(1)])  # EXISTS (SELECT *) reads no column
        query = normalize_identifiers(query)
        self.check_columns(query)
        for table in query.find_all(exp.Table, bfs=False):
            if _ALIAS in table.meta and table.meta.get(_CANONICAL) in self.tables:
                self.access(self.tables[str(table.meta[_CANONICAL])]).aliases.append(str(table.meta[_ALIAS]))
        return query

    def resolve_tables(self, query: exp.Query) -> bool:
        """One pass over the query's tables; returns True when a view was expanded (scopes changed)."""
        for scope in traverse_scope(query):
            for table in scope.tables:
                if _CANONICAL in table.meta or not isinstance(table.this, exp.Identifier):
                    continue
                source = scope.sources.get(table.alias_or_name)
                if isinstance(source, Scope) and not table.args.get("db"):
                    continue  # a CTE reference
                name = Name(table.name, bool(table.this.args.get("quoted")))
                found = self.catalog.table(name)
                if found is not None:
                    self.canonicalize(table, found)
                    continue
                view = self.catalog.view(name)
                if view is not None and not table.meta.get(_TARGET):
                    table.replace(self.views.subquery(view, table, self))
                    return True
                self.lookup_table(table.this, "reads")
        return False

    def canonicalize(self, table: exp.Table, found: Table) -> None:
        if table.alias:
            if not table.meta.get(_FROM_VIEW):
                table.meta[_ALIAS] = table.alias
        else:
            table.set("alias", exp.TableAlias(this=table.this.copy()))
        table.set("this", exp.to_identifier(found.name.key, quoted=True))
        table.set("db", None)
        table.set("catalog", None)
        table.meta[_CANONICAL] = found.name.key

    def source_columns(self, source: exp.Expr | Scope, depth: int = 0) -> set[str] | None:
        """Column names a source exposes (None when unknown: a table function, a star over one).

        A star in a derived table is expanded to the columns of what it selects from (``SELECT expr,
        * FROM warehouse`` exposes ``expr`` and warehouse's columns), so an unqualified column outside
        it is judged by what it really has, as the engine does."""
        if isinstance(source, exp.Table):
            table = self.tables.get(str(source.meta.get(_CANONICAL)))
            return {c.name.key for c in table.columns} if table is not None else None
        if not isinstance(source, Scope) or depth > _MAX_LINEAGE_DEPTH:
            return None
        expression = source.expression
        alias = expression.parent.args.get("alias") if expression.parent is not None else None
        if isinstance(alias, exp.TableAlias) and alias.columns:
            return {_identifier_key(c) for c in alias.columns}
        scope: Scope = source
        while isinstance(expression, exp.SetOperation):
            expression = expression.this
            scope = scope.set_operation_scopes[0] if scope.set_operation_scopes else scope
        if not isinstance(expression, exp.Select):
            return None
        names: set[str] = set()
        for projection in expression.selects:
            star = isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and projection.is_star
            )
            if not star:
                names.add(projection.alias_or_name)
                continue
            if scope.expression is not expression:
                return None  # the star of a set operation's branch whose scope is not at hand
            qualifier = projection.table if isinstance(projection, exp.Column) else ""
            selected = [
                src for name, (_, src) in scope.selected_sources.items() if not qualifier or name == qualifier
            ]
            if not selected:
                return None
            for inner in selected:
                found = self.source_columns(inner, depth + 1)
                if found is None:
                    return None
                names |= found
        return names

    def check_columns(self, query: exp.Query) -> None:
        """Every column must name a column of a source in scope (outer scopes included), once."""
        for scope in traverse_scope(query):
            using: set[str] = set()
            natural = False
            if isinstance(scope.expression, exp.Select):
                for join in scope.expression.args.get("joins") or []:
                    using.update(_identifier_key(u) for u in join.args.get("using") or [])
                    natural = natural or str(join.args.get("method") or "").upper() == "NATURAL"
            selects = scope.expression.selects if isinstance(scope.expression, exp.Query) else []
            aliases = {p.alias for p in selects if isinstance(p, exp.Alias)}
            outputs = (
                set(scope.expression.named_selects) if isinstance(scope.expression, exp.Query) else set()
            )
            for node in walk_in_scope(scope.expression):
                if not isinstance(node, exp.Column) or node.find_ancestor(exp.Lambda):
                    continue
                if node.is_star:
                    if node.table:
                        self.check_qualified(scope, node)
                elif node.table:
                    self.check_qualified(scope, node)
                elif node.name in using or natural:
                    continue
                elif node.name in outputs and self.in_order_by(scope, node):
                    continue  # ORDER BY names an output column
                elif node.name in aliases and self.refers_to_alias(node):
                    continue  # GROUP BY / HAVING (or a lateral reference) naming a select alias
                else:
                    self.check_unqualified(scope, node)

    @staticmethod
    def in_order_by(scope: Scope, column: exp.Column) -> bool:
        order = column.find_ancestor(exp.Order)
        return order is not None and order.parent is scope.expression

    @staticmethod
    def refers_to_alias(column: exp.Column) -> bool:
        """Whether ``column`` can be a select alias: it is not inside the projection defining it."""
        defining = column.find_ancestor(exp.Alias)
        return not (isinstance(defining, exp.Alias) and defining.alias == column.name)

    def check_qualified(self, scope: Scope, column: exp.Column) -> None:
        current: Scope | None = scope
        visible: list[str] = []
        while current is not None:
            source = current.sources.get(column.table)
            if source is not None:
                names = self.source_columns(source)
                if names is not None and not column.is_star and column.name not in names:
                    what = self.describe_source(column.table, source)
                    raise self.fail(
                        f"names column '{column.name}' of {what}, which has no such column"
                        f"{_did_you_mean(column.name, names)}"
                    )
                return
            visible.extend(current.sources)
            current = current.parent
        raise self.fail(
            f"names '{column.table}.{column.name}', but '{column.table}' is no table or alias in scope"
            f"{_did_you_mean(column.table, visible)}"
        )

    def describe_source(self, alias: str, source: exp.Expr | Scope) -> str:
        if isinstance(source, exp.Table):
            table = self.tables.get(str(source.meta.get(_CANONICAL)))
            if table is not None:
                return f"table '{table.name}'" + (f" (as '{alias}')" if alias != table.name.key else "")
        return f"'{alias}'"

    def check_unqualified(self, scope: Scope, column: exp.Column) -> None:
        current: Scope | None = scope
        in_scope: list[str] = []
        known: set[str] = set()
        while current is not None:
            matches: list[str] = []
            # Only what the scope selects FROM: a CTE it can see but does not read is no source.
            for alias, (_, source) in current.selected_sources.items():
                names = self.source_columns(source)
                if names is None or column.name in names:
                    matches.append(alias)
                known.update(names or ())
                in_scope.append(alias)
            if len(matches) > 1:
                listed = " and ".join(f"'{m}'" for m in matches)
                raise self.fail(
                    f"names column '{column.name}', which is ambiguous: {listed} both have it",
                    hint=f"qualify it, e.g. {matches[0]}.{column.name}",
                )
            if matches or column.name in current.sources:
                return  # one column, or a whole-row reference to a source (``json_agg(o)``)
            current = current.parent
        tables = ", ".join(dict.fromkeys(in_scope)) or "none"
        raise self.fail(
            f"names column '{column.name}', which is not in any table in scope ({tables})"
            f"{_did_you_mean(column.name, known)}"
        )

    # -- resolution after qualify ----------------------------------------------------------------

    def find_source(self, scope: Scope, qualifier: str) -> tuple[exp.Expr | Scope, bool] | None:
        current: Scope | None = scope
        local = True
        while current is not None:
            source = current.sources.get(qualifier)
            if source is not None:
                return source, local
            current = current.parent
            local = False
        return None

    def resolve(self, scope: Scope, column: exp.Column, depth: int = 0) -> _Side:
        """A qualified column: its base-column lineage, whether its source is local to ``scope``."""
        found = self.find_source(scope, column.table) if column.table else None
        if found is None:
            return _Side("expr")
        source, local = found
        refs = self.lineage(source, column.name, depth)
        return _Side("column" if refs else "expr", refs, local, id(source))

    def lineage(self, source: exp.Expr | Scope, name: str, depth: int) -> tuple[ColumnRef, ...]:
        if depth > _MAX_LINEAGE_DEPTH:
            return ()
        if isinstance(source, exp.Table):
            table = self.tables.get(str(source.meta.get(_CANONICAL)))
            if table is None:
                return ()
            column = next((c for c in table.columns if c.name.key == name), None)
            return (ColumnRef(table.name, column.name),) if column is not None else ()
        if not isinstance(source, Scope):
            return ()
        refs: list[ColumnRef] = []
        for leaf, projection in self.projections(source, name):
            inner = projection.unalias()
            if isinstance(inner, exp.Column):
                refs.extend(self.resolve(leaf, inner, depth + 1).refs)
        return tuple(dict.fromkeys(refs))

    def leaves(self, scope: Scope) -> list[Scope]:
        if isinstance(scope.expression, exp.SetOperation):
            return [leaf for child in scope.set_operation_scopes for leaf in self.leaves(child)]
        return [scope]

    def projections(self, scope: Scope, name: str) -> list[tuple[Scope, exp.Expr]]:
        """The projection(s) defining output column ``name`` of ``scope`` (one per UNION branch)."""
        expression = scope.expression
        if isinstance(expression, exp.Select):
            return [(scope, p) for p in expression.selects if p.alias_or_name == name][:1]
        if isinstance(expression, exp.SetOperation):
            selects = [
                (leaf, leaf.expression)
                for leaf in self.leaves(scope)
                if isinstance(leaf.expression, exp.Select)
            ]
            if not selects:
                return []
            names = selects[0][1].named_selects
            if name not in names:
                return []
            position = names.index(name)
            return [
                (leaf, select.selects[position]) for leaf, select in selects if position < len(select.selects)
            ]
        return []

    def output_refs(self, scope: Scope, position: int) -> tuple[ColumnRef, ...]:
        refs: list[ColumnRef] = []
        for leaf in self.leaves(scope):
            selects = leaf.expression.selects if isinstance(leaf.expression, exp.Select) else []
            if position < len(selects):
                inner = selects[position].unalias()
                if isinstance(inner, exp.Column):
                    refs.extend(self.resolve(leaf, inner).refs)
        return tuple(refs)

    def query_scope(self, node: exp.Expr) -> Scope | None:
        node = _unparen(node)
        while isinstance(node, exp.Subquery) and isinstance(node.this, exp.Expr):
            node = node.this
        return self.scope_of.get(id(node))

    def is_correlated(self, scope: Scope) -> bool:
        """Whether a subquery refers to a column of a query outside it."""
        cached = self.correlated.get(id(scope))
        if cached is not None:
            return cached
        inside = {id(s) for s in scope.traverse()}
        result = False
        for inner in scope.traverse():
            for column in inner.external_columns:
                current: Scope | None = inner
                while current is not None and column.table not in current.sources:
                    current = current.parent
                if current is not None and id(current) not in inside:
                    result = True
        self.correlated[id(scope)] = result
        return result

    def side(self, scope: Scope, node: exp.Expr) -> _Side:
        node = _unparen(node)
        if isinstance(node, exp.Column):
            return self.resolve(scope, node)
        columns: list[exp.Column] = []
        for inner in _own_nodes(node):
            if isinstance(inner, exp.AggFunc | exp.Window):
                return _Side("expr")
            if isinstance(inner, exp.Query | exp.Subquery):
                sub = self.query_scope(inner)
                if sub is None or self.is_correlated(sub):
                    return _Side("expr")
            elif isinstance(inner, exp.Column):
                columns.append(inner)
        if not columns:
            return _Side("const", value=_value_text(node), parameter=_parameter_name(node))
        sides = [self.resolve(scope, c) for c in columns]
        refs = {s.refs for s in sides}
        if len(refs) == 1 and all(s.kind == "column" and s.local for s in sides) and len(sides[0].refs) == 1:
            return _Side("function", sides[0].refs, True, sides[0].source)
        return _Side("expr")

    # -- conditions ------------------------------------------------------------------------------

    def condition(
        self,
        scope: Scope,
        node: exp.Expr,
        ctx: _Context,
        out: _Facts,
        negated: bool = False,
    ) -> None:
        """Predicates and joins of a boolean condition of ``scope`` (see module docstring)."""
        node = _unparen(node)
        if isinstance(node, exp.Not):
            self.condition(scope, node.this, ctx, out, not negated)
            return
        if isinstance(node, exp.And | exp.Or):
            conjunction = isinstance(node, exp.And) != negated
            parts = list(node.flatten())
            if conjunction:
                for part in parts:
                    self.condition(scope, part, ctx, out, negated)
            else:
                self.disjunction(scope, parts, ctx, out, negated)
            return
        if isinstance(node, exp.Exists):
            return  # the subquery is a scope of its own; its correlations are semi / anti joins
        out.clause = ("NOT " if negated else "") + node.sql()
        if type(node) in _COMPARISONS:
            self.comparison(scope, node, ctx, out, negated)
        elif isinstance(node, exp.In):
            self.in_predicate(scope, node, out, negated != bool(node.args.get("negate")))
        elif isinstance(node, exp.Between):
            self.between(scope, node, out, negated != bool(node.args.get("negate")))
        elif isinstance(node, exp.Escape | exp.Like | exp.ILike):
            self.like(scope, node, out, negated)
        elif isinstance(node, exp.Is):
            self.is_predicate(scope, node, out, negated != bool(node.args.get("negate")))
        elif isinstance(node, exp.Column):
            col = self.side(scope, node)
            if col.filterable and col.kind == "column":
                out.predicate(col, _EQ, "=", "FALSE" if negated else "TRUE")
        else:
            col = self.side(scope, node)
            if col.kind == "function" and col.filterable:
                out.predicate(col, PredicateKind.OTHER, ("NOT " if negated else "") + node.key.upper())

    def disjunction(
        self, scope: Scope, parts: list[exp.Expr], ctx: _Context, out: _Facts, negated: bool
    ) -> None:
        branches: list[_Facts] = []
        for part in parts:
            facts = _Facts()
            self.condition(scope, part, ctx, facts, negated)
            branches.append(facts)
        first, rest = branches[0], branches[1:]
        for join in first.joins:
            if all(any(_same_join(join, other) for other in b.joins) for b in rest):
                out.joins.append(join)
        for source, column in dict.fromkeys((s, p.column) for s, p, _ in first.predicates):
            per_branch = [
                [(p, clause) for s, p, clause in b.predicates if (s, p.column) == (source, column)]
                for b in branches
            ]
            if all(per_branch):
                text = " OR ".join(f"({' AND '.join(c for _, c in branch)})" for branch in per_branch)
                out.predicates.extend((source, p, text) for p in _combine_disjunction(column, per_branch))

    def comparison(self, scope: Scope, node: exp.Expr, ctx: _Context, out: _Facts, negated: bool) -> None:
        if negated:
            node = _COMPARISONS[type(node)][3](
                this=node.args.get("this"), expression=node.args.get("expression")
            )
        operator, kind, flipped, _ = _COMPARISONS[type(node)]
        if kind == _EQ and isinstance(node.expression, exp.Any):
            self.any_predicate(scope, self.side(scope, node.this), node.expression, out)
            return
        left, right = self.side(scope, node.this), self.side(scope, node.expression)
        if left.kind == "column" and right.kind == "column":
            if left.local and right.local:
                if left.source != right.source and kind == _EQ:
                    first, second = (right, left) if left.source == ctx.joined else (left, right)
                    out.join(first.refs, second.refs, ctx.join_kind)
                return
            if left.local or right.local:
                inner, outer = (left, right) if left.local else (right, left)
                out.predicate(inner, kind, operator if left.local else flipped)
                if kind == _EQ:
                    out.join(outer.refs, inner.refs, ctx.outer_kind)
            return
        for col, other, op in ((left, right, operator), (right, left, flipped)):
            if col.filterable and other.fixed:
                kind_here = kind if col.kind == "column" else PredicateKind.OTHER
                out.predicate(col, kind_here, op, other.value, parameter=other.parameter)
                return

    def in_predicate(self, scope: Scope, node: exp.In, out: _Facts, negated: bool) -> None:
        col = self.side(scope, node.this)
        query = node.args.get("query")
        if isinstance(query, exp.Expr):
            sub = self.query_scope(query)
            if sub is not None and col.kind == "column" and col.local:
                out.join(col.refs, self.output_refs(sub, 0), "anti" if negated else "semi")
            return
        items = list(node.expressions)
        if not col.filterable or not items:
            return
        sides = [self.side(scope, i) for i in items]
        if not all(s.fixed for s in sides):
            return
        value = sides[0].value if len(items) == 1 else None
        parameter = sides[0].parameter if len(items) == 1 else None
        texts = [s.value for s in sides]
        literals = tuple(v for v in texts if v is not None and v != "?")
        in_values = tuple(dict.fromkeys(literals)) if len(literals) == len(items) else ()
        if negated:
            out.predicate(col, _NE, "NOT IN", value, len(items), in_values)
        else:
            kind = _IN if col.kind == "column" else PredicateKind.OTHER
            out.predicate(col, kind, "IN", value, len(items), in_values, parameter)

    def any_predicate(self, scope: Scope, col: _Side, node: exp.Any, out: _Facts) -> bool:
        """``col = ANY(array or subquery)``: an IN."""
        inner = _unparen(node.this) if isinstance(node.this, exp.Expr) else None
        if inner is None:
            return False
        sub = self.query_scope(inner) if isinstance(inner, exp.Query | exp.Subquery) else None
        if sub is not None:
            if col.kind == "column" and col.local:
                out.join(col.refs, self.output_refs(sub, 0), "semi")
            return True
        if col.filterable:
            count = len(inner.expressions) if isinstance(inner, exp.Array) else 1
            out.predicate(col, _IN, "= ANY", _value_text(inner), count)
        return True

    def between(self, scope: Scope, node: exp.Between, out: _Facts, negated: bool) -> None:
        col = self.side(scope, node.this)
        low, high = self.side(scope, node.args["low"]), self.side(scope, node.args["high"])
        if not (col.filterable and low.fixed and high.fixed):
            return
        value = f"{low.value} AND {high.value}" if low.value is not None and high.value is not None else None
        if negated or col.kind == "function":
            out.predicate(col, PredicateKind.OTHER, "NOT BETWEEN" if negated else "BETWEEN", value)
        else:
            out.predicate(col, _RANGE, "BETWEEN", value)

    def like(self, scope: Scope, node: exp.Expr, out: _Facts, negated: bool) -> None:
        escape: str | None = None
        if isinstance(node, exp.Escape):
            escape = _value_text(node.expression) if isinstance(node.expression, exp.Expr) else None
            node = node.this
        if not isinstance(node, exp.Like | exp.ILike):
            return
        negated = negated != bool(node.args.get("negate"))
        operator = "ILIKE" if isinstance(node, exp.ILike) else "LIKE"
        col, pattern = self.side(scope, node.this), self.side(scope, node.expression)
        if not (col.filterable and pattern.fixed):
            return
        if negated or col.kind == "function":
            out.predicate(col, PredicateKind.OTHER, ("NOT " if negated else "") + operator, pattern.value)
            return
        literal = _unparen(node.expression)
        text = str(literal.this) if isinstance(literal, exp.Literal) and literal.is_string else ""
        prefix = bool(text) and (text[0] not in "%_" or (escape is not None and text.startswith(escape)))
        kind = PredicateKind.LIKE_PREFIX if operator == "LIKE" and prefix else PredicateKind.LIKE
        out.predicate(col, kind, operator, pattern.value)

    def is_predicate(self, scope: Scope, node: exp.Is, out: _Facts, negated: bool) -> None:
        col = self.side(scope, node.this)
        if not col.filterable:
            return
        target = node.expression
        if isinstance(target, exp.Null):
            if negated or col.kind == "function":
                out.predicate(col, PredicateKind.OTHER, "IS NOT NULL" if negated else "IS NULL")
            else:
                out.predicate(col, PredicateKind.IS_NULL, "IS NULL", "NULL")
        elif isinstance(target, exp.Boolean) and col.kind == "column":
            value = "TRUE" if target.this else "FALSE"
            out.predicate(col, _NE if negated else _EQ, "IS NOT" if negated else "IS", value)

    # -- collecting a query's facts -------------------------------------------------------------

    def outer_kind(self, scope: Scope) -> str:
        """The join kind a correlated reference from ``scope`` to its outer query stands for."""
        node: exp.Expr = scope.expression
        parent = node.parent
        while isinstance(parent, exp.Subquery | exp.Paren):
            node, parent = parent, parent.parent
        if isinstance(parent, exp.Exists):
            return "anti" if _negated(parent) else "semi"
        if isinstance(parent, exp.In) and parent.args.get("query") is node:
            return "anti" if _negated(parent) else "semi"
        if isinstance(parent, exp.Any):
            return "semi"
        return "inner"

    def record(self, facts: _Facts) -> None:
        for _, predicate, _ in facts.predicates:
            self.access(self.table_of(predicate.column)).predicates.append(predicate)
        for join in facts.joins:
            if any(_same_join(join, known) for known in self.joins):
                continue
            self.joins.append(join)
            self.access(self.table_of(join.left)).join_columns.append(join.left.column)
            self.access(self.table_of(join.right)).join_columns.append(join.right.column)

    def table_of(self, ref: ColumnRef) -> Table:
        return self.tables[ref.table.key]

    def collect(self, query: exp.Query) -> None:
        scopes = traverse_scope(query)
        position = {id(n): i for i, n in enumerate(query.walk(bfs=False))}
        scopes.sort(key=lambda s: position.get(id(s.expression), -1))
        self.scope_of = {id(s.expression): s for s in scopes}
        for scope in scopes:
            self.collect_scope(scope)

    def collect_scope(self, scope: Scope) -> None:
        expression = scope.expression
        for table in scope.tables:
            key = table.meta.get(_CANONICAL)
            if key in self.tables:
                acc = self.access(self.tables[str(key)])
                acc.occurrences += 1
                acc.target = acc.target or bool(table.meta.get(_TARGET))
        for node in walk_in_scope(expression):
            if isinstance(node, exp.Column) and node.table and not node.is_star:
                written = node.find_ancestor(exp.Alias)
                if written is not None and written.meta.get(_WRITE):
                    continue  # an UPDATE's SET column is written, not read
                found = self.find_source(scope, node.table)
                if found is not None and isinstance(found[0], exp.Table):
                    for ref in self.lineage(found[0], node.name, 0):
                        self.access(self.table_of(ref)).read.add(ref.column.key)
        if isinstance(expression, exp.Select):
            self.collect_select(scope, expression)
        elif isinstance(expression, exp.SetOperation):
            self.collect_order(scope, expression)

    def collect_select(self, scope: Scope, select: exp.Select) -> None:
        facts = _Facts()
        outer_kind = self.outer_kind(scope)
        for join in select.args.get("joins") or []:
            on = join.args.get("on")
            if isinstance(on, exp.Expr):
                side = str(join.side or "").lower()
                kind = str(join.kind or "").lower()
                join_kind = side or (kind if kind in ("semi", "anti", "cross") else "inner")
                joined = scope.sources.get(join.alias_or_name) if join.alias_or_name else None
                ctx = _Context(join_kind, outer_kind, id(joined) if joined is not None else None)
                self.condition(scope, on, ctx, facts)
        for key in ("where", "having"):
            clause = select.args.get(key)
            if isinstance(clause, exp.Where | exp.Having):
                self.condition(scope, clause.this, _Context("inner", outer_kind), facts)
        for projection in select.selects:
            if projection.meta.get(_WRITE):
                inner = projection.unalias()
                if isinstance(inner, exp.Column):
                    for ref in self.resolve(scope, inner).refs:
                        acc = self.access(self.table_of(ref))
                        acc.written.add(ref.column.key)
                        acc.target = True
        self.record(facts)
        group = select.args.get("group")
        if isinstance(group, exp.Group):
            for key_node in group.expressions:
                for ref in self.key_refs(scope, select, key_node):
                    self.access(self.table_of(ref)).group_by.append(ref.column)
        self.collect_order(scope, select)

    def key_refs(self, scope: Scope, query: exp.Query, node: exp.Expr) -> tuple[ColumnRef, ...]:
        """Base columns of a GROUP BY / ORDER BY key: a column, a select alias or a position."""
        node = _unparen(node)
        position = _int_literal(node)
        if position is not None:
            return self.output_refs(scope, position - 1) if position >= 1 else ()
        if not isinstance(node, exp.Column):
            return ()
        if node.table:
            return self.resolve(scope, node).refs
        names = query.named_selects
        if node.name in names:
            return self.output_refs(scope, names.index(node.name))
        return ()

    def collect_order(self, scope: Scope, query: exp.Query) -> None:
        order = query.args.get("order")
        if not isinstance(order, exp.Order):
            return
        for ordered in order.expressions:
            descending = bool(ordered.args.get("desc")) if isinstance(ordered, exp.Ordered) else False
            key_node = ordered.this if isinstance(ordered, exp.Ordered) else ordered
            for ref in self.key_refs(scope, query, key_node):
                self.access(self.table_of(ref)).order_by.append(OrderKey(ref, descending))

    # -- the whole statement --------------------------------------------------------------------

    def analyze_query(self, query: exp.Query) -> None:
        query = self.prepare(query)
        try:
            query = qualify(
                query,
                schema=self.schema,
                validate_qualify_columns=False,
                quote_identifiers=False,
                identify=False,
            )
        except SqlglotError as exc:
            raise self.fail(f"cannot be resolved against the schema: {_first_line(exc)}") from None
        with contextlib.suppress(SqlglotError):
            query = pushdown_projections(query)  # a view's or subquery's unused columns are not read
        self.collect(query)

    def analyze_insert(self, shape: _Shape) -> None:
        assert shape.insert_target is not None and shape.insert is not None
        table = self.lookup_table(shape.insert_target.this, "inserts into")
        acc = self.access(table)
        acc.occurrences += 1
        acc.target = True
        if shape.insert_target.alias:
            acc.aliases.append(shape.insert_target.alias)
        if shape.insert_columns is None:
            acc.written.update(c.name.key for c in table.columns)
            columns = [c.name for c in table.columns]
        else:
            columns = [
                self.column_of(table, node, "inserts into a column that does not exist")
                for node in shape.insert_columns
            ]
            acc.written.update(c.key for c in columns)
        acc.inserted.extend(_inserted_values(table, columns, shape.insert.expression))
        conflict = shape.insert.args.get("conflict")
        names = {
            table.name.key,
            _identifier_key(shape.insert_target.args["alias"].this)
            if shape.insert_target.alias
            else table.name.key,
        }
        values = shape.insert.expression
        row_alias = values.args.get("alias") if isinstance(values, exp.Expr) else None
        pseudo = {"excluded"} | (
            {_identifier_key(row_alias.this)} if isinstance(row_alias, exp.TableAlias) else set()
        )
        if isinstance(conflict, exp.OnConflict):
            for assignment in conflict.expressions:
                if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
                    acc.written.add(self.column_of(table, assignment.this.this, "updates on conflict").key)
            for column in conflict.find_all(exp.Column):
                if any(column is a.this for a in conflict.expressions):
                    continue  # a SET target, counted as written
                qualifier = _identifier_key(column.args.get("table")) if column.table else ""
                name = self.column_of(
                    table, column.this, "refers on conflict to a column that does not exist"
                )
                if qualifier not in pseudo:
                    if qualifier and qualifier not in names:
                        raise self.fail(
                            f"refers on conflict to '{column.table}', which is not '{table.name}'"
                        )
                    acc.read.add(name.key)
        returning = shape.insert.args.get("returning")
        if isinstance(returning, exp.Returning):
            for column in returning.find_all(exp.Column):
                if not column.is_star:
                    acc.read.add(
                        self.column_of(table, column.this, "returns a column that does not exist").key
                    )

    def run(self, tree: exp.Expr) -> tuple[StatementKind, int | None]:
        shape = self.shape(tree)
        if shape.insert_target is not None:
            self.analyze_insert(shape)
        if shape.query is not None:
            self.analyze_query(shape.query)
        if shape.kind == StatementKind.DELETE:
            for acc in self.accesses.values():
                if acc.target:  # a deleted row leaves every index
                    acc.written.update(c.name.key for c in acc.table.columns)
        return shape.kind, shape.limit

    def table_accesses(self, order: Sequence[str]) -> tuple[TableAccess, ...]:
        ranked = sorted(
            self.accesses.values(),
            key=lambda a: (
                not a.target,
                order.index(a.table.name.key) if a.table.name.key in order else len(order),
            ),
        )
        return tuple(a.freeze() for a in ranked)


def _inserted_values(table: Table, columns: Sequence[Name], source: object) -> list[Predicate]:
    """What each column of an INSERT ... VALUES receives (see :attr:`TableAccess.inserted_values`).
    Every ``?`` is a value of its own; a named parameter or a literal repeated over rows is one."""
    if not isinstance(source, exp.Values):
        return []
    rows = [row.expressions if isinstance(row, exp.Tuple) else [row] for row in source.expressions]
    found: list[Predicate] = []
    for position, column in enumerate(columns):
        given: dict[tuple[str, str | None, int], None] = {}
        for n, row in enumerate(rows):
            value = _value_text(row[position]) if position < len(row) else None
            if value is None:
                break  # an expression: the column's value is not known
            parameter = _parameter_name(row[position])
            given[(value, parameter, n if value == "?" and parameter is None else -1)] = None
        else:
            if not given:
                continue
            ref = ColumnRef(table.name, column)
            if len(given) == 1:
                ((value, parameter, _),) = given
                found.append(Predicate(ref, _EQ, "=", value, 1, (), parameter))
            else:
                literals = tuple(v for v, p, _ in given if v != "?" and p is None)
                complete = len(literals) == len(given)
                found.append(Predicate(ref, _IN, "IN", None, len(given), literals if complete else ()))
    return found


class _Views:
    """The catalog's views, parsed once (their SQL is in sqlglot's neutral dialect)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.parsed: dict[str, exp.Query] = {}

    def subquery(self, view: View, reference: exp.Table, analysis: _Analysis) -> exp.Subquery:
        query = self.parsed.get(view.name.key)
        if query is None:
            try:
                parsed = sqlglot.parse_one(view.query)
            except SqlglotError as exc:
                raise analysis.fail(
                    f"reads view '{view.name}', whose query does not parse: {_first_line(exc)}"
                ) from None
            if not isinstance(parsed, exp.Query):
                raise analysis.fail(f"reads view '{view.name}', whose body is not a query")
            query = self.parsed[view.name.key] = parsed
        body = query.copy()
        for table in body.find_all(exp.Table):
            table.meta[_FROM_VIEW] = True
        alias_identifier = reference.args["alias"].this if reference.alias else reference.this
        alias = exp.TableAlias(this=alias_identifier.copy())
        if view.columns:
            alias.set("columns", [exp.to_identifier(c.value, quoted=c.quoted) for c in view.columns])
        return exp.Subquery(this=body, alias=alias)


def _schema(catalog: Catalog) -> MappingSchema:
    """The catalog as sqlglot sees it: keys are :attr:`Name.key` (quoted identifiers keep their case)."""
    mapping: dict[str, object] = {
        t.name.key: {c.name.key: "UNKNOWN" for c in t.columns} for t in catalog.tables
    }
    return MappingSchema(mapping, normalize=False)


def _first_table_order(tree: exp.Expr, catalog: Catalog) -> list[str]:
    """Catalog table keys in the order the statement names them (for a stable TableAccess order)."""
    order: list[str] = []
    for node in tree.walk(bfs=False):
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            table = catalog.table(Name(node.name, bool(node.this.args.get("quoted"))))
            if table is not None and table.name.key not in order:
                order.append(table.name.key)
    return order


def _parse(item: StatementInput, dialect: str, label: str) -> exp.Expr:
    where = f"statement '{item.name}'"
    if not item.sql.strip():
        raise SqlError(
            Diagnostic(f"{where} is empty", file=item.origin, hint="give the SQL text of one statement")
        )
    sql = prepare_parameters(item.sql)
    try:
        trees = parse_sql(sql, dialect, what=where, file=item.origin)
    except SqlglotError as exc:
        errors = getattr(exc, "errors", None) or [{}]
        first = errors[0] if isinstance(errors[0], dict) else {}
        description = _readable(str(first.get("description") or _first_line(exc)))
        line, col = first.get("line"), first.get("col")
        at = f" at line {line}, column {col}" if line is not None and col is not None else ""
        raise SqlError(
            Diagnostic(
                f"{where} does not parse{at}: {description}",
                file=item.origin,
                hint=f"it is read as {label} SQL",
            )
        ) from None
    if not trees:
        raise SqlError(
            Diagnostic(f"{where} is empty", file=item.origin, hint="give the SQL text of one statement")
        )
    if len(trees) > 1:
        raise SqlError(
            Diagnostic(
                f"{where} holds {len(trees)} SQL statements",
                file=item.origin,
                hint="give each statement its own entry",
            )
        )
    tree = trees[0]
    for cte in tree.find_all(exp.CTE):
        if isinstance(cte.this, exp.Insert | exp.Update | exp.Delete | exp.Merge):
            raise SqlError(
                Diagnostic(
                    f"{where} changes data inside WITH: {cte.alias or 'a CTE'} is a {cte.this.key.upper()} "
                    "(a data-modifying CTE), which dbarchitect does not analyze yet",
                    file=item.origin,
                    hint=f"give the {cte.this.key.upper()} ... RETURNING as a statement of its own, and the "
                    "query that reads its rows as another",
                )
            )
    if isinstance(tree, exp.Command) and str(tree.this).upper() == "REPLACE":
        # MySQL REPLACE INTO: an upsert with INSERT's shape.
        rest = tree.expression.name if isinstance(tree.expression, exp.Expr) else ""
        try:
            replaced = sqlglot.parse_one(f"INSERT {rest}", read=dialect)
        except SqlglotError as exc:
            raise SqlError(
                Diagnostic(f"{where} does not parse: {_first_line(exc)}", file=item.origin)
            ) from None
        if isinstance(replaced, exp.Insert):
            replaced.meta["dbarch_replace"] = True
            return replaced
    return tree


def analyze_statement(
    item: StatementInput,
    catalog: Catalog,
    engine: EngineName,
    *,
    _schema_cache: MappingSchema | None = None,
    _views: _Views | None = None,
) -> Statement:
    """One statement parsed, resolved against ``catalog`` and described (see module docstring).

    Raises :class:`SqlError` (and nothing else) for anything wrong with the statement.
    """
    target = get_traits(engine)
    traits = get_traits(item.dialect) if item.dialect is not None else target
    check_sql_text(item.sql, traits.sqlglot_dialect, what=f"statement '{item.name}'", file=item.origin)
    try:
        with deep_stack():
            return _analyze(item, catalog, target, traits, _schema_cache, _views)
    except DbarchError:
        raise
    except RecursionError:
        raise nesting_exceeded(
            current().max_nesting + 1, what=f"statement '{item.name}'", file=item.origin
        ) from None
    except Exception as exc:  # an AST shape the analysis does not know must not crash the tool
        raise SqlError(
            Diagnostic(
                f"statement '{item.name}' cannot be analyzed ({type(exc).__name__}: {_first_line(exc)})",
                file=item.origin,
                hint="a limitation of dbarchitect's SQL analysis; rewrite the statement or report it",
            )
        ) from exc


def _analyze(
    item: StatementInput,
    catalog: Catalog,
    target: EngineTraits,
    traits: EngineTraits,
    schema: MappingSchema | None,
    views: _Views | None,
) -> Statement:
    tree = _parse(item, traits.sqlglot_dialect, traits.label)
    analysis = _Analysis(item, catalog, schema or _schema(catalog), views or _Views(catalog))
    kind, limit = analysis.run(tree)
    if tree.meta.get("dbarch_replace"):
        kind = StatementKind.UPSERT
    normalized = normalize_expression(tree, target.sqlglot_dialect)
    return Statement(
        name=item.name,
        sql=item.sql.strip(),
        kind=kind,
        fingerprint=fingerprint_of(normalized),
        rate=item.rate,
        tables=analysis.table_accesses(_first_table_order(tree, catalog)),
        joins=tuple(analysis.joins),
        limit=limit,
        slo=item.slo,
        normalized_sql=normalized,
        parameters=_parameters(tree),
        origin=item.origin,
    )


def build_workload(
    items: Sequence[StatementInput], catalog: Catalog, engine: EngineName, *, strict: bool = True
) -> Workload:
    """Every statement analyzed against ``catalog``; duplicates (same fingerprint) merged into the
    first, with rates summed. Raises :class:`SqlError` naming the first bad statement — unless not
    ``strict``: then every statement that cannot be analyzed is left out and listed, with its
    reason, in ``Workload.left_out``."""
    schema = _schema(catalog)
    views = _Views(catalog)
    merged: dict[str, Statement] = {}
    left_out: list[tuple[str, str]] = []
    for item in items:
        try:
            statement = analyze_statement(item, catalog, engine, _schema_cache=schema, _views=views)
        except SqlError as exc:
            if strict:
                raise
            left_out.append((item.name, exc.diagnostic.message))
            continue
        first = merged.get(statement.fingerprint)
        if first is None:
            merged[statement.fingerprint] = statement
        else:
            merged[statement.fingerprint] = replace(
                first, rate=first.rate + statement.rate, slo=first.slo or statement.slo
            )
    return Workload(tuple(merged.values()), left_out=tuple(left_out))
