"""sargable-range: a function of a column compared with a value -> a range on the column itself.

``WHERE date(placed_at) = :day`` (or ``CAST(placed_at AS date) = :day``) hides ``placed_at`` inside a
function: no index on ``placed_at`` can serve it, every row is computed and compared. The same
rows are the range ``placed_at >= CAST(:day AS date) AND placed_at < CAST(:day AS date) + 1 day``,
which an index on ``placed_at`` answers directly. Each comparison has its range:

=====================  ==========================================
``date(ts) = d``       ``ts >= d AND ts < d + 1 day``
``date(ts) >= d``      ``ts >= d``
``date(ts) > d``       ``ts >= d + 1 day``
``date(ts) < d``       ``ts < d``
``date(ts) <= d``      ``ts < d + 1 day``
``date(ts) BETWEEN``   ``ts >= d1 AND ts < d2 + 1 day``
=====================  ==========================================

(``d`` is ``CAST(value AS date)``.) Same answers when the value compared is a date, as the brief's
example gives it: the day of ``ts`` is ``d`` exactly when ``ts`` lies in ``[d, d + 1 day)``, and a
``timestamptz`` is cast to a date and compared with midnight in the same session time zone on both
sides. A timestamp passed where a date is expected is compared differently by each engine
(PostgreSQL truncates it to its date, MySQL/MariaDB and SQLite compare it as a timestamp or as
text), so the rewrite is refused when the brief's example value is not a plain date, and
``verify`` proves it with dates.

Not handled (left as written): other functions (``lower``, ``substr``, ``EXTRACT``, arithmetic),
columns that are already dates, comparisons with another column.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace

from sqlglot import exp

from dbarchitect.advisors.rewrites.rule import (
    Draft,
    Proof,
    Protocol,
    Refusal,
    RewriteContext,
    RewriteRule,
    and_all,
    conjuncts,
    has_parameters,
    resolve,
    scope_tables,
    sql_of,
)
from dbarchitect.advisors.sizing import span_days
from dbarchitect.model.catalog import Column, Table
from dbarchitect.model.types import TypeKind
from dbarchitect.model.workload import ColumnRef, Predicate, PredicateKind, Statement

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FLIP: dict[type[exp.Expr], type[exp.Expr]] = {
    exp.EQ: exp.EQ,
    exp.GT: exp.LT,
    exp.GTE: exp.LTE,
    exp.LT: exp.GT,
    exp.LTE: exp.GTE,
}


def _day_of(node: exp.Expr) -> exp.Column | None:
    """The column of ``CAST(col AS DATE)`` / ``date(col)`` / ``col::date``, else None."""
    while isinstance(node, exp.Paren):
        node = node.this
    if (
        isinstance(node, exp.Cast)
        and node.to.this == exp.DataType.Type.DATE
        and isinstance(node.this, exp.Column)
    ):
        return node.this
    if isinstance(node, (exp.Date, exp.TsOrDsToDate)) and isinstance(node.this, exp.Column):
        if isinstance(node, exp.Date) and node.expressions:
            return None  # date(x, modifier) on SQLite
        return node.this
    return None


def _one_day(statement: Statement, days: list[tuple[Table, Column]]) -> Statement:
    """The statement as the cost model should see the rewrite: an equality on each column's day
    (costed with as many values as days the column spans) in place of the function of it."""
    accesses = []
    for access in statement.tables:
        mine = [c for t, c in days if t.name.matches(access.table)]
        if not mine:
            accesses.append(access)
            continue
        keys = {c.name.key for c in mine}
        kept = tuple(p for p in access.predicates if p.column.column.key not in keys)
        added = tuple(Predicate(ColumnRef(access.table, c.name), PredicateKind.EQ, "=", "?") for c in mine)
        accesses.append(replace(access, predicates=kept + added))
    return replace(statement, tables=tuple(accesses))


def _day(value: exp.Expr) -> exp.Expr:
    if isinstance(value, exp.Literal) and value.is_string and _DATE.match(value.this):
        return value.copy()  # a date literal is its own day
    return exp.Cast(this=value.copy(), to=exp.DataType.build("date"))


def _next_day(value: exp.Expr) -> exp.Expr:
    day = exp.Cast(this=value.copy(), to=exp.DataType.build("date"))
    return exp.DateAdd(this=day, expression=exp.Literal.number(1), unit=exp.var("DAY"))


class SargableRange(RewriteRule):
    id = "sargable-range"
    summary = "A function of a column hides it from its index; the equivalent range on the column does not."

    def propose(self, context: RewriteContext) -> Iterator[Draft | Refusal]:
        select = context.tree
        if not isinstance(select, exp.Select) or select.args.get("where") is None:
            return
        tables = scope_tables(select, context.catalog)
        rewritten = select.copy()
        parts = conjuncts(rewritten.args["where"].this)
        out: list[exp.Expr] = []
        changes: list[str] = []
        dates: list[str] = []
        days: list[tuple[Table, Column]] = []
        for part in parts:
            ranges = self._ranges(part, tables)
            if ranges is None:
                out.append(part)
                continue
            column, new, values = ranges
            if isinstance(part, exp.EQ) and (found := resolve(column, tables)) is not None:
                days.append((found[1], found[2]))
            for value in values:
                if isinstance(value, exp.Placeholder) and value.name:
                    example = context.params.get(value.name)
                    if example is not None and not _DATE.match(str(example).strip()):
                        yield Refusal(
                            f"{sql_of(part, context.dialect)}: the brief's example :{value.name} = "
                            f"{example!r} is not a date; engines compare a timestamp with a date "
                            "differently, so the range would not be exact"
                        )
                        return
                    dates.append(value.name)
                elif isinstance(value, exp.Literal) and not (value.is_string and _DATE.match(value.this)):
                    yield Refusal(f"{sql_of(part, context.dialect)}: {value.sql()} is not a date literal")
                    return
            out += new
            changes.append(
                f"{sql_of(part, context.dialect)} -> {' AND '.join(sql_of(n, context.dialect) for n in new)}"
            )
        if not changes:
            return
        rewritten.set("where", exp.Where(this=and_all(out)))
        yield Draft(
            sql=sql_of(rewritten, context.dialect),
            change="; ".join(changes),
            semantics=(
                "The day of a timestamp is d exactly when the timestamp lies in [d, d + 1 day); both sides "
                "take the date and midnight in the session's time zone. Exact for date values"
                + (f" of {', '.join(':' + d for d in dates)}" if dates else "")
                + " (a timestamp passed instead is compared differently by each engine)."
            ),
            proof=Proof(Protocol.SAME, dates=tuple(dates)),
            after=_one_day(context.statement, days) if days else None,
            after_distinct=tuple(
                (t.name.value, c.name.value, span_days(t, c.name.key, 0.0)) for t, c in days
            ),
        )

    def _ranges(
        self, part: exp.Expr, tables: Mapping[str, Table]
    ) -> tuple[exp.Column, list[exp.Expr], list[exp.Expr]] | None:
        if isinstance(part, exp.Between):
            column = _day_of(part.this)
            low, high = part.args["low"], part.args["high"]
            if (
                column is None
                or low.find(exp.Column)
                or high.find(exp.Column)
                or not self._timestamp(column, tables)
            ):
                return None
            return (
                column,
                [
                    exp.GTE(this=column.copy(), expression=_day(low)),
                    exp.LT(this=column.copy(), expression=_next_day(high)),
                ],
                [low, high],
            )
        if type(part) not in _FLIP:
            return None
        assert isinstance(part, exp.Binary)
        left, right = part.left, part.right
        kind: type[exp.Expr] = type(part)
        column = _day_of(left)
        if column is None:
            column, left, right, kind = _day_of(right), right, left, _FLIP[kind]
        if column is None or right.find(exp.Column) or not self._timestamp(column, tables):
            return None
        if not (has_parameters(right) or isinstance(right, exp.Literal)):
            return None
        c = column.copy
        if kind is exp.EQ:
            new: list[exp.Expr] = [
                exp.GTE(this=c(), expression=_day(right)),
                exp.LT(this=c(), expression=_next_day(right)),
            ]
        elif kind is exp.GTE:
            new = [exp.GTE(this=c(), expression=_day(right))]
        elif kind is exp.GT:
            new = [exp.GTE(this=c(), expression=_next_day(right))]
        elif kind is exp.LT:
            new = [exp.LT(this=c(), expression=_day(right))]
        else:
            new = [exp.LT(this=c(), expression=_next_day(right))]
        return column, new, [right]

    @staticmethod
    def _timestamp(column: exp.Column, tables: Mapping[str, Table]) -> bool:
        found = resolve(column, tables)
        return found is not None and found[2].type.kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ)
