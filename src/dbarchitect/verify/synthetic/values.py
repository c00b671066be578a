"""Values of a column's type: the k-th distinct value, spacing over a briefed range, the literals
the workload names, the brief's hot values and bounds parsed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from dbarchitect.errors import DbarchError, Diagnostic, UnsupportedError
from dbarchitect.model.catalog import Column, Table
from dbarchitect.model.types import INTEGER_MAX, TypeKind
from dbarchitect.model.workload import PredicateKind, Workload
from dbarchitect.verify.synthetic.native_values import native_domain_size, native_value

#: Rows a table gets (before scaling) when the brief gives no size.
DEFAULT_ROWS = 1000
#: Distinct counts up to this are a property of the domain and are not scaled.
SMALL_DOMAIN = 1000
#: Tries to find a row whose unique keys are free before the row is dropped.
REDRAWS = 10
#: Rows per load batch (and per progress report).
BATCH_ROWS = 5000
#: Time span timestamps and dates are spread over.
SPAN_DAYS = 3 * 365

_BASE_DAY = date(2021, 1, 1)
_BASE_TIME = datetime(2021, 1, 1)
_BASE_TIME_TZ = datetime(2021, 1, 1, tzinfo=UTC)
_FILLER = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt "
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


# ---------------------------------------------------------------------------------------------
# Sizes


def scaled_rows(table: Table, scale: float) -> tuple[int, bool]:
    """Rows ``table`` gets at ``scale``, and whether the brief gave its size. A briefed table of at
    most :data:`SMALL_DOMAIN` rows (regions, nations, statuses) is a domain rather than a volume and
    keeps its size below scale 1, as small distinct counts do: TPC-H at 1% keeps 25 nations, not 1.
    A table the brief says is empty (``rows: 0``) stays empty; any other keeps at least one row."""
    rows = table.stats.rows if table.stats is not None and table.stats.rows is not None else None
    if rows is not None and rows <= 0:
        return 0, True
    if rows is not None and rows <= SMALL_DOMAIN and scale < 1:
        return max(1, round(rows)), True
    base = rows if rows is not None else DEFAULT_ROWS
    return max(1, round(base * scale)), rows is not None


def scaled_distinct(distinct: float, scale: float, rows: int) -> int:
    """Distinct values a column with ``distinct`` values (at the brief's size) gets at ``scale``."""
    wanted = distinct if distinct <= SMALL_DOMAIN else max(SMALL_DOMAIN, distinct * scale)
    return max(1, min(rows, round(wanted)))


# ---------------------------------------------------------------------------------------------
# Values


def _b36(k: int, width: int) -> str:
    out = ""
    while k:
        k, r = divmod(k, 36)
        out = _B36[r] + out
    return out.rjust(width, "0")[-width:] if width else out or "0"


def _pad(text: str, width: float | None, limit: int | None) -> str:
    if width is not None and len(text) < width:
        reps = int(width) // len(_FILLER) + 1
        text = (text + " " + _FILLER * reps)[: int(width)]
    return text[:limit] if limit is not None else text


def domain_size(column: Column, lo: int, hi: int | None) -> int | None:
    """How many distinct values ``column``'s type can take at all (None: practically unbounded)."""
    t = column.type
    if t.kind == TypeKind.BOOLEAN:
        return 2
    if t.kind == TypeKind.ENUM:
        return len(t.values) or None
    if t.is_integer:
        top = INTEGER_MAX[t.kind] if hi is None else min(hi, INTEGER_MAX[t.kind])
        return max(0, top - lo + 1)
    if t.kind == TypeKind.CHAR and t.length is not None and t.length < 6:
        return int(36**t.length)
    if t.kind in (TypeKind.VARCHAR, TypeKind.BINARY) and t.length is not None and t.length < 6:
        return sum(int(36**n) for n in range(1, t.length + 1))
    if t.kind == TypeKind.NATIVE:
        return native_domain_size(t)
    return None


def make_value(column: Column, k: int, lo: int, step: int = 1, origin: Any = None) -> Any:
    """The ``k``-th (0-based) distinct value of ``column``'s type: distinct ``k`` give distinct values.
    Timestamps are ``step`` seconds apart (dates ``step`` days) from ``origin`` (default 2021-01-01),
    so any count spans the same years; a fractional number with an ``origin`` is ``origin + k x step``."""
    t = column.type
    kind = t.kind
    width = column.stats.avg_width if column.stats is not None else None
    if kind == TypeKind.BOOLEAN:
        return k % 2 == 1
    if kind in (TypeKind.SMALLINT, TypeKind.INTEGER, TypeKind.BIGINT):
        return lo + k
    if kind == TypeKind.DECIMAL and origin is not None:
        places = Decimal(1).scaleb(-(t.scale or 0))
        return (Decimal(origin) + Decimal(step) * k).quantize(places)
    if kind in (TypeKind.REAL, TypeKind.DOUBLE) and origin is not None:
        return float(origin) + float(step) * k
    if kind == TypeKind.DECIMAL:
        scale = t.scale if t.scale is not None else 0
        digits = max((t.precision or 18) - scale, 1)
        whole = Decimal((lo + k) % (10**digits))
        # quarters: exact in binary floating point too, so a check like ``total = subtotal + fee``
        # holds on engines that store decimals as floats (SQLite)
        return whole + (Decimal((k * 3) % 4) / 4 if scale >= 2 else Decimal(0))
    if kind in (TypeKind.REAL, TypeKind.DOUBLE):
        return lo + k * 0.5
    if kind == TypeKind.ENUM:
        return t.values[k % len(t.values)]
    if kind == TypeKind.CHAR:
        length = t.length or 1
        return _b36(k, length) if length < 12 else _pad(f"{column.name.value}-{k}", length, length)
    if kind in (TypeKind.VARCHAR, TypeKind.TEXT):
        limit = t.length if kind == TypeKind.VARCHAR else None
        text = f"{column.name.value}-{k}"
        if limit is not None and len(text) > limit:
            text = _b36(k, 0)
        return _pad(text, width, limit)
    if kind == TypeKind.BINARY:
        return k.to_bytes(max(1, (k.bit_length() + 7) // 8), "big")
    if kind == TypeKind.DATE:
        return (origin or _BASE_DAY) + timedelta(days=(k * step) % 20_000)
    if kind == TypeKind.TIME:
        return (_BASE_TIME + timedelta(seconds=k % 86_400)).time()
    if kind == TypeKind.TIMESTAMP:
        return (origin or _BASE_TIME) + timedelta(seconds=k * step)
    if kind == TypeKind.TIMESTAMPTZ:
        return (origin or _BASE_TIME_TZ) + timedelta(seconds=k * step)
    if kind == TypeKind.INTERVAL:
        return timedelta(seconds=k)
    if kind == TypeKind.UUID:
        return str(uuid.UUID(int=(k * 0x9E3779B97F4A7C15 + 1) % 2**128))
    if kind == TypeKind.JSON:
        base = f'{{"k": {k}'
        if width is not None and width > len(base) + 12:
            return base + ', "pad": "' + _FILLER[: int(width) - len(base) - 12].strip() + '"}'
        return base + "}"
    if kind == TypeKind.NATIVE:
        made = native_value(t, k)
        if made is not None:
            return made
    raise UnsupportedError(
        Diagnostic(
            f"cannot generate values for column {column.name} of type {t}",
            hint="make the column nullable for the verification, or fill the scratch database yourself",
        )
    )


def value_maker(column: Column, lo: int, step: int = 1, origin: Any = None) -> Callable[[int], Any]:
    """:func:`make_value` for one column as a function of ``k`` (the common kinds without dispatch:
    generation calls it once per row and column)."""
    t = column.type
    width = column.stats.avg_width if column.stats is not None else None
    if t.is_integer:
        return lambda k: lo + k
    if t.kind == TypeKind.TIMESTAMPTZ:
        start_tz = origin or _BASE_TIME_TZ
        return lambda k: start_tz + timedelta(seconds=k * step)
    if t.kind == TypeKind.TIMESTAMP:
        start = origin or _BASE_TIME
        return lambda k: start + timedelta(seconds=k * step)
    if t.kind in (TypeKind.VARCHAR, TypeKind.TEXT) and width is None:
        prefix = f"{column.name.value}-"
        limit = t.length if t.kind == TypeKind.VARCHAR else None
        if limit is None or limit >= len(prefix) + 12:
            return lambda k: f"{prefix}{k}"
    return lambda k: make_value(column, k, lo, step, origin)


def spacing(column: Column, n_values: int, low: Any, high: Any) -> tuple[Any, Any]:
    """``(step, origin)`` for ``n_values`` distinct values of ``column`` between the briefed ``low``
    and ``high`` (either may be None): dates ``step`` days apart, timestamps ``step`` seconds apart,
    both from ``origin`` (None: 2021-01-01) over the briefed range or else :data:`SPAN_DAYS`; fractional
    numbers with both bounds evenly spread from ``low`` to ``high``; anything else one apart."""
    kind = column.type.kind
    n = max(n_values, 1)
    if kind == TypeKind.DATE:
        span = (high - low).days if low is not None and high is not None else SPAN_DAYS
        origin = low if low is not None else (high - timedelta(days=SPAN_DAYS) if high is not None else None)
        return max(1, span // n), origin
    if kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ):
        if low is not None and high is not None:
            span = int((high - low).total_seconds())
        else:
            span = SPAN_DAYS * 86_400
        origin = low if low is not None else (high - timedelta(seconds=span) if high is not None else None)
        return max(1, span // n), origin
    if kind == TypeKind.DECIMAL and low is not None and high is not None:
        return (Decimal(high) - Decimal(low)) / max(n - 1, 1), Decimal(low)
    if kind in (TypeKind.REAL, TypeKind.DOUBLE) and low is not None and high is not None:
        return (float(high) - float(low)) / max(n - 1, 1), float(low)
    return 1, None


def named_value(column: Column, text: str) -> Any:
    """A literal's SQL text from the workload (``'Brand#23'``, ``15``, ``TRUE``) as a value of
    ``column``'s type; None when it is not one (a generated column never holds it then)."""
    value = text.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1].replace("''", "'")
    try:
        parsed = parse_value(column, value)
    except DbarchError:
        return None
    kind = column.type.kind
    if kind in (TypeKind.CHAR, TypeKind.VARCHAR) and column.type.length and len(value) > column.type.length:
        return None
    if kind in (TypeKind.BOOLEAN, TypeKind.ENUM, TypeKind.JSON, TypeKind.BINARY, TypeKind.ARRAY):
        return None  # booleans and enumerations have every value already; the others are not compared
    return parsed


def workload_values(workload: Workload) -> dict[tuple[str, str], tuple[str, ...]]:
    """Literal values the workload compares columns with (``p_brand = 'Brand#23'``, ``l_shipmode IN
    ('MAIL', 'SHIP')``), by (table key, column key), in first-seen order: the data holds each of them
    as an ordinary value of its column, so a statement that names one finds rows, as it would in
    production."""
    out: dict[tuple[str, str], list[str]] = {}
    for statement in workload.statements:
        for access in statement.tables:
            for p in access.predicates:
                if p.kind == PredicateKind.IN:
                    texts: tuple[str, ...] = p.in_values
                elif p.kind in (PredicateKind.EQ, PredicateKind.NOT_EQ) and p.value not in (None, "?"):
                    texts = (p.value or "",)
                else:
                    continue
                key = (p.column.table.key, p.column.column.key)
                seen = out.setdefault(key, [])
                seen.extend(t for t in texts if t not in seen)
    return {k: tuple(v) for k, v in out.items()}


def briefed_bounds(column: Column) -> tuple[Any, Any]:
    """The column's ``min`` and ``max`` statistics as values of its type (None when not given)."""
    stats = column.stats
    if stats is None:
        return None, None
    return tuple(  # type: ignore[return-value]
        None if text is None else parse_value(column, str(text), what="bound")
        for text in (stats.minimum, stats.maximum)
    )


def parse_value(column: Column, text: str, *, what: str = "hot value") -> Any:
    """A hot value's (or a bound's) text from the brief as a value of ``column``'s type."""
    kind = column.type.kind
    try:
        if kind == TypeKind.BOOLEAN:
            return text.strip().lower() in ("true", "t", "1", "yes", "y")
        if column.type.is_integer:
            return int(text)
        if kind == TypeKind.DECIMAL:
            return Decimal(text)
        if kind in (TypeKind.REAL, TypeKind.DOUBLE):
            return float(text)
        if kind == TypeKind.DATE:
            return date.fromisoformat(text)
        if kind == TypeKind.TIMESTAMP:
            return datetime.fromisoformat(text).replace(tzinfo=None)
        if kind == TypeKind.TIMESTAMPTZ:
            value = datetime.fromisoformat(text)
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    except (ValueError, InvalidOperation):
        raise DbarchError(
            Diagnostic(
                f"{what} {text!r} of column {column.name} is not a {column.type}",
                hint=f"write {what}s as the column's literals",
            )
        ) from None
    return text
