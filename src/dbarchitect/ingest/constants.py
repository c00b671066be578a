"""The value of a constant expression a statement compares a column with, folded to a literal's text:
arithmetic on number literals (``0.06 - 0.01`` -> ``0.05``) and a date or timestamp literal moved by an
interval literal (``date '1994-01-01' + interval '1' year`` -> ``1995-01-01``; MySQL's ``DATE_ADD`` /
``DATE_SUB`` too). The time the statement runs moved by an interval (``now() - interval '7 days'``,
``CURRENT_DATE - 30``, MySQL's ``NOW() - INTERVAL 1 HOUR`` and ``DATE_SUB(NOW(), ...)``, SQLite's
``datetime('now', '-7 days')``) folds to a bound relative to now (:func:`relative_text`: months count
30.44 days, years 365.25); ``CURRENT_DATE`` counts as now, less than a day off. Anything else (a
function, a column, a parameter) is not folded: None.

Calendar arithmetic is PostgreSQL's: months and years keep the day of the month, clamped to the month's
last day (``'2024-01-31' + interval '1 month'`` is ``2024-02-29``); a date plus whole days stays a date,
plus a time unit becomes a timestamp.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlglot import exp

from dbarchitect.model.intervals import relative_text

#: Interval units: (months, seconds) of one, the names a date literal's fold reads, and the further
#: abbreviations PostgreSQL and MySQL accept that the fold relative to now reads too.
_UNIT_TABLE: tuple[tuple[int, float, tuple[str, ...], tuple[str, ...]], ...] = (
    (12, 0.0, ("YEAR", "YEARS"), ("Y", "YR", "YRS")),
    (3, 0.0, ("QUARTER", "QUARTERS"), ()),
    (1, 0.0, ("MONTH", "MONTHS"), ("MON", "MONS")),
    (0, 7 * 86400.0, ("WEEK", "WEEKS"), ("W",)),
    (0, 86400.0, ("DAY", "DAYS"), ("D",)),
    (0, 3600.0, ("HOUR", "HOURS"), ("H", "HR", "HRS")),
    (0, 60.0, ("MINUTE", "MINUTES"), ("M", "MIN", "MINS")),
    (0, 1.0, ("SECOND", "SECONDS"), ("S", "SEC", "SECS")),
    (0, 0.001, (), ("MS", "MSEC", "MSECS", "MILLISECOND", "MILLISECONDS")),
)
_CALENDAR_UNITS = {name: (months, seconds) for months, seconds, names, _ in _UNIT_TABLE for name in names}
_UNITS = {name: (months, seconds) for months, seconds, names, more in _UNIT_TABLE for name in (*names, *more)}
_MONTH_DAYS = 30.44
_YEAR_DAYS = 365.25
#: What the time a statement runs is called (sqlglot's nodes, and functions it leaves anonymous).
_NOW_NODES = (
    exp.CurrentTimestamp,
    exp.CurrentDate,
    exp.CurrentDatetime,
    exp.Localtimestamp,
    exp.UtcTimestamp,
)
_NOW_FUNCTIONS = frozenset(
    {
        "NOW",
        "STATEMENT_TIMESTAMP",
        "TRANSACTION_TIMESTAMP",
        "CLOCK_TIMESTAMP",
        "SYSDATE",
        "CURDATE",
        "GETDATE",
    }
)
_TIME_TYPES = (exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ)


def _unparen(node: exp.Expr) -> exp.Expr:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _number(node: exp.Expr) -> Decimal | None:
    node = _unparen(node)
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return Decimal(str(node.this))
        except InvalidOperation:
            return None
    if isinstance(node, exp.Neg):
        inner = _number(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Add | exp.Sub | exp.Mul | exp.Div):
        left, right = _number(node.this), _number(node.expression)
        if left is None or right is None:
            return None
        if isinstance(node, exp.Add):
            return left + right
        if isinstance(node, exp.Sub):
            return left - right
        if isinstance(node, exp.Mul):
            return left * right
        return left / right if right != 0 else None
    return None


def _instant(node: exp.Expr) -> date | datetime | None:
    """A date (``date '...'``, ``'...'::date``) or timestamp literal."""
    node = _unparen(node)
    if isinstance(node, exp.Cast) and isinstance(node.this, exp.Literal) and node.this.is_string:
        kind = node.to.this if isinstance(node.to, exp.DataType) else None
        if kind not in _TIME_TYPES:
            return None
        text = str(node.this.this).strip()
        try:
            if kind == exp.DataType.Type.DATE:
                return date.fromisoformat(text[:10])
            return datetime.fromisoformat(text)
        except ValueError:
            return None
    if isinstance(node, exp.Literal) and node.is_string:  # MySQL's DATE_ADD('1994-01-01', ...)
        text = str(node.this).strip()
        try:
            return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            return None
    return None


def _interval(node: exp.Expr) -> tuple[int, float] | None:
    """(months, seconds) of an interval literal with one unit."""
    node = _unparen(node)
    if not isinstance(node, exp.Interval):
        return None
    amount = node.this
    unit = node.args.get("unit")
    if not isinstance(amount, exp.Literal) or unit is None:
        return None
    try:
        n = float(str(amount.this))
    except ValueError:
        return None
    found = _CALENDAR_UNITS.get(unit.name.upper())
    if found is None:
        return None
    months, seconds = found
    if months:
        return (int(n * months), 0.0) if n.is_integer() else None
    return 0, n * seconds


def _add_months(value: date | datetime, months: int) -> date | datetime:
    total = value.month - 1 + months
    year, month = value.year + total // 12, total % 12 + 1
    return value.replace(year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1]))


def _moved(value: date | datetime, interval: tuple[int, float], sign: int) -> date | datetime:
    months, seconds = interval
    moved = _add_months(value, sign * months) if months else value
    if not seconds:
        return moved
    if isinstance(moved, datetime) or seconds % 86400:
        start = moved if isinstance(moved, datetime) else datetime(moved.year, moved.month, moved.day)
        return start + timedelta(seconds=sign * seconds)
    return moved + timedelta(days=sign * seconds / 86400)


def _time_text(value: date | datetime) -> str:
    return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()


def _is_now(node: exp.Expr) -> bool:
    node = _unparen(node)
    while isinstance(node, exp.Cast | exp.AtTimeZone):  # now()::date, now() AT TIME ZONE 'utc'
        node = _unparen(node.this)
    if isinstance(node, _NOW_NODES):
        return not node.this and not node.args.get("zone")
    return (
        isinstance(node, exp.Anonymous) and str(node.this).upper() in _NOW_FUNCTIONS and not node.expressions
    )


def _span_seconds(text: str) -> float | None:
    """Seconds in an interval's text: ``7 days``, ``1 day 2 hours``, ``-30 min``, ``1 month`` (30.44 days)."""
    parts = text.strip().split()
    if not parts or len(parts) % 2:
        return None
    total = 0.0
    for amount, unit in zip(parts[::2], parts[1::2], strict=True):
        try:
            n = float(amount)
        except ValueError:
            return None
        found = _UNITS.get(unit.upper())
        if found is None:
            return None
        months, seconds = found
        month_days = _YEAR_DAYS / 12 if months % 12 == 0 else _MONTH_DAYS
        total += n * (months * month_days * 86400 if months else seconds)
    return total


def _interval_seconds(node: exp.Expr, *, days_for_numbers: bool) -> float | None:
    """Seconds in an interval expression: ``interval '7' day``, ``interval '7 days'``,
    ``'7 days'::interval``, or (``days_for_numbers``: date arithmetic) a plain number of days."""
    node = _unparen(node)
    if isinstance(node, exp.Interval):
        amount, unit = node.this, node.args.get("unit")
        if not isinstance(amount, exp.Literal):
            return None
        text = str(amount.this) if unit is None else f"{amount.this} {unit.name}"
        return _span_seconds(text)
    if isinstance(node, exp.Cast) and isinstance(node.to, exp.DataType):
        if node.to.this == exp.DataType.Type.INTERVAL and isinstance(node.this, exp.Literal):
            return _span_seconds(str(node.this.this))
        return None
    if days_for_numbers:
        number = _number(node)
        return float(number) * 86400.0 if number is not None else None
    return None


def _relative(node: exp.Expr) -> str | None:
    """The folded text of now moved by an interval (see the module docstring), or None."""
    if _is_now(node):
        return relative_text(0)
    if isinstance(node, exp.Add | exp.Sub):
        sign = 1 if isinstance(node, exp.Add) else -1
        start, moved = node.this, node.expression
        if not _is_now(start) and sign == 1:  # interval '1 day' + now()
            start, moved = moved, start
        if _is_now(start):
            days = isinstance(_unparen(start), exp.CurrentDate) or (
                isinstance(_unparen(start), exp.Anonymous) and str(_unparen(start).this).upper() == "CURDATE"
            )
            seconds = _interval_seconds(moved, days_for_numbers=days)
            return relative_text(sign * seconds) if seconds is not None else None
    if isinstance(node, exp.DateAdd | exp.DateSub) and _is_now(node.this):
        amount, unit = node.expression, node.args.get("unit")
        if isinstance(amount, exp.Literal) and unit is not None:
            seconds = _span_seconds(f"{amount.this} {unit.name}")
            if seconds is not None:
                return relative_text(seconds if isinstance(node, exp.DateAdd) else -seconds)
    if isinstance(node, exp.Anonymous) and str(node.this).upper() in ("DATETIME", "DATE"):
        args = node.expressions  # SQLite: datetime('now', '-7 days', ...)
        if args and isinstance(args[0], exp.Literal) and str(args[0].this).lower() == "now":
            total = 0.0
            for arg in args[1:]:
                seconds = _span_seconds(str(arg.this)) if isinstance(arg, exp.Literal) else None
                if seconds is None:
                    return None
                total += seconds
            return relative_text(total)
    return None


def folded_text(node: exp.Expr) -> str | None:
    """The literal text of a constant expression (see the module docstring), or None."""
    node = _unparen(node)
    relative = _relative(node)
    if relative is not None:
        return relative
    if isinstance(node, exp.Add | exp.Sub):
        sign = 1 if isinstance(node, exp.Add) else -1
        start, interval = _instant(node.this), _interval(node.expression)
        if start is None and sign == 1:  # interval '1' day + date '...'
            start, interval = _instant(node.expression), _interval(node.this)
        if start is not None and interval is not None:
            return _time_text(_moved(start, interval, sign))
    if isinstance(node, exp.DateAdd | exp.DateSub):
        start = _instant(node.this)
        amount = node.expression
        unit = node.args.get("unit")
        if start is not None and isinstance(amount, exp.Literal) and unit is not None:
            interval = _interval(exp.Interval(this=exp.Literal.string(str(amount.this)), unit=unit))
            if interval is not None:
                return _time_text(_moved(start, interval, 1 if isinstance(node, exp.DateAdd) else -1))
    number = _number(node)
    if number is not None and not isinstance(node, exp.Literal):
        return format(number.normalize(), "f")
    return None
