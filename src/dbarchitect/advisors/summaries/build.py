"""A summary's SQL: its table, the query that fills it, the deltas that keep it exact, and the statement
rewritten to read it.

- The **definition** is the statement's own FROM (fact and stored dimensions) and filters, grouped by
  the summary's keys, with one column per measure and ``dbarch_rows`` (the rows of each group: a group
  whose count falls to zero is deleted, as it would be absent from the statement's answer).
- A **delta** is the definition with one source table replaced by one row of it (``NEW`` or ``OLD``
  in a row trigger): a fact row's own contribution (its dimensions looked up by key), or, for a
  dimension row, the contributions of the fact rows joined to it. Inserting adds the row's delta;
  deleting subtracts it; an update subtracts the old and adds the new (only when a column the
  summary reads changed). Groups left with no row are deleted; a min/max a subtraction may have
  removed is recomputed from the table for the groups it touched.
- The **rewritten statement** adds up the summary's rows (``SUM`` of counts and sums, ``MIN`` of
  minimums, sums over counts for an average) grouped as the statement groups, joins back the
  dimensions it only reads names from, and for a range on a time column reads the whole days
  (months) inside the range from the summary and the partial ones at its ends from the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from dbarchitect.advisors.rewrites.rule import and_all, resolve, sql_of
from dbarchitect.advisors.summaries.spec import (
    KeySpec,
    MeasureSpec,
    Source,
    SummarySpec,
    bucket_expr,
    next_bucket,
)
from dbarchitect.engines.summary_sql import MeasureColumn
from dbarchitect.model.catalog import Column, PrimaryKey, Table, TableStats
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType, TypeKind

#: The count of rows of each group, kept in every summary.
ROWS = "dbarch_rows"


def summary_table(spec: SummarySpec, name: str, stats: TableStats | None = None) -> Table:
    """The summary as a catalog table: its keys (NOT NULL, the primary key) and measures."""
    columns = [Column(Name(k.name), k.type, nullable=False) for k in spec.keys]
    for m in spec.measures:
        columns.append(Column(Name(m.name), m.type, nullable=m.func not in ("count", "nn")))
    pk = PrimaryKey(tuple(Name(k.name) for k in spec.keys), Name(f"{name}_pkey")) if spec.keys else None
    return Table(Name(name), tuple(columns), primary_key=pk, stats=stats)


def _aggregate(m: MeasureSpec) -> exp.Expr:
    if m.func == "count":
        return exp.Count(this=exp.Star())
    assert m.arg is not None
    if m.func == "sum":
        return exp.Sum(this=m.arg.copy())
    if m.func == "nn":
        return exp.Count(this=m.arg.copy())
    if m.func == "min":
        return exp.Min(this=m.arg.copy())
    return exp.Max(this=m.arg.copy())


def _from(
    spec: SummarySpec, exclude: str | None = None
) -> tuple[exp.Expr | None, list[exp.Join], list[exp.Expr]]:
    """The definition's FROM without the source aliased ``exclude``: (first table, joins, join
    conditions moved to WHERE). Without the fact, the dimensions are cross-joined and each keeps its
    condition on the fact's row in WHERE (a lookup by key each)."""
    kept = [s for s in spec.sources if s.alias != exclude]
    moved = [s.join.copy() for s in spec.sources if s.alias == exclude and s.join is not None]
    if not kept:
        return None, [], moved
    fact_kept = kept[0].role == "fact"
    joins: list[exp.Join] = []
    for s in kept[1:]:
        if fact_kept:
            assert s.join is not None
            joins.append(exp.Join(this=_table(s), on=s.join.copy()))
        else:
            joins.append(exp.Join(this=_table(s), kind="CROSS"))
    if not fact_kept:
        moved += [s.join.copy() for s in kept if s.join is not None]
    return _table(kept[0]), joins, moved


def _table(source: Source) -> exp.Table:
    table = exp.to_table(source.table.name.value)
    if source.alias != source.table.name.key:
        table.set("alias", exp.TableAlias(this=exp.to_identifier(source.alias)))
    return table


def _one_row() -> exp.Expr:
    return exp.Subquery(
        this=exp.select(exp.alias_(exp.Literal.number(1), "dbarch_one")),
        alias=exp.TableAlias(this=exp.to_identifier("dbarch_row")),
    )


def definition(spec: SummarySpec, extra: list[exp.Expr] | None = None) -> exp.Select:
    """SELECT keys, measures FROM the statement's tables WHERE its filters GROUP BY keys."""
    first, joins, _ = _from(spec)
    select = exp.select(
        *[exp.alias_(k.expr.copy(), k.name) for k in spec.keys],
        *[exp.alias_(_aggregate(m), m.name) for m in spec.measures],
    ).from_(first or _one_row())
    for join in joins:
        select.append("joins", join)
    where = and_all([f.copy() for f in spec.filters] + list(extra or []))
    if where is not None:
        select.set("where", exp.Where(this=where))
    _group(select, spec)
    return select


def _group(select: exp.Select, spec: SummarySpec) -> None:
    """GROUP BY the keys (not the constant key of a global aggregate: its one row is the aggregate's
    own, there even when no row qualifies, with count 0)."""
    grouped = [k.expr.copy() for k in spec.keys if not k.constant]
    if grouped:
        select.group_by(*grouped, copy=False)


def _substitute(tree: exp.Expr, alias: str, spec: SummarySpec, row: str) -> exp.Expr:
    """``tree`` with every column of source ``alias`` replaced by ``row.column`` (``NEW``/``OLD``)."""
    tables = {s.alias: s.table for s in spec.sources}

    def swap(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Column):
            found = resolve(node, tables)
            if found is not None and found[0] == alias:
                return exp.column(found[2].name.value, table=row)
        return node

    return tree.transform(swap)


@dataclass(frozen=True)
class Delta:
    """The rows a source row adds to the summary (``select``), with its sign applied to the measures."""

    select: exp.Select
    keys_only: exp.Select


def delta(spec: SummarySpec, alias: str, row: str, sign: int, extra: list[exp.Expr] | None = None) -> Delta:
    """The definition with source ``alias`` replaced by the trigger's ``row`` (NEW/OLD); measures
    multiplied by ``sign``. ``extra`` adds conditions (a parent's children, for a cascade)."""
    first, joins, moved = _from(spec, exclude=alias)
    if first is None:
        first = exp.Subquery(
            this=exp.select(exp.alias_(exp.Literal.number(1), "dbarch_one")),
            alias=exp.TableAlias(this=exp.to_identifier("dbarch_row")),
        )
    conditions = [f.copy() for f in spec.filters] + moved + list(extra or [])
    measures = []
    for m in spec.measures:
        agg: exp.Expr = _aggregate(m)
        if sign < 0 and m.func in ("count", "sum", "nn"):
            agg = exp.Neg(this=agg)
        if sign < 0 and m.func in ("min", "max"):
            agg = exp.Null()
        measures.append(exp.alias_(agg, m.name))
    select = exp.select(*[exp.alias_(k.expr.copy(), k.name) for k in spec.keys], *measures).from_(first)
    for join in joins:
        select.append("joins", join)
    select.set("where", exp.Where(this=and_all(conditions) or exp.true()))
    _group(select, spec)
    keys_only = exp.select(*[k.expr.copy() for k in spec.keys]).from_(first.copy())
    for join in joins:
        keys_only.append("joins", join.copy())
    keys_only.set("where", exp.Where(this=and_all([c.copy() for c in conditions]) or exp.true()))
    out_select = _substitute(select, alias, spec, row)
    out_keys = _substitute(keys_only, alias, spec, row)
    assert isinstance(out_select, exp.Select) and isinstance(out_keys, exp.Select)
    return Delta(out_select, out_keys)


def measure_columns(spec: SummarySpec, sign: int) -> list[MeasureColumn]:
    out = []
    for m in spec.measures:
        if m.func in ("count", "sum", "nn"):
            out.append(MeasureColumn(m.name, "add"))
        elif sign > 0:
            out.append(MeasureColumn(m.name, m.func))
        else:
            out.append(MeasureColumn(m.name, "keep"))
    return out


def key_match(spec: SummarySpec, summary: str, keys_select: exp.Select) -> exp.Expr:
    """``(k1, k2) IN (SELECT ...)``: the summary rows a delta touched."""
    columns = [exp.column(k.name, table=summary) for k in spec.keys]
    left: exp.Expr = columns[0] if len(columns) == 1 else exp.Tuple(expressions=columns)
    return exp.In(this=left, query=exp.Subquery(this=keys_select))


def recompute(spec: SummarySpec, summary: str, m: MeasureSpec) -> exp.Expr:
    """``(SELECT MIN(x) FROM ... WHERE filters AND key exprs = summary's keys)``: a min/max from the
    table, for one group."""
    first, joins, _ = _from(spec)
    select = exp.select(_aggregate(m)).from_(first or _one_row())
    for join in joins:
        select.append("joins", join)
    conditions = [f.copy() for f in spec.filters] + [
        exp.EQ(this=k.expr.copy(), expression=exp.column(k.name, table=summary)) for k in spec.keys
    ]
    select.set("where", exp.Where(this=and_all(conditions)))
    return exp.Subquery(this=select)


# ---------------------------------------------------------------------------------------------
# The statement rewritten to read the summary


def _reaggregate(
    node: exp.AggFunc, spec: SummarySpec, source: str, grouped: bool = True, whole: bool = False
) -> exp.Expr:
    """``node`` over the summary's rows (``grouped``: the statement has GROUP BY, so every group it
    returns has rows; without, a count over no rows is 0, not the NULL a SUM of nothing gives)."""
    mapped = _reaggregate_one(node, spec, source, whole)
    if not grouped and isinstance(node, exp.Count):
        return exp.Coalesce(this=mapped, expressions=[exp.Literal.number(0)])
    return mapped


def _reaggregate_one(node: exp.AggFunc, spec: SummarySpec, source: str, whole: bool) -> exp.Expr:
    """``whole``: the engine's ``/`` between whole numbers drops the fraction (an average's sum is
    then made fractional first; elsewhere the sum divides as the engine's own AVG does)."""

    def col(name: str) -> exp.Column:
        return exp.column(name, table=source)

    def measure(func: str, arg: exp.Expr | None) -> str | None:
        for m in spec.measures:
            if m.func == func and (
                arg is None or (m.arg is not None and m.arg.sql().lower() == arg.sql().lower())
            ):
                return m.name
        return None

    arg = node.this
    rows = exp.Sum(this=col(ROWS))
    if isinstance(node, exp.Count):
        if arg is None or isinstance(arg, exp.Star) or (isinstance(arg, exp.Literal) and not arg.is_string):
            return exp.Cast(this=rows, to=exp.DataType.build("bigint"))
        nn = measure("nn", arg)
        return exp.Cast(this=exp.Sum(this=col(nn)) if nn else rows, to=exp.DataType.build("bigint"))
    if isinstance(node, (exp.Sum, exp.Avg)):
        total = measure("sum", arg)
        assert total is not None
        nn = measure("nn", arg)
        count: exp.Expr = exp.Sum(this=col(nn)) if nn else rows
        if isinstance(node, exp.Avg):
            summed: exp.Expr = exp.Sum(this=col(total))
            if whole:
                summed = exp.Mul(this=summed, expression=exp.Literal.number("1.0"))
            # the engine's own ``/`` (typed: sqlglot would otherwise write a cast to a float)
            return exp.Div(
                this=summed,
                expression=exp.Nullif(this=count, expression=exp.Literal.number(0)),
                typed=True,
                safe=False,
            )
        if nn is None:
            return exp.Sum(this=col(total))
        return exp.Case(
            ifs=[
                exp.If(
                    this=exp.GT(this=count, expression=exp.Literal.number(0)), true=exp.Sum(this=col(total))
                )
            ]
        )
    func = "min" if isinstance(node, exp.Min) else "max"
    name = measure(func, arg)
    assert name is not None
    return (exp.Min if func == "min" else exp.Max)(this=col(name))


class _Outer:
    """Maps the statement's select items, HAVING and ORDER BY onto the two levels of the rewrite: the
    aggregation of the union (``inner``: keys and re-aggregated measures) and the rows it returns
    (``outer``: lookups' columns fetched per returned row)."""

    def __init__(self, spec: SummarySpec, union_alias: str, inner_alias: str, whole: bool = False) -> None:
        self.whole = whole
        self.spec = spec
        self.u = union_alias
        self.a = inner_alias
        self.aggregates: list[tuple[str, exp.Expr]] = []  # (name, re-aggregation over the union)
        self.lookup_aliases = {s.alias: s for s in spec.lookups}
        self.tables = {s.alias: s.table for s in (*spec.sources, *spec.lookups)}
        self.grouped = spec.select.args.get("group") is not None

    def _aggregate(self, node: exp.AggFunc) -> exp.Column:
        mapped = _reaggregate(node, self.spec, self.u, self.grouped, self.whole)
        text = mapped.sql()
        for name, existing in self.aggregates:
            if existing.sql() == text:
                return exp.column(name, table=self.a)
        name = f"dbarch_a{len(self.aggregates) + 1}"
        self.aggregates.append((name, mapped))
        return exp.column(name, table=self.a)

    def _lookup(self, column: exp.Column) -> exp.Expr | None:
        found = resolve(column, self.tables)
        if found is None or found[0] not in self.lookup_aliases:
            return None
        lookup = self.lookup_aliases[found[0]]
        conditions: list[exp.Expr] = []
        for fc, pc in zip(lookup.fact_columns, lookup.parent_columns, strict=True):
            key = next(
                k for k in self.spec.keys if isinstance(k.expr, exp.Column) and k.expr.name.lower() == fc
            )
            conditions.append(
                exp.EQ(this=exp.column(pc, table=lookup.alias), expression=exp.column(key.name, table=self.a))
            )
        sub = exp.select(exp.column(found[2].name.value, table=lookup.alias)).from_(_table(lookup))
        sub.set("where", exp.Where(this=and_all(conditions)))
        return exp.Subquery(this=sub)

    def map(self, node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.AggFunc):
            return self._aggregate(node)
        text = node.sql().lower()
        for k in self.spec.keys:
            if not k.constant and k.expr.sql().lower() == text:
                return exp.column(k.name, table=self.a)
        if isinstance(node, exp.Column):
            looked_up = self._lookup(node)
            if looked_up is not None:
                return looked_up
        copy = node.copy()
        for key, value in list(copy.args.items()):
            if isinstance(value, exp.Expr):
                copy.set(key, self.map(value))
            elif isinstance(value, list):
                copy.set(key, [self.map(v) if isinstance(v, exp.Expr) else v for v in value])
        return copy


def _bound_day(value: exp.Expr, grain: str, column_type: LogicalType) -> exp.Expr:
    """The bucket a bound's value falls in (the value cast to the column's type first, so a parameter
    has a type)."""
    # a timestamptz bound is cast to timestamp: every engine reads that cast (SQLite's DATETIME), and
    # on PostgreSQL it takes the session's time zone, as CAST(column AS date) does
    typed = "date" if column_type.kind == TypeKind.DATE else "timestamp"
    return bucket_expr(exp.Cast(this=value.copy(), to=exp.DataType.build(typed)), grain)


def rewritten(spec: SummarySpec, summary: str, whole_number_division: bool = False) -> exp.Expr:
    """The statement reading ``summary`` (and the table for the partial buckets of a range), for an
    engine whose ``/`` drops the fraction of whole numbers or not (``whole_number_division``)."""
    u = "dbarch_u"
    tables = {s.alias: s.table for s in spec.sources}
    key_cols = [exp.column(k.name) for k in spec.keys]
    measure_cols = [exp.column(m.name) for m in spec.measures]
    part = exp.select(*key_cols, *measure_cols).from_(exp.to_table(summary))
    conditions: list[exp.Expr] = []
    for condition, key in spec.on_keys:
        k = spec.key(key)
        text = k.expr.sql().lower()

        def onto(node: exp.Expr, text: str = text, name: str = k.name) -> exp.Expr:
            if node.sql().lower() == text:
                return exp.column(name)
            return node

        conditions.append(condition.copy().transform(onto))
    edges: list[exp.Expr] = []
    for r in spec.ranges:
        alias, col = r.column
        column = tables[alias].column(col)
        assert column is not None
        ref = exp.column(column.name.value, table=alias if len(tables) > 1 else None)
        for b in r.lower:
            day = _bound_day(b, r.grain, column.type)
            conditions.append(exp.GT(this=exp.column(r.key), expression=day))
            edges.append(
                exp.and_(
                    exp.GTE(this=ref.copy(), expression=day.copy()),
                    exp.LT(this=ref.copy(), expression=next_bucket(day.copy(), r.grain)),
                )
            )
        for b in r.upper:
            day = _bound_day(b, r.grain, column.type)
            conditions.append(exp.LT(this=exp.column(r.key), expression=day))
            edges.append(
                exp.and_(
                    exp.GTE(this=ref.copy(), expression=day.copy()),
                    exp.LT(this=ref.copy(), expression=next_bucket(day.copy(), r.grain)),
                )
            )
    if conditions:
        part.set("where", exp.Where(this=and_all(conditions)))
    union: exp.Expr = part
    if edges:
        edge_conditions = [c.copy() for c, _ in spec.on_keys] + [
            c.copy() for r in spec.ranges for c in r.conditions
        ]
        edge_conditions.append(exp.paren(exp.or_(*edges)) if len(edges) > 1 else edges[0])
        edge = definition(spec, edge_conditions)
        union = exp.Union(this=part, expression=edge, distinct=False)
    original = spec.select
    mapper = _Outer(spec, u, "dbarch_a", whole_number_division)
    items = [
        exp.alias_(mapper.map(p.this if isinstance(p, exp.Alias) else p), p.alias_or_name)
        for p in original.expressions
    ]
    having = original.args.get("having")
    having_mapped = mapper.map(having.this) if having is not None else None
    order = original.args.get("order")
    order_mapped = [mapper.map(o) for o in order.expressions] if order is not None else []
    group_keys = [
        k.name
        for k in spec.keys
        if original.args.get("group") is not None
        and any(g.sql().lower() == k.expr.sql().lower() for g in original.args["group"].expressions)
    ]
    inner = exp.select(
        *[exp.column(k) for k in group_keys], *[exp.alias_(agg, name) for name, agg in mapper.aggregates]
    ).from_(exp.Subquery(this=union, alias=exp.TableAlias(this=exp.to_identifier(u))))
    if group_keys:
        inner.group_by(*[exp.column(k) for k in group_keys], copy=False)
    outer = exp.select(*items).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("dbarch_a")))
    )
    if having_mapped is not None:
        outer.set("where", exp.Where(this=having_mapped))
    if order_mapped:
        outer.set("order", exp.Order(expressions=order_mapped))
    for key in ("limit", "offset"):
        if original.args.get(key) is not None:
            outer.set(key, original.args[key].copy())
    return outer


def rewritten_sql(spec: SummarySpec, summary: str, dialect: str, whole_number_division: bool = False) -> str:
    return sql_of(rewritten(spec, summary, whole_number_division), dialect)


__all__ = [
    "ROWS",
    "Delta",
    "KeySpec",
    "definition",
    "delta",
    "key_match",
    "measure_columns",
    "recompute",
    "rewritten",
    "rewritten_sql",
    "summary_table",
]
