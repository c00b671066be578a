"""Synthetic data that follows a brief's statistics, loaded fast into a scratch database.

``verify`` measures a design by running its workload, and latencies only mean something on data of
the right shape: as many rows per table as the brief says (times ``scale``), as many distinct values
per column, the same share of NULLs, the same hot values at the same frequencies, and children
pointing at parents that exist. This module builds that data and nothing is guessed silently:

* Rows per table = brief rows x ``scale`` (at least 1), except that a table of at most
  :data:`SMALL_DOMAIN` rows keeps its size below scale 1 (a lookup table is a domain); a table
  without a size gets :data:`DEFAULT_ROWS` x ``scale`` and a note says so.
* Distinct counts: a small domain (at most :data:`SMALL_DOMAIN` values: statuses, ratings, countries)
  is a property of the domain and is kept; a larger one grows with the table, so it is scaled like the
  rows (at least :data:`SMALL_DOMAIN`), which keeps "rows per value" (orders per customer) as briefed.
  Columns without statistics: unique keys get one value per row, booleans and enumerations their
  values, foreign keys every parent, other columns one value per row.
* Values the workload names in an equality or IN list (``p_brand = 'Brand#23'``) are among the
  column's values (as ordinary ones, unless hot), so a statement that names one finds rows.
* Hot values get their briefed frequency; NULLs their fraction; the rest is spread evenly over the
  other values (each is used once before any repeats, so the distinct count is reached exactly).
  A column with ``correlation >= 0.5`` is generated in row order (``placed_at`` rising with ``id``),
  and a fresh row for an INSERT continues past the newest value (a new reading is the latest).
* Ranges: a column's ``min`` / ``max`` statistics place its values (dates and timestamps spread over
  the range, fractional numbers evenly from min to max, integers from min); without them dates and
  timestamps span :data:`SPAN_DAYS` from 2021-01-01. Check constraints take precedence.
* Foreign keys draw from the keys the parent table really got, so there are no orphans; a hot parent
  key in the child's statistics is drawn at its frequency.
* Primary keys and unique constraints hold: single columns get one value per row; a composite key
  whose other columns are foreign keys numbers its integer column per parent (``line_no`` 1, 2, 3);
  any other collision redraws the row (up to :data:`REDRAWS` times) and is then dropped and counted.
* Check constraints: ``col IN (...)`` gives the column's values, comparisons with literals and
  ``BETWEEN`` give its range, ``col = <expression of other columns>`` computes the column from the
  others (``total = subtotal + shipping_fee``), ``a <= b`` clamps ``a``. A row the database still
  rejects is dropped and counted (loaded in batches; a failing batch is retried row by row).

Loading: PostgreSQL ``COPY FROM STDIN`` (psycopg), MariaDB/MySQL multi-row ``INSERT`` (PyMySQL's
``executemany``), SQLite ``executemany`` in one transaction. Given the same seed the data is the same.
"""

from __future__ import annotations

import contextlib
import math
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic, UnsupportedError, redact
from dbarchitect.model.catalog import Catalog, Column, ForeignKey, Table, TableStats
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import INTEGER_MAX, TypeKind
from dbarchitect.model.workload import PredicateKind, Workload

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

#: ``progress(phase, done, total)``: phase is ``generate`` (rows) or ``replay`` (statements).
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TableLoad:
    """What one table got: rows loaded, rows dropped (key collisions or rejected by the database)."""

    table: str
    rows: int
    wanted: int
    rejected: int
    seconds: float


@dataclass(frozen=True)
class Generation:
    """Data generation as a whole: per table, total seconds (schema creation included)."""

    tables: tuple[TableLoad, ...]
    seconds: float
    schema_seconds: float
    notes: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def rejected(self) -> int:
        return sum(t.rejected for t in self.tables)

    @property
    def rows_per_second(self) -> float:
        load = self.seconds - self.schema_seconds
        return self.rows / load if load > 0 else 0.0


# ---------------------------------------------------------------------------------------------
# Sizes


def scaled_rows(table: Table, scale: float) -> tuple[int, bool]:
    """Rows ``table`` gets at ``scale``, and whether the brief gave its size. A briefed table of at
    most :data:`SMALL_DOMAIN` rows (regions, nations, statuses) is a domain rather than a volume and
    keeps its size below scale 1, as small distinct counts do: TPC-H at 1% keeps 25 nations, not 1."""
    rows = table.stats.rows if table.stats is not None and table.stats.rows is not None else None
    if rows is not None and rows <= SMALL_DOMAIN and scale < 1:
        return max(1, round(rows)), True
    base = rows if rows is not None else DEFAULT_ROWS
    return max(1, round(base * scale)), rows is not None


def scaled_distinct(distinct: float, scale: float, rows: int) -> int:
    """Distinct values a column with ``distinct`` values (at the brief's size) gets at ``scale``."""
    wanted = distinct if distinct <= SMALL_DOMAIN else max(SMALL_DOMAIN, distinct * scale)
    return max(1, min(rows, round(wanted)))


def loaded_catalog(catalog: Catalog, data: SyntheticData, scale: float) -> Catalog:
    """``catalog`` at the size the synthetic data has: each table's rows as loaded, its bytes scaled
    with them, the distinct counts the brief gives as the generator made them (scaled, and never more
    than the column's domain or its parent's rows allowed). What the brief does not say stays
    unsaid. A cost estimated on it is comparable with a latency measured on the data; one estimated
    on the brief's sizes is not (a 40M-row scan against a 40k-row table)."""
    loaded = {t.table.lower(): t.rows for t in data.generation.tables}
    for table in catalog.tables:
        rows = loaded.get(table.name.value.lower())
        if rows is None:
            rows = scaled_rows(table, scale)[0]
        gen = data.tables.get(table.name.key)

        def distinct(column: Column, briefed: float, rows: int = rows, gen: TableGen | None = gen) -> int:
            made = gen.distinct(column.name.key) if gen is not None else None
            wanted = scaled_distinct(briefed, scale, rows)
            return min(wanted, made) if made is not None else wanted

        columns = tuple(
            replace(c, stats=replace(c.stats, distinct=distinct(c, c.stats.distinct)))
            if c.stats is not None and c.stats.distinct is not None
            else c
            for c in table.columns
        )
        stats = table.stats or TableStats()
        briefed = stats.rows
        data_bytes = stats.data_bytes * rows / briefed if stats.data_bytes is not None and briefed else None
        catalog = catalog.replace_table(
            replace(table, columns=columns, stats=replace(stats, rows=float(rows), data_bytes=data_bytes))
        )
    return catalog


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


def _named_value(column: Column, text: str) -> Any:
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


# ---------------------------------------------------------------------------------------------
# Check constraints


@dataclass
class _Checks:
    """What a table's check constraints mean for generation."""

    lower: dict[str, int] = field(default_factory=dict)
    upper: dict[str, int] = field(default_factory=dict)
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: column -> expression computing it from the other columns of the row
    derived: dict[str, exp.Expr] = field(default_factory=dict)
    #: (a, op, b): clamp ``a`` so that ``a op b`` holds
    clamps: list[tuple[str, str, str]] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)


def _literal_number(node: exp.Expr) -> float | None:
    if isinstance(node, exp.Neg):
        inner = _literal_number(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Paren):
        return _literal_number(node.this)
    if isinstance(node, exp.Literal) and not node.is_string:
        return float(node.this)
    return None


_FLIP = {exp.GT: exp.LT, exp.GTE: exp.LTE, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.EQ: exp.EQ}


def _conjuncts(node: exp.Expr) -> Iterator[exp.Expr]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        yield from _conjuncts(node.left)
        yield from _conjuncts(node.right)
    else:
        yield node


def read_checks(table: Table) -> _Checks:
    """The generation rules of ``table``'s check constraints (unknown shapes are listed)."""
    out = _Checks()
    for check in table.checks:
        try:
            tree = sqlglot.parse_one(check.expression)
        except SqlglotError:
            out.not_understood.append(check.expression)
            continue
        for part in _conjuncts(tree):
            if not _read_conjunct(part, out):
                out.not_understood.append(part.sql())
    return out


def _read_conjunct(part: exp.Expr, out: _Checks) -> bool:
    if isinstance(part, exp.In) and isinstance(part.this, exp.Column):
        lits = [e for e in part.expressions if isinstance(e, exp.Literal)]
        if len(lits) == len(part.expressions) and lits:
            out.allowed[part.this.name.lower()] = tuple(lit.this for lit in lits)
            return True
        return False
    if isinstance(part, exp.Between) and isinstance(part.this, exp.Column):
        low, high = _literal_number(part.args["low"]), _literal_number(part.args["high"])
        if low is None or high is None:
            return False
        name = part.this.name.lower()
        out.lower[name], out.upper[name] = math.ceil(low), math.floor(high)
        return True
    if type(part) not in _FLIP:
        return False
    assert isinstance(part, exp.Binary)
    left, right, kind = part.left, part.right, type(part)
    if not isinstance(left, exp.Column) and isinstance(right, exp.Column):
        left, right, kind = right, left, _FLIP[kind]
    if not isinstance(left, exp.Column):
        return False
    name = left.name.lower()
    number = _literal_number(right)
    if number is not None:
        if kind in (exp.GT, exp.GTE):
            out.lower[name] = math.floor(number) + 1 if kind is exp.GT else math.ceil(number)
        elif kind in (exp.LT, exp.LTE):
            out.upper[name] = math.ceil(number) - 1 if kind is exp.LT else math.floor(number)
        else:
            out.allowed[name] = (str(number),)
        return True
    others = {c.name.lower() for c in right.find_all(exp.Column)}
    if not others or name in others:
        return False
    if kind is exp.EQ:
        out.derived[name] = right
        return True
    if isinstance(right, exp.Column) and kind in (exp.LTE, exp.GTE):
        out.clamps.append((name, "<=" if kind is exp.LTE else ">=", right.name.lower()))
        return True
    return False


def evaluate(node: exp.Expr, row: dict[str, Any]) -> Any:
    """The value of a small arithmetic expression over a row's columns (for derived columns)."""
    if isinstance(node, exp.Paren):
        return evaluate(node.this, row)
    if isinstance(node, exp.Column):
        return row.get(node.name.lower())
    if isinstance(node, exp.Literal):
        return node.this if node.is_string else Decimal(node.this)
    if isinstance(node, exp.Neg):
        value = evaluate(node.this, row)
        return None if value is None else -value
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul)):
        a, b = evaluate(node.left, row), evaluate(node.right, row)
        if a is None or b is None:
            return None
        if isinstance(a, float) or isinstance(b, float):
            a, b = float(a), float(b)
        elif (isinstance(a, int) and isinstance(b, Decimal)) or (
            isinstance(a, Decimal) and isinstance(b, int)
        ):
            a, b = Decimal(a), Decimal(b)
        if isinstance(node, exp.Add):
            return a + b
        if isinstance(node, exp.Sub):
            return a - b
        return a * b
    raise UnsupportedError(Diagnostic(f"cannot compute {node.sql()} for generated rows"))


# ---------------------------------------------------------------------------------------------
# Column generators


class ColumnGen:
    """Draws values of one column following its statistics."""

    def __init__(
        self,
        column: Column,
        rows: int,
        scale: float,
        checks: _Checks,
        *,
        unique: bool,
        sequence: bool = False,
        parent_keys: list[Any] | None = None,
        named: Sequence[str] = (),
        rng: random.Random,
    ) -> None:
        self.column = column
        self.rows = rows
        self.unique = unique
        #: numbered per combination of the key's other columns (``line_no``)
        self.sequence = sequence
        key = column.name.key
        stats = column.stats
        self.lo = checks.lower.get(key, 1 if column.type.is_integer else 0)
        hi = checks.upper.get(key)
        low, high = briefed_bounds(column)
        if column.type.is_integer or column.type.kind == TypeKind.DECIMAL:
            # a briefed range where no check gives one (checks are the law, statistics a description)
            if low is not None and key not in checks.lower:
                self.lo = math.ceil(low)
            if high is not None and hi is None and column.type.is_integer:
                hi = math.floor(high)
        self.null_fraction = (stats.null_fraction or 0.0) if stats is not None and column.nullable else 0.0
        self.fixed: list[Any] | None = None  # the universe, when it is listed (enum, IN, FK keys)
        allowed = checks.allowed.get(key)
        if parent_keys is not None:
            self.fixed = parent_keys
        elif allowed is not None:
            self.fixed = [parse_value(column, v) for v in allowed]
        elif column.type.kind == TypeKind.ENUM and column.type.values:
            self.fixed = list(column.type.values)
        elif column.type.kind == TypeKind.BOOLEAN:
            self.fixed = [False, True]
        limit = len(self.fixed) if self.fixed is not None else domain_size(column, self.lo, hi)
        if stats is not None and stats.distinct is not None and not unique:
            distinct = scaled_distinct(stats.distinct, scale, rows)
        else:
            distinct = rows
        if limit is not None:
            distinct = min(distinct, limit)
        self.distinct = max(1, distinct)
        hot = [] if unique or stats is None else list(stats.most_common)
        self.hot: list[tuple[Any, float]] = []
        for text, freq in hot:
            value = self._hot_value(text)
            if value is not None:
                self.hot.append((value, freq))
        total_hot = sum(f for _, f in self.hot)
        room = max(0.0, 1.0 - self.null_fraction)
        if total_hot > room and total_hot > 0:
            self.hot = [(v, f * room / total_hot) for v, f in self.hot]
            total_hot = room
        self.hot_cumulative: list[float] = []
        acc = self.null_fraction
        for _, f in self.hot:
            acc += f
            self.hot_cumulative.append(acc)
        hot_values = {v for v, _ in self.hot}
        self.rest_size = max(0, self.distinct - len(self.hot))
        self.step, self.origin = spacing(column, self.rest_size, low, high)
        #: values the workload names (``= 'Brand#23'``) that are not hot: ordinary values of the column
        self.named: list[Any] = []
        if not unique and not sequence:
            for text in named:
                value = _named_value(column, text)
                if value is not None and value not in hot_values and value not in self.named:
                    self.named.append(value)
        self.rest: list[Any] | None = None
        if self.fixed is not None:
            order = list(self.fixed)
            if parent_keys is not None:
                rng.shuffle(order)
            first = [v for v in order if v in self.named]  # named members of the universe are kept
            order = first + [v for v in order if v not in first]
            self.rest = [v for v in order if v not in hot_values][: self.rest_size]
            self.rest_size = len(self.rest)
            self.named = []
        elif hot_values and self.rest_size <= 200_000:
            # list the other values, skipping the hot ones (a small domain must not lose a value to them)
            rest: list[Any] = self.named[: self.rest_size]
            k = 0
            while len(rest) < self.rest_size and (limit is None or k < limit):
                value = make_value(column, k, self.lo, self.step, self.origin)
                if value not in hot_values and value not in self.named:
                    rest.append(value)
                k += 1
            self.rest = rest
            self.rest_size = len(rest)
            self.named = []
        elif column.type.is_integer:
            # an integer from lo upwards is made anyway
            self.named = [v for v in self.named if not self.lo <= v < self.lo + self.rest_size]
        self.named = self.named[: self.rest_size]
        if self.rest_size == 0 and not self.hot:
            self.rest_size = 1 if self.rest is None else 0
        self.correlated = stats is not None and stats.correlation is not None and stats.correlation >= 0.5
        # a bijection on [0, rest_size): each value once before repeats, in scrambled order
        n = max(self.rest_size, 1)
        step = 7919 if n > 7919 else 1
        while math.gcd(step, n) != 1:
            step += 1
        self.stride, self.offset = step, rng.randrange(n)
        self.used = 0
        self.maker = value_maker(column, self.lo, self.step, self.origin)
        self.randomized = bool(self.null_fraction or self.hot)
        self.hot_pairs = [
            (value, bound) for (value, _), bound in zip(self.hot, self.hot_cumulative, strict=True)
        ]

    def _hot_value(self, text: str) -> Any:
        value = parse_value(self.column, text)
        if self.fixed is not None:
            for v in self.fixed:
                if v == value or str(v) == text:
                    return v
            return None
        return value

    def value_at(self, k: int) -> Any:
        if self.rest is not None:
            return self.rest[k] if self.rest else None
        if k < len(self.named):
            return self.named[k]
        return self.maker(k)

    def draw(self, i: int, rng: random.Random) -> Any:
        """The value for row ``i`` (0-based)."""
        if self.unique:
            if self.rest is None:
                return self.maker(i)
            return self.rest[i % len(self.rest)] if self.rest else None
        if self.randomized:
            u = rng.random()
            if u < self.null_fraction:
                return None
            for value, bound in self.hot_pairs:
                if u < bound:
                    return value
        if self.rest_size == 0:
            return self.hot[-1][0] if self.hot else None
        if self.correlated:
            # in row order; a fresh row (past the loaded ones) continues past the newest value
            k = i * self.rest_size // max(self.rows, 1)
            if self.rest is not None:
                k = min(self.rest_size - 1, k)
        elif self.used < self.rest_size:
            k = (self.offset + self.used * self.stride) % self.rest_size
            self.used += 1
        else:
            k = rng.randrange(self.rest_size)
        return self.value_at(k)

    def sample(self, rng: random.Random) -> Any:
        """A value drawn from the column's distribution (for workload parameters)."""
        if self.unique:
            return self.draw(rng.randrange(self.rows), rng)
        u = rng.random()
        if u < self.null_fraction:
            u = self.null_fraction + (1 - self.null_fraction) * rng.random()
        for (value, _), bound in zip(self.hot, self.hot_cumulative, strict=True):
            if u < bound:
                return value
        if self.rest_size == 0:
            return self.hot[-1][0] if self.hot else None
        return self.value_at(rng.randrange(self.rest_size))


# ---------------------------------------------------------------------------------------------
# Tables


def _keys(table: Table) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    if table.primary_key is not None:
        keys.append(tuple(n.key for n in table.primary_key.columns))
    keys.extend(tuple(n.key for n in u.columns) for u in table.uniques)
    keys.extend(tuple(n.key for n in i.columns) for i in table.indexes if i.unique and i.where is None)
    return [k for k in keys if k]


class TableGen:
    """Rows of one table: column generators, check rules, unique keys, foreign keys."""

    def __init__(
        self,
        table: Table,
        rows: int,
        scale: float,
        parents: dict[str, TableGen],
        late: set[int],
        seed: int,
        named: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.table = table
        self.rows = rows
        self.rng = random.Random(f"{seed}:{table.name.key}")
        self.checks = read_checks(table)
        self.columns = [c for c in table.columns if c.generated is None]
        self.keys = _keys(table)
        self.notes: list[str] = []
        fk_cols: dict[str, ForeignKey] = {}
        self.fks: list[tuple[ForeignKey, TableGen | None]] = []
        for fk in table.foreign_keys:
            if id(fk) in late and not fk.ref_table.matches(table.name):
                for col in fk.columns:
                    c = table.column(col)
                    if c is not None and not c.nullable:
                        raise UnsupportedError(
                            Diagnostic(
                                f"cannot generate rows for {table.name}: its foreign key to {fk.ref_table} "
                                "is part of a cycle and not nullable",
                                hint="fill the scratch database yourself",
                            )
                        )
                self.fks.append((fk, None))
                for col in fk.columns:
                    fk_cols[col.key] = fk
                continue
            parent = self if fk.ref_table.matches(table.name) else parents.get(fk.ref_table.key)
            if parent is None and not fk.ref_table.matches(table.name):
                continue
            self.fks.append((fk, parent))
            for col in fk.columns:
                fk_cols[col.key] = fk
        self.fk_cols = fk_cols
        single_unique = {k[0] for k in self.keys if len(k) == 1}
        self.sequence: dict[str, tuple[str, ...]] = {}
        for unique_key in self.keys:
            if len(unique_key) < 2:
                continue
            free = [k for k in unique_key if k not in fk_cols]
            others = [k for k in unique_key if k in fk_cols]
            if len(free) == 1 and others:
                numbered = table.column(free[0])
                if (
                    numbered is not None
                    and numbered.type.is_integer
                    and (numbered.stats is None or not numbered.stats.distinct)
                ):
                    self.sequence[free[0]] = tuple(others)
        #: the key values each referenced column tuple got, for children to draw from
        self.ref_tuples: dict[tuple[str, ...], list[Any]] = {}
        self.gens: dict[str, ColumnGen] = {}
        self._parents = parents
        for c in self.columns:
            key = c.name.key
            if key in fk_cols:
                continue
            self.gens[key] = ColumnGen(
                c,
                rows,
                scale,
                self.checks,
                unique=key in single_unique,
                sequence=key in self.sequence,
                named=(named or {}).get(key, ()),
                rng=self.rng,
            )
        self.fk_gens: list[tuple[ForeignKey, ColumnGen | None, bool]] = []
        for fk, parent in self.fks:
            self_ref = parent is self
            if parent is None:
                self.fk_gens.append((fk, None, False))
                continue
            if self_ref:
                self.fk_gens.append((fk, None, True))
                continue
            ref = tuple(n.key for n in fk.ref_columns)
            keys = parent.ref_tuples.get(ref, [])
            first = table.column(fk.columns[0])
            assert first is not None
            values: list[Any] = [k[0] if len(k) == 1 else k for k in keys]
            if not values:
                self.notes.append(f"{table.name}: {fk.ref_table} has no rows; {first.name} left NULL")
                self.fk_gens.append((fk, None, False))
                continue
            gen = ColumnGen(
                first,
                rows,
                scale,
                _Checks(),
                unique=len(fk.columns) == 1 and fk.columns[0].key in single_unique,
                parent_keys=values,
                rng=self.rng,
            )
            self.fk_gens.append((fk, gen, False))
        self.referenced: list[tuple[str, ...]] = []
        self.seen: dict[tuple[str, ...], set[tuple[Any, ...]]] = {
            k: set() for k in self.keys if not (len(k) == 1 and k[0] in self.gens)
        }
        self.counters: dict[str, dict[tuple[Any, ...], int]] = {k: {} for k in self.sequence}
        self.made = 0
        self.plain = [(k, g) for k, g in self.gens.items() if k not in self.sequence]
        self.fk_keys = {id(fk): [c.key for c in fk.columns] for fk, _ in self.fks}
        self.column_keys = [c.name.key for c in self.columns]
        #: per numbered column, the highest number any parent got (known once loading is done)
        self.tops: dict[str, int] = {}

    def distinct(self, column: str) -> int | None:
        """How many distinct values ``column`` (a key) can hold in this data: its generator's count,
        or for a foreign key column the parent keys it draws from; None when not generated here."""
        gen = self.gens.get(column)
        if gen is not None:
            return gen.distinct
        for fk, fk_gen, _ in self.fk_gens:
            if fk_gen is not None and fk.columns and fk.columns[0].key == column:
                return fk_gen.distinct
        return None

    def track(self, ref: tuple[str, ...]) -> None:
        """Remember the values of ``ref`` columns of every row (a child table draws from them)."""
        if ref not in self.referenced:
            self.referenced.append(ref)
            self.ref_tuples[ref] = []

    def _one(self, i: int) -> dict[str, Any]:
        rng = self.rng
        row: dict[str, Any] = {key: column_gen.draw(i, rng) for key, column_gen in self.plain}
        for fk, gen, self_ref in self.fk_gens:
            cols = self.fk_keys[id(fk)]
            value: Any = None
            if self_ref:
                ref = tuple(n.key for n in fk.ref_columns)
                earlier = self.ref_tuples.get(ref, [])
                if earlier:
                    value = earlier[rng.randrange(len(earlier))]
                    value = value[0] if len(value) == 1 else value
                elif not all(self._nullable(n.key) for n in fk.columns):
                    value = tuple(row.get(n.key) for n in fk.ref_columns)
                    value = value[0] if len(value) == 1 else value
                col = self.table.column(fk.columns[0])
                nf = col.stats.null_fraction if col is not None and col.stats is not None else None
                if nf and col is not None and col.nullable and rng.random() < nf:
                    value = None
            elif gen is not None:
                value = gen.draw(i, rng)
            if len(cols) == 1:
                row[cols[0]] = value
            else:
                for position, name in enumerate(cols):
                    row[name] = None if value is None else value[position]
        for key, others in self.sequence.items():
            group = tuple(row.get(o) for o in others)
            counter = self.counters[key]
            n = counter.get(group, 0)
            counter[group] = n + 1
            row[key] = self.gens[key].lo + n
        for key, expr in self.checks.derived.items():
            row[key] = evaluate(expr, row)
        for a, op, b in self.checks.clamps:
            va, vb = row.get(a), row.get(b)
            if va is not None and vb is not None and ((op == "<=" and va > vb) or (op == ">=" and va < vb)):
                row[a] = vb
        return row

    def _nullable(self, key: str) -> bool:
        column = self.table.column(key)
        return column is None or column.nullable

    def make_row(self, i: int) -> list[Any] | None:
        """Row ``i`` as values in :attr:`columns` order, or None when its keys could not be made unique."""
        for _ in range(REDRAWS):
            row = self._one(i)
            taken = False
            for key, seen in self.seen.items():
                value = tuple(row.get(k) for k in key)
                if None not in value and value in seen:
                    taken = True
                    break
            if taken:
                continue
            for key, seen in self.seen.items():
                value = tuple(row.get(k) for k in key)
                if None not in value:
                    seen.add(value)
            for ref in self.referenced:
                values = tuple(row.get(k) for k in ref)
                if None not in values:
                    self.ref_tuples[ref].append(values)
            self.made += 1
            return [row.get(k) for k in self.column_keys]
        return None

    def forget(self, values: list[Any]) -> None:
        """A row the database refused: children must not reference it."""
        row = {c.name.key: v for c, v in zip(self.columns, values, strict=True)}
        for ref in self.referenced:
            key = tuple(row.get(k) for k in ref)
            with contextlib.suppress(ValueError):
                self.ref_tuples[ref].remove(key)
        self.made -= 1

    def sample(self, column: str, rng: random.Random) -> Any:
        """A value of ``column`` drawn from its distribution, for a workload parameter."""
        gen = self.gens.get(column)
        if gen is not None:
            if column in self.sequence:
                return gen.lo + rng.randrange(3)
            return gen.sample(rng)
        for fk, fk_gen, _ in self.fk_gens:
            cols = [c.key for c in fk.columns]
            if column in cols:
                if fk_gen is None:
                    return None
                value = fk_gen.sample(rng)
                return value[cols.index(column)] if len(cols) > 1 else value
        return None

    def fresh_row(self, j: int) -> dict[str, Any]:
        """A new row (for INSERT parameters): unique columns take values past the loaded ones."""
        i = self.rows + j
        row = self._one(i)
        for key in self.sequence:
            # past every number a parent has; each replayed write is rolled back, so values may repeat
            top = self.tops.get(key)
            if top is None:
                top = self.tops[key] = max(self.counters[key].values(), default=0)
            row[key] = self.gens[key].lo + top + j % 1000
        return row


# ---------------------------------------------------------------------------------------------
# Loading


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date,)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _mysql_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def adapt_row(family: EngineName, row: Sequence[Any]) -> list[Any]:
    """Values as the driver of ``family`` takes them."""
    if family == EngineName.SQLITE:
        return [_sqlite_value(v) for v in row]
    if family in (EngineName.MYSQL, EngineName.MARIADB):
        return [_mysql_value(v) for v in row]
    return list(row)


class Loader:
    """Writes rows into one scratch database; subclasses per driver."""

    family: EngineName
    conn: Any

    def __init__(self, conn: Any, traits: EngineTraits) -> None:
        self.conn = conn
        self.traits = traits

    def execute_script(self, sql: str) -> None:
        raise NotImplementedError

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        cur = self.conn.cursor()
        try:
            cur.execute(sql, params) if params is not None else cur.execute(sql)
        finally:
            cur.close()

    def insert_sql(self, table: Table, columns: Sequence[Column], mark: str = "%s") -> str:
        q = self.traits.quote
        names = ", ".join(q(c.name) for c in columns)
        return f"INSERT INTO {q(table.name)} ({names}) VALUES ({', '.join([mark] * len(columns))})"

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        raise NotImplementedError

    def one(self, table: Table, columns: Sequence[Column], row: list[Any]) -> None:
        self.execute(self.insert_sql(table, columns), row)

    def load(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> list[int]:
        """Load a batch; on a constraint error retry it row by row. Returns the rejected rows' positions."""
        self.execute("SAVEPOINT dbarch_batch")
        try:
            self.bulk(table, columns, rows)
        except Exception:  # the driver's integrity error: find the rows at fault one by one
            self.execute("ROLLBACK TO SAVEPOINT dbarch_batch")
        else:
            self.execute("RELEASE SAVEPOINT dbarch_batch")
            return []
        rejected: list[int] = []
        for n, row in enumerate(rows):
            self.execute("SAVEPOINT dbarch_row")
            try:
                self.one(table, columns, row)
            except Exception:  # a row the database rejects is counted, not fatal
                self.execute("ROLLBACK TO SAVEPOINT dbarch_row")
                rejected.append(n)
            else:
                self.execute("RELEASE SAVEPOINT dbarch_row")
        self.execute("RELEASE SAVEPOINT dbarch_batch")
        return rejected

    def after_load(self, table: Table, columns: Sequence[Column]) -> None:
        """Engine housekeeping after a table is loaded (sequence positions)."""


class SqliteLoader(Loader):
    family = EngineName.SQLITE

    def execute_script(self, sql: str) -> None:
        self.conn.executescript(sql)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.conn.execute(sql, params or ())

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        self.conn.executemany(self.insert_sql(table, columns, "?"), rows)

    def one(self, table: Table, columns: Sequence[Column], row: list[Any]) -> None:
        self.conn.execute(self.insert_sql(table, columns, "?"), row)


class PostgresLoader(Loader):
    family = EngineName.POSTGRESQL

    def execute_script(self, sql: str) -> None:
        self.execute(sql)

    def insert_sql(self, table: Table, columns: Sequence[Column], mark: str = "%s") -> str:
        sql = super().insert_sql(table, columns, mark)
        if any(c.identity for c in columns):
            sql = sql.replace(") VALUES (", ") OVERRIDING SYSTEM VALUE VALUES (", 1)
        return sql

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        q = self.traits.quote
        names = ", ".join(q(c.name) for c in columns)
        with self.conn.cursor() as cur, cur.copy(f"COPY {q(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def after_load(self, table: Table, columns: Sequence[Column]) -> None:
        q = self.traits.quote
        for c in columns:
            if not c.identity:
                continue
            self.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f"COALESCE((SELECT max({q(c.name)}) FROM {q(table.name)}), 0) + 1, false)",
                [q(table.name), c.name.value],
            )


class MysqlLoader(Loader):
    family = EngineName.MARIADB

    def execute_script(self, sql: str) -> None:
        cur = self.conn.cursor()
        try:
            cur.execute(sql)
            while cur.nextset():
                pass
        finally:
            cur.close()

    def begin(self) -> None:
        self.conn.begin()

    def commit(self) -> None:
        self.conn.commit()

    def insert_sql(self, table: Table, columns: Sequence[Column], mark: str = "%s") -> str:
        return super().insert_sql(table, columns, mark).replace(" VALUES (", " VALUES(", 1)

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        cur = self.conn.cursor()
        try:
            cur.executemany(self.insert_sql(table, columns), rows)
        finally:
            cur.close()


@dataclass
class SyntheticData:
    """The generators after loading: replay draws parameters from the same distributions."""

    tables: dict[str, TableGen]
    generation: Generation


def _fill_order(catalog: Catalog) -> tuple[list[Table], set[int]]:
    ordered = list(catalog.dependency_order())
    late = {id(fk) for _, fk in catalog.cyclic_foreign_keys()}
    return ordered, late


def generate(
    catalog: Catalog,
    loader: Loader,
    *,
    scale: float,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    named: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> SyntheticData:
    """Create ``catalog``'s schema through ``loader`` and fill every table (see the module docstring).
    ``named`` maps (table key, column key) to literal values the data must hold
    (:func:`workload_values`)."""
    if scale <= 0:
        raise DbarchError(Diagnostic(f"scale must be positive, not {scale}", field="--scale"))
    started = time.perf_counter()
    try:
        loader.execute_script(render_schema(catalog, loader.traits))
    except Exception as exc:  # the driver's error: the design does not run on this engine
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        why = redact(lines[0] if lines else type(exc).__name__)
        raise DbarchError(
            Diagnostic(
                f"the schema does not run on {loader.traits}: {why}",
                hint="run `dbarch design` to see the schema rendered for this engine and its notes",
            )
        ) from None
    schema_seconds = time.perf_counter() - started
    ordered, late = _fill_order(catalog)
    notes: list[str] = []
    sizes: dict[str, int] = {}
    for table in ordered:
        rows, briefed = scaled_rows(table, scale)
        sizes[table.name.key] = rows
        if not briefed:
            notes.append(f"{table.name}: no row count in the brief; generated {rows} rows")
    total = sum(sizes.values())
    # which column tuples of each table are referenced by a foreign key
    referenced: dict[str, list[tuple[str, ...]]] = {}
    for table in catalog.tables:
        for fk in table.foreign_keys:
            referenced.setdefault(fk.ref_table.key, []).append(tuple(n.key for n in fk.ref_columns))
    gens: dict[str, TableGen] = {}
    loads: list[TableLoad] = []
    done = 0
    for table in ordered:
        t0 = time.perf_counter()
        mine = {c: v for (t, c), v in (named or {}).items() if t == table.name.key}
        gen = TableGen(table, sizes[table.name.key], scale, gens, late, seed, mine)
        for ref in referenced.get(table.name.key, []):
            gen.track(ref)
        for c in gen.columns:
            gen_c = gen.gens.get(c.name.key)
            if gen_c is not None and c.stats is not None and c.stats.most_common and gen_c.fixed is not None:
                missing = [v for v, _ in c.stats.most_common if gen_c._hot_value(v) is None]
                if missing:
                    notes.append(
                        f"{table.name}.{c.name}: hot value(s) {', '.join(missing)} not among its values"
                    )
        notes.extend(gen.notes)
        rejected = 0
        loader.begin()
        batch: list[list[Any]] = []
        raw: list[list[Any]] = []
        for i in range(gen.rows):
            row = gen.make_row(i)
            if row is None:
                rejected += 1
            else:
                raw.append(row)
                batch.append(adapt_row(loader.family, row))
            if len(batch) >= BATCH_ROWS or (i == gen.rows - 1 and batch):
                refused = loader.load(table, gen.columns, batch)
                rejected += len(refused)
                for n in refused:
                    gen.forget(raw[n])
                batch, raw = [], []
            done += 1
            if progress is not None and done % BATCH_ROWS == 0:
                progress("generate", done, total)
        loader.after_load(table, gen.columns)
        loader.commit()
        gens[table.name.key] = gen
        loads.append(
            TableLoad(table.name.value, gen.rows - rejected, gen.rows, rejected, time.perf_counter() - t0)
        )
        if rejected:
            notes.append(f"{table.name}: {rejected} generated row(s) dropped (unique keys or checks)")
    if progress is not None:
        progress("generate", total, total)
    for table in catalog.tables:
        for text in read_checks(table).not_understood:
            notes.append(f"{table.name}: check ({text}) is not used to shape the data; violations dropped")
    generation = Generation(tuple(loads), time.perf_counter() - started, schema_seconds, tuple(notes))
    return SyntheticData(gens, generation)
