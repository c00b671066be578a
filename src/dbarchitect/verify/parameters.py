"""Parameters of a replayed statement: the driver's style, which column each one is compared with, and
a value drawn for it from the synthetic data."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.parameters import ParameterRole, parameter_uses
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.catalog import Catalog, Column, Table
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Statement
from dbarchitect.verify.synthetic import TableGen, adapt_row, parse_value

# ---------------------------------------------------------------------------------------------
# Parameters: which column each one is compared with


_STRING = re.compile(r"'(?:[^']|'')*'")
_PARAM = re.compile(r"%\((\w+)\)s|(?<![:\w]):([A-Za-z_]\w*)|\$(\d+)|\?")


def rewrite_params(sql: str, family: EngineName) -> tuple[str, list[str]]:
    """``sql`` with every parameter (``:name``, ``%(name)s``, ``$n``, ``?``) in the driver's named
    style, and the names in order (``$n`` and ``?`` become ``pn``)."""
    names: list[str] = []
    positional = 0
    pyformat = family != EngineName.SQLITE

    def one(m: re.Match[str]) -> str:
        nonlocal positional
        if m[1] or m[2]:
            name = m[1] or m[2]
        elif m[3]:
            name = f"p{m[3]}"
        else:
            positional += 1
            name = f"p{positional}"
        names.append(name)
        return f"%({name})s" if pyformat else f":{name}"

    def escape(text: str) -> str:
        return text.replace("%", "%%") if pyformat else text

    def code(text: str) -> str:
        parts: list[str] = []
        last = 0
        for m in _PARAM.finditer(text):
            parts += [escape(text[last : m.start()]), one(m)]
            last = m.end()
        return "".join([*parts, escape(text[last:])])

    out: list[str] = []
    last = 0
    for literal in _STRING.finditer(sql):
        out += [code(sql[last : literal.start()]), escape(literal[0])]
        last = literal.end()
    out.append(code(sql[last:]))
    return "".join(out), names


def _param_name(node: exp.Expr, positional: list[int]) -> str | None:
    if isinstance(node, exp.Placeholder):
        if node.name:
            return node.name
        positional[0] += 1
        return f"p{positional[0]}"
    if isinstance(node, exp.Parameter):
        return f"p{node.name}"
    return None


@dataclass(frozen=True)
class Binding:
    """Where a parameter's value comes from: a column (``fresh`` for an INSERT's new row), a LIMIT /
    OFFSET, or a LIKE pattern built from the column's values."""

    table: str | None = None
    column: str | None = None
    fresh: bool = False
    like: bool = False
    constant: Any = None
    #: For ``fresh``: which row of a multi-row VALUES list (each row is a new row of its own).
    row: int = 0


def bind_parameters(statement: Statement, source: EngineTraits, catalog: Catalog) -> dict[str, Binding]:
    """Parameter name -> :class:`Binding`, read from the statement's parse tree."""
    try:
        tree = sqlglot.parse_one(statement.sql, read=source.sqlglot_dialect)
    except SqlglotError:
        return {}
    aliases: dict[str, str] = {}
    for t in tree.find_all(exp.Table):
        aliases[(t.alias_or_name or t.name).lower()] = t.name.lower()
        aliases[t.name.lower()] = t.name.lower()
    touched = [a.table.key for a in statement.tables]

    def resolve(col: exp.Column) -> tuple[str, str] | None:
        name = col.name.lower()
        if col.table:
            table = aliases.get(col.table.lower())
            return (table, name) if table else None
        for key in touched:
            t = catalog.table(key)
            if t is not None and t.has_column(name):
                return t.name.key, name
        return None

    insert_target: str | None = None
    insert_columns: list[str] = []
    if isinstance(tree, exp.Insert):
        schema = tree.this
        target = schema.this if isinstance(schema, exp.Schema) else schema
        if isinstance(target, exp.Table):
            insert_target = target.name.lower()
        if isinstance(schema, exp.Schema):
            insert_columns = [e.name.lower() for e in schema.expressions]

    out: dict[str, Binding] = {}
    positional = [0]
    for node in tree.walk():
        name = _param_name(node, positional)
        if name is None or name in out:
            continue
        out[name] = _binding(node, resolve, insert_target, insert_columns)
    for name in statement.parameters:  # fall back on a column of the same name
        if name not in out or out[name] == Binding():
            for key in touched:
                table = catalog.table(key)
                if table is not None and table.has_column(name):
                    out[name] = Binding(table.name.key, name)
                    break
    return out


def _binding(
    node: exp.Expr,
    resolve: Callable[[exp.Column], tuple[str, str] | None],
    insert_target: str | None,
    insert_columns: list[str],
) -> Binding:
    parent = node.parent
    if isinstance(parent, exp.Limit):
        return Binding(constant=10)
    if isinstance(parent, exp.Offset):
        return Binding(constant=0)
    if isinstance(parent, exp.Tuple):
        holder = parent.parent
        if isinstance(holder, exp.Values) and insert_target is not None:
            position = parent.expressions.index(node)
            if position < len(insert_columns):
                row = holder.expressions.index(parent)
                return Binding(insert_target, insert_columns[position], fresh=True, row=row)
            return Binding()
        if isinstance(holder, exp.Binary):
            other = holder.left if holder.right is parent else holder.right
            position = parent.expressions.index(node)
            if isinstance(other, exp.Tuple) and position < len(other.expressions):
                target = other.expressions[position]
                found = resolve(target) if isinstance(target, exp.Column) else None
                return Binding(*found) if found else Binding()
        return Binding()
    if isinstance(parent, (exp.In, exp.Between)) and isinstance(parent.this, exp.Column):
        found = resolve(parent.this)
        return Binding(*found) if found else Binding()
    # climb arithmetic (``reserved + :q``) to the comparison or assignment it belongs to
    child: exp.Expr = node
    while isinstance(parent, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Paren, exp.Cast)):
        child, parent = parent, parent.parent
    if isinstance(parent, exp.Binary):
        other = parent.left if parent.right is child else parent.right
        column = other if isinstance(other, exp.Column) else next(other.find_all(exp.Column), None)
        if column is None and child is not node:
            column = next(child.find_all(exp.Column), None)
        if column is not None:
            found = resolve(column)
            if found:
                return Binding(*found, like=isinstance(parent, (exp.Like, exp.ILike)))
    return Binding()


def _engine_generates(table: Table, column: Column, traits: EngineTraits) -> bool:
    """Whether ``traits``' engine fills ``column`` (an identity) itself: SQLite only for the single
    integer primary key (its rowid alias), as the DDL renderer declares it."""
    if not traits.features.identity_only_as_rowid:
        return True
    pk = table.primary_key
    return (
        column.type.is_integer
        and pk is not None
        and len(pk.columns) == 1
        and pk.columns[0].matches(column.name)
    )


def supply_identities(sql: str, catalog: Catalog, traits: EngineTraits) -> tuple[str, dict[str, Binding]]:
    """An INSERT (in ``traits``' dialect) that leaves out an identity column the engine cannot fill
    (SQLite, unless it is the rowid) gets the column with a fresh value, as the application would have
    to supply it there; the added parameters' bindings. Anything else is returned as it is."""
    try:
        tree = sqlglot.parse_one(sql, read=traits.sqlglot_dialect)
    except SqlglotError:
        return sql, {}
    schema = tree.this if isinstance(tree, exp.Insert) else None
    values = tree.expression if isinstance(tree, exp.Insert) else None
    if not isinstance(schema, exp.Schema) or not isinstance(values, exp.Values):
        return sql, {}
    target = schema.this
    table = catalog.table(target.name) if isinstance(target, exp.Table) else None
    if table is None:
        return sql, {}
    named = {e.name.lower() for e in schema.expressions}
    added: dict[str, Binding] = {}
    for column in table.columns:
        if not column.identity or column.name.key in named or _engine_generates(table, column, traits):
            continue
        param = f"dbarch_fresh_{column.name.key}"
        schema.append("expressions", exp.to_identifier(column.name.value))
        for row in values.expressions:
            row.append("expressions", exp.Placeholder(this=param))
        added[param] = Binding(table.name.key, column.name.key, fresh=True)
    if not added:
        return sql, {}
    return tree.sql(dialect=traits.sqlglot_dialect), added


def draw_value(
    binding: Binding,
    gens: Mapping[str, TableGen],
    rng: random.Random,
    fresh: dict[str, Any] | Sequence[dict[str, Any]],
) -> Any:
    """A value for a parameter bound by ``binding``: drawn from its column's distribution, taken
    from the ``fresh`` row(s) made for an INSERT (one per VALUES row), or its constant."""
    if binding.table is None or binding.column is None:
        return binding.constant
    gen = gens.get(binding.table)
    if gen is None:
        return None
    if binding.fresh:
        rows = [fresh] if isinstance(fresh, dict) else list(fresh)
        return rows[binding.row].get(binding.column) if binding.row < len(rows) else None
    value = gen.sample(binding.column, rng)
    if binding.like:
        return f"{str(value)[:3]}%" if value is not None else "%"
    return value


@dataclass(frozen=True)
class Prepared:
    """A statement made ready to run on a scratch engine: its SQL there (transpiled, identities the
    engine cannot fill supplied, parameters in the driver's style), the parameters in order and where
    each one's values come from."""

    sql: str
    names: tuple[str, ...]
    bindings: Mapping[str, Binding]
    supplied: tuple[str, ...]
    unbound: tuple[str, ...]
    insert_table: str | None
    fresh_rows: int


def prepare(
    statement: Statement, source: EngineTraits, catalog: Catalog, target: EngineTraits, family: EngineName
) -> Prepared:
    """``statement`` (written for ``source``) ready to run on ``target`` (raises DbarchError when it
    cannot be written there)."""
    sql = transpile_statement(statement.sql, source.engine, target.engine, catalog)
    sql, supplied = supply_identities(sql, catalog, target)
    sql, names = rewrite_params(sql, family)
    bindings = {**bind_parameters(statement, source, catalog), **supplied}
    unbound = tuple(sorted({n for n in names if bindings.get(n, Binding()) == Binding()}))
    insert_table = next((b.table for b in bindings.values() if b.fresh), None)
    rows = max((b.row for b in bindings.values() if b.fresh), default=-1) + 1
    return Prepared(
        sql,
        tuple(names),
        bindings,
        tuple(f"{b.table}.{b.column}" for b in supplied.values()),
        unbound,
        insert_table,
        rows,
    )


def example_bounds(statement: Statement, source: EngineTraits, catalog: Catalog) -> dict[str, Any]:
    """The brief's example values (``params:``) of the parameters that bound a range on a column the
    brief gives a min and max for: the window the estimate reads (advisors/range_selectivity.py), which
    the synthetic data lays out over the same min..max at every scale, so the replay reads the same
    share of the rows. Other parameters (and bounds on columns without both) are drawn as before."""
    if not statement.params:
        return {}
    try:
        uses = parameter_uses(statement.sql, source.engine, catalog)
    except DbarchError:
        return {}
    examples = dict(statement.params)
    out: dict[str, Any] = {}
    for use in uses:
        if use.role not in (ParameterRole.LOWER, ParameterRole.UPPER) or use.column is None or not use.typed:
            continue  # not a bound, or not the bound itself (``n < 2 * :k``: :k is not n's bound)
        table = catalog.table(use.column.table)
        column = table.column(use.column.column) if table is not None else None
        stats = column.stats if column is not None else None
        if column is None or stats is None or stats.minimum is None or stats.maximum is None:
            continue
        if use.name in examples:
            try:
                out[use.name] = parse_value(column, examples[use.name], what="example value")
            except DbarchError:
                continue
    return out


def draw_parameters(
    prepared: Prepared,
    gens: Mapping[str, TableGen],
    rng: random.Random,
    counter: list[int],
    family: EngineName,
    overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Values for one execution of ``prepared``: each parameter drawn from its binding (fresh rows for
    an INSERT, numbered by ``counter`` so keys do not repeat), ``overrides`` taking precedence; as
    the driver of ``family`` takes them."""
    fresh: list[dict[str, Any]] = []
    if prepared.insert_table is not None and prepared.insert_table in gens:
        for _ in range(max(prepared.fresh_rows, 1)):
            counter[0] += 1
            fresh.append(gens[prepared.insert_table].fresh_row(counter[0]))
    values = [
        overrides[n]
        if overrides is not None and n in overrides
        else draw_value(prepared.bindings.get(n, Binding()), gens, rng, fresh)
        for n in prepared.names
    ]
    return dict(zip(prepared.names, adapt_row(family, values), strict=True))
