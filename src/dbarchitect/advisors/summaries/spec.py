"""What a summary table for one statement must hold: its keys, its measures, the rows it covers, and
how the statement reads it back.

A statement can be served by a summary when it is one SELECT that aggregates one *fact* table, joined
(INNER, along NOT NULL foreign keys, so no fact row is lost or repeated) to *dimension* tables it
reads columns of, grouped by columns or deterministic expressions of them (``CAST(placed_at AS
date)``), with aggregates that can be added up: ``count(*)``, ``count(x)``, ``sum(x)``, ``avg(x)``
(kept as a sum and a count), ``min(x)`` and ``max(x)`` (recomputed for the groups a delete touches).

Its WHERE conditions sort into:

- **filters** without parameters (``status NOT IN ('cancelled', 'refunded')``): the summary holds
  only the rows they keep;
- **conditions on a key** (``currency = :c`` when currency is a group key): asked of the summary's
  key column;
- **a range on a time column** (``placed_at >= :since``): the summary is kept per day (or month) of
  that column, the full buckets inside the range are read from it and the partial buckets at the
  range's ends from the table itself, so the answer is exact for any value;
- **an equality or IN on another column** (``channel = :channel``): the column becomes a key too.

A condition reading the statement's time or session (``created_at >= now() - interval '1 hour'``,
``CURRENT_DATE``, ``current_user``) is sorted as if its value were a parameter's: the summary never
holds it (triggers would evaluate it once per write, and rows would never leave a moving window), it
is evaluated when the summary is read. Anything volatile (``random()``, ``clock_timestamp()``,
``SYSDATE()``) or unknown (a user-defined function) in a condition, key or aggregate is refused (see
:mod:`.volatility`). A statement without group keys gets a single-row summary keyed by the constant
``dbarch_one`` (every engine's upsert needs a key to conflict on).

Anything else (a condition on an aggregate input the summary cannot keep, OR across them, a
subquery, window functions, DISTINCT aggregates) is a reason for no summary, given back in words.

Dimensions whose join key is itself a group key and whose columns appear only in the select list
and GROUP BY (``p.name`` with ``GROUP BY oi.product_id, p.name``) are joined again when the summary
is read, not stored. The others (a dimension's column filtered or grouped on) are part of the
summary's definition, and their writes maintain it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from dbarchitect.advisors.rewrites.rule import conjuncts, has_parameters, resolve, scope_tables
from dbarchitect.advisors.summaries.volatility import Volatility, explain, volatility
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.types import LogicalType, TypeKind

GRAINS = ("day", "month")
#: An equality/IN parameter's column becomes a key only when it has at most this many values.
EXTRA_KEY_MAX_DISTINCT = 1000


@dataclass(frozen=True)
class Source:
    """A table of the statement's FROM.

    Attributes:
        alias: Its alias in the statement (lower case), or its name.
        table: The catalog table.
        role: ``fact`` (the aggregated table), ``dim`` (a parent the summary's definition reads),
            ``lookup`` (a parent joined back when the summary is read).
        join: The ON condition joining it (None for the fact).
        fact_columns: The fact's foreign key columns the join uses.
        parent_columns: This table's key columns the join uses.
    """

    alias: str
    table: Table
    role: str
    join: exp.Expr | None = None
    fact_columns: tuple[str, ...] = ()
    parent_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class KeySpec:
    """A key of the summary: a group key of the statement, a time bucket, or an added column."""

    name: str
    expr: exp.Expr
    type: LogicalType
    #: (alias, column) of the time column when the key is its day or month
    bucket_of: tuple[str, str] | None = None
    grain: str | None = None
    #: The single-row key of a summary without group keys (a global aggregate): always 1.
    constant: bool = False


@dataclass(frozen=True)
class MeasureSpec:
    """A measure column: ``count`` (rows), ``sum``, ``nn`` (non-NULL count of ``arg``), ``min``, ``max``."""

    name: str
    func: str
    arg: exp.Expr | None
    type: LogicalType


@dataclass(frozen=True)
class RangeSpec:
    """Range conditions on a time column answered by whole buckets from the summary and the partial
    buckets at the ends from the table."""

    column: tuple[str, str]
    key: str
    grain: str
    lower: tuple[exp.Expr, ...]
    upper: tuple[exp.Expr, ...]
    conditions: tuple[exp.Expr, ...]


@dataclass(frozen=True)
class SummarySpec:
    """Everything needed to build, maintain and read a summary for one statement."""

    statement: str
    select: exp.Select
    sources: tuple[Source, ...]
    lookups: tuple[Source, ...]
    keys: tuple[KeySpec, ...]
    measures: tuple[MeasureSpec, ...]
    filters: tuple[exp.Expr, ...]
    on_keys: tuple[tuple[exp.Expr, str], ...]
    ranges: tuple[RangeSpec, ...]
    grain: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def fact(self) -> Source:
        return self.sources[0]

    def key(self, name: str) -> KeySpec:
        return next(k for k in self.keys if k.name == name)


class NotSummarizable(Exception):
    """Why a statement cannot be served by a summary (the message says it in words)."""


_TIME = (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ, TypeKind.DATE)
_COMPARE = (exp.GT, exp.GTE, exp.LT, exp.LTE)


def _column_key(expr: exp.Expr) -> str:
    return expr.sql().lower()


def _safe_name(text: str, taken: set[str]) -> str:
    base = "".join(ch if ch.isalnum() else "_" for ch in text.lower()).strip("_") or "k"
    base = base[:40]
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def _day_column(expr: exp.Expr) -> exp.Column | None:
    """The column of ``CAST(c AS DATE)`` / ``date(c)``."""
    if (
        isinstance(expr, exp.Cast)
        and expr.to.this == exp.DataType.Type.DATE
        and isinstance(expr.this, exp.Column)
    ):
        return expr.this
    if (
        isinstance(expr, (exp.Date, exp.TsOrDsToDate))
        and isinstance(expr.this, exp.Column)
        and not expr.expressions
    ):
        return expr.this
    return None


def bucket_expr(column: exp.Expr, grain: str) -> exp.Expr:
    """The day or month a time value falls in, as a date."""
    if grain == "day":
        return exp.Cast(this=column.copy(), to=exp.DataType.build("date"))
    return exp.Cast(
        this=exp.DateTrunc(this=column.copy(), unit=exp.var("MONTH")),  # type: ignore[no-untyped-call]
        to=exp.DataType.build("date"),
    )


def next_bucket(start: exp.Expr, grain: str) -> exp.Expr:
    """``start`` (a bucket) plus one bucket."""
    unit = "DAY" if grain == "day" else "MONTH"
    return exp.DateAdd(this=start, expression=exp.Literal.number(1), unit=exp.var(unit))


def _sources(select: exp.Select, catalog: Catalog) -> list[Source]:
    tables = scope_tables(select, catalog)
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is None or not isinstance(from_.this, exp.Table) or not tables:
        raise NotSummarizable("it reads no table")
    joins = select.args.get("joins") or []
    if len(tables) != 1 + len(joins):
        raise NotSummarizable("it reads a subquery or a table function")
    edges: list[tuple[str, str, tuple[str, ...], tuple[str, ...], exp.Expr]] = []  # child, parent
    for join in joins:
        kind = (join.args.get("kind") or "").upper()
        side = (join.args.get("side") or "").upper()
        if kind in ("CROSS", "SEMI", "ANTI") or side in ("LEFT", "RIGHT", "FULL"):
            raise NotSummarizable(
                "an outer or cross join: only inner joins along foreign keys are summarized"
            )
        on = join.args.get("on")
        if on is None:
            raise NotSummarizable("a join without ON")
        pairs: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for part in conjuncts(on):
            if not (
                isinstance(part, exp.EQ)
                and isinstance(part.left, exp.Column)
                and isinstance(part.right, exp.Column)
            ):
                raise NotSummarizable(f"join condition {part.sql()} is not an equality of columns")
            a, b = resolve(part.left, tables), resolve(part.right, tables)
            if a is None or b is None or a[0] == b[0]:
                raise NotSummarizable(f"join condition {part.sql()} does not join two tables")
            pairs.setdefault((a[0], b[0]), []).append((a[2].name.key, b[2].name.key))
        if len(pairs) != 1:
            raise NotSummarizable("a join condition over more than two tables")
        (x, y), cols = next(iter(pairs.items()))
        edge = _fk_edge(tables, x, y, cols) or _fk_edge(tables, y, x, [(b, a) for a, b in cols])
        if edge is None:
            raise NotSummarizable(
                f"the join of {tables[x].name} and {tables[y].name} is not along a NOT NULL foreign key "
                "to a key: rows could be lost or repeated"
            )
        edges.append((*edge, on))
    children = {e[0] for e in edges}
    parents = {e[1] for e in edges}
    facts = [a for a in tables if a not in parents]
    if len(facts) != 1:
        raise NotSummarizable("no single table is the many side of every join")
    fact = facts[0]
    out = [Source(fact, tables[fact], "fact")]
    for child, parent, child_cols, parent_cols, on in edges:
        if child != fact:
            raise NotSummarizable(
                f"{tables[parent].name} is joined through {tables[child].name}, not the fact table: "
                "only parents of the fact table are summarized"
            )
        out.append(Source(parent, tables[parent], "dim", on, child_cols, parent_cols))
    del children
    return out


def _fk_edge(
    tables: dict[str, Table], child: str, parent: str, cols: list[tuple[str, str]]
) -> tuple[str, str, tuple[str, ...], tuple[str, ...]] | None:
    """(child, parent, child columns, parent columns) when ``cols`` pair a NOT NULL foreign key of
    ``child`` with the key of ``parent`` it references."""
    ct, pt = tables[child], tables[parent]
    child_cols = tuple(a for a, _ in cols)
    parent_cols = tuple(b for _, b in cols)
    for fk in ct.foreign_keys:
        if (
            fk.ref_table.matches(pt.name)
            and {c.key for c in fk.columns} == set(child_cols)
            and {c.key for c in fk.ref_columns} == set(parent_cols)
            and all((c := ct.column(k)) is not None and not c.nullable for k in child_cols)
        ):
            return child, parent, child_cols, parent_cols
    return None


def _type_of(expr: exp.Expr, tables: dict[str, Table]) -> LogicalType | None:
    if isinstance(expr, exp.Column):
        found = resolve(expr, tables)
        return found[2].type if found is not None else None
    if _day_column(expr) is not None:
        return LogicalType(TypeKind.DATE)
    if isinstance(expr, exp.Cast):
        to = expr.to.this
        if to == exp.DataType.Type.DATE:
            return LogicalType(TypeKind.DATE)
    return None


def _nullable(expr: exp.Expr, tables: dict[str, Table]) -> bool:
    cols = list(expr.find_all(exp.Column))
    if not cols:
        return True
    for col in cols:
        found = resolve(col, tables)
        if found is None or found[2].nullable:
            return True
    return False


def analyze(select: exp.Expr, statement: str, catalog: Catalog, grain: str | None = None) -> SummarySpec:
    """The summary for ``select`` at the time ``grain`` (``day``/``month``, for a range on a time
    column that is not already a key). Raises :class:`NotSummarizable` with the reason."""
    if not isinstance(select, exp.Select):
        raise NotSummarizable("it is not a single SELECT")
    for key in ("distinct", "with"):
        if select.args.get(key):
            raise NotSummarizable("SELECT DISTINCT or a WITH clause")
    if select.find(exp.Window):
        raise NotSummarizable("window functions")
    if any(isinstance(n, exp.Subquery) for n in select.find_all(exp.Subquery)):
        raise NotSummarizable("a subquery")
    aggregates = [a for a in select.find_all(exp.AggFunc)]
    if not aggregates:
        raise NotSummarizable("it aggregates nothing")
    sources = _sources(select, catalog)
    tables = {s.alias: s.table for s in sources}
    fact = sources[0]
    grouping = select.args.get("group")
    group: list[exp.Expr] = list(grouping.expressions) if grouping is not None else []
    taken: set[str] = set()
    keys: list[KeySpec] = []
    dim_aliases = {s.alias for s in sources[1:]}
    fact_fk = {s.alias: s for s in sources[1:]}

    def aliases_of(expr: exp.Expr) -> set[str]:
        out: set[str] = set()
        for col in expr.find_all(exp.Column):
            found = resolve(col, tables)
            if found is None:
                raise NotSummarizable(f"{col.sql()} is not a column of its tables")
            out.add(found[0])
        return out

    # group keys; lookup dims: their join key is a group key and they appear only in GROUP BY/select
    group_sql = {_column_key(g) for g in group}
    lookups: set[str] = set()
    for alias, source in fact_fk.items():
        fk_cols = [exp.column(c, table=fact.alias) for c in source.fact_columns]
        if all(any(_same_column(g, fc, tables) for g in group) for fc in fk_cols):
            lookups.add(alias)
    where = select.args.get("where")
    where_parts = conjuncts(where.this if where is not None else None)
    having = select.args.get("having")
    for alias in list(lookups):
        used_outside = any(alias in aliases_of(p) for p in where_parts) or any(
            alias in aliases_of(a) for a in aggregates
        )
        if used_outside:
            lookups.discard(alias)
    for g in group:
        owners = aliases_of(g)
        if owners and owners <= lookups:
            continue  # read back from the lookup table
        level, what = volatility(g)
        if level > Volatility.IMMUTABLE:
            raise NotSummarizable(f"GROUP BY {g.sql()}: {explain(level, what)}")
        gtype = _type_of(g, tables)
        if gtype is None:
            raise NotSummarizable(f"GROUP BY {g.sql()}: not a column or a date of one")
        if _nullable(g, tables):
            raise NotSummarizable(
                f"GROUP BY {g.sql()} can be NULL: a summary's key cannot hold NULL on every engine"
            )
        day_of = _day_column(g)
        found = resolve(day_of, tables) if day_of is not None else None
        keys.append(
            KeySpec(
                _safe_name(
                    g.alias_or_name if isinstance(g, exp.Column) else _output_name(select, g) or "day", taken
                ),
                g.copy(),
                gtype,
                (found[0], found[2].name.key) if found is not None else None,
                "day" if found is not None else None,
            )
        )
    # measures
    measures: list[MeasureSpec] = [MeasureSpec("dbarch_rows", "count", None, LogicalType(TypeKind.BIGINT))]
    for agg in aggregates:
        arg = agg.this
        level, what = volatility(agg)
        if level > Volatility.IMMUTABLE:
            raise NotSummarizable(f"{agg.sql()}: {explain(level, what)}")
        if isinstance(agg, exp.Count):
            if agg.args.get("distinct") is not None or isinstance(arg, exp.Distinct):
                raise NotSummarizable("COUNT(DISTINCT ...) cannot be added up")
            if (
                arg is None
                or isinstance(arg, exp.Star)
                or (isinstance(arg, exp.Literal) and not arg.is_string)
            ):
                continue
            _nn(measures, arg, tables, taken)
        elif isinstance(agg, (exp.Sum, exp.Avg)):
            if isinstance(arg, exp.Distinct):
                raise NotSummarizable("a DISTINCT aggregate cannot be added up")
            _sum(measures, arg, tables, taken)
            if _nullable(arg, tables) or isinstance(agg, exp.Avg):
                _nn(measures, arg, tables, taken)
        elif isinstance(agg, (exp.Min, exp.Max)):
            func = "min" if isinstance(agg, exp.Min) else "max"
            if not any(
                m.func == func and m.arg is not None and _column_key(m.arg) == _column_key(arg)
                for m in measures
            ):
                atype = _type_of(arg, tables) or LogicalType(TypeKind.DECIMAL, precision=38, scale=10)
                measures.append(
                    MeasureSpec(_safe_name(f"{func}_{arg.sql()}", taken), func, arg.copy(), atype)
                )
        else:
            raise NotSummarizable(f"{agg.sql()} cannot be kept up to date by adding rows")
        if lookups & aliases_of(agg):
            raise NotSummarizable(f"{agg.sql()} reads a table joined back at read time")
    # WHERE
    filters: list[exp.Expr] = []
    on_keys: list[tuple[exp.Expr, str]] = []
    range_parts: dict[tuple[str, str], list[exp.Expr]] = {}
    for part in where_parts:
        if part.find(exp.Subquery) or part.find(exp.AggFunc):
            raise NotSummarizable(f"condition {part.sql()} has a subquery or an aggregate")
        if lookups & aliases_of(part):
            raise NotSummarizable(f"condition {part.sql()} reads a table joined back at read time")
        level, what = volatility(part)
        if level > Volatility.STABLE:
            raise NotSummarizable(f"condition {part.sql()}: {explain(level, what)}")
        if not has_parameters(part) and level == Volatility.IMMUTABLE:
            filters.append(part.copy())
            continue
        keyed = _key_condition(part, keys)
        if keyed is not None:
            on_keys.append((part.copy(), keyed))
            continue
        time = _time_range(part, tables)
        if time is not None:
            range_parts.setdefault(time, []).append(part)
            continue
        extra = _extra_key(part, tables)
        if extra is not None:
            alias, col = extra
            column = tables[alias].column(col)
            assert column is not None
            name = _safe_name(col, taken)
            expr = exp.column(column.name.value, table=alias)
            keys.append(KeySpec(name, expr, column.type))
            on_keys.append((part.copy(), name))
            continue
        if level == Volatility.STABLE and not has_parameters(part):
            raise NotSummarizable(
                f"condition {part.sql()}: {explain(level, what)}, and it compares it with neither"
            )
        raise NotSummarizable(
            f"condition {part.sql()} has parameters on a column that is neither a key nor a time column: "
            "the summary cannot answer it for every value"
        )
    ranges: list[RangeSpec] = []
    used_grain: str | None = None
    for (alias, col), parts in range_parts.items():
        existing = next((k for k in keys if k.bucket_of == (alias, col)), None)
        column = tables[alias].column(col)
        assert column is not None
        if existing is not None:
            key_name, chosen = existing.name, existing.grain or "day"
        elif column.type.kind == TypeKind.DATE and grain in (None, "day"):
            # a date column: the day is the column itself
            name = _safe_name(col, taken)
            keys.append(KeySpec(name, exp.column(column.name.value, table=alias), column.type))
            on_keys.extend((p.copy(), name) for p in parts)
            continue
        else:
            chosen = grain or "day"
            key_name = _safe_name(f"{col}_{chosen}", taken)
            bucket = bucket_expr(exp.column(column.name.value, table=alias), chosen)
            keys.append(KeySpec(key_name, bucket, LogicalType(TypeKind.DATE), (alias, col), chosen))
        used_grain = used_grain or chosen
        lower = tuple(_bound(p, alias, col, tables, lower=True) for p in parts)
        upper = tuple(_bound(p, alias, col, tables, lower=False) for p in parts)
        ranges.append(
            RangeSpec(
                (alias, col),
                key_name,
                chosen,
                tuple(b for b in lower if b is not None),
                tuple(b for b in upper if b is not None),
                tuple(p.copy() for p in parts),
            )
        )
    if having is not None and having.find(exp.Subquery):
        raise NotSummarizable("HAVING with a subquery")
    stored = tuple(s for s in sources if s.alias not in lookups)
    stored = tuple(
        s
        for s in stored
        if s.role == "fact" or _used(s.alias, keys, measures, filters, on_keys, ranges, aliases_of)
    )
    lookup_sources = tuple(
        Source(s.alias, s.table, "lookup", s.join, s.fact_columns, s.parent_columns)
        for s in sources
        if s.alias in lookups
    )
    for lookup in lookup_sources:
        for fc in lookup.fact_columns:
            if not any(
                k.bucket_of is None and _same_column(k.expr, exp.column(fc, table=fact.alias), tables)
                for k in keys
            ):
                raise NotSummarizable(f"{lookup.table.name}'s join key is not kept in the summary")
    if not keys:
        # a global aggregate: one row, keyed by a constant so every engine's upsert has a key
        keys.append(
            KeySpec(
                _safe_name("dbarch_one", taken),
                exp.Literal.number(1),
                LogicalType(TypeKind.SMALLINT),
                constant=True,
            )
        )
    del dim_aliases, group_sql
    return SummarySpec(
        statement,
        select,
        stored,
        lookup_sources,
        tuple(keys),
        tuple(measures),
        tuple(filters),
        tuple(on_keys),
        tuple(ranges),
        used_grain,
    )


def _output_name(select: exp.Select, expr: exp.Expr) -> str | None:
    for projection in select.expressions:
        inner = projection.this if isinstance(projection, exp.Alias) else projection
        if _column_key(inner) == _column_key(expr) and isinstance(projection, exp.Alias):
            return projection.alias
    day = _day_column(expr)
    return f"{day.name}_day" if day is not None else None


def _same_column(a: exp.Expr, b: exp.Expr, tables: dict[str, Table]) -> bool:
    if not (isinstance(a, exp.Column) and isinstance(b, exp.Column)):
        return False
    x, y = resolve(a, tables), resolve(b, tables)
    return x is not None and y is not None and x[0] == y[0] and x[2].name.key == y[2].name.key


def _used(alias: str, keys, measures, filters, on_keys, ranges, aliases_of) -> bool:  # type: ignore[no-untyped-def]
    exprs = [k.expr for k in keys] + [m.arg for m in measures if m.arg is not None] + list(filters)
    exprs += [p for p, _ in on_keys] + [c for r in ranges for c in r.conditions]
    return any(alias in aliases_of(e) for e in exprs)


def _sum(measures: list[MeasureSpec], arg: exp.Expr, tables: dict[str, Table], taken: set[str]) -> None:
    if any(
        m.func == "sum" and m.arg is not None and _column_key(m.arg) == _column_key(arg) for m in measures
    ):
        return
    atype = _type_of(arg, tables)
    if atype is not None and atype.kind in (TypeKind.REAL, TypeKind.DOUBLE):
        stype = LogicalType(TypeKind.DOUBLE)
    else:
        scale = atype.scale if atype is not None and atype.kind == TypeKind.DECIMAL and atype.scale else 0
        if atype is None:
            scale = 6
        stype = LogicalType(TypeKind.DECIMAL, precision=38, scale=scale)
    measures.append(MeasureSpec(_safe_name(f"sum_{arg.sql()}", taken), "sum", arg.copy(), stype))


def _nn(measures: list[MeasureSpec], arg: exp.Expr, tables: dict[str, Table], taken: set[str]) -> None:
    if any(m.func == "nn" and m.arg is not None and _column_key(m.arg) == _column_key(arg) for m in measures):
        return
    if not _nullable(arg, tables):
        return  # never NULL: the row count is its count
    measures.append(
        MeasureSpec(_safe_name(f"nn_{arg.sql()}", taken), "nn", arg.copy(), LogicalType(TypeKind.BIGINT))
    )


def _key_condition(part: exp.Expr, keys: list[KeySpec]) -> str | None:
    """The key a parameterized condition compares (every column it reads is under that key's
    expression): ``currency = :c`` for the key ``currency``."""
    for key in keys:
        key_sql = _column_key(key.expr)
        exprs = [n for n in part.walk() if isinstance(n, exp.Expr) and _column_key(n) == key_sql]
        if not exprs:
            continue
        columns_outside = [
            c
            for c in part.find_all(exp.Column)
            if not any(c in set(e.find_all(exp.Column)) or c is e for e in exprs)
        ]
        if not columns_outside:
            return key.name
    return None


def _time_range(part: exp.Expr, tables: dict[str, Table]) -> tuple[str, str] | None:
    """(alias, column) when ``part`` bounds a time column by a parameter expression."""
    bounds: tuple[exp.Expr, ...]
    if isinstance(part, exp.Between):
        column, bounds = part.this, (part.args["low"], part.args["high"])
    elif isinstance(part, _COMPARE):
        column, bounds = (
            (part.left, (part.right,)) if isinstance(part.left, exp.Column) else (part.right, (part.left,))
        )
    else:
        return None
    if not isinstance(column, exp.Column) or any(b.find(exp.Column) for b in bounds):
        return None
    found = resolve(column, tables)
    if found is None or found[2].type.kind not in _TIME:
        return None
    return found[0], found[2].name.key


def _bound(part: exp.Expr, alias: str, col: str, tables: dict[str, Table], *, lower: bool) -> exp.Expr | None:
    """The parameter expression bounding the column from below (``lower``) or above, if ``part`` does."""
    if isinstance(part, exp.Between):
        bound: exp.Expr = part.args["low"] if lower else part.args["high"]
        return bound.copy()
    assert isinstance(part, exp.Binary)
    column_left = isinstance(part.left, exp.Column)
    value = part.right if column_left else part.left
    is_lower = isinstance(part, (exp.GT, exp.GTE)) == column_left
    return value.copy() if is_lower == lower else None


def _extra_key(part: exp.Expr, tables: dict[str, Table]) -> tuple[str, str] | None:
    """(alias, column) when ``part`` is ``column = :p`` or ``column IN (:p, ...)`` on a NOT NULL column
    with few enough values to be a key."""
    if isinstance(part, exp.EQ):
        column = part.left if isinstance(part.left, exp.Column) else part.right
        other = part.right if column is part.left else part.left
        if not isinstance(column, exp.Column) or other.find(exp.Column):
            return None
    elif isinstance(part, exp.In) and isinstance(part.this, exp.Column) and not part.args.get("query"):
        column = part.this
        if any(e.find(exp.Column) for e in part.expressions):
            return None
    else:
        return None
    found = resolve(column, tables)
    if found is None or found[2].nullable:
        return None
    stats = found[2].stats
    distinct = stats.distinct if stats is not None else None
    if found[2].type.kind not in (TypeKind.BOOLEAN, TypeKind.ENUM) and (
        distinct is None or distinct > EXTRA_KEY_MAX_DISTINCT
    ):
        return None
    return found[0], found[2].name.key
