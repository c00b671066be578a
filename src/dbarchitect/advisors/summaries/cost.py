"""What a summary costs and saves: its size now and at the horizon, the read it replaces, the extra
work on every write that touches its sources, the rows that become hot, and a refresh's duration.

- **Size**: the distinct key combinations the fact's rows fill, ``D x (1 - exp(-N / D))`` for ``N``
  rows spread over ``D`` possible combinations (``D`` the product of the keys' distinct counts; a day
  or month key has as many values as the fact's time column spans days or months: its min/max, else
  rows / growth per day). At the horizon ``N`` and the span grow with the table's growth and
  retention. Bytes: the keys' and measures' widths, the engine's row overhead, and the primary key.
- **Read**: the rewritten statement costed by the built-in model with the summary in the catalog:
  the summary's rows in the range, plus the table's rows in the partial buckets at the range's ends
  (the definition's cost over the whole table x the share of the table those buckets hold).
- **Write tax**: for each write statement of the workload on a source table, per row it writes: the
  delta query (a lookup per dimension for a fact row; the fact rows of a dimension row), the upsert
  of each group it touches (a row write and its primary key entry), and for a delete or an update the
  subtraction, the check for an emptied group and the recomputed min/max. It runs inside the write,
  so it adds to its latency (through the engine's latency model, no extra round trip) and to the
  write budget (summary rows written per source row).
- **Hot rows**: a time-bucket key sends every new row to the current bucket's group: its rate times
  the write's time to commit is the share of time that summary row is locked.
- **Refresh** (a materialized view): the definition over the whole table plus writing its rows
  twice (REFRESH CONCURRENTLY diffs the old and new contents).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.latency import write_work
from dbarchitect.advisors.sizing import rows_at, span_days
from dbarchitect.advisors.summaries.build import ROWS, definition, delta
from dbarchitect.advisors.summaries.spec import SummarySpec
from dbarchitect.engines.traits import EngineTraits, LatencyModel
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.workload import StatementInput, analyze_statement
from dbarchitect.model.catalog import Catalog, ColumnStats, ReferentialAction, Table
from dbarchitect.model.names import Name
from dbarchitect.model.types import TypeKind
from dbarchitect.model.workload import Statement, StatementKind

_DAYS_PER_MONTH = 30.44


def key_distinct(spec: SummarySpec, days_ahead: float = 0.0) -> dict[str, float]:
    """Distinct values each key can take now (or ``days_ahead`` days on)."""
    tables = {s.alias: s.table for s in spec.sources}
    fact_rows = rows_at(spec.fact.table, days_ahead) or 1.0
    out: dict[str, float] = {}
    for key in spec.keys:
        if key.constant:
            out[key.name] = 1.0
            continue
        if key.bucket_of is not None:
            alias, column = key.bucket_of
            days = span_days(tables[alias], column, days_ahead)
            out[key.name] = days if key.grain == "day" else max(1.0, days / _DAYS_PER_MONTH)
            continue
        distinct: float | None = None
        cols = list(key.expr.find_all(exp.Column))
        if len(cols) == 1:
            for alias, table in tables.items():
                if cols[0].table and cols[0].table.lower() != alias:
                    continue
                c = table.column(cols[0].name)
                if c is not None:
                    if c.stats is not None and c.stats.distinct:
                        distinct = c.stats.distinct
                    elif c.type.kind == TypeKind.BOOLEAN:
                        distinct = 2
                    elif c.type.kind == TypeKind.ENUM and c.type.values:
                        distinct = len(c.type.values)
                    else:
                        distinct = rows_at(table, days_ahead) or None
                    break
        out[key.name] = distinct or fact_rows
    return out


def summary_rows(spec: SummarySpec, days_ahead: float = 0.0, selectivity: float = 1.0) -> float:
    """Expected rows: ``D x (1 - exp(-N / D))`` (see the module docstring)."""
    n = max(1.0, (rows_at(spec.fact.table, days_ahead) or 1.0) * selectivity)
    if not spec.keys:
        return 1.0
    d = math.prod(key_distinct(spec, days_ahead).values())
    return max(1.0, d * (1.0 - math.exp(-n / d))) if d > 0 else n


def with_stats(table: Table, spec: SummarySpec, rows: float, growth_per_day: float) -> Table:
    """``table`` (the summary) with its size and key statistics, for the cost model."""
    from dataclasses import replace

    from dbarchitect.model.catalog import TableStats

    distinct = key_distinct(spec)
    columns = tuple(
        replace(c, stats=ColumnStats(distinct=min(distinct[c.name.value], rows)))
        if c.name.value in distinct
        else c
        for c in table.columns
    )
    return replace(table, columns=columns, stats=TableStats(rows=rows, growth_rows_per_day=growth_per_day))


@dataclass(frozen=True)
class PathCost:
    """Planner units and summary rows written by one trigger path for one source row."""

    cost: float
    io: float | None
    rows_written: float
    index_entries: float


def _analyzable(select: exp.Select, dialect: str) -> str:
    """The delta's SQL with ``NEW.c`` / ``OLD.c`` as parameters, for the statement analysis."""
    copy = select.copy()
    for col in list(copy.find_all(exp.Column)):
        if col.table.upper() in ("NEW", "OLD"):
            col.replace(exp.Placeholder(this=f"{col.table.lower()}_{col.name}"))
    return copy.sql(dialect=dialect)


def delta_cost(
    spec: SummarySpec, alias: str, catalog: Catalog, traits: EngineTraits, model: BuiltinCostModel
) -> PathCost:
    """The cost of computing one row's delta (the fact rows it reaches, the dimensions it looks up)
    and merging its groups into the summary."""
    select = delta(spec, alias, "NEW", 1).select
    try:
        statement = analyze_statement(
            StatementInput("dbarch_delta", _analyzable(select, traits.sqlglot_dialect), 1.0),
            catalog,
            traits.engine,
        )
        plan = model.plan_cost(statement, frozenset())
        cost, io = (plan.cost, plan.io) if plan.error is None and math.isfinite(plan.cost) else (10.0, None)
    except DbarchError:
        cost, io = 10.0, None
    source = next(s for s in spec.sources if s.alias == alias)
    groups = 1.0
    if source.role != "fact":
        # a dimension row reaches the fact rows joined to it: at most one group per fact row
        fact_rows = (
            spec.fact.table.stats.rows if spec.fact.table.stats and spec.fact.table.stats.rows else 1.0
        )
        dim_rows = source.table.stats.rows if source.table.stats and source.table.stats.rows else 1.0
        groups = max(1.0, min(fact_rows / max(dim_rows, 1.0), summary_rows(spec)))
    # each group: a probe of the summary's primary key and the row written
    probe = 4.0 + 0.005 * math.log2(max(summary_rows(spec), 2.0))
    return PathCost(cost + groups * probe, io, groups, groups)


@dataclass(frozen=True)
class WriteTax:
    """What a summary adds to one write statement of the workload.

    Attributes:
        statement: The write statement.
        table: The source table it writes.
        rows: Source rows it writes per execution.
        extra_ms: The p95 latency the trigger work adds per execution.
        extra_cost: Planner units it adds per execution.
        summary_rows: Summary rows written per execution (the write budget's share).
        detail: How it adds up.
    """

    statement: str
    table: str
    rows: float
    extra_ms: float
    extra_cost: float
    summary_rows: float
    detail: str


def write_taxes(
    spec: SummarySpec,
    statements: tuple[Statement, ...],
    catalog: Catalog,
    traits: EngineTraits,
    model: LatencyModel | None = None,
) -> tuple[WriteTax, ...]:
    """The tax on each write of ``statements`` that touches the summary's sources (see the module
    docstring). An UPDATE that changes no column the summary reads pays nothing (the trigger's
    guard)."""
    used = model or traits.latency
    builtin = BuiltinCostModel(catalog, traits)
    out: list[WriteTax] = []
    watched = _watched(spec)
    paths = {s.alias: delta_cost(spec, s.alias, catalog, traits, builtin) for s in spec.sources}
    cascade = _cascade_parents(spec, traits)
    for statement in statements:
        target = statement.write_target
        if target is None or not statement.is_write:
            continue
        touched = [s for s in spec.sources if s.table.name.matches(target.table)]
        cascading = statement.kind == StatementKind.DELETE and any(p.matches(target.table) for p in cascade)
        if not touched and not cascading:
            continue
        rows = write_work(statement, catalog, used).rows
        minmax = any(m.func in ("min", "max") for m in spec.measures)
        total_cost = 0.0
        io = 0.0
        written = 0.0
        parts: list[str] = []
        for source in touched:
            path = paths[source.alias]
            fact = source.role == "fact"
            if statement.kind in (StatementKind.INSERT, StatementKind.UPSERT):
                if not fact:
                    continue  # a parent's new row has no facts yet
                times = 1.0
            elif statement.kind == StatementKind.DELETE:
                if not fact:
                    continue  # its facts go first (RESTRICT) or by cascade (counted below)
                times = 1.5 + (1.0 if minmax else 0.0)  # subtract, check for an emptied group
            else:
                changed = {c.key for c in target.columns_written} & watched.get(source.alias, set())
                if not changed:
                    parts.append(f"{source.table.name}: no column the summary reads changes (trigger skips)")
                    continue
                times = 2.5 + (1.0 if minmax else 0.0)  # subtract the old row, add the new, check
            total_cost += path.cost * times * rows
            io += (path.io or 0.0) * times * rows
            written += path.rows_written * rows * (2 if times > 2 else 1)
            parts.append(f"{source.table.name}: {times:g} x {path.cost:,.1f} units per row written")
        if statement.kind == StatementKind.DELETE and any(
            fk.ref_table.matches(target.table) and fk.on_delete == ReferentialAction.CASCADE
            for fk in spec.fact.table.foreign_keys
        ):
            path = paths[spec.fact.alias]
            children = _children_per_parent(spec, target.table.value)
            total_cost += path.cost * 1.5 * children * rows
            written += children * rows
            how = (
                "a trigger on the parent subtracts them first"
                if cascading
                else "each one's trigger subtracts it"
            )
            parts.append(
                f"{target.table.value} delete cascades to {children:,.1f} {spec.fact.table.name} row(s) "
                f"each: {how}"
            )
        if total_cost <= 0:
            continue
        ms = (
            (used.ms_per_io_unit * io + used.ms_per_cpu_unit * (total_cost - io))
            if io
            else used.ms_per_cost_unit * total_cost
        )
        ms += used.row_write_ms * written + used.index_entry_ms * written
        out.append(
            WriteTax(
                statement.name,
                target.table.value,
                rows,
                ms * used.p95_factor,
                total_cost,
                written,
                "; ".join(parts),
            )
        )
    return tuple(out)


def _watched(spec: SummarySpec) -> dict[str, set[str]]:
    """Per source alias, the columns the summary reads (an update of others changes nothing)."""
    tables = {s.alias: s.table for s in spec.sources}
    exprs = [k.expr for k in spec.keys] + [m.arg for m in spec.measures if m.arg is not None]
    exprs += list(spec.filters) + [s.join for s in spec.sources if s.join is not None]
    out: dict[str, set[str]] = {a: set() for a in tables}
    from dbarchitect.advisors.rewrites.rule import resolve

    for e in exprs:
        for col in e.find_all(exp.Column):
            found = resolve(col, tables)
            if found is not None:
                out[found[0]].add(found[2].name.key)
    return out


def watched_columns(spec: SummarySpec) -> dict[str, tuple[str, ...]]:
    return {a: tuple(sorted(cols)) for a, cols in _watched(spec).items()}


def _cascade_parents(spec: SummarySpec, traits: EngineTraits) -> list[Name]:
    """Parents of the fact whose deletes cascade to it, on engines where cascades fire no triggers."""
    if traits.features.cascades_fire_triggers:
        return []
    return [fk.ref_table for fk in spec.fact.table.foreign_keys if fk.on_delete == ReferentialAction.CASCADE]


def _children_per_parent(spec: SummarySpec, parent: str) -> float:
    fact = spec.fact.table
    fact_rows = fact.stats.rows if fact.stats and fact.stats.rows else 1.0
    for fk in fact.foreign_keys:
        if fk.ref_table.matches(parent):
            col = fact.column(fk.columns[0])
            if col is not None and col.stats is not None and col.stats.distinct:
                return fact_rows / col.stats.distinct
    return 1.0


def refresh_cost(spec: SummarySpec, catalog: Catalog, traits: EngineTraits, rows: float) -> float | None:
    """Planner units of one full refresh: the definition over the whole table (None: cannot be costed)."""
    try:
        statement = analyze_statement(
            StatementInput("dbarch_refresh", definition(spec).sql(dialect=traits.sqlglot_dialect), 1.0),
            catalog,
            traits.engine,
        )
    except DbarchError:
        return None
    plan = BuiltinCostModel(catalog, traits).plan_cost(statement, frozenset())
    if plan.error is not None or not math.isfinite(plan.cost):
        return None
    return plan.cost


def parse(sql: str, dialect: str) -> exp.Expr:
    return sqlglot.parse_one(sql, read=dialect)


__all__ = [
    "ROWS",
    "PathCost",
    "WriteTax",
    "delta_cost",
    "key_distinct",
    "refresh_cost",
    "summary_rows",
    "watched_columns",
    "with_stats",
    "write_taxes",
]
