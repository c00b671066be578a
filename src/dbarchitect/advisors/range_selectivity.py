"""The share of a table's rows a range filter keeps (``<``, ``<=``, ``>``, ``>=``, BETWEEN), from what the
brief knows of the column and of the bounds.

A bound is known when it is a literal of the statement, or a parameter the brief gives an example value
for (the statement's ``params:``); the column's extent is known from the brief's ``min``/``max`` of it,
or, for a time column, from the span of time its rows cover (the table's retention, else its rows over
its growth per day). The rows kept are then the part of the extent between the bounds, as PostgreSQL's
``scalarineqsel`` reads it off a histogram, but with the brief's uniform extent for the histogram:

- with the column's min and max: each known bound cuts the extent, and all the range filters on one
  column are read together (``>= :from AND < :to`` keeps what lies between both, as the planner's
  ``clauselist_selectivity`` pairs them), so a one-hour window in a 90-day column keeps 1/2,160 of it;
- with only a span of time (no min/max): a window whose both bounds are known keeps its width over the
  span; a single bound cannot be placed (where "now" is is unknown), so it is not known;
- integers and dates are counted as discrete values (``x < 10`` over 1..100 keeps 9 of 100), other
  numbers and timestamps as continuous;
- the column's null fraction, when the brief gives it, is left out (NULL is in no range).

A bound relative to the time the statement runs (``created_at > now() - interval '7 days'``, folded by
ingest/constants.py) is placed only on a column that defaults to the time of insert (``DEFAULT now()``,
``CURRENT_TIMESTAMP``, ``CURRENT_DATE``): its newest value is now, so the brief's max of it is now, or
its rows cover the table's time span back from now. On any other column (an expiry or due date) where
now falls is not known, and a relative bound beside a fixed one is not placed either.

A filter whose bound is unknown (a parameter with no example, an expression the fold does not read),
or a column with no order this module reads (text, uuid, time of day) or with no known extent, is not
estimated here: the caller falls back to the planner's fixed default and says so. Every estimate
carries its basis in words, for the reason printed beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dbarchitect.model.catalog import Column, DefaultKind, Table
from dbarchitect.model.intervals import describe_relative, parse_instant, relative_seconds
from dbarchitect.model.types import TypeKind
from dbarchitect.model.workload import Predicate, PredicateKind

_NUMBER_KINDS = frozenset(
    {TypeKind.SMALLINT, TypeKind.INTEGER, TypeKind.BIGINT, TypeKind.DECIMAL, TypeKind.REAL, TypeKind.DOUBLE}
)
_TIME_KINDS = frozenset({TypeKind.DATE, TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ})
_DAY = 86400.0
_LOWER = (">", ">=")
_UPPER = ("<", "<=")


@dataclass(frozen=True)
class RangeEstimate:
    """The share of rows kept (``value``; None when the brief does not say enough) and what it was read
    from, or what is missing (``basis``, in words)."""

    value: float | None
    basis: str


@dataclass(frozen=True)
class _Bound:
    at: float
    inclusive: bool
    #: Where the bound's value came from: the literal, or the brief's example for ``:name``.
    text: str


def _orderable(column: Column) -> bool:
    return column.type.kind in _NUMBER_KINDS or column.type.kind in _TIME_KINDS


def _discrete(column: Column) -> bool:
    return column.type.is_integer or column.type.kind == TypeKind.DATE


def _point(column: Column, text: str | None) -> float | None:
    """A value of ``column`` on its number line: the number itself, or a time in seconds since the epoch
    (days for a date, so that dates are whole numbers)."""
    if text is None or text == "?":
        return None
    if column.type.kind in _TIME_KINDS:
        instant = parse_instant(text)
        if instant is None:
            return None
        seconds = instant.timestamp()
        return math.floor(seconds / _DAY) if column.type.kind == TypeKind.DATE else seconds
    try:
        number = float(text.strip().strip("'"))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _missing(column: Column, operator: str, predicate: Predicate, text: str | None) -> str:
    """Why one bound's value is not known, in words."""
    if text not in (None, "?"):
        name = column.name.value
        return f"{name} {operator} {text}: not a value of {column.type.kind.value} {name}"
    if predicate.operator.upper() == "BETWEEN":
        return f"no example values for both bounds of {column.name.value} BETWEEN in the statement's params"
    if predicate.value is None:
        return (
            f"{column.name.value} {operator} an expression (only literals, example values and "
            "date/number arithmetic on literals are read)"
        )
    if predicate.parameter:
        return f"no example value for :{predicate.parameter} in the statement's params"
    return f"no example value for the parameter of {column.name.value} {operator} (an unnamed one)"


def _bound_texts(predicate: Predicate) -> list[tuple[str, str | None, str]]:
    """(operator, value text, where it came from) of each bound ``predicate`` sets: one for a comparison,
    two for BETWEEN (``>=`` low, ``<=`` high)."""
    operator = predicate.operator.upper()
    value = predicate.value if predicate.value not in (None, "?") else predicate.example
    literal = predicate.value not in (None, "?")
    if operator == "BETWEEN":
        # value / example are "low AND high"; the example fills the parameters of a partly literal one
        given = (predicate.value or "").split(" AND ", 1)
        example = (predicate.example or "").split(" AND ", 1)
        pairs: list[tuple[str, str | None, str]] = []
        for i, op in enumerate((">=", "<=")):
            side = given[i] if len(given) == 2 else "?"
            if side != "?":
                pairs.append((op, side, "the literal"))
            else:
                known = example[i] if len(example) == 2 else None
                source = "the brief's example value" if predicate.value else "the expression's value"
                pairs.append((op, known, source))
        return pairs
    if operator in _LOWER or operator in _UPPER:
        if literal:
            return [(operator, value, "the literal")]
        if predicate.value is None:
            return [(operator, predicate.example, "the expression's value")]
        source = "the brief's example" + (f" for :{predicate.parameter}" if predicate.parameter else "")
        return [(operator, predicate.example, source)]
    return []


def _fmt(share: float) -> str:
    if share <= 0:
        return "none"
    if share >= 0.01:
        return f"{share:.1%}"
    return f"1/{1 / share:,.0f}"


def _extent(table: Table, column: Column) -> tuple[float, float, str] | None:
    """The column's lowest and highest value from the brief's min/max (both needed)."""
    stats = column.stats
    if stats is None or stats.minimum is None or stats.maximum is None:
        return None
    lo, hi = _point(column, stats.minimum), _point(column, stats.maximum)
    if lo is None or hi is None or hi < lo:
        return None
    return lo, hi, f"the brief's min/max of {table.name.value}.{column.name.value}"


def _span(table: Table, column: Column) -> tuple[float, str] | None:
    """The width of time a time column's rows cover, on its number line, when the brief implies it: the
    table's retention, else its rows over its growth per day."""
    if column.type.kind not in _TIME_KINDS or table.stats is None:
        return None
    stats = table.stats
    days: float | None = None
    how = ""
    if stats.retention_days:
        days, how = stats.retention_days, f"the {stats.retention_days:g}-day retention of {table.name.value}"
    elif stats.rows and stats.growth_rows_per_day:
        days = stats.rows / stats.growth_rows_per_day
        how = f"{days:,.0f} days of {table.name.value}'s rows at its growth rate"
    if not days:
        return None
    return (days if column.type.kind == TypeKind.DATE else days * _DAY), how


def _now_extent(
    table: Table,
    column: Column,
    raw: list[tuple[str, str | None, str, Predicate]],
    relative: list[float | None],
) -> tuple[float, float, str] | str:
    """The column's extent with "now" at its top, for bounds relative to the time the statement runs
    (``created_at > now() - interval '7 days'``); or why they cannot be placed, in words. Only a column
    that defaults to the time of insert is taken to run up to now: its newest value (the brief's max)
    is now, else its rows cover the table's time span (retention, or rows over growth) back from now."""
    name = f"{table.name.value}.{column.name.value}"
    shown = " and ".join(
        f"{column.name.value} {operator} {describe_relative(r) if r is not None else text}"
        for (operator, text, _, _), r in zip(raw, relative, strict=True)
    )
    if any(r is None for r in relative):
        return f"{shown}: a bound relative to now beside a fixed one is not placed"
    default = column.default.kind if column.default is not None else None
    if default not in (DefaultKind.CURRENT_TIMESTAMP, DefaultKind.CURRENT_DATE):
        return (
            f"{shown}: where now falls among {name}'s values is not known ({column.name.value} does not "
            "default to the time of insert)"
        )
    arrival = f"{column.name.value} defaults to the time of insert, so its newest value is now"
    extent = _extent(table, column)
    if extent is not None:
        lo, hi, how = extent
        return lo, hi, f"{how} ({arrival})"
    span = _span(table, column)
    if span is None:
        rows = f"{table.name.value}'s rows"
        return f"{shown}: the brief gives neither min/max of {name} nor the time span of {rows}"
    width, how = span
    return -width, 0.0, f"{how} back from now ({arrival})"


def _step(column: Column, lo: float, hi: float) -> float | None:
    """The distance between the column's values when they are countable: 1 for integers and dates
    (days), (max - min) / (distinct - 1) for other numbers with a distinct count in the brief (TPC-H's
    l_discount: 11 values from 0.00 to 0.10); None for continuous values."""
    if _discrete(column):
        return 1.0
    distinct = column.stats.distinct if column.stats is not None else None
    if distinct is not None and distinct >= 2 and hi > lo:
        return (hi - lo) / (distinct - 1)
    return None


def _grid_share(lo: float, hi: float, step: float, lower: _Bound | None, upper: _Bound | None) -> float:
    """Share of the values lo, lo + step, ..., hi between the bounds."""
    eps = 1e-9
    count = round((hi - lo) / step) + 1
    first, last = 0, count - 1
    if lower is not None:
        at = (lower.at - lo) / step
        first = max(first, math.ceil(at - eps) if lower.inclusive else math.floor(at + eps) + 1)
    if upper is not None:
        at = (upper.at - lo) / step
        last = min(last, math.floor(at + eps) if upper.inclusive else math.ceil(at - eps) - 1)
    return max(0, last - first + 1) / count


def range_estimate(table: Table, predicates: Sequence[Predicate]) -> RangeEstimate:
    """The share of ``table``'s rows that all the range ``predicates`` (on one column) keep together;
    its value is None, and its basis says what is missing, when the brief does not say enough (see the
    module docstring)."""
    ranges = [p for p in predicates if p.kind == PredicateKind.RANGE]
    if not ranges or len({p.column.column.key for p in ranges}) != 1:
        return RangeEstimate(None, "not one column's range filters")
    column = table.column(ranges[0].column.column)
    if column is None:
        return RangeEstimate(None, f"{ranges[0].column.column.value} is not a column of {table.name.value}")
    if not _orderable(column):
        kind = column.type.kind.value
        return RangeEstimate(None, f"{column.name.value} is {kind}: only numbers, dates, timestamps are read")
    raw: list[tuple[str, str | None, str, Predicate]] = []
    for p in ranges:
        pairs = _bound_texts(p)
        if not pairs:
            return RangeEstimate(None, f"{column.name.value} {p.operator}: not a bound the model reads")
        raw += [(operator, text, source, p) for operator, text, source in pairs]
    relative = [relative_seconds(text) for _, text, _, _ in raw]
    anchor: tuple[float, float, str] | None = None
    if any(r is not None for r in relative):
        placed = _now_extent(table, column, raw, relative)
        if isinstance(placed, str):
            return RangeEstimate(None, placed)
        anchor = placed
    lower: _Bound | None = None
    upper: _Bound | None = None
    texts: list[str] = []
    for (operator, text, source, p), offset in zip(raw, relative, strict=True):
        if offset is not None and anchor is not None:
            at: float | None = anchor[1] + (offset / _DAY if column.type.kind == TypeKind.DATE else offset)
            shown = describe_relative(offset)
        else:
            at, shown = _point(column, text), str(text)
        if at is None:
            return RangeEstimate(None, _missing(column, operator, p, text))
        bound = _Bound(at, operator.endswith("="), f"{column.name.value} {operator} {shown} ({source})")
        texts.append(bound.text)
        if operator in _LOWER:
            if lower is None or (at, not bound.inclusive) > (lower.at, not lower.inclusive):
                lower = bound
        elif upper is None or (at, bound.inclusive) < (upper.at, upper.inclusive):
            upper = bound
    discrete = _discrete(column)
    extent = anchor or _extent(table, column)
    if extent is not None:
        lo, hi, how = extent
        step = _step(column, lo, hi)
        if step is not None:
            if not discrete:
                how += f" as {column.stats.distinct:,.0f} evenly spaced values"  # type: ignore[union-attr]
            share = _grid_share(lo, hi, step, lower, upper)
        else:
            start = lo if lower is None else max(lo, lower.at)
            end = hi if upper is None else min(hi, upper.at)
            # a single value (max = min) is kept when the bounds hold it
            share = max(0.0, end - start) / (hi - lo) if hi > lo else float(start <= end)
    else:
        span = _span(table, column)
        if span is None:
            where = f"{table.name.value}.{column.name.value}"
            return RangeEstimate(None, f"the brief gives no min/max of {where}")
        if lower is None or upper is None:
            return RangeEstimate(
                None,
                f"the brief gives no min/max of {table.name.value}.{column.name.value} to place a single "
                f"bound against (its span, from {span[1]}, places only a window of two)",
            )
        width, how = span
        if discrete:
            first = lower.at + (0 if lower.inclusive else 1)
            last = upper.at - (0 if upper.inclusive else 1)
            gap = last - first + 1
        else:
            gap = upper.at - lower.at
        share = max(0.0, gap) / width
    share = min(1.0, share)
    stats = column.stats
    if stats is not None and stats.null_fraction:
        share *= 1.0 - stats.null_fraction
    return RangeEstimate(share, f"{' and '.join(texts)} over {how}: {_fmt(share)} of the rows")
