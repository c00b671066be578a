"""A statement's parameters: which column each one is compared with, and the statement with values
bound in as literals.

:func:`parameter_uses` reads the parse tree: a parameter on one side of ``=``, ``<``, ``BETWEEN``,
``IN (...)``, ``LIKE``, in an INSERT's ``VALUES`` row, an UPDATE's ``SET``, or in ``LIMIT`` /
``OFFSET``, is tied to the column on the other side (resolved through the statement's table aliases)
with its role: an equality, a lower or an upper bound, a list member, a written value, a limit.
:func:`bind_parameters_sql` writes literals in place of the parameters, so that a plan can be asked
for the statement as it runs with those values (partition pruning is decided from them).

Parameter names: ``:name``, ``%(name)s`` and ``@name`` keep their name; ``$n`` is ``pn`` and the n-th
``?`` is ``pn`` too (counted from 1 in the order they appear).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import Diagnostic, SqlError
from dbarchitect.ingest.fingerprint import prepare_parameters
from dbarchitect.ingest.parsed import parse_statement
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.workload import ColumnRef


class ParameterRole(StrEnum):
    EQ = "eq"
    LOWER = "lower"
    UPPER = "upper"
    IN = "in"
    LIKE = "like"
    #: A value written: an INSERT's VALUES row or an UPDATE's SET.
    VALUE = "value"
    LIMIT = "limit"
    OFFSET = "offset"
    OTHER = "other"


@dataclass(frozen=True)
class ParameterUse:
    """One parameter, its role and (when found) the column it is compared with or written to."""

    name: str
    role: ParameterRole
    column: ColumnRef | None = None
    #: The value is one of the column's type: the parameter stands alone against it (in parentheses,
    #: or plus or minus an interval or a number literal), not inside a cast or other arithmetic.
    typed: bool = False


_LOWER = {exp.GT: ParameterRole.LOWER, exp.GTE: ParameterRole.LOWER}
_UPPER = {exp.LT: ParameterRole.UPPER, exp.LTE: ParameterRole.UPPER}


def _parse(sql: str, engine: EngineName) -> exp.Expr:
    dialect = get_traits(engine).sqlglot_dialect
    try:
        tree = parse_statement(prepare_parameters(sql), dialect)
    except SqlglotError as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SqlError(Diagnostic(f"statement does not parse: {first}")) from None
    if tree is None:  # pragma: no cover - parse_one raises on empty input
        raise SqlError(Diagnostic("statement is empty"))
    return tree


def _names(tree: exp.Expr) -> dict[int, str]:
    """id(parameter node) -> its name (see module docstring), in the order they appear."""
    out: dict[int, str] = {}
    positional = 0
    for node in tree.walk(bfs=False):
        if isinstance(node, exp.Placeholder):
            if node.name and node.name != "?":
                out[id(node)] = node.name
            else:
                positional += 1
                out[id(node)] = f"p{positional}"
        elif isinstance(node, exp.Parameter):
            inner = node.this
            if isinstance(inner, exp.Literal) and not inner.is_string:
                out[id(node)] = f"p{inner.this}"
            elif isinstance(inner, exp.Expr) and inner.name:
                out[id(node)] = inner.name
    return out


class _Resolver:
    """Columns of a parse tree -> catalog columns, through the statement's table aliases."""

    def __init__(self, tree: exp.Expr, catalog: Catalog) -> None:
        self.catalog = catalog
        self.aliases: dict[str, Name] = {}
        self.tables: list[Name] = []
        for t in tree.find_all(exp.Table):
            table = catalog.table(Name(t.name, bool(t.this.args.get("quoted"))) if t.this else t.name)
            if table is None:
                continue
            if table.name not in self.tables:
                self.tables.append(table.name)
            self.aliases[(t.alias or t.name).lower()] = table.name
            self.aliases.setdefault(t.name.lower(), table.name)

    def column(self, node: exp.Column) -> ColumnRef | None:
        name = node.name
        if node.table:
            table_name = self.aliases.get(node.table.lower())
            table = self.catalog.table(table_name) if table_name is not None else None
            found = table.column(name) if table is not None else None
            return ColumnRef(table.name, found.name) if table is not None and found is not None else None
        for key in self.tables:
            table = self.catalog.table(key)
            found = table.column(name) if table is not None else None
            if table is not None and found is not None:
                return ColumnRef(table.name, found.name)
        return None

    def in_table(self, table: Name, column: str) -> ColumnRef | None:
        t = self.catalog.table(table)
        found = t.column(column) if t is not None else None
        return ColumnRef(t.name, found.name) if t is not None and found is not None else None


def _insert_target(tree: exp.Expr, resolver: _Resolver) -> tuple[Name | None, list[str]]:
    if not isinstance(tree, exp.Insert):
        return None, []
    schema = tree.this
    target = schema.this if isinstance(schema, exp.Schema) else schema
    table = resolver.catalog.table(target.name) if isinstance(target, exp.Table) else None
    columns = [e.name for e in schema.expressions] if isinstance(schema, exp.Schema) else []
    if table is not None and not columns:
        columns = [c.name.value for c in table.columns]
    return (table.name if table is not None else None), columns


def _use(
    node: exp.Expr, name: str, resolver: _Resolver, insert: tuple[Name | None, list[str]]
) -> ParameterUse:
    parent = node.parent
    if isinstance(parent, exp.Limit | exp.Fetch):
        return ParameterUse(name, ParameterRole.LIMIT, typed=True)
    if isinstance(parent, exp.Offset):
        return ParameterUse(name, ParameterRole.OFFSET, typed=True)
    if isinstance(parent, exp.Tuple) and isinstance(parent.parent, exp.Values):
        table, columns = insert
        position = parent.expressions.index(node)
        if table is not None and position < len(columns):
            target = resolver.in_table(table, columns[position])
            return ParameterUse(name, ParameterRole.VALUE, target, typed=True)
        return ParameterUse(name, ParameterRole.VALUE)
    if isinstance(parent, exp.In) and isinstance(parent.this, exp.Column):
        return ParameterUse(name, ParameterRole.IN, resolver.column(parent.this), typed=True)
    if isinstance(parent, exp.Between) and isinstance(parent.this, exp.Column):
        role = ParameterRole.LOWER if parent.args.get("low") is node else ParameterRole.UPPER
        return ParameterUse(name, role, resolver.column(parent.this), typed=True)
    child: exp.Expr = node
    typed = True
    while isinstance(parent, exp.Paren | exp.Cast | exp.Add | exp.Sub | exp.Mul | exp.Div):
        typed = typed and _keeps_type(parent, child)
        child, parent = parent, parent.parent
    if isinstance(parent, exp.EQ) and isinstance(parent.parent, exp.Update | exp.Set | exp.OnConflict):
        column = parent.this if isinstance(parent.this, exp.Column) else None
        ref = resolver.column(column) if column else None
        return ParameterUse(name, ParameterRole.VALUE, ref, typed=typed and parent.expression is child)
    if isinstance(parent, exp.Binary):
        other = parent.left if parent.right is child else parent.right
        column = other if isinstance(other, exp.Column) else None
        ref = resolver.column(column) if column is not None else None
        if isinstance(parent, exp.EQ | exp.NullSafeEQ):
            return ParameterUse(name, ParameterRole.EQ, ref, typed=typed)
        if isinstance(parent, exp.Like | exp.ILike):
            return ParameterUse(name, ParameterRole.LIKE, ref)
        on_right = parent.right is child
        kind = type(parent)
        if kind in _LOWER or kind in _UPPER:
            # ``col >= :p`` bounds col from below; ``:p >= col`` from above.
            lower = (kind in _LOWER) == on_right
            return ParameterUse(name, ParameterRole.LOWER if lower else ParameterRole.UPPER, ref, typed=typed)
        return ParameterUse(name, ParameterRole.OTHER, ref)
    return ParameterUse(name, ParameterRole.OTHER)


def _keeps_type(wrapper: exp.Expr, child: exp.Expr) -> bool:
    """Whether ``wrapper`` around ``child`` has the child's type: parentheses, or ``child`` plus or
    minus an interval or a number literal (``:since - interval '1 day'``, ``:n + 1``)."""
    if isinstance(wrapper, exp.Paren):
        return True
    if isinstance(wrapper, exp.Add | exp.Sub) and wrapper.left is child:
        other = wrapper.right
        return isinstance(other, exp.Interval) or (isinstance(other, exp.Literal) and not other.is_string)
    return False


def parameter_uses(sql: str, engine: EngineName, catalog: Catalog) -> tuple[ParameterUse, ...]:
    """Every parameter of ``sql`` (written for ``engine``), once (in the parse tree's order), with the
    column it is compared with or written to. Raises :class:`SqlError` if ``sql`` does not parse."""
    seen: dict[str, ParameterUse] = {}
    for use in every_parameter_use(sql, engine, catalog):
        known = seen.get(use.name)
        if known is None or (known.column is None and use.column is not None):
            seen[use.name] = use
    return tuple(seen.values())


def every_parameter_use(sql: str, engine: EngineName, catalog: Catalog) -> tuple[ParameterUse, ...]:
    """Each place a parameter of ``sql`` stands, in the parse tree's order (a parameter used twice is
    there twice, each with its own column). Raises :class:`SqlError` if ``sql`` does not parse."""
    tree = _parse(sql, engine)
    names = _names(tree)
    resolver = _Resolver(tree, catalog)
    insert = _insert_target(tree, resolver)
    return tuple(
        _use(node, names[id(node)], resolver, insert) for node in tree.walk(bfs=False) if id(node) in names
    )


def _literal(value: object) -> exp.Expr:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float | Decimal):
        return exp.Literal.number(value)
    if isinstance(value, datetime):
        return exp.Literal.string(value.isoformat(sep=" "))
    if isinstance(value, date):
        return exp.Literal.string(value.isoformat())
    return exp.Literal.string(str(value))


def bind_parameters_sql(sql: str, engine: EngineName, values: Mapping[str, object]) -> str:
    """``sql`` (written for ``engine``) with each parameter named in ``values`` replaced by a literal
    (numbers and booleans as such, everything else quoted); other parameters are left as they are."""
    tree = _parse(sql, engine)
    names = _names(tree)
    dialect = get_traits(engine).sqlglot_dialect

    def bind(node: exp.Expr) -> exp.Expr:
        name = names.get(id(node))
        if name is not None and name in values:
            return _literal(values[name])
        return node

    return tree.transform(bind, copy=False).sql(dialect=dialect)


def numbered_parameters_sql(sql: str, engine: EngineName, target: EngineName) -> tuple[str, tuple[str, ...]]:
    """``sql`` (written for ``engine``) written for ``target`` with its parameters as ``$1``, ``$2``...
    in order of first use (a name used twice is one number), and the names in that order: the form a
    PostgreSQL ``PREPARE`` takes."""
    tree = _parse(sql, engine)
    names = _names(tree)
    order: list[str] = []

    def number(node: exp.Expr) -> exp.Expr:
        name = names.get(id(node))
        if name is None:
            return node
        if name not in order:
            order.append(name)
        return exp.Parameter(this=exp.Literal.number(order.index(name) + 1))

    text = tree.transform(number, copy=False).sql(dialect=get_traits(target).sqlglot_dialect)
    return text, tuple(order)
