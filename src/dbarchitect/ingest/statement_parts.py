"""The parts of a statement's analysis (:mod:`dbarchitect.ingest.workload`): the statement as given,
helpers on sqlglot nodes, the facts collected per table and per condition, the catalog's views, and
the state every stage of the analysis shares (:class:`AnalysisState`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope
from sqlglot.schema import MappingSchema

from dbarchitect.errors import Diagnostic, SqlError
from dbarchitect.model.catalog import Catalog, Table, View
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.workload import (
    ColumnRef,
    JoinPredicate,
    OrderKey,
    Predicate,
    PredicateKind,
    Slo,
    StatementKind,
    TableAccess,
)


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
    #: Example parameter values (the brief's ``params:``), name -> literal text (:func:`example_text`).
    params: tuple[tuple[str, str], ...] = ()


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


def example_text(value: object) -> str | None:
    """An example parameter value of a brief (YAML: text, number, boolean, date, timestamp) as a
    literal's text is read (``_value_text``: unquoted), or None for one that is not a single value
    (a list, a mapping, null)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | str):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return None


def _with_numbered_aliases(examples: dict[str, str]) -> dict[str, str]:
    """The examples by name, a numbered parameter's under both of its names: ``$1`` here is ``p1``
    in :mod:`~dbarchitect.ingest.parameters` (partition pruning, verify), and a brief may use either."""
    out = dict(examples)
    for name, value in examples.items():
        if re.fullmatch(r"p\d+", name):
            out.setdefault("$" + name[1:], value)
        elif re.fullmatch(r"\$\d+", name):
            out.setdefault("p" + name[1:], value)
    return out


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
    #: A constant expression's value as a literal's text (:func:`folded_text`), when ``value`` is None.
    folded: str | None = None

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
        example: str | None = None,
    ) -> None:
        for ref in side.refs:
            predicate = Predicate(ref, kind, operator, value, values, in_values, parameter, example)
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


class AnalysisState:
    """What one statement's analysis holds (the catalog, what it found so far) and its error and
    catalog-lookup helpers; the resolution and the predicates build on it."""

    def __init__(self, item: StatementInput, catalog: Catalog, schema: MappingSchema, views: _Views) -> None:
        self.item = item
        self.examples: dict[str, str] = _with_numbered_aliases(dict(item.params))
        self.catalog = catalog
        self.schema = schema
        self.views = views
        self.tables = views.tables
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
        #: The catalog's tables by comparison key (built once: a statement's analysis reads it).
        self.tables: dict[str, Table] = {t.name.key: t for t in catalog.tables}

    def subquery(self, view: View, reference: exp.Table, analysis: AnalysisState) -> exp.Subquery:
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
