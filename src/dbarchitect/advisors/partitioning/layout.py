"""Candidate layouts of one table: the concrete partitions of a RANGE by time (interval chosen from
the rows-per-partition target, the partition limit and the retention), of a HASH (count from the
target) and of a LIST (one partition per known value), and their catalog form.

The targets, and why (a stated model, not engine facts):

- :data:`MAX_PARTITION_BYTES` = 50 GB of table data per partition: a partition is the unit of
  VACUUM, index rebuild, DETACH/archive and of the migration's copy, and keeping each under tens of
  GB keeps each of those to minutes. The largest calendar interval that stays under it is chosen
  (fewer partitions: less planning for statements that cannot prune), unless a smaller one prunes
  the workload better.
- :data:`MAX_RETENTION_OVERSHOOT` = 25%: expired rows go a whole partition at a time, so a partition
  may hold rows up to one interval past the retention; the interval is at most a quarter of it.
- Partitions are made ahead to cover two days of missed maintenance runs (one interval for a week or
  longer, two for a day). Ahead partitions are empty but are read by statements open towards the future.
- HASH: the smallest power of two that keeps a partition under the target at the horizon (at least 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from dbarchitect.advisors.partitioning.model import Layout
from dbarchitect.advisors.partitioning.pruning import PartitionSpace, RangePart
from dbarchitect.engines.partition_sql import bound_text, catch_all_name, partition_name
from dbarchitect.engines.quoting import neutral_literal
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Column, Partition, Partitioning, PartitionMethod, Table
from dbarchitect.model.intervals import TimeUnit, add_units, floor_to, parse_instant
from dbarchitect.model.names import Name
from dbarchitect.model.types import TypeKind

MAX_PARTITION_BYTES = 50e9
MAX_RETENTION_OVERSHOOT = 0.25
#: Days of missed daily maintenance the partitions made ahead must cover.
AHEAD_DAYS = 2.0
UNITS = (TimeUnit.DAY, TimeUnit.WEEK, TimeUnit.MONTH, TimeUnit.QUARTER, TimeUnit.YEAR)


@dataclass(frozen=True)
class TimeSpan:
    """Where a time key's partitions start and the instant treated as now (the newest value)."""

    start: datetime
    anchor: datetime
    how: str


def time_span(table: Table, column: Column, anchor: datetime) -> TimeSpan:
    """The oldest time the partitions must hold: now minus the retention; else the column's ``min``;
    else the age of the data at its growth rate (rows / rows per day); else now."""
    stats = table.stats
    newest = parse_instant(column.stats.maximum) if column.stats and column.stats.maximum else None
    now = newest or anchor
    if stats is not None and stats.retention_days is not None:
        return TimeSpan(
            now - timedelta(days=stats.retention_days), now, f"{stats.retention_days:g}-day retention"
        )
    oldest = parse_instant(column.stats.minimum) if column.stats and column.stats.minimum else None
    if oldest is not None:
        return TimeSpan(min(oldest, now), now, f"the brief's min of {column.name}")
    if stats is not None and stats.rows and stats.growth_rows_per_day:
        days = min(stats.rows / stats.growth_rows_per_day, 365.0 * 50)
        return TimeSpan(now - timedelta(days=days), now, f"{days:,.0f} days of rows at the growth rate")
    return TimeSpan(now, now, "no time range in the brief")


def ahead_for(unit: TimeUnit) -> int:
    return max(1, math.ceil(AHEAD_DAYS / unit.days))


def range_layout(
    column: Column, unit: TimeUnit, span: TimeSpan, traits: EngineTraits
) -> tuple[Layout, PartitionSpace]:
    """The partitions of a RANGE by ``unit`` over ``span`` (made ahead past its anchor; the oldest
    open towards MINVALUE on engines without a catch-all; a MAXVALUE catch-all where the engine keeps one)."""
    ahead = ahead_for(unit)
    start = floor_to(span.start, unit)
    end = add_units(floor_to(span.anchor, unit), unit, ahead + 1)
    limit = max(traits.partitioning.max_partitions - (1 if traits.partitioning.range_catch_all else 0), 1)
    bounds = [start]
    while bounds[-1] < end:
        bounds.append(add_units(bounds[-1], unit, 1))
    if len(bounds) - 1 > limit:
        bounds = bounds[-(limit + 1) :]
    parts: list[RangePart] = []
    for i, (lo, hi) in enumerate(pairwise(bounds)):
        parts.append(RangePart(None if i == 0 else lo, hi))
    catch_all = traits.partitioning.range_catch_all
    if catch_all:
        parts.append(RangePart(bounds[-1], None))
    layout = Layout(
        PartitionMethod.RANGE,
        column.name.value,
        len(parts),
        unit=unit,
        start=bounds[0],
        end=bounds[-1],
        ahead=ahead,
        catch_all=catch_all,
    )
    return layout, PartitionSpace(layout, ranges=tuple(parts), anchor=span.anchor)


def hash_count(bytes_at_horizon: float, traits: EngineTraits) -> int:
    wanted = max(2.0, bytes_at_horizon / MAX_PARTITION_BYTES)
    return int(min(2 ** math.ceil(math.log2(wanted)), max(traits.partitioning.max_partitions, 2)))


def hash_layout(column: Column, count: int) -> tuple[Layout, PartitionSpace]:
    layout = Layout(PartitionMethod.HASH, column.name.value, count)
    return layout, PartitionSpace(layout)


def list_values(column: Column) -> tuple[str, ...] | None:
    """Every value a LIST key can hold, when known: an enum's values, or hot values covering all rows."""
    if column.type.kind == TypeKind.ENUM and column.type.values:
        return tuple(column.type.values)
    stats = column.stats
    if stats is None or not stats.most_common:
        return None
    covered = sum(f for _, f in stats.most_common)
    if stats.distinct is not None and len(stats.most_common) >= stats.distinct and covered >= 0.999:
        return tuple(v for v, _ in stats.most_common)
    return None


def list_layout(column: Column, values: tuple[str, ...]) -> tuple[Layout, PartitionSpace]:
    layout = Layout(PartitionMethod.LIST, column.name.value, len(values), values=values)
    return layout, PartitionSpace(layout, lists=tuple((v,) for v in values))


def _bound_literal(value: str, column: Column) -> str:
    numeric = column.type.is_integer or column.type.kind in (TypeKind.DECIMAL, TypeKind.REAL, TypeKind.DOUBLE)
    return neutral_literal(value, numeric=numeric)


def catalog_partitioning(table: Table, layout: Layout, traits: EngineTraits) -> Partitioning:
    """The layout as the catalog holds it (what the DDL renderer writes for every engine)."""
    column = table.column(layout.column)
    assert column is not None
    key = (column.name,)
    if layout.method == PartitionMethod.HASH:
        return Partitioning(PartitionMethod.HASH, key, count=layout.count)
    if layout.method == PartitionMethod.LIST:
        parts = tuple(
            Partition(
                Name(
                    f"{table.name.value[:40]}_p{i}" if traits.partition_syntax == "declarative" else f"p{i}"
                ),
                (_bound_literal(v, column),),
            )
            for i, v in enumerate(layout.values)
        )
        return Partitioning(PartitionMethod.LIST, key, partitions=parts)
    assert layout.unit is not None and layout.start is not None and layout.end is not None
    partitions: list[Partition] = []
    lo = layout.start
    first = True
    while lo < layout.end:
        hi = add_units(lo, layout.unit, 1)
        low_text = "MINVALUE" if first and not layout.catch_all else bound_text(lo, column.type)
        partitions.append(
            Partition(partition_name(table.name, lo, traits), (low_text, bound_text(hi, column.type)))
        )
        lo, first = hi, False
    if layout.catch_all:
        partitions.append(Partition(catch_all_name(table.name, traits), (), is_default=True))
    return Partitioning(PartitionMethod.RANGE, key, partitions=tuple(partitions))
